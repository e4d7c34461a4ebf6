"""Joint transforms: the same geometric change is applied to every image of a
sample (sketch and target), so pairs stay aligned.

Landmarks travel with their image: `landmarks_a` belongs to `source` and
`landmarks_b` to `target`, each a (5, 2) array of (x, y) pixels (see
sketchgen.models.landmarks), and every geometric transform moves them too.

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
LANDMARK_KEYS = {'source': 'landmarks_a', 'target': 'landmarks_b'}
# A horizontal flip turns the left eye into the right one (CelebA 5-point order).
FLIPPED_LANDMARK_ORDER = [1, 0, 2, 4, 3]


def _image_keys(sample: dict) -> list[str]:
    return [k for k in IMAGE_KEYS if k in sample]


def _move_landmarks(sample: dict, image_key: str, fn) -> None:
    key = LANDMARK_KEYS[image_key]
    if sample.get(key) is not None:
        sample[key] = fn(np.asarray(sample[key], dtype=np.float32))


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
                scale = np.array([w / sample[k].size[0], h / sample[k].size[1]], np.float32)
                _move_landmarks(sample, k, lambda p: p * scale)
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
            _move_landmarks(sample, k, lambda p: p - np.array([left, top], np.float32))
        return sample


@TRANSFORMS.register_module()
class RandomFlip:
    """Mirror every image left-right with probability `p`."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        if rng.random() < self.p:
            for k in _image_keys(sample):
                width = sample[k].size[0]
                sample[k] = sample[k].transpose(Image.FLIP_LEFT_RIGHT)
                # pixel centres: x -> width - x in continuous coordinates
                _move_landmarks(sample, k, lambda p: np.stack(
                    [width - p[:, 0], p[:, 1]], 1)[FLIPPED_LANDMARK_ORDER])
        return sample


@TRANSFORMS.register_module()
class AlignLandmarks:
    """Warp images so their landmarks land on a template layout (the seed's
    landmark-aligned transform): the 2-D affine map from the image's landmarks to
    `template` is solved by least squares (>= 3 points) and applied to the image
    and its landmarks. Images without landmarks are left as they are.

    Args:
        template: (5, 2) target points as fractions of the image size, e.g. the
            mean layout of the domain the others are aligned to.
        keys: which images to warp ('target' aligns the B domain to the template).
        fill: colour of the pixels the warp brings in from outside.
    """

    def __init__(self, template, keys=('target',), fill=(255, 255, 255)):
        self.template = np.asarray(template, np.float64)
        if self.template.ndim != 2 or self.template.shape[1] != 2 or len(self.template) < 3:
            raise ValueError(f'AlignLandmarks: template must be (K >= 3, 2) fractions, got '
                             f'shape {self.template.shape}')
        self.keys, self.fill = tuple(keys), tuple(fill)

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        from sketchgen.models.landmarks import solve_affine
        for k in self.keys:
            points = sample.get(LANDMARK_KEYS[k])
            if k not in sample or points is None:
                continue
            size = np.array(sample[k].size, np.float64)
            forward = solve_affine(points, self.template * size)
            # PIL maps output pixels back to input pixels: give it the inverse map.
            inverse = np.linalg.inv(np.vstack([forward, [0, 0, 1]]))[:2]
            sample[k] = sample[k].transform(sample[k].size, Image.AFFINE, inverse.ravel(),
                                            Image.BILINEAR, fillcolor=self.fill)
            _move_landmarks(sample, k, lambda p: (np.hstack([p, np.ones((len(p), 1))])
                                                   @ forward.T).astype(np.float32))
        return sample


@TRANSFORMS.register_module()
class ToTensor:
    """PIL RGB -> float CxHxW tensor in [-1, 1], the range the tanh generators produce."""

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for k in _image_keys(sample):
            arr = np.asarray(sample[k], dtype=np.float32) / 127.5 - 1.0
            sample[k] = torch.from_numpy(arr).permute(2, 0, 1).contiguous()
            _move_landmarks(sample, k, torch.from_numpy)
        return sample


class Compose:
    """Apply a list of transform configs (or callables) in order."""

    def __init__(self, transforms: list):
        self.transforms = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in transforms]

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for t in self.transforms:
            sample = t(sample, rng)
        return sample
