"""Turn a folder of colour images into a paired sketch -> colour data set.

    python tools/make_sketches.py SRC OUT [--method xdog|canny] [--preset anime]
                                  [--layout aligned|folders] [--size 256]

'aligned' writes OUT/NAME.png with the sketch left and the colour image right
(pix2pix's A|B, direction AtoB); 'folders' writes OUT/A/NAME.png (sketches) and
OUT/B/NAME.png (colour). Unreadable files are skipped and listed at the end;
existing outputs are kept unless --overwrite.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    from sketchgen.data.sketch import XDOG_PRESETS
    p = argparse.ArgumentParser(description='Make sketch -> colour pairs from colour images.')
    p.add_argument('src', help='folder of colour images (searched recursively)')
    p.add_argument('out', help='output folder')
    p.add_argument('--method', choices=['xdog', 'canny'], default='xdog')
    p.add_argument('--preset', choices=sorted(XDOG_PRESETS), default='general',
                   help='XDoG parameter set (see docs/data.md)')
    p.add_argument('--layout', choices=['aligned', 'folders'], default='aligned')
    p.add_argument('--size', type=int, help='resize images to SIZE x SIZE first')
    p.add_argument('--overwrite', action='store_true')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from PIL import Image
    from tqdm import tqdm

    from sketchgen.data.io import IMAGE_EXTENSIONS, ImageLoadError, load_image
    from sketchgen.data.sketch import extract_sketch

    src, out = Path(args.src), Path(args.out)
    if not src.is_dir():
        raise SystemExit(f'{src}: no such folder')
    files = sorted(p for p in src.rglob('*') if p.suffix.lower() in IMAGE_EXTENSIONS)
    if not files:
        raise SystemExit(f'{src}: no images (looked for {", ".join(IMAGE_EXTENSIONS)})')
    kwargs = dict(preset=args.preset) if args.method == 'xdog' else {}
    written, kept, failed = 0, 0, []
    start = time.perf_counter()
    for path in tqdm(files, desc=f'{args.method} sketches', unit='img'):
        name = '_'.join(path.relative_to(src).with_suffix('').parts) + '.png'
        targets = ([out / name] if args.layout == 'aligned'
                   else [out / 'A' / name, out / 'B' / name])
        if not args.overwrite and all(t.exists() for t in targets):
            kept += 1
            continue
        try:
            colour = load_image(path)
        except ImageLoadError as err:
            failed.append(f'{path}: {err}')
            continue
        if args.size:
            colour = colour.resize((args.size, args.size), Image.BICUBIC)
        sketch = extract_sketch(colour, args.method, **kwargs).convert('RGB')
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
        if args.layout == 'aligned':
            pair = Image.new('RGB', (colour.width * 2, colour.height))
            pair.paste(sketch, (0, 0))
            pair.paste(colour, (colour.width, 0))
            pair.save(targets[0])
        else:
            sketch.save(targets[0])
            colour.save(targets[1])
        written += 1
    seconds = time.perf_counter() - start
    print(f'{written} pairs written to {out} ({args.layout}, {args.method}'
          f'{", preset " + args.preset if args.method == "xdog" else ""}), {kept} kept from an '
          f'earlier run, {len(failed)} unreadable; {seconds:.1f} s.')
    for line in failed:
        print(f'  skipped {line}')
    return 0 if written + kept else 1


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('make_sketches'))
