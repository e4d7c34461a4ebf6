# The 64 px hints model with the colouring losses, trained three times as long (6k
# iterations, about 50 min on 2 CPU cores): the 2k schedule's hint error and PSNR were
# still falling between its 1k and 2k checkpoints (docs/autopainter.md).
_base_ = ['./autopainter-l1w100-ganw0.1-hints-spread-hintw40_unet-ngf32_1xb16-2k_openmoji-64px.py']
max_iters = 6000
train_cfg = dict(max_iters=max_iters)
