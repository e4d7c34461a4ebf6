"""The RoI-GAN thesis' Table 4.2 protocol, and what it could only show in pictures.

    python tools/roi_eval.py --model roigan=CKPT --model telea --model navier_stokes
                             --model pix2pix=CKPT [--data CONFIG] [--families ellipse
                             rectangle mixture] [--num-samples N] [--samples 3] --out DIR

Every model inpaints the test split of the data config (default: the first
checkpoint's own), once per RoI family, with fixed masks (sample i of family F always
has the same mask). Per family and model:
- FID-EffLite0 and KID-EffLite0 of the composites against the real test images
  (--metrics FID KID ... for Inception-v3 when its weights are present);
- PSNR and SSIM inside the region, and the fraction of unchanged pixels outside it;
- border artefacts: mean gradient magnitude on the region's border over the mean
  inside it, over the whole set (the real images' ratio is the reference);
- diversity: mean pairwise |a − b| inside the region over --samples seeds.
Also examples_<family>.png: the first 8 test images, blanked | each model | real.
For models with control codes (RoI-GAN), on the first family: the change inside the
region per unit of each slider, and how well Q recovers each code from the output
(Pearson r of the continuous codes, accuracy of the discrete ones; chance: 0 and
1 / values).
A MODEL is NAME=CHECKPOINT, or `telea` / `navier_stokes` (OpenCV).
"""
from __future__ import annotations

import argparse
import json
import sys
from itertools import combinations
from pathlib import Path

FAMILIES = {'ellipse': 'EllipseRoISampler', 'rectangle': 'RectangleRoISampler',
            'mixture': 'GaussianMixtureRoISampler', 'brush': 'FreeFormRoISampler'}
OPENCV = ('telea', 'navier_stokes')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Evaluate inpainting models on fixed RoIs.')
    p.add_argument('--model', action='append', required=True,
                   metavar='NAME=CKPT|telea|navier_stokes')
    p.add_argument('--data', help='config whose test_dataloader is a RoIMaskDataset')
    p.add_argument('--families', nargs='+', default=['ellipse', 'rectangle', 'mixture'],
                   choices=sorted(FAMILIES))
    p.add_argument('--num-samples', type=int, help='only the first N test images')
    p.add_argument('--samples', type=int, default=3, help='seeds per image for diversity')
    p.add_argument('--metrics', nargs='*', default=['FID-EffLite0', 'KID-EffLite0'],
                   help='distribution metrics of the composites (FID, KID need Inception-v3 '
                        'weights); none: only the per-image scores')
    p.add_argument('--out', required=True, help='folder for roi_eval.json/.md')
    p.add_argument('--trust-imports', action='store_true')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def load_models(specs, device, trust_imports):
    from sketchgen.apis import init_model
    from sketchgen.registry import MODELS
    models = {}
    for spec in specs:
        name, sep, path = spec.partition('=')
        if not sep and spec in OPENCV:
            models[spec] = MODELS.build(dict(type='OpenCVInpainting', method=spec))
            continue
        if not sep or not name or not path:
            raise SystemExit(f'--model {spec}: write NAME=CHECKPOINT, or telea / navier_stokes')
        if name in models:
            raise SystemExit(f'--model {spec}: the name {name!r} is given twice')
        model = init_model(path, device=device, trust_imports=trust_imports)
        if not hasattr(model, 'inpaint'):
            raise SystemExit(f'--model {spec}: {type(model).__name__} does not inpaint')
        models[name] = model
    return models


def family_loader(cfg, family: str, limit: int | None):
    import copy

    from torch.utils.data import DataLoader, Subset

    from sketchgen.data.loader import build_dataset, collate
    cfg = copy.deepcopy(cfg)
    dataset_cfg = cfg.test_dataloader.dataset
    if dataset_cfg.get('type') != 'RoIMaskDataset':
        raise SystemExit('--data: its test_dataloader.dataset must be a RoIMaskDataset, got '
                         f'type={dataset_cfg.get("type")!r}')
    dataset_cfg.sampler = dict(type=FAMILIES[family])
    dataset_cfg.fixed_masks = True
    data = build_dataset(cfg, 'test')
    if limit:
        data = Subset(data, range(min(limit, len(data))))
    return DataLoader(data, batch_size=32, shuffle=False, collate_fn=collate)


def evaluate_family(model, loader, samples, metrics, device):
    import torch

    from sketchgen.evaluation.inpainting import (border_gradients, psnr_inside, ssim_inside,
                                                 unchanged_outside)
    for metric in metrics:
        metric.reset()
    sums = dict(psnr_inside=[], ssim_inside=[], unchanged_outside=[], diversity=[])
    border = dict(border=[], inside=[], border_real=[], inside_real=[])
    for batch in loader:
        source, mask = batch['source'].to(device), batch['mask'].to(device)
        real = (batch['target'].float() + 1) / 2
        outputs = [((model.generate(source, mask=mask, seed=k).float().cpu().clamp(-1, 1) + 1)
                    / 2) for k in range(samples)]
        pred, m = outputs[0], batch['mask'].float()
        for metric in metrics:
            metric.process(pred, real)
        sums['psnr_inside'].append(psnr_inside(pred, real, m))
        sums['ssim_inside'].append(ssim_inside(pred, real, m))
        sums['unchanged_outside'].append(unchanged_outside(pred, real, m))
        for image, suffix in ((pred, ''), (real, '_real')):
            on_border, inside_region = border_gradients(image, m)
            border['border' + suffix].append(on_border)
            border['inside' + suffix].append(inside_region)
        inside = m.expand_as(pred).bool()
        pairs = [(a - b).abs()[inside].mean() for a, b in combinations(outputs, 2)]
        sums['diversity'].append(torch.stack(pairs).mean().expand(len(pred)))
    result = {}
    for metric in metrics:
        result.update(metric.compute())
    for key, values in sums.items():
        values = torch.cat(values)
        result[key] = float(values[~values.isnan()].mean())
    border = {k: torch.cat(v) for k, v in border.items()}
    for suffix in ('', '_real'):
        valid = ~(border['border' + suffix].isnan() | border['inside' + suffix].isnan())
        result['border_ratio' + suffix] = float(border['border' + suffix][valid].mean()
                                                / border['inside' + suffix][valid].mean())
    result['images'] = sum(len(b) for b in sums['psnr_inside'])
    return result


def save_examples(models, loader, path: Path, device, n: int = 8) -> None:
    """A grid: one row per test image, columns = blanked input | each model | real."""
    import torch
    from torchvision.utils import save_image
    batch = next(iter(loader))
    source, mask = batch['source'][:n].to(device), batch['mask'][:n].to(device)
    columns = [source.float().cpu()]
    columns += [model.generate(source, mask=mask, seed=0).float().cpu()
                for model in models.values()]
    columns.append(batch['target'][:n].float())
    grid = torch.stack(columns, 1).flatten(0, 1)
    save_image((grid.clamp(-1, 1) + 1) / 2, path, nrow=len(columns), padding=1, pad_value=1.0)


def controllability(model, loader, device, seed=0):
    """Change per unit of each slider, and Q's recovery of the codes."""
    import torch

    from sketchgen.evaluation.inpainting import control_sensitivity
    net = model.inference_generator
    batch = next(iter(loader))
    source, mask = batch['source'].to(device), batch['mask'].to(device)
    sensitivity = control_sensitivity(model, source, mask, seed)
    generator = torch.Generator().manual_seed(seed)
    controls = torch.rand(len(source), net.continuous_codes, generator=generator) * 2 - 1
    discrete = torch.randint(0, net.discrete_values, (len(source), net.discrete_codes),
                             generator=generator)
    composite = model.generate(source, mask=mask, controls=controls, discrete=discrete,
                               seed=seed)
    with torch.no_grad(), model.test_mode_of(model.discriminator), \
            model.test_mode_of(model.q_head):
        _, features = model.discriminator(composite, mask)
        mu, _, logits = model.q_head(features[-1])
    mu, logits = mu.float().cpu(), logits.float().cpu()
    correlation = [float(torch.corrcoef(torch.stack([controls[:, i], mu[:, i]]))[0, 1])
                   for i in range(net.continuous_codes)]
    accuracy = [float((logits[:, j].argmax(-1) == discrete[:, j]).float().mean())
                for j in range(net.discrete_codes)]
    return dict(images=len(source), change_inside_per_unit=sensitivity,
                q_correlation_continuous=correlation, q_accuracy_discrete=accuracy,
                chance_accuracy=1 / net.discrete_values)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.samples < 1:
        raise SystemExit(f'--samples {args.samples}: give at least 1')
    from sketchgen.config import load_config
    from sketchgen.evaluation import build_metrics

    models = load_models(args.model, args.device, args.trust_imports)
    if args.data:
        cfg = load_config(args.data)
    else:
        trained = [m for m in models.values() if hasattr(m, 'cfg')]
        if not trained:
            raise SystemExit('--data: the OpenCV models carry no data config; name one')
        cfg = trained[0].cfg
    metrics = build_metrics([dict(type=name) for name in args.metrics])
    results, control = {}, {}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for family in args.families:
        loader = family_loader(cfg, family, args.num_samples)
        save_examples(models, loader, out / f'examples_{family}.png', args.device)
        results[family] = {name: evaluate_family(model, loader, args.samples, metrics,
                                                 args.device)
                           for name, model in models.items()}
        for name, model in models.items():
            if family == args.families[0] and hasattr(model, 'q_head'):
                control[name] = controllability(model, loader, args.device)
    report = dict(families=results, controllability=control, samples=args.samples,
                  models={n: str(s) for n, s in zip(models, args.model)})
    (out / 'roi_eval.json').write_text(json.dumps(report, indent=2))
    columns = [k for k in next(iter(next(iter(results.values())).values()))
               if k not in ('images', 'num_samples')]
    lines = ['| RoI | method | images | ' + ' | '.join(columns) + ' |',
             '|' + ' --- |' * (len(columns) + 3)]
    for family, rows in results.items():
        for name, row in rows.items():
            lines.append(f'| {family} | {name} | {row["images"]} | ' + ' | '.join(
                f'{row[c]:.4g}' for c in columns) + ' |')
    for name, c in control.items():
        lines += ['', f'{name}: change inside the RoI per unit of slider: ' + ', '.join(
            f'{v:.4f}' for v in c['change_inside_per_unit']),
            f'{name}: Q recovers the continuous codes with r = ' + ', '.join(
                f'{v:.2f}' for v in c['q_correlation_continuous'])
            + '; the discrete codes with accuracy ' + ', '.join(
                f'{v:.2f}' for v in c['q_accuracy_discrete'])
            + f' (chance {c["chance_accuracy"]:.2f}) on {c["images"]} images']
    text = '\n'.join(lines) + '\n'
    (out / 'roi_eval.md').write_text(text)
    print(text)
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('roi_eval'))
