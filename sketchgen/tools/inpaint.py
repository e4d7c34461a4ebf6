"""Fill a region of an image: RoI-GAN (with its slider controls) or the classical
OpenCV baselines.

    python tools/inpaint.py IMAGE (--checkpoint CKPT | --method telea|navier_stokes)
                            (--mask MASK.png | --roi ellipse|rectangle|mixture|brush)
                            [--controls 0.5,-1,...] [--discrete 3,0,...] [--seed S]
                            --out OUT.png [--save-mask MASK_OUT.png]

MASK.png is white (> 127) inside the region. --roi draws one from a sampler instead,
with --seed (which also seeds z). --controls sets RoI-GAN's slider codes (each in
[-1, 1]), --discrete its categorical codes; left out, they are sampled.
"""
from __future__ import annotations

import argparse
import sys

ROIS = {'ellipse': 'EllipseRoISampler', 'rectangle': 'RectangleRoISampler',
        'mixture': 'GaussianMixtureRoISampler', 'brush': 'FreeFormRoISampler'}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Inpaint a region of an image.')
    p.add_argument('image')
    model = p.add_mutually_exclusive_group(required=True)
    model.add_argument('--checkpoint', help='a trained inpainting model (RoI-GAN)')
    model.add_argument('--method', choices=['telea', 'navier_stokes'],
                       help='a classical OpenCV inpainting instead')
    region = p.add_mutually_exclusive_group(required=True)
    region.add_argument('--mask', help='PNG, white inside the region')
    region.add_argument('--roi', choices=sorted(ROIS), help='draw a region from this sampler')
    p.add_argument('--controls', help='comma-separated slider values in [-1, 1]')
    p.add_argument('--discrete', help='comma-separated category indices of the discrete codes')
    p.add_argument('--seed', type=int, default=0, help='seed of the drawn region and of z')
    p.add_argument('--out', required=True)
    p.add_argument('--save-mask', help='also write the mask used')
    p.add_argument('--overwrite', action='store_true')
    p.add_argument('--trust-imports', action='store_true',
                   help="import the custom_imports named in the checkpoint's config")
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def _numbers(text: str | None, kind, option: str):
    if text is None:
        return None
    try:
        return [kind(v) for v in text.split(',')]
    except ValueError:
        raise SystemExit(f'{option} {text}: write comma-separated numbers, e.g. 0.5,-1') from None


def main(argv=None) -> int:
    args = parse_args(argv)
    import numpy as np
    from PIL import Image

    from sketchgen.apis import init_model
    from sketchgen.data.io import load_image
    from sketchgen.data.roi_samplers import build_roi_sampler
    from sketchgen.registry import MODELS
    from sketchgen.tools.outputs import check_output

    inputs = [args.image] + ([args.mask] if args.mask else [])
    out = check_output(args.out, inputs, args.overwrite)
    mask_out = check_output(args.save_mask, inputs, args.overwrite, '--save-mask') \
        if args.save_mask else None
    image = load_image(args.image)
    if args.checkpoint:
        model = init_model(args.checkpoint, device=args.device, trust_imports=args.trust_imports)
        if not hasattr(model, 'inpaint'):
            raise SystemExit(f'{args.checkpoint}: {type(model).__name__} does not inpaint')
        size = model.image_size_wh
    else:
        model = MODELS.build(dict(type='OpenCVInpainting', method=args.method))
        size = image.size
    if args.mask:
        mask = Image.open(args.mask).convert('L').resize(size, Image.NEAREST)
    else:
        drawn = build_roi_sampler(dict(type=ROIS[args.roi]))(
            size[1], size[0], np.random.default_rng(args.seed))
        mask = Image.fromarray((drawn * 255).astype(np.uint8))
    if not (np.asarray(mask) > 127).any():
        raise SystemExit(f'{args.mask}: the mask has no white pixel, so there is nothing to fill')
    extra = {}
    if args.checkpoint:
        extra = dict(controls=_numbers(args.controls, float, '--controls'),
                     discrete=_numbers(args.discrete, int, '--discrete'))
    elif args.controls or args.discrete:
        raise SystemExit('--controls/--discrete: the OpenCV methods have no controls')
    result = model.inpaint(image.resize(size, Image.BICUBIC), mask, seed=args.seed, **extra)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.save(out)
    if mask_out is not None:
        mask.save(mask_out)
    print(f'Wrote {out}' + (f' and {mask_out}' if mask_out else ''))
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('inpaint'))
