# Adam (0.5, 0.999) at 2e-4 for both networks; constant, then linear decay to 0
# over the second half (the reference's n_epochs + n_epochs_decay, by iteration).
max_iters = 2000
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
)
param_scheduler = dict(type='LinearDecay', start_fraction=0.5, end_fraction=1.0)
train_cfg = dict(max_iters=max_iters, val_interval=500)
default_hooks = dict(
    param_scheduler=dict(type='ParamSchedulerHook'),
    evaluation=dict(type='EvaluationHook'),
    checkpoint=dict(type='CheckpointHook', interval=500, max_keep=3, save_best='SSIM'),
    visualization=dict(type='VisualizationHook', interval=250, num_samples=8),
    logger=dict(type='LoggerHook', interval=10),
)
val_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='L1')]
# Everything here runs offline. With the Inception weights at hand add dict(type='FID')
# and dict(type='KID'); with torchvision's AlexNet weights, dict(type='LPIPS').
test_evaluator = [*val_evaluator, dict(type='GramDistance'), dict(type='FID-EffLite0'),
                  dict(type='KID-EffLite0')]
seed = 0
