# ADADELTA as the paper (rho 0.9, eps 1e-6; lr 1.0 is ADADELTA's own unit step,
# no schedule). For Adam instead: dict(type='Adam', lr=1e-3, betas=(0.9, 0.999)).
max_iters = 4000
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adadelta', lr=1.0, rho=0.9, eps=1e-6)),
)
train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(
    evaluation=dict(type='EvaluationHook'),
    checkpoint=dict(type='CheckpointHook', interval=1000, max_keep=2, save_best='LineF1'),
    visualization=dict(type='VisualizationHook', interval=500, num_samples=8),
    logger=dict(type='LoggerHook', interval=20),
)
val_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='LineF1', tolerance=2)]
test_evaluator = val_evaluator
seed = 0
