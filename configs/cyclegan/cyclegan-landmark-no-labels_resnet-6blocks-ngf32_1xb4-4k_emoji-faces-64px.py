# Ablation: without condition labels (G and D_B unconditional).
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(labels=None, label_classifier=None)
_data = dict(type='EmojiUnpairedDataset', image_size=64, subset='faces', with_landmarks=True)
train_dataloader = dict(dataset=dict(_data, _delete_=True, split='train'))
val_dataloader = dict(dataset=dict(_data, _delete_=True, split='val'))
test_dataloader = dict(dataset=dict(_data, _delete_=True, split='test'))
