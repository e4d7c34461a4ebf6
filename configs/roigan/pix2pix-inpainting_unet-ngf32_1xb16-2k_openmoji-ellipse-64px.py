# The Pix2Pix-style inpainting baseline of the RoI-GAN comparison: U-Net (ngf 32, as the
# main job) on the blanked image + mask, composited output, conditional PatchGAN,
# GAN + 100 L1; same data, elliptic RoIs and budget as the RoI-GAN OpenMoji config.
_base_ = [
    '../_base_/models/pix2pix_unet.py',
    '../_base_/schedules/pix2pix_linear_decay.py',
]
model = dict(
    type='Pix2PixInpainting',
    image_size=64,
    generator=dict(in_channels=4, image_size=64, base_channels=32),
    discriminator=dict(in_channels=7, base_channels=32),
)
image_size = 64
images = dict(type='OpenMojiPairedDataset', image_size=image_size)
train_pipeline = [
    dict(type='Resize', size=72),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
train_dataloader = dict(
    batch_size=16, num_workers=2,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 dataset=dict(images, split='train', pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 fixed_masks=True, mask_seed=1,
                 dataset=dict(images, split='val', pipeline=[dict(type='ToTensor')])))
test_dataloader = dict(
    batch_size=32, num_workers=0,
    dataset=dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'),
                 fixed_masks=True, mask_seed=2,
                 dataset=dict(images, split='test', pipeline=[dict(type='ToTensor')])))
default_hooks = dict(checkpoint=dict(save_best=None))
test_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='L1'),
                  dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
amp = 'auto'
fused_optimizer = True
