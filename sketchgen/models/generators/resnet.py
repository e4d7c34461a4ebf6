"""ResNet generator of CycleGAN (Zhu et al. 2017; Johnson et al. 2016), with
optional condition labels (the landmark-guided cartoon CycleGAN, seed 003).

c7s1-64, d128, d256, R256 x num_blocks, u128, u64, c7s1-3 (for base_channels 64):
reflection padding, instance norm without affine parameters, ReLU, tanh output.

Condition labels (e.g. a one-hot hair colour) enter as constant feature maps,
concatenated to the input image and to the input of every residual block (the
seed's design). Alone that does nothing here: a constant map through a conv is a
constant per channel, and the instance norm right after subtracts it exactly
(measured: outputs for two labels differed by 2e-6). So with a norm layer each
block also modulates its normalised features by the label (conditional instance
norm, Dumoulin et al. 2017): h <- h * (1 + gamma(l)) + beta(l), gamma and beta
linear in l (built as zero; a model's init_weights redraws them like any layer).
"""
from __future__ import annotations

import torch
from torch import nn

from sketchgen.models.layers import ReflectionPad2d, ReplicationPad2d, norm_layer
from sketchgen.registry import MODELS

PADDINGS = ('reflect', 'replicate', 'zeros')
UPSAMPLES = ('deconv', 'resize')
OUTPUTS = ('image', 'residual')
# 'residual' reads the input image through atanh, which is infinite at +-1.
RESIDUAL_INPUT_SCALE = 0.999


def label_maps(labels: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """(N, L) label vectors as (N, L, H, W) constant maps of `like`'s size."""
    return labels.to(like.dtype)[:, :, None, None].expand(-1, -1, *like.shape[-2:])


def _padded_conv(in_ch: int, out_ch: int, kernel: int, padding: str) -> list[nn.Module]:
    pad = kernel // 2
    if padding == 'zeros':
        return [nn.Conv2d(in_ch, out_ch, kernel, padding=pad)]
    pad_layer = ReflectionPad2d if padding == 'reflect' else ReplicationPad2d
    return [pad_layer(pad), nn.Conv2d(in_ch, out_ch, kernel)]


class ResnetBlock(nn.Module):
    """x + conv-norm-ReLU-conv-norm(x); the first conv also sees the label maps, and
    each norm's output is modulated by the label (module docstring)."""

    def __init__(self, channels: int, norm: str, padding: str, label_channels: int = 0,
                 dropout: bool = False):
        super().__init__()
        self.conv1 = nn.Sequential(*_padded_conv(channels + label_channels, channels, 3,
                                                 padding), norm_layer(norm, channels))
        self.conv2 = nn.Sequential(*_padded_conv(channels, channels, 3, padding),
                                   norm_layer(norm, channels))
        self.dropout = nn.Dropout(0.5) if dropout else nn.Identity()
        self.modulation = None
        if label_channels and norm != 'none':
            self.modulation = nn.Linear(label_channels, 4 * channels)
            nn.init.zeros_(self.modulation.weight)
            nn.init.zeros_(self.modulation.bias)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = x if labels is None else torch.cat([x, label_maps(labels, x)], dim=1)
        h = self.conv1(h)
        if self.modulation is not None:
            gamma1, beta1, gamma2, beta2 = self.modulation(labels.to(x.dtype))[
                :, :, None, None].chunk(4, dim=1)
            h = h * (1 + gamma1) + beta1
        h = self.conv2(self.dropout(torch.relu(h)))
        if self.modulation is not None:
            h = h * (1 + gamma2) + beta2
        return x + h


@MODELS.register_module()
class ResnetGenerator(nn.Module):
    """Args:
        in_channels, out_channels: image channels.
        base_channels: channels of the first conv (ngf, 64 in the paper).
        num_blocks: residual blocks at 1/4 resolution (9 for 256 px, 6 for 128 px).
        num_downsamples: stride-2 convs before the blocks (2 in the paper).
        norm: 'instance' (CycleGAN), 'batch' or 'none'.
        padding: 'reflect' (the paper: fewer border artefacts), 'replicate' or 'zeros'.
        label_channels: length of the condition vector (0: unconditional).
        dropout: Dropout(0.5) inside the blocks (off in CycleGAN).
        upsample: 'deconv' (the paper: stride-2 transposed convs) or 'resize' (nearest
            x2, then a 3x3 conv: Odena et al. 2016, "Deconvolution and Checkerboard
            Artifacts"; a transposed conv whose kernel the stride does not divide
            overlaps unevenly and draws a checkerboard).
        output: 'image' (the paper: tanh of the last conv) or 'residual': the last conv
            is a change to the input image before tanh, G(x) = tanh(atanh(0.999 x) +
            f(x)), so a zero f returns the input (to 1e-3) and the network draws only
            what differs. Needs in_channels == out_channels. On the emoji faces plain
            CycleGAN with it learned to copy its input, and the label model drew dot
            patterns (docs/results/cyclegan.md), so no config sets it.
    """

    def __init__(self, in_channels: int = 3, out_channels: int = 3, base_channels: int = 64,
                 num_blocks: int = 9, num_downsamples: int = 2, norm: str = 'instance',
                 padding: str = 'reflect', label_channels: int = 0, dropout: bool = False,
                 upsample: str = 'deconv', output: str = 'image'):
        super().__init__()
        if padding not in PADDINGS:
            raise ValueError(f'ResnetGenerator: padding={padding!r} is not one of {PADDINGS}')
        if upsample not in UPSAMPLES:
            raise ValueError(f'ResnetGenerator: upsample={upsample!r} is not one of {UPSAMPLES}')
        if output not in OUTPUTS:
            raise ValueError(f'ResnetGenerator: output={output!r} is not one of {OUTPUTS}')
        if output == 'residual' and in_channels != out_channels:
            raise ValueError(f"ResnetGenerator: output='residual' changes the input image, so "
                             f'in_channels ({in_channels}) must equal out_channels '
                             f'({out_channels})')
        self.residual = output == 'residual'
        self.in_channels, self.label_channels = in_channels, label_channels
        self.stride = 2 ** num_downsamples
        bias = norm != 'batch'
        stem = [*_padded_conv(in_channels + label_channels, base_channels, 7, padding),
                norm_layer(norm, base_channels), nn.ReLU(True)]
        channels = base_channels
        for _ in range(num_downsamples):
            stem += [nn.Conv2d(channels, channels * 2, 3, stride=2, padding=1, bias=bias),
                     norm_layer(norm, channels * 2), nn.ReLU(True)]
            channels *= 2
        self.encoder = nn.Sequential(*stem)
        self.blocks = nn.ModuleList(ResnetBlock(channels, norm, padding, label_channels, dropout)
                                    for _ in range(num_blocks))
        head = []
        for _ in range(num_downsamples):
            if upsample == 'deconv':
                head += [nn.ConvTranspose2d(channels, channels // 2, 3, stride=2, padding=1,
                                            output_padding=1, bias=bias)]
            else:
                head += [nn.Upsample(scale_factor=2, mode='nearest'),
                         *_padded_conv(channels, channels // 2, 3, padding)]
            head += [norm_layer(norm, channels // 2), nn.ReLU(True)]
            channels //= 2
        head += _padded_conv(channels, out_channels, 7, padding)
        if not self.residual:
            head.append(nn.Tanh())
        self.decoder = nn.Sequential(*head)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if (labels is None) != (self.label_channels == 0):
            raise ValueError(
                f'ResnetGenerator(label_channels={self.label_channels}) was called '
                f'{"without" if labels is None else "with"} labels')
        if labels is not None and labels.shape[1] != self.label_channels:
            raise ValueError(f'ResnetGenerator: labels have {labels.shape[1]} channels, the '
                             f'network takes {self.label_channels}')
        h = x if labels is None else torch.cat([x, label_maps(labels, x)], dim=1)
        h = self.encoder(h)
        for block in self.blocks:
            h = block(h, labels)
        if self.residual:
            return torch.tanh(torch.atanh(RESIDUAL_INPUT_SCALE * x.clamp(-1, 1)) + self.decoder(h))
        return self.decoder(h)
