"""Classical inpainting through OpenCV, as models: the baselines of the RoI-GAN
thesis (Table 4.2) with the same interface as the trained inpainters, so every
tool that takes a model takes them (a config, no checkpoint).

- 'telea': Fast Marching (Telea 2004): the hole is filled from its border inwards,
  each pixel a weighted average of known neighbours (`cv2.INPAINT_TELEA`).
- 'navier_stokes': Bertalmio et al. 2001, isophotes continued into the hole
  (`cv2.INPAINT_NS`).
Nothing is learned: `optimizer_groups` is empty and the model has no weights.
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import nn

from sketchgen.data.roi_masks import mask_tensor
from sketchgen.registry import MODELS

METHODS = ('telea', 'navier_stokes')


@MODELS.register_module()
class OpenCVInpainting(nn.Module):
    """Args:
        method: 'telea' (Fast Marching) or 'navier_stokes'.
        radius: the neighbourhood radius in pixels (OpenCV's inpaintRadius; 3).
        image_size: `inpaint` resizes to it (None keeps the input size).
    """

    def __init__(self, method: str = 'telea', radius: float = 3.0, image_size: int | None = None):
        super().__init__()
        if method not in METHODS:
            raise ValueError(f'OpenCVInpainting: method={method!r} is not one of {METHODS}')
        import cv2
        self.flag = cv2.INPAINT_TELEA if method == 'telea' else cv2.INPAINT_NS
        self.method, self.radius, self.image_size = method, radius, image_size
        self.test_mode = 'eval'

    def optimizer_groups(self) -> dict:
        return {}

    @property
    def device(self) -> torch.device:
        return torch.device('cpu')

    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints=None, mask: torch.Tensor | None = None,
                 seed: int | None = None, **unused) -> torch.Tensor:
        """[−1, 1] (N, 3, H, W) images with `mask`'s regions (1 inside) filled."""
        import cv2
        if mask is None:
            raise ValueError('OpenCVInpainting fills a region: pass its mask (1 inside)')
        images = ((source.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round()
        images = images.byte().permute(0, 2, 3, 1).numpy()
        holes = (mask.detach().cpu()[:, 0] > 0.5).numpy().astype(np.uint8) * 255
        filled = np.stack([cv2.inpaint(np.ascontiguousarray(image), hole, self.radius,
                                       self.flag) for image, hole in zip(images, holes)])
        out = torch.from_numpy(filled).permute(0, 3, 1, 2).float() / 127.5 - 1
        keep = 1 - (mask.cpu() > 0.5).float()
        # outside the region the input is returned exactly, not its 8-bit rounding
        return (keep * source.cpu().float() + (1 - keep) * out).to(source.device)

    def generate_batch(self, batch: dict) -> torch.Tensor:
        source = batch['source']
        return self.generate(source, mask=batch['mask'][:len(source)])

    def visualise_source(self, source: torch.Tensor) -> torch.Tensor:
        return source

    def inpaint(self, image, mask, seed: int | None = None, **unused):
        """Fill the white region of `mask` in `image` (PIL images, or [0, 1] tensors)."""
        as_pil = isinstance(image, Image.Image)
        if as_pil:
            image = image.convert('RGB')
            if self.image_size:
                image = image.resize((self.image_size,) * 2, Image.BICUBIC)
            x = torch.from_numpy(np.asarray(image, np.float32) / 255).permute(2, 0, 1)
        else:
            x = torch.as_tensor(image, dtype=torch.float32)
        m = mask_tensor(mask, (x.shape[-1], x.shape[-2]))
        out = (self.generate(x[None] * 2 - 1, mask=m)[0] + 1) / 2
        if not as_pil:
            return out
        return Image.fromarray((out * 255).round().byte().permute(1, 2, 0).numpy())
