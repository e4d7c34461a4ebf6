"""Spatially-adaptive denormalisation (SPADE, Park et al. 2019, section 3) and the
residual block built from it.

    SPADE(x, m) = norm(x) · (1 + γ(m)) + β(m)

`norm` is a parameter-free batch or instance norm; the conditioning map m (a
one-hot label map, a sketch, a RoI mask) is resized to x by nearest neighbour,
embedded by a shared conv + ReLU, and two convs give the per-pixel, per-channel
γ and β. RoI-GAN's denormalisation is SPADE whose embedding is also modulated by a
latent vector: it subclasses `SPADENorm` and overrides `embed`.

The layer is `SPADENorm` in the registry: the name `SPADE` is the algorithm's.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from sketchgen.models.layers import InstanceNorm2d
from sketchgen.registry import MODELS

PARAMETER_FREE_NORMS = ('batch', 'instance')


def parameter_free_norm(norm: str, channels: int) -> nn.Module:
    """Batch or instance norm without affine parameters: SPADE supplies γ and β."""
    if norm == 'batch':
        return nn.BatchNorm2d(channels, affine=False)
    if norm == 'instance':
        return InstanceNorm2d(channels, affine=False)
    raise ValueError(f'SPADE: norm={norm!r} is not one of {PARAMETER_FREE_NORMS}')


def maybe_spectral(conv: nn.Module, spectral: bool) -> nn.Module:
    return spectral_norm(conv) if spectral else conv


@MODELS.register_module()
class SPADENorm(nn.Module):
    """Args:
        channels: channels of the normalised features x.
        map_channels: channels of the conditioning map (label classes, 1 or 3 for a sketch).
        hidden_channels: width of the shared embedding (128 in the paper).
        norm: 'batch' (the paper's synchronised batch norm) or 'instance'.
        kernel_size: of the three convs (3 in the paper).
    """

    def __init__(self, channels: int, map_channels: int, hidden_channels: int = 128,
                 norm: str = 'batch', kernel_size: int = 3):
        super().__init__()
        self.norm = parameter_free_norm(norm, channels)
        padding = kernel_size // 2
        self.shared = nn.Sequential(
            nn.Conv2d(map_channels, hidden_channels, kernel_size, padding=padding), nn.ReLU())
        self.gamma = nn.Conv2d(hidden_channels, channels, kernel_size, padding=padding)
        self.beta = nn.Conv2d(hidden_channels, channels, kernel_size, padding=padding)

    def embed(self, condition_map: torch.Tensor) -> torch.Tensor:
        """The map's features from which γ and β are read (RoI-GAN adds its latent here)."""
        return self.shared(condition_map)

    def forward(self, x: torch.Tensor, condition_map: torch.Tensor, *embed_args) -> torch.Tensor:
        condition_map = F.interpolate(condition_map, size=x.shape[-2:], mode='nearest')
        features = self.embed(condition_map, *embed_args)
        return self.norm(x) * (1 + self.gamma(features)) + self.beta(features)


@MODELS.register_module()
class SPADEResBlock(nn.Module):
    """SPADE → LReLU 0.2 → conv3 → SPADE → LReLU → conv3, plus the shortcut (SPADE →
    conv1x1 without bias when the width changes, identity otherwise). The middle
    width is min(fin, fout); spectral norm on the three convs, as the paper's code.
    """

    def __init__(self, in_channels: int, out_channels: int, map_channels: int,
                 hidden_channels: int = 128, norm: str = 'batch', spectral: bool = True):
        super().__init__()
        mid_channels = min(in_channels, out_channels)
        self.learned_shortcut = in_channels != out_channels
        spade = dict(map_channels=map_channels, hidden_channels=hidden_channels, norm=norm)
        self.norm_0 = SPADENorm(in_channels, **spade)
        self.conv_0 = maybe_spectral(nn.Conv2d(in_channels, mid_channels, 3, padding=1), spectral)
        self.norm_1 = SPADENorm(mid_channels, **spade)
        self.conv_1 = maybe_spectral(nn.Conv2d(mid_channels, out_channels, 3, padding=1),
                                     spectral)
        if self.learned_shortcut:
            self.norm_s = SPADENorm(in_channels, **spade)
            self.conv_s = maybe_spectral(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                         spectral)

    def forward(self, x: torch.Tensor, condition_map: torch.Tensor) -> torch.Tensor:
        shortcut = (self.conv_s(self.norm_s(x, condition_map)) if self.learned_shortcut
                    else x)
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, condition_map), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, condition_map), 0.2))
        return shortcut + dx
