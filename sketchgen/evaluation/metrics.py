"""Image-quality metrics, computed on RGB images in [0, 1] (data range 1.0).

A metric accumulates batches with `process(pred, target)` and reports a dict of
numbers from `compute()`, always with the number of images it saw.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F

from sketchgen.registry import METRICS


class Metric(ABC):
    name = 'metric'

    def __init__(self):
        self.values: list[torch.Tensor] = []

    def reset(self) -> None:
        self.values = []

    def process(self, pred: torch.Tensor, target: torch.Tensor) -> None:
        if pred.shape != target.shape:
            raise ValueError(f'{self.name}: prediction {tuple(pred.shape)} and target '
                             f'{tuple(target.shape)} differ in shape')
        self.values.append(self.per_image(pred.float().clamp(0, 1),
                                          target.float().clamp(0, 1)).cpu())

    @abstractmethod
    def per_image(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """One score per image of the batch."""

    def compute(self) -> dict:
        values = torch.cat(self.values) if self.values else torch.empty(0)
        return {self.name: float(values.mean()) if len(values) else float('nan')}

    @property
    def num_samples(self) -> int:
        return sum(len(v) for v in self.values)


@METRICS.register_module()
class PSNR(Metric):
    """Peak signal-to-noise ratio in dB per image, 10 log10(1 / MSE), averaged over
    images; MSE over all pixels and RGB channels of [0, 1] images."""
    name = 'PSNR'

    def per_image(self, pred, target):
        mse = (pred - target).pow(2).flatten(1).mean(1)
        return 10 * torch.log10(1.0 / mse.clamp_min(1e-10))


@METRICS.register_module()
class SSIM(Metric):
    """Structural similarity (Wang et al. 2004) per image, averaged over images: an
    11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, data range 1, computed per
    RGB channel and averaged, over the 'valid' region (no padding). Matches
    skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1, channel_axis=...)."""
    name = 'SSIM'

    def __init__(self, window_size: int = 11, sigma: float = 1.5):
        super().__init__()
        coords = torch.arange(window_size, dtype=torch.float64) - (window_size - 1) / 2
        g = torch.exp(-coords ** 2 / (2 * sigma ** 2))
        self.window_1d = (g / g.sum()).float()

    def per_image(self, pred, target):
        c = pred.shape[1]
        w = self.window_1d.to(pred.device)
        wh = w.view(1, 1, 1, -1).repeat(c, 1, 1, 1)
        wv = w.view(1, 1, -1, 1).repeat(c, 1, 1, 1)

        def blur(x):
            return F.conv2d(F.conv2d(x, wh, groups=c), wv, groups=c)

        pred, target = pred.double(), target.double()
        wh, wv = wh.double(), wv.double()
        mu_x, mu_y = blur(pred), blur(target)
        var_x = blur(pred * pred) - mu_x ** 2
        var_y = blur(target * target) - mu_y ** 2
        cov = blur(pred * target) - mu_x * mu_y
        c1, c2 = 0.01 ** 2, 0.03 ** 2
        ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
            (mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))
        return ssim_map.flatten(1).mean(1).float()


@METRICS.register_module()
class L1(Metric):
    """Mean absolute error per image on [0, 1] RGB, averaged over images."""
    name = 'L1'

    def per_image(self, pred, target):
        return (pred - target).abs().flatten(1).mean(1)
