# The hair-colour model with the label kept to the hair. With the colour loss alone a
# hair label also recoloured what lies outside the hair mask (the skin of white-haired
# faces, hats over hair; 38 % of its changes fell outside the hair, docs/results/cyclegan.md).
# Here G(a, l) must also equal G(a, l') outside a's hair for another hair label l', so a
# label should change the hair and nothing else. One seed: more of its changes stay in the
# hair (0.666 against 0.621), but faces without a hair mask still change (docs/results/cyclegan.md).
_base_ = [
    './cyclegan-landmark-label-swap-focus-hair-skin-hair-colour_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(label_outside_loss=dict(type='RegionL1Loss', loss_weight=5.0))
