# The main job with colour hints: the generator also takes 4 hint channels (RGB and a
# mask), sampled from the target in training (0 to 16 patches of 1-3 px per image,
# mostly on coloured pixels), painted by the user at inference
# (tools/infer.py --hints hints.png). tools/hints_study.py measures what they do.
_base_ = ['./pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py']
model = dict(
    generator=dict(in_channels=7),
    hints=dict(max_hints=16, max_size=3),
)
# Its published numbers were measured in fp32; the fast path of the main job is
# measured there only (docs/benchmarks.md).
amp = 'no'
fused_optimizer = False
