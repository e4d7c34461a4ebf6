"""Multi-scale discriminator of pix2pixHD / SPADE (Wang et al. 2018; Park et al.
2019, appendix A).

`num_scales` identical patch discriminators judge the input at full size, at half
size (3x3 average pooling, stride 2, padding not counted), and so on. Each returns
the output of every layer, so the generator can match the discriminator's
features on real and generated images (feature-matching loss); the last entry of
each list is the logit map.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.layers import InstanceNorm2d
from sketchgen.models.spade_layers import maybe_spectral
from sketchgen.registry import MODELS


class SpectralPatchDiscriminator(nn.Module):
    """k4, padding 2, LReLU 0.2: nf s2 (no norm), then widths doubling up to 512,
    stride 2 except the last (spectral + instance norm), then a conv to 1 logit."""

    def __init__(self, in_channels: int, base_channels: int = 64, n_layers: int = 4,
                 spectral: bool = True):
        super().__init__()
        blocks = [nn.Sequential(nn.Conv2d(in_channels, base_channels, 4, stride=2, padding=2),
                                nn.LeakyReLU(0.2))]
        channels = base_channels
        for n in range(1, n_layers):
            width = min(channels * 2, 512)
            stride = 1 if n == n_layers - 1 else 2
            blocks.append(nn.Sequential(
                maybe_spectral(nn.Conv2d(channels, width, 4, stride=stride, padding=2,
                                         bias=False), spectral),
                InstanceNorm2d(width, affine=False), nn.LeakyReLU(0.2)))
            channels = width
        blocks.append(nn.Conv2d(channels, 1, 4, stride=1, padding=2))
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x)
        return features


@MODELS.register_module()
class MultiscaleDiscriminator(nn.Module):
    """Args:
        in_channels: channels of the judged input: the map's channels plus the image's.
        base_channels: nf of every scale's discriminator (64).
        n_layers: conv layers before the logit conv (4: 64, 128, 256, 512).
        num_scales: number of discriminators (2).
        spectral: spectral norm on the normalised convs.
    Returns, for an input batch, one list per scale (full size first) of every
    layer's output, the logit map last.
    """

    def __init__(self, in_channels: int, base_channels: int = 64, n_layers: int = 4,
                 num_scales: int = 2, spectral: bool = True):
        super().__init__()
        if num_scales < 1 or n_layers < 1:
            raise ValueError(f'MultiscaleDiscriminator: num_scales={num_scales} and '
                             f'n_layers={n_layers} must be at least 1')
        self.scales = nn.ModuleList(
            SpectralPatchDiscriminator(in_channels, base_channels, n_layers, spectral)
            for _ in range(num_scales))

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        outputs = []
        for i, discriminator in enumerate(self.scales):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            outputs.append(discriminator(x))
        return outputs
