"""Pix2Pix: conditional GAN with an L1 term (Isola et al. 2017), and the variants
that are configurations of it.

    L_D = disc_loss_weight * [ GAN(D(x, y), real) + GAN(D(x, G(x)), fake) ] (+ GP)
    L_G = GAN(D(x, G(x)), real) + 100 |y - G(x)|_1 (+ feature loss + TV loss)

- Pix2Pix: vanilla GAN + L1, one D and one G update per iteration.
- Auto-painter (Liu et al. 2017): add `perceptual_loss` and `tv_loss`.
- WGAN-GP (SketchSause maps): gan_loss 'wgan', `gradient_penalty`, `n_critic` critic
  updates per generator update, a critic without batch norm.
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
        perceptual_loss, tv_loss: optional generator losses (Auto-painter).
        gradient_penalty: optional critic loss (`GradientPenaltyLoss`, WGAN-GP), on
            interpolated targets with the same source.
        n_critic: the discriminator is updated every iteration, each on a fresh batch,
            and the generator every `n_critic`-th iteration (WGAN-GP: 3 or 5).
        disc_loss_weight: the reference halves D's loss to slow D relative to G
            (use 1.0 for WGAN-GP).
        init_type, init_gain: weight init of both networks (pix2pix: N(0, 0.02)).
        image_size, test_mode, ema_decay, hints: see `ImageTranslationModel`.
        hint_loss_weight: weight of an extra L1 term at the hinted pixels only (mean
            absolute error there), so the model paints what the user asked for where
            it was asked; 0 leaves the hinted pixels to the image-wide pixel loss.
    """

    def __init__(self, generator: dict, discriminator: dict,
                 gan_loss: dict = dict(type='GANLoss', gan_type='vanilla'),
                 pixel_loss: dict | None = dict(type='L1Loss', loss_weight=100.0),
                 perceptual_loss: dict | None = None, tv_loss: dict | None = None,
                 gradient_penalty: dict | None = None, n_critic: int = 1,
                 disc_loss_weight: float = 0.5, init_type: str = 'normal',
                 init_gain: float = 0.02, image_size: int = 256, test_mode: str = 'eval',
                 ema_decay: float | None = None, hints: dict | None = None,
                 hint_loss_weight: float = 0.0):
        super().__init__(generator, image_size=image_size, test_mode=test_mode,
                         ema_decay=ema_decay, hints=hints)
        if n_critic < 1:
            raise ValueError(f'Pix2Pix: n_critic={n_critic} must be at least 1')
        self.discriminator = MODELS.build(discriminator)
        self.gan_loss = LOSSES.build(gan_loss)
        # Optional terms stay None when the config leaves them out.
        self.pixel_loss = LOSSES.build(pixel_loss) if pixel_loss else None
        self.perceptual_loss = LOSSES.build(perceptual_loss) if perceptual_loss else None
        self.tv_loss = LOSSES.build(tv_loss) if tv_loss else None
        self.gradient_penalty = LOSSES.build(gradient_penalty) if gradient_penalty else None
        self.n_critic = n_critic
        if hint_loss_weight and hints is None:
            raise ValueError('Pix2Pix: hint_loss_weight needs `hints`')
        self.hint_loss_weight = hint_loss_weight
        self.disc_loss_weight = disc_loss_weight
        init_weights(self.generator, init_type, init_gain)
        init_weights(self.discriminator, init_type, init_gain)
        self.init_ema()

    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        return {'generator': ('generator',), 'discriminator': ('discriminator',)}

    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0
                   ) -> dict[str, torch.Tensor]:
        """One D update, then a G update when `iteration` completes `n_critic` D
        updates; returns detached losses for logging."""
        source, target = batch['source'], batch['target']
        hints = self.hint_sampler(target) if self.hint_sampler else None
        fake = self.generator(self.generator_input(source, hints))
        log = self.discriminator_step(source, target, fake, optimizers['discriminator'])
        if (iteration + 1) % self.n_critic == 0:
            log.update(self.generator_step(source, target, fake, optimizers['generator'],
                                           hints))
        return log

    def discriminator_step(self, source, target, fake, optimizer) -> dict:
        set_requires_grad(self.discriminator, True)
        pred_real = self.discriminator(torch.cat([source, target], dim=1))
        pred_fake = self.discriminator(torch.cat([source, fake.detach()], dim=1))
        loss_d_real = self.gan_loss(pred_real, True, is_disc=True)
        loss_d_fake = self.gan_loss(pred_fake, False, is_disc=True)
        loss_d = self.disc_loss_weight * (loss_d_real + loss_d_fake)
        log = dict(loss_d_real=loss_d_real.detach(), loss_d_fake=loss_d_fake.detach())
        if self.gradient_penalty is not None:
            loss_gp = self.gradient_penalty(self.discriminator, target, fake, condition=source)
            loss_d = loss_d + loss_gp
            log['loss_gp'] = loss_gp.detach()
        optimizer.update(loss_d)
        return dict(loss_d=loss_d.detach(), **log)

    def generator_step(self, source, target, fake, optimizer, hints=None) -> dict:
        # D's weights get no gradient from G's loss (and DDP sees no unused params).
        set_requires_grad(self.discriminator, False)
        pred_fake = self.discriminator(torch.cat([source, fake], dim=1))
        log = dict(loss_g_gan=self.gan_loss(pred_fake, True, is_disc=False))
        if self.pixel_loss is not None:
            log['loss_pixel'] = self.pixel_loss(fake, target)
        if self.perceptual_loss is not None:
            log['loss_feature'] = self.perceptual_loss(fake, target)
        if self.tv_loss is not None:
            log['loss_tv'] = self.tv_loss(fake)
        if self.hint_loss_weight and hints is not None:
            mask = hints[:, -1:]
            error = ((fake - target).abs() * mask).sum() / (mask.sum() * fake.shape[1]
                                                            ).clamp_min(1)
            log['loss_hint'] = self.hint_loss_weight * error
        optimizer.update(sum(log.values()))
        set_requires_grad(self.discriminator, True)
        return {name: loss.detach() for name, loss in log.items()}
