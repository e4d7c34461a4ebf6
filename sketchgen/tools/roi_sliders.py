"""RoI-GAN's sliders, the thesis' figure 4.5: one image and region, each row one
control code swept from -1 to 1 (columns) with the other codes at 0, the noise and
discrete codes fixed. Also prints, per code, the mean absolute change of the output
inside the region per unit of slider, from -1 to 1 (what the thesis could only show
in pictures).

    python tools/roi_sliders.py CHECKPOINT [--index I] [--values 7] [--seed S] --out grid.png

The image and its fixed evaluation mask are test sample I of the model's config
(or give --image and --mask).
"""
from __future__ import annotations

import argparse
import json
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Sweep RoI-GAN's control codes.")
    p.add_argument('checkpoint')
    p.add_argument('--index', type=int, default=0, help='test sample to use')
    p.add_argument('--image', help='an image instead of a test sample (needs --mask)')
    p.add_argument('--mask', help='its mask, white inside the region')
    p.add_argument('--values', type=int, default=7, help='slider positions from -1 to 1')
    p.add_argument('--seed', type=int, default=0, help='seed of the noise and discrete codes')
    p.add_argument('--out', required=True, help='PNG grid')
    p.add_argument('--overwrite', action='store_true')
    p.add_argument('--trust-imports', action='store_true')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    from torchvision.utils import save_image

    from sketchgen.apis import init_model
    from sketchgen.data.io import load_image
    from sketchgen.data.loader import build_dataset
    from sketchgen.data.roi_masks import mask_tensor
    from sketchgen.evaluation.inpainting import control_sensitivity
    from sketchgen.tools.outputs import check_output

    if args.values < 2:
        raise SystemExit(f'--values {args.values}: sweep at least 2 positions')
    if bool(args.image) != bool(args.mask):
        raise SystemExit('--image and --mask go together')
    out = check_output(args.out, [p for p in (args.image, args.mask) if p], args.overwrite)
    model = init_model(args.checkpoint, device=args.device, trust_imports=args.trust_imports)
    net = model.inference_generator
    if not hasattr(net, 'continuous_codes'):
        raise SystemExit(f'{args.checkpoint}: {type(model).__name__} has no control codes')
    if args.image:
        from PIL import Image
        image = load_image(args.image).resize(model.image_size_wh, Image.BICUBIC)
        x = model._to_model_input(image, keep_size=False)[None]
        mask = mask_tensor(Image.open(args.mask), model.image_size_wh)
    else:
        data = build_dataset(model.cfg, 'test')
        if not 0 <= args.index < len(data):
            raise SystemExit(f'--index {args.index}: the test split has {len(data)} samples')
        sample = data[args.index]
        x, mask = sample['target'][None], sample['mask'][None]
    generator = torch.Generator().manual_seed(args.seed)
    discrete = torch.randint(0, net.discrete_values, (1, net.discrete_codes),
                             generator=generator)
    values = torch.linspace(-1, 1, args.values)
    rows = []
    for code in range(net.continuous_codes):
        controls = torch.zeros(args.values, net.continuous_codes)
        controls[:, code] = values
        out_row = model.generate(x.expand(args.values, -1, -1, -1).to(model.device),
                                 mask=mask.expand(args.values, -1, -1, -1).to(model.device),
                                 controls=controls, discrete=discrete, seed=args.seed).cpu()
        rows.append(out_row)
    change = control_sensitivity(model, x.to(model.device), mask.to(model.device),
                                 args.seed, discrete)
    grid = (torch.cat(rows).clamp(-1, 1) + 1) / 2
    out.parent.mkdir(parents=True, exist_ok=True)
    save_image(grid, out, nrow=args.values, padding=2, pad_value=1.0)
    report = dict(checkpoint=str(args.checkpoint), values=values.tolist(), seed=args.seed,
                  change_inside_per_unit=change)
    out.with_suffix('.json').write_text(json.dumps(report, indent=2))
    print(f'Wrote {out} ({net.continuous_codes} codes x {args.values} values) and '
          f'{out.with_suffix(".json")}')
    print('mean |change| inside the RoI per unit of slider: ' +
          ', '.join(f'c{i} {v:.4f}' for i, v in enumerate(change)))
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('roi_sliders'))
