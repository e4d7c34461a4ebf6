"""Small building blocks shared by the networks."""
from __future__ import annotations

from torch import nn

NORMS = ('batch', 'instance', 'none')


def norm_layer(norm: str, channels: int) -> nn.Module:
    """The normalisation named by `norm` ('batch', 'instance' or 'none')."""
    if norm == 'batch':
        return nn.BatchNorm2d(channels)
    if norm == 'instance':
        # pix2pix/CycleGAN use instance norm without affine parameters or running stats.
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if norm == 'none':
        return nn.Identity()
    raise ValueError(f'norm={norm!r} is not one of {NORMS}')
