# The seed's alternative: warp each OpenMoji (B) face so its landmarks land on the
# mean Twemoji (A) layout (least-squares affine from the 5 points), then a global
# conditional D suffices: no local discriminators. Template: the base config's
# face_template, the mean derived Twemoji layout.
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(local_discriminators=None)
template = {{_base_.face_template}}
train_pipeline = [
    dict(type='AlignLandmarks', template=template, keys=('target',)),
    dict(type='Resize', size=72),
    dict(type='RandomCrop', size=64),
    dict(type='RandomFlip', p=0.5),
    dict(type='ToTensor'),
]
test_pipeline = [dict(type='AlignLandmarks', template=template, keys=('target',)),
                 dict(type='ToTensor')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
