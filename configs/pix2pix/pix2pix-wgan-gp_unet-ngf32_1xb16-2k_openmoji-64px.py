# The WGAN-GP variant of Pix2Pix (SketchSause) on the built-in OpenMoji pairs, 64 px.
# Conditional critic without batch norm (instance norm: the gradient penalty is per
# sample), 3 critic updates per generator update, lambda_gp 10, Adam 1e-4 (0, 0.9).
# 2,000 iterations = 2,000 critic and 667 generator updates.
_base_ = ['./pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py']
model = dict(
    gan_loss=dict(type='GANLoss', gan_type='wgan'),
    gradient_penalty=dict(type='GradientPenaltyLoss', loss_weight=10.0),
    n_critic=3,
    disc_loss_weight=1.0,
    pixel_loss=dict(type='L1Loss', loss_weight=100.0),
    discriminator=dict(norm='instance'),
)
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.0, 0.9))),
    discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.0, 0.9))),
)
# Its published numbers were measured in fp32; the fast path of the main job is
# measured there only (docs/benchmarks.md).
amp = 'no'
fused_optimizer = False
