"""Paired image-quality metrics.

Every metric takes RGB (or grey) images in [0, 1] (N, 3 or 1, H, W), predictions first; values
outside [0, 1] are clipped. A metric accumulates batches with
`process(pred, target)` and reports a dict of numbers from `compute()`;
`settings()` says exactly how it computed them (for metrics.json), and `better`
says which direction is an improvement (for keeping the best checkpoint).
"""
from __future__ import annotations

import warnings
from abc import ABC, abstractmethod

import numpy as np
import torch
import torch.nn.functional as F

from sketchgen.models.losses.perceptual_loss import gram_matrix
from sketchgen.weights import find_weights, sha256, torch_hub_checkpoints
from sketchgen.registry import METRICS


class Metric(ABC):
    name = 'metric'
    better = 'greater'  # or 'less'

    def reset(self) -> None:
        """Forget every processed batch."""

    @abstractmethod
    def process(self, pred: torch.Tensor, target: torch.Tensor) -> None:
        """Take one batch of predictions and their targets, both in [0, 1]."""

    @abstractmethod
    def compute(self) -> dict:
        """{name: value} over every batch processed since the last reset."""

    @property
    @abstractmethod
    def num_samples(self) -> int:
        """How many images the numbers from `compute` are over."""

    def settings(self) -> dict:
        return dict(type=type(self).__name__, input='RGB in [0, 1]', better=self.better)

    @staticmethod
    def check_pair(name: str, pred: torch.Tensor, target: torch.Tensor) -> None:
        if pred.shape != target.shape:
            raise ValueError(f'{name}: prediction {tuple(pred.shape)} and target '
                             f'{tuple(target.shape)} differ in shape')
        if pred.dim() != 4 or pred.shape[1] not in (1, 3):
            raise ValueError(f'{name}: expected RGB or grey batches (N, 3 or 1, H, W), got '
                             f'{tuple(pred.shape)}')


class PerImageMetric(Metric):
    """A metric with one score per image, reported as the mean over images."""

    def __init__(self):
        self.values: list[torch.Tensor] = []

    def reset(self) -> None:
        self.values = []

    def process(self, pred, target) -> None:
        self.check_pair(self.name, pred, target)
        self.values.append(self.per_image(pred.float().clamp(0, 1),
                                          target.float().clamp(0, 1)).detach().cpu())

    @abstractmethod
    def per_image(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """One score per image of the batch."""

    def compute(self) -> dict:
        values = torch.cat(self.values) if self.values else torch.empty(0)
        return {self.name: float(values.double().mean()) if len(values) else float('nan')}

    @property
    def num_samples(self) -> int:
        return sum(len(v) for v in self.values)


@METRICS.register_module()
class PSNR(PerImageMetric):
    """Peak signal-to-noise ratio in dB per image, 10 log10(1 / MSE), averaged over
    images; MSE over all pixels and the three RGB channels, data range 1."""
    name = 'PSNR'

    def per_image(self, pred, target):
        mse = (pred - target).pow(2).flatten(1).mean(1)
        return 10 * torch.log10(1.0 / mse.clamp_min(1e-10))

    def settings(self) -> dict:
        return dict(super().settings(), data_range=1.0, colour='mean squared error over RGB',
                    mse_floor=1e-10)


@METRICS.register_module()
class SSIM(PerImageMetric):
    """Structural similarity (Wang et al. 2004) per image, averaged over images: an
    11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, data range 1, computed per
    RGB channel and averaged, over the 'valid' region (no padding). Matches
    skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1, channel_axis=...)."""
    name = 'SSIM'

    def __init__(self, window_size: int = 11, sigma: float = 1.5):
        super().__init__()
        self.window_size, self.sigma = window_size, sigma
        coords = torch.arange(window_size, dtype=torch.float64) - (window_size - 1) / 2
        g = torch.exp(-coords ** 2 / (2 * sigma ** 2))
        self.window_1d = g / g.sum()

    def per_image(self, pred, target):
        return self.ssim_map(pred, target).flatten(1).mean(1).float()

    def ssim_map(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The local SSIM per pixel and channel, over the valid region (the image
        less window_size // 2 pixels on each side)."""
        c = pred.shape[1]
        w = self.window_1d.to(pred.device)
        wh = w.view(1, 1, 1, -1).repeat(c, 1, 1, 1)
        wv = w.view(1, 1, -1, 1).repeat(c, 1, 1, 1)

        def blur(x):
            return F.conv2d(F.conv2d(x, wh, groups=c), wv, groups=c)

        pred, target = pred.double(), target.double()
        mu_x, mu_y = blur(pred), blur(target)
        var_x = blur(pred * pred) - mu_x ** 2
        var_y = blur(target * target) - mu_y ** 2
        cov = blur(pred * target) - mu_x * mu_y
        c1, c2 = 0.01 ** 2, 0.03 ** 2
        return ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
            (mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))

    def settings(self) -> dict:
        return dict(super().settings(), data_range=1.0, window='gaussian',
                    window_size=self.window_size, sigma=self.sigma, k1=0.01, k2=0.03,
                    colour='per RGB channel, averaged', border='valid (no padding)')


@METRICS.register_module()
class L1(PerImageMetric):
    """Mean absolute error per image over pixels and RGB channels, averaged over images."""
    name = 'L1'
    better = 'less'

    def per_image(self, pred, target):
        return (pred - target).abs().flatten(1).mean(1)

    def settings(self) -> dict:
        return dict(super().settings(), data_range=1.0)


@METRICS.register_module()
class GramDistance(PerImageMetric):
    """SketchSause's texture/colour-distribution distance: the mean squared difference
    of the pixel-space Gram matrices G = F Fᵀ / (c·h·w), where F is the image as a
    c x (h·w) matrix of [0, 1] RGB values. Per image, averaged over images."""
    name = 'GramDistance'
    better = 'less'

    def per_image(self, pred, target):
        return (gram_matrix(pred.double()) - gram_matrix(target.double())).pow(2).flatten(1).mean(1)


@METRICS.register_module()
class LineF1(Metric):
    """Line-drawing quality with a spatial tolerance, the usual measure for line
    and edge extraction (as the BSDS boundary benchmark): a pixel darker than
    `ink_threshold` is a line pixel; a predicted line pixel is correct when a
    target line pixel lies within `tolerance` pixels (Euclidean), and a target
    line pixel is found when a predicted one does. Counts are summed over the
    data set, then

        LinePrecision = correct / predicted,  LineRecall = found / target,
        LineF1 = 2 P R / (P + R).

    Precision falls with stray strokes, noise and tone left in; recall falls
    with lines lost or moved by more than the tolerance. Grey images are used
    as they are; RGB ones are averaged to grey first.
    """
    name = 'LineF1'

    def __init__(self, tolerance: float = 2.0, ink_threshold: float = 0.5):
        self.tolerance, self.ink_threshold = tolerance, ink_threshold
        self.reset()

    def reset(self) -> None:
        self.counts = dict(correct=0, predicted=0, found=0, target=0)
        self.images = 0

    def process(self, pred, target) -> None:
        from scipy.ndimage import distance_transform_edt
        self.check_pair(self.name, pred, target)
        pred_lines = pred.float().mean(1).cpu().numpy() < self.ink_threshold
        target_lines = target.float().mean(1).cpu().numpy() < self.ink_threshold
        for p, t in zip(pred_lines, target_lines):
            # distance from every pixel to the nearest line pixel of the other image
            to_target = distance_transform_edt(~t) if t.any() else np.full(t.shape, np.inf)
            to_pred = distance_transform_edt(~p) if p.any() else np.full(p.shape, np.inf)
            self.counts['correct'] += int((to_target[p] <= self.tolerance).sum())
            self.counts['found'] += int((to_pred[t] <= self.tolerance).sum())
            self.counts['predicted'] += int(p.sum())
            self.counts['target'] += int(t.sum())
        self.images += len(pred_lines)

    def compute(self) -> dict:
        c = self.counts
        precision = c['correct'] / c['predicted'] if c['predicted'] else float('nan')
        recall = c['found'] / c['target'] if c['target'] else float('nan')
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return dict(LinePrecision=precision, LineRecall=recall, LineF1=f1)

    @property
    def num_samples(self) -> int:
        return self.images

    def settings(self) -> dict:
        return dict(super().settings(), input='grey (RGB averaged) in [0, 1]',
                    tolerance_px=self.tolerance, ink_threshold=self.ink_threshold,
                    aggregation='pixel counts summed over the data set')


# torchvision's ImageNet backbones, which lpips would otherwise download on first use.
LPIPS_BACKBONES = {
    'alex': 'https://download.pytorch.org/models/alexnet-owt-7be5be79.pth',
    'vgg': 'https://download.pytorch.org/models/vgg16-397923af.pth',
}


@METRICS.register_module()
class LPIPS(PerImageMetric):
    """Learned perceptual distance (Zhang et al. 2018) through the `lpips` package,
    version 0.1, per image (spatially averaged), averaged over images. Lower is
    closer. Images are mapped from [0, 1] to the [-1, 1] that lpips expects.

    The linear calibration layers ship inside the lpips package; the ImageNet
    backbone (`alex` or `vgg`) is torchvision's and is read from `weights`,
    $SKETCHGEN_WEIGHTS_DIR or the torch hub cache, never downloaded.
    """
    name = 'LPIPS'
    better = 'less'

    def __init__(self, net: str = 'alex', weights: str | None = None,
                 device: str | None = None):
        super().__init__()
        if net not in LPIPS_BACKBONES:
            raise ValueError(f'LPIPS: net={net!r} is not one of {sorted(LPIPS_BACKBONES)}')
        import lpips
        url = LPIPS_BACKBONES[net]
        self.net, self.weights = net, find_weights(
            url.rsplit('/', 1)[1], needed_by=f'LPIPS(net={net!r})', source=url,
            explicit=weights, caches=(torch_hub_checkpoints(),))
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        with warnings.catch_warnings():  # torchvision's deprecation notes about `pretrained`
            warnings.simplefilter('ignore')
            # pnet_rand: build the backbone without torchvision downloading its weights.
            model = lpips.LPIPS(net=net, version='0.1', pnet_rand=True, verbose=False)
        model.net.load_state_dict(self._backbone_state(model.net, self.weights))
        self.model = model.eval().to(self.device)

    @staticmethod
    def _backbone_state(lpips_net, path) -> dict:
        """torchvision's `features.<i>.<param>` renamed to lpips's `slice<k>.<i>.<param>`."""
        slice_of = {index: name for name, part in lpips_net.named_children()
                    for index, _ in part.named_children()}
        state = torch.load(path, map_location='cpu', weights_only=True)
        renamed = {}
        for key, value in state.items():
            prefix, index, param = (key.split('.') + ['', ''])[:3]
            if prefix == 'features' and index in slice_of:
                renamed[f'{slice_of[index]}.{index}.{param}'] = value
        return renamed

    @torch.no_grad()
    def per_image(self, pred, target):
        distance = self.model(pred.to(self.device), target.to(self.device), normalize=True)
        return distance.flatten().float()

    def settings(self) -> dict:
        import lpips
        return dict(super().settings(), net=self.net, version='0.1',
                    lpips_version=getattr(lpips, '__version__', 'unknown'),
                    backbone_weights=self.weights.name, backbone_sha256=sha256(self.weights))
