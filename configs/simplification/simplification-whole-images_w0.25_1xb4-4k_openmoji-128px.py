# Data ablation (the seed's "patches vs whole images"): the default model's
# setting, but each step trains on 4 whole drawings at 128 px (scaled by exactly
# 0.5 from the 256-px render) instead of 16 blank-rejected 64-px patches: the
# same pixels per step, more of them blank paper.
_base_ = ['./simplification_w0.25_1xb16-4k_openmoji-128px.py']
roughen = dict(type='Roughen')
train_pipeline = [
    dict(type='RandomScaleRotate', scale=(0.5, 0.5), rotation=180),
    dict(type='RandomFlip', p=0.5),
    roughen,
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
