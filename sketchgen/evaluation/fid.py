"""FID and KID between the generated and the real test images, through clean-fid.

Both embed the two image sets with a feature network (clean-fid's Inception-v3
by default) and compare the feature distributions with clean-fid's own
`kernel_distance` and its Fréchet distance (written out here: see
`frechet_distance`). Neither is a per-image number: both are biased by the sample
count (FID strongly upward on few images), so every report carries `num_samples`,
and only numbers over the same count compare.
"""
from __future__ import annotations

import numpy as np

from sketchgen.evaluation.feature_networks import build_feature_network
from sketchgen.evaluation.metrics import Metric
from sketchgen.registry import METRICS


class FeatureDistance(Metric):
    """Collects the features of predictions and targets; subclasses compare them."""
    better = 'less'
    kind = ''

    def __init__(self, feature_network: str | dict = 'InceptionV3', mode: str = 'clean',
                 weights: str | None = None, device: str | None = None):
        cfg = (dict(type=feature_network) if isinstance(feature_network, str)
               else dict(feature_network))
        cfg.setdefault('mode', mode)
        cfg.setdefault('weights', weights)
        self.network = build_feature_network(cfg, device)
        # A name that cannot be mistaken for Inception FID in the standard mode.
        self.name = '-'.join(part for part in (self.kind, self.network.short_name,
                                               '' if cfg['mode'] == 'clean' else cfg['mode'])
                             if part)
        self.reset()

    def reset(self) -> None:
        self.fake_features: list[np.ndarray] = []
        self.real_features: list[np.ndarray] = []

    def process(self, pred, target) -> None:
        self.check_pair(self.name, pred, target)
        # Unclamped on purpose: extract clips while quantising, and sees the very
        # tensor the other metrics saw, so FID and KID embed a batch once.
        self.fake_features.append(self.network.extract(pred))
        self.real_features.append(self.network.extract(target))

    @property
    def num_samples(self) -> int:
        return sum(len(f) for f in self.fake_features)

    def features(self) -> tuple[np.ndarray, np.ndarray]:
        if self.num_samples < 2:
            raise ValueError(f'{self.name} needs at least 2 images, got {self.num_samples}')
        return (np.concatenate(self.fake_features).astype(np.float64),
                np.concatenate(self.real_features).astype(np.float64))

    def settings(self) -> dict:
        return dict(super().settings(), feature_network=self.network.info(),
                    num_fake=self.num_samples, num_real=self.num_samples)


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray,
                     eps: float = 1e-6) -> float:
    """clean-fid's Fréchet distance between two Gaussians, step for step. Its own
    `cleanfid.fid.frechet_distance` passes `disp=False` to `scipy.linalg.sqrtm`, which
    SciPy 1.18 removed, so it fails wherever pip installs that SciPy (Python >= 3.12)."""
    from scipy import linalg
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():  # a nearly singular product: regularise both
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):  # rounding leaves a tiny imaginary part
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError('FID: the covariance product has no real square root (largest '
                             f'imaginary part {np.abs(covmean.imag).max():.3g})')
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


@METRICS.register_module()
class FID(FeatureDistance):
    """Fréchet distance between Gaussians fitted to the fake and real features."""
    kind = 'FID'

    def compute(self) -> dict:
        fake, real = self.features()
        fid = frechet_distance(fake.mean(0), np.cov(fake, rowvar=False),
                               real.mean(0), np.cov(real, rowvar=False))
        return {self.name: float(fid)}


@METRICS.register_module()
class KID(FeatureDistance):
    """Kernel inception distance: the unbiased squared MMD with the cubic polynomial
    kernel, averaged over `num_subsets` random subsets of `subset_size` images
    (clean-fid's estimator, seeded so a rerun gives the same number)."""
    kind = 'KID'

    def __init__(self, feature_network='InceptionV3', mode='clean', weights=None, device=None,
                 num_subsets: int = 100, subset_size: int = 1000, seed: int = 0):
        super().__init__(feature_network, mode, weights, device)
        self.num_subsets, self.subset_size, self.seed = num_subsets, subset_size, seed

    def compute(self) -> dict:
        from cleanfid.fid import kernel_distance
        fake, real = self.features()
        # clean-fid draws its subsets from numpy's global generator.
        state = np.random.get_state()
        np.random.seed(self.seed)
        try:
            kid = kernel_distance(fake, real, self.num_subsets, self.subset_size)
        finally:
            np.random.set_state(state)
        return {self.name: float(kid)}

    def settings(self) -> dict:
        return dict(super().settings(), num_subsets=self.num_subsets,
                    subset_size=min(self.subset_size, self.num_samples), seed=self.seed)


@METRICS.register_module(name='FID-EffLite0')
def fid_efflite0(**kwargs) -> FID:
    """FID over the offline EfficientNet-Lite0 features."""
    return FID(feature_network='EfficientNetLite0', **kwargs)


@METRICS.register_module(name='KID-EffLite0')
def kid_efflite0(**kwargs) -> KID:
    """KID over the offline EfficientNet-Lite0 features."""
    return KID(feature_network='EfficientNetLite0', **kwargs)
