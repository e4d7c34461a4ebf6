# Inpainting on the built-in data (RoI-GAN's protocol): OpenMoji colour emoji at 64 px
# (the main job's images and splits) with elliptic RoIs; validation and test masks
# are fixed per image (seeds 1 and 2), training masks drawn afresh every time.
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
