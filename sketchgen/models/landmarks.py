"""Facial landmarks for the landmark-guided cartoon CycleGAN (seed 003; Wu et al. 2019).

Landmarks are 5 points per face in CelebA order (left eye, right eye, nose, left
and right mouth corner), as (x, y) in pixels of the image they belong to, or
normalised to [0, 1] where a network predicts them. This module holds:

- `LandmarkRegressor`: the small differentiable CNN R of the seed's reference
  implementation, so ||R(G(x, l)) - l|| can train the generator;
- `LandmarkLoss`: that consistency loss, with a frozen, pre-trained R;
- `LandmarkRegression`: the algorithm that trains R by its own config;
- `part_centres` / `crop_patches` / `gaussian_window`: the eye, nose and mouth
  windows the local discriminators judge;
- `solve_affine`: the least-squares 2-D affine map between point sets (used by
  the `AlignLandmarks` transform).
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.algorithms.base import set_requires_grad
from sketchgen.models.init import init_weights
from sketchgen.registry import LOSSES, MODELS

LANDMARK_NAMES = ('left_eye', 'right_eye', 'nose', 'mouth_left', 'mouth_right')
NUM_LANDMARKS = len(LANDMARK_NAMES)
# Each local discriminator's part, and its windows: the landmarks whose mean is a
# window's centre. Both eyes go through one eye discriminator.
PARTS = {'eyes': ((0,), (1,)), 'nose': ((2,),), 'mouth': ((3, 4),)}


@MODELS.register_module()
class LandmarkRegressor(nn.Module):
    """conv5 3->20, conv5 20->48, conv3 48->64 (ReLU, 2x max-pool each), conv3 64->80,
    ReLU, FC 256, FC 10 with dropout 0.1 (the seed's reference regressor, 128 px).

    Input: images in [-1, 1] of `input_size` (others are resized). Output: (N, 5, 2)
    landmarks normalised to [0, 1] of the input's width and height. `width` scales
    every channel count (0.5 for a CPU-sized model).
    """

    def __init__(self, input_size: int = 128, in_channels: int = 3, width: float = 1.0,
                 dropout: float = 0.1):
        super().__init__()
        self.input_size = input_size
        c = [max(4, round(n * width)) for n in (20, 48, 64, 80)]
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c[0], 5, padding=2), nn.ReLU(True), nn.MaxPool2d(2),
            nn.Conv2d(c[0], c[1], 5, padding=2), nn.ReLU(True), nn.MaxPool2d(2),
            nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(True), nn.MaxPool2d(2),
            nn.Conv2d(c[2], c[3], 3, padding=1), nn.ReLU(True))
        side = input_size // 8
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(c[3] * side * side, 256),
                                  nn.ReLU(True), nn.Dropout(dropout),
                                  nn.Linear(256, 2 * NUM_LANDMARKS))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[-2:] != (self.input_size, self.input_size):
            images = F.interpolate(images, size=(self.input_size,) * 2, mode='bilinear',
                                   align_corners=False)
        # Predict offsets from the image centre: an untrained net starts at the centre.
        return 0.5 + self.head(self.features(images)).view(-1, NUM_LANDMARKS, 2)


def normalise(landmarks: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Pixel (x, y) -> [0, 1] for an image of `size` = (height, width)."""
    h, w = size
    return landmarks / landmarks.new_tensor([w, h])


def interocular_error(pred: torch.Tensor, true: torch.Tensor) -> torch.Tensor:
    """Per image: mean point distance divided by the true inter-ocular distance."""
    distance = (pred - true).norm(dim=-1).mean(-1)
    return distance / (true[:, 0] - true[:, 1]).norm(dim=-1).clamp_min(1e-6)


def load_regressor_weights(regressor: nn.Module, checkpoint: str) -> None:
    """Load R from a `LandmarkRegression` checkpoint (its keys start with 'regressor.')."""
    from safetensors.torch import load_file

    from sketchgen.engine.checkpoint import weights_path
    try:
        path = weights_path(checkpoint)
    except FileNotFoundError as err:
        raise FileNotFoundError(
            f'{err} The landmark loss needs a trained landmark regressor: train it with its '
            'own config first (e.g. python tools/train.py configs/cyclegan/'
            'landmark-regressor_cnn-w0.5_1xb32-2k_emoji-faces-64px.py), or point '
            'landmark_loss.checkpoint at your LandmarkRegression checkpoint.') from None
    state = load_file(str(path))
    state = {k[len('regressor.'):]: v for k, v in state.items() if k.startswith('regressor.')}
    if not state:
        raise ValueError(f'{checkpoint}: no landmark regressor weights (keys "regressor.*"); '
                         'train one with a LandmarkRegression config first.')
    regressor.load_state_dict(state)


@LOSSES.register_module()
class LandmarkLoss(nn.Module):
    """Landmark consistency: mean over images of ||R(G(x, l)) - l||_2 on [0, 1]
    coordinates, times `loss_weight`. R is frozen (its weights are not trained by
    this loss) but differentiable, so the gradient reaches the generator.

    Args:
        regressor: `LandmarkRegressor` config.
        checkpoint: the `LandmarkRegression` checkpoint holding R's trained weights,
            loaded before the first training use. The weights then travel inside the
            model's own checkpoints, so inference needs no regressor file.
        loss_weight: lambda_landmark (1 in the seed).
    """

    def __init__(self, regressor: dict, checkpoint: str | None = None,
                 loss_weight: float = 1.0):
        super().__init__()
        self.regressor = MODELS.build(regressor)
        set_requires_grad(self.regressor, False)
        self.checkpoint = checkpoint
        self.loss_weight = loss_weight
        # 1 once R holds trained weights; saved with the model, so a loaded model never
        # goes back to the regressor checkpoint.
        self.register_buffer('weights_loaded', torch.zeros((), dtype=torch.uint8))

    def train(self, mode: bool = True):
        super().train(mode)
        self.regressor.eval()  # no dropout inside the loss
        return self

    def ensure_weights(self) -> None:
        if self.weights_loaded:
            return
        if self.checkpoint is None:
            warnings.warn('LandmarkLoss: no regressor checkpoint given; the landmark loss '
                          'uses an untrained regressor (only useful in tests).')
        else:
            load_regressor_weights(self.regressor, self.checkpoint)
        self.weights_loaded.fill_(1)

    def forward(self, images: torch.Tensor, landmarks: torch.Tensor) -> torch.Tensor:
        """images in [-1, 1]; landmarks (N, 5, 2) in pixels of `images`."""
        self.ensure_weights()
        pred = self.regressor(images)
        target = normalise(landmarks, images.shape[-2:])
        return (pred - target).flatten(1).norm(dim=1).mean() * self.loss_weight


@MODELS.register_module()
class LandmarkRegression(nn.Module):
    """Trains a `LandmarkRegressor` on images with landmarks (MSE on [0, 1] coordinates).

    It reads `source` + `landmarks_a` and, when present, `target` + `landmarks_b` of
    each batch, so the unpaired CycleGAN data sets train it on both domains.
    """

    def __init__(self, regressor: dict, image_size: int = 128):
        super().__init__()
        self.regressor = MODELS.build(regressor)
        self.image_size = image_size
        init_weights(self.regressor, 'kaiming')

    @property
    def device(self) -> torch.device:
        return next(self.regressor.parameters()).device

    @staticmethod
    def images_and_landmarks(batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        images, points = [batch['source']], [batch['landmarks_a']]
        if 'landmarks_b' in batch:
            images.append(batch['target'])
            points.append(batch['landmarks_b'])
        return torch.cat(images), torch.cat(points)

    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0) -> dict:
        images, points = self.images_and_landmarks(batch)
        loss = F.mse_loss(self.regressor(images), normalise(points, images.shape[-2:]))
        optimizers['regressor'].update(loss)
        return dict(loss_landmark=loss.detach())

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 5, 2) landmarks in pixels of `images` ([-1, 1])."""
        h, w = images.shape[-2:]
        return self.regressor.eval()(images) * images.new_tensor([w, h])


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
