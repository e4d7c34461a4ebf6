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
class MSELoss(nn.Module):
    """Mean squared error times `loss_weight`."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(pred, target) * self.loss_weight
