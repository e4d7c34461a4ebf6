# The ngf 16 interactive colouriser with hints as users give them and spread over
# their sketch regions (as pix2pix_unet-ngf32-hints-spread_1xb16-2k_openmoji-64px.py):
# a geometric number of strokes (mean 7, at most 16) of up to 16 px (8 at 64 px) inside
# one colour, an L1 term at the hinted pixels, and each hint carried over the paper
# between the lines it falls in. Everything else as the ngf 16 hints config.
_base_ = ['./pix2pix_unet-ngf16-hints_1xb1-2e_openmoji-128px.py']
model = dict(
    hints=dict(max_hints=16, max_size=3, count='geometric', geometric_p=0.125,
               stroke_length=16, spread=dict(close=1)),
    hint_loss_weight=10.0,
)
