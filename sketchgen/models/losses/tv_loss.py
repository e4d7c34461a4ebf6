"""Total variation: a smoothness prior on the generated image (Auto-painter)."""
from __future__ import annotations

import torch
from torch import nn

from sketchgen.registry import LOSSES

TV_FORMS = ('squared', 'absolute')


@LOSSES.register_module()
class TotalVariationLoss(nn.Module):
    """Differences between vertical and horizontal neighbours of `image`.

    form='squared': mean of dy² plus mean of dx² (the Auto-painter form; its reference
    code's 2·(l2(dy) + l2(dx)) is this with loss_weight doubled and sums for means).
    form='absolute': mean |dy| plus mean |dx| (anisotropic TV).
    With `mask` (N, 1, H, W), only differences between two masked pixels count, and
    the means are over those pairs.
    """

    def __init__(self, loss_weight: float = 1.0, form: str = 'squared'):
        super().__init__()
        if form not in TV_FORMS:
            raise ValueError(f'TotalVariationLoss: form={form!r} is not one of {TV_FORMS}')
        self.loss_weight, self.form = loss_weight, form

    def forward(self, image: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        dy = image[..., 1:, :] - image[..., :-1, :]
        dx = image[..., :, 1:] - image[..., :, :-1]
        dy, dx = (dy.pow(2), dx.pow(2)) if self.form == 'squared' else (dy.abs(), dx.abs())
        if mask is None:
            return self.loss_weight * (dy.mean() + dx.mean())
        mask_y = (mask[..., 1:, :] * mask[..., :-1, :]).expand_as(dy)
        mask_x = (mask[..., :, 1:] * mask[..., :, :-1]).expand_as(dx)
        return self.loss_weight * ((dy * mask_y).sum() / mask_y.sum().clamp_min(1)
                                   + (dx * mask_x).sum() / mask_x.sum().clamp_min(1))
