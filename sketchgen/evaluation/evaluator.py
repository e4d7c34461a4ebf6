"""Run a model over a data loader and compute metrics: used by the evaluation
hook during training and by tools/test.py."""
from __future__ import annotations

from pathlib import Path

import torch
from torchvision.utils import make_grid, save_image

from sketchgen.registry import METRICS


def build_metrics(cfgs: list | dict) -> list:
    cfgs = [cfgs] if isinstance(cfgs, dict) else list(cfgs)
    return [METRICS.build(c) for c in cfgs]


@torch.no_grad()
def evaluate(model, loader, metrics: list, max_samples: int | None = None,
             save_dir: str | Path | None = None) -> dict:
    """Generate for every batch of `loader` and score against the targets.

    Returns {metric name: value, ..., 'num_samples': N}. With `save_dir`, each
    generated image is written as PNG under save_dir/generated and its target
    under save_dir/real, so any other tool (e.g. cleanfid.fid.compute_fid on the
    two folders) can recompute the numbers.
    """
    if max_samples is not None and max_samples < 1:
        raise ValueError(f'max_samples={max_samples}: evaluate at least one image.')
    for m in metrics:
        m.reset()
    seen = 0
    for batch in loader:
        source, target = batch['source'], batch['target']
        if max_samples is not None:
            keep = max_samples - seen
            if keep <= 0:
                break
            source, target = source[:keep], target[:keep]
        fake = model.generate_batch(dict(batch, source=source)).float().cpu()
        pred, real = (fake.clamp(-1, 1) + 1) / 2, (target.float() + 1) / 2
        for m in metrics:
            m.process(pred, real)
        if save_dir is not None:
            for folder, images in (('generated', pred), ('real', real)):
                (Path(save_dir) / folder).mkdir(parents=True, exist_ok=True)
                for img, name in zip(images, batch['name']):
                    save_image(img, Path(save_dir) / folder / f'{name}.png')
        seen += len(source)
    if seen == 0:
        raise ValueError('the evaluation data set is empty: no image to score.')
    results = {}
    for m in metrics:
        results.update(m.compute())
    results['num_samples'] = seen
    return results


class SourceAsOutput:
    """The do-nothing baseline: "generates" the source image itself (grey sketches
    repeated to the target's channels), so a metric can be read against the input."""

    def __init__(self, model):
        self.model = model

    def generate_batch(self, batch: dict) -> torch.Tensor:
        source = batch['source'][:, :batch['target'].shape[1]]
        return source.expand(-1, batch['target'].shape[1], -1, -1)

    def visualise_source(self, source: torch.Tensor) -> torch.Tensor:
        return self.model.visualise_source(source)


def format_results(results: dict) -> str:
    """'on 243 images: PSNR 17.93, SSIM 0.8598, FID-EffLite0 12.3', the one way
    numbers are printed, so no FID appears without its sample count."""
    values = ', '.join(f'{k} {v:.4g}' for k, v in results.items() if k != 'num_samples')
    return f"on {results.get('num_samples', '?')} images: {values}"


@torch.no_grad()
def sample_grid(model, batch: dict, num_samples: int = 8) -> torch.Tensor:
    """A [0, 1] image grid of (source | generated | target) rows for the first
    `num_samples` of `batch`; label maps and masked images are shown as the model
    shows them (`visualise_source`)."""
    batch = {k: v[:num_samples] for k, v in batch.items()}
    source = model.visualise_source(batch['source']).float().cpu()
    fake = model.generate_batch(batch).float().cpu()
    rows = torch.stack([source, fake, batch['target'].float().cpu()], dim=1).flatten(0, 1)
    return make_grid((rows.clamp(-1, 1) + 1) / 2, nrow=3, padding=2, pad_value=1.0)
