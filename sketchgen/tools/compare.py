"""Train (if needed) and evaluate several configs, and write one comparison.

    python tools/compare.py CONFIG [CONFIG ...] --out docs/results/NAME.md
                            [--work-root work_dirs] [--num-images 8] [--no-train]

Each config trains into WORK_ROOT/<config name> (resuming an unfinished run,
skipping a finished one), is evaluated on its test split with its
test_evaluator, and contributes a row to the Markdown table and a column to a
side-by-side grid of test images: sketch | each config | target.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train and compare sketchgen configs.')
    p.add_argument('configs', nargs='+')
    p.add_argument('--out', required=True, help='Markdown file to write (the grid goes beside it)')
    p.add_argument('--work-root', default='work_dirs')
    p.add_argument('--num-images', type=int, default=8, help='test images in the grid')
    p.add_argument('--no-train', action='store_true', help='only evaluate finished runs')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from sketchgen.config import load_config
    from sketchgen.engine import Trainer
    from sketchgen.checkpoint import checkpoint_dir, list_checkpoints
    from sketchgen.tools.test import evaluate_checkpoint

    out = Path(args.out)
    rows = []
    for config in args.configs:
        name = Path(config).stem
        cfg = load_config(config)
        work_dir = Path(args.work_root) / name
        max_iters = cfg.train_cfg.max_iters
        finished = [p for i, p in list_checkpoints(checkpoint_dir(work_dir)) if i == max_iters]
        seconds = None
        if not finished:
            if args.no_train:
                raise SystemExit(f'{name}: no finished run in {work_dir} (--no-train given)')
            start = time.perf_counter()
            Trainer(cfg, work_dir=work_dir, run_name=name, seed=args.seed,
                    resume=bool(list_checkpoints(checkpoint_dir(work_dir)))).train()
            seconds = time.perf_counter() - start
            finished = [p for i, p in list_checkpoints(checkpoint_dir(work_dir))
                        if i == max_iters]
        report, _ = evaluate_checkpoint(config, finished[0], out=work_dir / 'test')
        rows.append(dict(name=name, config=config, iterations=max_iters, seconds=seconds,
                         report=report))
        print(f'{name}: ' + ', '.join(f'{k} {v:.4g}' for k, v in report['metrics'].items())
              + f' on {report["num_samples"]} images')
    grid = out.with_suffix('.png')
    write_grid(rows, grid, args.num_images)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(comparison_markdown(rows, grid.name, args))
    out.with_suffix('.json').write_text(json.dumps(rows, indent=2, default=str))
    print(f'Wrote {out}, {grid} and {out.with_suffix(".json")}')
    return 0


def comparison_markdown(rows: list[dict], grid_name: str, args) -> str:
    names = list(rows[0]['report']['metrics'])
    better = {m: s['better'] for m, s in rows[0]['report']['settings']['metrics'].items()}
    header = '| config | ' + ' | '.join(f'{m} ({"↑" if better[m] == "greater" else "↓"})'
                                       for m in names) + ' | images | train time |'
    lines = [header, '|' + ' --- |' * (len(names) + 3)]
    for r in rows:
        values = ' | '.join(f'{r["report"]["metrics"][m]:.4g}' for m in names)
        time_text = f'{r["seconds"] / 60:.1f} min' if r['seconds'] else '(earlier run)'
        lines.append(f'| `{r["name"]}` | {values} | {r["report"]["num_samples"]} | '
                     f'{time_text} |')
    command = 'python tools/compare.py ' + ' '.join(r['config'] for r in rows) + \
        f' --out {args.out}'
    columns = ' | '.join(['sketch', *[f'`{r["name"]}`' for r in rows], 'target'])
    return (f'# Comparison\n\nProduced by\n\n```bash\n{command}\n```\n\n'
            f'Test split, eval-mode inference, {rows[0]["iterations"]} iterations each '
            f'(seed {args.seed}).\n\n' + '\n'.join(lines) +
            f'\n\n![{columns}]({grid_name})\n\nColumns: {columns}.\n')


def write_grid(rows: list[dict], path: Path, num_images: int) -> None:
    """Rows of test images: sketch, each config's output, target (from the saved PNGs)."""
    from PIL import Image

    from sketchgen.config import load_config
    from sketchgen.data.loader import build_dataset
    first = Path(rows[0]['report']['out'])
    names = sorted(p.stem for p in (first / 'generated').iterdir())[:num_images]
    cfg = load_config(rows[0]['config'])
    dataset = build_dataset(cfg, 'test', pipeline=[])
    # Data sets that load a sketch (not those that make it in their pipeline) show it.
    samples = (dataset.load_sample(i) for i in range(len(dataset))) \
        if hasattr(dataset, 'load_sample') else ()
    sketches = {s['name']: s['source'] for s in samples if 'source' in s and s['name'] in names}
    tiles = []
    for name in names:
        row = [sketches.get(name)]
        row += [Image.open(Path(r['report']['out']) / 'generated' / f'{name}.png')
                for r in rows]
        row.append(Image.open(first / 'real' / f'{name}.png'))
        tiles.append(row)
    size = tiles[0][-1].size
    canvas = Image.new('RGB', (size[0] * len(tiles[0]), size[1] * len(tiles)), 'white')
    for y, row in enumerate(tiles):
        for x, tile in enumerate(row):
            if tile is not None:
                canvas.paste(tile.convert('RGB').resize(size), (x * size[0], y * size[1]))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('compare'))
