# OpenMoji label maps -> colour (the built-in semantic task; CC BY-SA 4.0, see
# README). 7 classes read from the SVG groups (sketchgen.data.openmoji_semantic):
# background, colour, hair, skin, skin-shadow, line, colour-foreground. Same
# names and splits as the line-art pairs. Jitter as pix2pix; label maps are
# resized by nearest neighbour.
image_size = 64
train_pipeline = [
    dict(type='Resize', size=72),
    dict(type='RandomCrop', size=64),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='ToTensor')]
train_dataloader = dict(
    batch_size=16, num_workers=2,
    dataset=dict(type='OpenMojiSemanticDataset', image_size=image_size, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='OpenMojiSemanticDataset', image_size=image_size, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='OpenMojiSemanticDataset', image_size=image_size, split='test',
                 pipeline=test_pipeline))
