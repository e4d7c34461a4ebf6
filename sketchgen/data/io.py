"""Reading images, with errors that name the file and say what to do.

Colour handling (documented in docs/data.md): every image becomes 8-bit RGB.
Grayscale is replicated to three channels; RGBA/LA/palette images with
transparency are composited on white (line art is often exported with a
transparent background); 16-bit images are scaled to 8 bits (value / 257);
32-bit integer images whose values fit in 8 bits are taken as 8-bit; 32-bit float
images are refused, since their range is unknown. EXIF orientation is applied, so
a phone photo is upright as every viewer shows it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')


class ImageLoadError(OSError):
    """An image file could not be read or converted."""


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly in `folder`, sorted by name; an error if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f'{folder}: no such folder (check data_root in your config).')
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
    if not files:
        raise FileNotFoundError(
            f'{folder}: the folder holds no images (looked for {", ".join(IMAGE_EXTENSIONS)}).')
    return files


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) read from the header only; cheap enough to check a whole data set."""
    try:
        with Image.open(path) as img:
            return img.size
    except Image.DecompressionBombError as err:
        raise ImageLoadError(f'{path}: refused as a possible decompression bomb ({err}).') from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ImageLoadError(f'{path}: not a readable image ({err}). Re-export the file or '
                             'remove it from the data set.') from err


def load_image(path: str | Path) -> Image.Image:
    """The image at `path` as 8-bit RGB (see the module docstring for conversions)."""
    try:
        with Image.open(path) as img:
            img.load()  # decode now, so a truncated file fails here and not later
            return to_rgb(ImageOps.exif_transpose(img), path)
    except ImageLoadError:
        raise
    except Image.DecompressionBombError as err:
        raise ImageLoadError(f'{path}: refused as a possible decompression bomb ({err}). If the '
                             'image is genuine, raise PIL.Image.MAX_IMAGE_PIXELS.') from None
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: image file not found.') from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ImageLoadError(f'{path}: cannot decode the image ({err}); the file is corrupt or '
                             'truncated. Re-export it or remove it from the data set.') from err


def to_rgb(img: Image.Image, path: str | Path = '<image>') -> Image.Image:
    if img.mode == 'RGB':
        return img.copy()
    if img.mode in ('I;16', 'I;16B', 'I;16L', 'I'):
        arr = np.asarray(img, dtype=np.float64)
        if arr.size and (arr.min() < 0 or arr.max() > 65535):
            raise ImageLoadError(f'{path}: 32-bit integer image with values in '
                                 f'[{arr.min():.0f}, {arr.max():.0f}], outside 0..65535; '
                                 'convert it to 8 or 16 bits first.')
        if img.mode == 'I' and arr.size and arr.max() <= 255:
            return Image.fromarray(arr.astype(np.uint8)).convert('RGB')  # 8-bit values
        return Image.fromarray((arr / 257.0).round().astype(np.uint8)).convert('RGB')
    if img.mode == 'F':
        raise ImageLoadError(f'{path}: 32-bit float image; its value range is unknown, so '
                             'sketchgen refuses to guess. Convert it to 8-bit PNG first.')
    if img.mode in ('RGBA', 'LA', 'PA') or (img.mode == 'P' and 'transparency' in img.info):
        rgba = img.convert('RGBA')
        white = Image.new('RGBA', rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert('RGB')
    return img.convert('RGB')
