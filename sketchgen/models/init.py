"""Weight initialisation shared by the GAN networks."""
from __future__ import annotations

from torch import nn
from torch.nn.utils import parametrize

INIT_TYPES = ('normal', 'xavier', 'kaiming', 'orthogonal')


def init_weights(net: nn.Module, init_type: str = 'normal', gain: float = 0.02) -> nn.Module:
    """pix2pix/CycleGAN initialisation: conv and linear weights N(0, gain) for 'normal',
    norm weights N(1, gain), biases 0."""
    if init_type not in INIT_TYPES:
        raise ValueError(f'init_type={init_type!r} is not one of {INIT_TYPES}')

    def init_one(m: nn.Module) -> None:
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            # A spectrally normalised layer computes `weight`: initialise what it
            # is computed from.
            weight = (m.parametrizations.weight.original
                      if parametrize.is_parametrized(m, 'weight') else m.weight)
            if init_type == 'normal':
                nn.init.normal_(weight, 0.0, gain)
            elif init_type == 'xavier':
                nn.init.xavier_normal_(weight, gain=gain)
            elif init_type == 'kaiming':
                nn.init.kaiming_normal_(weight, a=0, mode='fan_in')
            else:
                nn.init.orthogonal_(weight, gain=gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d)) and m.weight is not None:
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.zeros_(m.bias)

    net.apply(init_one)
    return net


def set_requires_grad(net: nn.Module, flag: bool) -> None:
    """Switch a network's parameters in or out of autograd (a frozen D during G's
    update, a frozen regressor inside a loss)."""
    for p in net.parameters():
        p.requires_grad_(flag)
