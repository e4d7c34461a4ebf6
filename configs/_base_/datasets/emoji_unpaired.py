# Twemoji (A) <-> OpenMoji (B): the same emoji in two cartoon styles (built-in,
# offline; CC-BY 4.0 and CC BY-SA 4.0, see README). Rendered once into
# SKETCHGEN_CACHE; pix2pix-style jitter, drawn independently for A and B.
image_size = 64
subset = 'all'
train_pipeline = [
    dict(type='Resize', size=72),
    dict(type='RandomCrop', size=64),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='ToTensor')]
train_dataloader = dict(
    batch_size=4, num_workers=2,
    dataset=dict(type='EmojiUnpairedDataset', image_size=image_size, subset=subset,
                 split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='EmojiUnpairedDataset', image_size=image_size, subset=subset,
                 split='val', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='EmojiUnpairedDataset', image_size=image_size, subset=subset,
                 split='test', pipeline=test_pipeline))
