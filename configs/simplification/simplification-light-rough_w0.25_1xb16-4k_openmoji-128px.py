# Data ablation (the seed's "moderate vs heavy noise"): the default model
# trained and evaluated with the 'light' roughening preset instead of 'moderate'
# (sketchgen/data/roughen.py lists the settings).
_base_ = ['./simplification_w0.25_1xb16-4k_openmoji-128px.py']
roughen = dict(type='Roughen', preset='light')
train_pipeline = [
    dict(type='RandomScaleRotate', scale=(0.375, 0.625), rotation=180),
    dict(type='RandomFlip', p=0.5),
    dict(type='RandomPatch', size=64, max_mean=0.99),
    roughen,
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
test_pipeline = [
    dict(type='Resize', size=128, interpolation='lanczos'),
    roughen,
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
