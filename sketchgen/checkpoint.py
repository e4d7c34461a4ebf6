"""Checkpoints: one folder per save, written so that a kill never corrupts one.

    work_dir/checkpoints/iter_000200/
        model.safetensors     every network's weights; the config (as JSON
                              data, never code) and the iteration travel in its
                              metadata, so the file alone rebuilds the model
                              (`init_model(path)`)
        training_state.pt     optimisers, schedulers, AMP scaler, RNG states,
                              iteration (loaded with weights_only=True)

A checkpoint is written into a temporary folder and renamed into place (atomic
on POSIX), so `iter_*` folders are always complete; resume picks the newest that
loads. Weights that are not finite are never written.

This module needs neither the trainer nor accelerate: inference loads through it.
"""
from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

import sketchgen
from sketchgen.config import (SCOPE_PREFIX, ConfigError, config_from_json,
                              config_from_python_text, config_to_json, resolve_config_path)

WEIGHTS_FILE = 'model.safetensors'
STATE_FILE = 'training_state.pt'
CKPT_PATTERN = re.compile(r'^iter_(\d+)$')


class CheckpointMismatchError(RuntimeError):
    """The checkpoint's weights do not fit the model they are loaded into."""


class CheckpointError(RuntimeError):
    """A checkpoint cannot be written or read; the message names the file and why."""


class NonFiniteWeightsError(CheckpointError):
    """The model holds NaN or infinite weights, which are never saved."""


def non_finite_tensors(state: dict) -> list[str]:
    return [k for k, v in state.items()
            if v.is_floating_point() and not bool(torch.isfinite(v).all())]


def save_checkpoint(folder: Path, model: nn.Module, config, iteration: int,
                    training_state: dict | None = None) -> Path:
    """Write `folder` atomically: everything lands in a temporary sibling first.

    `config` is the run's Config (or dict, or its `config_to_json` text); it is
    stored as JSON data. Raises NonFiniteWeightsError, writing nothing, when a
    weight is NaN or infinite, and CheckpointError naming the folder on a full disk."""
    folder = Path(folder)
    # contiguous clones: safetensors refuses shared or strided storage
    weights = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    bad = non_finite_tensors(weights)
    if bad:
        raise NonFiniteWeightsError(
            f'not saving {folder}: {len(bad)} weight tensors hold NaN or infinite values '
            f'({", ".join(bad[:5])}{" ..." if len(bad) > 5 else ""}).')
    if isinstance(config, str):
        config_from_json(config, str(folder))  # refuse text that would not load back
        config_json = config
    else:
        config_json = config_to_json(config)
    metadata = dict(config_json=config_json, iteration=str(iteration),
                    model_type=type(model).__name__, sketchgen_version=sketchgen.__version__)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{folder.name}.tmp-', dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it owner-only; checkpoints are shareable
    try:
        try:
            save_file(weights, str(tmp / WEIGHTS_FILE), metadata=metadata)
            if training_state is not None:
                torch.save(training_state, tmp / STATE_FILE)
            _fsync_folder(tmp)
        except (OSError, RuntimeError) as err:
            if _disk_full(err, folder.parent):
                raise CheckpointError(f'no space left on {folder.parent}: could not write '
                                      f'checkpoint {folder.name} (nothing was replaced; free '
                                      'some space and resume).') from None
            raise
        if folder.exists():  # re-saving the same name (e.g. "best"): swap the old one out
            old = folder.with_name(f'.{folder.name}.old-{os.getpid()}')
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _disk_full(err: Exception, folder: Path) -> bool:
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    # torch's writer reports a full disk as a RuntimeError without the errno
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def _fsync_folder(folder: Path) -> None:
    for f in folder.iterdir():
        with open(f, 'rb') as fh:
            os.fsync(fh.fileno())


def remove_partial_saves(checkpoint_dir: Path) -> list[Path]:
    """Delete `.NAME.tmp-*` / `.NAME.old-*` folders a killed save left behind."""
    removed = []
    if Path(checkpoint_dir).is_dir():
        for p in Path(checkpoint_dir).iterdir():
            if p.name.startswith('.') and ('.tmp-' in p.name or '.old-' in p.name):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def check_complete(checkpoint: Path, with_state: bool = True) -> None:
    """Raise CheckpointError naming the file when a checkpoint folder cannot be read
    back (truncated or damaged weights, a missing or unreadable training state)."""
    path = Path(checkpoint) / WEIGHTS_FILE
    try:
        with safe_open(str(path), framework='pt') as f:
            for key in f.keys():
                f.get_slice(key)
    except Exception as err:  # safetensors raises its own error types
        raise CheckpointError(f'{path}: unreadable ({err}).') from None
    if with_state:
        state = Path(checkpoint) / STATE_FILE
        try:
            torch.load(state, map_location='cpu', weights_only=True)
        except Exception as err:
            raise CheckpointError(f'{state}: unreadable ({type(err).__name__}: '
                                  f'{str(err)[:200]}).') from None


def default_work_dir(run_name: str) -> Path:
    """Where a run writes when neither --work-dir nor the config's `work_dir` says:
    work_dirs/<config name> under the current folder."""
    return Path('work_dirs') / run_name


def checkpoint_dir(work_dir: str | Path) -> Path:
    """The folder of a run's `iter_N` checkpoints."""
    return Path(work_dir) / 'checkpoints'


def newest_checkpoint_of_config(config: str, needed_by: str, how_to_train: str = '') -> Path:
    """The newest checkpoint `python tools/train.py CONFIG` wrote, in
    work_dirs/<config name>/checkpoints under the current folder. The config file is
    not run: a config named inside a checkpoint from elsewhere must not make us execute
    a file. A run given another --work-dir is named by its checkpoint instead."""
    path = resolve_config_path(config)
    if not path.is_file():
        raise FileNotFoundError(f'{needed_by}: {config}: the config file does not exist.')
    folder = checkpoint_dir(default_work_dir(path.stem))
    found = list_checkpoints(folder)
    if not found:
        raise FileNotFoundError(
            f'{needed_by}: {config} is not trained yet (no checkpoint in {folder.resolve()}). '
            f'Train it from this folder first: python tools/train.py {config}'
            f'{how_to_train}.')
    return found[-1][1]


def names_a_config(reference: str) -> bool:
    """A config named instead of a checkpoint: a '.py' file or 'sketchgen::<folder>/<file>.py'."""
    return reference.startswith(SCOPE_PREFIX) or reference.endswith('.py')


def resolve_checkpoint(reference: str, needed_by: str, how_to_train: str = '',
                       example: str = '') -> Path:
    """The weights file a config names by model-zoo name (verified, fetched on first use),
    by the config that trains it (its newest checkpoint), or by path (a checkpoint folder
    or its weights file). `needed_by` names the config key in every error; `example`
    adds a name that would do."""
    from sketchgen import zoo
    if names_a_config(reference):
        return weights_path(newest_checkpoint_of_config(reference, needed_by, how_to_train))
    if zoo.is_zoo_name(reference):
        return zoo.download(reference)
    try:
        return weights_path(reference)
    except FileNotFoundError as err:
        raise FileNotFoundError(f'{needed_by}: {err} Name a model-zoo model '
                                '(python tools/list_models.py), the config that trains it, '
                                f'or a checkpoint{example}.') from None


def list_checkpoints(checkpoint_dir: Path) -> list[tuple[int, Path]]:
    """Complete `iter_N` checkpoints, oldest first (temporary folders are ignored)."""
    if not Path(checkpoint_dir).is_dir():
        return []
    found = []
    for p in Path(checkpoint_dir).iterdir():
        m = CKPT_PATTERN.match(p.name)
        if m and (p / WEIGHTS_FILE).is_file():
            found.append((int(m.group(1)), p))
    return sorted(found)


def weights_path(checkpoint: str | Path) -> Path:
    """Accept a checkpoint folder or its model.safetensors file."""
    path = Path(checkpoint)
    if path.is_dir():
        path = path / WEIGHTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f'{checkpoint}: no checkpoint here (expected a checkpoint folder '
                                f'holding {WEIGHTS_FILE}, or the file itself).')
    return path


def read_metadata(checkpoint: str | Path) -> dict:
    path = weights_path(checkpoint)
    try:
        with safe_open(str(path), framework='pt') as f:
            return f.metadata() or {}
    except Exception as err:  # safetensors raises its own error types
        raise CheckpointError(f'{path}: not a readable safetensors file ({err}).') from None


def config_from_checkpoint(checkpoint: str | Path, trust_imports: bool = False):
    """The config stored in a checkpoint, rebuilt without executing anything.

    Checkpoints store it as JSON (`config_json`); older ones as Python text
    (`config`), which is parsed as plain data and refused if it is anything more."""
    meta = read_metadata(checkpoint)
    source = str(weights_path(checkpoint))
    if meta.get('config_json'):
        return config_from_json(meta['config_json'], source, trust_imports)
    if meta.get('config'):
        return config_from_python_text(meta['config'], source, trust_imports)
    raise ConfigError(f'{source}: the checkpoint carries no config; pass the config file '
                      'too: init_model(config, checkpoint).')


def load_weights(model: nn.Module, checkpoint: str | Path, strict: bool = True) -> dict:
    """Load a checkpoint's weights into `model`; name every mismatched key."""
    path = weights_path(checkpoint)
    from safetensors.torch import load_file
    try:
        state = load_file(str(path))
    except Exception as err:  # safetensors raises its own error types
        raise CheckpointError(f'{path}: not a readable safetensors file ({err}).') from None
    own = model.state_dict()
    # a converted reference file holds some networks only (metadata `networks`)
    networks = read_metadata(path).get('networks')
    if networks:
        prefixes = tuple(f'{name}.' for name in networks.split(','))
        own = {k: v for k, v in own.items() if k.startswith(prefixes)}
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong_shape = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
                   for k in sorted(set(own) & set(state)) if own[k].shape != state[k].shape]
    if wrong_shape or (strict and (missing or unexpected)):
        meta = read_metadata(path)
        lines = [f'{path} does not fit {type(model).__name__} (checkpoint was saved from '
                 f'{meta.get("model_type", "an unknown model")}).']
        for title, keys in (('missing from the checkpoint', missing),
                            ('not in the model', unexpected), ('shape mismatch', wrong_shape)):
            if keys:
                shown = ', '.join(keys[:10]) + (f' ... (+{len(keys) - 10} more)'
                                                if len(keys) > 10 else '')
                lines.append(f'  {len(keys)} keys {title}: {shown}')
        lines.append('Use the config the checkpoint was trained with (it is stored inside the '
                     'checkpoint: sketchgen.apis.init_model(checkpoint) rebuilds it).')
        raise CheckpointMismatchError('\n'.join(lines))
    model.load_state_dict(state, strict=strict and not networks)
    return read_metadata(path)


def load_training_state(checkpoint: str | Path) -> dict:
    path = Path(checkpoint) / STATE_FILE
    if not path.is_file():
        raise FileNotFoundError(f'{path}: missing, so training cannot resume from '
                                f'{checkpoint} (it holds weights only).')
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # a pickle with code in it, or a damaged file
        raise CheckpointError(f'{path}: cannot be loaded as plain tensors and numbers '
                              f'({type(err).__name__}: {str(err)[:300]}).') from None


def rng_state() -> dict:
    np_state = np.random.get_state()
    state = dict(torch=torch.get_rng_state(), python=list(random.getstate()[1]),
                 python_version=random.getstate()[0],
                 numpy=dict(keys=torch.from_numpy(np_state[1].astype(np.int64)),
                            pos=int(np_state[2]), has_gauss=int(np_state[3]),
                            cached=float(np_state[4])))
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state['torch'])
    random.setstate((state['python_version'], tuple(state['python']), None))
    n = state['numpy']
    np.random.set_state(('MT19937', n['keys'].numpy().astype(np.uint32), n['pos'],
                         n['has_gauss'], n['cached']))
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def write_json_atomic(path: Path, data) -> None:
    tmp = Path(f'{path}.tmp')
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)
