"""Deployable generators: ONNX (torch.onnx's exporter, run by ONNX Runtime) and
TorchScript, each carrying the model's config as JSON so the file alone rebuilds
the pre- and post-processing around it (`init_model('model.onnx')`)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
from torch import nn

import sketchgen
from sketchgen.config import ConfigError, config_from_json, config_to_json

EXPORT_FORMATS = ('onnx', 'torchscript')


def export_network(model, direction: str | None = None
                   ) -> tuple[nn.Module, tuple, list[str]]:
    """The network inference runs, example inputs for it (batch 1, training size or
    256 for any-size models) and their names: the EMA generator when there is one;
    for CycleGAN the generator of `direction`, with its condition-label input when
    it has one; for SPADE with a style encoder, the generator with its z input."""
    direction = direction or getattr(model, 'direction', None)
    net = model.inference_generator
    if direction == 'BtoA':
        net = model.generator_ba
    height, width = model.image_size_hw or (256, 256)
    channels = model.source_channels + model.hint_channels
    inputs = (torch.zeros(1, channels, height, width, device=model.device),)
    names = ['source']
    if direction == 'AtoB' and getattr(model, 'labels', None):
        inputs += (torch.zeros(1, model.label_channels, device=model.device),)
        names.append('labels')
    if getattr(net, 'z_dim', None):
        inputs += (torch.zeros(1, net.z_dim, device=model.device),)
        names.append('z')
    return net, inputs, names


def export_model(model, path: str | Path, fmt: str, direction: str | None = None,
                 metadata: dict | None = None) -> dict:
    """Write the inference network of `model` to `path` as ONNX or TorchScript.

    Returns the metadata written with it: the config JSON, the direction, the input
    names and shapes, and whether height and width may vary."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f'format={fmt!r} is not one of {EXPORT_FORMATS}')
    if fmt == 'onnx':
        _import('onnxscript')  # torch.onnx's exporter needs it
    if model.test_mode == 'train':
        warnings.warn('the model infers in train mode (dropout on); the export runs in eval '
                      'mode, so its outputs are the deterministic ones.', stacklevel=2)
    net, inputs, names = export_network(model, direction)
    info = dict(metadata or {}, config_json=config_to_json(model.cfg),
                direction=str(direction or getattr(model, 'direction', '')),
                inputs=json.dumps({n: list(x.shape) for n, x in zip(names, inputs)}),
                sketchgen_version=sketchgen.__version__)
    was_training = net.training
    net.eval()
    try:
        if fmt == 'torchscript':
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', torch.jit.TracerWarning)
                traced = torch.jit.trace(net, inputs)
            traced.save(str(path), _extra_files={'sketchgen.json': json.dumps(info)})
            info['dynamic_size'] = 'false'
        else:
            info['dynamic_size'] = str(_export_onnx(net, inputs, names, Path(path))).lower()
            _write_onnx_metadata(Path(path), info)
    finally:
        net.train(was_training)
    return info


def _export_onnx(net, inputs, names, path: Path) -> bool:
    """torch.onnx's exporter; height and width dynamic where torch.export can trace
    the network for any size (the ResNet and simplification nets), else only the
    batch (the U-Net, whose size check guards on H and W). Returns whether H, W vary."""
    import logging

    from torch.export import Dim
    batch = Dim('batch')
    image_dims = {0: batch, 2: Dim('height'), 3: Dim('width')}
    quiet = [logging.getLogger(name) for name in ('torch._guards', 'torch._dynamo',
                                                  'torch.export', 'torch.onnx')]
    levels = [log.level for log in quiet]
    for dynamic in (True, False):
        shapes = [image_dims if dynamic else {0: batch}]
        shapes += [{0: batch}] * (len(inputs) - 1)
        try:
            for log in quiet:
                log.setLevel(logging.CRITICAL)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                torch.onnx.export(net, inputs, str(path), dynamo=True, input_names=names,
                                  output_names=['image'], dynamic_shapes=tuple(shapes),
                                  verbose=False)
            return dynamic
        except Exception:  # noqa: BLE001  (torch.export's guard errors vary by version)
            if not dynamic:
                raise
        finally:
            for log, level in zip(quiet, levels):
                log.setLevel(level)
    return False


def _write_onnx_metadata(path: Path, info: dict) -> None:
    onnx = _import('onnx')
    graph = onnx.load(str(path))
    for key, value in info.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.save(graph, str(path))


def _import(module: str):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f'ONNX export and ONNX Runtime inference need {module}: '
                          'pip install "sketchgen[export]"') from None


def read_onnx_metadata(path: str | Path) -> dict:
    onnx = _import('onnx')
    try:
        graph = onnx.load(str(path), load_external_data=False)
    except Exception as err:  # onnx raises DecodeError and others
        raise ConfigError(f'{path}: not a readable ONNX file ({err}).') from None
    return {p.key: p.value for p in graph.metadata_props}


class NotExported(nn.Module):
    """Stands in for a network that an ONNX file or a converted reference file does not
    hold (the other CycleGAN generator, SPADE's style encoder, a discriminator)."""

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def forward(self, *args):
        raise ValueError(self.message)


class OnnxRuntimeGenerator(nn.Module):
    """An exported generator run by ONNX Runtime, in the place of the PyTorch one:
    the model around it does the same pre- and post-processing."""

    def __init__(self, path: str | Path, stride: int = 1, threads: int | None = None):
        super().__init__()
        onnxruntime = _import('onnxruntime')
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.path = str(path)
        self.session = onnxruntime.InferenceSession(self.path, options,
                                                    providers=['CPUExecutionProvider'])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.input_shape = self.session.get_inputs()[0].shape
        self.stride = stride

    def forward(self, x: torch.Tensor, *extra: torch.Tensor) -> torch.Tensor:
        fixed = [d for d in self.input_shape[2:] if isinstance(d, int)]
        if fixed and list(x.shape[2:]) != fixed:
            raise ValueError(f'{self.path} was exported for {fixed[1]}x{fixed[0]} images, got '
                             f'{x.shape[3]}x{x.shape[2]}; resize to it (or leave keep_size off).')
        feeds = {name: t.detach().float().cpu().contiguous().numpy()
                 for name, t in zip(self.input_names, (x, *extra))}
        return torch.from_numpy(self.session.run(None, feeds)[0]).to(x.device)


def init_onnx_model(path: str | Path, threads: int | None = None):
    """The model of an exported .onnx file with ONNX Runtime running its generator."""
    from sketchgen.registry import MODELS
    meta = read_onnx_metadata(path)
    if 'config_json' not in meta:
        raise ConfigError(f'{path}: carries no sketchgen config; export it with '
                          'tools/export_model.py --format onnx.')
    cfg = config_from_json(meta['config_json'], str(path))
    model = MODELS.build(cfg.model.to_dict())
    model.cfg = cfg
    direction = meta.get('direction') or None
    runtime = OnnxRuntimeGenerator(path, getattr(model.generator, 'stride', 1), threads)
    model.generator_ema = None
    def only_holds(direction):
        return NotExported(f'{path} holds only the {direction} generator; export the other '
                           'direction with --direction.')

    if direction == 'BtoA':
        model.generator_ba, model.generator = runtime, only_holds('BtoA')
        model.direction = 'BtoA'
    else:
        model.generator = runtime
        if hasattr(model, 'generator_ba'):
            model.generator_ba = only_holds('AtoB')
    if getattr(model, 'encoder', None) is not None:
        model.encoder = NotExported(f'{path} holds the generator only, not the style encoder '
                                    'that reads a reference image; z is sampled (seed), or '
                                    'use the checkpoint for reference-guided colouring.')
    return model.eval()
