"""RoI-GAN: region-selected, controllable inpainting (the RoI-GAN master thesis,
chapter 3; source document 004 of the project).

The generator sees the image with the region of interest blanked and the mask; it
fills the region from its encoder's global style (μ, σ) reparameterised by a mapped
latent z = (z0, c), where c holds the slider codes. The output is composited,
x_c = m·G + (1 − m)·x, so pixels outside the region are never changed.

    L_D = hinge(D(x + noise, m), real) + hinge(D(x_c, m), fake)
          + 5 · GP(t = α x + (1−α) x_c, gradient · (1 − m)) + 1e-4 · mean D(x, m)²
    L_G = −mean D(x_c, m) + 0.5 · TV(G inside m) + 5 · [P(x, G) + P(x, x_c)] + 1 · FM
          + 0.5 · KL(μ, log σ²) + 0.5 · (NLL(c_cont | Q) + CE(c_disc | Q))

The thesis writes the last two terms as −0.5·L_VAE − 0.5·L_I with L_VAE and L_I the
bounds to maximise; these are the same terms as losses to minimise. The KL is on μ
(the thesis' code passed the sampled vector, a bug). Q reads D's trunk on the
composite, whose region holds what the codes generated (the thesis writes x_g; the
composite also spares a third pass through D). Q is trained with the generator.
Learning rates: the thesis text says D 1e-4, G 3e-4 (the configs' default); its code
used G 1e-4, D 3e-4 (`configs/roigan/*_thesis-code-lr*`).
"""
from __future__ import annotations

import torch

from sketchgen.models.algorithms.base import ImageTranslationModel, set_requires_grad
from sketchgen.models.algorithms.inpainting import InpaintingMixin
from sketchgen.models.roi_layers import equalize_learning_rate
from sketchgen.registry import LOSSES, MODELS


@MODELS.register_module()
class RoIGAN(InpaintingMixin, ImageTranslationModel):
    """Args:
        generator: `RoIGANGenerator` config.
        discriminator: `RoIGANDiscriminator` config.
        q_head: `InfoQHead` config; its input width and code sizes default to the
            discriminator's trunk and the generator's codes.
        gan_loss: hinge. gradient_penalty: weight 5, on the gradient outside the RoI.
        zero_centring_weight: 1e-4 · mean D(real)² (ProGAN's drift term).
        feature_matching_loss: weight 1, on D's trunk (real vs composite).
        perceptual_loss: weight 5, applied twice (real vs generated, real vs composite);
            None leaves it out.
        tv_loss: weight 0.5, inside the RoI. kl_loss: weight 0.5. info_loss: weight 0.5.
        reconstruction_loss: not in the thesis; e.g. dict(type='L1Loss', loss_weight=100)
            on the composite vs the real image (so it counts the RoI only), the pixel
            term of the Pix2Pix baseline, for short runs (docs/roigan.md). None: off.
        instance_noise: std of the Gaussian noise on real images for D (0.05).
        equalized_lr: ProGAN's equalised learning rate on the generator.
        image_size, test_mode, ema_decay: see `ImageTranslationModel`.
    """

    def __init__(self, generator: dict, discriminator: dict,
                 q_head: dict = dict(type='InfoQHead'),
                 gan_loss: dict = dict(type='GANLoss', gan_type='hinge'),
                 gradient_penalty: dict | None = dict(type='GradientPenaltyLoss',
                                                      loss_weight=5.0),
                 zero_centring_weight: float = 1e-4,
                 feature_matching_loss: dict | None = dict(type='FeatureMatchingLoss',
                                                           loss_weight=1.0),
                 perceptual_loss: dict | None = None,
                 tv_loss: dict | None = dict(type='TotalVariationLoss', loss_weight=0.5),
                 kl_loss: dict | None = dict(type='KLDivergenceLoss', loss_weight=0.5),
                 info_loss: dict | None = dict(type='InfoLoss', loss_weight=0.5),
                 reconstruction_loss: dict | None = None,
                 instance_noise: float = 0.05, equalized_lr: bool = True,
                 image_size: int = 64, test_mode: str = 'eval',
                 ema_decay: float | None = None):
        super().__init__(generator, image_size=image_size, test_mode=test_mode,
                         ema_decay=ema_decay)
        self.discriminator = MODELS.build(discriminator)
        g = self.generator
        self.q_head = MODELS.build(q_head, default_args=dict(
            in_channels=self.discriminator.trunk_channels,
            continuous_codes=g.continuous_codes, discrete_codes=g.discrete_codes,
            discrete_values=g.discrete_values))
        self.gan_loss = LOSSES.build(gan_loss)
        self.gradient_penalty = LOSSES.build(gradient_penalty) if gradient_penalty else None
        self.zero_centring_weight = zero_centring_weight
        self.feature_matching_loss = (LOSSES.build(feature_matching_loss)
                                      if feature_matching_loss else None)
        self.perceptual_loss = LOSSES.build(perceptual_loss) if perceptual_loss else None
        self.tv_loss = LOSSES.build(tv_loss) if tv_loss else None
        self.kl_loss = LOSSES.build(kl_loss) if kl_loss else None
        self.info_loss = LOSSES.build(info_loss) if info_loss else None
        self.reconstruction_loss = (LOSSES.build(reconstruction_loss) if reconstruction_loss
                                    else None)
        self.instance_noise = instance_noise
        if equalized_lr:
            equalize_learning_rate(self.generator)
        self.init_ema()

    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        return {'generator': ('generator', 'q_head'), 'discriminator': ('discriminator',)}

    # ------------------------------------------------------------------ training
    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0
                   ) -> dict[str, torch.Tensor]:
        real, mask = batch['target'], batch['mask']
        skips, mu, logvar = self.generator.encode(real * (1 - mask), mask)
        z, controls, discrete = self.generator.sample_latent(len(real), device=real.device)
        generated = self.generator.decode(self.generator.style(z, mu, logvar), mask, skips)
        composite = mask * generated + (1 - mask) * real
        log = self.discriminator_step(real, mask, composite, optimizers['discriminator'])
        log.update(self.generator_step(real, mask, generated, composite, mu, logvar,
                                       controls, discrete, optimizers['generator']))
        return log

    def discriminator_step(self, real, mask, composite, optimizer) -> dict:
        set_requires_grad(self.discriminator, True)
        noisy_real = real + self.instance_noise * torch.randn_like(real)
        scores_real, _ = self.discriminator(noisy_real, mask)
        scores_fake, _ = self.discriminator(composite.detach(), mask)
        loss_d_real = self.gan_loss(scores_real, True, is_disc=True)
        loss_d_fake = self.gan_loss(scores_fake, False, is_disc=True)
        log = dict(loss_d_real=loss_d_real.detach(), loss_d_fake=loss_d_fake.detach())
        loss_d = loss_d_real + loss_d_fake
        if self.gradient_penalty is not None:
            loss_gp = self.gradient_penalty(lambda image: self.discriminator(image, mask)[0],
                                            real, composite, mask=1 - mask)
            loss_d = loss_d + loss_gp
            log['loss_gp'] = loss_gp.detach()
        if self.zero_centring_weight:
            loss_zero = self.zero_centring_weight * scores_real.pow(2).mean()
            loss_d = loss_d + loss_zero
            log['loss_zero_centring'] = loss_zero.detach()
        optimizer.update(loss_d)
        return dict(loss_d=loss_d.detach(), **log)

    def generator_step(self, real, mask, generated, composite, mu, logvar, controls,
                       discrete, optimizer) -> dict:
        set_requires_grad(self.discriminator, False)
        scores, features = self.discriminator(composite, mask)
        log = dict(loss_g_gan=self.gan_loss(scores, True, is_disc=False))
        if self.feature_matching_loss is not None:
            with torch.no_grad():
                real_scores, real_features = self.discriminator(real, mask)
            log['loss_feature_matching'] = self.feature_matching_loss(
                [*features, scores], [*real_features, real_scores])
        if self.perceptual_loss is not None:
            log['loss_perceptual'] = (self.perceptual_loss(generated, real)
                                      + self.perceptual_loss(composite, real))
        if self.reconstruction_loss is not None:
            log['loss_reconstruction'] = self.reconstruction_loss(composite, real)
        if self.tv_loss is not None:
            log['loss_tv'] = self.tv_loss(generated, mask)
        if self.kl_loss is not None:
            log['loss_kl'] = self.kl_loss(mu, logvar)
        if self.info_loss is not None:
            log['loss_info'] = self.info_loss(*self.q_head(features[-1]), controls, discrete)
        optimizer.update(sum(log.values()))
        set_requires_grad(self.discriminator, True)
        return {name: loss.detach() for name, loss in log.items()}

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints: torch.Tensor | None = None,
                 mask: torch.Tensor | None = None, controls=None, discrete=None,
                 seed: int | None = None) -> torch.Tensor:
        """Composites in [−1, 1]: `source` images (any content inside the region),
        `mask` (N, 1, H, W) 1 inside it; `controls` (C values in [−1, 1], one row or
        one per image) and `discrete` (category per discrete code) fix the codes,
        else they are sampled; `seed` repeats the sampling."""
        if hints is not None:
            raise ValueError('RoI-GAN takes no colour hints')
        if mask is None:
            raise ValueError('RoI-GAN inpaints a region: pass its mask (1 inside)')
        mask = mask.to(source)
        net = self.inference_generator
        generator = (torch.Generator(self.device).manual_seed(seed) if seed is not None
                     else None)
        if controls is not None:
            controls = torch.as_tensor(controls, dtype=torch.float32)
            if controls.shape[-1] != net.continuous_codes:
                raise ValueError(f'controls: this model has {net.continuous_codes} slider '
                                 f'codes, got {controls.shape[-1]} values')
            controls = controls.reshape(-1, net.continuous_codes)
            if controls.abs().max() > 1:
                raise ValueError(f'controls must lie in [-1, 1], got values up to '
                                 f'{float(controls.abs().max()):.3g}')
        if discrete is not None:
            discrete = torch.as_tensor(discrete, dtype=torch.long)
            if discrete.shape[-1] != net.discrete_codes or discrete.min() < 0 \
                    or discrete.max() >= net.discrete_values:
                raise ValueError(f'discrete: this model has {net.discrete_codes} discrete '
                                 f'codes, each 0..{net.discrete_values - 1}; got '
                                 f'{discrete.tolist()}')
            discrete = discrete.reshape(-1, net.discrete_codes)
        z, _, _ = net.sample_latent(len(source), generator, controls, discrete,
                                    device=self.device)
        generated = self.run_inference(net, source * (1 - mask), mask, z)
        return mask * generated + (1 - mask) * source

    def generate_batch(self, batch: dict) -> torch.Tensor:
        source = batch['source'].to(self.device)
        return self.generate(source, mask=batch['mask'][:len(source)].to(self.device), seed=0)
