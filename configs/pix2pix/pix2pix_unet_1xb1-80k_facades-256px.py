# Pix2Pix on a pix2pix-layout folder set (facades, maps, edges2shoes, ...): each
# image is A|B side by side in data_root/{train,val,test}/. Set data_root to your
# copy, e.g. --cfg-options data_root=/data/facades (every data set reads the one
# top-level data_root). `direction` picks the side: change it here, or override
# train_dataloader.dataset.direction=AtoB and the same for val_ and test_dataloader.
_base_ = [
    '../_base_/models/pix2pix_unet.py',
    '../_base_/schedules/pix2pix_linear_decay.py',
]
data_root = 'data/facades'
direction = 'BtoA'  # facades: B (labels) -> A (photo), as the reference
max_iters = 80000
train_pipeline = [
    dict(type='Resize', size=286),
    dict(type='RandomCrop', size=256),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='Resize', size=256), dict(type='ToTensor')]
train_dataloader = dict(
    batch_size=1, num_workers=4,
    dataset=dict(type='PairedImageDataset', split='train',
                 layout='aligned', direction=direction, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(type='PairedImageDataset', split='val',
                 layout='aligned', direction=direction, pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(type='PairedImageDataset', split='test',
                 layout='aligned', direction=direction, pipeline=test_pipeline))
train_cfg = dict(max_iters=max_iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000), visualization=dict(interval=2000))
