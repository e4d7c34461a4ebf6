"""What the trained inpainting models share: `inpaint(image, mask)` on PIL images
or tensors, around their `generate(source, mask=...)`."""
from __future__ import annotations

import torch
from PIL import Image

from sketchgen.data.roi_masks import mask_tensor


class InpaintingMixin:
    """For `ImageTranslationModel`s whose `generate(source, mask=m, **codes)` returns
    the composite m·G + (1 − m)·source in [−1, 1]."""

    @torch.no_grad()
    def inpaint(self, image, mask, seed: int | None = None, **codes):
        """Fill `mask`'s region of `image` (PIL images, or [0, 1] CxHxW / 1xHxW
        tensors; the mask is 1, or white, inside the region), at the training size.
        `codes` go to `generate` (RoI-GAN: controls, discrete). Returns the same kind
        as `image`."""
        as_pil = isinstance(image, Image.Image)
        x = self._to_model_input(image, keep_size=False)[None].to(self.device)
        m = mask_tensor(mask, self.image_size_wh).to(self.device)
        out = self.generate(x, mask=m, seed=seed, **codes)[0]
        out = ((out.clamp(-1, 1) + 1) / 2).cpu()
        if not as_pil:
            return out
        return Image.fromarray((out * 255).round().byte().permute(1, 2, 0).numpy())

    def infer(self, images, keep_size: bool = False, hints=None, **generate_args):
        raise TypeError(f'{type(self).__name__} inpaints: use model.inpaint(image, mask, ...)')

    def visualise_source(self, source: torch.Tensor) -> torch.Tensor:
        return source  # the image with its region blanked (mid-grey)
