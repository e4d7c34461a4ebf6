"""Prepare a trained checkpoint for the model zoo: the release file and its metafile row.

    python tools/publish_model.py CHECKPOINT --name NAME --task TASK --config CONFIG \\
        --metrics work_dirs/.../test/metrics.json --out release/ \\
        [--url-base https://host/path] [--fp16] [--generator-only] [--licence "..."]

Writes release/NAME.safetensors (through `export_model`, config inside) and
release/NAME.metafile.yml: one row for configs/<algorithm>/metafile.yml with the file's
sha256 and size, the measured metrics with their image count and the command that
measured them (read from `tools/test.py`'s metrics.json). Upload the file to
URL-BASE/NAME.safetensors, paste the row, run `python tools/zoo_table.py`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sketchgen.zoo import TASKS


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='Prepare a checkpoint for the model zoo.')
    p.add_argument('checkpoint')
    p.add_argument('--name', required=True)
    p.add_argument('--task', required=True, choices=TASKS)
    p.add_argument('--config', required=True, help='the config it was trained with')
    p.add_argument('--metrics', required=True, help="tools/test.py's metrics.json")
    p.add_argument('--out', required=True, help='release folder')
    p.add_argument('--url-base', help='where the file will be uploaded (else: unpublished)')
    p.add_argument('--data', default='', help='training data, in words')
    p.add_argument('--licence', default='CC BY-SA 4.0 (derived from OpenMoji)')
    p.add_argument('--fp16', action='store_true')
    p.add_argument('--generator-only', action='store_true')
    p.add_argument('--overwrite', action='store_true')
    args = p.parse_args(argv)
    import yaml
    from sketchgen.tools import export_model
    from sketchgen.weights import sha256
    report = json.loads(Path(args.metrics).read_text())
    if not isinstance(report.get('metrics'), dict) or 'num_samples' not in report:
        raise ValueError(f'{args.metrics}: not a tools/test.py metrics.json (no metrics or '
                         'num_samples)')
    out = Path(args.out) / f'{args.name}.safetensors'
    export_args = [args.checkpoint, '--out', str(out), '--note', f'licence: {args.licence}']
    export_args += ['--fp16'] * args.fp16 + ['--generator-only'] * args.generator_only
    export_args += ['--overwrite'] * args.overwrite
    export_model.main(export_args)
    weights = dict(format='sketchgen', sha256=sha256(out), size_bytes=out.stat().st_size)
    if args.url_base:
        weights['url'] = f'{args.url_base.rstrip("/")}/{out.name}'
    row = dict(name=args.name, task=args.task, config=args.config, weights=weights,
               licence=args.licence, data=args.data or 'see the config',
               results=[dict(split=report.get('split', 'test'), images=report['num_samples'],
                             metrics={k: round(v, 4) for k, v in report['metrics'].items()},
                             command=f'python tools/test.py {args.config} '
                                     f'{report.get("checkpoint", args.checkpoint)}')],
               make=f'python tools/train.py {args.config}')
    row_path = out.with_suffix('.metafile.yml')
    row_path.write_text(yaml.safe_dump([row], sort_keys=False, allow_unicode=True))
    print(f'Wrote {out} and {row_path} (paste the row into configs/<algorithm>/metafile.yml)')
    return 0
