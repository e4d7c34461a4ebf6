"""RoI-GAN discriminator (thesis section 3.6, figure 3.6) and its InfoGAN Q head.

D_main, spectral-norm convs k4 on concat(image, mask): 4 → 64 s2, 64 → 128 s2, then
256, 512, 256 at stride 1 (instance norm, LReLU 0.2). Two heads read its output:
D_local, one logit per patch, and D_global, one logit per image; their scores are
concatenated. Q(c | x) reads the same trunk features: conv, BN, LReLU twice, then
the mean and σ of the continuous codes and the logits of each discrete code. Q is a
separate module because it is trained with the generator, not with D.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from sketchgen.models.layers import InstanceNorm2d
from sketchgen.registry import MODELS


@MODELS.register_module()
class RoIGANDiscriminator(nn.Module):
    """Args:
        image_size: square input size; the global head covers the whole trunk output.
        in_channels: image channels plus the mask (4).
        base_channels: width of the first conv (64); the trunk is 1, 2, 4, 8, 4 times it.
    forward(image, mask) -> (scores (N, patches + 1), trunk features: every
    LReLU output of D_main, for feature matching and for Q).
    """

    def __init__(self, image_size: int = 64, in_channels: int = 4, base_channels: int = 64):
        super().__init__()
        nf = base_channels
        widths = [(in_channels, nf, 2), (nf, 2 * nf, 2), (2 * nf, 4 * nf, 1),
                  (4 * nf, 8 * nf, 1), (8 * nf, 4 * nf, 1)]
        layers = []
        for i, (c_in, c_out, stride) in enumerate(widths):
            conv = spectral_norm(nn.Conv2d(c_in, c_out, 4, stride, padding=1))
            norm = InstanceNorm2d(c_out, affine=False) if i else nn.Identity()
            layers.append(nn.Sequential(conv, norm, nn.LeakyReLU(0.2)))
        self.main = nn.ModuleList(layers)
        self.trunk_channels = 4 * nf
        size = image_size
        for _, _, stride in widths:
            size = (size + 2 - 4) // stride + 1
        if size < 1:
            raise ValueError(f'RoIGANDiscriminator: image_size={image_size} is too small')
        self.trunk_size = size
        self.local_head = spectral_norm(nn.Conv2d(4 * nf, 1, 3, padding=1))
        self.global_head = spectral_norm(nn.Conv2d(4 * nf, 1, size))

    def trunk(self, image: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        x, features = torch.cat([image, mask], dim=1), []
        for layer in self.main:
            x = layer(x)
            features.append(x)
        return features

    def scores(self, trunk_output: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.local_head(trunk_output).flatten(1),
                          self.global_head(trunk_output).flatten(1)], dim=1)

    def forward(self, image: torch.Tensor, mask: torch.Tensor):
        features = self.trunk(image, mask)
        return self.scores(features[-1]), features


@MODELS.register_module()
class InfoQHead(nn.Module):
    """Q(c | x) on D's trunk output: (conv3 s2, BN, LReLU) x 2, global average, then
    linear heads for μ and log σ of the continuous codes and the logits of the
    discrete codes (N, codes, values)."""

    def __init__(self, in_channels: int = 256, hidden_channels: int = 128,
                 continuous_codes: int = 10, discrete_codes: int = 10,
                 discrete_values: int = 10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, hidden_channels, 3, stride=2, padding=1),
            nn.BatchNorm2d(hidden_channels), nn.LeakyReLU(0.2),
            nn.Conv2d(hidden_channels, hidden_channels, 3, stride=2, padding=1),
            nn.BatchNorm2d(hidden_channels), nn.LeakyReLU(0.2))
        self.mu = nn.Linear(hidden_channels, continuous_codes)
        self.log_sigma = nn.Linear(hidden_channels, continuous_codes)
        self.logits = nn.Linear(hidden_channels, discrete_codes * discrete_values)
        self.discrete_shape = (discrete_codes, discrete_values)

    def forward(self, trunk_output: torch.Tensor):
        h = F.adaptive_avg_pool2d(self.body(trunk_output), 1).flatten(1)
        return (self.mu(h), self.log_sigma(h),
                self.logits(h).view(len(h), *self.discrete_shape))
