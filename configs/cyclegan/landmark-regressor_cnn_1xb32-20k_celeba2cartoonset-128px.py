# The landmark regressor R that the photo -> cartoon config
# (cyclegan-landmark_resnet-9blocks_1xb1-100k_celeba2cartoonset-128px.py) names for its
# landmark loss: seed 003's small CNN at full width, trained on CelebA's aligned faces
# and their 5-point landmarks (CartoonSet has none; add B='cartoon_landmarks.json' to
# landmark_files when you have them). Same data as that config; train
# it first, from the folder you will train the cartoon model in:
#   python tools/train.py \
#       configs/cyclegan/landmark-regressor_cnn_1xb32-20k_celeba2cartoonset-128px.py
_base_ = ['../_base_/schedules/cyclegan_linear_decay.py', '../_base_/datasets/celeba2cartoonset.py']
model = dict(type='LandmarkRegression', image_size=128,
             regressor=dict(type='LandmarkRegressor', input_size=128))
_landmarks = dict(landmark_files=dict(A='list_landmarks_align_celeba.txt'),
                  require_annotations=True)
train_dataloader = dict(batch_size=32, dataset=_landmarks)
val_dataloader = None
test_dataloader = dict(batch_size=64, dataset=_landmarks)
optim_wrapper = dict(_delete_=True, regressor=dict(optimizer=dict(type='Adam', lr=1e-3)))
max_iters = 20_000
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(visualization=None, evaluation=None,
                     checkpoint=dict(interval=5000, max_keep=1))
