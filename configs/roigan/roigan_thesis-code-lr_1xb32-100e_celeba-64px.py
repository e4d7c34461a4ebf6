# The CelebA config with the learning rates of the thesis' code (G 1e-4, D 3e-4)
# instead of its text's (G 3e-4, D 1e-4).
_base_ = ['./roigan_1xb32-100e_celeba-64px.py']
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-4)),
    discriminator=dict(optimizer=dict(lr=3e-4)),
)
