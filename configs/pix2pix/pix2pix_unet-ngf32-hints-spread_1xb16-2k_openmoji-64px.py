# The strokes hints model (geometric counts, strokes inside one colour, an L1 term at
# the hinted pixels) with each hint carried over its sketch region before the
# generator sees it: the connected paper between the lines, the lines dilated by 1 px
# to close small gaps (sketchgen.models.hints.spread_hints). A dot on a shirt then
# reaches the generator as a shirt-shaped patch of colour, marked 0.5 in the mask
# channel where it was spread, 1 where it was painted.
_base_ = ['./pix2pix_unet-ngf32-hints-strokes_1xb16-2k_openmoji-64px.py']
model = dict(
    hints=dict(max_hints=16, max_size=3, count='geometric', geometric_p=0.125,
               stroke_length=8, spread=dict(close=1)),
)
