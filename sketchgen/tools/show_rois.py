"""Draw masks from a RoI sampler, to see what a config will train on.

    python tools/show_rois.py SAMPLER [--num 64] [--size 64] [--seed 0]
                              [--options KEY=VALUE ...] --out grid.png

SAMPLER is a registered RoI sampler (EllipseRoISampler, RectangleRoISampler,
GaussianMixtureRoISampler, FreeFormRoISampler, ...); --options sets its arguments
(Python literals, e.g. n_components=5). The grid's title line on stdout gives the
mean RoI area.
"""
from __future__ import annotations

import argparse
import math
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Draw sample masks of a RoI sampler.')
    p.add_argument('sampler', help='a registered RoI sampler name')
    p.add_argument('--num', type=int, default=64, help='how many masks')
    p.add_argument('--size', type=int, nargs='+', default=[64], help='SIZE or HEIGHT WIDTH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--options', nargs='*', default=[], metavar='KEY=VALUE',
                   help="the sampler's arguments")
    p.add_argument('--out', required=True, help='PNG grid to write')
    p.add_argument('--overwrite', action='store_true', help='replace an existing --out file')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from torchvision.utils import save_image

    from sketchgen.config import parse_overrides
    from sketchgen.data.roi_samplers import sample_masks
    from sketchgen.tools.outputs import check_output

    if args.num < 1:
        raise SystemExit(f'--num {args.num}: draw at least one mask')
    if len(args.size) not in (1, 2) or min(args.size) < 2:
        raise SystemExit(f'--size {" ".join(map(str, args.size))}: give SIZE or HEIGHT WIDTH, '
                         'each at least 2')
    out = check_output(args.out, overwrite=args.overwrite)
    size = args.size[0] if len(args.size) == 1 else tuple(args.size)
    masks = sample_masks(dict(type=args.sampler, **parse_overrides(args.options)), args.num,
                         size, args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_image(masks, out, nrow=math.ceil(math.sqrt(args.num)), padding=2, pad_value=0.5)
    print(f'Wrote {out}: {args.num} masks of {args.sampler} (seed {args.seed}), mean RoI area '
          f'{float(masks.mean()):.1%} of the image')
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('show_rois'))
