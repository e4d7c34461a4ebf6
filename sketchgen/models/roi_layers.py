"""RoI-GAN's building blocks (thesis sections 3.3-3.5 and 3.8):

- `GatedConv2d`: DeepFill v2's gated convolution, the encoder's layer;
- `RoIDenorm`: SPADE whose mask embedding is modulated by a latent vector
  (thesis eq. 3.8), the generator's normalisation;
- `RoIUpBlock`: the two-branch up-sampling block (inside the RoI with the latent,
  outside it without);
- `equalize_learning_rate`: ProGAN's run-time weight scaling.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from sketchgen.models.layers import InstanceNorm2d
from sketchgen.models.spade_layers import SPADENorm
from sketchgen.registry import MODELS


@MODELS.register_module()
class GatedConv2d(nn.Module):
    """out = IN(LReLU(conv_f(x)) · σ(conv_g(x))): the gate σ(conv_g) learns per pixel
    and channel how much of the feature to pass, so holes (the mask is an input
    channel) stop being read as image (Yu et al. 2019). `norm=False` drops the IN."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 4,
                 stride: int = 2, padding: int = 1, norm: bool = True):
        super().__init__()
        self.feature = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)
        self.gate = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)
        self.norm = InstanceNorm2d(out_channels, affine=False) if norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(F.leaky_relu(self.feature(x), 0.2) * torch.sigmoid(self.gate(x)))


@MODELS.register_module()
class RoIDenorm(SPADENorm):
    """x̂ = IN(x)·(1 + γ(m*)) + β(m*) with m* = act(conv(m))·z1 + z2 and
    (z1, z2) = A·w + b, split in halves (thesis eq. 3.8): the latent w scales and
    shifts the channels of the mask's embedding, so it steers what is generated
    where the mask is. `latent_dim=None` gives the branch without a latent: plain
    SPADE on the mask with instance norm."""

    def __init__(self, channels: int, map_channels: int = 1, hidden_channels: int = 64,
                 latent_dim: int | None = None):
        super().__init__(channels, map_channels, hidden_channels, norm='instance')
        self.latent_dim = latent_dim
        self.affine = nn.Linear(latent_dim, 2 * hidden_channels) if latent_dim else None

    def embed(self, condition_map: torch.Tensor, latent: torch.Tensor | None = None
              ) -> torch.Tensor:
        features = self.shared(condition_map)
        if self.affine is None:
            return features
        if latent is None:
            raise ValueError('RoIDenorm: this layer is modulated by a latent; pass it')
        scale, shift = self.affine(latent)[:, :, None, None].chunk(2, dim=1)
        return features * scale + shift


@MODELS.register_module()
class RoIUpBlock(nn.Module):
    """Thesis figure 3.4: two branches at the input size, then nearest x2 and a sum:

        left  = conv3(LReLU(RoIDenorm(x; m, w)))       inside the RoI, with the latent
        right = conv3(LReLU(RoIDenorm(x; 1 - m)))      outside it, without

    then conv3 → LReLU → RoIDenorm(·; m, w) at the output size. The thesis' code
    computed the right branch's denormalisation and then discarded it; here it is
    used, as the thesis describes.
    """

    def __init__(self, in_channels: int, out_channels: int, latent_dim: int,
                 hidden_channels: int = 64):
        super().__init__()
        self.left_norm = RoIDenorm(in_channels, 1, hidden_channels, latent_dim)
        self.left_conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.right_norm = RoIDenorm(in_channels, 1, hidden_channels, None)
        self.right_conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.merge_conv = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.merge_norm = RoIDenorm(out_channels, 1, hidden_channels, latent_dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, latent: torch.Tensor
                ) -> torch.Tensor:
        left = self.left_conv(F.leaky_relu(self.left_norm(x, mask, latent), 0.2))
        right = self.right_conv(F.leaky_relu(self.right_norm(x, 1 - mask), 0.2))
        merged = F.interpolate(left, scale_factor=2, mode='nearest') + F.interpolate(
            right, scale_factor=2, mode='nearest')
        merged = F.leaky_relu(self.merge_conv(merged), 0.2)
        return self.merge_norm(merged, mask, latent)


class EqualizedScale(nn.Module):
    """weight · √(2 / fan_in), applied at every forward (a parametrisation)."""

    def __init__(self, fan_in: int):
        super().__init__()
        self.scale = math.sqrt(2.0 / fan_in)

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight * self.scale


def equalize_learning_rate(net: nn.Module) -> nn.Module:
    """ProGAN's equalised learning rate (thesis eq. 3.20) on every conv and linear
    layer of `net`: the stored weights are N(0, 1) and scaled by He's constant
    √(2/fan_in) at run time, so Adam's step size is the same for every layer;
    biases start at 0."""
    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)) and not parametrize.is_parametrized(
                module, 'weight'):
            fan_in = module.weight[0].numel()
            parametrize.register_parametrization(module, 'weight', EqualizedScale(fan_in))
            with torch.no_grad():
                module.parametrizations.weight.original.normal_(0.0, 1.0)
                if module.bias is not None:
                    module.bias.zero_()
    return net
