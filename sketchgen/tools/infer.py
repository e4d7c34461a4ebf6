"""Colour sketches with a trained model.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] --out DIR [--keep-size]
                          [--hints HINTS.png] [--direction AtoB|BtoA] [--label hair=red ...]
                          [--reference REF.png] [--num-samples N] [--seed S]

INPUT is an image or a folder of images. CONFIG may be '-' to use the config
stored inside the checkpoint. By default images are resized to the training size;
--keep-size runs fully-convolutional models at the input's own size (which must
divide by the network's stride). --hints gives a model trained with colour hints
a transparent RGBA image whose painted pixels say which colour goes where (one
hint image for all inputs, or a folder with a hint image per input name).
CycleGAN models translate either way (--direction) and conditional ones take one
value per label attribute (--label hair=blonde skin=medium). SPADE models with a
style encoder colour like a --reference image, or sample N colourings
(--num-samples N writes NAME_sample0.png ...; --seed picks the first sample's
seed). SPADE label models take label PNGs (class indices) as INPUT.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sketchgen.tools import add_model_options


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Run a trained sketchgen model on images.')
    p.add_argument('config', help="config file, or '-' for the one inside the checkpoint")
    p.add_argument('checkpoint', help='checkpoint folder or model.safetensors')
    p.add_argument('inputs', nargs='+', help='images or folders of images')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--keep-size', action='store_true',
                   help='run at the input size instead of the training size')
    p.add_argument('--hints', help='RGBA hint image, or a folder of them named like the inputs')
    p.add_argument('--direction', choices=['AtoB', 'BtoA'], help='CycleGAN: which generator')
    p.add_argument('--label', nargs='+', default=[], metavar='ATTRIBUTE=VALUE',
                   help='condition labels of a conditional CycleGAN, e.g. hair=red skin=dark')
    p.add_argument('--reference', help='SPADE with a style encoder: colour like this image')
    p.add_argument('--num-samples', type=int, default=1,
                   help='SPADE with a style encoder: this many sampled outputs per input')
    p.add_argument('--seed', type=int, default=0, help='seed of the first sampled output')
    p.add_argument('--overwrite', action='store_true', help='replace existing output files')
    add_model_options(p)
    p.add_argument('--backend', choices=['onnxruntime', 'openvino'], default='onnxruntime',
                   help='the runtime of an exported .onnx model; with openvino, --amp bf16 '
                        'runs it in bf16')
    p.add_argument('--device', default='cuda' if _cuda() else 'cpu')
    return p.parse_args(argv)


def _cuda() -> bool:
    import torch
    return torch.cuda.is_available()


def main(argv=None) -> int:
    args = parse_args(argv)
    from PIL import Image

    from sketchgen.apis import init_model
    from sketchgen.data.io import IMAGE_EXTENSIONS, list_images, load_image
    from sketchgen.tools.outputs import output_files

    files = []
    for item in map(Path, args.inputs):
        if item.is_dir():
            files += list_images(item)
        elif item.is_file():
            if item.suffix.lower() not in IMAGE_EXTENSIONS:
                raise SystemExit(f'{item}: not an image file ({", ".join(IMAGE_EXTENSIONS)}).')
            files.append(item)
        else:
            raise SystemExit(f'{item}: no such file or folder.')
    if args.num_samples < 1:
        raise SystemExit(f'--num-samples {args.num_samples}: give at least 1')
    out = Path(args.out)
    suffixes = (['.png'] if args.num_samples == 1
                else [f'_sample{k}.png' for k in range(args.num_samples)])
    targets = [output_files(files, out, suffix, args.overwrite) for suffix in suffixes]
    model = init_model(None if args.config == '-' else args.config, args.checkpoint,
                       device=args.device, trust_imports=args.trust_imports,
                       amp=args.amp, channels_last=args.channels_last, backend=args.backend,
                       winograd_convs=args.winograd_convs)
    out.mkdir(parents=True, exist_ok=True)
    hints = Path(args.hints) if args.hints else None
    if hints is not None and not hints.exists():
        raise SystemExit(f'{hints}: no such hint image or folder.')
    generate_args = {}
    if args.reference or args.num_samples > 1:
        if getattr(model, 'encoder', None) is None:
            raise SystemExit(f'--reference/--num-samples: {type(model).__name__} has no style '
                             'encoder (a SPADE config with `encoder`) to take them')
        if args.reference:
            generate_args['reference'] = load_image(args.reference)
    read = load_image
    if getattr(model, 'num_classes', None) is not None:
        from sketchgen.data.labels import load_label_map

        def read(path):
            return load_label_map(path, model.num_classes)
    if (args.direction or args.label) and not hasattr(model, 'direction'):
        raise SystemExit(f'--direction/--label: {type(model).__name__} is not a CycleGAN model')
    if args.direction:
        generate_args['direction'] = args.direction
    if args.label:
        bad = [item for item in args.label if '=' not in item]
        if bad:
            raise SystemExit(f'--label {bad[0]}: write ATTRIBUTE=VALUE, e.g. hair=red')
        generate_args['labels'] = dict(item.split('=', 1) for item in args.label)
    if getattr(model, 'encoder', None) is not None:
        generate_args['seed'] = args.seed
    for i, path in enumerate(files):
        hint_image = None
        if hints is not None:
            hint_path = hints / f'{path.stem}.png' if hints.is_dir() else hints
            hint_image = Image.open(hint_path) if hint_path.exists() else None
        image = read(path)
        for k, sample_targets in enumerate(targets):
            if 'seed' in generate_args:
                generate_args['seed'] = args.seed + k
            result = model.infer(image, keep_size=args.keep_size, hints=hint_image,
                                 **generate_args)
            result.save(sample_targets[i])
    print(f'Wrote {len(files) * len(targets)} image(s) to {out}')
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('infer'))
