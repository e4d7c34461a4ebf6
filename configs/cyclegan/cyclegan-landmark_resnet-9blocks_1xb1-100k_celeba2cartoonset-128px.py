# Landmark-guided cartoon CycleGAN for photos -> cartoons on CelebA and CartoonSet that
# you bring (layout: configs/_base_/datasets/celeba2cartoonset.py). The landmark loss's
# regressor is named by the config that trains it on the same folders: train that one
# first, from the folder you train this one in (the loss then finds its newest
# checkpoint there, and says how to train it when there is none).
_base_ = ['../_base_/models/cyclegan_resnet.py', '../_base_/schedules/cyclegan_linear_decay.py',
          '../_base_/datasets/celeba2cartoonset.py']
labels = dict(hair=('black', 'grey', 'brown', 'blonde'))  # the seed's four hair colours
max_iters = 100_000
model = dict(
    image_size=128,
    generator=dict(num_blocks=9),
    labels=labels,
    landmark_loss=dict(type='LandmarkLoss', loss_weight=1.0,
                       regressor=dict(type='LandmarkRegressor', input_size=128),
                       checkpoint='sketchgen::cyclegan/landmark-regressor_cnn_1xb32-20k_'
                                  'celeba2cartoonset-128px.py'),
    # the seed's 128 px window sizes and its local discriminator (3-32-64-128-256)
    local_discriminators=dict(
        parts=dict(eyes=dict(size=(32, 32), weight=0.3), nose=dict(size=(28, 24), weight=0.3),
                   mouth=dict(size=(24, 40), weight=0.3)),
        discriminator=dict(type='PatchDiscriminator', in_channels=3, base_channels=32,
                           n_layers=3, norm='instance'),
        heatmap_sigma=12.0,
        start_iter=max_iters // 2),
)
_annotations = dict(
    labels=labels,
    landmark_files=dict(A='list_landmarks_align_celeba.txt', B='cartoon_landmarks.json'),
    label_files=dict(A='list_attr_celeba.txt', B='cartoon_labels.csv'),
    # CelebA's binary columns; faces with none or several of them are skipped
    label_columns=dict(hair=dict(black='Black_Hair', grey='Gray_Hair', brown='Brown_Hair',
                                 blonde='Blond_Hair')),
    require_annotations=True)
train_dataloader = dict(dataset=_annotations)
val_dataloader = dict(dataset=_annotations)
test_dataloader = dict(dataset=_annotations)
train_cfg = dict(max_iters=max_iters, val_interval=10_000)
default_hooks = dict(checkpoint=dict(interval=10_000))
amp = 'fp16'  # the seed trained in mixed precision (apex); needs a CUDA GPU
