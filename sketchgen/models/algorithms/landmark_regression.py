"""Training the landmark regressor R by its own config, before the cartoon CycleGAN
that uses it in its landmark loss."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.face_landmarks import normalise
from sketchgen.models.init import init_weights
from sketchgen.registry import MODELS


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

    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        return {'regressor': ('regressor',)}

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
