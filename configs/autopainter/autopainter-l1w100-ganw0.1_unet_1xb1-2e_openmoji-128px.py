# The recommended colouriser at 128 px: Auto-painter's feature and TV losses with the
# pixel term at Pix2Pix's weight (L1 x 100) and the adversarial term at a tenth (GAN x 0.1).
# At the reference budget (unet_128, batch 1, two epochs) it beats plain Pix2Pix by
# 0.8 dB PSNR and 43% FID-EffLite0 over two seeds each; the four-variant search that
# chose it is in docs/autopainter.md ("Choosing the colouriser").
_base_ = ['./autopainter_unet_1xb1-2e_openmoji-128px.py']
model = dict(
    pixel_loss=dict(loss_weight=100.0),
    gan_loss=dict(loss_weight=0.1),
)
