# The focused hair + skin swap model with the hair label taught on the input face itself.
# The swap loss teaches the labels on F(b) only, and the label classifier C, which reads
# the whole image, made G answer a hair label with colour blobs anywhere
# (docs/results/cyclegan.md). Here C is off and a region colour loss pulls the pixels
# inside a's own hair (the Twemoji hair mask, `masksA`) to the requested label's colour,
# so a label recolours the hair of the face it is given. The residual output and
# resize-convolutions are those of the cleanest model without C on that page.
_base_ = [
    './cyclegan-landmark-label-swap-focus-hair-skin_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
# OpenMoji's hair colours, as the B faces are drawn (sketchgen.data.emoji.HAIR_COLOURS)
hair_colours = dict(black='#1A1A1A', brown='#6A462F', blonde='#F4AA41', red='#D22F27',
                    grey='#B9B9B8')
model = dict(
    generator=dict(output='residual', upsample='resize'),
    label_classifier=None,
    label_colour_loss=dict(type='RegionColourLoss', loss_weight=10.0),
    label_colours=dict(hair=hair_colours))
train_dataloader = dict(dataset=dict(with_hair_masks=True))
