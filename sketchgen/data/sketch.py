"""Sketches from colour images: XDoG (how Auto-painter made its training sketches)
and Canny edges, vectorised in torch so they run on a GPU and on batches.

Both return dark lines on white in [0, 1], one channel. `ExtractSketch` makes
them on the fly in a data pipeline, and `ColourImageDataset` + `ExtractSketch`
train Pix2Pix on a folder of colour images alone.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from sketchgen.data.io import list_images, load_image
from sketchgen.data.pipeline_dataset import PipelineDataset
from sketchgen.registry import DATASETS, TRANSFORMS

# D = G_sigma(I) - tau * G_{k sigma}(I) on the grey image times `scale`; output 1 where
# D >= epsilon, else 1 + tanh(phi (D - epsilon)).
XDOG_PRESETS = {
    # general purpose, binarised at the mean afterwards. On [0, 1] input its epsilon
    # only catches black-on-white edges; on the 0-255 scale it finds coloured ones too.
    'general': dict(sigma=0.8, k=1.6, tau=0.98, epsilon=-0.1, phi=200.0, scale=255.0,
                    binarize=True),
    # anime line art (sigma often 0.3-0.5); its epsilon is on the 0-255 scale
    'anime': dict(sigma=0.3, k=4.5, tau=0.95, epsilon=-1.0, phi=1e9, scale=255.0),
    # Auto-painter's script: 0-255 input sharpened (unsharp mask, amount 3) first
    'autopainter': dict(sigma=1.5, k=2.0, tau=0.97, epsilon=0.1, phi=200.0, scale=255.0,
                        sharpen=3.0),
}


def to_grey_batch(image) -> tuple[torch.Tensor, str]:
    """(N, 1, H, W) float grey in [0, 1] from a PIL image, a [0, 1] tensor (C, H, W) or
    (N, C, H, W), or an HxW(xC) uint8 array; plus the kind given, to return alike."""
    if isinstance(image, Image.Image):
        x = torch.from_numpy(np.asarray(image.convert('RGB'), dtype=np.float32) / 255)
        x, kind = x.permute(2, 0, 1)[None], 'pil'
    elif isinstance(image, np.ndarray):
        x = torch.from_numpy(image.astype(np.float32) / 255)
        x = x[None, None] if x.dim() == 2 else x.permute(2, 0, 1)[None]
        kind = 'array'
    else:
        x, kind = (image[None], 'chw') if image.dim() == 3 else (image, 'nchw')
        x = x.float()
    if x.shape[1] == 3:
        weights = torch.tensor([0.299, 0.587, 0.114], device=x.device).view(1, 3, 1, 1)
        x = (x * weights).sum(1, keepdim=True)
    elif x.shape[1] != 1:
        raise ValueError(f'sketch extraction: expected 1 or 3 channels, got {x.shape[1]}')
    return x, kind


def from_grey_batch(x: torch.Tensor, kind: str):
    if kind == 'pil':
        return Image.fromarray((x[0, 0].clamp(0, 1) * 255).round().byte().cpu().numpy())
    if kind == 'array':
        return (x[0, 0].clamp(0, 1) * 255).round().byte().cpu().numpy()
    return x[0] if kind == 'chw' else x


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of (N, 1, H, W), radius ceil(3 sigma), reflected borders."""
    radius = max(1, math.ceil(3 * sigma))
    coords = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-coords ** 2 / (2 * sigma ** 2))
    kernel = kernel / kernel.sum()
    pad_h, pad_w = min(radius, x.shape[-2] - 1), min(radius, x.shape[-1] - 1)
    x = F.pad(x, (pad_w, pad_w, pad_h, pad_h), mode='reflect' if min(pad_h, pad_w) > 0
              else 'replicate')
    x = F.conv2d(x, kernel[radius - pad_w:radius + pad_w + 1].view(1, 1, 1, -1))
    return F.conv2d(x, kernel[radius - pad_h:radius + pad_h + 1].view(1, 1, -1, 1))


def xdog(image, preset: str = 'general', **overrides):
    """Extended difference of Gaussians (Winnemöller et al. 2012).

    `preset` is one of XDOG_PRESETS; keyword arguments (sigma, k, tau, epsilon,
    phi, scale, sharpen, binarize) override it. Returns the same kind as given
    (PIL 'L' image, uint8 array, or a 1-channel [0, 1] tensor): dark lines on white.
    """
    if preset not in XDOG_PRESETS:
        raise ValueError(f'xdog: preset={preset!r} is not one of {sorted(XDOG_PRESETS)}')
    p = dict(XDOG_PRESETS[preset], **overrides)
    unknown = set(p) - {'sigma', 'k', 'tau', 'epsilon', 'phi', 'scale', 'sharpen', 'binarize'}
    if unknown:
        raise TypeError(f'xdog: unknown parameter(s) {sorted(unknown)}')
    grey, kind = to_grey_batch(image)
    x = grey * p['scale']
    if p.get('sharpen'):
        x = (x + p['sharpen'] * (x - gaussian_blur(x, p['sigma']))).clamp(0, p['scale'])
    d = gaussian_blur(x, p['sigma']) - p['tau'] * gaussian_blur(x, p['sigma'] * p['k'])
    out = torch.where(d >= p['epsilon'], torch.ones_like(d),
                      1 + torch.tanh(p['phi'] * (d - p['epsilon'])))
    if p.get('binarize'):
        out = (out >= out.mean(dim=(1, 2, 3), keepdim=True)).to(out.dtype)
    return from_grey_batch(out.clamp(0, 1), kind)


def canny(image, sigma: float = 1.0, low: float = 0.1, high: float = 0.2):
    """Canny edges (blur, Sobel, non-maximum suppression, hysteresis), as dark lines
    on white. `low` and `high` are gradient magnitudes of the [0, 1] grey image."""
    grey, kind = to_grey_batch(image)
    x = gaussian_blur(grey, sigma)
    sobel = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]], device=x.device) / 4
    padded = F.pad(x, (1, 1, 1, 1), mode='replicate')
    gx = F.conv2d(padded, sobel.view(1, 1, 3, 3))
    gy = F.conv2d(padded, sobel.t().contiguous().view(1, 1, 3, 3))
    magnitude = torch.hypot(gx, gy)
    # Quantise the gradient direction to 0, 45, 90, 135 degrees; keep pixels that are
    # maxima along it.
    angle = torch.rad2deg(torch.atan2(gy, gx)) % 180
    sector = ((angle + 22.5) // 45).long() % 4
    m = F.pad(magnitude, (1, 1, 1, 1))
    h, w = magnitude.shape[-2:]

    def shifted(dy, dx):
        return m[..., 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]

    offsets = [((0, 1), (0, -1)), ((1, 1), (-1, -1)), ((1, 0), (-1, 0)), ((1, -1), (-1, 1))]
    keep = torch.zeros_like(magnitude, dtype=torch.bool)
    for s, (a, b) in enumerate(offsets):
        is_max = (magnitude >= shifted(*a)) & (magnitude >= shifted(*b))
        keep |= (sector == s) & is_max
    thin = magnitude * keep
    strong, weak = thin >= high, thin >= low
    for _ in range(h + w):  # grow strong edges along connected weak ones
        grown = weak & (F.max_pool2d(strong.float(), 3, 1, 1) > 0)
        if torch.equal(grown, strong):
            break
        strong = grown
    return from_grey_batch(1 - strong.float(), kind)


SKETCH_METHODS = {'xdog': xdog, 'canny': canny}


def extract_sketch(image, method: str = 'xdog', **kwargs):
    if method not in SKETCH_METHODS:
        raise ValueError(f'sketch method {method!r} is not one of {sorted(SKETCH_METHODS)}')
    return SKETCH_METHODS[method](image, **kwargs)


@TRANSFORMS.register_module()
class ExtractSketch:
    """Make `source` from `target` on the fly: an XDoG or Canny sketch of the colour
    image, as RGB (grey replicated) so 3-channel generators take it unchanged."""

    deterministic = True

    def __init__(self, method: str = 'xdog', **kwargs):
        extract_sketch(Image.new('RGB', (8, 8)), method, **kwargs)  # fail at build time
        self.method, self.kwargs = method, kwargs

    def __call__(self, sample: dict, rng: np.random.Generator) -> dict:
        sample['source'] = extract_sketch(sample['target'], self.method,
                                          **self.kwargs).convert('RGB')
        return sample


@DATASETS.register_module()
class ColourImageDataset(PipelineDataset):
    """A folder of colour images with no sketches: each is a `target`; put
    `ExtractSketch` first in the pipeline to make its `source`.

    Args:
        data_root: folder of images; split: its sub-folder (None: data_root itself).
        partition_file, partition: a CelebA-style list of `FILE PARTITION` lines under
            data_root (e.g. list_eval_partition.txt: 0 train, 1 val, 2 test); only the
            files of `partition` are used.
        cache_decoded: keep each sample decoded in memory after the pipeline's leading
            deterministic transforms (sketchgen.data.pipeline_dataset).
    """

    def __init__(self, data_root: str, split: str | None = None,
                 pipeline: list | None = None, partition_file: str | None = None,
                 partition: int | None = None, cache_decoded: bool = False):
        self.root = Path(data_root) / split if split else Path(data_root)
        self.files = list_images(self.root)
        if partition_file is not None:
            self.files = _files_of_partition(self.files, Path(data_root) / partition_file,
                                             partition)
        super().__init__(pipeline or [dict(type='ExtractSketch'), dict(type='ToTensor')],
                         cache_decoded)

    def __len__(self) -> int:
        return len(self.files)

    def load_sample(self, index: int) -> dict:
        path = self.files[index]
        return dict(target=load_image(path), name=path.stem)


def _files_of_partition(files: list[Path], listing: Path, partition) -> list[Path]:
    if partition is None:
        raise ValueError(f'{listing}: give the partition to use (e.g. 0 train, 1 val, 2 test)')
    if not listing.is_file():
        raise FileNotFoundError(f'{listing}: partition file not found (check data_root and '
                                'partition_file).')
    wanted = set()
    for number, line in enumerate(listing.read_text().splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
            raise ValueError(f'{listing}, line {number}: expected "FILE PARTITION", got '
                             f'{line!r}')
        if int(parts[1]) == partition:
            wanted.add(parts[0])
    chosen = [f for f in files if f.name in wanted]
    if not chosen:
        raise FileNotFoundError(f'{listing}: no image of partition {partition} is in '
                                f'{files[0].parent}')
    return chosen
