# Auto-painter at 128 px on OpenMoji at the reference Pix2Pix budget (unet_128,
# batch 1, two epochs): the 64 px config's losses with the TV weight rescaled to the
# image size (the reference's 1e-3 multiplies a sum over pixels; ours is a mean:
# 1e-3 * 3 * 128 * 128 = 49.2). The feature loss is EfficientNet-Lite0's (offline).
_base_ = ['../pix2pix/pix2pix_unet_1xb1-2e_openmoji-128px.py']
model = dict(
    pixel_loss=dict(type='L1Loss', loss_weight=50.0),
    perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                         layers=dict(stage1=1.0, stage2=1.0), criterion='l2',
                         loss_weight=0.1),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=49.2),
)
