"""RoI samplers: random regions of interest for inpainting (RoI-GAN's non-trainable
"RoI-block", thesis section 3.2, and the DeepFill v2 free-form brush).

A sampler draws one mask from a numpy Generator:

    mask = sampler(height, width, rng)     # float32 (H, W), 1 inside the region

so a seed gives the same mask everywhere (`sample_masks(sampler, n, size, seed)`
draws a reproducible set). The thesis' parameters are written for the image size and
scale with it.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image, ImageDraw

from sketchgen.registry import ROI_SAMPLERS


def gaussian_centre(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """(y, x) ~ N((H/2, W/2), diag(H, W)) (thesis eq. 3.2)."""
    return rng.normal([height / 2, width / 2], [math.sqrt(height), math.sqrt(width)])


def gaussian_density(height: int, width: int, centre, sigma_y: float, sigma_x: float,
                     rho: float) -> np.ndarray:
    """The 2-D Gaussian pdf with correlation `rho` on the pixel grid (pixel centres)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    dy, dx = (y - centre[0]) / sigma_y, (x - centre[1]) / sigma_x
    mahalanobis = (dy ** 2 - 2 * rho * dx * dy + dx ** 2) / (1 - rho ** 2)
    norm = 2 * math.pi * sigma_x * sigma_y * math.sqrt(1 - rho ** 2)
    return np.exp(-0.5 * mahalanobis) / norm


@ROI_SAMPLERS.register_module()
class RectangleRoISampler:
    """Per axis two sorted uniform integers in [0, size) (thesis eq. 3.1); the
    rectangle spans [a, b) on each axis; empty rectangles are drawn again."""

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        while True:
            y0, y1 = np.sort(rng.integers(0, height, 2))
            x0, x1 = np.sort(rng.integers(0, width, 2))
            if y1 > y0 and x1 > x0:
                break
        mask = np.zeros((height, width), np.float32)
        mask[y0:y1, x0:x1] = 1
        return mask


@ROI_SAMPLERS.register_module()
class EllipseRoISampler:
    """Level set of a 2-D Gaussian at half its peak (thesis eqs. 3.2-3.5):
    centre ~ N((H/2, W/2), diag(H, W)), ρ ~ U(-rho, rho), σx ~ U(W·a, W·b),
    σy ~ U(H·a, H·b) with (a, b) = sigma_range, (1/5, 1/3) in the thesis.
    Regions falling wholly outside the image are drawn again."""

    def __init__(self, rho: float = 0.8, sigma_range: tuple[float, float] = (1 / 5, 1 / 3)):
        self.rho, self.sigma_range = rho, tuple(sigma_range)

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        low, high = self.sigma_range
        while True:
            centre = gaussian_centre(height, width, rng)
            rho = rng.uniform(-self.rho, self.rho)
            sigma_x, sigma_y = rng.uniform(width * low, width * high), rng.uniform(
                height * low, height * high)
            pdf = gaussian_density(height, width, centre, sigma_y, sigma_x, rho)
            peak = 1 / (2 * math.pi * sigma_x * sigma_y * math.sqrt(1 - rho ** 2))
            mask = (pdf > peak / 2).astype(np.float32)
            if mask.any():
                return mask


@ROI_SAMPLERS.register_module()
class GaussianMixtureRoISampler:
    """Level set of a Gaussian mixture (thesis eqs. 3.6-3.7): `n_components` (15 in the
    reference code) with weights softmax(U(-1, 1)), centres as the ellipse's,
    ρ ~ U(-rho, rho), σ ~ U(size·a, size·b) with (a, b) = sigma_range ((1/10, 1/6));
    the mask is where the mixture exceeds `threshold` times its maximum on the image."""

    def __init__(self, n_components: int = 15, rho: float = 0.9,
                 sigma_range: tuple[float, float] = (1 / 10, 1 / 6), threshold: float = 0.5):
        if n_components < 1 or not 0 < threshold < 1:
            raise ValueError(f'GaussianMixtureRoISampler: n_components={n_components} must be '
                             f'>= 1 and threshold={threshold} in (0, 1)')
        self.n_components, self.rho = n_components, rho
        self.sigma_range, self.threshold = tuple(sigma_range), threshold

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        logits = rng.uniform(-1, 1, self.n_components)
        weights = np.exp(logits) / np.exp(logits).sum()
        low, high = self.sigma_range
        density = np.zeros((height, width))
        for weight in weights:
            centre = gaussian_centre(height, width, rng)
            rho = rng.uniform(-self.rho, self.rho)
            sigma_x = rng.uniform(width * low, width * high)
            sigma_y = rng.uniform(height * low, height * high)
            density += weight * gaussian_density(height, width, centre, sigma_y, sigma_x, rho)
        return (density > self.threshold * density.max()).astype(np.float32)


@ROI_SAMPLERS.register_module()
class FreeFormRoISampler:
    """DeepFill v2's free-form brush strokes (Yu et al. 2019, algorithm 1): 1..max_strokes
    strokes of 4..max_vertices vertices; the angle turns by 2π/5 ± U(0, 2π/15),
    alternating direction; each step is clip(N(R, R/2), 0, 2R) long with
    R = √(H² + W²)/8; the brush width is U(12, 40) px at 256 px, scaled with the size;
    round joints; the mask is flipped left-right and/or up-down with probability ½ each."""

    def __init__(self, max_strokes: int = 3, min_vertices: int = 4, max_vertices: int = 11,
                 width_range: tuple[float, float] = (12 / 256, 40 / 256)):
        self.max_strokes, self.min_vertices, self.max_vertices = (max_strokes, min_vertices,
                                                                  max_vertices)
        self.width_range = tuple(width_range)

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        canvas = Image.new('L', (width, height), 0)
        draw = ImageDraw.Draw(canvas)
        radius = math.sqrt(height ** 2 + width ** 2) / 8
        size = min(height, width)
        for _ in range(rng.integers(1, self.max_strokes + 1)):
            vertices = rng.integers(self.min_vertices, self.max_vertices + 1)
            brush = max(1, round(rng.uniform(*self.width_range) * size))
            turn = 2 * math.pi / 5
            spread = 2 * math.pi / 15
            points = [(rng.uniform(0, width), rng.uniform(0, height))]
            for i in range(vertices):
                angle = turn + rng.uniform(-spread, spread)
                angle = 2 * math.pi - angle if i % 2 == 0 else angle
                length = np.clip(rng.normal(radius, radius / 2), 0, 2 * radius)
                x, y = points[-1]
                points.append((float(np.clip(x + length * math.cos(angle), 0, width - 1)),
                               float(np.clip(y + length * math.sin(angle), 0, height - 1))))
            draw.line(points, fill=255, width=brush)
            for x, y in points:
                draw.ellipse((x - brush / 2, y - brush / 2, x + brush / 2, y + brush / 2),
                             fill=255)
        mask = (np.asarray(canvas) > 127).astype(np.float32)
        if rng.random() < 0.5:
            mask = mask[:, ::-1]
        if rng.random() < 0.5:
            mask = mask[::-1]
        return np.ascontiguousarray(mask)


class _SamplerList:
    def __init__(self, samplers: list):
        if not samplers:
            raise ValueError(f'{type(self).__name__}: give at least one sampler')
        self.samplers = [ROI_SAMPLERS.build(s) if isinstance(s, dict) else s for s in samplers]


@ROI_SAMPLERS.register_module()
class RandomChoiceRoISampler(_SamplerList):
    """One of `samplers`, chosen with probabilities `weights` (uniform by default)."""

    def __init__(self, samplers: list, weights: list[float] | None = None):
        super().__init__(samplers)
        weights = np.ones(len(self.samplers)) if weights is None else np.asarray(weights, float)
        if len(weights) != len(self.samplers) or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f'RandomChoiceRoISampler: weights={list(weights)} must be one '
                             f'non-negative number per sampler ({len(self.samplers)})')
        self.weights = weights / weights.sum()

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        return self.samplers[rng.choice(len(self.samplers), p=self.weights)](height, width, rng)


@ROI_SAMPLERS.register_module()
class UnionRoISampler(_SamplerList):
    """The union of one mask from each of `samplers`."""

    def __call__(self, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
        return np.maximum.reduce([s(height, width, rng) for s in self.samplers])


def build_roi_sampler(cfg):
    return ROI_SAMPLERS.build(cfg) if isinstance(cfg, dict) else cfg


def sample_masks(sampler, n: int, size: int | tuple[int, int], seed: int = 0) -> torch.Tensor:
    """n masks as a float (n, 1, H, W) tensor; the same seed gives the same masks."""
    height, width = (size, size) if isinstance(size, int) else size
    sampler = build_roi_sampler(sampler)
    rng = np.random.default_rng(seed)
    return torch.from_numpy(np.stack([sampler(height, width, rng) for _ in range(n)]))[:, None]
