# The built-in inpainting task at 128 px: OpenMoji colour emoji with elliptic RoIs,
# RoI-GAN with the reconstruction term (see the 64 px config), batch 8.
_base_ = ['./roigan-l1_d16_1xb16-2k_openmoji-ellipse-64px.py']
image_size = 128
images = dict(type='OpenMojiPairedDataset', image_size=image_size)
model = dict(image_size=image_size, generator=dict(image_size=image_size),
             discriminator=dict(image_size=image_size))
train_pipeline = [
    dict(type='Resize', size=144),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
train_dataloader = dict(batch_size=8,
                        dataset=dict(dataset=dict(images, split='train', pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(dataset=dict(images, split='val')))
test_dataloader = dict(dataset=dict(dataset=dict(images, split='test')))
