"""Differentiable augmentation of what a discriminator sees (DiffAugment, Zhao et al.
2020, "Differentiable Augmentation for Data-Efficient GAN Training").

On a few hundred training images D memorises the real set: its loss falls to ~0.001
and G is pushed by whatever separates its outputs from those exact images (the
cartoon faces: docs/results/cyclegan.md). DiffAugment draws one random transform per
image and applies it to real AND generated images, in D's update and in G's, so D
never sees an un-augmented image and the transform is no cue to what is real. It is
differentiable, so G's gradient reaches through it. Augmenting only the real images
would teach G to draw the augmentations instead.

The three policies of the paper, for images in [-1, 1]:
    color:        brightness + U(-0.5, 0.5); saturation x U(0, 2) around each pixel's
                  channel mean; contrast x U(0.5, 1.5) around the image mean
    translation:  a shift by up to `translation_ratio` of the size, zero-filled
    cutout:       a zeroed square of `cutout_ratio` of the size, anywhere (clipped)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.registry import MODELS

POLICIES = ('color', 'translation', 'cutout')


def adjust_color(x: torch.Tensor, brightness: torch.Tensor, saturation: torch.Tensor,
                 contrast: torch.Tensor) -> torch.Tensor:
    """Brightness shift, saturation and contrast factors, each (N,) per image."""
    x = x + brightness.view(-1, 1, 1, 1)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * saturation.view(-1, 1, 1, 1) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * contrast.view(-1, 1, 1, 1) + mean


def translate(x: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Move image i by shifts[i] = (dy, dx) whole pixels (down, right); what moves in
    from outside is 0."""
    n, _, h, w = x.shape
    pad = int(shifts.abs().max()) if shifts.numel() else 0
    padded = F.pad(x, (pad, pad, pad, pad))
    rows = torch.arange(h, device=x.device).view(1, h, 1) + pad - shifts[:, 0].view(n, 1, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) + pad - shifts[:, 1].view(n, 1, 1)
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    # advanced indexing puts the indexed (N, H, W) dims first, channels last
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, centres: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Zero a (h, w) = `size` window around centres[i] = (y, x) in image i, clipped to
    the image."""
    n, _, h, w = x.shape
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    top = centres[:, 0].view(n, 1, 1) - size[0] // 2
    left = centres[:, 1].view(n, 1, 1) - size[1] // 2
    inside = (rows >= top) & (rows < top + size[0]) & (cols >= left) & (cols < left + size[1])
    return x * (~inside).unsqueeze(1).to(x.dtype)


@MODELS.register_module()
class DiffAugment(nn.Module):
    """Args:
        policy: the transforms to apply, in this order, from POLICIES.
        translation_ratio: the largest shift as a fraction of the image size (1/8).
        cutout_ratio: the cut-out square's side as a fraction of the size (1/2).

    Draws from the torch RNG (seeded and checkpointed by the trainer). Has no
    parameters; apply it to every image a discriminator judges, real and fake.
    """

    def __init__(self, policy: tuple[str, ...] | list[str] = ('translation', 'cutout'),
                 translation_ratio: float = 0.125, cutout_ratio: float = 0.5):
        super().__init__()
        unknown = [p for p in policy if p not in POLICIES]
        if unknown or not policy:
            raise ValueError(f'DiffAugment: policy={tuple(policy)!r} must name some of '
                             f'{POLICIES}')
        for name, ratio in (('translation_ratio', translation_ratio),
                            ('cutout_ratio', cutout_ratio)):
            if not 0 < ratio <= 1:
                raise ValueError(f'DiffAugment: {name}={ratio} must be in (0, 1]')
        self.policy = tuple(policy)
        self.translation_ratio = translation_ratio
        self.cutout_ratio = cutout_ratio

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        for name in self.policy:
            if name == 'color':
                x = adjust_color(x, torch.rand(n, device=x.device) - 0.5,
                                 torch.rand(n, device=x.device) * 2,
                                 torch.rand(n, device=x.device) + 0.5)
            elif name == 'translation':
                reach = torch.tensor([int(h * self.translation_ratio + 0.5),
                                      int(w * self.translation_ratio + 0.5)], device=x.device)
                x = translate(x, (torch.rand(n, 2, device=x.device) * (2 * reach + 1)).long()
                              - reach)
            else:
                size = (int(h * self.cutout_ratio + 0.5), int(w * self.cutout_ratio + 0.5))
                centres = (torch.rand(n, 2, device=x.device) *
                           torch.tensor([h, w], device=x.device)).long()
                x = cutout(x, centres, size)
        return x

    def extra_repr(self) -> str:
        return (f'policy={self.policy}, translation_ratio={self.translation_ratio}, '
                f'cutout_ratio={self.cutout_ratio}')
