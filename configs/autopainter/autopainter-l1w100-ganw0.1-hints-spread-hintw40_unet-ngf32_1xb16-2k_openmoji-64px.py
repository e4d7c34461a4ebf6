# The 64 px hints model (strokes spread over their sketch regions, the hinted pixels
# weighted 40) trained with the recommended colouring losses, as the main job's
# autopainter-l1w100-ganw0.1_unet-ngf32_1xb16-2k_openmoji-64px.py: Auto-painter's
# feature and TV terms, L1 x 100 and the adversarial term at a tenth.
# The loss entries restate the main job's: mmengine refuses a `model` key in two
# `_base_` files, and the hints chain sets this config's schedule and precision.
_base_ = ['../pix2pix/pix2pix_unet-ngf32-hints-spread-hintw40_1xb16-2k_openmoji-64px.py']
model = dict(
    gan_loss=dict(loss_weight=0.1),
    perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                         layers=dict(stage1=1.0, stage2=1.0), criterion='l2',
                         loss_weight=0.1),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=12.3),
)
