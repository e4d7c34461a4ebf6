"""Facial landmarks: 5 points per face in CelebA order (left eye, right eye, nose,
left and right mouth corner), as (x, y) in pixels of their image, or normalised to
[0, 1] where a network predicts them; and the eye, nose and mouth windows the
cartoon CycleGAN's local discriminators judge (seed 003; Wu et al. 2019)."""
from __future__ import annotations

import torch

LANDMARK_NAMES = ('left_eye', 'right_eye', 'nose', 'mouth_left', 'mouth_right')
NUM_LANDMARKS = len(LANDMARK_NAMES)
# Each local discriminator's part, and its windows: the landmarks whose mean is a
# window's centre. Both eyes go through one eye discriminator.
PARTS = {'eyes': ((0,), (1,)), 'nose': ((2,),), 'mouth': ((3, 4),)}


def normalise(landmarks: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Pixel (x, y) -> [0, 1] for an image of `size` = (height, width)."""
    h, w = size
    return landmarks / landmarks.new_tensor([w, h])


def interocular_error(pred: torch.Tensor, true: torch.Tensor) -> torch.Tensor:
    """Per image: mean point distance divided by the true inter-ocular distance."""
    distance = (pred - true).norm(dim=-1).mean(-1)
    return distance / (true[:, 0] - true[:, 1]).norm(dim=-1).clamp_min(1e-6)


def part_centres(landmarks: torch.Tensor, part: str) -> list[torch.Tensor]:
    """The (N, 2) centres of `part`'s windows (one per eye; the mouth's is the
    midpoint of its corners) from (N, 5, 2) landmarks."""
    if part not in PARTS:
        raise KeyError(f'unknown face part {part!r}; the parts are {sorted(PARTS)}')
    return [landmarks[:, list(idx)].mean(1) for idx in PARTS[part]]


def crop_patches(images: torch.Tensor, centres: torch.Tensor, size: tuple[int, int]
                 ) -> torch.Tensor:
    """Cut an (h, w) window around each image's centre (x, y in pixels).

    A window that would leave the image is shifted inside it (so it always holds
    real pixels; near a border the point is off-centre). Differentiable w.r.t.
    `images` (plain indexing), so G gets the local discriminators' gradient.
    """
    n, _, height, width = images.shape
    h, w = size
    if h > height or w > width:
        raise ValueError(f'crop_patches: window {w}x{h} is larger than the image '
                         f'{width}x{height}')
    centres = centres.detach().round().long()
    left = (centres[:, 0] - w // 2).clamp(0, width - w)
    top = (centres[:, 1] - h // 2).clamp(0, height - h)
    rows = (top[:, None] + torch.arange(h, device=images.device))[:, :, None]  # N,h,1
    cols = (left[:, None] + torch.arange(w, device=images.device))[:, None, :]  # N,1,w
    batch = torch.arange(n, device=images.device)[:, None, None]
    return images[batch, :, rows, cols].permute(0, 3, 1, 2)  # N,h,w,C -> N,C,h,w


def gaussian_window(size: tuple[int, int], sigma: float, device=None) -> torch.Tensor:
    """An (h, w) Gaussian heatmap, 1 at the window centre: the local discriminators
    see patches weighted by it, so they judge the feature rather than its surround."""
    h, w = size
    y = torch.arange(h, device=device, dtype=torch.float32) - (h - 1) / 2
    x = torch.arange(w, device=device, dtype=torch.float32) - (w - 1) / 2
    return torch.exp(-(y[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma ** 2))
