"""Auxiliary label classifier C for condition labels (the auxiliary-classifier
idea of AC-GAN, Odena et al. 2017, as its own network next to the PatchGAN).

C learns the labels of real images (hair colour, skin tone, ...); the generator
is then asked that C reads the requested labels off what it drew. A conditional
PatchGAN alone only judges whether image and label maps look real together, a
weak signal on small data (docs/results/cyclegan.md: hair labels at chance).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from sketchgen.registry import MODELS


@MODELS.register_module()
class LabelClassifier(nn.Module):
    """Strided convolutions (k4 s2 p1, LeakyReLU 0.2), global average pooling and
    one linear layer giving the logits of every attribute, concatenated in the order
    of `label_sizes`. No normalisation: instance norm before the pooling would take
    away each channel's mean, the absolute colour the labels are about (a first
    version with it stayed at chance on real images).

    Args:
        label_sizes: number of values of each attribute, e.g. (5, 6) for hair and
            skin; CycleGAN fills it in from its `labels`.
        in_channels: channels of the judged image.
        base_channels: channels of the first layer, doubled per layer (capped at 8x).
        num_layers: stride-2 layers; 4 sees the whole 64 px image.
    """

    def __init__(self, label_sizes: tuple[int, ...], in_channels: int = 3,
                 base_channels: int = 32, num_layers: int = 4):
        super().__init__()
        if not label_sizes or min(label_sizes) < 2:
            raise ValueError(f'LabelClassifier: label_sizes={label_sizes} needs at least one '
                             'attribute of two or more values')
        self.label_sizes = tuple(int(n) for n in label_sizes)
        layers, channels = [], in_channels
        for i in range(num_layers):
            out = base_channels * min(2 ** i, 8)
            layers += [nn.Conv2d(channels, out, 4, stride=2, padding=1),
                       nn.LeakyReLU(0.2, True)]
            channels = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(channels, sum(self.label_sizes))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, sum(label_sizes)) logits."""
        return self.head(self.features(images).mean(dim=(2, 3)))

    def loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Sum over attributes of the cross-entropy between each attribute's logits
        and its value in `labels` (concatenated one-hot vectors, as CycleGAN's)."""
        total, start = logits.new_zeros(()), 0
        for size in self.label_sizes:
            target = labels[:, start:start + size].argmax(dim=1)
            total = total + F.cross_entropy(logits[:, start:start + size].float(), target)
            start += size
        return total
