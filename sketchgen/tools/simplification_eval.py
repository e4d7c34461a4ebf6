"""Score sketch simplification on the held-out split against two classical
baselines, and draw an example grid.

    python tools/simplification_eval.py [--checkpoint CKPT] [--config CONFIG]
                                        [--split test] [--out DIR] [--grid 8]

Rows: the rough input itself; the classical baseline (ink threshold at 0.5, then
morphological thinning to 1-pixel lines, skimage's `thin`); the same threshold
without thinning; the model (default: the built-in one) at scale 1 and 0.5.
Metrics: PSNR and SSIM against the clean target, and LinePrecision/Recall/F1
with line pixels matched within 1 px and within 2 px (see `LineF1`). The data are the config's test
set (default: the built-in model's, OpenMoji line art at 128 px, each drawing
roughened with a fixed seed). Writes DIR/metrics.json and DIR/grid.png and
prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Evaluate sketch simplification and baselines.')
    p.add_argument('--checkpoint', help='simplification checkpoint (default: built-in model)')
    p.add_argument('--config', help="config whose test set is used (default: the checkpoint's)")
    p.add_argument('--split', default='test', choices=['val', 'test'])
    p.add_argument('--out', default='work_dirs/simplification_eval', help='output folder')
    p.add_argument('--grid', type=int, default=8, help='examples in the grid (0: none)')
    p.add_argument('--limit', type=int, help='evaluate only the first N images')
    p.add_argument('--device', default=None)
    return p.parse_args(argv)


def threshold(rough, level: float = 0.5):
    return (rough >= level).float()


def threshold_and_thin(rough, level: float = 0.5):
    """The classical baseline: binarise, then thin every stroke to 1 px."""
    import numpy as np
    import torch
    from skimage.morphology import thin
    ink = (rough < level).cpu().numpy()
    lines = np.array([[~thin(channel) for channel in image] for image in ink], np.float32)
    return torch.from_numpy(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    from torch.utils.data import Subset
    from torchvision.utils import make_grid, save_image

    from sketchgen.apis import default_simplification_model, init_model
    from sketchgen.config import load_config
    from sketchgen.data.loader import build_dataloader, build_dataset
    from sketchgen.evaluation import SSIM, PSNR, LineF1

    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = (init_model(checkpoint=args.checkpoint, device=device) if args.checkpoint
             else default_simplification_model(device))
    cfg = load_config(args.config) if args.config else model.cfg
    dataset = build_dataset(cfg, args.split)
    if args.limit:
        dataset = Subset(dataset, range(min(args.limit, len(dataset))))
    loader = build_dataloader(cfg, args.split, dataset)

    methods = {
        'rough input': lambda rough: rough,
        'threshold 0.5': threshold,
        'threshold + thinning': threshold_and_thin,
        'model, scale 1': lambda rough: _run(model, rough, 1.0),
        'model, scale 0.5': lambda rough: _run(model, rough, 0.5),
    }
    tolerances = (1, 2)
    metrics = {name: [PSNR(), SSIM(), *(LineF1(tolerance=t) for t in tolerances)]
               for name in methods}
    examples = {name: [] for name in methods}
    examples['clean target'] = []
    for batch in loader:
        rough, clean = (batch['source'] + 1) / 2, (batch['target'] + 1) / 2
        for name, method in methods.items():
            out = method(rough).float().cpu().clamp(0, 1)
            for m in metrics[name]:
                m.process(out, clean)
            examples[name].append(out)
        examples['clean target'].append(clean)
    results = {}
    for name, ms in metrics.items():
        results[name] = {k if m.name != 'LineF1' else f'{k}@{m.tolerance:g}px': v
                         for m in ms for k, v in m.compute().items()}
    results_meta = dict(split=args.split, num_samples=len(dataset), results=results,
                        checkpoint=str(args.checkpoint or 'built-in'),
                        metrics=[m.settings() for m in metrics['rough input']])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'metrics.json').write_text(json.dumps(results_meta, indent=2))
    if args.grid:
        picks = torch.linspace(0, len(dataset) - 1, min(args.grid, len(dataset))).long()
        columns = [torch.cat(examples[n])[picks] for n in examples]
        rows = torch.stack(columns, 1).flatten(0, 1)
        save_image(make_grid(rows, nrow=len(columns), padding=2, pad_value=0.5),
                   out / 'grid.png')
    print(f'{args.split} split, {len(dataset)} drawings; columns of the grid: '
          + ' | '.join(examples))
    line_columns = [f'{k}@{t}px' for t in tolerances
                    for k in ('LinePrecision', 'LineRecall', 'LineF1')]
    print('| method | PSNR | SSIM | ' + ' | '.join(line_columns) + ' |')
    print('| --- ' * (3 + len(line_columns)) + '|')
    for name, r in results.items():
        print(f"| {name} | {r['PSNR']:.2f} | {r['SSIM']:.4f} | "
              + ' | '.join(f'{r[c]:.3f}' for c in line_columns) + ' |')
    print(f'Wrote {out / "metrics.json"}' + (f' and {out / "grid.png"}' if args.grid else ''))
    return 0


def _run(model, rough, scale: float):
    """The model on a [0, 1] batch, at `scale` and back to the input size."""
    import torch.nn.functional as F
    x = rough.to(model.device)
    size = x.shape[-2:]
    if scale != 1:
        x = F.interpolate(x, scale_factor=scale, mode='area')
    y = (model.generate(x * 2 - 1) + 1) / 2
    if scale != 1:
        y = F.interpolate(y, size=size, mode='bicubic', align_corners=False)
    return y


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('simplification_eval'))
