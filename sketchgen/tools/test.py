"""Evaluate a checkpoint on the test split.

    python tools/test.py CONFIG CHECKPOINT [--metrics PSNR SSIM ...] [--num-samples N]
                         [--out DIR] [--test-mode eval|train] [--baseline source]

Prints a table and writes DIR/metrics.json (values, sample counts, every metric's
settings with feature-network weight hashes, library versions), DIR/metrics.md,
and the generated and real images (DIR/generated/, DIR/real/) so other tools can
recompute any number.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from sketchgen.tools import add_ema_option, add_model_options


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Evaluate a sketchgen checkpoint on its test split.')
    p.add_argument('config', help="config file, or '-' for the one inside the checkpoint")
    p.add_argument('checkpoint')
    p.add_argument('--metrics', nargs='+', help='metric names (default: the config\'s '
                   'test_evaluator)')
    p.add_argument('--num-samples', type=int, help='evaluate only the first N test images')
    p.add_argument('--out', help='output folder (default: next to the checkpoint)')
    p.add_argument('--test-mode', choices=['eval', 'train'],
                   help="override the model's test_mode: 'train' keeps dropout and batch "
                        "statistics on, the protocol of mmagic's pix2pix zoo numbers")
    p.add_argument('--seed', type=int, default=0,
                   help='seed for train-mode inference (dropout), so reruns agree')
    p.add_argument('--direction', choices=['AtoB', 'BtoA'],
                   help='CycleGAN models: which way to translate (and which test folder '
                        'is the source); default the model\'s own')
    p.add_argument('--baseline', choices=['source'],
                   help="score the source image itself as the output (the do-nothing "
                        "baseline, e.g. the uncoloured sketch) instead of the model's")
    p.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                   help='override config keys, as tools/train.py (e.g. '
                        'model.eval_latent=target); needs a config file, not -')
    add_model_options(p)
    add_ema_option(p)
    p.add_argument('--device', default=None)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    config = None if args.config == '-' else args.config
    if args.cfg_options:
        if config is None:
            raise ValueError("--cfg-options: give the config file, not '-'")
        from sketchgen.config import load_config, parse_overrides
        config = load_config(config, parse_overrides(args.cfg_options))
    report, table = evaluate_checkpoint(
        config, args.checkpoint, args.metrics,
        args.num_samples, args.out, args.device, args.test_mode, args.seed, args.direction,
        args.trust_imports, args.amp, args.channels_last, args.baseline, ema=not args.no_ema,
        winograd_convs=args.winograd_convs)
    out = Path(report['out'])
    print(table)
    print(f'Wrote {out / "metrics.json"}, {out / "metrics.md"}, {out / "grid.png"} (source | '
          f'generated | target of the first test images) and {report["num_samples"]} '
          f'generated and real images in {out / "generated"}, {out / "real"}')
    return 0


def evaluate_checkpoint(config, checkpoint, metric_names=None, num_samples=None, out=None,
                    device=None, test_mode=None, seed=0, direction=None,
                    trust_imports=False, amp='no', channels_last=False,
                    baseline=None, ema=True, winograd_convs=False) -> tuple[dict, str]:
    """Evaluate `checkpoint` on its config's test split; write metrics.json,
    metrics.md and the images under `out`. Returns the report and the table."""
    import torch

    from sketchgen.apis import init_model
    from sketchgen.checkpoint import weights_path
    from sketchgen.data.loader import build_dataloader
    from torchvision.utils import save_image

    from sketchgen.evaluation import build_metrics, evaluate, sample_grid
    from sketchgen.evaluation.evaluator import SourceAsOutput

    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if num_samples is not None and num_samples < 1:
        raise ValueError(f'--num-samples {num_samples}: evaluate at least one image.')
    model = init_model(config, checkpoint, device=device, trust_imports=trust_imports, amp=amp,
                       channels_last=channels_last, ema=ema, winograd_convs=winograd_convs)
    if test_mode:
        model.test_mode = test_mode
    torch.manual_seed(seed)
    cfg = model.cfg
    overrides = {}
    if direction:
        if not hasattr(model, 'direction'):
            raise SystemExit(f'--direction: {type(model).__name__} translates one way only')
        model.direction = overrides['direction'] = direction
    loader = build_dataloader(cfg, 'test', **overrides)
    metric_cfgs = ([dict(type=m) for m in metric_names] if metric_names
                   else cfg.get('test_evaluator') or [dict(type='PSNR'), dict(type='SSIM')])
    metrics = build_metrics(metric_cfgs)
    out = Path(out) if out else weights_path(checkpoint).parent / (
        (f'test-{direction}' if direction else 'test') +
        (f'-baseline-{baseline}' if baseline else ''))
    scored = SourceAsOutput(model) if baseline == 'source' else model
    results = evaluate(scored, loader, metrics, num_samples, save_dir=out)
    out.mkdir(parents=True, exist_ok=True)
    save_image(sample_grid(scored, next(iter(loader))), out / 'grid.png')

    n = results['num_samples']
    report = dict(
        checkpoint=str(checkpoint), config=getattr(config, 'filename', config), split='test',
        baseline=baseline, num_samples=n, out=str(out),
        metrics={k: v for k, v in results.items() if k != 'num_samples'},
        settings=dict(metrics={m.name: dict(m.settings(), num_samples=m.num_samples)
                               for m in metrics},
                      test_mode=model.test_mode, seed=seed, image_size=model.image_size,
                      generator='ema' if getattr(model, 'generator_ema', None) is not None
                      else 'online',
                      amp=amp, channels_last=channels_last, winograd_convs=winograd_convs,
                      direction=getattr(model, 'direction', None),
                      images='generated and real test images as 8-bit PNG in '
                             f'{out / "generated"} and {out / "real"}'),
        versions=library_versions())
    out.mkdir(parents=True, exist_ok=True)
    (out / 'metrics.json').write_text(json.dumps(report, indent=2))
    rows = [f'| {m.name} | {results[m.name]:.5g} | {m.better} | {m.num_samples} |'
            for m in metrics]
    table = '\n'.join(['| metric | value | better | images |', '| --- | --- | --- | --- |',
                       *rows])
    what = f'the source images as output (baseline), the data of `{checkpoint}`' \
        if baseline else f'`{checkpoint}`'
    (out / 'metrics.md').write_text(
        f'Test split of {what} ({n} images, test_mode={model.test_mode!r})'
        f'\n\n{table}\n')
    return report, table


def library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    import sketchgen
    versions = dict(python=platform.python_version(), sketchgen=sketchgen.__version__)
    for package in ('torch', 'torchvision', 'clean-fid', 'lpips', 'timm',
                    'numpy', 'scipy', 'pillow'):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('test'))
