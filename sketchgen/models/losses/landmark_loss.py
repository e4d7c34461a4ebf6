"""Landmark consistency ||R(G(x, l)) - l||_2 with a frozen, pre-trained regressor R
(seed 003; Wu et al. 2019)."""
from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torch import nn

from sketchgen.models.face_landmarks import normalise
from sketchgen.models.init import set_requires_grad
from sketchgen.registry import LOSSES, MODELS


def is_regressor_config(checkpoint: str) -> bool:
    """A `LandmarkRegression` config named instead of its checkpoint: a '.py' file or a
    packaged 'sketchgen::cyclegan/...py'."""
    from sketchgen.config import SCOPE_PREFIX
    return checkpoint.startswith(SCOPE_PREFIX) or checkpoint.endswith('.py')


def trained_regressor_of(config: str) -> Path:
    """The newest checkpoint `python tools/train.py CONFIG` wrote for a
    `LandmarkRegression` config: work_dirs/<config name>/checkpoints under the current
    folder. The config file is not run: a config named inside a checkpoint from
    elsewhere must not make us execute a file. A run given another --work-dir is named
    by its checkpoint instead."""
    from sketchgen.checkpoint import checkpoint_dir, default_work_dir, list_checkpoints
    from sketchgen.config import resolve_config_path
    path = resolve_config_path(config)
    if not path.is_file():
        raise FileNotFoundError(f'{config}: landmark_loss.checkpoint names a config file '
                                'that does not exist.')
    folder = checkpoint_dir(default_work_dir(path.stem))
    found = list_checkpoints(folder)
    if not found:
        raise FileNotFoundError(
            f'{config}: this landmark regressor is not trained yet (no checkpoint in '
            f'{folder.resolve()}). Train it from this folder first: python '
            f'tools/train.py {config} --cfg-options data_root=<your data> (the same data '
            'as the cartoon model), then start the cartoon training again.')
    return found[-1][1]


def load_regressor_weights(regressor: nn.Module, checkpoint: str) -> None:
    """Load R from a `LandmarkRegression` checkpoint (its keys start with 'regressor.'):
    a model-zoo name (e.g. the packaged 'landmark-regressor_cnn-w0.5_emoji-faces-64px'),
    the config that trains it (its newest checkpoint is used), a checkpoint folder or a
    weights file."""
    from safetensors.torch import load_file

    from sketchgen import zoo
    from sketchgen.checkpoint import weights_path
    if is_regressor_config(checkpoint):
        path = weights_path(trained_regressor_of(checkpoint))
    else:
        try:
            path = zoo.download(checkpoint) if zoo.is_zoo_name(checkpoint) \
                else weights_path(checkpoint)
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f'{err} The landmark loss needs a trained landmark regressor: name the '
                "packaged one ('landmark-regressor_cnn-w0.5_emoji-faces-64px'), the config "
                'that trains yours (e.g. sketchgen::cyclegan/'
                'landmark-regressor_cnn-w0.5_1xb32-2k_emoji-faces-64px.py), or its '
                'LandmarkRegression checkpoint.') from None
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
