# The hints model with hints sampled as users give them and weighted in the loss
# (after Zhang et al. 2017): a geometric number of hints per image (mean 7, at most
# 16; p = 1/8 as theirs), each a stroke of up to 8 px inside one colour region, and
# an L1 term at the hinted pixels. Everything else as the hints config.
_base_ = ['./pix2pix_unet-ngf32-hints_1xb16-2k_openmoji-64px.py']
model = dict(
    hints=dict(max_hints=16, max_size=3, count='geometric', geometric_p=0.125,
               stroke_length=8),
    hint_loss_weight=10.0,
)
