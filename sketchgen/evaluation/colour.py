"""Colour comparisons for reference-guided colouring: CIELAB ΔE between aligned
images and histogram distance between the colour distributions of two regions
(which need not be aligned: a reference and an output of another drawing)."""
from __future__ import annotations

import torch

# sRGB (D65) -> XYZ, and the D65 white point.
_RGB_TO_XYZ = torch.tensor([[0.412453, 0.357580, 0.180423],
                            [0.212671, 0.715160, 0.072169],
                            [0.019334, 0.119193, 0.950227]])
_WHITE = torch.tensor([0.950456, 1.0, 1.088754])


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) sRGB in [0, 1] -> CIELAB (L in 0..100)."""
    linear = torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = torch.einsum('ij,njhw->nihw', _RGB_TO_XYZ.to(rgb), linear)
    xyz = xyz / _WHITE.to(rgb).view(1, 3, 1, 1)
    f = torch.where(xyz > 0.008856, xyz.clamp_min(1e-12) ** (1 / 3), 7.787 * xyz + 16 / 116)
    return torch.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                        200 * (f[:, 1] - f[:, 2])], dim=1)


def delta_e(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per image, the mean CIE76 ΔE between aligned [0, 1] RGB images a and b over the
    pixels of `mask` (N, 1, H, W); images with an empty mask give NaN."""
    distance = (rgb_to_lab(a) - rgb_to_lab(b)).norm(dim=1, keepdim=True)
    return (distance * mask).flatten(1).sum(1) / mask.flatten(1).sum(1)


def colour_histogram(rgb: torch.Tensor, mask: torch.Tensor, bins: int = 4) -> torch.Tensor:
    """(N, bins³) normalised RGB histograms of [0, 1] images over the pixels of `mask`."""
    index = (rgb.clamp(0, 1) * bins).long().clamp_max(bins - 1)
    flat = (index[:, 0] * bins + index[:, 1]) * bins + index[:, 2]
    weights = mask[:, 0].to(rgb.dtype)
    hist = torch.zeros(len(rgb), bins ** 3, dtype=rgb.dtype, device=rgb.device)
    hist.scatter_add_(1, flat.flatten(1), weights.flatten(1))
    return hist / hist.sum(1, keepdim=True).clamp_min(1e-12)


def histogram_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Total-variation distance between normalised histograms: 0 same, 1 disjoint."""
    return 0.5 * (a - b).abs().sum(1)


def hint_regions(target: torch.Tensor, hints: torch.Tensor, tolerance: float = 0.1
                 ) -> torch.Tensor:
    """The ground-truth regions the hints fall in: for each image of a [0, 1] (N, 3,
    H, W) target and its (N, 4, H, W) hint map, the union over connected hint marks
    of the 4-connected region of pixels whose colour is within `tolerance` (on every
    channel) of the mark's colour in the target, and that touches the mark.
    (N, 1, H, W) float mask."""
    import numpy as np
    from scipy import ndimage

    regions = np.zeros((target.shape[0], 1, *target.shape[-2:]), dtype=bool)
    truth = target.detach().float().cpu().numpy()
    marks_all = hints[:, 3].detach().cpu().numpy() > 0
    for i in range(len(truth)):
        marks, count = ndimage.label(marks_all[i])
        for mark in range(1, count + 1):
            where = marks == mark
            colour = truth[i][:, where].mean(1)
            similar = (np.abs(truth[i] - colour[:, None, None]) <= tolerance).all(0)
            components, _ = ndimage.label(similar)
            touched = np.unique(components[where & similar])
            regions[i, 0] |= np.isin(components, touched[touched > 0])
    return torch.from_numpy(regions.astype(np.float32))
