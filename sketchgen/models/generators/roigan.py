"""RoI-GAN generator (thesis section 3.5, figure 3.5): a U-Net whose encoder reads
the image with its region blanked and the mask, and whose decoder fills the region.

1. Encoder: gated convs k4 s2 on concat(x·(1−m), m), each halving the size
   (4 → 8 → 16 → 32 → 64 → 128 channels at 64 px); the last is flattened to μ and
   log σ², the image's "global style".
2. Latent z = (z0, c): incompressible noise z0 ~ N(0, I), continuous control codes
   c_cont ~ U(−1, 1) and discrete codes (one-hot), 256 values in all at the
   reference sizes (146 + 10 + 10 x 10).
3. Mapping: 3 x (Linear, BN, LReLU 0.2) on z, then s = w·σ + μ (the encoder's
   style, reparameterised by the mapped latent), pixel-shuffled to a 4x4 map.
4. Decoder: `RoIUpBlock`s doubling the size, each fed the previous output
   concatenated with the encoder feature of the same size; every denormalisation
   sees the mask and s. Then conv3 → 3 channels, instance norm, tanh.

The algorithm composites the output: x̂ = m·G + (1 − m)·x.
"""
from __future__ import annotations

import math

import torch
from einops import rearrange
from torch import nn

from sketchgen.models.layers import InstanceNorm2d
from sketchgen.models.roi_layers import GatedConv2d, RoIUpBlock
from sketchgen.registry import MODELS


@MODELS.register_module()
class RoIGANGenerator(nn.Module):
    """Args:
        image_size: square training size (a power of two, at least 32).
        noise_dim: size of z0 (146).
        continuous_codes: number of slider codes c_cont ∈ [−1, 1] (10).
        discrete_codes, discrete_values: number of categorical codes and their size (10, 10).
        encoder_channels: width of the first gated conv; it doubles per level (8).
        decoder_channels: width of the last up block; it doubles per level upwards (16).
        hidden_channels: width of the denormalisations' mask embedding (64).
    """

    def __init__(self, image_size: int = 64, noise_dim: int = 146, continuous_codes: int = 10,
                 discrete_codes: int = 10, discrete_values: int = 10,
                 encoder_channels: int = 8, decoder_channels: int = 16,
                 hidden_channels: int = 64):
        super().__init__()
        levels = int(math.log2(image_size // 2))
        if image_size < 32 or 2 ** (levels + 1) != image_size:
            raise ValueError(f'RoIGANGenerator: image_size={image_size} must be a power of two, '
                             'at least 32')
        self.image_size = image_size
        self.in_channels = 3
        self.noise_dim, self.continuous_codes = noise_dim, continuous_codes
        self.discrete_codes, self.discrete_values = discrete_codes, discrete_values
        self.latent_dim = noise_dim + continuous_codes + discrete_codes * discrete_values
        if self.latent_dim % 16:
            raise ValueError(f'RoIGANGenerator: the latent size {self.latent_dim} (noise_dim + '
                             'continuous_codes + discrete_codes x discrete_values) must divide '
                             'by 16, to be pixel-shuffled to a 4x4 map')
        # encoder: image_size -> 2 px over `levels` gated convs (64 px: 32, 16, 8, 4, 2)
        widths = [encoder_channels * 2 ** i for i in range(levels)]
        self.encoder = nn.ModuleList(
            GatedConv2d(c_in, c_out) for c_in, c_out in zip([4] + widths[:-1], widths))
        flat = widths[-1] * 2 * 2
        self.fc_mu = nn.Linear(flat, self.latent_dim)
        self.fc_logvar = nn.Linear(flat, self.latent_dim)
        self.mapping = nn.Sequential(*[layer for _ in range(3) for layer in (
            nn.Linear(self.latent_dim, self.latent_dim), nn.BatchNorm1d(self.latent_dim),
            nn.LeakyReLU(0.2))])
        # decoder: 4 px -> image_size; the block into size 2^(k+1) reads the encoder
        # feature of size 2^k (64 px: blocks at 8, 16, 32, 64 read skips of 4 ... 32)
        self.start_channels = self.latent_dim // 16
        skips = {image_size // 2 ** (i + 1): w for i, w in enumerate(widths)}
        blocks, channels, size = [], self.start_channels, 4
        while size < image_size:
            width = decoder_channels * image_size // (2 * size)
            blocks.append(RoIUpBlock(channels + skips[size], width, self.latent_dim,
                                     hidden_channels))
            channels, size = width, size * 2
        self.decoder = nn.ModuleList(blocks)
        self.to_image = nn.Sequential(nn.Conv2d(channels, 3, 3, padding=1),
                                      InstanceNorm2d(3, affine=False), nn.Tanh())

    # ------------------------------------------------------------------ the paper's steps
    def encode(self, masked: torch.Tensor, mask: torch.Tensor):
        """Encoder features by size, and (μ, log σ²) of the global style."""
        x, skips = torch.cat([masked, mask], dim=1), {}
        for layer in self.encoder:
            x = layer(x)
            skips[x.shape[-1]] = x
        flat = x.flatten(1)
        return skips, self.fc_mu(flat), self.fc_logvar(flat)

    def style(self, z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        """s = mapping(z)·σ + μ."""
        return self.mapping(z) * torch.exp(0.5 * logvar) + mu

    def decode(self, s: torch.Tensor, mask: torch.Tensor, skips: dict) -> torch.Tensor:
        x = rearrange(s, 'n (c h w) -> n c h w', h=4, w=4)  # pixel shuffle of a 1x1 map
        for block in self.decoder:
            x = block(torch.cat([x, skips[x.shape[-1]]], dim=1), mask, s)
        return self.to_image(x)

    def forward(self, masked: torch.Tensor, mask: torch.Tensor, z: torch.Tensor
                ) -> torch.Tensor:
        """The raw output G(z | x, m) in [−1, 1] (not composited)."""
        skips, mu, logvar = self.encode(masked, mask)
        return self.decode(self.style(z, mu, logvar), mask, skips)

    # ------------------------------------------------------------------ the latent
    def sample_latent(self, n: int, generator: torch.Generator | None = None,
                      controls: torch.Tensor | None = None,
                      discrete: torch.Tensor | None = None, device=None):
        """z = (z0, c_cont, one-hot c_disc) and its parts. `controls` (n or 1, C) in
        [−1, 1] and `discrete` (n or 1, D) category indices fix the codes."""
        device = device or self.fc_mu.weight.device
        z0 = torch.randn(n, self.noise_dim, generator=generator, device=device)
        if controls is None:
            controls = torch.rand(n, self.continuous_codes, generator=generator,
                                  device=device) * 2 - 1
        controls = torch.as_tensor(controls, dtype=torch.float32, device=device).expand(
            n, self.continuous_codes)
        if discrete is None:
            discrete = torch.randint(0, self.discrete_values, (n, self.discrete_codes),
                                     generator=generator, device=device)
        discrete = torch.as_tensor(discrete, dtype=torch.long, device=device).expand(
            n, self.discrete_codes)
        one_hot = torch.nn.functional.one_hot(discrete, self.discrete_values).float()
        z = torch.cat([z0, controls, one_hot.flatten(1)], dim=1)
        return z, controls, discrete
