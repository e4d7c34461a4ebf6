"""Semantic label maps: PNGs whose pixel values are class indices.

They are kept as PIL palette ('P') images, so the joint transforms resize them by
nearest neighbour (Pillow does for 'P') and `ToTensor` turns them into integer
class maps instead of colours; the palette only makes them viewable.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from sketchgen.data.io import ImageLoadError

LABEL_MODES = ('L', 'P', 'I;16', 'I')


def label_palette(num_classes: int = 256) -> np.ndarray:
    """(num_classes, 3) uint8 colours, the PASCAL VOC bit-interleaved palette:
    class 0 black, neighbouring indices far apart in colour."""
    palette = np.zeros((num_classes, 3), np.uint8)
    for index in range(num_classes):
        value, shift = index, 7
        while value:
            for channel in range(3):
                palette[index, channel] |= ((value >> channel) & 1) << shift
            value >>= 3
            shift -= 1
    return palette


def to_label_image(labels: np.ndarray) -> Image.Image:
    """An (H, W) array of class indices (< 256) as a palette PNG-ready image."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() > 255):
        raise ValueError(f'label values in [{labels.min()}, {labels.max()}] do not fit a '
                         'palette image (0..255)')
    image = Image.fromarray(labels.astype(np.uint8), mode='L')
    image.putpalette(label_palette().ravel().tolist())  # 'L' -> 'P', indices unchanged
    return image


def load_label_map(path: str | Path, num_classes: int | None = None) -> Image.Image:
    """The label PNG at `path` as a 'P' image of class indices. With `num_classes`,
    an index outside 0..num_classes-1 is an error naming the file and the value."""
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode not in LABEL_MODES:
                raise ImageLoadError(f'{path}: a label map must be a one-channel image of '
                                     f'class indices (mode L or P), got mode {img.mode}; '
                                     'a colour-coded label image must be converted to indices')
            labels = np.asarray(img, dtype=np.int64)
    except ImageLoadError:
        raise
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: label map not found.') from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageLoadError(f'{path}: cannot decode the label map ({err}).') from err
    if num_classes is not None and labels.size and labels.max() >= num_classes:
        raise ImageLoadError(f'{path}: class index {labels.max()} is outside 0..'
                             f'{num_classes - 1} (num_classes={num_classes})')
    return to_label_image(labels)


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(N, H, W) or (N, 1, H, W) integer class maps -> (N, num_classes, H, W) floats."""
    if labels.dim() == 4:
        labels = labels[:, 0]
    if labels.dtype.is_floating_point:
        raise TypeError('one_hot: label maps must hold integer class indices')
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f'label map values in [{int(labels.min())}, {int(labels.max())}] '
                         f'are outside 0..{num_classes - 1} (num_classes={num_classes})')
    return torch.nn.functional.one_hot(labels, num_classes).permute(0, 3, 1, 2).float()


def colourise(labels: torch.Tensor) -> torch.Tensor:
    """(N, H, W) class maps -> (N, 3, H, W) palette colours in [-1, 1] (for grids)."""
    palette = torch.from_numpy(label_palette()).float() / 127.5 - 1
    return palette[labels.long().clamp(0, 255)].permute(0, 3, 1, 2)
