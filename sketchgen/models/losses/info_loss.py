"""InfoGAN's mutual-information term (Chen et al. 2016; RoI-GAN thesis eqs.
3.14-3.17): Q(c | x) must recover the control codes the generator was given."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.registry import LOSSES


@LOSSES.register_module()
class InfoLoss(nn.Module):
    """loss_weight · (Gaussian NLL of the continuous codes + cross-entropy of the
    discrete codes), both means over the batch and the codes:

        NLL = ½((c − μ)/σ)² + log σ + ½ log 2π,    CE = −log softmax(logits)[c]

    Minimising it maximises the lower bound of I(c; G(z, c)) up to the constant H(c).
    Returns the total; `parts` holds the two terms of the last call for logging.
    """

    def __init__(self, loss_weight: float = 0.5, continuous_weight: float = 1.0,
                 discrete_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight
        self.continuous_weight, self.discrete_weight = continuous_weight, discrete_weight
        self.parts: dict[str, torch.Tensor] = {}

    def forward(self, mu: torch.Tensor, log_sigma: torch.Tensor, logits: torch.Tensor,
                continuous: torch.Tensor, discrete: torch.Tensor) -> torch.Tensor:
        nll = (0.5 * ((continuous - mu) * torch.exp(-log_sigma)).pow(2) + log_sigma
               + 0.5 * math.log(2 * math.pi)).mean()
        ce = F.cross_entropy(logits.flatten(0, 1), discrete.flatten())
        self.parts = dict(continuous=nll.detach(), discrete=ce.detach())
        return self.loss_weight * (self.continuous_weight * nll + self.discrete_weight * ce)
