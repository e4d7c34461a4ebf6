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
