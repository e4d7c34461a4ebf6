# SPADE's schedule: the pix2pix schedule (2,000 iterations, constant then linear decay
# over the second half, hooks, evaluators) with TTUR: G 1e-4, D 4e-4, Adam betas
# (0, 0.9) as the paper's code (the paper's text says 0.999).
_base_ = ['./pix2pix_linear_decay.py']
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-4, betas=(0.0, 0.9))),
    discriminator=dict(optimizer=dict(lr=4e-4, betas=(0.0, 0.9))),
)
# Offline; with the Inception weights add dict(type='FID'), dict(type='KID'), with
# torchvision's AlexNet weights dict(type='LPIPS').
test_evaluator = [dict(type='PSNR'), dict(type='SSIM'), dict(type='L1'),
                  dict(type='FID-EffLite0'), dict(type='KID-EffLite0')]
