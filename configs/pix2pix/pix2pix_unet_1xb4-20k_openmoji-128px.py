# Pix2Pix at 128 px on OpenMoji (unet_128: 7 levels, reference widths). GPU-sized.
_base_ = [
    '../_base_/models/pix2pix_unet.py',
    '../_base_/datasets/openmoji_paired.py',
    '../_base_/schedules/pix2pix_linear_decay.py',
]
image_size = 128
max_iters = 20000
model = dict(image_size=image_size, generator=dict(image_size=image_size))
train_pipeline = [
    dict(type='Resize', size=143),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
train_dataloader = dict(batch_size=4, dataset=dict(image_size=image_size,
                                                   pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(image_size=image_size))
test_dataloader = dict(dataset=dict(image_size=image_size))
train_cfg = dict(max_iters=max_iters, val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000), visualization=dict(interval=1000))
