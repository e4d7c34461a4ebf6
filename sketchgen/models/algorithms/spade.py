"""SPADE: semantic image synthesis with spatially-adaptive normalisation (Park et
al. 2019), and reference-guided colouring with its style encoder.

    L_D = hinge(D(m, x), real) + hinge(D(m, G(m, z)), fake)          (mean over scales)
    L_G = -D(m, G(m, z)) + 10 FM + 10 perceptual (+ 0.05 KL(q(z|x) || N(0, I)))

m is the conditioning map: a one-hot label map (`num_classes` set) or any
continuous map such as a sketch. Without a style encoder the generator starts from
the down-sampled map and is deterministic; with one, z = μ(x) + σ(x)·ε is encoded
from the real image while training, and at test time taken from a *reference*
image ("colour this sketch like that one") or sampled from N(0, I) (diverse
outputs). D and G are updated once per iteration, D first, on one generator
forward (the SPADE code regenerates the fake for D after G's step; one forward
saves a third of the generator's cost). Optimisers: TTUR, G 1e-4 and D 4e-4 with
betas (0, 0.9), in the configs.
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from sketchgen.data.labels import colourise, one_hot
from sketchgen.models.algorithms.base import ImageTranslationModel, set_requires_grad
from sketchgen.models.init import init_weights
from sketchgen.registry import LOSSES, MODELS

EVAL_LATENTS = ('sample', 'target')


@MODELS.register_module()
class SPADE(ImageTranslationModel):
    """Args:
        generator: `SPADEGenerator` config; with an encoder it must set `z_dim`.
        discriminator: `MultiscaleDiscriminator` config; it judges concat(map, image),
            so in_channels = map channels + image channels.
        encoder: optional `SPADEStyleEncoder` config (the VAE): z from an image.
        num_classes: the source is an integer label map with this many classes, fed
            one-hot; None: the source is a continuous map (a sketch).
        gan_loss: hinge by default. feature_matching_loss: λ 10.
        perceptual_loss: VGG19 (weights 1/32 ... 1, λ 10) or EfficientNet-Lite0 offline.
        kl_loss: with the encoder, λ 0.05.
        eval_latent: what z evaluation (tools/test.py, validation) uses with an
            encoder: 'sample' (N(0, I), seeded: no peeking at the target) or 'target'
            (the target as its own reference: how well a reference's colours carry).
        init_type, init_gain: SPADE initialises with xavier, gain 0.02.
        image_size, test_mode, ema_decay: see `ImageTranslationModel`.
    """

    def __init__(self, generator: dict, discriminator: dict, encoder: dict | None = None,
                 num_classes: int | None = None,
                 gan_loss: dict = dict(type='GANLoss', gan_type='hinge'),
                 feature_matching_loss: dict | None = dict(type='FeatureMatchingLoss',
                                                           loss_weight=10.0),
                 perceptual_loss: dict | None = None,
                 kl_loss: dict | None = dict(type='KLDivergenceLoss', loss_weight=0.05),
                 eval_latent: str = 'sample', init_type: str = 'xavier',
                 init_gain: float = 0.02, image_size: int | tuple[int, int] = 256,
                 test_mode: str = 'eval', ema_decay: float | None = None):
        super().__init__(generator, image_size=image_size, test_mode=test_mode,
                         ema_decay=ema_decay)
        self.discriminator = MODELS.build(discriminator)
        self.encoder = MODELS.build(encoder) if encoder else None
        z_dim = getattr(self.generator, 'z_dim', None)
        if (self.encoder is None) != (z_dim is None):
            raise ValueError('SPADE: a style encoder and a generator that starts from z go '
                             f'together; got encoder={"set" if encoder else None} and '
                             f'generator z_dim={z_dim}')
        if self.encoder is not None and self.encoder.fc_mu.out_features != z_dim:
            raise ValueError(f'SPADE: the encoder gives z of size '
                             f'{self.encoder.fc_mu.out_features}, the generator takes {z_dim}')
        map_channels = getattr(self.generator, 'in_channels', None)
        if num_classes is not None and map_channels != num_classes:
            raise ValueError(f'SPADE: num_classes={num_classes} but the generator takes '
                             f'map_channels={map_channels}; they must be equal')
        if eval_latent not in EVAL_LATENTS:
            raise ValueError(f'SPADE: eval_latent={eval_latent!r} is not one of {EVAL_LATENTS}')
        self.num_classes, self.z_dim, self.eval_latent = num_classes, z_dim, eval_latent
        self.gan_loss = LOSSES.build(gan_loss)
        self.feature_matching_loss = (LOSSES.build(feature_matching_loss)
                                      if feature_matching_loss else None)
        self.perceptual_loss = LOSSES.build(perceptual_loss) if perceptual_loss else None
        self.kl_loss = LOSSES.build(kl_loss) if kl_loss and self.encoder is not None else None
        for net in (self.generator, self.discriminator, self.encoder):
            if net is not None:
                init_weights(net, init_type, init_gain)
        self.init_ema()

    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        generator = ('generator', 'encoder') if self.encoder is not None else ('generator',)
        return {'generator': generator, 'discriminator': ('discriminator',)}

    # ------------------------------------------------------------------ the map and z
    def condition(self, source: torch.Tensor) -> torch.Tensor:
        """The conditioning map: one-hot for label maps, the source itself otherwise."""
        if self.num_classes is None:
            return source
        if source.dtype.is_floating_point and source.dim() == 4 \
                and source.shape[1] == self.num_classes:
            return source  # already one-hot
        return one_hot(source, self.num_classes).to(self.device)

    def encode(self, image: torch.Tensor, generator: torch.Generator | None = None):
        """(z, μ, log σ²) of an image: z = μ + σ·ε, the reparameterisation trick."""
        mu, logvar = self.encoder(image)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + eps * torch.exp(0.5 * logvar), mu, logvar

    def sample_z(self, n: int, seed: int | None = None) -> torch.Tensor:
        generator = torch.Generator(self.device).manual_seed(seed) if seed is not None else None
        return torch.randn(n, self.z_dim, generator=generator, device=self.device)

    # ------------------------------------------------------------------ training
    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0
                   ) -> dict[str, torch.Tensor]:
        condition_map, real = self.condition(batch['source']), batch['target']
        z = mu = logvar = None
        if self.encoder is not None:
            z, mu, logvar = self.encode(real)
        fake = self.generator(condition_map, z)
        log = self.discriminator_step(condition_map, real, fake, optimizers['discriminator'])
        log.update(self.generator_step(condition_map, real, fake, mu, logvar,
                                       optimizers['generator']))
        return log

    def judge(self, condition_map: torch.Tensor, image: torch.Tensor) -> list[list]:
        return self.discriminator(torch.cat([condition_map, image], dim=1))

    def adversarial(self, outputs: list[list], target_is_real: bool, is_disc: bool):
        """The GAN loss averaged over the discriminator's scales (logits last)."""
        losses = [self.gan_loss(scale[-1], target_is_real, is_disc=is_disc) for scale in outputs]
        return sum(losses) / len(losses)

    def discriminator_step(self, condition_map, real, fake, optimizer) -> dict:
        set_requires_grad(self.discriminator, True)
        loss_d_fake = self.adversarial(self.judge(condition_map, fake.detach()), False, True)
        loss_d_real = self.adversarial(self.judge(condition_map, real), True, True)
        loss_d = loss_d_fake + loss_d_real
        optimizer.update(loss_d)
        return dict(loss_d=loss_d.detach(), loss_d_real=loss_d_real.detach(),
                    loss_d_fake=loss_d_fake.detach())

    def generator_step(self, condition_map, real, fake, mu, logvar, optimizer) -> dict:
        set_requires_grad(self.discriminator, False)
        pred_fake = self.judge(condition_map, fake)
        log = dict(loss_g_gan=self.adversarial(pred_fake, True, False))
        if self.feature_matching_loss is not None:
            with torch.no_grad():
                pred_real = self.judge(condition_map, real)
            log['loss_feature_matching'] = self.feature_matching_loss(pred_fake, pred_real)
        if self.perceptual_loss is not None:
            log['loss_perceptual'] = self.perceptual_loss(fake, real)
        if self.kl_loss is not None:
            log['loss_kl'] = self.kl_loss(mu, logvar)
        optimizer.update(sum(log.values()))
        set_requires_grad(self.discriminator, True)
        return {name: loss.detach() for name, loss in log.items()}

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints: torch.Tensor | None = None,
                 reference: torch.Tensor | None = None, z: torch.Tensor | None = None,
                 seed: int | None = None) -> torch.Tensor:
        """Images in [-1, 1] for a batch of maps. With a style encoder, z is taken
        from `z`, else encoded from `reference` ([-1, 1] images, one per map or one
        for all), else sampled from N(0, I); `seed` makes the sampling repeatable."""
        if hints is not None:
            raise ValueError('SPADE takes no colour hints; a reference image gives colours')
        condition_map = self.condition(source)
        if self.encoder is None:
            if reference is not None or z is not None:
                raise ValueError('this SPADE model has no style encoder (no `encoder` in its '
                                 'config), so it takes no reference and no z')
            return self.run_inference(self.inference_generator, condition_map)
        n = len(condition_map)
        if z is None and reference is not None:
            generator = (torch.Generator(self.device).manual_seed(seed)
                         if seed is not None else None)
            with self.test_mode_of(self.encoder):
                z = self.encode(reference.to(self.device), generator)[0]
            if len(z) == 1 and n > 1:
                z = z.expand(n, -1)
        elif z is None:
            z = self.sample_z(n, seed)
        if z.shape != (n, self.z_dim):
            raise ValueError(f'z has shape {tuple(z.shape)}; this model takes ({n}, '
                             f'{self.z_dim}) for {n} maps')
        return self.run_inference(self.inference_generator, condition_map, z.to(self.device))

    def generate_batch(self, batch: dict) -> torch.Tensor:
        source = batch['source'].to(self.device)
        if self.encoder is None:
            return self.generate(source)
        if self.eval_latent == 'target':
            reference = batch['target'][:len(source)].to(self.device)
            return self.generate(source, reference=reference, seed=0)
        return self.generate(source, seed=0)

    def visualise_source(self, source: torch.Tensor) -> torch.Tensor:
        return colourise(source) if self.num_classes is not None else source

    @torch.no_grad()
    def infer(self, images, keep_size: bool = False, hints=None,
              reference: Image.Image | torch.Tensor | None = None, seed: int | None = None,
              **generate_args):
        """`ImageTranslationModel.infer`, plus: label maps (palette/'L' images of class
        indices, or integer tensors) for label models; `reference`, a colour image
        whose style the output takes; `seed`, for repeatable sampled z."""
        if reference is not None:
            if self.encoder is None:
                raise ValueError('this SPADE model has no style encoder, so it takes no '
                                 'reference image')
            reference = super()._to_model_input(reference, keep_size=False)[None]
        return super().infer(images, keep_size=keep_size, hints=hints, reference=reference,
                             seed=seed, **generate_args)

    def _to_model_input(self, image, keep_size: bool) -> torch.Tensor:
        if self.num_classes is None:
            return super()._to_model_input(image, keep_size)
        if isinstance(image, Image.Image):
            if image.mode not in ('P', 'L'):
                raise ValueError(f'infer: a label map must be a palette or grey image of class '
                                 f'indices, got mode {image.mode}')
            if not keep_size and image.size != self.image_size_wh:
                image = image.resize(self.image_size_wh, Image.NEAREST)
            image = torch.from_numpy(np.asarray(image, dtype=np.int64))
        labels = torch.as_tensor(image)
        if labels.dim() == 2:
            labels = labels[None]
        if not keep_size and labels.shape[-2:] != self.image_size_hw:
            labels = torch.nn.functional.interpolate(
                labels[None].float(), size=self.image_size_hw, mode='nearest')[0].long()
        return one_hot(labels, self.num_classes)[0]
