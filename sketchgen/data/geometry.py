"""Point-set geometry for the data transforms."""
from __future__ import annotations

import numpy as np


def solve_affine(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 affine A minimising sum ||A [p; 1] - q||^2 over point pairs (p, q).

    Least squares by SVD (numpy.linalg.lstsq); needs >= 3 points not on one line.
    Exact when the points are related by an affine map.
    """
    source, target = np.asarray(source, np.float64), np.asarray(target, np.float64)
    if source.shape != target.shape or source.ndim != 2 or source.shape[1] != 2:
        raise ValueError(f'solve_affine: expected two (K, 2) point arrays, got '
                         f'{source.shape} and {target.shape}')
    if len(source) < 3:
        raise ValueError(f'solve_affine: needs at least 3 point pairs, got {len(source)}')
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, _, rank, _ = np.linalg.lstsq(design, target, rcond=None)
    if rank < 3:
        raise ValueError('solve_affine: the source points are collinear; the affine map is '
                         'not determined')
    return solution.T


def solve_similarity(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 similarity (rotation, uniform scale, translation) minimising the
    squared distances between mapped source points and target points; unlike
    `solve_affine` it never shears or stretches (a photo's face keeps its shape).
    Linear least squares in (a, b, tx, ty) of [[a, -b, tx], [b, a, ty]]."""
    source, target = np.asarray(source, np.float64), np.asarray(target, np.float64)
    if source.shape != target.shape or source.ndim != 2 or source.shape[1] != 2 \
            or len(source) < 2:
        raise ValueError(f'solve_similarity: expected two (K >= 2, 2) point arrays, got '
                         f'{source.shape} and {target.shape}')
    x, y = source[:, 0], source[:, 1]
    ones, zeros = np.ones_like(x), np.zeros_like(x)
    design = np.vstack([np.stack([x, -y, ones, zeros], 1), np.stack([y, x, zeros, ones], 1)])
    (a, b, tx, ty), _, rank, _ = np.linalg.lstsq(design, np.concatenate(
        [target[:, 0], target[:, 1]]), rcond=None)
    if rank < 4:
        raise ValueError('solve_similarity: the source points coincide; the map is not '
                         'determined')
    return np.array([[a, -b, tx], [b, a, ty]])


def warp_affine(image, forward: np.ndarray, size: tuple[int, int], fill=(255, 255, 255)):
    """A PIL image warped by the 2x3 map `forward` (input -> output pixel
    coordinates) into an image of `size` (w, h), bilinear, `fill` outside."""
    from PIL import Image
    # PIL maps output pixels back to input pixels: give it the inverse map.
    inverse = np.linalg.inv(np.vstack([forward, [0, 0, 1]]))[:2]
    return image.transform(tuple(size), Image.AFFINE, inverse.ravel(), Image.BILINEAR,
                           fillcolor=tuple(fill))
