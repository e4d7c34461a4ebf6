# The ngf 32 interactive colouriser with hints as users give them and spread over their
# sketch regions: the recipe of pix2pix_unet-ngf16-hints-spread_1xb1-2e_openmoji-128px.py
# (strokes, an L1 term at the hinted pixels, spreading) on the ngf 32 generator, the
# narrowest that stays within 0.5 dB of the full model without hints.
_base_ = ['./pix2pix_unet-ngf32-hints_1xb1-2e_openmoji-128px.py']
model = dict(
    hints=dict(max_hints=16, max_size=3, count='geometric', geometric_p=0.125,
               stroke_length=16, spread=dict(close=1)),
    hint_loss_weight=10.0,
)
