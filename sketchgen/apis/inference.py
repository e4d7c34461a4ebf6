"""The one door to a trained model:

    from sketchgen.apis import init_model
    model = init_model('work_dirs/.../checkpoints/iter_002000')   # config read from inside
    coloured = model.infer(Image.open('sketch.png'))
"""
from __future__ import annotations

from pathlib import Path

import torch
from mmengine.config import Config

from sketchgen.checkpoint import config_from_checkpoint, load_weights
from sketchgen.config import ConfigError, load_config
from sketchgen.registry import LOSSES, MODELS, UnknownTypeError
from sketchgen.zoo import download, is_zoo_name

# The default sketch simplification model, shipped in the package (model_zoo.md).
DEFAULT_SIMPLIFICATION_MODEL = (Path(__file__).resolve().parent.parent / 'pretrained'
                                / 'sketch_simplification_w0.25_openmoji-128px.safetensors')


def init_model(config: str | Path | Config | None = None, checkpoint: str | Path | None = None,
               device: str | torch.device = 'cpu', trust_imports: bool = False,
               amp: str = 'no', channels_last: bool = False, backend: str = 'onnxruntime',
               ema: bool = True, winograd_convs: bool = False):
    """Build a model from a config and/or a checkpoint and put it in inference mode.

    `init_model(checkpoint)` alone works too: a path to a checkpoint folder or
    .safetensors file as the only argument is taken as the checkpoint, and so is a
    model zoo name (model_zoo.md), downloaded and sha256-checked on first use. Its stored
    config is data and runs no code; the `custom_imports` it names (a plugin's
    modules) are imported only with `trust_imports=True`. `amp` ('bf16', 'fp16'),
    `channels_last` and `winograd_convs` put inference on the fast path (see
    sketchgen.fast_path).
    An exported .onnx file runs on `backend`: 'onnxruntime' (fp32) or 'openvino' (fp32,
    or bf16 with amp='bf16'; faster on CPUs, docs/benchmarks.md).
    A model trained with a generator EMA (`ema_decay`) runs the averaged generator;
    `ema=False` runs the one the optimiser updated instead, to compare the two.
    """
    if checkpoint is None and is_zoo_name(config) and not Path(config).exists():
        config, checkpoint = None, download(config)
    if checkpoint is None and config is not None and not isinstance(config, Config) \
            and (Path(config).is_dir() or str(config).endswith(('.safetensors', '.onnx'))):
        config, checkpoint = None, config
    if config is None and str(checkpoint).endswith('.onnx'):
        # an exported generator, its config inside the file, run by `backend`
        from sketchgen.apis.export import init_onnx_model
        if channels_last or winograd_convs or amp not in ('no', 'bf16') or (
                amp == 'bf16' and backend != 'openvino'):
            raise ValueError(f'amp={amp!r}, channels_last={channels_last}, '
                             f'winograd_convs={winograd_convs}: an exported .onnx '
                             "graph runs as it is, except amp='bf16' with backend='openvino'.")
        return init_onnx_model(checkpoint, backend=backend,
                               precision='bf16' if amp == 'bf16' else 'f32')
    if backend != 'onnxruntime':
        raise ValueError(f'backend={backend!r} runs an exported .onnx file; export this model '
                         'with tools/export_model.py CKPT --format onnx first.')
    if config is None:
        if checkpoint is None:
            raise ValueError('init_model needs a config, a checkpoint, or both.')
        cfg = config_from_checkpoint(checkpoint, trust_imports=trust_imports)
    elif isinstance(config, Config):
        cfg = config
    else:
        cfg = load_config(config)
    model_cfg = without_training_only_losses(
        cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else dict(cfg.model))
    try:
        model = MODELS.build(model_cfg)
    except UnknownTypeError as err:
        imports = (cfg.get('custom_imports') or {}).get('imports')
        if config is None and imports and not trust_imports:
            raise ConfigError(
                f'{checkpoint}: {err} The checkpoint\'s config names custom_imports {imports}, '
                'which were not imported because a checkpoint is untrusted input: import them '
                'yourself, or pass trust_imports=True (--trust-imports) if you trust it.'
            ) from None
        raise
    if checkpoint is not None:
        metadata = load_weights(model, checkpoint)
        if metadata.get('networks'):
            absent_networks(model, checkpoint, metadata)
    if not ema and getattr(model, 'generator_ema', None) is not None:
        model.generator_ema = None   # inference_generator falls back to the online one
    model.cfg = cfg
    model = model.to(device).eval()
    if amp != 'no' or channels_last or winograd_convs:
        model.use_fast_path(amp, channels_last, winograd_convs)
    return model


def without_training_only_losses(model_cfg: dict) -> dict:
    """The model config without the losses marked `training_only` (a frozen ImageNet
    network: its weights file and build time buy nothing at inference)."""
    kept = {}
    for key, value in model_cfg.items():
        loss_type = value.get('type') if isinstance(value, dict) else None
        loss_class = LOSSES.get(loss_type) if isinstance(loss_type, str) else loss_type
        kept[key] = None if getattr(loss_class, 'training_only', False) else value
    return kept


def absent_networks(model, checkpoint, metadata: dict) -> None:
    """Replace the networks a converted file does not hold by ones that say so when used."""
    from sketchgen.apis.export import NotExported
    held = metadata['networks'].split(',')
    for name in sorted({n for group in model.optimizer_groups().values() for n in group}):
        if name not in held:
            setattr(model, name, NotExported(
                f'{checkpoint} holds only {", ".join(held)} '
                f'({metadata.get("converted_from", "a partial checkpoint")}); '
                f'{name} is not in it'))


def default_simplification_model(device: str | torch.device = 'cpu'):
    """The built-in rough-sketch simplification model (trained on OpenMoji line
    art by configs/simplification/simplification_w0.25_1xb16-4k_openmoji-128px.py)."""
    if not DEFAULT_SIMPLIFICATION_MODEL.is_file():
        raise FileNotFoundError(
            f'{DEFAULT_SIMPLIFICATION_MODEL}: the default simplification model is missing from '
            'this installation (reinstall sketchgen), or pass a checkpoint of your own.')
    return init_model(checkpoint=DEFAULT_SIMPLIFICATION_MODEL, device=device)
