"""Does a reference image steer SPADE's colours, and how diverse are sampled
colourings? Measured on the test split of a SPADE model with a style encoder.

    python tools/reference_study.py CONFIG CHECKPOINT [--pix2pix CONFIG CHECKPOINT]
                                    [--samples 4] [--num-samples N] [--out DIR]

For every test sketch i three outputs are made: with its own target as the
reference (true), with another test image's target j as the reference (random: a
fixed derangement), and with z sampled (no reference). Inside the filled region of
i (pixels that are neither line in the sketch nor white in the target):
- ΔE (CIE76, Lab) to the target i: the true reference should bring it down;
- colour-histogram distance (total variation, 4 bins per RGB channel) to the
  reference's own filled region: an output made with reference j should be closer
  to j's colours than an output made without it.
The grid (reference_grid.png): the top row holds the references, the left column
the sketches, and each cell the sketch coloured like the reference above it.
Diversity: the mean pairwise distance between `--samples` outputs per sketch (LPIPS
when its AlexNet weights are present, else mean |a - b| in [0, 1] RGB); with
--pix2pix, the same for a Pix2Pix model's dropout noise (dropout on, batch norm in
eval mode).
"""
from __future__ import annotations

import argparse
import json
import sys
from itertools import combinations
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Measure reference guidance and diversity of a '
                                            'SPADE model with a style encoder.')
    p.add_argument('config', help="config file, or '-' for the one inside the checkpoint")
    p.add_argument('checkpoint')
    p.add_argument('--pix2pix', nargs=2, metavar=('CONFIG', 'CHECKPOINT'),
                   help='a Pix2Pix model whose dropout diversity is measured alongside')
    p.add_argument('--samples', type=int, default=4, help='outputs per sketch for diversity')
    p.add_argument('--num-samples', type=int, help='use only the first N test images')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--grid', type=int, nargs=2, default=(6, 4), metavar=('SKETCHES', 'REFS'),
                   help='write reference_grid.png: these many test sketches (rows) coloured '
                        'like these many test references (columns); 0 0 writes none')
    p.add_argument('--out', help='folder for reference_study.json/.md (default: beside the '
                   'checkpoint)')
    p.add_argument('--device', default=None)
    return p.parse_args(argv)


def test_split(model, limit):
    import torch

    from sketchgen.data.loader import build_dataloader
    sources, targets = [], []
    for batch in build_dataloader(model.cfg, 'test'):
        sources.append(batch['source'])
        targets.append(batch['target'])
    source, target = torch.cat(sources), torch.cat(targets)
    return (source[:limit], target[:limit]) if limit else (source, target)


def filled_region(source, target):
    """Pixels that are not line in the sketch and not white in the target."""
    sketch_light = (source.mean(1, keepdim=True) + 1) / 2 > 0.5
    coloured = ((target + 1) / 2).min(1, keepdim=True).values < 0.9
    return (sketch_light & coloured).float()


def pairwise_distance(outputs, lpips_model):
    """Mean distance over pairs of a list of (N, 3, H, W) [0, 1] output batches."""
    import torch
    total, pairs = 0.0, 0
    for a, b in combinations(outputs, 2):
        if lpips_model is not None:
            with torch.no_grad():
                d = lpips_model(a * 2 - 1, b * 2 - 1).flatten(1).mean(1)
        else:
            d = (a - b).abs().flatten(1).mean(1)
        total, pairs = total + float(d.mean()), pairs + 1
    return total / pairs


def dropout_outputs(model, source, samples, seed):
    """Pix2Pix outputs with only the dropout layers in train mode."""
    import torch
    net = model.inference_generator
    outputs = []
    was_training = net.training
    net.eval()
    for module in net.modules():
        if isinstance(module, torch.nn.Dropout):
            module.train()
    try:
        for k in range(samples):
            torch.manual_seed(seed + k)
            with torch.no_grad():
                outputs.append((net(source).float().clamp(-1, 1) + 1) / 2)
    finally:
        net.train(was_training)
    return outputs


def reference_grid(model, sketches, references, seed, device, path):
    """A (1 + rows) x (1 + columns) image grid: references on top, sketches on the left."""
    import torch
    from torchvision.utils import save_image
    blank = torch.ones_like(references[:1])
    cells = [blank, references]
    for sketch in sketches:
        repeated = sketch[None].expand(len(references), -1, -1, -1).to(device)
        coloured = model.generate(repeated, reference=references.to(device), seed=seed)
        cells += [sketch[None].expand(1, 3, -1, -1), coloured.float().cpu()]
    grid = (torch.cat(cells).clamp(-1, 1) + 1) / 2
    save_image(grid, path, nrow=len(references) + 1, padding=2, pad_value=1.0)


def lpips_or_none(device):
    from sketchgen.evaluation import LPIPS, MissingWeightsError
    try:
        return LPIPS(device=device).model, 'LPIPS (AlexNet)'
    except MissingWeightsError:
        return None, 'mean |a - b| in [0, 1] RGB (no LPIPS weights here)'


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from sketchgen.apis import init_model
    from sketchgen.checkpoint import weights_path
    from sketchgen.evaluation.colour import colour_histogram, delta_e, histogram_distance

    if args.samples < 2:
        raise SystemExit(f'--samples {args.samples}: diversity needs at least 2')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = init_model(None if args.config == '-' else args.config, args.checkpoint,
                       device=device)
    if getattr(model, 'encoder', None) is None:
        raise SystemExit(f'{args.checkpoint}: not a SPADE model with a style encoder.')
    source, target = test_split(model, args.num_samples)
    n = len(source)
    if n < 2:
        raise SystemExit('the study needs at least 2 test images')
    shift = int(torch.randint(1, n, (1,), generator=torch.Generator().manual_seed(args.seed)))
    other = (torch.arange(n) + shift) % n  # every image gets another image's target
    mask = filled_region(source, target)
    lpips_model, distance_name = lpips_or_none(device)
    sums = dict(de_true=0.0, de_random=0.0, de_sampled=0.0, hist_true=0.0, hist_random=0.0,
                hist_sampled=0.0)
    diversity_chunks = []
    for start in range(0, n, 32):
        part = slice(start, min(start + 32, n))
        s, t, t_other = source[part], target[part], target[other[part]]
        m, m_other = mask[part], mask[other[part]]
        truth, ref_other = (t + 1) / 2, (t_other + 1) / 2

        def colour(**kw):
            return (model.generate(s.to(device), seed=args.seed, **kw).float().cpu()
                    .clamp(-1, 1) + 1) / 2

        outputs = dict(true=colour(reference=t.to(device)),
                       random=colour(reference=t_other.to(device)), sampled=colour())
        hist_true_ref = colour_histogram(truth, m)
        hist_other_ref = colour_histogram(ref_other, m_other)
        for key, out in outputs.items():
            sums[f'de_{key}'] += float(torch.nan_to_num(delta_e(out, truth, m)).sum())
            reference_hist = hist_true_ref if key == 'true' else hist_other_ref
            sums[f'hist_{key}'] += float(histogram_distance(colour_histogram(out, m),
                                                            reference_hist).sum())
        samples = [(model.generate(s.to(device), seed=args.seed + 100 + k).float().cpu()
                    .clamp(-1, 1) + 1) / 2 for k in range(args.samples)]
        diversity_chunks.append((len(s), pairwise_distance(samples, lpips_model)))
    result = dict(
        checkpoint=str(args.checkpoint), images=n, seed=args.seed, distance=distance_name,
        delta_e_to_target={k: sums[f'de_{k}'] / n for k in ('true', 'random', 'sampled')},
        histogram_distance_to_reference=dict(
            true_reference=sums['hist_true'] / n, random_reference=sums['hist_random'] / n,
            sampled_vs_random_reference=sums['hist_sampled'] / n),
        diversity_spade=sum(w * d for w, d in diversity_chunks) / n,
        samples_per_sketch=args.samples)
    if args.pix2pix:
        pix2pix = init_model(args.pix2pix[0] if args.pix2pix[0] != '-' else None,
                             args.pix2pix[1], device=device)
        p_source, _ = test_split(pix2pix, args.num_samples)
        chunks = []
        for start in range(0, len(p_source), 32):
            s = p_source[start:start + 32].to(device)
            chunks.append((len(s), pairwise_distance(
                [o.cpu() for o in dropout_outputs(pix2pix, s, args.samples, args.seed)],
                lpips_model)))
        result['diversity_pix2pix_dropout'] = sum(w * d for w, d in chunks) / len(p_source)
        result['pix2pix_checkpoint'] = str(args.pix2pix[1])
    out = Path(args.out) if args.out else weights_path(args.checkpoint).parent / 'reference'
    out.mkdir(parents=True, exist_ok=True)
    rows, columns = args.grid
    if rows and columns:
        reference_grid(model, source[:rows], target[-columns:], args.seed, device,
                       out / 'reference_grid.png')
    (out / 'reference_study.json').write_text(json.dumps(result, indent=2))
    de, hist = result['delta_e_to_target'], result['histogram_distance_to_reference']
    lines = [f'Reference guidance on {n} test images of `{args.checkpoint}` (seed {args.seed})',
             '', '| z from | ΔE to the target (filled region) | colour-histogram distance to '
             'the reference |', '| --- | --- | --- |',
             f'| the true reference (its own target) | {de["true"]:.2f} | '
             f'{hist["true_reference"]:.3f} |',
             f'| a random test image | {de["random"]:.2f} | {hist["random_reference"]:.3f} |',
             f'| sampled N(0, I) | {de["sampled"]:.2f} | '
             f'{hist["sampled_vs_random_reference"]:.3f} (to the random reference) |', '',
             f'Diversity ({args.samples} outputs per sketch, {distance_name}): SPADE sampled z '
             f'{result["diversity_spade"]:.4f}']
    if args.pix2pix:
        lines[-1] += f'; Pix2Pix dropout {result["diversity_pix2pix_dropout"]:.4f}'
    text = '\n'.join(lines) + '\n'
    (out / 'reference_study.md').write_text(text)
    print(text)
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('reference_study'))
