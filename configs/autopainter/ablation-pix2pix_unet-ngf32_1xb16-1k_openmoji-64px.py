# Auto-painter ablation, row 1: plain Pix2Pix (GAN + L1 50), no feature, no TV loss.
_base_ = ['./autopainter_unet-ngf32_1xb16-1k_openmoji-64px.py']
model = dict(perceptual_loss=None, tv_loss=None)
