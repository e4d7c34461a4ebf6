# CycleGAN at the reference settings (Zhu et al. 2017): ResNet generators with 9
# blocks (reflect padding, instance norm), unconditional 70x70 PatchGANs, lsgan,
# cycle L1 x 10, identity L1 x 5 (0.5 x 10), a 50-image pool, N(0, 0.02) init.
model = dict(
    type='CycleGAN',
    image_size=256,
    generator=dict(type='ResnetGenerator', in_channels=3, out_channels=3, base_channels=64,
                   num_blocks=9, norm='instance', padding='reflect'),
    discriminator=dict(type='PatchDiscriminator', in_channels=3, base_channels=64, n_layers=3,
                       norm='instance'),
    gan_loss=dict(type='GANLoss', gan_type='lsgan'),
    cycle_loss=dict(type='L1Loss', loss_weight=10.0),
    identity_loss=dict(type='L1Loss', loss_weight=5.0),
    pool_size=50,
    disc_loss_weight=0.5,
    init_type='normal',
    init_gain=0.02,
)
# NHWC networks and batches: measured faster for every CycleGAN config on a 2-core
# Xeon with AMX, most with bf16 at 256 px (3.5x fp32 eager against 2.6x in NCHW;
# docs/benchmarks.md, "Instance norm and channels_last"). `--cfg-options
# channels_last=False` turns it off.
channels_last = True
# fp32 on CPU: the residual convolutions as Winograd F(4x4, 3x3), a quarter of the
# multiplies: resnet_9blocks at 256 px trains 1.42x faster than fp32 channels_last alone
# (1.06x at 64 px, ngf 32), at the same test FID-EffLite0 within seed noise
# (docs/benchmarks.md, "Winograd convolutions"). No effect under bf16/fp16 or on GPUs.
winograd_convs = True
