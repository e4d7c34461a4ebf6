# The focused label swap over both labels: b' is the same face drawn with another hair
# colour, another skin tone, or both (any other variant of the drawing), so the swap
# loss supervises the skin label as well as the hair. With the hair-only swap the skin
# labels were left to the label classifier, and every skin label came out "dark"
# (docs/results/cyclegan.md).
_base_ = ['./cyclegan-landmark-label-swap-focus_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
train_dataloader = dict(dataset=dict(label_swaps=['hair', 'skin']))
