# RoI-GAN on the built-in task: OpenMoji colour emoji at 64 px with elliptic RoIs (the
# thesis' training protocol), the main job's images and splits. CPU-sized: D at a
# quarter width (base 16) and batch 16 (the thesis: 64 and 32), 2,000 iterations.
# EfficientNet-Lite0 perceptual features (offline) at the VGG19 layer weights.
# Validation and test masks are fixed per image.
_base_ = ['../_base_/models/roigan.py']
model = dict(
    discriminator=dict(base_channels=16),
    perceptual_loss=dict(network='efficientnet_lite0',
                         layers=dict(_delete_=True, stage0=0.03125, stage1=0.0625,
                                     stage2=0.125, stage3=0.25, stage4=1.0)),
)
image_size = 64
images = dict(type='OpenMojiPairedDataset', image_size=image_size)
train_pipeline = [
    dict(type='Resize', size=72),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
train_dataloader = dict(
    batch_size=16, num_workers=2,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 dataset=dict(images, split='train', pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 fixed_masks=True, mask_seed=1,
                 dataset=dict(images, split='val', pipeline=[dict(type='ToTensor')])))
test_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 fixed_masks=True, mask_seed=2,
                 dataset=dict(images, split='test', pipeline=[dict(type='ToTensor')])))
# Adam (0.5, 0.999); the thesis text's rates: D 1e-4, G 3e-4 (its code: G 1e-4, D 3e-4).
max_iters = 2000
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))),
)
train_cfg = dict(max_iters=max_iters, val_interval=500)
default_hooks = dict(
    evaluation=dict(type='EvaluationHook'),
    checkpoint=dict(type='CheckpointHook', interval=500, max_keep=3, save_best=None),
    visualization=dict(type='VisualizationHook', interval=250, num_samples=8),
    logger=dict(type='LoggerHook', interval=10),
)
val_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='L1')]
test_evaluator = [*val_evaluator, dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
amp = 'auto'
fused_optimizer = True
seed = 0
