"""PatchGAN discriminator of pix2pix (Isola et al. 2017, section 3.2.2).

Each output logit judges one overlapping patch of the input; with n_layers=3
the patches are 70x70 pixels (`receptive_field` computes it for any depth).
"""
from __future__ import annotations

import torch
from torch import nn

from sketchgen.models.layers import norm_layer
from sketchgen.registry import MODELS


@MODELS.register_module()
class PatchDiscriminator(nn.Module):
    """C64-C128-C256-C512-C1 for n_layers=3 (k4, p1, LeakyReLU 0.2; the last two stride 1).

    Args:
        in_channels: channels of the judged input; 6 for pix2pix (condition + image).
        base_channels: channels of the first layer (ndf).
        n_layers: stride-2 layers after the first; 0 gives the 1x1 PixelGAN.
        norm: 'batch', 'instance' or 'none' (a WGAN-GP critic must not use 'batch').
    """

    def __init__(self, in_channels: int = 6, base_channels: int = 64, n_layers: int = 3,
                 norm: str = 'batch'):
        super().__init__()
        self.n_layers = n_layers
        bias = norm != 'batch'
        ndf = base_channels
        if n_layers == 0:
            layers = [nn.Conv2d(in_channels, ndf, 1), nn.LeakyReLU(0.2, True),
                      nn.Conv2d(ndf, ndf * 2, 1, bias=bias), norm_layer(norm, ndf * 2),
                      nn.LeakyReLU(0.2, True), nn.Conv2d(ndf * 2, 1, 1)]
            self.model = nn.Sequential(*layers)
            return
        layers = [nn.Conv2d(in_channels, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers + 1):
            prev, mult = mult, min(2 ** n, 8)
            stride = 2 if n < n_layers else 1
            layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride=stride, padding=1, bias=bias),
                       norm_layer(norm, ndf * mult), nn.LeakyReLU(0.2, True)]
        layers.append(nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1))
        self.model = nn.Sequential(*layers)

    @property
    def receptive_field(self) -> int:
        """Input pixels seen by one output logit (70 for n_layers=3)."""
        rf = 1
        for layer in reversed(self.model):
            if isinstance(layer, nn.Conv2d):
                rf = (rf - 1) * layer.stride[0] + layer.kernel_size[0]
        return rf

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)
