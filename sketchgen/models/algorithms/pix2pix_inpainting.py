"""Pix2Pix as an inpainting baseline (the RoI-GAN comparison): the U-Net reads the
image with its region blanked plus the mask (4 channels), the output is composited
m·G + (1 − m)·x, and the conditional PatchGAN judges (blanked image, mask, image).
Losses as Pix2Pix: GAN + 100·L1 (the L1 acts inside the region only, since the
composite equals the image outside it). No latent: one answer per image and mask.
"""
from __future__ import annotations

import torch

from sketchgen.models.algorithms.inpainting import InpaintingMixin
from sketchgen.models.algorithms.pix2pix import Pix2Pix
from sketchgen.registry import MODELS


@MODELS.register_module()
class Pix2PixInpainting(InpaintingMixin, Pix2Pix):
    """Args: as `Pix2Pix`; the generator takes 4 channels (image + mask) and the
    discriminator 7 (image + mask + judged image). No hints."""

    def __init__(self, generator: dict, discriminator: dict, **kwargs):
        if kwargs.get('hints') is not None:
            raise ValueError('Pix2PixInpainting takes no colour hints')
        super().__init__(generator, discriminator, **kwargs)
        if getattr(self.generator, 'in_channels', 4) != 4:
            raise ValueError('Pix2PixInpainting: the generator reads the blanked image and '
                             f'the mask, in_channels=4; got {self.generator.in_channels}')
        self.source_channels = 3

    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0
                   ) -> dict[str, torch.Tensor]:
        image, mask = batch['target'], batch['mask']
        condition = torch.cat([image * (1 - mask), mask], dim=1)
        fake = mask * self.generator(condition) + (1 - mask) * image
        log = self.discriminator_step(condition, image, fake, optimizers['discriminator'])
        if (iteration + 1) % self.n_critic == 0:
            log.update(self.generator_step(condition, image, fake, optimizers['generator']))
        return log

    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints=None, mask: torch.Tensor | None = None,
                 seed: int | None = None) -> torch.Tensor:
        """Composites in [−1, 1] of `source` images with `mask`'s regions filled."""
        if mask is None:
            raise ValueError('Pix2PixInpainting fills a region: pass its mask (1 inside)')
        mask = mask.to(source)
        if seed is not None:
            torch.manual_seed(seed)  # test_mode='train' keeps dropout on
        generated = self.run_inference(self.inference_generator,
                                       torch.cat([source * (1 - mask), mask], dim=1))
        return mask * generated + (1 - mask) * source

    def generate_batch(self, batch: dict) -> torch.Tensor:
        source = batch['source'].to(self.device)
        return self.generate(source, mask=batch['mask'][:len(source)].to(self.device), seed=0)
