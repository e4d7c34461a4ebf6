# Adam (0.5, 0.999) at 2e-4; both generators share one optimiser, both
# discriminators (and any local ones) another, as in the reference. Constant for
# the first half, then linear decay to 0 (the paper's 100 + 100 epochs).
max_iters = 2000
# CycleGAN declares the groups: both generators share one optimiser, all
# discriminators (local ones included) another.
optim_wrapper = dict(
    generators=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminators=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
)
param_scheduler = dict(type='LinearDecay', start_fraction=0.5, end_fraction=1.0)
train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(
    param_scheduler=dict(type='ParamSchedulerHook'),
    evaluation=dict(type='EvaluationHook'),
    checkpoint=dict(type='CheckpointHook', interval=1000, max_keep=3),
    visualization=dict(type='VisualizationHook', interval=250, num_samples=8),
    logger=dict(type='LoggerHook', interval=10),
)
# Unpaired: only distribution metrics mean anything. Offline proxy by default; with
# the Inception weights at hand use dict(type='FID') and dict(type='KID').
val_evaluator = [dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
test_evaluator = val_evaluator
seed = 0
