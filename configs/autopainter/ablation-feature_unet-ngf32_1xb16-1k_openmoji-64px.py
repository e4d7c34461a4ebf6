# Auto-painter ablation, row 3: Pix2Pix + feature loss (no TV loss).
_base_ = ['./autopainter_unet-ngf32_1xb16-1k_openmoji-64px.py']
model = dict(tv_loss=None)
