# Pix2Pix at 256 px on OpenMoji with the paper's settings: unet_256 (8 levels),
# batch 1, jitter 286 -> 256. GPU-sized.
_base_ = [
    '../_base_/models/pix2pix_unet.py',
    '../_base_/datasets/openmoji_paired.py',
    '../_base_/schedules/pix2pix_linear_decay.py',
]
image_size = 256
max_iters = 100000
model = dict(image_size=image_size, generator=dict(image_size=image_size))
train_pipeline = [
    dict(type='Resize', size=286),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
# Decoded 286 px pairs would take 1.6 GB of memory; at 256 px the step dwarfs loading,
# so two loader workers read the files instead.
train_dataloader = dict(batch_size=1, num_workers=2,
                        dataset=dict(image_size=image_size, pipeline=train_pipeline,
                                     cache_decoded=False))
val_dataloader = dict(batch_size=8, dataset=dict(image_size=image_size))
test_dataloader = dict(batch_size=8, dataset=dict(image_size=image_size))
train_cfg = dict(max_iters=max_iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000), visualization=dict(interval=2000))
