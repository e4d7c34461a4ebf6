"""Clean up a rough sketch: the one-line tool for artists.

    python tools/simplify.py IMAGE --out clean.png [--svg clean.svg] [--scale 0.5]
                             [--checkpoint CKPT] [--tile 1024] [--threshold 0.5]
                             [--smoothing spline|polygon|none]

Without --checkpoint it uses the library's default simplification model (a small
network trained on OpenMoji line art; see model_zoo.md). Any image size works.
--scale below 1 simplifies more strongly (the sketch is shrunk before the
network sees it, as in the paper's s = 0.5, 0.25), and the result is returned at
the input's size. --svg also traces the clean lines into an SVG file. --tile
runs big images piece by piece (same result, bounded memory).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sketchgen.tools import add_model_options


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Simplify a rough sketch into clean lines.')
    p.add_argument('image', help='the rough sketch (any image file)')
    p.add_argument('--out', required=True, help='clean PNG to write')
    p.add_argument('--svg', help='also write the traced lines as SVG')
    p.add_argument('--scale', type=float, default=1.0,
                   help='simplification strength: 1 (light), 0.5, 0.25 (strong)')
    p.add_argument('--checkpoint', help='a simplification checkpoint (default: built-in model)')
    p.add_argument('--tile', type=int, help='tile side in pixels for very large images')
    p.add_argument('--threshold', type=float, default=0.5, help='SVG: ink below this grey')
    p.add_argument('--smoothing', choices=['spline', 'polygon', 'none'], default='spline',
                   help='SVG: curve fitting')
    p.add_argument('--overwrite', action='store_true', help='replace existing output files')
    add_model_options(p, fast_path=False)
    p.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from sketchgen.apis import default_simplification_model, init_model, trace_to_svg
    from sketchgen.data.io import load_image
    from sketchgen.tools.outputs import check_output

    image_path = Path(args.image)
    if not image_path.is_file():
        raise SystemExit(f'{image_path}: no such image file.')
    out = check_output(args.out, [image_path], args.overwrite, '--out')
    svg = check_output(args.svg, [image_path], args.overwrite, '--svg') if args.svg else None
    if svg is not None and svg.resolve() == out.resolve():
        raise SystemExit(f'--out and --svg are both {out}; give them different paths.')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = (init_model(checkpoint=args.checkpoint, device=device,
                        trust_imports=args.trust_imports) if args.checkpoint
             else default_simplification_model(device))
    if not hasattr(model, 'simplify'):
        raise SystemExit(f'{args.checkpoint}: a {type(model).__name__} checkpoint, not a sketch '
                         'simplification model.')
    clean = model.simplify(load_image(image_path), scale=args.scale, tile=args.tile)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean.save(out)
    print(f'Wrote {out} ({clean.size[0]}x{clean.size[1]})')
    if svg is not None:
        svg.parent.mkdir(parents=True, exist_ok=True)
        svg.write_text(trace_to_svg(clean, threshold=args.threshold, smoothing=args.smoothing),
                       encoding='utf-8')
        print(f'Wrote {svg}')
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('simplify'))
