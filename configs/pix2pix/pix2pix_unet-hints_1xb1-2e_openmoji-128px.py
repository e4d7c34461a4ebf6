# The 128 px reference-budget Pix2Pix with colour hints: 4 extra generator input
# channels (RGB and a mask), 0 to 16 hint patches of 1-3 px per image sampled from
# the target in training, painted by the user at inference.
_base_ = ['./pix2pix_unet_1xb1-2e_openmoji-128px.py']
model = dict(
    generator=dict(in_channels=7),
    hints=dict(max_hints=16, max_size=3),
)
