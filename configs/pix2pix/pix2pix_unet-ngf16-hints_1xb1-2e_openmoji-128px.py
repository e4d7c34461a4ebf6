# The smallest interactive colouriser: the 128 px hints model's recipe with a quarter
# of the generator's widths (ngf 16: 2.6 M parameters, 5 MB in fp16, a sixteenth of
# the FLOPs). docs/benchmarks.md compares it with ngf 32 and the full model.
_base_ = ['./pix2pix_unet-ngf32-hints_1xb1-2e_openmoji-128px.py']
model = dict(generator=dict(base_channels=16))
