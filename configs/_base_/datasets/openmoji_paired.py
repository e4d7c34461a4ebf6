# OpenMoji line art -> colour (the built-in data; CC BY-SA 4.0, see README).
# Rendered once into SKETCHGEN_CACHE; jitter as pix2pix: resize to 1.125x, random
# crop back, horizontal flip, the same for sketch and target.
image_size = 64
train_pipeline = [
    dict(type='Resize', size=72),
    dict(type='RandomCrop', size=64),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='ToTensor')]
# The decoded, resized pairs are kept in memory (about 100 MB at 64 px) and the random
# crop and flip run in the main process: loader workers would take CPU time from the
# training step on a small machine (docs/benchmarks.md, "Trainer overhead").
train_dataloader = dict(
    batch_size=16, num_workers=0,
    dataset=dict(type='OpenMojiPairedDataset', image_size=image_size, split='train',
                 pipeline=train_pipeline, cache_decoded=True))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='OpenMojiPairedDataset', image_size=image_size, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='OpenMojiPairedDataset', image_size=image_size, split='test',
                 pipeline=test_pipeline))
