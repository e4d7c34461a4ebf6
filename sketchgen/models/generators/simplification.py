"""The fully-convolutional sketch simplification network (Simo-Serra, Iizuka,
Sasaki, Ishikawa; SIGGRAPH 2016), and inference on images of any size.

Three stride-2 down-convolutions take the rough sketch to 1/8 of its size, seven
flat convolutions work there, and three up-convolutions (transposed, 4x4, stride
2) bring it back; every layer but the last is followed by batch norm and ReLU,
the last by a sigmoid, so the output is a grey image in [0, 1] (1 = paper).

The network takes a grey [0, 1] image of any size: it replicate-pads the right
and bottom edges to a multiple of 8, runs, and crops back. `tiled_forward` runs
it tile by tile for images that do not fit in memory, with results equal to the
untiled ones (see its docstring for why).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sketchgen.models.layers import norm_layer
from sketchgen.registry import MODELS

# The released model's layers: (kind, kernel, stride, out channels at width 1).
# 'conv' pads k // 2; 'up' is ConvTranspose2d(4, stride 2, padding 1).
LAYERS = (
    ('conv', 5, 2, 48), ('conv', 3, 1, 128), ('conv', 3, 1, 128),
    ('conv', 3, 2, 128), ('conv', 3, 1, 256), ('conv', 3, 1, 256),
    ('conv', 3, 2, 256), ('conv', 3, 1, 512), ('conv', 3, 1, 1024), ('conv', 3, 1, 1024),
    ('conv', 3, 1, 1024), ('conv', 3, 1, 1024), ('conv', 3, 1, 512), ('conv', 3, 1, 256),
    ('up', 4, 2, 256), ('conv', 3, 1, 256), ('conv', 3, 1, 128),
    ('up', 4, 2, 128), ('conv', 3, 1, 128), ('conv', 3, 1, 48),
    ('up', 4, 2, 48), ('conv', 3, 1, 24), ('conv', 3, 1, 1),
)
# Mean and std of the grey input the released "mse" model was trained on.
RELEASED_MEAN, RELEASED_STD = 0.9664423107, 0.0858366704
# Pixels one output pixel depends on, each side (half the receptive field of
# LAYERS, rounded up to the stride): overlap tiles by this much and tiled
# inference equals untiled inference.
RECEPTIVE_RADIUS = 104


@MODELS.register_module()
class SketchSimplificationNet(nn.Module):
    """Args:
        width: channel multiplier of the released widths (1.0 = the paper's 44M
            parameters; 0.25 = 2.8M, the built-in CPU model; tests use less).
            Every layer keeps at least 4 channels.
        mean, std: the grey input x in [0, 1] is fed as (x - mean) / std.
        norm: 'batch' for training (the released weights have it folded into the
            convolutions), or 'none'.
    """
    in_channels = 1
    out_channels = 1
    size_multiple = 8  # inputs are padded to a multiple of this (three stride-2 levels)

    def __init__(self, width: float = 1.0, mean: float = RELEASED_MEAN,
                 std: float = RELEASED_STD, norm: str = 'batch'):
        super().__init__()
        if width <= 0:
            raise ValueError(f'SketchSimplificationNet: width={width} must be positive')
        if std <= 0:
            raise ValueError(f'SketchSimplificationNet: std={std} must be positive')
        self.width, self.mean, self.std = width, mean, std
        layers, channels = [], 1
        for i, (kind, kernel, stride, out) in enumerate(LAYERS):
            last = i == len(LAYERS) - 1
            out = 1 if last else max(4, round(out * width))
            bias = last or norm != 'batch'
            if kind == 'conv':
                layers.append(nn.Conv2d(channels, out, kernel, stride, kernel // 2, bias=bias))
            else:
                layers.append(nn.ConvTranspose2d(channels, out, kernel, stride, 1, bias=bias))
            layers += [nn.Sigmoid()] if last else [norm_layer(norm, out), nn.ReLU(inplace=True)]
            channels = out
        self.layers = nn.Sequential(*layers)
        # He initialisation: 23 ReLU layers trained from scratch (the paper) need
        # it, or the signal fades to nothing before the sigmoid.
        for m in self.layers:
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) grey in [0, 1], any H and W -> (N, 1, H, W) in [0, 1]."""
        if x.dim() != 4 or x.shape[1] != 1:
            raise ValueError(f'SketchSimplificationNet takes grey batches (N, 1, H, W), got '
                             f'{tuple(x.shape)}')
        h, w = x.shape[-2:]
        pad_h, pad_w = -h % self.size_multiple, -w % self.size_multiple
        if pad_h or pad_w:
            x = F.pad(x, (0, pad_w, 0, pad_h), mode='replicate')
        y = self.layers((x - self.mean) / self.std)
        return y[..., :h, :w]


def tiled_forward(net: nn.Module, x: torch.Tensor, tile: int = 512,
                  overlap: int = RECEPTIVE_RADIUS) -> torch.Tensor:
    """Run a fully-convolutional `net` over `x` tile by tile.

    The image is cut into cores of (tile - 2 * overlap) pixels; each core is run
    with `overlap` pixels of real context on every side (less at the image border,
    where the untiled run has no context either) and only the core is kept. Tiles
    start on multiples of the net's `size_multiple`, so their down-sampling grid is the
    untiled one, and with overlap >= the receptive radius (RECEPTIVE_RADIUS for
    SketchSimplificationNet, in eval mode) every kept pixel sees exactly what it
    sees untiled: the results agree to float rounding. Peak memory is that of
    one tile.
    """
    multiple = getattr(net, 'size_multiple', 1)
    core = tile - 2 * overlap
    if overlap < 0 or core < multiple or core % multiple or overlap % multiple:
        raise ValueError(f'tiled_forward: tile={tile} and overlap={overlap} must be multiples '
                         f'of {multiple} with tile > 2 * overlap')
    h, w = x.shape[-2:]
    if h <= tile and w <= tile:
        return net(x)
    out = None
    for top in range(0, h, core):
        for left in range(0, w, core):
            y0, x0 = max(0, top - overlap), max(0, left - overlap)
            y1, x1 = min(h, top + core + overlap), min(w, left + core + overlap)
            result = net(x[..., y0:y1, x0:x1])
            if out is None:
                out = result.new_empty(*result.shape[:2], h, w)
            bottom, right = min(h, top + core), min(w, left + core)
            out[..., top:bottom, left:right] = result[..., top - y0:bottom - y0,
                                                      left - x0:right - x0]
    return out
