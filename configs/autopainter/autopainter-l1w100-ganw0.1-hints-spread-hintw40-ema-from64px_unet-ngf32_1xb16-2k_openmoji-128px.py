# The 64 px hints model (autopainter-l1w100-ganw0.1-hints-spread-hintw40-ema_unet-ngf32_
# 1xb16-18k_openmoji-64px.py) carried to 128 px: its weights initialise the same networks
# (U-Net and PatchGAN are fully convolutional), then 2,000 iterations at 128 px fine-tune
# them. A 128 px step costs about four 64 px steps, so most of the learning happens at
# the cheap size ("progressive resizing"). The U-Net keeps its six levels (2x2 innermost
# at 128 px); hint strokes and the TV weight take their 128 px values (16 px strokes,
# TV x 49.2 as the 128 px colourisers); the learning rate starts at half the 64 px one.
_base_ = ['./autopainter-l1w100-ganw0.1-hints-spread-hintw40-ema_unet-ngf32_1xb16-18k_'
          'openmoji-64px.py']
load_from = ('sketchgen::autopainter/autopainter-l1w100-ganw0.1-hints-spread-hintw40-ema_'
             'unet-ngf32_1xb16-18k_openmoji-64px.py')
image_size = 128
model = dict(
    image_size=image_size,
    generator=dict(image_size=image_size, num_downs=6),
    hints=dict(stroke_length=16),
    tv_loss=dict(loss_weight=49.2),
)
train_pipeline = [
    dict(type='Resize', size=144),
    dict(type='RandomCrop', size=image_size),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
train_dataloader = dict(dataset=dict(image_size=image_size, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(image_size=image_size))
test_dataloader = dict(dataset=dict(image_size=image_size))
max_iters = 2000
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-4)),
    discriminator=dict(optimizer=dict(lr=1e-4)),
)
train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(checkpoint=dict(interval=500, max_keep=4))
