# Ablation: the landmark-guided CycleGAN without the landmark consistency loss.
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(landmark_loss=None)
