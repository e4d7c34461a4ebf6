"""WGAN-GP gradient penalty (Gulrajani et al. 2017), optionally masked (RoI-GAN)."""
from __future__ import annotations

import torch
from torch import nn

from sketchgen.registry import LOSSES


@LOSSES.register_module()
class GradientPenaltyLoss(nn.Module):
    """loss_weight · E[(‖m ⊙ ∇_t D(c, t)‖₂ − 1)²] at t = α·real + (1 − α)·fake,
    α ~ U(0, 1) per sample.

    `condition` (the source image of a conditional critic) is concatenated before
    the interpolate and held fixed: the gradient is taken with respect to the
    image only. `mask` (N, 1, H, W) restricts the norm to the masked pixels (RoI-GAN
    penalises the gradient outside the region with mask = 1 − RoI).
    """

    def __init__(self, loss_weight: float = 10.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, critic: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                condition: torch.Tensor | None = None,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        alpha = torch.rand(real.shape[0], 1, 1, 1, device=real.device, dtype=real.dtype)
        interpolate = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
        critic_input = interpolate if condition is None else torch.cat(
            [condition.detach(), interpolate], dim=1)
        scores = critic(critic_input)
        gradient, = torch.autograd.grad(scores.sum(), interpolate, create_graph=True)
        if mask is not None:
            gradient = gradient * mask
        norm = gradient.flatten(1).norm(2, dim=1)
        return self.loss_weight * (norm - 1).pow(2).mean()
