# The label-swap config with the swap loss focused on the pixels the label changes:
# the L1 to b' over the image (as before) plus 10 x the mean L1 over the pixels where
# b' differs from b (the hair). The hair is a small share of the face, so a
# whole-image mean gave its colour little weight; the 2,000-iteration label-swap run
# drew dark hair for every label (docs/results/cyclegan.md).
_base_ = ['./cyclegan-landmark-label-swap_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(label_swap_loss=dict(_delete_=True, type='ChangedRegionL1Loss', loss_weight=10.0,
                                  changed_weight=10.0))
