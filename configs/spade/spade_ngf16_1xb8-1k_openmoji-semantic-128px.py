# The built-in semantic task at 128 px (see the 64 px config); batch 8, 1,000
# iterations (about 40 minutes on a 2-core CPU).
_base_ = ['./spade_ngf16_1xb16-2k_openmoji-semantic-64px.py']
image_size = 128
max_iters = 1000
model = dict(image_size=image_size, generator=dict(image_size=image_size))
train_pipeline = [
    dict(type='Resize', size=143),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
train_dataloader = dict(batch_size=8, dataset=dict(image_size=image_size,
                                                   pipeline=train_pipeline))
val_dataloader = dict(batch_size=16, dataset=dict(image_size=image_size))
test_dataloader = dict(batch_size=16, dataset=dict(image_size=image_size))
train_cfg = dict(max_iters=max_iters, val_interval=250)
default_hooks = dict(checkpoint=dict(interval=250))
