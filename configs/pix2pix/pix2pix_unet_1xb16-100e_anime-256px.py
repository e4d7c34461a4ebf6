# Pix2Pix on the Kaggle "Anime Sketch Colorization Pair" set, as the SketchSause run:
# each file is 512x1024, colour LEFT and sketch RIGHT, in data_root/{train,val}/.
# Only data_root needs changing. Batch 16, Adam 2e-4 (0.5, 0.999), L1 x 100, BCE;
# 100 epochs of 14,224 images = 89k iterations (50 constant + 50 decaying), AMP on GPU.
# Pipelines (resize 286, crop 256, flip) come from the pix2pix folder-set config.
_base_ = ['./pix2pix_unet_1xb1-80k_facades-256px.py']
data_root = 'data/anime_sketch_colour'
direction = 'BtoA'  # B (the right half, the sketch) -> A (the colour image)
max_iters = 89000
amp = 'fp16'
train_dataloader = dict(batch_size=16, num_workers=8,
                        dataset=dict(direction=direction))
# The Kaggle set has no separate test split: its val folder is the test set.
val_dataloader = dict(batch_size=16, num_workers=4,
                      dataset=dict(direction=direction))
test_dataloader = dict(batch_size=16, num_workers=4,
                       dataset=dict(direction=direction, split='val'))
train_cfg = dict(max_iters=max_iters, val_interval=5000)
default_hooks = dict(checkpoint=dict(interval=5000), visualization=dict(interval=1000),
                     evaluation=dict(max_samples=512))
