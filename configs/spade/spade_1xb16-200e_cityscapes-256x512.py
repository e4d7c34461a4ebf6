# SPADE on Cityscapes at the paper's settings (256 x 512, 35 label ids, nf 64, VGG19
# perceptual, 2-scale D, TTUR, batch 16 over 8 GPUs in the paper). Bring the data:
#   data/cityscapes/leftImg8bit/{train,val}/<city>/*_leftImg8bit.png
#   data/cityscapes/gtFine/{train,val}/<city>/*_gtFine_labelIds.png
# 2,975 training images / 16 = 186 iterations per epoch; 200 epochs (100 constant,
# 100 decaying) = 37,200 iterations. The paper also feeds an instance-edge map
# (one more channel); sketchgen's data set reads label ids only.
# The VGG19 weights are needed (see docs/evaluation.md for where to put them).
_base_ = [
    '../_base_/models/spade.py',
    '../_base_/schedules/spade_ttur.py',
]
data_root = 'data/cityscapes'
num_classes = 35
image_size = (256, 512)
max_iters = 37200
model = dict(
    image_size=image_size,
    num_classes=num_classes,
    generator=dict(map_channels=num_classes, image_size=image_size),
    discriminator=dict(in_channels=num_classes + 3),
)
dataset = dict(type='SemanticFolderDataset', num_classes=num_classes,
               image_dir='leftImg8bit/{split}', label_dir='gtFine/{split}',
               image_suffix='_leftImg8bit', label_suffix='_gtFine_labelIds')
train_dataloader = dict(
    batch_size=16, num_workers=8,
    dataset=dict(dataset, split='train', pipeline=[
        dict(type='Resize', size=image_size), dict(type='RandomFlip', p=0.5),
        dict(type='ToTensor')]))
test_pipeline = [dict(type='Resize', size=image_size), dict(type='ToTensor')]
val_dataloader = dict(batch_size=16, num_workers=4,
                      dataset=dict(dataset, split='val', pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=max_iters, val_interval=3720)
default_hooks = dict(checkpoint=dict(interval=3720), visualization=dict(interval=1860))
