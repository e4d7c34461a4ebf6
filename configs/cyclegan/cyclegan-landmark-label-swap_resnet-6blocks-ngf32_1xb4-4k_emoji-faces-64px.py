# The landmark cartoon config with a label-swap loss (not in the seed): the built-in
# faces draw every B face with each hair label, so B -> A -> B with another label
# l' has a ground truth, the same face drawn with l'. lambda_swap = 10, the cycle
# loss's weight: F(b) sent back with l' must give b' as closely as with b's own label.
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
model = dict(label_swap_loss=dict(type='L1Loss', loss_weight=10.0))
train_dataloader = dict(dataset=dict(label_swaps=True))
