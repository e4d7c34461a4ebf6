# Sketch simplification at 64 px: OpenMoji line art rendered at 64 px, whole
# drawings (scaled 0.875-1.125, rotated, flipped, cropped or padded to 64),
# roughened on the fly; 2000 ADADELTA steps (about 8 minutes on a 2-core CPU).
_base_ = ['./simplification_w0.25_1xb16-4k_openmoji-128px.py']
render_size = 64
image_size = 64
roughen = dict(type='Roughen')
train_pipeline = [
    dict(type='RandomScaleRotate', scale=(0.875, 1.125), rotation=180),
    dict(type='RandomFlip', p=0.5),
    dict(type='RandomPatch', size=64, max_mean=0.99),
    roughen,
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
test_pipeline = [roughen, dict(type='InkThreshold', threshold=0.9), dict(type='ToTensor')]
train_dataloader = dict(dataset=dict(image_size=render_size, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(image_size=render_size, pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(image_size=render_size, pipeline=test_pipeline))
max_iters = 2000
train_cfg = dict(max_iters=max_iters, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))
