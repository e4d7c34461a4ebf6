# The interactive colouriser: the 128 px hints model's recipe (unet_128, batch 1, two
# epochs = 6,616 iterations, 0-16 hint patches per image) with the generator's widths
# halved (ngf 32: a quarter of the FLOPs), so the demo can colour a sketch live while
# its user paints hints. The discriminator keeps the reference's width; it only shapes
# training. docs/benchmarks.md compares it with the full model on the same test split.
_base_ = ['./pix2pix_unet-hints_1xb1-2e_openmoji-128px.py']
model = dict(generator=dict(base_channels=32))
