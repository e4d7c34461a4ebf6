# Pix2Pix at the reference settings (Isola et al. 2017): U-Net generator with
# dropout, 70x70 PatchGAN (n_layers 3), vanilla GAN loss + 100 * L1, N(0, 0.02) init.
model = dict(
    type='Pix2Pix',
    image_size=256,
    generator=dict(type='UnetGenerator', in_channels=3, out_channels=3, image_size=256,
                   base_channels=64, norm='batch', dropout=True),
    discriminator=dict(type='PatchDiscriminator', in_channels=6, base_channels=64, n_layers=3,
                       norm='batch'),
    gan_loss=dict(type='GANLoss', gan_type='vanilla'),
    pixel_loss=dict(type='L1Loss', loss_weight=100.0),
    disc_loss_weight=0.5,
    init_type='normal',
    init_gain=0.02,
    test_mode='eval',
)
