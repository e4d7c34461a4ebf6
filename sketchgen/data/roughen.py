"""Inverse dataset generation: make a rough sketch out of a clean drawing.

Simo-Serra et al. asked artists for clean line drawings and roughened them; the
reproduction in the seed did it by program (random noise, screen tones) and by
hand (smudged strokes), and found moderate noise better than heavy noise. The
`Roughen` transform does the programmatic part, in this order, all drawn from
the sample's random generator (so a seed gives the same rough sketch):

1. stroke copies: 1..n copies of the ink, each moved by a small random affine
   warp (offset up to `jitter` px, rotation and scale by up to `warp`), thickened
   or thinned by one pixel (`width`), and darkened by its own factor (`intensity`);
   the darkest copy wins at each pixel, as pencil over pencil does;
2. uneven pressure: a smooth random field scales the ink by up to `pressure`;
3. broken strokes: smooth random blobs covering `breaks` of the page erase ink;
4. screen tone: with probability `tone`, a dot or hatch pattern in smooth blobs
   beside the strokes;
5. paper grain: Gaussian grey noise of std `grain`;
6. blur: Gaussian, sigma uniform in `blur`.

Every change stays within `reach` pixels of the clean strokes (ink > 0.1): a
rough sketch is messy around its lines, and blank paper stays blank, which
also keeps blank patches blank for `RandomPatch` to reject.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image
from scipy import ndimage

from sketchgen.registry import TRANSFORMS

STROKE_INK = 0.1  # ink (1 - grey) above which a clean pixel is part of a stroke


def smooth_field(shape: tuple[int, int], sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth random noise over `shape`, rescaled to [0, 1]."""
    field = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode='wrap')
    low, high = field.min(), field.max()
    return (field - low) / (high - low) if high > low else np.zeros(shape)


def _warp(ink: np.ndarray, offset: np.ndarray, angle: float, scale: float) -> np.ndarray:
    """Rotate and scale `ink` about its centre and shift it by `offset` (y, x)."""
    c, s = math.cos(angle) / scale, math.sin(angle) / scale
    matrix = np.array([[c, -s], [s, c]])  # output -> input coordinates
    centre = (np.array(ink.shape) - 1) / 2
    start = centre - matrix @ (centre + offset)
    return ndimage.affine_transform(ink, matrix, start, order=1, mode='constant', cval=0.0)


def _tone_pattern(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A screen tone in [0, 1]: dots or parallel hatching, random period and angle."""
    yy, xx = np.mgrid[:shape[0], :shape[1]].astype(np.float64)
    period, angle = rng.uniform(3.0, 5.0), rng.uniform(0, math.pi)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    v = -xx * math.sin(angle) + yy * math.cos(angle)
    if rng.random() < 0.5:  # dots
        du = (u / period) % 1 - 0.5
        dv = (v / period) % 1 - 0.5
        return (du * du + dv * dv < 0.06).astype(np.float64)
    return ((u / period) % 1 < 0.3).astype(np.float64)  # hatching


# Named settings. 'moderate' is the default; 'light' and 'heavy' are the two
# sides of the seed's "moderate noise beats heavy noise" ablation.
PRESETS = {
    'moderate': dict(copies=(1, 3), jitter=1.5, warp=0.01, width=0.2, intensity=(0.7, 1.0),
                     pressure=0.3, breaks=0.05, tone=0.2, tone_darkness=0.3, grain=0.04,
                     blur=(0.0, 0.6)),
    'light': dict(copies=(1, 2), jitter=0.75, warp=0.005, width=0.1, intensity=(0.8, 1.0),
                  pressure=0.2, breaks=0.02, tone=0.0, tone_darkness=0.3, grain=0.02,
                  blur=(0.0, 0.4)),
    'heavy': dict(copies=(2, 4), jitter=2.5, warp=0.02, width=0.3, intensity=(0.5, 1.0),
                  pressure=0.5, breaks=0.12, tone=0.6, tone_darkness=0.45, grain=0.1,
                  blur=(0.3, 1.0)),
}


@TRANSFORMS.register_module()
class Roughen:
    """Make `sample[out_key]` (the rough input) from the clean `sample[key]`.

    Args:
        preset: 'light', 'moderate' or 'heavy' (PRESETS); `settings` override it.
        reach: how far from a clean stroke changes may go, in pixels; None derives
            it from jitter, width and blur.
        key, out_key: the clean image read and the rough image written (PIL 'L').
        settings (any of):
            copies: (min, max) number of stroke copies.
            jitter: largest offset of a copy, in pixels.
            warp: largest rotation (radians) and relative scale change of a copy.
            width: probability that a copy is thickened, and that it is thinned, by 1 px.
            intensity: (min, max) darkness factor of a copy.
            pressure: depth of the smooth pressure variation (0: none).
            breaks: share of the page where strokes are erased (0: none).
            tone: probability of screen tone; tone_darkness: its ink.
            grain: std of the paper-grain noise (0: none).
            blur: (min, max) Gaussian sigma.
    """

    def __init__(self, preset: str = 'moderate', reach: float | None = None,
                 key: str = 'target', out_key: str = 'source', **settings):
        if preset not in PRESETS:
            raise ValueError(f'Roughen: preset={preset!r} is not one of {sorted(PRESETS)}')
        unknown = sorted(set(settings) - set(PRESETS[preset]))
        if unknown:
            raise TypeError(f'Roughen: unknown setting {unknown[0]!r}; the settings are '
                            f'{", ".join(PRESETS[preset])}')
        s = dict(PRESETS[preset], **settings)
        if not 1 <= s['copies'][0] <= s['copies'][1]:
            raise ValueError(f'Roughen: copies={s["copies"]} must be (min, max) with '
                             '1 <= min <= max')
        self.preset = preset
        self.copies, self.jitter, self.warp = tuple(s['copies']), s['jitter'], s['warp']
        self.width, self.intensity, self.pressure = s['width'], tuple(s['intensity']), \
            s['pressure']
        self.breaks, self.tone, self.tone_darkness = s['breaks'], s['tone'], s['tone_darkness']
        self.grain, self.blur = s['grain'], tuple(s['blur'])
        self.reach = reach if reach is not None else math.ceil(
            self.jitter + (1 if self.width else 0) + 2 * self.blur[1]) + 1
        self.key, self.out_key = key, out_key

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        clean = sample[self.key]
        grey = np.asarray(clean.convert('L'), np.float64) / 255
        sample[self.out_key] = Image.fromarray(
            np.round(self.roughen(grey, rng) * 255).astype(np.uint8), 'L')
        return sample

    def roughen(self, grey: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A rough version of a clean [0, 1] grey image (1 = paper)."""
        clean_ink = 1.0 - grey
        strokes = clean_ink > STROKE_INK
        if not strokes.any():
            return grey.copy()
        shape, size = grey.shape, max(grey.shape)
        ink = np.zeros(shape)
        for _ in range(int(rng.integers(self.copies[0], self.copies[1] + 1))):
            offset = rng.uniform(-1, 1, 2) * self.jitter
            copy = _warp(clean_ink, offset, rng.uniform(-self.warp, self.warp),
                         1 + rng.uniform(-self.warp, self.warp))
            change = rng.random()
            if change < self.width:
                copy = ndimage.grey_dilation(copy, size=(2, 2))
            elif change < 2 * self.width:
                copy = ndimage.grey_erosion(copy, size=(2, 2))
            ink = np.maximum(ink, copy * rng.uniform(*self.intensity))
        if self.pressure:
            ink *= 1 - self.pressure * smooth_field(shape, size / 16, rng)
        if self.breaks:
            field = smooth_field(shape, max(1.0, size / 32), rng)
            ink *= field > np.quantile(field, self.breaks)
        reach = ndimage.binary_dilation(strokes, iterations=int(math.ceil(self.reach)))
        if rng.random() < self.tone:
            blobs = smooth_field(shape, size / 20, rng) > 0.6
            ink = np.maximum(ink, self.tone_darkness * _tone_pattern(shape, rng) * blobs)
        if self.grain:
            ink += rng.normal(0, self.grain, shape)
        sigma = rng.uniform(*self.blur)
        if sigma > 0:
            ink = ndimage.gaussian_filter(ink, sigma)
        rough = 1.0 - np.clip(ink, 0, 1)
        return np.where(reach, rough, grey)
