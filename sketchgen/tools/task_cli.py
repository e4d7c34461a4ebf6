"""The command line of the Inferencer tasks that have no tool of their own:

    sketchgen colourise INPUT --out OUT [--model NAME_OR_CKPT] [--hints H.png]
                        [--reference R.png] [--seed S]
    sketchgen translate INPUT --out OUT [--model NAME_OR_CKPT] [--direction BtoA]
    sketchgen cartoonise INPUT --out OUT [--model NAME_OR_CKPT] [--label hair=blonde ...]
                         [--photo]

Without --model, the task's built-in model (shipped in the package) runs.

INPUT is an image or a folder (every image in it, with a progress bar; OUT is then a
folder). simplify and inpaint have their own tools (sketchgen simplify / inpaint).
"""
from __future__ import annotations

import argparse
from pathlib import Path


def parse_args(task: str, argv=None):
    p = argparse.ArgumentParser(prog=f'sketchgen {task}',
                                description=f'{task} an image or a folder of images.')
    p.add_argument('input', help='an image, or a folder of images')
    p.add_argument('--out', required=True, help='output PNG (a folder for a folder input)')
    p.add_argument('--model', help="zoo name or checkpoint (sketchgen list_models); "
                   "default: the task's built-in model")
    if task == 'colourise':
        p.add_argument('--hints', help='RGBA PNG whose opaque pixels are colour hints')
        p.add_argument('--reference', help='a colour image whose style to take (SPADE)')
        p.add_argument('--seed', type=int, help='seed of the sampled style (SPADE)')
    else:
        p.add_argument('--direction', choices=['AtoB', 'BtoA'])
        p.add_argument('--label', action='append', default=[], metavar='ATTRIBUTE=VALUE',
                       help='a condition label of the cartoon model (repeatable)')
        if task == 'cartoonise':
            p.add_argument('--photo', action='store_true',
                           help="a real photo: find the face (MTCNN) and align it onto the "
                                "model's face template first")
    p.add_argument('--overwrite', action='store_true')
    p.add_argument('--trust-imports', action='store_true',
                   help="import the custom_imports named in the checkpoint's config")
    p.add_argument('--device', default='cpu')
    p.add_argument('--backend', choices=['onnxruntime', 'openvino'], default='onnxruntime',
                   help='the runtime of an exported .onnx --model')
    return p.parse_args(argv)


def task_main(task: str, argv=None) -> int:
    args = parse_args(task, argv)
    from sketchgen.apis.inferencer import Inferencer
    from sketchgen.tools.outputs import check_output
    options = {}
    if task == 'colourise':
        from sketchgen.data.io import load_image
        options = dict(hints=args.hints, seed=args.seed,
                       reference=load_image(args.reference) if args.reference else None)
    else:
        labels = dict(item.split('=', 1) for item in args.label if '=' in item)
        if len(labels) != len(args.label):
            raise SystemExit(f'--label {args.label}: write ATTRIBUTE=VALUE, e.g. hair=blonde')
        options = dict(direction=args.direction, labels=labels or None)
        if task == 'cartoonise' and args.photo:
            options['photo'] = True
    options = {k: v for k, v in options.items() if v is not None}
    inferencer = Inferencer(task, args.model, device=args.device,
                            trust_imports=args.trust_imports, backend=args.backend)
    source = Path(args.input)
    if source.is_dir():
        written = inferencer.run_folder(source, args.out, overwrite=args.overwrite, **options)
        print(f'Wrote {len(written)} images to {args.out}')
        return 0
    out = check_output(args.out, [args.input], args.overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    inferencer(source, **options).save(out)
    print(f'Wrote {out}')
    return 0
