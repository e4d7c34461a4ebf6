# RoI-GAN at the thesis' settings (64 px): gated-conv encoder 8 ... 128, latent 146 noise +
# 10 slider codes + 10 one-hot codes of 10, 3-layer mapping, two-branch RoI up blocks,
# equalised learning rate; spectral-norm D (64, 128, 256, 512, 256) with local and global
# heads and the InfoGAN Q head. Losses and weights as the thesis (eqs. 3.18-3.19).
model = dict(
    type='RoIGAN',
    image_size=64,
    generator=dict(type='RoIGANGenerator', image_size=64, noise_dim=146, continuous_codes=10,
                   discrete_codes=10, discrete_values=10, encoder_channels=8,
                   decoder_channels=16, hidden_channels=64),
    discriminator=dict(type='RoIGANDiscriminator', image_size=64, base_channels=64),
    q_head=dict(type='InfoQHead', hidden_channels=128),
    gan_loss=dict(type='GANLoss', gan_type='hinge'),
    gradient_penalty=dict(type='GradientPenaltyLoss', loss_weight=5.0),
    zero_centring_weight=1e-4,
    feature_matching_loss=dict(type='FeatureMatchingLoss', loss_weight=1.0),
    # 5 x [P(real, generated) + P(real, composite)]; VGG19 relu1_1 ... relu5_1 as the
    # thesis' code (needs the VGG19 weights; the OpenMoji configs use EfficientNet-Lite0)
    perceptual_loss=dict(type='PerceptualLoss', network='vgg19', criterion='l1', loss_weight=5.0,
                         layers=dict(relu1_1=0.03125, relu2_1=0.0625, relu3_1=0.125,
                                     relu4_1=0.25, relu5_1=1.0)),
    tv_loss=dict(type='TotalVariationLoss', loss_weight=0.5),
    kl_loss=dict(type='KLDivergenceLoss', loss_weight=0.5),
    info_loss=dict(type='InfoLoss', loss_weight=0.5),
    instance_noise=0.05,
    equalized_lr=True,
)
