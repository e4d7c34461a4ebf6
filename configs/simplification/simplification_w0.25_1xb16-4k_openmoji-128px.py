# The library's default simplification model (shipped in the package, used by
# tools/simplify.py): the paper's network at a quarter of its widths (2.8M
# parameters), 4000 ADADELTA steps of 16 rough/clean 64-px patches made from
# OpenMoji line art; about 20 minutes on a 2-core CPU.
_base_ = [
    '../_base_/models/sketch_simplification.py',
    '../_base_/datasets/openmoji_rough_clean.py',
    '../_base_/schedules/simplification_adadelta.py',
]
model = dict(generator=dict(width=0.25))
