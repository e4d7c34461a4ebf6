"""Pix2Pix: conditional GAN with an L1 term (Isola et al. 2017).

    L_D = 0.5 * [ GAN(D(x, y), real) + GAN(D(x, G(x)), fake) ]
    L_G = GAN(D(x, G(x)), real) + lambda * |y - G(x)|_1,   lambda = 100

One iteration updates D once, then G once, as the reference implementation.
The discriminator is conditional: it sees the source concatenated with the image.
"""
from __future__ import annotations

import torch

from sketchgen.models.algorithms.base import ImageTranslationModel, set_requires_grad
from sketchgen.models.init import init_weights
from sketchgen.registry import LOSSES, MODELS


@MODELS.register_module()
class Pix2Pix(ImageTranslationModel):
    """Args:
        generator, discriminator: network configs (MODELS).
        gan_loss: adversarial loss config (LOSSES), vanilla BCE by default.
        pixel_loss: reconstruction loss config (LOSSES), L1 with weight 100.
        disc_loss_weight: the reference halves D's loss to slow D relative to G.
        init_type, init_gain: weight init of both networks (pix2pix: N(0, 0.02)).
        image_size, test_mode, ema_decay: see `ImageTranslationModel`.
    """

    def __init__(self, generator: dict, discriminator: dict,
                 gan_loss: dict = dict(type='GANLoss', gan_type='vanilla'),
                 pixel_loss: dict = dict(type='L1Loss', loss_weight=100.0),
                 disc_loss_weight: float = 0.5, init_type: str = 'normal',
                 init_gain: float = 0.02, image_size: int = 256, test_mode: str = 'eval',
                 ema_decay: float | None = None):
        super().__init__(generator, image_size=image_size, test_mode=test_mode,
                         ema_decay=ema_decay)
        self.discriminator = MODELS.build(discriminator)
        self.gan_loss = LOSSES.build(gan_loss)
        self.pixel_loss = LOSSES.build(pixel_loss)
        self.disc_loss_weight = disc_loss_weight
        init_weights(self.generator, init_type, init_gain)
        init_weights(self.discriminator, init_type, init_gain)
        self.init_ema()

    def train_step(self, batch: dict, optimizers: dict) -> dict[str, torch.Tensor]:
        """One D update then one G update; returns detached losses for logging."""
        source, target = batch['source'], batch['target']
        fake = self.generator(source)

        set_requires_grad(self.discriminator, True)
        pred_real = self.discriminator(torch.cat([source, target], dim=1))
        pred_fake = self.discriminator(torch.cat([source, fake.detach()], dim=1))
        loss_d_real = self.gan_loss(pred_real, True, is_disc=True)
        loss_d_fake = self.gan_loss(pred_fake, False, is_disc=True)
        loss_d = self.disc_loss_weight * (loss_d_real + loss_d_fake)
        optimizers['discriminator'].update(loss_d)

        # D's weights get no gradient from G's loss (and DDP sees no unused params).
        set_requires_grad(self.discriminator, False)
        pred_fake = self.discriminator(torch.cat([source, fake], dim=1))
        loss_g_gan = self.gan_loss(pred_fake, True, is_disc=False)
        loss_pixel = self.pixel_loss(fake, target)
        optimizers['generator'].update(loss_g_gan + loss_pixel)
        set_requires_grad(self.discriminator, True)

        return dict(loss_d=loss_d.detach(), loss_d_real=loss_d_real.detach(),
                    loss_d_fake=loss_d_fake.detach(), loss_g_gan=loss_g_gan.detach(),
                    loss_pixel=loss_pixel.detach())
