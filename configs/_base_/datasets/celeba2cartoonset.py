# CelebA aligned faces (A) and CartoonSet cartoons (B) at 128 px, for users who bring
# the data sets (nothing here downloads them). Layout under data_root:
#   trainA/, testA/    CelebA aligned faces (img_align_celeba, split as you like)
#   trainB/, testB/    CartoonSet PNGs
#   list_attr_celeba.txt            CelebA's attribute list (hair labels of A)
#   list_landmarks_align_celeba.txt CelebA's 5-point landmarks (pixels of the aligned images)
#   cartoon_labels.csv              name,hair  (CartoonSet's hair colour mapped to the
#                                   cartoon config's label names; CartoonSet ships a CSV
#                                   per image)
#   cartoon_landmarks.json          {name: [[x, y] * 5]} for the cartoons (CartoonSet has no
#                                   landmarks: run a trained LandmarkRegressor, or annotate)
# Landmarks scale with the Resize below. The configs built on this one add the
# annotation files they read to each data set.
data_root = 'data/celeba2cartoonset'
train_pipeline = [dict(type='Resize', size=(144, 144)), dict(type='RandomCrop', size=128),
                  dict(type='RandomFlip', p=0.5), dict(type='ToTensor')]
test_pipeline = [dict(type='Resize', size=(128, 128)), dict(type='ToTensor')]
train_dataloader = dict(
    batch_size=1, num_workers=4,
    dataset=dict(type='UnpairedImageDataset', split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(type='UnpairedImageDataset', split='test', pipeline=test_pipeline))
test_dataloader = val_dataloader
