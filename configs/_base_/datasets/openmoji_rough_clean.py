# OpenMoji line art (clean; CC BY-SA 4.0) -> rough sketches made on the fly by
# `Roughen` (inverse dataset generation). Drawings are rendered once at 256 px;
# training rescales them by 0.375-0.625 (96-160 px), rotates and flips them, and
# takes 64-px patches, drawing again when a patch is blank (clean mean >= 0.99);
# target pixels darker than 0.9 become black (the reference). Evaluation uses the
# whole drawings at 128 px, roughened with a fixed seed per image.
render_size = 256
image_size = 128
patch_size = 64
roughen = dict(type='Roughen')  # moderate roughening; see sketchgen/data/roughen.py
train_pipeline = [
    dict(type='RandomScaleRotate', scale=(0.375, 0.625), rotation=180),
    dict(type='RandomFlip', p=0.5),
    dict(type='RandomPatch', size=patch_size, max_mean=0.99),
    roughen,
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
test_pipeline = [
    dict(type='Resize', size=image_size, interpolation='lanczos'),
    roughen,
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
train_dataloader = dict(
    batch_size=16, num_workers=0,
    dataset=dict(type='LineArtDataset', image_size=render_size, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=0,
    dataset=dict(type='LineArtDataset', image_size=render_size, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=16, num_workers=0,
    dataset=dict(type='LineArtDataset', image_size=render_size, split='test',
                 pipeline=test_pipeline))
