# SPADE's schedule: TTUR (G 1e-4, D 4e-4) with Adam betas (0, 0.9) as the paper's
# code (the paper's text says 0.999); constant, then linear decay to 0 over the
# second half (the code's niter + niter_decay, by iteration).
max_iters = 2000
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.0, 0.9))),
    discriminator=dict(optimizer=dict(type='Adam', lr=4e-4, betas=(0.0, 0.9))),
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
# Offline; with the Inception weights add dict(type='FID'), dict(type='KID'), with
# torchvision's AlexNet weights dict(type='LPIPS').
test_evaluator = [*val_evaluator, dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
seed = 0
