# RoI-GAN on the built-in task plus the Pix2Pix baseline's pixel term: L1 x 100 between
# the composite and the real image (so only the RoI counts). Not in the thesis: its
# losses alone leave the fill dark and blocky after 2,000 CPU iterations
# (docs/results/roigan.md compares both).
_base_ = ['./roigan_d16_1xb16-2k_openmoji-ellipse-64px.py']
model = dict(reconstruction_loss=dict(type='L1Loss', loss_weight=100.0))
