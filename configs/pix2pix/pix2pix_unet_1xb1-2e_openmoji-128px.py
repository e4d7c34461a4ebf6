# Pix2Pix at 128 px on OpenMoji at the reference's budget for a small data set:
# unet_128 (7 levels, reference widths), batch 1, two epochs of the 3,308 training
# pairs (6,616 iterations; lr constant, then linear decay over the second epoch).
# CPU-sized: about 35 min on 2 cores with the main job's fast path (model_zoo.md).
_base_ = ['./pix2pix_unet_1xb4-20k_openmoji-128px.py']
max_iters = 6616
train_dataloader = dict(batch_size=1)
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters), visualization=dict(interval=1654))
# The main job's fast path (docs/benchmarks.md): bf16 autocast where the CPU or GPU
# computes it natively (else fp32) and fused Adam; at batch 1 the four innermost levels
# (up to 8x8) as matrix multiplies, the same function: 0.189 against 0.292 s/iter in
# bf16 on a 2-core Xeon with AMX.
amp = 'auto'
fused_optimizer = True
small_convs_as_matmul = True
