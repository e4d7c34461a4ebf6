"""The one place a config's data sets and loaders are built, for the trainer and
every tool: `build_dataloader(cfg, 'train' | 'val' | 'test')`.

A top-level `data_root` in the config is given to every data set that takes one
(and does not set its own), so `--cfg-options data_root=/my/data` moves them all.
"""
from __future__ import annotations

import inspect
import signal

import torch
from torch.utils.data import DataLoader, Dataset

from sketchgen.config import ConfigError
from sketchgen.data.sampler import ResumableSampler
from sketchgen.registry import DATASETS

SPLITS = ('train', 'val', 'test')


def collate(samples: list[dict]) -> dict:
    batch = {}
    for key in samples[0]:
        values = [s[key] for s in samples]
        batch[key] = torch.stack(values) if isinstance(values[0], torch.Tensor) else values
    return batch


def loader_config(cfg, split: str) -> dict:
    if split not in SPLITS:
        raise ValueError(f'split={split!r} is not one of {SPLITS}')
    loader_cfg = cfg.get(f'{split}_dataloader')
    if not loader_cfg:
        raise ConfigError(f'the config has no {split}_dataloader.')
    if 'dataset' not in loader_cfg:
        raise ConfigError(f'{split}_dataloader has no dataset entry.')
    return loader_cfg


def build_dataset(cfg, split: str, **overrides) -> Dataset:
    """The `split` data set of a config; `overrides` replace keys of its dataset dict."""
    dataset_cfg = dict(loader_config(cfg, split)['dataset'], **overrides)
    defaults = {}
    data_root = cfg.get('data_root')
    if data_root is not None and 'data_root' not in dataset_cfg:
        cls = DATASETS.get(dataset_cfg.get('type', ''))
        if cls is not None and 'data_root' not in inspect.signature(cls).parameters:
            raise ConfigError(f'data_root={data_root!r} is set, but {split}_dataloader.dataset '
                              f'({cls.__name__}) takes no data_root: nothing would read it.')
        defaults['data_root'] = data_root
    return DATASETS.build(dataset_cfg, default_args=defaults or None)


def leave_stops_to_the_main_process(worker_id: int) -> None:
    """Loader workers ignore SIGINT and SIGTERM. Ctrl-C in a terminal, or a scheduler's
    SIGTERM to the process group, reaches the workers as well as the trainer. The trainer
    stops at the next iteration boundary and saves; a worker that died at once would
    make the loader raise before that. Workers still exit when the loader closes, or
    when the main process dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def build_dataloader(cfg, split: str, dataset: Dataset | None = None, *, seed: int = 0,
                     start_iteration: int = 0, rank: int = 0, world_size: int = 1,
                     batch_size: int | None = None, pin_memory: bool = False,
                     **dataset_overrides) -> DataLoader:
    """A loader for `split`: for 'train' an endless, seeded sample order that
    continues at `start_iteration` (resume), split over `world_size` ranks; for
    'val'/'test' the data set once, in order. Batch size and workers come from
    the config's `<split>_dataloader` unless given."""
    loader_cfg = loader_config(cfg, split)
    if dataset is None:
        dataset = build_dataset(cfg, split, **dataset_overrides)
    workers = loader_cfg.get('num_workers', 0)
    if split != 'train':
        return DataLoader(dataset, batch_size=batch_size or loader_cfg.get('batch_size', 8),
                          shuffle=False, num_workers=workers, collate_fn=collate,
                          worker_init_fn=leave_stops_to_the_main_process if workers else None)
    batch_size = batch_size or loader_cfg.get('batch_size', 1)
    sampler = ResumableSampler(len(dataset), seed=seed,
                               start=start_iteration * batch_size * world_size,
                               rank=rank, world_size=world_size)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=workers,
                      collate_fn=collate, drop_last=True, persistent_workers=workers > 0,
                      worker_init_fn=leave_stops_to_the_main_process if workers else None,
                      pin_memory=pin_memory,
                      # its own generator: creating the loader must not consume the
                      # global RNG, or a resumed run would drift from an uninterrupted one
                      generator=torch.Generator().manual_seed(seed))
