# The full model in fp16 mixed precision through accelerate (needs a CUDA GPU;
# on a CPU use --amp bf16).
_base_ = ['./cyclegan-landmark_resnet-6blocks-ngf32_1xb4-4k_emoji-faces-64px.py']
amp = 'fp16'
