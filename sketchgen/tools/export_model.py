"""Export a checkpoint for inference: the weights only (no optimiser state),
optionally in half precision, with the config kept inside.

    python tools/export_model.py CHECKPOINT --out model.safetensors [--fp16]
                                 [--note "licence: ..."]

The result loads with `sketchgen.apis.init_model('model.safetensors')` and the
tools' --checkpoint options, and its sha256 is printed for model_zoo.md.
"""
from __future__ import annotations

import argparse
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a checkpoint for inference.')
    p.add_argument('checkpoint', help='checkpoint folder or model.safetensors')
    p.add_argument('--out', required=True, help='the .safetensors file to write')
    p.add_argument('--fp16', action='store_true', help='store floating-point weights as fp16')
    p.add_argument('--note', action='append', default=[], metavar='KEY: VALUE',
                   help='extra metadata, e.g. "licence: CC BY-SA 4.0" (repeatable)')
    p.add_argument('--overwrite', action='store_true', help='replace an existing --out file')
    p.add_argument('--trust-imports', action='store_true',
                   help="import the modules the checkpoint's config lists in custom_imports")
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
    state = load_file(str(source))
    if args.fp16:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    metadata = {k: v for k, v in read_metadata(source).items() if k in (
        'iteration', 'model_type', 'sketchgen_version')}
    metadata['config_json'] = config_to_json(model.cfg)
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


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('export_model'))
