"""Joint transforms: the same geometric change is applied to every image of a
sample (sketch and target), so pairs stay aligned.

Landmarks travel with their image: `landmarks_a` belongs to `source` and
`landmarks_b` to `target`, each a (5, 2) array of (x, y) pixels (see
sketchgen.models.landmarks), and every geometric transform moves them too.

A transform takes the sample dict and a `numpy.random.Generator`; the dataset
seeds that generator per sample, so augmentation is reproducible and resumes
exactly, whatever the number of loader workers. A transform whose class sets
`deterministic = True` draws nothing from it: its output depends on the sample alone,
so `cache_decoded` data sets keep it (sketchgen.data.pipeline_dataset).
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from sketchgen.registry import TRANSFORMS

# `target_swap`: the target drawn with another label (EmojiUnpairedDataset's label
# swaps), moved with the target and carrying no landmarks of its own.
# 'hair_mask_a': the source face's hair in black on white (EmojiUnpairedDataset's
# with_hair_masks), moved with its image by every geometric transform; the white that
# transforms fill in brings in no hair.
IMAGE_KEYS = ('source', 'target', 'target_swap', 'hair_mask_a')
LANDMARK_KEYS = {'source': 'landmarks_a', 'target': 'landmarks_b',
                 'target_swap': 'landmarks_swap'}
# A horizontal flip turns the left eye into the right one (CelebA 5-point order).
FLIPPED_LANDMARK_ORDER = [1, 0, 2, 4, 3]


def _image_keys(sample: dict) -> list[str]:
    return [k for k in IMAGE_KEYS if k in sample]


def _move_landmarks(sample: dict, image_key: str, fn) -> None:
    key = LANDMARK_KEYS.get(image_key)   # a mask has no landmarks of its own
    if key is not None and sample.get(key) is not None:
        sample[key] = fn(np.asarray(sample[key], dtype=np.float32))


@TRANSFORMS.register_module()
class Resize:
    """Resize every image to `size` (int: square, or (h, w)); pix2pix jitter uses 286."""

    deterministic = True

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
class CenterCrop:
    """Crop the central `size` window (int: square, or (h, w)) of every image; CelebA's
    aligned faces use 178 before resizing."""

    deterministic = True

    def __init__(self, size: int | tuple[int, int]):
        self.size = (size, size) if isinstance(size, int) else tuple(size)

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        h, w = self.size
        for k in _image_keys(sample):
            width, height = sample[k].size
            if width < w or height < h:
                raise ValueError(f'CenterCrop: crop {w}x{h} is larger than the image '
                                 f'{width}x{height} ({sample.get("name", "?")})')
            left, top = (width - w) // 2, (height - h) // 2
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

    deterministic = True

    def __init__(self, template, keys=('target',), fill=(255, 255, 255)):
        self.template = np.asarray(template, np.float64)
        if self.template.ndim != 2 or self.template.shape[1] != 2 or len(self.template) < 3:
            raise ValueError(f'AlignLandmarks: template must be (K >= 3, 2) fractions, got '
                             f'shape {self.template.shape}')
        self.keys, self.fill = tuple(keys), tuple(fill)

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        from sketchgen.data.geometry import solve_affine, warp_affine
        for k in self.keys:
            points = sample.get(LANDMARK_KEYS[k])
            if k not in sample or points is None:
                continue
            size = np.array(sample[k].size, np.float64)
            forward = solve_affine(points, self.template * size)
            sample[k] = warp_affine(sample[k], forward, sample[k].size, self.fill)
            if k == 'source' and 'hair_mask_a' in sample:   # the mask moves with its face
                sample['hair_mask_a'] = warp_affine(sample['hair_mask_a'], forward,
                                                    sample[k].size, self.fill[:1])
            _move_landmarks(sample, k, lambda p: (np.hstack([p, np.ones((len(p), 1))])
                                                   @ forward.T).astype(np.float32))
        return sample


@TRANSFORMS.register_module()
class Grayscale:
    """Convert every image to one grey channel (PIL 'L'): sketch simplification."""

    deterministic = True

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for k in _image_keys(sample):
            sample[k] = sample[k].convert('L')
        return sample


def _no_landmarks(sample: dict, transform: str) -> None:
    if any(sample.get(key) is not None for key in LANDMARK_KEYS.values()):
        raise ValueError(f'{transform} does not move landmarks; leave it out of pipelines of '
                         'data sets with landmarks.')


@TRANSFORMS.register_module()
class RandomScaleRotate:
    """Scale every image by one random factor and rotate it by one random angle
    (sketch simplification's augmentation: the reference downscales scans by
    1.5-3.5x and rotates by up to 180 degrees).

    Args:
        scale: (low, high) factor range; (1, 1) keeps the size.
        rotation: the angle is uniform in [-rotation, rotation] degrees.
        fill: grey level brought in at the corners by rotation (255: paper).
    """

    def __init__(self, scale: tuple[float, float] = (1.0, 1.0), rotation: float = 180.0,
                 fill: int = 255):
        if not 0 < scale[0] <= scale[1]:
            raise ValueError(f'RandomScaleRotate: scale={scale} must be (low, high) with '
                             '0 < low <= high')
        self.scale, self.rotation, self.fill = tuple(scale), rotation, fill

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        _no_landmarks(sample, 'RandomScaleRotate')
        factor = rng.uniform(*self.scale)
        angle = rng.uniform(-self.rotation, self.rotation)
        for k in _image_keys(sample):
            image = sample[k]
            if factor != 1:
                size = tuple(max(1, round(d * factor)) for d in image.size)
                image = image.resize(size, Image.LANCZOS if factor < 1 else Image.BICUBIC)
            if angle:
                fill = self.fill if image.mode == 'L' else (self.fill,) * len(image.getbands())
                image = image.rotate(angle, Image.BILINEAR, fillcolor=fill)
            sample[k] = image
        return sample


@TRANSFORMS.register_module()
class RandomPatch:
    """Crop one random `size` patch out of every image, rejecting blank ones: a
    patch whose `key` image (the clean target) has mean grey >= `max_mean` (in
    [0, 1]) is drawn again, up to `max_tries` times, after which the least blank
    patch drawn is kept. Images smaller than the patch are padded with `fill`.
    """

    def __init__(self, size: int, max_mean: float = 0.99, max_tries: int = 20,
                 key: str = 'target', fill: int = 255):
        self.size, self.max_mean, self.max_tries = size, max_mean, max_tries
        self.key, self.fill = key, fill

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        _no_landmarks(sample, 'RandomPatch')
        keys = _image_keys(sample)
        for k in keys:
            w, h = sample[k].size
            if w < self.size or h < self.size:
                padded = Image.new(sample[k].mode, (max(w, self.size), max(h, self.size)),
                                   self.fill if sample[k].mode == 'L' else (self.fill,) * 3)
                padded.paste(sample[k], (0, 0))
                sample[k] = padded
        w, h = sample[keys[0]].size
        reference = np.asarray(sample[self.key].convert('L'), np.float32) / 255
        best = None
        for _ in range(self.max_tries):
            top = int(rng.integers(0, h - self.size + 1))
            left = int(rng.integers(0, w - self.size + 1))
            mean = reference[top:top + self.size, left:left + self.size].mean()
            if best is None or mean < best[0]:
                best = (mean, top, left)
            if mean < self.max_mean:
                break
        _, top, left = best
        for k in keys:
            sample[k] = sample[k].crop((left, top, left + self.size, top + self.size))
        return sample


@TRANSFORMS.register_module()
class InkThreshold:
    """Make grey pixels darker than `threshold` (in [0, 1]) fully black, in the
    `keys` images: the reference sets target pixels < 0.9 to 0, so the network
    learns solid lines."""

    deterministic = True

    def __init__(self, threshold: float = 0.9, keys: tuple[str, ...] = ('target',)):
        self.threshold, self.keys = threshold, tuple(keys)

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        level = round(self.threshold * 255)
        for k in self.keys:
            sample[k] = sample[k].point(lambda v: 0 if v < level else v)
        return sample


@TRANSFORMS.register_module()
class ToTensor:
    """PIL RGB (or grey) -> float CxHxW tensor in [-1, 1], the range the tanh
    generators produce; a label map (palette image, see sketchgen.data.labels) ->
    int64 HxW class indices."""

    deterministic = True

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        for k in _image_keys(sample):
            if sample[k].mode == 'P':
                sample[k] = torch.from_numpy(np.asarray(sample[k], dtype=np.int64))
                continue
            arr = np.asarray(sample[k], dtype=np.float32) / 127.5 - 1.0
            arr = arr[..., None] if arr.ndim == 2 else arr
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

    def split_deterministic(self) -> tuple[Compose, Compose]:
        """(the leading transforms marked `deterministic`, the rest): the first part's
        output depends on the sample alone, so a data set may cache it."""
        n = 0
        while n < len(self.transforms) and getattr(self.transforms[n], 'deterministic', False):
            n += 1
        return Compose(self.transforms[:n]), Compose(self.transforms[n:])
