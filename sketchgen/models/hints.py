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
    """Sample hints per image from the target: dots (square patches 1 to `max_size`
    px wide, carrying the mean target colour under them) or strokes.

    Hint centres favour coloured pixels (`coloured_bias` times the weight of
    near-white background), where a hint is informative.

    Args:
        max_hints: the most hints per image.
        max_size: dot width / stroke width in pixels (1 to max_size).
        coloured_bias: extra weight of coloured pixels as hint centres.
        count: how many hints an image gets: 'uniform' on 0..max_hints, or
            'geometric' (P(k) ~ (1 - p)^k p, capped at max_hints), which puts
            most images at a few hints as users give them (Zhang et al. 2017).
        geometric_p: p of the geometric count; mean (1 - p) / p hints.
        stroke_length: 0 for dots; otherwise each hint is a straight stroke of 1
            to `stroke_length` px in a random direction, painted in the colour of
            its first pixel and cut where the target leaves that colour (by more
            than `stroke_tolerance` in [-1, 1] on any channel), as a user paints
            inside a region.
    """

    COUNTS = ('uniform', 'geometric')

    def __init__(self, max_hints: int = 16, max_size: int = 3, coloured_bias: float = 9.0,
                 count: str = 'uniform', geometric_p: float = 0.125,
                 stroke_length: int = 0, stroke_tolerance: float = 0.1):
        if max_hints < 0 or max_size < 1:
            raise ValueError(f'ColourHintSampler: max_hints={max_hints} must be >= 0 and '
                             f'max_size={max_size} >= 1')
        if count not in self.COUNTS:
            raise ValueError(f'ColourHintSampler: count={count!r} is not one of {self.COUNTS}')
        if not 0 < geometric_p <= 1:
            raise ValueError(f'ColourHintSampler: geometric_p={geometric_p} must be in (0, 1]')
        if stroke_length < 0:
            raise ValueError(f'ColourHintSampler: stroke_length={stroke_length} must be >= 0')
        self.max_hints, self.max_size, self.coloured_bias = max_hints, max_size, coloured_bias
        self.count, self.geometric_p = count, geometric_p
        self.stroke_length, self.stroke_tolerance = stroke_length, stroke_tolerance

    def draw_count(self, generator: torch.Generator | None = None) -> int:
        if self.count == 'uniform':
            return int(torch.randint(0, self.max_hints + 1, (), generator=generator))
        # inverse CDF of the geometric distribution on {0, 1, ...}
        u = float(torch.rand((), generator=generator))
        k = int(np.floor(np.log1p(-u) / np.log1p(-self.geometric_p))) \
            if self.geometric_p < 1 else 0
        return min(k, self.max_hints)

    def __call__(self, target: torch.Tensor, count: int | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Hints for a [-1, 1] target batch; `count` fixes the number per image."""
        n, _, h, w = target.shape
        # Painted in numpy: a stroke is many tiny slices, where torch's per-call cost
        # dominated the training step of the hints configs. Random draws stay torch's.
        image = target.detach().float().cpu().numpy()
        hints = np.zeros((n, HINT_CHANNELS, h, w), np.float32)
        coloured = (target < 0.8).any(1).flatten(1).float()  # below ~0.9 in [0, 1]
        weights = (1 + self.coloured_bias * coloured).cpu()
        for i in range(n):
            k = count if count is not None else self.draw_count(generator)
            if k == 0:
                continue
            centres = torch.multinomial(weights[i], k, replacement=True, generator=generator)
            sizes = torch.randint(1, self.max_size + 1, (k,), generator=generator)
            for centre, size in zip(centres.tolist(), sizes.tolist()):
                y, x = divmod(centre, w)
                if self.stroke_length:
                    self._paint_stroke(hints[i], image[i], y, x, size, generator)
                    continue
                y0, x0 = max(y - size // 2, 0), max(x - size // 2, 0)
                patch = (slice(y0, min(y0 + size, h)), slice(x0, min(x0 + size, w)))
                colour = image[i, :, patch[0], patch[1]].mean((1, 2))
                hints[i, :3, patch[0], patch[1]] = colour[:, None, None]
                hints[i, 3, patch[0], patch[1]] = 1
        return torch.from_numpy(hints).to(target)

    def _paint_stroke(self, hints: np.ndarray, target: np.ndarray, y: int, x: int,
                      width: int, generator: torch.Generator | None) -> None:
        """A straight stroke from (y, x) in the colour there, stopped where the
        target's colour changes; `width` px square brush, clipped the same way."""
        h, w = target.shape[-2:]
        colour = target[:, y, x].copy()
        length = int(torch.randint(1, self.stroke_length + 1, (), generator=generator))
        angle = float(torch.rand((), generator=generator)) * 2 * np.pi
        dy, dx = np.sin(angle), np.cos(angle)
        for step in range(length):
            cy, cx = int(round(y + step * dy)), int(round(x + step * dx))
            if not (0 <= cy < h and 0 <= cx < w) or \
                    np.abs(target[:, cy, cx] - colour).max() > self.stroke_tolerance:
                break
            y0, x0 = max(cy - width // 2, 0), max(cx - width // 2, 0)
            patch = target[:, y0:cy - width // 2 + width, x0:cx - width // 2 + width]
            inside = np.abs(patch - colour[:, None, None]).max(0) <= self.stroke_tolerance
            region = hints[:, y0:y0 + patch.shape[1], x0:x0 + patch.shape[2]]
            region[:3][:, inside] = colour[:, None]
            region[3][inside] = 1


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


def spread_hints(hints: torch.Tensor, source: torch.Tensor, paper: float = 0.0,
                 close: int = 1, spread_mask: float = 0.5) -> torch.Tensor:
    """Carry each hint's colour over the sketch region it falls in, as a user means a
    dot on a shirt: the regions are the connected areas of paper between the lines.

    A region with several hints takes, at each pixel, the colour of the nearest hint
    inside it. The given hint pixels keep mask 1; the pixels coloured by spreading get
    mask `spread_mask`, so the generator can tell a hint from its spread.

    Args:
        hints: (N, 4, H, W) hint maps (RGB in [-1, 1], mask), see `ColourHintSampler`.
        source: (N, C, H, W) sketches in [-1, 1], dark lines on light paper.
        paper: pixels whose channel mean is above this are paper (in [-1, 1]).
        close: dilate the lines by this many pixels before finding regions, so a gap of
            up to 2 * close px in a line does not join two regions (0: as drawn).
        spread_mask: the mask value of the spread pixels.
    """
    from scipy import ndimage
    out = hints.clone()
    lines = (source.float().mean(1) <= paper).cpu().numpy()
    given_all = (hints[:, 3] > 0).cpu().numpy()
    colours_all = hints[:, :3].float().cpu().numpy()
    brush = np.ones((2 * close + 1,) * 2, bool)
    for i in range(len(hints)):
        given = given_all[i]
        if not given.any():
            continue
        walls = ndimage.binary_dilation(lines[i], brush) if close else lines[i]
        labels, _ = ndimage.label(~walls)
        rgb = np.zeros_like(colours_all[i])
        spread = np.zeros_like(given)
        for region_id in np.unique(labels[given]):
            if region_id == 0:       # a hint pixel on a line: it stays where it is
                continue
            region = labels == region_id
            _, (iy, ix) = ndimage.distance_transform_edt(~(given & region), return_indices=True)
            rgb[:, region] = colours_all[i][:, iy[region], ix[region]]
            spread |= region
        spread &= ~given
        if spread.any():
            where = torch.from_numpy(spread).to(out.device)
            out[i, :3] = torch.where(where, torch.from_numpy(rgb).to(out), out[i, :3])
            out[i, 3] = torch.where(where, torch.full_like(out[i, 3], spread_mask), out[i, 3])
    return out
