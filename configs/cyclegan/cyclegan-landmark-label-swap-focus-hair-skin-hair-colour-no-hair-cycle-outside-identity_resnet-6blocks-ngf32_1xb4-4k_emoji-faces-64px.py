# The no-hair-cycle model with G(a, l) held to a outside a's hair (the identity loss on A,
# kept to where the label asks for no change), at the cycle loss's weight. The model
# barely changes the faces' style, yet its changes outside the hair cost most of the FID
# gap to the input itself: the input with G's hair pasted in scores 143.3, G 171.4
# (seed 0, docs/results/cyclegan.md). Hats that took the hair colour and fringes at the
# hair's edge are among those changes.
_base_ = [
    './cyclegan-landmark-label-swap-focus-hair-skin-hair-colour-no-hair-cycle_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(outside_identity_loss=dict(type='RegionL1Loss', loss_weight=10.0))
