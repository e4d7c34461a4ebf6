# Emoji style transfer, Twemoji (A) <-> OpenMoji (B), on the built-in data: every
# emoji both sets draw (flags dropped), 64 px. CPU-sized: 6 residual blocks,
# ngf = ndf = 32, 2k iterations of batch 4.
_base_ = [
    '../_base_/models/cyclegan_resnet.py',
    '../_base_/datasets/emoji_unpaired.py',
    '../_base_/schedules/cyclegan_linear_decay.py',
]
model = dict(
    image_size=64,
    generator=dict(base_channels=32, num_blocks=6),
    discriminator=dict(base_channels=32),
)
