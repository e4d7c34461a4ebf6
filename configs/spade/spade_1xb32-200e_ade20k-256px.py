# SPADE on ADE20K at the paper's settings (256 px, 150 classes + "other" (index 0)
# = 151 one-hot channels, nf 64, VGG19 perceptual, 2-scale D, TTUR, batch 32).
# Bring ADEChallengeData2016:
#   data/ade20k/images/{training,validation}/*.jpg
#   data/ade20k/annotations/{training,validation}/*.png
# 20,210 training images / 32 = 632 iterations per epoch; 200 epochs (100 constant,
# 100 decaying) = 126,400 iterations. Jitter: resize 286, random crop 256, flip.
_base_ = [
    '../_base_/models/spade.py',
    '../_base_/schedules/spade_ttur.py',
]
data_root = 'data/ade20k'
num_classes = 151
image_size = 256
max_iters = 126400
model = dict(
    image_size=image_size,
    num_classes=num_classes,
    generator=dict(map_channels=num_classes, image_size=image_size),
    discriminator=dict(in_channels=num_classes + 3),
)
dataset = dict(type='SemanticFolderDataset', num_classes=num_classes,
               image_dir='images/{split}', label_dir='annotations/{split}')
train_dataloader = dict(
    batch_size=32, num_workers=8,
    dataset=dict(dataset, split='training', pipeline=[
        dict(type='Resize', size=286), dict(type='RandomCrop', size=image_size),
        dict(type='RandomFlip', p=0.5), dict(type='ToTensor')]))
test_pipeline = [dict(type='Resize', size=image_size), dict(type='ToTensor')]
val_dataloader = dict(batch_size=16, num_workers=4,
                      dataset=dict(dataset, split='validation', pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=max_iters, val_interval=12640)
default_hooks = dict(checkpoint=dict(interval=12640), visualization=dict(interval=6320))
