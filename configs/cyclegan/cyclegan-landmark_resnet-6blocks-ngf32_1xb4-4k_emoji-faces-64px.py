# The landmark-guided cartoon CycleGAN (seed 003) on the built-in faces: Twemoji
# (A) -> OpenMoji (B) one-person emoji, B's hair recoloured to 5 labels, skin tone
# as a second label, derived landmarks. Every addition is one key below; the
# ablation configs next to this file switch them off one at a time.
#
# The landmark loss's regressor R ships in the package (zoo name below); to make
# your own, train configs/cyclegan/landmark-regressor_cnn-w0.5_1xb32-2k_emoji-faces-64px.py
# and give its checkpoint folder instead.
_base_ = [
    '../_base_/models/cyclegan_resnet.py',
    '../_base_/datasets/emoji_unpaired.py',
    '../_base_/schedules/cyclegan_linear_decay.py',
]
subset = 'faces'
labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'),
              skin=('yellow', 'light', 'medium-light', 'medium', 'medium-dark', 'dark'))
max_iters = 4000
model = dict(
    image_size=64,
    generator=dict(base_channels=32, num_blocks=6),
    discriminator=dict(base_channels=32),
    # 1. condition labels: one-hot, into G's input and every residual block, and D_B
    labels=labels,
    # 3. landmark consistency ||R(G(a, l)) - l_a||_2 with the frozen regressor R (2.)
    landmark_loss=dict(
        type='LandmarkLoss', loss_weight=1.0,
        regressor=dict(type='LandmarkRegressor', input_size=64, width=0.5),
        checkpoint='landmark-regressor_cnn-w0.5_emoji-faces-64px'),
    # 4. local PatchGANs on eye / nose / mouth windows (half the seed's 128 px sizes),
    #    Gaussian-weighted, lambda_local 0.3; 6. switched on after stage I (half-way)
    local_discriminators=dict(
        parts=dict(eyes=dict(size=(12, 12), weight=0.3), nose=dict(size=(12, 12), weight=0.3),
                   mouth=dict(size=(12, 16), weight=0.3)),
        discriminator=dict(type='PatchDiscriminator', in_channels=3, base_channels=32,
                           n_layers=2, norm='instance'),
        heatmap_sigma=6.0,
        start_iter=max_iters // 2),
    # 8. not in the seed: an auxiliary label classifier C on real B (AC-GAN), asking
    #    G to draw what C reads as the requested hair and skin labels
    label_classifier=dict(type='LabelClassifier', base_channels=32, num_layers=4),
    label_loss_weight=1.0,
)
# Where a face's 5 landmarks sit in domain A (the mean derived Twemoji layout, as
# fractions of the image size): a user's photo is warped onto it before G
# (`sketchgen cartoonise --photo`), and the aligned ablation warps B onto it.
face_template = [[0.400, 0.461], [0.628, 0.461], [0.514, 0.529], [0.467, 0.584],
                 [0.561, 0.584]]
_data = dict(type='EmojiUnpairedDataset', image_size=64, subset=subset, labels=labels,
             with_labels=True, with_landmarks=True)
train_dataloader = dict(dataset=dict(_data, split='train'))
val_dataloader = dict(dataset=dict(_data, split='val'))
test_dataloader = dict(dataset=dict(_data, split='test'))
train_cfg = dict(max_iters=max_iters, val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000))
# 7. mixed precision through accelerate: amp = 'fp16' on a GPU (or --amp fp16).
amp = 'no'
