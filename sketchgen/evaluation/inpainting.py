"""Scores of an inpainted region (RoI-GAN's evaluation): quality inside the region,
faithfulness outside it, and seams at its border. Images are [0, 1] (N, 3, H, W),
masks (N, 1, H, W) with 1 inside the region; every function returns one value per
image (NaN where the region, or the part of it a score needs, is empty)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from sketchgen.evaluation.metrics import SSIM


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mask = mask.expand_as(values)
    return (values * mask).flatten(1).sum(1) / mask.flatten(1).sum(1)


def psnr_inside(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """10 log10(1 / MSE) with the MSE over the region's pixels (and RGB)."""
    mse = _masked_mean((pred - target).pow(2), mask)
    return 10 * torch.log10(1.0 / mse.clamp_min(1e-10))


def ssim_inside(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor,
                ssim: SSIM | None = None) -> torch.Tensor:
    """The mean of SSIM's local map over the region (the map covers the valid area,
    so the region is cropped by half a window on each side)."""
    ssim = ssim or SSIM()
    local = ssim.ssim_map(pred.float(), target.float()).float()
    crop = ssim.window_size // 2
    return _masked_mean(local, mask[..., crop:-crop, crop:-crop])


def unchanged_outside(pred: torch.Tensor, image: torch.Tensor, mask: torch.Tensor
                      ) -> torch.Tensor:
    """The fraction of pixels outside the region whose 8-bit RGB values are the input's."""
    same = ((pred * 255).round() == (image * 255).round()).all(1, keepdim=True).float()
    return _masked_mean(same, 1 - mask)


def border_gradients(pred: torch.Tensor, mask: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image, the mean gradient magnitude of the grey image on the region's border
    band (one pixel either side) and inside the region (a pixel further in). Their
    ratio over a set, mean(border) / mean(inside), is large where fills leave seams;
    a ratio per image is not used, because flat interiors (zero gradient) make it
    explode."""
    grey = pred.mean(1, keepdim=True)
    dx = F.pad((grey[..., :, 1:] - grey[..., :, :-1]).abs(), (0, 1, 0, 0))
    dy = F.pad((grey[..., 1:, :] - grey[..., :-1, :]).abs(), (0, 0, 0, 1))
    magnitude = dx + dy
    dilated = F.max_pool2d(mask, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-mask, 3, stride=1, padding=1)
    band = dilated - eroded
    interior = -F.max_pool2d(-eroded, 3, stride=1, padding=1)  # one more pixel from the band
    return _masked_mean(magnitude, band), _masked_mean(magnitude, interior)


@torch.no_grad()
def control_sensitivity(model, source: torch.Tensor, mask: torch.Tensor, seed: int = 0,
                        discrete: torch.Tensor | None = None) -> list[float]:
    """Per control code of a RoI-GAN model, the mean |change| of the output inside
    the region (in [0, 1] units) per unit of slider, moving that code from −1 to 1
    with the others at 0 and the noise fixed by `seed`."""
    net = model.inference_generator
    changes = []
    for code in range(net.continuous_codes):
        ends = []
        for value in (-1.0, 1.0):
            controls = torch.zeros(len(source), net.continuous_codes)
            controls[:, code] = value
            ends.append(model.generate(source, mask=mask, controls=controls,
                                       discrete=discrete, seed=seed).float().cpu())
        inside = mask.cpu().expand_as(ends[0]).bool()
        # (b − a) / 2 in [0, 1] units, over a slider distance of 2
        changes.append(float((ends[1] - ends[0]).abs()[inside].mean() / 2 / 2))
    return changes
