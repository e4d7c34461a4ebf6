"""Winograd convolution F(4x4, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
Neural Networks", CVPR 2016).

A 3x3, stride-1 convolution computes each 4x4 block of its output from the 6x6 block of
input around it: 16 x 9 = 144 multiplies for each pair of input and output channels.
Winograd's minimal filtering algorithm needs 36: the input tiles (V = B^T d B) and the
weights (U = G g G^T) are transformed, multiplied position by position as 36 matrix
multiplies of (tiles x C_in) by (C_in x C_out), and the products transformed back
(Y = A^T M A). The matrix multiplies do a quarter of the direct convolution's FLOPs; the
transforms add memory traffic linear in the channels, not quadratic. So it pays for wide
layers on large maps: forward and backward of a CycleGAN residual convolution (256
channels at 64x64) take half the time of oneDNN's fp32 kernel on a 2-core CPU
(docs/benchmarks.md, "Winograd convolutions").

The transforms use the interpolation points 0, +-1, +-2 and infinity. In fp32 the result
differs from the direct convolution by ~1e-5 of its largest value (the direct one by
~3e-7), far below bf16's 4e-3, and the gradients likewise. It is no bf16 algorithm: the
output transform weighs the products by up to 64 and sums them into a far smaller
result, which would amplify bf16's rounding as much.

The backward pass stays in the transformed domain: the output gradient's tiles go
through the transposed output transform, the input and weight gradients are again 36
matrix multiplies each, and the input windows' gradients are summed back over their
2-pixel overlaps.
"""
from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from sketchgen.models.layers import is_channels_last

# F(4x4, 3x3): B^T (6x6), G (6x3), A^T (4x6); Lavin & Gray, section 4.2.
_B_T = ((4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0),
        (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1))
_G = ((1 / 4, 0, 0), (-1 / 6, -1 / 6, -1 / 6), (-1 / 6, 1 / 6, -1 / 6),
      (1 / 24, 1 / 12, 1 / 6), (1 / 24, -1 / 12, 1 / 6), (0, 0, 1))
_A_T = ((1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0), (0, 1, 1, 4, 4, 0), (0, 1, -1, 8, -8, 1))
TILE = 4            # output pixels a tile side
WINDOW = TILE + 2   # input pixels a tile side


@functools.lru_cache(maxsize=None)
def _transforms(dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The 2-D transforms as single matrices on flattened tiles: kron(B^T, B^T) (36x36),
    kron(G, G) (36x9) and kron(A^T, A^T) (16x36), computed in float64."""
    def kron(rows):
        m = torch.tensor(rows, dtype=torch.float64)
        return torch.kron(m, m).to(dtype)
    return kron(_B_T), kron(_G), kron(_A_T)


def _tiles(x: torch.Tensor, window: int, tiles_h: int, tiles_w: int) -> torch.Tensor:
    """(N, C, H, W), any strides -> (window^2, N * tiles_h * tiles_w * C): the windows
    of `window` pixels a side every TILE pixels, position-major (one copy)."""
    n, c = x.shape[:2]
    sn, sc, sh, sw = x.stride()
    windows = x.as_strided((window, window, n, tiles_h, tiles_w, c),
                           (sh, sw, sn, TILE * sh, TILE * sw, sc))
    return windows.reshape(window * window, -1)


class _WinogradConv3x3(torch.autograd.Function):
    """y = conv2d(x, weight) for a 3x3 weight, stride 1, no padding, on an input whose
    height and width are 2 more than a multiple of TILE.

    It saves x and the weight, as the direct convolution does, and transforms them again
    in the backward pass: keeping the transformed input (2.25x the input) and weights for
    every layer raised CycleGAN's peak memory at 256 px by 1.8 GB (4.35 -> 6.17 GB;
    4.67 GB this way), and doing them again is 23 of the step's 790 GFLOP."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        n, c_in, h, w = x.shape
        tiles_h, tiles_w = (h - 2) // TILE, (w - 2) // TILE
        m = torch.bmm(_input_transform(x), _weight_transform(weight))   # (36, tiles, C_out)
        c_out = m.shape[-1]
        out_t = _transforms(x.dtype)[2]
        y = (out_t @ m.view(WINDOW ** 2, -1)).view(TILE, TILE, n, tiles_h, tiles_w, c_out)
        ctx.save_for_backward(x, weight)
        ctx.channels_last = is_channels_last(x)
        if ctx.channels_last:   # (n, tiles_h, i, tiles_w, j, c): NHWC
            return y.permute(2, 3, 0, 4, 1, 5).reshape(
                n, tiles_h * TILE, tiles_w * TILE, c_out).permute(0, 3, 1, 2)
        return y.permute(2, 5, 3, 0, 4, 1).reshape(n, c_out, tiles_h * TILE, tiles_w * TILE)

    @staticmethod
    def backward(ctx, grad_y: torch.Tensor):
        x, weight = ctx.saved_tensors
        n, c_in, h, w = x.shape
        tiles_h, tiles_w = (h - 2) // TILE, (w - 2) // TILE
        in_t, weight_t, out_t = _transforms(x.dtype)
        # The output tiles do not overlap: the transposed output transform gives dL/dM.
        grad_m = (out_t.t() @ _tiles(grad_y, TILE, tiles_h, tiles_w)).view(
            WINDOW ** 2, -1, weight.shape[0])
        grad_x = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_v = torch.bmm(grad_m, _weight_transform(weight).transpose(1, 2))
            grad_windows = (in_t.t() @ grad_v.view(WINDOW ** 2, -1)).view(
                WINDOW, WINDOW, n, tiles_h, tiles_w, c_in).permute(2, 3, 0, 4, 1, 5)
            grad_x = _overlap_add(grad_windows, h, w, ctx.channels_last)
        if ctx.needs_input_grad[1]:
            grad_u = torch.bmm(_input_transform(x).transpose(1, 2), grad_m)
            grad_weight = (weight_t.t() @ grad_u.view(WINDOW ** 2, -1)).view(
                3, 3, c_in, -1).permute(3, 2, 0, 1)
        return grad_x, grad_weight


def _input_transform(x: torch.Tensor) -> torch.Tensor:
    """(N, C_in, H, W) -> V = B^T d B of every window: (36, tiles, C_in)."""
    tiles_h, tiles_w = (x.shape[2] - 2) // TILE, (x.shape[3] - 2) // TILE
    in_t = _transforms(x.dtype)[0]
    return (in_t @ _tiles(x, WINDOW, tiles_h, tiles_w)).view(WINDOW ** 2, -1, x.shape[1])


def _weight_transform(weight: torch.Tensor) -> torch.Tensor:
    """(C_out, C_in, 3, 3) -> U = G g G^T: (36, C_in, C_out)."""
    weight_t = _transforms(weight.dtype)[1]
    return (weight_t @ weight.permute(2, 3, 1, 0).reshape(9, -1)).view(
        WINDOW ** 2, weight.shape[1], -1)


def _overlap_add(windows: torch.Tensor, h: int, w: int, channels_last: bool) -> torch.Tensor:
    """(N, tiles_h, WINDOW, tiles_w, WINDOW, C) window gradients -> (N, C, h, w): each
    window's last two rows and columns overlap the next window's first two."""
    n, tiles_h, _, tiles_w, _, c = windows.shape
    out = windows.new_zeros(n, tiles_h + 1, TILE, tiles_w + 1, TILE, c)
    rest = WINDOW - TILE
    out[:, :tiles_h, :, :tiles_w] = windows[:, :, :TILE, :, :TILE]
    out[:, 1:, :rest, :tiles_w] += windows[:, :, TILE:, :, :TILE]
    out[:, :tiles_h, :, 1:, :rest] += windows[:, :, :TILE, :, TILE:]
    out[:, 1:, :rest, 1:, :rest] += windows[:, :, TILE:, :, TILE:]
    grad = out.view(n, (tiles_h + 1) * TILE, (tiles_w + 1) * TILE, c)[:, :h, :w]
    grad = grad.permute(0, 3, 1, 2)
    return grad if channels_last else grad.contiguous()


def winograd_conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                    padding: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """`F.conv2d(x, weight, bias, stride=1, padding=padding)` for a 3x3 `weight`,
    computed as Winograd F(4x4, 3x3); the output keeps the input's memory format.
    A map whose output is not a multiple of 4 is zero-padded on the bottom and right
    and the output cropped."""
    if x.dim() != 4 or weight.shape[-2:] != (3, 3):
        raise ValueError(f'winograd_conv2d takes a 4-D input and a 3x3 weight, got input '
                         f'{tuple(x.shape)} and weight {tuple(weight.shape)}')
    pad_h, pad_w = padding
    out_h, out_w = x.shape[2] + 2 * pad_h - 2, x.shape[3] + 2 * pad_w - 2
    extra_h, extra_w = -out_h % TILE, -out_w % TILE
    if pad_h or pad_w or extra_h or extra_w:
        x = F.pad(x, (pad_w, pad_w + extra_w, pad_h, pad_h + extra_h))
    y = _WinogradConv3x3.apply(x, weight)
    if extra_h or extra_w:
        y = y[:, :, :out_h, :out_w].contiguous(
            memory_format=torch.channels_last if is_channels_last(x) else torch.contiguous_format)
    return y if bias is None else y + bias.view(1, -1, 1, 1)
