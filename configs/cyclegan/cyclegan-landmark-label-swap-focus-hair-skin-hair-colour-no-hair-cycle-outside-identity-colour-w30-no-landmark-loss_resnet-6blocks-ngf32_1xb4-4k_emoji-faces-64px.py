# Ablation: the recommended cartoon config without the landmark consistency loss (the
# local discriminators still crop at the landmarks). Issue 17 asks whether the loss
# improves the independent detector's landmark error over seeds.
_base_ = [
    './cyclegan-landmark-label-swap-focus-hair-skin-hair-colour-no-hair-cycle-outside-identity-colour-w30_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(landmark_loss=None)
