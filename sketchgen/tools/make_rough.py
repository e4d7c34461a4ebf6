"""Pre-render rough sketches from clean drawings (inverse dataset generation),
for training from fixed pairs or for looking at what `Roughen` makes.

    python tools/make_rough.py OUT [--clean FOLDER] [--split train] [--variants 4]
                               [--size 128] [--preset light|moderate|heavy] [--seed 0]

Without --clean the drawings are OpenMoji's line art (CC BY-SA 4.0). OUT gets
rough/NAME_k.png and clean/NAME_k.png for k < --variants: the (rough, clean)
folder layout the folder-pairs config reads. Each file's roughening is seeded by
(--seed, drawing, k), so the same command writes the same files.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_args(argv=None):
    from sketchgen.data.roughen import PRESETS
    p = argparse.ArgumentParser(description='Make rough sketches from clean drawings.')
    p.add_argument('out', help='output folder (gets rough/ and clean/)')
    p.add_argument('--clean', help='folder of clean drawings (default: OpenMoji line art)')
    p.add_argument('--split', default='train', help="OpenMoji split, or the --clean sub-folder "
                   "('' for the folder itself)")
    p.add_argument('--variants', type=int, default=1, help='rough versions per drawing')
    p.add_argument('--size', type=int, default=128, help='OpenMoji render size')
    p.add_argument('--preset', choices=sorted(PRESETS), default='moderate')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from tqdm import tqdm

    from sketchgen.data.line_art import LineArtDataset

    dataset = LineArtDataset(data_root=args.clean, split=args.split or None,
                             image_size=args.size,
                             pipeline=[dict(type='Roughen', preset=args.preset)])
    out = Path(args.out)
    for folder in ('rough', 'clean'):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for index in tqdm(range(len(dataset)), desc='roughening'):
        for k in range(args.variants):
            sample = dataset[(index, (args.seed, index, k))]
            name = f'{sample["name"]}_{k}'
            sample['target'].save(out / 'clean' / f'{name}.png')
            sample['source'].save(out / 'rough' / f'{name}.png')
    print(f'Wrote {len(dataset) * args.variants} rough/clean pairs to {out}')
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('make_rough'))
