"""Joint transforms: the same geometric change is applied to every image of a
sample (sketch and target), so pairs stay aligned.

A transform takes the sample dict and a `numpy.random.Generator`; the dataset
seeds that generator per sample, so augmentation is reproducible and resumes
exactly, whatever the number of loader workers.
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from sketchgen.registry import TRANSFORMS

IMAGE_KEYS = ('source', 'target')


def _image_keys(sample: dict) -> list[str]:
    return [k for k in IMAGE_KEYS if k in sample]


@TRANSFORMS.register_module()
class Resize:
    """Resize every image to `size` (int: square, or (h, w)); pix2pix jitter uses 286."""

    def __init__(self, size: int | tuple[int, int], interpolation: str = 'bicubic'):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.resample = {'bicubic': Image.BICUBIC, 'bilinear': Image.BILINEAR,
                         'nearest': Image.NEAREST, 'lanczos': Image.LANCZOS}[interpolation]

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        h, w = self.size
        for k in _image_keys(sample):
            if sample[k].size != (w, h):
                sample[k] = sample[k].resize((w, h), self.resample)
        return sample


@TRANSFORMS.register_module()
class RandomCrop:
    """Crop the same random `size` window out of every image."""

    def __init__(self, size: int | tuple[int, int]):
        self.size = (size, size) if isinstance(size, int) else tuple(size)

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        h, w = self.size
        width, height = sample[_image_keys(sample)[0]].size
        if width < w or height < h:
            raise ValueError(f'RandomCrop: crop {w}x{h} is larger than the image '
                             f'{width}x{height} ({sample.get("name", "?")}); resize first.')
        top = int(rng.integers(0, height - h + 1))
        left = int(rng.integers(0, width - w + 1))
        for k in _image_keys(sample):
            sample[k] = sample[k].crop((left, top, left + w, top + h))
        return sample


@TRANSFORMS.register_module()
class RandomFlip:
    """Mirror every image left-right with probability `p`."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        if rng.random() < self.p:
            for k in _image_keys(sample):
                sample[k] = sample[k].transpose(Image.FLIP_LEFT_RIGHT)
        return sample


@TRANSFORMS.register_module()
class ToTensor:
    """PIL RGB -> float CxHxW tensor in [-1, 1], the range the tanh generators produce."""

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for k in _image_keys(sample):
            arr = np.asarray(sample[k], dtype=np.float32) / 127.5 - 1.0
            sample[k] = torch.from_numpy(arr).permute(2, 0, 1).contiguous()
        return sample


class Compose:
    """Apply a list of transform configs (or callables) in order."""

    def __init__(self, transforms: list):
        self.transforms = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in transforms]

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for t in self.transforms:
            sample = t(sample, rng)
        return sample
