"""The landmark regressor R of the landmark-guided cartoon CycleGAN (seed 003's
reference implementation): a small differentiable CNN, so ||R(G(x, l)) - l|| can
train the generator."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.face_landmarks import NUM_LANDMARKS
from sketchgen.registry import MODELS


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
