"""Rough sketch simplification (Simo-Serra et al. 2016): a fully-convolutional
network trained with a weighted MSE (the histogram loss map) to turn a rough
sketch into clean lines, on pairs made by roughening clean drawings.

The data and the rest of the library keep images in [-1, 1]; the network works
in grey [0, 1] (1 = paper), so this class converts at its edges. Inference runs
at the image's own size (any size: the network pads to a multiple of 8), tile by
tile when `tile` is set, and `simplify` controls the strength by rescaling the
input first, as the paper does (s = 1, 0.5, 0.25).
"""
from __future__ import annotations

import torch
from PIL import Image

from sketchgen.models.algorithms.base import ImageTranslationModel
from sketchgen.models.generators.simplification import RECEPTIVE_RADIUS, tiled_forward
from sketchgen.registry import LOSSES, MODELS


def to_unit(x: torch.Tensor) -> torch.Tensor:
    return (x + 1) / 2


@MODELS.register_module()
class SketchSimplification(ImageTranslationModel):
    """Args:
        generator: network config, e.g. dict(type='SketchSimplificationNet', width=0.25).
        loss: config of the loss between output and clean target, both [0, 1]
            (default the paper's loss-map MSE).
        tile, tile_overlap: inference tile side and overlap in pixels (see
            `tiled_forward`); tile None runs whole images.
        image_size: None: inference runs at the input's own size. An int resizes
            inputs to it, as the other algorithms do.
        test_mode, ema_decay: see `ImageTranslationModel`.
    """

    def __init__(self, generator: dict, loss: dict = dict(type='LossMapMSELoss'),
                 tile: int | None = None, tile_overlap: int = RECEPTIVE_RADIUS,
                 image_size: int | None = None, test_mode: str = 'eval',
                 ema_decay: float | None = None):
        super().__init__(generator, image_size=image_size, test_mode=test_mode,
                         ema_decay=ema_decay)
        if self.source_channels != 1:
            raise ValueError(f'SketchSimplification: the generator must take grey images '
                             f'(in_channels=1), got {self.source_channels}')
        self.loss = LOSSES.build(loss)
        self.tile, self.tile_overlap = tile, tile_overlap
        self.init_ema()

    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0
                   ) -> dict[str, torch.Tensor]:
        clean = self.generator(to_unit(batch['source']))
        loss = self.loss(clean, to_unit(batch['target']))
        optimizers['generator'].update(loss)
        return dict(loss=loss.detach())

    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints: torch.Tensor | None = None,
                 tile: int | None = None) -> torch.Tensor:
        """The clean sketch in [-1, 1] for a [-1, 1] grey batch of any size; `tile`
        overrides the configured tile size."""
        if hints is not None:
            raise ValueError('SketchSimplification takes no colour hints')
        tile = tile or self.tile
        net = self.inference_generator
        forward = (lambda x: tiled_forward(net, x, tile, self.tile_overlap)) if tile else None
        return self.run_inference(net, to_unit(source), forward=forward) * 2 - 1

    @torch.no_grad()
    def simplify(self, image: Image.Image, scale: float = 1.0, tile: int | None = None
                 ) -> Image.Image:
        """Clean up a rough sketch (any PIL image; returned grey, same size).

        `scale` < 1 shrinks the sketch before simplifying, so the network sees
        finer strokes and merges more of them (stronger simplification); the
        result is resized back to the input size.
        """
        if not 0 < scale <= 4:
            raise ValueError(f'simplify: scale={scale} must be in (0, 4]')
        grey = image.convert('L')
        size = grey.size
        if scale != 1:
            grey = grey.resize(tuple(max(1, round(d * scale)) for d in size),
                               Image.LANCZOS if scale < 1 else Image.BICUBIC)
        clean = self.infer(grey, keep_size=True, tile=tile)
        return clean.resize(size, Image.BICUBIC) if clean.size != size else clean
