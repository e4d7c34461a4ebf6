"""SPADE generator and its VAE style encoder (Park et al. 2019, section 3 and
appendix A).

The generator has no encoder of the map: the map enters every SPADE layer. It
starts either from the map down-sampled to (H/2^k, W/2^k) through a conv3, or,
with the style encoder, from z through a linear layer; residual SPADE blocks with
nearest x2 up-sampling between them then grow the image to full size:

    16nf, 16nf, 16nf, 8nf, 4nf, 2nf, 1nf  (1024 ... 64 at nf = 64)

The style encoder maps an image to (μ, log σ²) of z; training samples
z = μ + σ·ε and a KL term keeps q(z|x) near N(0, I), so at test time z is either
sampled (diverse outputs) or encoded from a reference image (its style).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.layers import InstanceNorm2d
from sketchgen.models.spade_layers import SPADEResBlock, maybe_spectral
from sketchgen.registry import MODELS

# 'normal': 5 up-samplings (start at H/32); 'more' adds one between the middle
# blocks; 'most' adds a last block at nf/2 (the paper's 512 px and 1024 px settings).
UPSAMPLING_LAYERS = {'normal': 5, 'more': 6, 'most': 7}


def as_height_width(image_size: int | tuple[int, int]) -> tuple[int, int]:
    return (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)


@MODELS.register_module()
class SPADEGenerator(nn.Module):
    """Args:
        map_channels: channels of the conditioning map (label classes, or a sketch's 1/3).
        out_channels: image channels.
        image_size: output size, int or (height, width); both must divide by
            2^(number of up-samplings).
        base_channels: nf (64 in the paper); the widths scale with it.
        z_dim: latent size when the generator starts from z (with `SPADEStyleEncoder`,
            256 in the paper); None starts from the down-sampled map.
        hidden_channels: width of every SPADE layer's shared embedding (128).
        norm: SPADE's parameter-free norm, 'batch' or 'instance'.
        spectral: spectral norm on the residual blocks' convs.
        num_upsampling_layers: 'normal', 'more' or 'most'.
    """

    def __init__(self, map_channels: int, out_channels: int = 3,
                 image_size: int | tuple[int, int] = 256, base_channels: int = 64,
                 z_dim: int | None = None, hidden_channels: int = 128, norm: str = 'batch',
                 spectral: bool = True, num_upsampling_layers: str = 'normal'):
        super().__init__()
        if num_upsampling_layers not in UPSAMPLING_LAYERS:
            raise ValueError(f'SPADEGenerator: num_upsampling_layers={num_upsampling_layers!r} '
                             f'is not one of {sorted(UPSAMPLING_LAYERS)}')
        self.num_upsamplings = UPSAMPLING_LAYERS[num_upsampling_layers]
        self.image_size = as_height_width(image_size)
        scale = 2 ** self.num_upsamplings
        if any(side % scale for side in self.image_size):
            raise ValueError(f'SPADEGenerator: image_size={image_size} must divide by {scale} '
                             f'({self.num_upsamplings} up-samplings, '
                             f'num_upsampling_layers={num_upsampling_layers!r})')
        self.start_size = tuple(side // scale for side in self.image_size)
        self.in_channels = map_channels
        self.z_dim = z_dim
        nf = base_channels
        if z_dim is None:
            self.fc = nn.Conv2d(map_channels, 16 * nf, 3, padding=1)
        else:
            self.fc = nn.Linear(z_dim, 16 * nf * math.prod(self.start_size))
        block = dict(map_channels=map_channels, hidden_channels=hidden_channels, norm=norm,
                     spectral=spectral)
        self.head_0 = SPADEResBlock(16 * nf, 16 * nf, **block)
        self.G_middle_0 = SPADEResBlock(16 * nf, 16 * nf, **block)
        self.G_middle_1 = SPADEResBlock(16 * nf, 16 * nf, **block)
        self.up_0 = SPADEResBlock(16 * nf, 8 * nf, **block)
        self.up_1 = SPADEResBlock(8 * nf, 4 * nf, **block)
        self.up_2 = SPADEResBlock(4 * nf, 2 * nf, **block)
        self.up_3 = SPADEResBlock(2 * nf, 1 * nf, **block)
        final_channels = nf
        if num_upsampling_layers == 'most':
            self.up_4 = SPADEResBlock(nf, nf // 2, **block)
            final_channels = nf // 2
        self.conv_img = nn.Conv2d(final_channels, out_channels, 3, padding=1)

    def forward(self, condition_map: torch.Tensor, z: torch.Tensor | None = None
                ) -> torch.Tensor:
        m = condition_map
        if self.z_dim is None:
            x = self.fc(F.interpolate(m, size=self.start_size, mode='nearest'))
        else:
            if z is None:
                raise ValueError('SPADEGenerator: this generator starts from z (z_dim='
                                 f'{self.z_dim}); pass z, sampled or encoded from a reference')
            x = self.fc(z).view(len(z), -1, *self.start_size)
        up = self.upsample
        x = self.head_0(x, m)
        x = up(x)
        x = self.G_middle_0(x, m)
        if self.num_upsamplings >= 6:
            x = up(x)
        x = self.G_middle_1(x, m)
        x = self.up_0(up(x), m)
        x = self.up_1(up(x), m)
        x = self.up_2(up(x), m)
        x = self.up_3(up(x), m)
        if self.num_upsamplings == 7:
            x = self.up_4(up(x), m)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 0.2)))

    @staticmethod
    def upsample(x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2, mode='nearest')


@MODELS.register_module()
class SPADEStyleEncoder(nn.Module):
    """k3 s2 convs (spectral norm, instance norm, LReLU 0.2) down to 4x4, widths
    nf, 2nf, 4nf, 8nf, 8nf, ...; then two linear heads for μ and log σ².

    The paper's encoder resizes every input to 256 px (six convs); here the input is
    resized to `image_size` and the number of convs follows it (log2(size / 4)), so a
    64 px model encodes 64 px references with four convs.
    """

    def __init__(self, in_channels: int = 3, image_size: int = 256, base_channels: int = 64,
                 z_dim: int = 256, spectral: bool = True):
        super().__init__()
        num_convs = int(math.log2(image_size // 4))
        if image_size < 8 or 4 * 2 ** num_convs != image_size:
            raise ValueError(f'SPADEStyleEncoder: image_size={image_size} must be a power of '
                             'two, at least 8')
        self.image_size = image_size
        layers, channels = [], in_channels
        for i in range(num_convs):
            width = base_channels * min(2 ** i, 8)
            layers += [maybe_spectral(nn.Conv2d(channels, width, 3, stride=2, padding=1),
                                      spectral),
                       InstanceNorm2d(width, affine=False), nn.LeakyReLU(0.2)]
            channels = width
        self.convs = nn.Sequential(*layers)
        self.fc_mu = nn.Linear(channels * 16, z_dim)
        self.fc_logvar = nn.Linear(channels * 16, z_dim)

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if image.shape[-2:] != (self.image_size, self.image_size):
            image = F.interpolate(image, size=(self.image_size,) * 2, mode='bilinear',
                                  align_corners=False)
        features = self.convs(image).flatten(1)
        return self.fc_mu(features), self.fc_logvar(features)
