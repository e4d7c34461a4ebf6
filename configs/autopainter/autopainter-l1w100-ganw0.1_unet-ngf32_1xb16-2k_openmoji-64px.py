# The 128 px colouriser's losses (autopainter-l1w100-ganw0.1_unet_1xb1-2e_openmoji-128px.py)
# on the main job's 64 px schedule: L1 x 100, GAN x 0.1, EfficientNet-Lite0 feature loss
# x 0.1, TV x 12.3 (the 128 px weight rescaled to 64 px), 2,000 iterations, fast path.
_base_ = ['../pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py']
model = dict(
    gan_loss=dict(loss_weight=0.1),
    perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                         layers=dict(stage1=1.0, stage2=1.0), criterion='l2',
                         loss_weight=0.1),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=12.3),
)
# channels_last and small maps as matrix multiplies: 1.46x fp32 eager per step, against
# 1.33x with neither (docs/benchmarks.md, the Xeon with AMX).
channels_last = True
small_convs_as_matmul = True
