"""The fast path: memory format, mixed precision and compilation, one set of switches
for training, evaluation, inference and the benchmark.

- `channels_last`: NHWC tensors, the layout oneDNN's CPU convolutions (and cuDNN's
  tensor cores) run fastest in; the networks and every 4-D batch are converted. The
  library's instance norms keep the layout (`sketchgen.models.layers.InstanceNorm2d`).
- `amp`: 'bf16' autocast (CPUs with AVX-512 BF16 or AMX, and GPUs), 'fp16' (GPUs).
  Training goes through accelerate's mixed precision; inference through
  `torch.autocast`.
- `compile`: `torch.compile` of the trained networks. On CPU inductor needs a C++
  compiler; without one the switch falls back to eager with one warning.
- `fused_optimizer`: the optimisers' fused kernels (`fused=True`, CPU and CUDA, for
  Adam, AdamW, SGD, Adagrad): one pass over each parameter instead of a Python loop
  of elementwise ops; on unet_256 Adam's step drops from ~72 ms to ~16 ms on 2 cores.
- `small_convs_as_matmul`: convolutions with a small output and transposed
  convolutions with a small input (at most SMALL_MAP_PIXELS = 256 positions over the
  batch: a U-Net's innermost levels)
  computed as one matrix multiply around `F.unfold`/`F.fold`, the same function with
  the same parameters. oneDNN's kernels are slow there: forward and backward of
  unet_256's 1024->512 transposed convolution at 2x2 took ~45 ms in bf16, ~20 ms as a
  matrix multiply, on a 2-core Xeon with AMX (docs/benchmarks.md).
- `winograd_convs`: wide 3x3 stride-1 convolutions on large maps (at least 128
  channels and 1,024 output positions: a ResnetGenerator's residual blocks) computed as
  Winograd F(4x4, 3x3) in fp32 on CPU: forward and backward of a CycleGAN residual
  convolution in 0.43x the time of oneDNN's kernel (sketchgen.models.winograd).
- `keep_freed_memory`: the process keeps the memory it frees for its next allocations
  instead of handing it back to the operating system (glibc's `mallopt`). Without it
  every training step faults fresh pages in for its large tensors (gradients, weight
  casts, convolution buffers): ~80,000 page faults a step for unet_128 at batch 4 in
  fp32 on a 2-core KVM guest, a sixth of the step. On by default on CPU: it
  changes no number, only when memory goes back (the process holds its peak).
"""
from __future__ import annotations

import ctypes
import functools
import os
import shutil
import types
import warnings
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

AMP_MODES = ('no', 'fp16', 'bf16')
AMP_CHOICES = AMP_MODES + ('auto',)


def check_amp(amp: str, where: str = 'amp') -> str:
    if amp not in AMP_MODES:
        raise ValueError(f'{where}={amp!r} is not one of {AMP_CHOICES}')
    return amp


def resolve_amp(amp: str, device_type: str | None = None) -> str:
    """'auto' -> 'bf16' where the hardware computes bf16 natively (a CPU with AVX-512
    BF16 or AMX, a GPU that supports it), else 'no'; other values are checked."""
    if amp != 'auto':
        return check_amp(amp)
    if device_type is None:
        use_cpu = os.environ.get('ACCELERATE_USE_CPU', '').lower() in ('1', 'true', 'yes')
        device_type = 'cuda' if torch.cuda.is_available() and not use_cpu else 'cpu'
    if device_type == 'cuda':
        return 'bf16' if torch.cuda.is_bf16_supported() else 'no'
    return 'bf16' if cpu_supports_bf16() else 'no'


@functools.lru_cache(maxsize=None)
def cpu_supports_bf16() -> bool:
    """True when the CPU computes bf16 natively (AVX-512 BF16 or AMX), so bf16
    autocast speeds convolutions up instead of emulating them."""
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            flags = next((line for line in f if line.startswith('flags')), '')
    except OSError:
        return False
    return any(flag in flags.split() for flag in ('avx512_bf16', 'amx_bf16'))


def fused_optimizer_args(optimizer_cfg: dict) -> dict:
    """`optimizer_cfg` with `fused=True` when its optimiser class has a fused kernel
    and the config does not decide otherwise."""
    import inspect

    from sketchgen.registry import OPTIMIZERS
    cls = OPTIMIZERS.get(optimizer_cfg.get('type', ''))
    if cls is None or 'fused' in optimizer_cfg:
        return optimizer_cfg
    try:
        takes_fused = 'fused' in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return optimizer_cfg
    return dict(optimizer_cfg, fused=True) if takes_fused else optimizer_cfg


def channels_last(module: nn.Module) -> nn.Module:
    """Convert a network's 4-D weights to NHWC in place."""
    return module.to(memory_format=torch.channels_last)


# 16x16 at batch 1: unet_256's five innermost levels. Against 64 (8x8): unet_256 2.35x
# fp32 eager (median of four runs) against 1.91-2.20x, unet_128 at batch 4 2.36-2.39x
# against 2.29x, the main job the same; 1024 was slower (docs/benchmarks.md).
SMALL_MAP_PIXELS = 256


def small_convs_as_matmul(module: nn.Module, max_pixels: int = SMALL_MAP_PIXELS) -> nn.Module:
    """In place: each `nn.Conv2d` whose output, and each `nn.ConvTranspose2d` whose
    input, has at most `max_pixels` pixels over the whole batch computes as one matrix
    multiply (unfold, weight x columns; or weight x input, fold); larger maps keep
    oneDNN's kernels, which win there (at 64 px with batch 16 the matrix multiply at
    every map up to 8x8 made the step 1.2x slower).
    Subclasses, which may compute something else, and grouped or non-zero-padded
    layers are left alone. The state dict is unchanged."""
    for m in module.modules():
        if type(m) is nn.Conv2d and m.groups == 1 and m.padding_mode == 'zeros' \
                and not isinstance(m.padding, str):
            forward = _conv2d_small_as_matmul
        elif type(m) is nn.ConvTranspose2d and m.groups == 1:
            forward = _conv_transpose2d_small_as_matmul
        else:
            continue
        m.forward = types.MethodType(forward, m)
        m.matmul_max_pixels = max_pixels
    return module


def _conv2d_small_as_matmul(self: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    out_hw = [(size + 2 * p - d * (k - 1) - 1) // s + 1 for size, k, s, p, d in zip(
        x.shape[-2:], self.kernel_size, self.stride, self.padding, self.dilation)]
    if x.dim() != 4 or x.shape[0] * out_hw[0] * out_hw[1] > self.matmul_max_pixels:
        return nn.Conv2d.forward(self, x)
    columns = F.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)
    y = self.weight.flatten(1) @ _batch_into_columns(columns)           # (out, n * h * w)
    y = y.view(-1, x.shape[0], *out_hw).transpose(0, 1)
    return y if self.bias is None else y + self.bias.view(1, -1, 1, 1)


def _conv_transpose2d_small_as_matmul(self: nn.ConvTranspose2d, x: torch.Tensor,
                                      output_size=None) -> torch.Tensor:
    if x.dim() != 4 or x.shape[0] * x.shape[2] * x.shape[3] > self.matmul_max_pixels \
            or output_size is not None:
        return nn.ConvTranspose2d.forward(self, x, output_size)
    out_hw = [(size - 1) * s - 2 * p + d * (k - 1) + extra + 1 for size, k, s, p, d, extra in
              zip(x.shape[-2:], self.kernel_size, self.stride, self.padding, self.dilation,
                  self.output_padding)]
    # Each input pixel scatters weight x its channels over a k x k block: fold sums them.
    columns = self.weight.flatten(1).t() @ _batch_into_columns(x.flatten(2))
    columns = columns.view(columns.shape[0], x.shape[0], -1).transpose(0, 1)
    y = F.fold(columns, out_hw, self.kernel_size, self.dilation, self.padding, self.stride)
    return y if self.bias is None else y + self.bias.view(1, -1, 1, 1)


def _batch_into_columns(x: torch.Tensor) -> torch.Tensor:
    """(n, c, l) -> (c, n * l): one 2-D matrix multiply for the whole batch. A batched
    one (2-D weight @ 3-D input) took a slow bf16 path: unet_256 inference 2x slower."""
    return x.transpose(0, 1).reshape(x.shape[1], -1)


# Forward and backward of a 3x3 convolution, Winograd F(4x4, 3x3) against oneDNN's fp32
# kernel on a 2-core Xeon with AMX: 2.35x at 256 channels and 64x64 (NHWC), 2.0x at
# 32x32, 1.5-1.8x at 128 channels; at 64 channels 1.0-1.26x, at 32 slower everywhere,
# and slower for any width at 256 output positions or fewer (docs/benchmarks.md).
WINOGRAD_MIN_CHANNELS = 128
WINOGRAD_MIN_PIXELS = 1024


def winograd_convs(module: nn.Module, min_channels: int = WINOGRAD_MIN_CHANNELS,
                   min_pixels: int = WINOGRAD_MIN_PIXELS) -> nn.Module:
    """In place: each 3x3, stride-1, undilated, ungrouped, zero-padded `nn.Conv2d` with
    at least `min_channels` input and output channels computes as Winograd F(4x4, 3x3)
    (sketchgen.models.winograd) on a CPU in fp32 or fp64 when its output has at least
    `min_pixels` positions over the batch: a quarter of the multiplies of the direct
    convolution, ~1e-5 of the output's scale apart from it. Anything else (bf16 or fp16
    autocast, other devices, smaller maps, graph capture for export or compile) runs the
    layer's forward as it was, so this combines with `small_convs_as_matmul`.
    Subclasses are left alone. The state dict is unchanged."""
    for m in module.modules():
        if (type(m) is nn.Conv2d and m.kernel_size == (3, 3) and m.stride == (1, 1)
                and m.dilation == (1, 1) and m.groups == 1 and m.padding_mode == 'zeros'
                and not isinstance(m.padding, str)
                and min(m.in_channels, m.out_channels) >= min_channels
                and not hasattr(m, 'forward_before_winograd')):
            m.forward_before_winograd = m.forward
            m.forward = types.MethodType(_conv2d_winograd, m)
            m.winograd_min_pixels = min_pixels
    return module


def _conv2d_winograd(self: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    from sketchgen.models.winograd import winograd_conv2d
    if (torch.jit.is_scripting() or torch.jit.is_tracing() or torch.compiler.is_compiling()
            or torch.onnx.is_in_onnx_export() or x.dim() != 4 or x.device.type != 'cpu'
            or x.dtype not in (torch.float32, torch.float64) or torch.is_autocast_enabled('cpu')
            or x.shape[0] * (x.shape[2] + 2 * self.padding[0] - 2)
            * (x.shape[3] + 2 * self.padding[1] - 2) < self.winograd_min_pixels):
        return self.forward_before_winograd(x)
    return winograd_conv2d(x, self.weight, self.bias, self.padding)


# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
INT_MAX = 2 ** 31 - 1


@functools.lru_cache(maxsize=None)
def keep_freed_memory() -> str | None:
    """For the rest of this process, serve every allocation from the heap and never
    shrink it, so a freed tensor's pages are reused by the next one rather than
    unmapped and faulted in again. glibc only; returns why it could not, or None.
    Once set it stays set: glibc has no way back to its adaptive defaults."""
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):   # Windows has no process-wide C library handle
        return 'the C library cannot be loaded'
    if not hasattr(libc, 'gnu_get_libc_version'):   # musl, macOS, Windows
        return 'the C library is not glibc, whose mallopt this setting uses'
    mallopt = libc.mallopt
    # No mmap for large blocks (glibc would unmap each on free; when the heap cannot
    # grow, glibc still falls back to mmap), and no trimming of the heap's top.
    if not (mallopt(M_MMAP_MAX, 0) and mallopt(M_TRIM_THRESHOLD, INT_MAX)):
        return 'glibc refused the mallopt settings'
    return None


def batch_to(batch: dict, device: torch.device, use_channels_last: bool = False) -> dict:
    """Move a batch's tensors to `device`; 4-D ones to NHWC when asked."""
    out = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor):
            value = value.to(device, non_blocking=True)
            if use_channels_last and value.dim() == 4:
                value = value.contiguous(memory_format=torch.channels_last)
        out[key] = value
    return out


@contextmanager
def autocast(device: torch.device | str, amp: str = 'no'):
    """Mixed-precision inference: bf16/fp16 autocast on `device`, or nothing."""
    check_amp(amp)
    if amp == 'no':
        yield
        return
    dtype = torch.bfloat16 if amp == 'bf16' else torch.float16
    with torch.autocast(torch.device(device).type, dtype=dtype):
        yield


@functools.lru_cache(maxsize=None)
def compiler_problem(device_type: str = 'cpu') -> str | None:
    """Why torch.compile cannot work here, or None when it can."""
    if not hasattr(torch, 'compile'):
        return f'torch {torch.__version__} has no torch.compile'
    if device_type == 'cpu':
        compiler = os.environ.get('CXX', 'g++')
        if shutil.which(compiler) is None and shutil.which('c++') is None:
            return (f'no C++ compiler found ({compiler!r} is not on PATH); inductor needs one '
                    'on CPU (apt-get install g++, or set CXX)')
    return None


def maybe_compile(module: nn.Module, enabled: bool, device_type: str = 'cpu') -> nn.Module:
    """`torch.compile(module)` when enabled and possible; else the module, with one
    warning saying why."""
    if not enabled:
        return module
    problem = compiler_problem(device_type)
    if problem is not None:
        warnings.warn(f'compile=True ignored: {problem}. Running eagerly.', stacklevel=2)
        return module
    return torch.compile(module)
