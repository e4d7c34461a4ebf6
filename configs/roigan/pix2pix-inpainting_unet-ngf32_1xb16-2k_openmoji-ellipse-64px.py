# The Pix2Pix-style inpainting baseline of the RoI-GAN comparison: U-Net (ngf 32, as the
# main job) on the blanked image + mask, composited output, conditional PatchGAN,
# GAN + 100 L1; same data, elliptic RoIs and budget as the RoI-GAN OpenMoji config.
_base_ = [
    '../_base_/models/pix2pix_unet.py',
    '../_base_/schedules/pix2pix_linear_decay.py',
    '../_base_/datasets/openmoji_roi_ellipse.py',
]
model = dict(
    type='Pix2PixInpainting',
    image_size=64,
    generator=dict(in_channels=4, image_size=64, base_channels=32),
    discriminator=dict(in_channels=7, base_channels=32),
)
default_hooks = dict(checkpoint=dict(save_best=None))
test_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='L1'),
                  dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
amp = 'auto'
fused_optimizer = True
