"""Loading configs: mmengine `Config` files with `_base_` inheritance and
`custom_imports`, checked for misspelt top-level keys."""
from __future__ import annotations

import difflib
from pathlib import Path

from mmengine.config import Config

KNOWN_KEYS = ('model', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'optim_wrapper',
              'param_scheduler', 'train_cfg', 'default_hooks', 'custom_hooks', 'val_evaluator',
              'test_evaluator', 'work_dir', 'seed', 'custom_imports', 'amp')
REQUIRED_KEYS = ('model',)


class ConfigError(ValueError):
    pass


def load_config(path: str | Path, options: dict | None = None) -> Config:
    """Read a config file, apply `--cfg-options` style overrides, and check it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: config file not found.')
    cfg = Config.fromfile(str(path))  # imports custom_imports' modules
    if options:
        cfg.merge_from_dict(options)
    check_config(cfg, str(path))
    return cfg


def check_config(cfg: Config, source: str = 'config') -> None:
    for key in REQUIRED_KEYS:
        if key not in cfg:
            raise ConfigError(f'{source}: the config has no {key!r} entry.')
    for key in cfg.keys():
        if key in KNOWN_KEYS or key.startswith('_'):
            continue
        # Helper variables (data_root = ..., image_size = ...) are normal in configs;
        # a key that looks like a misspelt known key is not.
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.8)
        if close:
            raise ConfigError(f'{source}: unknown top-level key {key!r}; did you mean '
                              f'{close[0]!r}?')
