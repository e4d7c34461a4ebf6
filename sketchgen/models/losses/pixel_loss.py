"""Pixel-wise reconstruction losses."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.registry import LOSSES


@LOSSES.register_module()
class L1Loss(nn.Module):
    """Mean absolute error times `loss_weight` (pix2pix uses weight 100)."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.l1_loss(pred, target) * self.loss_weight


@LOSSES.register_module()
class ChangedRegionL1Loss(nn.Module):
    """L1 over the image plus `changed_weight` x the mean L1 over the pixels where the
    target differs from `reference` (by more than `threshold`, in [-1, 1], on any
    channel), all times `loss_weight`.

    For the cartoon model's label swap the reference is the same face drawn with its
    own label, so the changed pixels are those the label changes (the hair). They are a
    small share of the image, whose error a whole-image mean dilutes.

    `region_mean`: 'batch' averages over every changed pixel of the batch, so a face
    with much visible hair counts for more; 'image' averages each image's changed
    pixels first, then over the images that have any, so a face whose hair shows only
    under a hat's brim counts as much as one with long hair.
    """

    def __init__(self, loss_weight: float = 1.0, changed_weight: float = 1.0,
                 threshold: float = 0.1, region_mean: str = 'batch'):
        super().__init__()
        if region_mean not in ('batch', 'image'):
            raise ValueError(f"ChangedRegionL1Loss: region_mean={region_mean!r}, expected "
                             "'batch' or 'image'")
        self.loss_weight, self.changed_weight, self.threshold = (loss_weight, changed_weight,
                                                                 threshold)
        self.region_mean = region_mean

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                reference: torch.Tensor) -> torch.Tensor:
        changed = ((target - reference).abs().amax(1, keepdim=True) > self.threshold)
        error = (pred - target).abs().mean(1, keepdim=True)
        if self.region_mean == 'batch':
            region = (error * changed).sum() / changed.sum().clamp_min(1)
        else:
            region = mean_over_regions(error, changed)
        return (error.mean() + self.changed_weight * region) * self.loss_weight


def mean_over_regions(error: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    """Each image's mean `error` over its `region` pixels ((N, 1, H, W) each), then the
    mean over the images whose region is not empty (0 when none is)."""
    count = region.sum((1, 2, 3))
    per_image = (error * region).sum((1, 2, 3)) / count.clamp_min(1)
    return per_image.sum() / (count > 0).sum().clamp_min(1)


@LOSSES.register_module()
class RegionL1Loss(nn.Module):
    """The L1 between two images over a region: each image's region is averaged first,
    then the images that have one (`mean_over_regions`), times `loss_weight`.

    The cartoon model uses it to keep a label's changes inside its region: outside a's
    hair, G(a, l) must equal G(a, l') for another hair label l'.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                region: torch.Tensor) -> torch.Tensor:
        """pred, target (N, C, H, W); region (N, 1, H, W), 1 inside."""
        error = (pred - target).abs().mean(1, keepdim=True)
        return mean_over_regions(error, region.to(error.dtype)) * self.loss_weight


@LOSSES.register_module()
class RegionColourLoss(RegionL1Loss):
    """`RegionL1Loss` against one colour per image.

    The cartoon model uses it to teach the hair label on the input face itself: the
    region is a's hair (the Twemoji hair mask), the colour the requested label's, so the
    label recolours the hair a user's face has and no other pixel.
    """

    def forward(self, pred: torch.Tensor, region: torch.Tensor,
                colour: torch.Tensor) -> torch.Tensor:
        """pred (N, C, H, W); region (N, 1, H, W), 1 inside; colour (N, C), in pred's
        range."""
        return super().forward(pred, colour[:, :, None, None].expand_as(pred), region)


@LOSSES.register_module()
class MSELoss(nn.Module):
    """Mean squared error times `loss_weight`."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(pred, target) * self.loss_weight
