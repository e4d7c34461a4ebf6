# Auto-painter (Liu et al. 2017) on the built-in OpenMoji pairs at 64 px: Pix2Pix with
# pixel, feature and total-variation losses. The full model of the ablation
# (tools/compare.py, docs/results/autopainter_ablation.md); the ablation-* configs in
# this folder drop terms from it.
#
# Feature loss: VGG16 weights are not on PyPI, so this offline config takes the
# features of EfficientNet-Lite0 (ImageNet, shipped with sketchgen) at 1/2 and 1/4
# resolution; autopainter_unet-ngf48_1xb1-*_vgg16.py is the VGG16 form.
# Weights: L1 50 and GAN 1 as the reference code. Its TV weight, 1e-3, multiplies a
# SUM over pixels; our TV is a mean, so the equivalent weight is 1e-3 * 3 * 64 * 64
# = 12.3 at 64 px. The feature weight 0.1 puts that term at the L1 term's size
# (measured on val images: ~60 before weighting, against L1 ~0.2 x 50).
_base_ = ['../pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py']
model = dict(
    pixel_loss=dict(type='L1Loss', loss_weight=50.0),
    perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                         layers=dict(stage1=1.0, stage2=1.0), criterion='l2',
                         loss_weight=0.1),
    tv_loss=dict(type='TotalVariationLoss', form='squared', loss_weight=12.3),
)
max_iters = 1000
train_cfg = dict(max_iters=max_iters, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500), visualization=dict(interval=250))
# Its published numbers were measured in fp32; the fast path of the main job is
# measured there only (docs/benchmarks.md).
amp = 'no'
fused_optimizer = False
