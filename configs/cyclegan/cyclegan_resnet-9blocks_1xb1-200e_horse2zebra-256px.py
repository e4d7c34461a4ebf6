# Classic CycleGAN on a folder set you bring, in the CycleGAN layout:
# data_root/trainA, trainB, testA, testB (horse2zebra, summer2winter, monet2photo,
# ...). Reference settings: batch 1, 256 px crops of 286 px images, 100 + 100 epochs
# (horse2zebra: 1,067 horses per epoch), lr decaying linearly over the second half.
_base_ = ['../_base_/models/cyclegan_resnet.py', '../_base_/schedules/cyclegan_linear_decay.py']
data_root = 'data/horse2zebra'
train_pipeline = [
    dict(type='Resize', size=286),
    dict(type='RandomCrop', size=256),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='Resize', size=256), dict(type='ToTensor')]
train_dataloader = dict(
    batch_size=1, num_workers=4,
    dataset=dict(type='UnpairedImageDataset', split='train',
                 pipeline=train_pipeline))
# The CycleGAN sets have no val split: validate and test on testA/testB.
val_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(type='UnpairedImageDataset', split='test',
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
max_iters = 200 * 1067
train_cfg = dict(max_iters=max_iters, val_interval=20000)
default_hooks = dict(checkpoint=dict(interval=10000),
                     visualization=dict(interval=2000))
