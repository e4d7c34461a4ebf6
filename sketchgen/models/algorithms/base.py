"""What every image-to-image algorithm shares: a generator, its optional EMA copy,
inference on PIL images or tensors, and the train/eval switch for test time.

Images inside the models are in [-1, 1] (the generators end in tanh); the user-
facing `infer` takes and returns [0, 1] tensors or PIL images.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Sequence, Union

import numpy as np
import torch
from PIL import Image
from torch import nn

from sketchgen import fast_path
from sketchgen.models.init import set_requires_grad  # noqa: F401  (algorithms use it)
from sketchgen.models.hints import (HINT_CHANNELS, ColourHintSampler, hints_from_image,
                                    spread_hints)
from sketchgen.registry import MODELS

ImageLike = Union[Image.Image, torch.Tensor, np.ndarray]
TEST_MODES = ('eval', 'train')


class ImageTranslationModel(nn.Module):
    """Base of the algorithms that map one image to another.

    Args:
        generator: config of the generator network (built from MODELS).
        image_size: training resolution, int (square) or (height, width); `infer` resizes
            inputs to it unless told otherwise (None: models that run at any size).
        test_mode: 'eval' (deterministic: dropout off, batch-norm running statistics) or
            'train' (the pix2pix paper: dropout and batch statistics at test time).
        ema_decay: keep a gradient-free exponential moving average of the generator
            (updated by `EMAHook`), used for inference when present.
        hints: colour hints (`ColourHintSampler` arguments, e.g. dict(max_hints=16)):
            the generator takes 4 more input channels, sampled from the target in
            training and given by the user at inference. None: no hints. Its key
            `spread` (a dict of `spread_hints` arguments, e.g. dict(close=1)) carries
            each hint over its sketch region before the generator sees it, in
            training and at inference alike.
    """

    def __init__(self, generator: dict, image_size: int | tuple[int, int] | None = 256,
                 test_mode: str = 'eval', ema_decay: float | None = None,
                 hints: dict | None = None):
        super().__init__()
        if test_mode not in TEST_MODES:
            raise ValueError(f'test_mode={test_mode!r} is not one of {TEST_MODES}')
        self.generator = MODELS.build(generator)
        self.image_size = image_size
        self.test_mode = test_mode
        self.ema_decay = ema_decay
        self.generator_ema = None
        hints = dict(hints) if hints is not None else None
        self.hint_spread = hints.pop('spread', None) if hints is not None else None
        self.hint_sampler = ColourHintSampler(**hints) if hints is not None else None
        self.hint_channels = HINT_CHANNELS if hints is not None else 0
        in_channels = getattr(self.generator, 'in_channels', None)
        if self.hint_channels and in_channels is not None and in_channels <= HINT_CHANNELS:
            raise ValueError(f'hints: the generator must take the image channels plus '
                             f'{HINT_CHANNELS} hint channels (e.g. in_channels=3 + 4 = 7), '
                             f'got in_channels={in_channels}')
        self.source_channels = (in_channels or 3) - self.hint_channels
        # Inference fast path (set by init_model / the tools, not by training):
        # bf16/fp16 autocast and NHWC inputs.
        self.inference_amp = 'no'
        self.channels_last = False

    def use_fast_path(self, amp: str = 'no', channels_last: bool = False,
                      winograd_convs: bool = False):
        """Run inference with `amp` autocast; with `channels_last`, NHWC weights
        and inputs; with `winograd_convs`, wide 3x3 convolutions as Winograd F(4x4, 3x3)
        where the model runs in fp32 on a CPU (sketchgen.fast_path). Returns the model."""
        self.inference_amp = fast_path.resolve_amp(amp, self.device.type)
        self.channels_last = channels_last
        if channels_last:
            fast_path.channels_last(self)
        if winograd_convs:
            fast_path.winograd_convs(self)
        return self

    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        """Optimiser group name -> the networks (attribute names) it updates. The
        config's optim_wrapper has one entry per group, and train_step receives one
        OptimizerStep under each name."""
        return {'generator': ('generator',)}

    def init_ema(self) -> None:
        """Create the EMA copy; called after the weights are initialised."""
        if self.ema_decay is not None:
            self.generator_ema = copy.deepcopy(self.generator)
            set_requires_grad(self.generator_ema, False)

    @torch.no_grad()
    def update_ema(self) -> None:
        ema, online = self.generator_ema, self.generator
        for p_ema, p in zip(ema.parameters(), online.parameters()):
            p_ema.lerp_(p.detach(), 1.0 - self.ema_decay)
        for b_ema, b in zip(ema.buffers(), online.buffers()):
            b_ema.copy_(b)

    @property
    def inference_generator(self) -> nn.Module:
        return self.generator_ema if self.generator_ema is not None else self.generator

    @property
    def image_size_hw(self) -> tuple[int, int] | None:
        """The training size as (height, width); `image_size` may be an int (square)."""
        if self.image_size is None or isinstance(self.image_size, int):
            return None if self.image_size is None else (self.image_size,) * 2
        return tuple(self.image_size)

    @property
    def image_size_wh(self) -> tuple[int, int] | None:
        return None if self.image_size is None else self.image_size_hw[::-1]

    def visualise_source(self, source: torch.Tensor) -> torch.Tensor:
        """The source batch as [-1, 1] images for sample grids (label maps in colour)."""
        return source

    @property
    def device(self) -> torch.device:
        # the first parameter of any network: an ONNX Runtime generator has none
        return next((p.device for p in self.parameters()), torch.device('cpu'))

    def generator_input(self, source: torch.Tensor, hints: torch.Tensor | None = None
                        ) -> torch.Tensor:
        """The source, with its hint channels when the model takes hints (none given:
        zeros, i.e. no hint)."""
        if not self.hint_channels:
            if hints is not None:
                raise ValueError('this model was trained without colour hints (no `hints` '
                                 'in its config); it cannot take them')
            return source
        if hints is None:
            hints = source.new_zeros(source.shape[0], self.hint_channels, *source.shape[2:])
        if hints.shape[-2:] != source.shape[-2:] or hints.shape[1] != self.hint_channels:
            raise ValueError(f'hints {tuple(hints.shape)} do not fit the source '
                             f'{tuple(source.shape)}: {self.hint_channels} channels of its size')
        if self.hint_spread is not None:
            hints = spread_hints(hints, source, **self.hint_spread)
        return torch.cat([source, hints.to(source)], dim=1)

    @contextmanager
    def test_mode_of(self, net: nn.Module):
        """Put `net` in the mode `test_mode` asks for, and back afterwards."""
        was_training = net.training
        net.train(self.test_mode == 'train')
        try:
            yield net
        finally:
            net.train(was_training)

    @torch.no_grad()
    def run_inference(self, net: nn.Module, x: torch.Tensor, *args, forward=None
                      ) -> torch.Tensor:
        """`net(x, *args)` (or `forward(x, *args)`, e.g. tiled) with `net` in the mode
        `test_mode` asks for, on the inference fast path (autocast, NHWC); float32 out."""
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        with self.test_mode_of(net), fast_path.autocast(x.device, self.inference_amp):
            return (forward or net)(x, *args).float()

    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints: torch.Tensor | None = None) -> torch.Tensor:
        """Generator output in [-1, 1] for a [-1, 1] batch, honouring `test_mode`."""
        return self.run_inference(self.inference_generator, self.generator_input(source, hints))

    def generate_batch(self, batch: dict) -> torch.Tensor:
        """`generate` for a data-loader batch (evaluation, visualisation): subclasses
        take what else they need from it, e.g. condition labels."""
        return self.generate(batch['source'].to(self.device))

    @torch.no_grad()
    def infer(self, images: ImageLike | Sequence[ImageLike], keep_size: bool = False,
              hints: Image.Image | torch.Tensor | None = None, **generate_args):
        """Translate images (the Python door to the trained model).

        Args:
            images: a PIL image, a [0, 1] tensor (CxHxW or NxCxHxW), an HxWxC uint8
                array, or a list of those.
            keep_size: run at the input's own size (fully-convolutional generators;
                the size must divide by the network's stride). By default inputs are
                resized to the training size `image_size`.
            hints: colour hints for a model trained with them, used for every image: an
                RGBA image whose opaque pixels are hints (see `hints_from_image`), or a
                (4, H, W) hint map.
            generate_args: passed to `generate` (e.g. CycleGAN's `direction`, `labels`).

        Returns:
            The same kind as given: PIL images, or a [0, 1] tensor.
        """
        if isinstance(images, torch.Tensor):
            single, batch_in, as_pil = images.dim() == 3, list(images.unbind(0)) \
                if images.dim() == 4 else [images], False
        elif isinstance(images, (list, tuple)):
            single, batch_in = False, list(images)
            as_pil = not isinstance(batch_in[0], torch.Tensor)
        else:
            single, batch_in, as_pil = True, [images], True
        outputs = []
        for image in batch_in:
            x = self._to_model_input(image, keep_size)
            hint_map = hints
            if isinstance(hints, Image.Image):
                hint_map = hints_from_image(hints, (x.shape[2], x.shape[1]))
            y = self.generate(x.unsqueeze(0).to(self.device),
                              None if hint_map is None else hint_map[None].to(self.device),
                              **generate_args)[0]
            y = ((y.float().clamp(-1, 1) + 1) / 2).cpu()
            outputs.append(_tensor_to_pil(y) if as_pil else y)
        if single:
            return outputs[0]
        return outputs if as_pil else torch.stack(outputs)

    def _to_model_input(self, image: ImageLike, keep_size: bool) -> torch.Tensor:
        in_channels = self.source_channels
        if isinstance(image, np.ndarray):
            image = Image.fromarray(image)
        if isinstance(image, Image.Image):
            image = image.convert('L' if in_channels == 1 else 'RGB')
            if not keep_size and self.image_size and image.size != self.image_size_wh:
                image = image.resize(self.image_size_wh, Image.BICUBIC)
            x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0)
            x = x.unsqueeze(0) if x.dim() == 2 else x.permute(2, 0, 1)
        else:
            x = image.float()
            if x.min() < 0 or x.max() > 1:
                raise ValueError('infer: tensor inputs must be in [0, 1], got values in '
                                 f'[{x.min():.3f}, {x.max():.3f}]')
            if not keep_size and self.image_size and tuple(x.shape[-2:]) != self.image_size_hw:
                x = nn.functional.interpolate(x[None], size=self.image_size_hw,
                                              mode='bicubic', align_corners=False)[0].clamp(0, 1)
        if x.shape[0] != in_channels:
            raise ValueError(f'infer: the generator takes {in_channels}-channel images, got '
                             f'{x.shape[0]} channels')
        stride = getattr(self.generator, 'stride', 1)
        h, w = x.shape[-2:]
        if h % stride or w % stride:
            raise ValueError(
                f'infer: image size {w}x{h} is not divisible by the generator stride {stride}; '
                f'resize it to a multiple of {stride} (or drop keep_size to run at the '
                f'training size {self.image_size}).')
        return x * 2 - 1


def _tensor_to_pil(x: torch.Tensor) -> Image.Image:
    arr = (x.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    return Image.fromarray(arr[..., 0] if arr.shape[2] == 1 else arr)
