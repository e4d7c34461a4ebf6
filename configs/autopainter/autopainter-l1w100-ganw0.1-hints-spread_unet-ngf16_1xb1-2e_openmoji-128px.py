# The built-in interactive colouriser (ngf 16, hint strokes spread over their sketch
# regions) trained with the recommended colouring losses: Auto-painter's feature and
# TV terms, the pixel term at Pix2Pix's weight (L1 x 100) and the adversarial term at
# a tenth (GAN x 0.1), as autopainter-l1w100-ganw0.1_unet_1xb1-2e_openmoji-128px.py.
# The hint inputs, the hint loss and the schedule are the ngf 16 hints-spread config's.
_base_ = ['../pix2pix/pix2pix_unet-ngf16-hints-spread_1xb1-2e_openmoji-128px.py']
model = dict(
    pixel_loss=dict(type='L1Loss', loss_weight=100.0),
    gan_loss=dict(loss_weight=0.1),
    perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                         layers=dict(stage1=1.0, stage2=1.0), criterion='l2',
                         loss_weight=0.1),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=49.2),
)
