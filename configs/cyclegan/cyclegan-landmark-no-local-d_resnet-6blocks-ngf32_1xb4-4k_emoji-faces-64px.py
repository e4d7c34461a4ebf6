# Ablation: without the eye / nose / mouth discriminators.
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(local_discriminators=None)
