# Auto-painter ablation, row 2: Pix2Pix + TV loss (no feature loss).
_base_ = ['./autopainter_unet-ngf32_1xb16-1k_openmoji-64px.py']
model = dict(perceptual_loss=None)
