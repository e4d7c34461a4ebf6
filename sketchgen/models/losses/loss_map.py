"""The loss map of sketch simplification (Simo-Serra et al. 2016, eq. 2-3).

Most of a clean drawing is flat: blank paper, or the inside of a thick line. The
loss map weights each pixel by how rare its grey level is in its neighbourhood,
so the few pixels that make a line's edge count more than the many that are
simply paper:

    l(Y, Y*, M) = || M ⊙ (Y - Y*) ||²
    M(u, v) = 1                                     if I(u, v) = 1 (white paper)
              min(alpha * exp(-H(I, u, v)) + beta, 1)  otherwise            ('paper')
    M(u, v) = exp(-H(I, u, v)) + 0.5                                         ('lua')

I is the target; H(I, u, v) is the share of the pixels within `radius` (D_h) of
(u, v) — a (2 D_h + 1)² window, clipped at the image border — whose grey level
falls in the same one of `bins` (B_h) equal bins over [0, 1] as I(u, v). The
'lua' form is what the authors' released training code computes: no clamp, no
rule for white pixels.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.registry import LOSSES

VARIANTS = ('paper', 'lua')


def histogram_bins(image: torch.Tensor, bins: int) -> torch.Tensor:
    """The bin index (0 .. bins - 1) of every [0, 1] pixel; 1.0 falls in the last bin."""
    return (image.clamp(0, 1) * bins).long().clamp_max(bins - 1)


def local_histogram_share(image: torch.Tensor, radius: int = 2, bins: int = 10
                          ) -> torch.Tensor:
    """H(I, u, v) for a (N, 1, H, W) [0, 1] batch, vectorised: one-hot the bins,
    average each bin's indicator over the clipped window (average pooling that
    does not count the padding), and read out each pixel's own bin."""
    index = histogram_bins(image, bins)
    one_hot = F.one_hot(index[:, 0], bins).permute(0, 3, 1, 2).to(image.dtype)
    shares = F.avg_pool2d(one_hot, 2 * radius + 1, stride=1, padding=radius,
                          count_include_pad=False)
    return shares.gather(1, index)


def simplification_loss_map(target: torch.Tensor, alpha: float = 6.0, beta: float = -2.0,
                            radius: int = 2, bins: int = 10, variant: str = 'paper',
                            white_level: float = 1.0) -> torch.Tensor:
    """M for a (N, 1, H, W) target in [0, 1] (module docstring); `white_level`: the
    grey level from which a target pixel counts as white paper (weight 1)."""
    if variant not in VARIANTS:
        raise ValueError(f'loss map: variant={variant!r} is not one of {VARIANTS}')
    share = local_histogram_share(target, radius, bins)
    if variant == 'lua':
        return torch.exp(-share) + 0.5
    weight = (alpha * torch.exp(-share) + beta).clamp_max(1.0)
    return torch.where(target >= white_level, torch.ones_like(weight), weight)


@LOSSES.register_module()
class LossMapMSELoss(nn.Module):
    """Mean squared error weighted by the simplification loss map of the target:
    mean over pixels of (M ⊙ (Y - Y*))², times `loss_weight`. (The paper's squared
    Frobenius norm is the sum; the mean keeps the scale independent of patch
    size.) With alpha = 0 and beta = 1 every weight is 1: plain MSE.

    Args:
        alpha, beta, radius (D_h), bins (B_h), variant, white_level: see
            `simplification_loss_map`. The paper's alpha and beta are recalled
            as 6 and -2 (the paper's text is not at hand to confirm them).
        loss_weight: multiplies the loss.
    Inputs are [0, 1] grey images, the target clean.
    """

    def __init__(self, alpha: float = 6.0, beta: float = -2.0, radius: int = 2,
                 bins: int = 10, variant: str = 'paper', white_level: float = 1.0,
                 loss_weight: float = 1.0):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f'LossMapMSELoss: variant={variant!r} is not one of {VARIANTS}')
        self.map_args = dict(alpha=alpha, beta=beta, radius=radius, bins=bins,
                             variant=variant, white_level=white_level)
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            weight = simplification_loss_map(target.float(), **self.map_args)
        return (weight * (pred - target)).pow(2).mean() * self.loss_weight
