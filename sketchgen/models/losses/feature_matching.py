"""Feature matching (pix2pixHD, Wang et al. 2018, eq. 4): the generator matches
the discriminator's intermediate features on generated images to those on real
ones; SPADE keeps it with weight 10."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.registry import LOSSES


@LOSSES.register_module()
class FeatureMatchingLoss(nn.Module):
    """loss_weight / num_scales · Σ_scales Σ_layers mean |D_l(fake) − D_l(real)|.

    Inputs are the discriminator's outputs: one list per scale of every layer's
    output, the logit map last (it is left out, as in pix2pixHD and SPADE). A
    single list counts as one scale. Real features are treated as constants.
    """

    def __init__(self, loss_weight: float = 10.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, fake_features: list, real_features: list) -> torch.Tensor:
        if fake_features and isinstance(fake_features[0], torch.Tensor):
            fake_features, real_features = [fake_features], [real_features]
        if len(fake_features) != len(real_features):
            raise ValueError(f'FeatureMatchingLoss: {len(fake_features)} scales of fake '
                             f'features but {len(real_features)} of real ones')
        loss = fake_features[0][0].new_zeros(())
        for fake_scale, real_scale in zip(fake_features, real_features):
            for fake, real in zip(fake_scale[:-1], real_scale[:-1]):
                loss = loss + F.l1_loss(fake, real.detach())
        return loss * self.loss_weight / len(fake_features)
