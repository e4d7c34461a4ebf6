# Auto-painter at the reference settings: U-Net ngf = ndf = 48, VGG16 feature loss,
# Adam 2e-5 (0.5, 0.999), batch 1, 20 epochs of the 3,308 OpenMoji training pairs,
# 256 px (the paper used 512; scale 530 / crop 512 with your own data).
# Needs torchvision's VGG16 ImageNet weights (vgg16-397923af.pth) in the torch hub
# cache or $SKETCHGEN_WEIGHTS_DIR; without them the build stops and says how.
# Feature loss: the notes' "L2 of the 4th layer" (relu2_2); the reference code's
# form is layers=dict(conv3_2=1.0), criterion='l1'. TV weight 1e-3 on a pixel sum
# = 1e-3 * 3 * 256 * 256 = 197 on our mean.
_base_ = ['../pix2pix/pix2pix_unet_1xb1-100k_openmoji-256px.py']
max_iters = 66160
model = dict(
    generator=dict(base_channels=48),
    discriminator=dict(base_channels=48),
    pixel_loss=dict(type='L1Loss', loss_weight=50.0),
    perceptual_loss=dict(type='PerceptualLoss', network='vgg16',
                         layers=dict(relu2_2=1.0), criterion='l2', loss_weight=1.0),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=197.0),
)
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=2e-5, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(type='Adam', lr=2e-5, betas=(0.5, 0.999))),
)
train_cfg = dict(max_iters=max_iters, val_interval=3308)
default_hooks = dict(checkpoint=dict(interval=3308))
