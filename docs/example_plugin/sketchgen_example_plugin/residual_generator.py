"""A small fully-convolutional generator: conv stem, residual blocks, tanh head."""
import torch
from torch import nn

from sketchgen.registry import MODELS


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.InstanceNorm2d(channels),
            nn.ReLU(True), nn.Conv2d(channels, channels, 3, padding=1),
            nn.InstanceNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


@MODELS.register_module()
class ResidualConvGenerator(nn.Module):
    """in_channels -> base_channels -> num_blocks residual blocks -> out_channels, tanh."""

    def __init__(self, in_channels: int = 3, out_channels: int = 3, base_channels: int = 16,
                 num_blocks: int = 2):
        super().__init__()
        self.in_channels = in_channels
        self.stride = 1  # any input size works
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, base_channels, 3, padding=1), nn.ReLU(True),
            *[ResidualBlock(base_channels) for _ in range(num_blocks)],
            nn.Conv2d(base_channels, out_channels, 3, padding=1), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
