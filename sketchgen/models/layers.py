"""Small building blocks shared by the networks."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

NORMS = ('batch', 'instance', 'none')


def norm_layer(norm: str, channels: int) -> nn.Module:
    """The normalisation named by `norm` ('batch', 'instance' or 'none')."""
    if norm == 'batch':
        return nn.BatchNorm2d(channels)
    if norm == 'instance':
        # pix2pix/CycleGAN use instance norm without affine parameters or running stats.
        return InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if norm == 'none':
        return nn.Identity()
    raise ValueError(f'norm={norm!r} is not one of {NORMS}')


def is_channels_last(x: torch.Tensor) -> bool:
    """True for a tensor laid out NHWC (and not also NCHW, as a 1x1 map or one channel is)."""
    return not x.is_contiguous() and x.is_contiguous(memory_format=torch.channels_last)


class InstanceNorm2d(nn.InstanceNorm2d):
    """`nn.InstanceNorm2d` computed by PyTorch kernels that do the same arithmetic (for
    each sample and channel, the mean and biased variance over H x W, then
    (x - mean) / sqrt(var + eps), times weight plus bias where affine) and keep the
    memory format.

    ATen's instance norm copies the input into a (1, N*C, H, W) batch norm. On a
    channels_last input it returns NCHW, so every norm of a channels_last network
    changes layout and back, and its backward gives wrong input gradients for one
    sample when the incoming gradient is channels_last (torch 2.14 on CPU, what a
    channels_last CycleGAN generator at batch 1 sends it; tests/test_fast_path.py).
    So channels_last input takes batch norm one sample at a time, the same statistic
    in PyTorch's channels_last kernel, on any device. On a CPU, NCHW input takes
    `group_norm` with one channel a group, which runs in about 0.55x the time
    (docs/benchmarks.md, "Instance norm and channels_last"). Results agree to float
    rounding. Parameters and state dict are nn.InstanceNorm2d's. Running statistics,
    unbatched input, NCHW input off the CPU and graph capture (tracing, export,
    torch.compile) take nn.InstanceNorm2d's own path.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if (self.track_running_stats or x.dim() != 4
                or torch.jit.is_scripting() or torch.jit.is_tracing()
                or torch.compiler.is_compiling() or torch.onnx.is_in_onnx_export()):
            return super().forward(x)
        if is_channels_last(x):
            samples = [F.batch_norm(sample, None, None, self.weight, self.bias, training=True,
                                    eps=self.eps) for sample in x.split(1)]
            return samples[0] if len(samples) == 1 else torch.cat(samples)
        if x.device.type == 'cpu':
            return F.group_norm(x, x.shape[1], self.weight, self.bias, self.eps)
        return super().forward(x)


def _in_input_dtype(pad, x: torch.Tensor) -> torch.Tensor:
    if not torch.is_autocast_enabled(x.device.type):
        return pad(x)
    with torch.autocast(x.device.type, enabled=False):
        return pad(x)


class ReflectionPad2d(nn.ReflectionPad2d):
    """`nn.ReflectionPad2d` that pads in its input's dtype under autocast.

    CPU autocast runs the reflection and replication pads in fp32: a bf16 activation
    is cast up, padded, and cast back down by the next convolution, two copies of the
    map around a copy that is exact in any dtype. In a bf16 CycleGAN step at 256 px
    that was a quarter of the time (docs/benchmarks.md, "Padding in bf16").
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _in_input_dtype(super().forward, x)


class ReplicationPad2d(nn.ReplicationPad2d):
    """`nn.ReplicationPad2d` that pads in its input's dtype under autocast (see
    ReflectionPad2d)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _in_input_dtype(super().forward, x)


class SubPixelConvTranspose2d(nn.Module):
    """A trained `nn.ConvTranspose2d` computed as a convolution followed by a pixel
    shuffle: the same function, to float rounding, for deployment runtimes that compute
    convolutions faster than transposed ones (OpenVINO runs transposed convolutions in
    fp32 even when asked for bf16; docs/benchmarks.md).

    With stride s, kernel k and padding p, output pixel s*m + r (phase r < s) sums
    input pixels m + d, d in [d_min, d_max], through kernel tap r + p - s*d. Each of the
    s*s output phases is thus a convolution of the input with the taps it sees; the s*s
    phases become channels of one convolution (zero where a phase skips a tap) and
    `pixel_shuffle` interleaves them. The zeros cost multiply-adds: 9 taps for a 4x4
    kernel's 4 a phase. Takes the layers whose output is exactly s times the input
    (`unsupported` says why not).
    """

    def __init__(self, deconv: nn.ConvTranspose2d):
        super().__init__()
        reason = self.unsupported(deconv)
        if reason:
            raise ValueError(f'{deconv}: {reason}')
        s, k, p = deconv.stride[0], deconv.kernel_size, deconv.padding
        taps = [range(-((k[i] - 1 - p[i]) // s), (s - 1 + p[i]) // s + 1) for i in (0, 1)]
        weight = deconv.weight.detach()                     # (in, out, kh, kw)
        phases = weight.new_zeros(weight.shape[1], s, s, weight.shape[0],
                                  len(taps[0]), len(taps[1]))
        for ry in range(s):
            for iy, dy in enumerate(taps[0]):
                ky = ry + p[0] - s * dy
                for rx in range(s):
                    for ix, dx in enumerate(taps[1]):
                        kx = rx + p[1] - s * dx
                        if 0 <= ky < k[0] and 0 <= kx < k[1]:
                            phases[:, ry, rx, :, iy, ix] = weight[:, :, ky, kx].t()
        # Buffers: a deployment form, not trained (train the transposed convolution).
        self.register_buffer('weight', phases.flatten(0, 2))
        self.register_buffer('bias', None if deconv.bias is None
                             else deconv.bias.detach().repeat_interleave(s * s))
        # F.pad's order: left, right, top, bottom.
        self.padding = (-taps[1][0], taps[1][-1], -taps[0][0], taps[0][-1])
        self.scale = s

    @staticmethod
    def unsupported(deconv: nn.ConvTranspose2d) -> str | None:
        """Why `deconv` has no sub-pixel form here, or None."""
        s = deconv.stride
        if deconv.groups != 1 or deconv.dilation != (1, 1) or deconv.padding_mode != 'zeros':
            return 'groups, dilation or a padding mode other than zeros'
        if s[0] != s[1]:
            return f'stride {s} differs between height and width'
        for k, p, extra in zip(deconv.kernel_size, deconv.padding, deconv.output_padding):
            if k + extra != s[0] + 2 * p:
                return 'its output is not exactly stride x its input'
        return None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.conv2d(F.pad(x, self.padding), self.weight, self.bias)
        return F.pixel_shuffle(x, self.scale)
