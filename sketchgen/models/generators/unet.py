"""U-Net generator of pix2pix (Isola et al. 2017, appendix 6.1.1).

The network is built from the innermost level outwards: each `UnetSkipBlock`
wraps the block below it and concatenates its input with its output, so the
encoder feature at every resolution reaches the decoder at the same resolution.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from sketchgen.models.layers import norm_layer
from sketchgen.registry import MODELS


class UnetSkipBlock(nn.Module):
    """One U-Net level: down-conv, the inner levels, up-conv, skip concatenation.

    Args:
        outer_channels: channels entering and (before concatenation) leaving the level.
        inner_channels: channels of this level's down-convolution output.
        submodule: the next inner level, or None for the innermost one.
        outermost: the first level: no norm on its conv, tanh on its output, no skip.
        innermost: the 1x1 bottleneck level: no norm on its conv.
        dropout: Dropout(0.5) after the up-convolution (pix2pix's noise source).
    """

    def __init__(self, outer_channels: int, inner_channels: int, in_channels: int | None = None,
                 submodule: nn.Module | None = None, outermost: bool = False,
                 innermost: bool = False, norm: str = 'batch', dropout: bool = False):
        super().__init__()
        self.outermost = outermost
        in_channels = outer_channels if in_channels is None else in_channels
        # A conv followed by batch norm needs no bias: the norm has its own shift.
        bias = norm != 'batch'
        down = [nn.Conv2d(in_channels, inner_channels, 4, stride=2, padding=1, bias=bias)]
        if outermost:
            up = [nn.ReLU(True),
                  nn.ConvTranspose2d(inner_channels * 2, outer_channels, 4, stride=2, padding=1),
                  nn.Tanh()]
            layers = down + [submodule] + up
        elif innermost:
            down = [nn.LeakyReLU(0.2, True)] + down
            up = [nn.ReLU(True),
                  nn.ConvTranspose2d(inner_channels, outer_channels, 4, stride=2, padding=1,
                                     bias=bias),
                  norm_layer(norm, outer_channels)]
            layers = down + up
        else:
            down = [nn.LeakyReLU(0.2, True)] + down + [norm_layer(norm, inner_channels)]
            up = [nn.ReLU(True),
                  nn.ConvTranspose2d(inner_channels * 2, outer_channels, 4, stride=2, padding=1,
                                     bias=bias),
                  norm_layer(norm, outer_channels)]
            if dropout:
                up.append(nn.Dropout(0.5))
            layers = down + [submodule] + up
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], dim=1)


@MODELS.register_module()
class UnetGenerator(nn.Module):
    """pix2pix U-Net: `num_downs` stride-2 levels, so the bottleneck is 1x1 at
    `image_size = 2 ** num_downs` (unet_256 has 8 levels, unet_128 7, 64 px 6).

    Args:
        in_channels: input channels (3 for an RGB sketch, more with extra inputs).
        out_channels: output channels.
        image_size: training resolution; `num_downs` defaults to log2 of it.
        num_downs: number of levels; must satisfy 2 ** num_downs <= image_size.
        base_channels: channels of the first level (ngf); doubled per level up to 8x.
        norm: 'batch', 'instance' or 'none'.
        dropout: dropout on the three decoder levels above the innermost, as the paper.
    """

    def __init__(self, in_channels: int = 3, out_channels: int = 3, image_size: int = 256,
                 num_downs: int | None = None, base_channels: int = 64, norm: str = 'batch',
                 dropout: bool = True):
        super().__init__()
        if image_size < 2 or image_size & (image_size - 1):
            raise ValueError(f'UnetGenerator: image_size={image_size} must be a power of two '
                             '(the U-Net halves the resolution at every level).')
        if num_downs is None:
            num_downs = int(math.log2(image_size))
        if num_downs < 5:
            raise ValueError(f'UnetGenerator: num_downs={num_downs} is too shallow; the pix2pix '
                             'U-Net needs at least 5 levels (image_size >= 32).')
        if 2 ** num_downs > image_size:
            raise ValueError(
                f'UnetGenerator: num_downs={num_downs} halves a {image_size}px image below 1 '
                f'pixel; use num_downs <= {int(math.log2(image_size))} for image_size '
                f'{image_size}.')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_downs = num_downs
        # Fully convolutional: any input whose sides divide by this works.
        self.stride = 2 ** num_downs
        ngf = base_channels

        block = UnetSkipBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
        # Levels at 8x width between the innermost and the 4x level; the first
        # three above the bottleneck carry dropout (pix2pix's d5-d7).
        for i in range(num_downs - 5):
            block = UnetSkipBlock(ngf * 8, ngf * 8, submodule=block, norm=norm,
                                  dropout=dropout and i < 3)
        block = UnetSkipBlock(ngf * 4, ngf * 8, submodule=block, norm=norm)
        block = UnetSkipBlock(ngf * 2, ngf * 4, submodule=block, norm=norm)
        block = UnetSkipBlock(ngf, ngf * 2, submodule=block, norm=norm)
        self.model = UnetSkipBlock(out_channels, ngf, in_channels=in_channels, submodule=block,
                                   outermost=True, norm=norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        if h % self.stride or w % self.stride:
            raise ValueError(
                f'UnetGenerator: input size {h}x{w} is not divisible by the network stride '
                f'{self.stride} (2 ** num_downs={self.num_downs}); resize or pad the image to a '
                f'multiple of {self.stride}.')
        return self.model(x)
