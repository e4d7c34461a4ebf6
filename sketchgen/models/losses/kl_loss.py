"""KL divergence of a diagonal Gaussian posterior N(μ, σ²) from the prior N(0, I):
the VAE term that keeps an encoder's latent samplable (SPADE's style encoder,
RoI-GAN's global style)."""
from __future__ import annotations

import torch
from torch import nn

from sketchgen.registry import LOSSES


@LOSSES.register_module()
class KLDivergenceLoss(nn.Module):
    """loss_weight · mean over the batch of −½ Σ_dims (1 + log σ² − μ² − σ²).

    SPADE's code sums over the batch as well, which ties the weight (0.05) to the
    per-GPU batch size; the mean over the batch keeps one weight for any batch.
    """

    def __init__(self, loss_weight: float = 0.05):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
        return self.loss_weight * kl.flatten(1).sum(1).mean()
