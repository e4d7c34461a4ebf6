# Sketch simplification on your own (rough, clean) pairs at the paper's setting:
# full-width network, batch 8 of 424-px patches, ADADELTA, 100k steps (a GPU job).
#
#   data/rough_sketches/train/rough/NAME.png   data/rough_sketches/train/clean/NAME.png
#   data/rough_sketches/val/rough/NAME.png     data/rough_sketches/val/clean/NAME.png
#
# Pairs match by file name; any image format; colour is turned grey. Scans are
# downscaled by 1.5-3.5x (the reference) and patches that are blank paper in the
# clean drawing are drawn again. `tools/make_rough.py OUT --clean FOLDER` makes
# this layout from clean drawings alone.
_base_ = [
    '../_base_/models/sketch_simplification.py',
    '../_base_/schedules/simplification_adadelta.py',
]
data_root = 'data/rough_sketches'
train_pipeline = [
    dict(type='Grayscale'),
    dict(type='RandomScaleRotate', scale=(1 / 3.5, 1 / 1.5), rotation=180),
    dict(type='RandomFlip', p=0.5),
    dict(type='RandomPatch', size=424, max_mean=0.99),
    dict(type='InkThreshold', threshold=0.9),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='Grayscale'), dict(type='ToTensor')]
dataset = dict(type='PairedImageDataset', layout='folders',
               folder_names=('rough', 'clean'))
train_dataloader = dict(batch_size=8, num_workers=4,
                        dataset=dict(dataset, split='train', pipeline=train_pipeline))
# Val images may differ in size: one at a time, at full size.
val_dataloader = dict(batch_size=1, dataset=dict(dataset, split='val', pipeline=test_pipeline))
test_dataloader = dict(batch_size=1, dataset=dict(dataset, split='test', pipeline=test_pipeline))
max_iters = 100000
train_cfg = dict(max_iters=max_iters, val_interval=5000)
# No sample grid: val images of different sizes do not stack into one.
default_hooks = dict(checkpoint=dict(interval=5000), visualization=None)
