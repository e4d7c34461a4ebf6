# The landmark regressor R of the landmark-guided CycleGAN (seed 003's small CNN,
# channel widths halved for the CPU), trained on both emoji styles with their
# derived 5-point landmarks (see sketchgen/data/emoji.py). Its checkpoint feeds the
# landmark loss of cyclegan-landmark_*. Jitter (crop, flip) moves the landmarks too.
_base_ = ['../_base_/datasets/emoji_unpaired.py', '../_base_/schedules/cyclegan_linear_decay.py']
subset = 'faces'
model = dict(type='LandmarkRegression', image_size=64,
             regressor=dict(type='LandmarkRegressor', input_size=64, width=0.5))
_data = dict(type='EmojiUnpairedDataset', image_size=64, subset=subset, with_landmarks=True)
train_dataloader = dict(batch_size=32, dataset=dict(_data, split='train'))
val_dataloader = None
test_dataloader = dict(batch_size=64, dataset=dict(_data, split='test'))
optim_wrapper = dict(_delete_=True, regressor=dict(optimizer=dict(type='Adam', lr=1e-3)))
max_iters = 2000
train_cfg = dict(max_iters=max_iters)
default_hooks = dict(visualization=None, evaluation=None,
                     checkpoint=dict(interval=1000, max_keep=1))
