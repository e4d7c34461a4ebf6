# SPADE at the paper's settings (Park et al. 2019): generator of SPADE residual
# blocks (nf 64: 1024 ... 64, 5 up-samplings, spectral norm, batch-norm SPADE with a
# 128-wide embedding), 2-scale discriminator (k4: 64, 128, 256, 512, spectral +
# instance norm), hinge loss, feature matching x 10, VGG19 perceptual x 10 with
# layer weights 1/32, 1/16, 1/8, 1/4, 1, xavier init (gain 0.02). The data set
# config sets num_classes and the two networks' map channels.
model = dict(
    type='SPADE',
    image_size=256,
    generator=dict(type='SPADEGenerator', map_channels=35, out_channels=3, image_size=256,
                   base_channels=64, hidden_channels=128, norm='batch', spectral=True,
                   num_upsampling_layers='normal'),
    # judges concat(one-hot map, image): map channels + 3
    discriminator=dict(type='MultiscaleDiscriminator', in_channels=38, base_channels=64,
                       n_layers=4, num_scales=2, spectral=True),
    gan_loss=dict(type='GANLoss', gan_type='hinge'),
    feature_matching_loss=dict(type='FeatureMatchingLoss', loss_weight=10.0),
    perceptual_loss=dict(type='PerceptualLoss', network='vgg19', criterion='l1', loss_weight=10.0,
                         layers=dict(relu1_1=0.03125, relu2_1=0.0625, relu3_1=0.125,
                                     relu4_1=0.25, relu5_1=1.0)),
    init_type='xavier',
    init_gain=0.02,
    test_mode='eval',
)
