# RoI-GAN at the thesis' settings on CelebA that you bring (its data set): aligned faces
# centre-cropped to 178 and resized to 64 px, elliptic RoIs for training, batch 32,
# full-width D (64), VGG19 perceptual loss (needs the VGG19 weights). Layout:
#   data/celeba/img_align_celeba/*.jpg
#   data/celeba/list_eval_partition.txt    (FILE PARTITION: 0 train, 1 val, 2 test)
# 162,770 training images / 32 = 5,087 iterations per epoch; 100 epochs (the thesis
# trained 100-400) = 508,700 iterations.
_base_ = ['../_base_/models/roigan.py']
data_root = 'data/celeba'
image_size = 64
max_iters = 508700
faces = dict(type='ColourImageDataset', split='img_align_celeba',
             partition_file='list_eval_partition.txt')
test_pipeline = [dict(type='CenterCrop', size=178), dict(type='Resize', size=image_size),
                 dict(type='ToTensor')]
train_dataloader = dict(
    batch_size=32, num_workers=8,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 dataset=dict(faces, partition=0, pipeline=[
                     dict(type='CenterCrop', size=178), dict(type='Resize', size=image_size),
                     dict(type='RandomFlip', p=0.5), dict(type='ToTensor')])))
val_dataloader = dict(
    batch_size=64, num_workers=4,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 fixed_masks=True, mask_seed=1,
                 dataset=dict(faces, partition=1, pipeline=test_pipeline)))
test_dataloader = dict(
    batch_size=64, num_workers=4,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 fixed_masks=True, mask_seed=2,
                 dataset=dict(faces, partition=2, pipeline=test_pipeline)))
# Adam (0.5, 0.999), the thesis text's rates; its code used G 1e-4, D 3e-4: see
# roigan_thesis-code-lr_1xb32-100e_celeba-64px.py.
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))),
)
train_cfg = dict(max_iters=max_iters, val_interval=5087)
default_hooks = dict(
    evaluation=dict(type='EvaluationHook'),
    checkpoint=dict(type='CheckpointHook', interval=5087, max_keep=3, save_best=None),
    visualization=dict(type='VisualizationHook', interval=2500, num_samples=8),
    logger=dict(type='LoggerHook', interval=50),
)
val_evaluator = [dict(type='PSNR'), dict(type='SSIM')]
test_evaluator = [*val_evaluator, dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
seed = 0
