"""Colour hints: sparse colour strokes that tell the generator which colour goes where.

A hint map has 4 channels next to the sketch: RGB in [-1, 1] at hinted pixels (0
elsewhere) and a mask (1 at hinted pixels). During training hints are sampled
from the target, a random number of them including none, so the model also
learns to colour without any; at inference the user paints them (an RGBA image
whose opaque pixels are hints).
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

HINT_CHANNELS = 4


class ColourHintSampler:
    """Sample up to `max_hints` square patches (1 to `max_size` px wide) per image,
    each carrying the mean target colour under it. Patch centres favour coloured
    pixels (`coloured_bias` times the weight of near-white background), where a
    hint is informative."""

    def __init__(self, max_hints: int = 16, max_size: int = 3, coloured_bias: float = 9.0):
        if max_hints < 0 or max_size < 1:
            raise ValueError(f'ColourHintSampler: max_hints={max_hints} must be >= 0 and '
                             f'max_size={max_size} >= 1')
        self.max_hints, self.max_size, self.coloured_bias = max_hints, max_size, coloured_bias

    def __call__(self, target: torch.Tensor, count: int | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Hints for a [-1, 1] target batch; `count` fixes the number per image."""
        n, _, h, w = target.shape
        hints = target.new_zeros(n, HINT_CHANNELS, h, w)
        coloured = (target < 0.8).any(1).flatten(1).float()  # below ~0.9 in [0, 1]
        weights = (1 + self.coloured_bias * coloured).cpu()
        for i in range(n):
            k = count if count is not None else int(
                torch.randint(0, self.max_hints + 1, (), generator=generator))
            if k == 0:
                continue
            centres = torch.multinomial(weights[i], k, replacement=True, generator=generator)
            sizes = torch.randint(1, self.max_size + 1, (k,), generator=generator)
            for centre, size in zip(centres.tolist(), sizes.tolist()):
                y0, x0 = max(centre // w - size // 2, 0), max(centre % w - size // 2, 0)
                patch = (slice(y0, min(y0 + size, h)), slice(x0, min(x0 + size, w)))
                colour = target[i, :, patch[0], patch[1]].mean((1, 2))
                hints[i, :3, patch[0], patch[1]] = colour[:, None, None]
                hints[i, 3, patch[0], patch[1]] = 1
        return hints


def hints_from_image(image: Image.Image | str, size: tuple[int, int] | None = None
                     ) -> torch.Tensor:
    """A (4, H, W) hint map from an RGBA image: every pixel with alpha > 0 is a hint of
    its RGB colour. Resized with nearest neighbour to `size` (w, h) when given."""
    source = image if isinstance(image, Image.Image) else Image.open(image)
    if source.mode != 'RGBA':
        raise ValueError(f'hints: {getattr(source, "filename", "the hint image") or "image"} '
                         f'is {source.mode}; paint hints on a transparent RGBA image (PNG) '
                         'so unpainted pixels carry no hint')
    if size is not None and source.size != tuple(size):
        source = source.resize(tuple(size), Image.NEAREST)
    rgba = torch.from_numpy(np.asarray(source, dtype=np.float32) / 255).permute(2, 0, 1)
    mask = (rgba[3:] > 0).float()
    return torch.cat([(rgba[:3] * 2 - 1) * mask, mask])
