# The hair-colour model without a's hair in the cycle loss, with the white-haired faces
# drawn four times as often. White hair (Twemoji's #E1E8ED, the older person's #D2D4D4)
# is nearly the background's white, and the 16 white-haired training faces (of 560) were
# never recoloured: every label read grey there while it tinted their skin instead
# (docs/results/cyclegan.md). Here they are 64 of 608 draws per epoch. One seed: the
# white-haired test faces take the label 0.64 of the time (0.20 without), hair on real
# A 0.842 over all faces.
_base_ = [
    './cyclegan-landmark-label-swap-focus-hair-skin-hair-colour-no-hair-cycle_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
# the white-haired woman, man and person (ZWJ 1F9B3), and the older person (1F9D3)
train_dataloader = dict(dataset=dict(repeat_sources={'*-1F9B3': 4, '1F9D3*': 4}))
