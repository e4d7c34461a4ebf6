# The focused hair + skin swap with DiffAugment (Zhao et al. 2020) on every image a
# discriminator judges: a random shift by up to 1/8 of the size and a cut-out half-size
# square, for real and generated images alike. Without it the discriminators' losses fall
# to ~0.002 on the few hundred training faces (docs/results/cyclegan.md). No colour
# augmentation: D_B judges hair and skin colours against their labels.
_base_ = [
    './cyclegan-landmark-label-swap-focus-hair-skin_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(disc_augment=dict(type='DiffAugment', policy=('translation', 'cutout')))
