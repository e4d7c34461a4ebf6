"""Export a checkpoint for inference, with the config kept inside.

    python tools/export_model.py CHECKPOINT --out model.safetensors [--fp16]
                                 [--note "licence: ..."]
    python tools/export_model.py CHECKPOINT --format onnx --out model.onnx [--direction BtoA]
                                 [--subpixel]
    python tools/export_model.py CHECKPOINT --format torchscript --out model.pt

safetensors (default): the weights only (no optimiser state), optionally fp16; it
loads with `init_model('model.safetensors')` and the tools' --checkpoint options.
onnx: the inference generator as an ONNX graph (batch, and height and width where the
network is fully convolutional, are dynamic), checked against PyTorch on a random
input; `init_model('model.onnx')` runs it with ONNX Runtime. torchscript: a traced
generator for C++/mobile runtimes. --subpixel writes each transposed convolution as a
convolution and a pixel shuffle, the same function, which OpenVINO computes in bf16
where it computes transposed convolutions in fp32: for `init_model(..., backend=
'openvino', amp='bf16')` (unet_256 2x faster on a Xeon with AMX; slower in fp32 and on
ONNX Runtime, docs/benchmarks.md). The sha256 is printed for model_zoo.md.
"""
from __future__ import annotations

import argparse
import sys

from sketchgen.tools import add_model_options


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a checkpoint for inference.')
    p.add_argument('checkpoint', help='checkpoint folder or model.safetensors')
    p.add_argument('--out', required=True, help='the file to write')
    p.add_argument('--format', choices=['safetensors', 'onnx', 'torchscript'],
                   default='safetensors', help='weights (default), an ONNX graph, or TorchScript')
    p.add_argument('--direction', choices=['AtoB', 'BtoA'],
                   help="CycleGAN: which generator to export (default: the model's own)")
    p.add_argument('--subpixel', action='store_true',
                   help='onnx/torchscript: transposed convolutions as convolution + pixel '
                        'shuffle (the same function), for OpenVINO in bf16')
    p.add_argument('--fp16', action='store_true', help='store floating-point weights as fp16')
    p.add_argument('--generator-only', action='store_true',
                   help='safetensors: keep the generator side only (no discriminator), '
                        'for shipping; init_model names what is absent if it is asked for')
    p.add_argument('--note', action='append', default=[], metavar='KEY: VALUE',
                   help='extra metadata, e.g. "licence: CC BY-SA 4.0" (repeatable)')
    p.add_argument('--overwrite', action='store_true', help='replace an existing --out file')
    add_model_options(p, fast_path=False)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from safetensors.torch import load_file, save_file

    from sketchgen.apis import init_model
    from sketchgen.checkpoint import read_metadata, weights_path
    from sketchgen.config import config_to_json
    from sketchgen.weights import sha256

    from sketchgen.tools.outputs import check_output

    source = weights_path(args.checkpoint)
    out = check_output(args.out, [source], args.overwrite)
    # Fails here, with the reason, if it does not load; the config is re-written
    # from the parsed data, so nothing but data travels into the export.
    model = init_model(checkpoint=source, trust_imports=args.trust_imports)
    if args.format != 'safetensors':
        return export_graph(model, out, args)
    if args.subpixel:
        raise SystemExit('--subpixel rewrites a graph: use it with --format onnx or '
                         'torchscript.')
    state = load_file(str(source))
    networks = None
    if args.generator_only:
        networks = [name for group, names in model.optimizer_groups().items()
                    if group.startswith('generator') for name in names]
        networks += ['generator_ema'] if any(k.startswith('generator_ema.') for k in state) \
            else []
        prefixes = tuple(f'{name}.' for name in networks)
        state = {k: v for k, v in state.items() if k.startswith(prefixes)}
    if args.fp16:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    metadata = {k: v for k, v in read_metadata(source).items() if k in (
        'iteration', 'model_type', 'sketchgen_version')}
    metadata['config_json'] = config_to_json(model.cfg)
    if networks:
        metadata['networks'] = ','.join(networks)
    for note in args.note:
        key, _, value = note.partition(':')
        if not value:
            raise SystemExit(f'--note {note!r}: write KEY: VALUE')
        metadata[key.strip()] = value.strip()
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(out), metadata=metadata)
    size = out.stat().st_size / 2 ** 20
    print(f'Wrote {out}: {size:.2f} MiB, {sum(v.numel() for v in state.values()):,} values, '
          f'sha256 {sha256(out)}')
    return 0


def export_graph(model, out, args) -> int:
    import torch

    from sketchgen.apis.export import export_model, export_network, init_onnx_model
    from sketchgen.weights import sha256

    if args.fp16:
        raise SystemExit('--fp16 applies to safetensors weights; graphs are exported in fp32.')
    notes = dict(note.partition(':')[::2] for note in args.note)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        info = export_model(model, out, args.format, args.direction,
                            {k.strip(): v.strip() for k, v in notes.items()}, args.subpixel)
    except ValueError as err:
        raise SystemExit(f'{args.checkpoint}: {err}') from None
    net, inputs, names = export_network(model, args.direction)
    torch.manual_seed(0)
    example = [torch.rand_like(inputs[0]) * 2 - 1,
               *(torch.randn_like(x) if name == 'z' else x
                 for name, x in zip(names[1:], inputs[1:]))]
    with torch.no_grad():
        expected = net.eval()(*example)
        if args.format == 'onnx':
            got = init_onnx_model(out).generator_ba if info['direction'] == 'BtoA' \
                else init_onnx_model(out).generator
            got = got(*example)
        else:
            got = torch.jit.load(str(out))(*example)
    diff = float((got - expected).abs().max())
    print(f'Wrote {out}: {out.stat().st_size / 2 ** 20:.2f} MiB, {args.format}, inputs '
          f'{info["inputs"]}, dynamic height/width: {info["dynamic_size"]}, sub-pixel '
          f'transposed convolutions: {info["subpixel"]}; max |export - '
          f'PyTorch| = {diff:.2e} on a random input; sha256 {sha256(out)}')
    if diff > 1e-3:
        raise SystemExit(f'{out}: the export differs from PyTorch by {diff:.2e} (> 1e-3).')
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('export_model'))
