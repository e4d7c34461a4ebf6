# Reference-guided sketch colouring with SPADE: the OpenMoji line art is the
# conditioning map (3 channels), and the VAE style encoder reads a colour image,
# the target while training, any *reference* at test time ("colour this sketch like
# that one"); without a reference z is sampled (tools/infer.py --num-samples).
# Same data, split and budget as the Pix2Pix main job; CPU widths as the semantic
# 64 px config, encoder nf 16, z 256, KL x 0.05.
_base_ = [
    '../_base_/models/spade.py',
    '../_base_/datasets/openmoji_paired.py',
    '../_base_/schedules/spade_ttur.py',
]
model = dict(
    image_size=64,
    generator=dict(map_channels=3, image_size=64, base_channels=16, hidden_channels=64,
                   z_dim=256),
    encoder=dict(type='SPADEStyleEncoder', in_channels=3, image_size=64, base_channels=16,
                 z_dim=256),
    kl_loss=dict(type='KLDivergenceLoss', loss_weight=0.05),
    discriminator=dict(in_channels=6, base_channels=32),
    perceptual_loss=dict(network='efficientnet_lite0',
                         layers=dict(_delete_=True, stage0=0.03125, stage1=0.0625,
                                     stage2=0.125, stage3=0.25, stage4=1.0)),
    # validation/test z: sampled, never read from the target (eval_latent='target'
    # measures how a reference carries instead)
    eval_latent='sample',
)
amp = 'auto'
fused_optimizer = True
