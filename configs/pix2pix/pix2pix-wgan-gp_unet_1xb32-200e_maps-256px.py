# WGAN-GP Pix2Pix for aerial -> map (SketchSause): bring pix2pix's `maps` set
# (data_root/{train,val}/*.jpg, aerial LEFT, map RIGHT, 1,096 training images).
# Batch 32, 200 epochs = 6,850 iterations; 3 critic steps per generator step,
# lambda_gp 10, Adam 1e-4 (0, 0.9); L1 x 100 (the notebook; the report says 10).
# Pipelines (resize 286, crop 256, flip) come from the pix2pix folder-set config.
_base_ = ['./pix2pix_unet_1xb1-80k_facades-256px.py']
data_root = 'data/maps'
direction = 'AtoB'
max_iters = 6850
model = dict(
    gan_loss=dict(type='GANLoss', gan_type='wgan'),
    gradient_penalty=dict(type='GradientPenaltyLoss', loss_weight=10.0),
    n_critic=3,
    disc_loss_weight=1.0,
    discriminator=dict(norm='instance'),
)
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.0, 0.9))),
    discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.0, 0.9))),
)
train_dataloader = dict(batch_size=32, num_workers=8,
                        dataset=dict(direction=direction))
# pix2pix's maps set has train and val only: val is the test set.
val_dataloader = dict(batch_size=16, num_workers=4,
                      dataset=dict(direction=direction))
test_dataloader = dict(batch_size=16, num_workers=4,
                       dataset=dict(direction=direction, split='val'))
train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(checkpoint=dict(interval=1000), visualization=dict(interval=500))
test_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='GramDistance'),
                  dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
