"""Find the pretrained weights that metrics and losses need, without ever downloading.

A metric or loss names the file it needs; it is looked for, in order, at the path
its config gives (`weights=...`, a file or a folder), in
$SKETCHGEN_WEIGHTS_DIR, and in the caches where the upstream libraries would
have put it (torch hub, clean-fid). When it is nowhere, `MissingWeightsError`
says which file, where it looked, and the two ways to provide it.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

WEIGHTS_DIR_ENV = 'SKETCHGEN_WEIGHTS_DIR'


class MissingWeightsError(FileNotFoundError):
    def __str__(self) -> str:
        return str(self.args[0])


def torch_hub_checkpoints() -> Path:
    """Where torchvision and torch.hub keep downloaded weights ($TORCH_HOME honoured)."""
    import torch
    return Path(torch.hub.get_dir()) / 'checkpoints'


def find_weights(filename: str, *, needed_by: str, source: str, explicit: str | None = None,
                 caches: tuple = ()) -> Path:
    """Return the path of `filename`, or raise MissingWeightsError.

    `explicit` is the path from the metric config (a file, or a folder holding
    `filename`); `caches` are library cache folders tried last.
    """
    candidates = []
    if explicit:
        path = Path(explicit).expanduser()
        candidates.append(path / filename if path.is_dir() else path)
    if os.environ.get(WEIGHTS_DIR_ENV):
        candidates.append(Path(os.environ[WEIGHTS_DIR_ENV]).expanduser() / filename)
    candidates += [Path(c) / filename for c in caches]
    for path in candidates:
        if path.is_file():
            return path
    if explicit and not Path(explicit).expanduser().exists():
        where = f'weights={explicit!r} does not exist'
    else:
        where = 'looked in: ' + ', '.join(str(p) for p in candidates)
    raise MissingWeightsError(
        f'{needed_by} needs the pretrained weights file {filename!r}, which is not on this '
        f'machine ({where}). sketchgen never downloads weights by itself. Get the file once '
        f'from {source} and either\n'
        f"  1. give its path in the config of the metric or loss: "
        f"dict(type=..., weights='/path/to/{filename}'),"
        f' or\n'
        f'  2. put it in a folder and set {WEIGHTS_DIR_ENV}=/that/folder.')


_hashes: dict[tuple, str] = {}


def sha256(path: str | Path) -> str:
    """sha256 of a weights file, cached per (path, size, mtime)."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _hashes:
        digest = hashlib.sha256()
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                digest.update(chunk)
        _hashes[key] = digest.hexdigest()
    return _hashes[key]
