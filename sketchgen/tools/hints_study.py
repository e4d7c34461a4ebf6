"""Do colour hints move colours where asked, and does the colour spread? Errors on
the test split with 0, 1, 2, 5 and 10 hints per image, for a model trained with
hints, over sampling seeds and (given several checkpoints, e.g. training seeds)
over models.

    python tools/hints_study.py CONFIG CHECKPOINT [CHECKPOINT ...] [--hints 0 1 2 5 10]
        [--seeds 0 1 2] [--strokes LENGTH] [--out DIR]

Hints are sampled from each test target with a fixed seed: the model's own
training sampler (e.g. dots of 1-3 px, mostly on coloured pixels), or with
--strokes LENGTH straight strokes of up to LENGTH px that stay inside one colour,
as a user paints them. Reported per hint count, as mean ± spread (the sample
standard deviation over checkpoints x seeds; 0 for a single run):
- hint error: mean absolute difference in [0, 1] RGB between output and target
  over the hinted pixels, with the hints and without them (the same pixels);
- region error: the same over the whole ground-truth region each hint falls in
  (its connected area of the hint's colour), so a hint that colours only its own
  pixels scores badly;
- PSNR over the whole image, with the hints (0 hints: the model without any).

It also draws hints_grid.png (the first checkpoint, the first seed): --grid test images
spread over the split, one per row; the target, then for each hint count the sketch with
the hints painted on and the model's output.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sketchgen.tools import add_ema_option

KEYS = ('hint_error', 'hint_error_without', 'region_error', 'region_error_without', 'psnr')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Measure the effect of colour hints.')
    p.add_argument('config', help="config file, or '-' for the one inside the checkpoint")
    p.add_argument('checkpoints', nargs='+', metavar='checkpoint',
                   help='one or more checkpoints of the same config (e.g. training seeds)')
    p.add_argument('--hints', type=int, nargs='+', default=[0, 1, 2, 5, 10],
                   help='hints per image (one study row each)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0],
                   help='hint-sampling seeds; every checkpoint is measured with each')
    p.add_argument('--strokes', type=int, default=0, metavar='LENGTH',
                   help='sample strokes of up to LENGTH px instead of the training dots')
    p.add_argument('--num-samples', type=int)
    p.add_argument('--grid', type=int, default=6, metavar='ROWS',
                   help='test images in hints_grid.png (0: no grid)')
    p.add_argument('--out', help='folder for hints_study.json/.md (default: beside the '
                   'first checkpoint)')
    add_ema_option(p)
    p.add_argument('--device', default=None)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import numpy as np
    import torch

    from sketchgen.apis import init_model
    from sketchgen.checkpoint import weights_path
    from sketchgen.models.hints import ColourHintSampler

    if min(args.hints) < 0:
        raise SystemExit(f'--hints {args.hints}: counts must be >= 0')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.grid < 0:
        raise SystemExit(f'--grid {args.grid}: give 0 (no grid) or more rows')
    out = Path(args.out) if args.out else \
        weights_path(args.checkpoints[0]).parent / 'hints_study'
    out.mkdir(parents=True, exist_ok=True)
    runs = []   # one entry per (checkpoint, seed): {count: {key: value}}
    for checkpoint in args.checkpoints:
        model = init_model(None if args.config == '-' else args.config, checkpoint,
                           device=device, ema=not args.no_ema)
        if model.hint_sampler is None:
            raise SystemExit(f'{checkpoint}: this model was trained without colour hints.')
        sampler = model.hint_sampler
        if args.strokes:
            sampler = ColourHintSampler(max_hints=max(args.hints), max_size=sampler.max_size,
                                        coloured_bias=sampler.coloured_bias,
                                        stroke_length=args.strokes)
        if args.grid and not runs:
            write_grid(model, sampler, args.hints, args.seeds[0], args.grid,
                       out / 'hints_grid.png', device)
        for seed in args.seeds:
            runs.append(dict(checkpoint=str(checkpoint), seed=seed, generator='ema' if getattr(
                                 model, 'generator_ema', None) is not None else 'online',
                             rows=measure(model, sampler, args.hints, seed, args.num_samples,
                                          device)))
    rows = []
    for count in args.hints:
        row = dict(hints_per_image=count, images=runs[0]['rows'][count]['images'],
                   hinted_pixels=runs[0]['rows'][count]['hinted_pixels'], runs=len(runs))
        for key in KEYS:
            values = [run['rows'][count][key] for run in runs
                      if run['rows'][count][key] is not None]
            row[key] = float(np.mean(values)) if values else None
            row[f'{key}_spread'] = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        rows.append(row)
    (out / 'hints_study.json').write_text(json.dumps(
        dict(checkpoints=[str(c) for c in args.checkpoints], seeds=args.seeds,
             strokes=args.strokes, rows=rows, runs=runs), indent=2))
    table = format_table(rows)
    kind = f'strokes of up to {args.strokes} px' if args.strokes else \
        "the model's own training sampler"
    (out / 'hints_study.md').write_text(
        f'Colour hints ({kind}) on the test split: {len(args.checkpoints)} checkpoint(s) x '
        f'seeds {args.seeds}; mean ± sample std over those runs.\n\n{table}\n')
    print(table)
    return 0


def measure(model, sampler, counts, seed, num_samples, device) -> dict:
    """{count: errors, PSNR and counts} of one model with hints drawn by `seed`."""
    import torch

    from sketchgen.data.loader import build_dataloader
    from sketchgen.evaluation.colour import hint_regions

    loader = build_dataloader(model.cfg, 'test')
    results = {}
    for count in counts:
        generator = torch.Generator().manual_seed(seed)
        sums = dict.fromkeys(('hint', 'hint_without', 'region', 'region_without', 'psnr',
                              'pixels', 'region_pixels'), 0.0)
        seen = 0
        for batch in loader:
            source, target = batch['source'].to(device), batch['target'].to(device)
            if num_samples is not None:
                source, target = source[:num_samples - seen], target[:num_samples - seen]
                if not len(source):
                    break
            hints = sampler(target.cpu(), count=count, generator=generator)
            truth = (target + 1) / 2
            mask = hints[:, 3:].to(device)
            region = hint_regions(truth, hints).to(device)
            outputs = {'': model.generate(source, hints.to(device) if count else None)}
            if count:
                outputs['_without'] = model.generate(source, None)
            for suffix, out in outputs.items():
                error = ((out.clamp(-1, 1) + 1) / 2 - truth).abs().mean(1, keepdim=True)
                sums[f'hint{suffix}'] += float((error * mask).sum())
                sums[f'region{suffix}'] += float((error * region).sum())
            mse = (((outputs[''].clamp(-1, 1) + 1) / 2 - truth) ** 2).flatten(1).mean(1)
            sums['psnr'] += float((10 * torch.log10(1 / mse.clamp_min(1e-10))).sum())
            sums['pixels'] += float(mask.sum())
            sums['region_pixels'] += float(region.sum())
            seen += len(source)

        def per_pixel(key, pixels):
            return sums[key] / sums[pixels] if count and sums[pixels] else None
        results[count] = dict(
            images=seen, hinted_pixels=int(sums['pixels']),
            region_pixels=int(sums['region_pixels']),
            hint_error=per_pixel('hint', 'pixels'),
            hint_error_without=per_pixel('hint_without', 'pixels'),
            region_error=per_pixel('region', 'region_pixels'),
            region_error_without=per_pixel('region_without', 'region_pixels'),
            psnr=sums['psnr'] / seen)
    return results


def write_grid(model, sampler, counts, seed, num_rows, path, device) -> None:
    """Rows of test images: the target, then per hint count the hinted sketch and the
    output (hints drawn with `seed`, as in the study)."""
    import torch
    from torchvision.utils import save_image

    from sketchgen.data.loader import build_dataset

    dataset = build_dataset(model.cfg, 'test')
    picks = torch.linspace(0, len(dataset) - 1, min(num_rows, len(dataset))).round().long()
    samples = [dataset[i] for i in picks.tolist()]
    source = torch.stack([s['source'] for s in samples])
    target = torch.stack([s['target'] for s in samples])
    columns = [target]
    for count in counts:
        hints = sampler(target, count=count, generator=torch.Generator().manual_seed(seed))
        mask = hints[:, 3:]
        columns.append(source * (1 - mask) + hints[:, :3] * mask)
        output = model.generate(source.to(device), hints.to(device) if count else None)
        columns.append(output.float().cpu())
    tiles = torch.stack(columns, 1).flatten(0, 1)
    save_image((tiles.clamp(-1, 1) + 1) / 2, path, nrow=len(columns), padding=2, pad_value=1.0)
    print(f'Wrote {path}: {len(samples)} test images; target, then hinted sketch and output '
          f'for {list(counts)} hints')


def format_table(rows) -> str:
    def cell(row, key, digits):
        if row[key] is None:
            return '—'
        return f'{row[key]:.{digits}f} ± {row[f"{key}_spread"]:.{digits}f}'
    lines = ['| hints / image | images | hinted px | hint error, with hints | without | '
             'region error, with hints | without | PSNR (dB) |', '|' + ' --- |' * 8]
    lines += [f'| {r["hints_per_image"]} | {r["images"]} | {r["hinted_pixels"]} | '
              f'{cell(r, "hint_error", 4)} | {cell(r, "hint_error_without", 4)} | '
              f'{cell(r, "region_error", 4)} | {cell(r, "region_error_without", 4)} | '
              f'{cell(r, "psnr", 2)} |' for r in rows]
    return '\n'.join(lines)


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('hints_study'))
