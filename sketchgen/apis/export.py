"""Deployable generators: ONNX (torch.onnx's exporter, run by ONNX Runtime or OpenVINO)
and TorchScript, each carrying the model's config as JSON so the file alone rebuilds
the pre- and post-processing around it (`init_model('model.onnx')`)."""
from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import torch
from torch import nn

import sketchgen
from sketchgen.config import ConfigError, config_from_json, config_to_json

EXPORT_FORMATS = ('onnx', 'torchscript')
# Runtimes of an exported .onnx file and the pip extra that installs each.
ONNX_BACKENDS = {'onnxruntime': 'export', 'openvino': 'openvino'}


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
                 metadata: dict | None = None, subpixel: bool = False) -> dict:
    """Write the inference network of `model` to `path` as ONNX or TorchScript;
    `subpixel` writes its transposed convolutions in their sub-pixel form
    (`transposed_convs_as_subpixel`).

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
    if subpixel:
        net = transposed_convs_as_subpixel(net)
    info = dict(metadata or {}, config_json=config_to_json(model.cfg),
                direction=str(direction or getattr(model, 'direction', '')),
                inputs=json.dumps({n: list(x.shape) for n, x in zip(names, inputs)}),
                subpixel=str(subpixel).lower(), sketchgen_version=sketchgen.__version__)
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


def transposed_convs_as_subpixel(net: nn.Module) -> nn.Module:
    """A copy of `net` in eval mode with each transposed convolution replaced by its
    sub-pixel form, a convolution and a pixel shuffle computing the same function
    (SubPixelConvTranspose2d). OpenVINO computes transposed convolutions in fp32 even
    when asked for bf16, and these convolutions in bf16: unet_256 runs 2x faster in
    bf16 on a Xeon with AMX (docs/benchmarks.md); in fp32 the form is slower."""
    from sketchgen.models.layers import SubPixelConvTranspose2d
    net = copy.deepcopy(net).eval()
    found = [(parent, name, child) for parent in net.modules()
             for name, child in parent.named_children() if isinstance(child, nn.ConvTranspose2d)]
    kept = []
    for parent, name, child in found:
        reason = SubPixelConvTranspose2d.unsupported(child)
        if reason:
            kept.append(f'{child} ({reason})')
        else:
            setattr(parent, name, SubPixelConvTranspose2d(child))
    if len(kept) == len(found):
        raise ValueError(f'{type(net).__name__}: no transposed convolution to write in '
                         'sub-pixel form' + (f'; kept: {"; ".join(kept)}' if kept else '')
                         + '. Export it without subpixel.')
    if kept:
        warnings.warn(f'{type(net).__name__}: kept {len(kept)} of {len(found)} transposed '
                      f'convolutions as they are: {"; ".join(kept)}', stacklevel=2)
    return net


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


def _import(module: str, extra: str = 'export'):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f'ONNX export and inference need {module}: '
                          f'pip install "sketchgen[{extra}]"') from None


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


class ExportedGenerator(nn.Module):
    """An exported generator run by an ONNX runtime, in the place of the PyTorch one:
    the model around it does the same pre- and post-processing. Subclasses open the
    file (setting `input_names` and `input_shape`, None for a dynamic dimension) and
    define `run(feeds) -> numpy array`."""

    def __init__(self, path: str | Path, stride: int = 1):
        super().__init__()
        self.path = str(path)
        self.stride = stride

    def forward(self, x: torch.Tensor, *extra: torch.Tensor) -> torch.Tensor:
        fixed = [d for d in self.input_shape[2:] if isinstance(d, int)]
        if fixed and list(x.shape[2:]) != fixed:
            raise ValueError(f'{self.path} was exported for {fixed[1]}x{fixed[0]} images, got '
                             f'{x.shape[3]}x{x.shape[2]}; resize to it (or leave keep_size off).')
        feeds = {name: t.detach().float().cpu().contiguous().numpy()
                 for name, t in zip(self.input_names, (x, *extra))}
        return torch.from_numpy(self.run(feeds)).to(x.device)


class OnnxRuntimeGenerator(ExportedGenerator):
    """ONNX Runtime's CPU provider, in fp32."""

    def __init__(self, path: str | Path, stride: int = 1, threads: int | None = None):
        super().__init__(path, stride)
        onnxruntime = _import('onnxruntime', ONNX_BACKENDS['onnxruntime'])
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # No busy-waiting between calls: spinning threads would take the cores from the
        # rest of the process (the UI, the next backend of a benchmark) after each call.
        options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        self.session = onnxruntime.InferenceSession(self.path, options,
                                                    providers=['CPUExecutionProvider'])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.input_shape = self.session.get_inputs()[0].shape

    def run(self, feeds: dict):
        return self.session.run(None, feeds)[0]


class OpenVinoGenerator(ExportedGenerator):
    """OpenVINO's CPU plugin, tuned for one-image latency. `precision` 'f32' gives the
    PyTorch outputs to ~1e-6; 'bf16' runs the convolutions in bf16 where the CPU has
    native bf16 (AVX-512 BF16, AMX), 1.2x faster again on a Zen 4, and is refused
    elsewhere, where OpenVINO would emulate it slowly."""

    def __init__(self, path: str | Path, stride: int = 1, threads: int | None = None,
                 precision: str = 'f32'):
        super().__init__(path, stride)
        openvino = _import('openvino', ONNX_BACKENDS['openvino'])
        core = openvino.Core()
        if precision not in ('f32', 'bf16'):
            raise ValueError(f"OpenVINO precision={precision!r} is not 'f32' or 'bf16'")
        if precision == 'bf16' and 'BF16' not in core.get_property(
                'CPU', 'OPTIMIZATION_CAPABILITIES'):
            raise ValueError('bf16 inference needs a CPU with native bf16 (AVX-512 BF16 or '
                             "AMX); this one has none: use precision='f32'.")
        settings = {'INFERENCE_PRECISION_HINT': precision, 'PERFORMANCE_HINT': 'LATENCY'}
        if threads:
            settings['INFERENCE_NUM_THREADS'] = threads
        compiled = core.compile_model(core.read_model(self.path), 'CPU', settings)
        self.request = compiled.create_infer_request()
        self.input_names = [port.get_any_name() for port in compiled.inputs]
        shape = compiled.inputs[0].get_partial_shape()
        self.input_shape = [d.get_length() if d.is_static else None for d in shape]

    def run(self, feeds: dict):
        return self.request.infer(feeds)[0].copy()   # the request reuses its buffer


def init_onnx_model(path: str | Path, threads: int | None = None,
                    backend: str = 'onnxruntime', precision: str = 'f32'):
    """The model of an exported .onnx file with `backend` (ONNX_BACKENDS) running its
    generator; `precision` applies to OpenVINO."""
    if backend not in ONNX_BACKENDS:
        raise ValueError(f'backend={backend!r} is not one of {tuple(ONNX_BACKENDS)}')
    from sketchgen.registry import MODELS
    meta = read_onnx_metadata(path)
    if 'config_json' not in meta:
        raise ConfigError(f'{path}: carries no sketchgen config; export it with '
                          'tools/export_model.py --format onnx.')
    cfg = config_from_json(meta['config_json'], str(path))
    model = MODELS.build(cfg.model.to_dict())
    model.cfg = cfg
    direction = meta.get('direction') or None
    stride = getattr(model.generator, 'stride', 1)
    if backend == 'openvino':
        runtime = OpenVinoGenerator(path, stride, threads, precision)
    else:
        if precision != 'f32':
            raise ValueError(f"precision={precision!r}: ONNX Runtime runs the graph in fp32; "
                             "bf16 inference of an .onnx file needs backend='openvino'")
        runtime = OnnxRuntimeGenerator(path, stride, threads)
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
