"""Checkpoints: one folder per save, written so that a kill never corrupts one.

    work_dir/checkpoints/iter_000200/
        model.safetensors     every network's weights; the config and the
                              iteration travel in its metadata, so the file
                              alone rebuilds the model (`init_model(path)`)
        training_state.pt     optimisers, schedulers, AMP scaler, RNG states,
                              iteration (loaded with weights_only=True)

A checkpoint is written into a temporary folder and renamed into place (atomic
on POSIX), so `iter_*` folders are always complete; resume picks the newest.
"""
from __future__ import annotations

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

WEIGHTS_FILE = 'model.safetensors'
STATE_FILE = 'training_state.pt'
CKPT_PATTERN = re.compile(r'^iter_(\d+)$')


class CheckpointMismatchError(RuntimeError):
    """The checkpoint's weights do not fit the model they are loaded into."""


def save_checkpoint(folder: Path, model: nn.Module, config_text: str, iteration: int,
                    training_state: dict | None = None) -> Path:
    """Write `folder` atomically: everything lands in a temporary sibling first."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{folder.name}.tmp-', dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it owner-only; checkpoints are shareable
    try:
        # contiguous clones: safetensors refuses shared or strided storage
        weights = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
        metadata = dict(config=config_text, iteration=str(iteration),
                        model_type=type(model).__name__,
                        sketchgen_version=sketchgen.__version__)
        save_file(weights, str(tmp / WEIGHTS_FILE), metadata=metadata)
        if training_state is not None:
            torch.save(training_state, tmp / STATE_FILE)
        _fsync_folder(tmp)
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


def _fsync_folder(folder: Path) -> None:
    for f in folder.iterdir():
        with open(f, 'rb') as fh:
            os.fsync(fh.fileno())


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
    with safe_open(str(weights_path(checkpoint)), framework='pt') as f:
        return f.metadata() or {}


def load_weights(model: nn.Module, checkpoint: str | Path, strict: bool = True) -> dict:
    """Load a checkpoint's weights into `model`; name every mismatched key."""
    path = weights_path(checkpoint)
    from safetensors.torch import load_file
    state = load_file(str(path))
    own = model.state_dict()
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
    model.load_state_dict(state, strict=strict)
    return read_metadata(path)


def load_training_state(checkpoint: str | Path) -> dict:
    path = Path(checkpoint) / STATE_FILE
    if not path.is_file():
        raise FileNotFoundError(f'{path}: missing, so training cannot resume from '
                                f'{checkpoint} (it holds weights only).')
    return torch.load(path, map_location='cpu', weights_only=True)


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
