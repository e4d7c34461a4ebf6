"""Shared fixtures: a tiny OpenMoji render and tiny configs, so every test runs in
seconds on a 2-core CPU and nothing is downloaded."""
from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import pytest
from mmengine.config import Config

TINY = 32  # smallest size the pix2pix U-Net accepts (5 levels)


@pytest.fixture(scope='session')
def openmoji_cache(tmp_path_factory) -> Path:
    """An evenly spaced 80-emoji OpenMoji render at 32 px, made once per session."""
    from sketchgen.data.openmoji import build_openmoji_pairs
    cache = tmp_path_factory.mktemp('openmoji_cache')
    build_openmoji_pairs(TINY, cache_dir=cache, limit=80, workers=1, verbose=False)
    return cache


@pytest.fixture(scope='session')
def tiny_pairs(openmoji_cache, tmp_path_factory) -> Path:
    """8 real sketch/colour pairs in the two-folder layout: data/train/{A,B}."""
    from sketchgen.data.openmoji import build_openmoji_pairs
    import json
    src = build_openmoji_pairs(TINY, cache_dir=openmoji_cache, limit=80, verbose=False)
    names = json.loads((src / 'index.json').read_text())['splits']['train'][:8]
    root = tmp_path_factory.mktemp('tiny_pairs')
    for split in ('train', 'val'):
        for side, folder in (('A', 'sketch'), ('B', 'target')):
            (root / split / side).mkdir(parents=True)
            for n in names:
                shutil.copy(src / folder / f'{n}.png', root / split / side / f'{n}.png')
    return root


def tiny_config(data_root: Path, **overrides) -> Config:
    """Pix2Pix at 32 px with 8 channels: a few ms per step."""
    dataset = dict(type='PairedImageDataset', data_root=str(data_root), layout='folders',
                   pipeline=[dict(type='RandomFlip', p=0.5), dict(type='ToTensor')])
    cfg = dict(
        model=dict(type='Pix2Pix', image_size=TINY,
                   generator=dict(type='UnetGenerator', image_size=TINY, base_channels=8),
                   discriminator=dict(type='PatchDiscriminator', base_channels=8, n_layers=2)),
        train_dataloader=dict(batch_size=4, num_workers=0, dataset=dict(dataset, split='train')),
        val_dataloader=dict(batch_size=4, dataset=dict(dataset, split='val',
                                                       pipeline=[dict(type='ToTensor')])),
        optim_wrapper=dict(
            generator=dict(optimizer=dict(type='Adam', lr=2e-3, betas=(0.5, 0.999))),
            discriminator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999)))),
        param_scheduler=dict(type='LinearDecay', start_fraction=0.5),
        train_cfg=dict(max_iters=6, val_interval=3),
        default_hooks=dict(
            param_scheduler=dict(type='ParamSchedulerHook'),
            evaluation=dict(type='EvaluationHook'),
            checkpoint=dict(type='CheckpointHook', interval=3, max_keep=5, save_best='PSNR'),
            visualization=dict(type='VisualizationHook', interval=3, num_samples=2),
            logger=dict(type='LoggerHook', interval=1, progress_bar=False)),
        val_evaluator=[dict(type='PSNR'), dict(type='SSIM')],
        seed=0,
    )
    cfg = Config(cfg)
    cfg.merge_from_dict(overrides)
    return cfg


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No weights anywhere, and any download attempt fails the test."""
    monkeypatch.setenv('SKETCHGEN_WEIGHTS_DIR', str(tmp_path / 'weights'))
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    monkeypatch.setattr(
        'sketchgen.evaluation.feature_networks.CLEANFID_CACHE', str(tmp_path / 'cleanfid'))

    def no_download(*args, **kwargs):
        raise AssertionError('tried to download')
    monkeypatch.setattr(urllib.request, 'urlopen', no_download)
    return tmp_path
