"""Landmark consistency ||R(G(x, l)) - l||_2 with a frozen, pre-trained regressor R
(seed 003; Wu et al. 2019)."""
from __future__ import annotations

import warnings

import torch
from torch import nn

from sketchgen.models.face_landmarks import normalise
from sketchgen.models.init import set_requires_grad
from sketchgen.registry import LOSSES, MODELS


def load_regressor_weights(regressor: nn.Module, checkpoint: str) -> None:
    """Load R from a `LandmarkRegression` checkpoint (its keys start with 'regressor.'):
    a model-zoo name (e.g. the packaged 'landmark-regressor_cnn-w0.5_emoji-faces-64px'),
    the config that trains it (its newest checkpoint is used), a checkpoint folder or a
    weights file."""
    from safetensors.torch import load_file

    from sketchgen.checkpoint import resolve_checkpoint
    path = resolve_checkpoint(
        checkpoint, 'landmark_loss.checkpoint',
        how_to_train=' --cfg-options data_root=<your data> (the same data as the cartoon '
                     'model), then start the cartoon training again',
        example="; the packaged one is 'landmark-regressor_cnn-w0.5_emoji-faces-64px'")
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
        checkpoint: where R's trained weights come from, loaded before the first
            training use: a model-zoo name, the `LandmarkRegression` config that trains
            R (its newest checkpoint), or that training's checkpoint. The weights then
            travel inside the model's own checkpoints, so inference needs no regressor
            file.
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
