"""Where the tools write: never onto an input, never two results onto one file,
never over an existing file unless the user says `--overwrite`."""
from __future__ import annotations

from pathlib import Path


def check_output(path: str | Path, inputs=(), overwrite: bool = False,
                 option: str = '--out') -> Path:
    """Refuse `path` (SystemExit naming it) when it is one of `inputs`, or exists
    and `overwrite` is off."""
    path = Path(path)
    resolved = path.resolve()
    for item in inputs:
        if Path(item).resolve() == resolved:
            raise SystemExit(f'{option} {path}: that is an input file; writing there would '
                             'destroy it. Choose another output path.')
    if path.exists() and not overwrite:
        raise SystemExit(f'{option} {path}: the file exists; pass --overwrite to replace it.')
    if path.is_dir():
        raise SystemExit(f'{option} {path}: is a folder, not a file path.')
    return path


def output_files(inputs: list[Path], out_dir: str | Path, suffix: str = '.png',
                 overwrite: bool = False) -> list[Path]:
    """One output file per input in `out_dir` (named by the input's stem), checked
    all together before anything is written."""
    out_dir = Path(out_dir)
    by_name: dict[str, Path] = {}
    outputs = []
    for item in inputs:
        name = f'{Path(item).stem}{suffix}'
        if name in by_name:
            raise SystemExit(f'{by_name[name]} and {item} would both be written to '
                             f'{out_dir / name}; rename one, or run them separately.')
        by_name[name] = Path(item)
        outputs.append(check_output(out_dir / name, inputs, overwrite))
    return outputs
