# The built-in colouriser (pix2pix_unet-ngf16-hints-spread_1xb1-2e_openmoji-128px.py: ngf 16,
# hint strokes spread over their sketch regions) trained with the recommended colouriser's
# losses (autopainter-l1w100-ganw0.1_unet_1xb1-2e_openmoji-128px.py): L1 x 100, GAN x 0.1,
# EfficientNet-Lite0 feature loss x 0.1, TV x 49.2. Hints and schedule unchanged.
_base_ = ['../pix2pix/pix2pix_unet-ngf16-hints-spread_1xb1-2e_openmoji-128px.py']
model = dict(
    gan_loss=dict(loss_weight=0.1),
    perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                         layers=dict(stage1=1.0, stage2=1.0), criterion='l2',
                         loss_weight=0.1),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=49.2),
)
