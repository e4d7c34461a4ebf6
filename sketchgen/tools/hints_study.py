"""Do colour hints move colours where asked? Colour error at the hinted pixels of the
test split, with and without the hints, for a model trained with hints.

    python tools/hints_study.py CONFIG CHECKPOINT [--hints 1 4 16] [--out DIR]

Hints are sampled from each test target with a fixed seed (the training sampler:
patches of 1-3 px, mostly on coloured pixels). The error is the mean absolute
difference in [0, 1] RGB between output and target over the hinted pixels; the
image-wide PSNR shows what hints do elsewhere.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Measure the effect of colour hints.')
    p.add_argument('config', help="config file, or '-' for the one inside the checkpoint")
    p.add_argument('checkpoint')
    p.add_argument('--hints', type=int, nargs='+', default=[1, 4, 16],
                   help='hint patches per image (one study row each)')
    p.add_argument('--num-samples', type=int)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', help='folder for hints_study.json/.md (default: beside the '
                   'checkpoint)')
    p.add_argument('--device', default=None)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from sketchgen.apis import init_model
    from sketchgen.checkpoint import weights_path
    from sketchgen.data.loader import build_dataloader

    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = init_model(None if args.config == '-' else args.config, args.checkpoint,
                       device=device)
    if model.hint_sampler is None:
        raise SystemExit(f'{args.checkpoint}: this model was trained without colour hints.')
    loader = build_dataloader(model.cfg, 'test')
    rows = []
    for count in args.hints:
        generator = torch.Generator().manual_seed(args.seed)
        sums = dict(with_hints=0.0, without=0.0, pixels=0.0, psnr_with=0.0, psnr_without=0.0)
        seen = 0
        for batch in loader:
            source, target = batch['source'].to(device), batch['target'].to(device)
            if args.num_samples is not None:
                source, target = (source[:args.num_samples - seen],
                                  target[:args.num_samples - seen])
                if not len(source):
                    break
            hints = model.hint_sampler(target.cpu(), count=count, generator=generator)
            mask = hints[:, 3:].to(device)
            truth = (target + 1) / 2
            for key, given in (('with_hints', hints.to(device)), ('without', None)):
                out = (model.generate(source, given).clamp(-1, 1) + 1) / 2
                error = (out - truth).abs().mean(1, keepdim=True)
                sums[key] += float((error * mask).sum())
                mse = (out - truth).pow(2).flatten(1).mean(1)
                psnr_key = 'psnr_with' if given is not None else 'psnr_without'
                sums[psnr_key] += float((10 * torch.log10(1 / mse.clamp_min(1e-10))).sum())
            sums['pixels'] += float(mask.sum())
            seen += len(source)
        rows.append(dict(hints_per_image=count, images=seen, hinted_pixels=int(sums['pixels']),
                         error_with_hints=sums['with_hints'] / sums['pixels'],
                         error_without_hints=sums['without'] / sums['pixels'],
                         psnr_with_hints=sums['psnr_with'] / seen,
                         psnr_without_hints=sums['psnr_without'] / seen))
    out = Path(args.out) if args.out else weights_path(args.checkpoint).parent / 'hints_study'
    out.mkdir(parents=True, exist_ok=True)
    (out / 'hints_study.json').write_text(json.dumps(dict(checkpoint=str(args.checkpoint),
                                                          seed=args.seed, rows=rows), indent=2))
    lines = ['| hints / image | images | hinted px | colour error at hints, with | without | '
             'PSNR with | PSNR without |', '|' + ' --- |' * 7]
    lines += [f'| {r["hints_per_image"]} | {r["images"]} | {r["hinted_pixels"]} | '
              f'{r["error_with_hints"]:.4f} | {r["error_without_hints"]:.4f} | '
              f'{r["psnr_with_hints"]:.2f} | {r["psnr_without_hints"]:.2f} |' for r in rows]
    table = '\n'.join(lines)
    (out / 'hints_study.md').write_text(f'Colour hints on the test split of '
                                        f'`{args.checkpoint}` (seed {args.seed})\n\n{table}\n')
    print(table)
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('hints_study'))
