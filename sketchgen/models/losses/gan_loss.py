"""Adversarial losses. One module, the objective chosen by `gan_type`.

`loss(pred, target_is_real, is_disc)` returns the loss of the discriminator
(is_disc=True) or of the generator (is_disc=False) for raw logits `pred`.

- vanilla: BCE with logits (Goodfellow et al. 2014; pix2pix's default).
- lsgan: least squares to 1 (real) and 0 (fake) (Mao et al. 2017).
- hinge: D: relu(1 - D(x)) and relu(1 + D(G(z))); G: -D(G(z)) (Lim & Ye 2017).
- wgan: D: -D(x) and +D(G(z)); G: -D(G(z)) (Arjovsky et al. 2017), paired with a
  gradient penalty for WGAN-GP.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.registry import LOSSES

GAN_TYPES = ('vanilla', 'lsgan', 'hinge', 'wgan')


@LOSSES.register_module()
class GANLoss(nn.Module):
    """Adversarial loss for logits of any shape (PatchGAN maps are averaged).

    Args:
        gan_type: one of 'vanilla', 'lsgan', 'hinge', 'wgan'.
        real_label: target for real samples (vanilla/lsgan); <1 gives label smoothing.
        fake_label: target for fake samples (vanilla/lsgan).
        loss_weight: multiplies the generator's loss only; the discriminator's is unweighted.
    """

    def __init__(self, gan_type: str = 'vanilla', real_label: float = 1.0,
                 fake_label: float = 0.0, loss_weight: float = 1.0):
        super().__init__()
        if gan_type not in GAN_TYPES:
            raise ValueError(f'GANLoss: gan_type={gan_type!r} is not one of {GAN_TYPES}')
        self.gan_type = gan_type
        self.real_label = real_label
        self.fake_label = fake_label
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target_is_real: bool,
                is_disc: bool = False) -> torch.Tensor:
        if self.gan_type in ('vanilla', 'lsgan'):
            target = torch.full_like(pred, self.real_label if target_is_real else self.fake_label)
            if self.gan_type == 'vanilla':
                loss = F.binary_cross_entropy_with_logits(pred, target)
            else:
                loss = F.mse_loss(pred, target)
        elif self.gan_type == 'hinge' and is_disc:
            loss = F.relu(1 - pred).mean() if target_is_real else F.relu(1 + pred).mean()
        else:  # wgan, and the generator's side of hinge
            loss = -pred.mean() if target_is_real else pred.mean()
        return loss if is_disc else loss * self.loss_weight
