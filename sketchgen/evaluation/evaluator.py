"""Run a model over a data loader and compute metrics: used by the evaluation
hook during training and by tools/test.py."""
from __future__ import annotations

from pathlib import Path

import torch
from torchvision.utils import save_image

from sketchgen.registry import METRICS


def build_metrics(cfgs: list | dict) -> list:
    cfgs = [cfgs] if isinstance(cfgs, dict) else list(cfgs)
    return [METRICS.build(c) for c in cfgs]


@torch.no_grad()
def evaluate(model, loader, metrics: list, max_samples: int | None = None,
             save_dir: str | Path | None = None) -> dict:
    """Generate for every batch of `loader` and score against the targets.

    Returns {metric name: value, ..., 'num_samples': N}. With `save_dir`, each
    generated image is written as PNG under its sample name.
    """
    for m in metrics:
        m.reset()
    device = model.device
    seen = 0
    for batch in loader:
        source, target = batch['source'], batch['target']
        if max_samples is not None:
            keep = max_samples - seen
            if keep <= 0:
                break
            source, target = source[:keep], target[:keep]
        fake = model.generate(source.to(device)).float().cpu()
        pred, real = (fake.clamp(-1, 1) + 1) / 2, (target.float() + 1) / 2
        for m in metrics:
            m.process(pred, real)
        if save_dir is not None:
            Path(save_dir).mkdir(parents=True, exist_ok=True)
            for img, name in zip(pred, batch['name']):
                save_image(img, Path(save_dir) / f'{name}.png')
        seen += len(source)
    results = {}
    for m in metrics:
        results.update(m.compute())
    results['num_samples'] = seen
    return results
