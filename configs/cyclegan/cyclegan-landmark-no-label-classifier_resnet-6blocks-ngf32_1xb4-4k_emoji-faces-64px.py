# Ablation: without the auxiliary label classifier (the seed's conditioning only:
# labels into G and D_B).
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(label_classifier=None)
