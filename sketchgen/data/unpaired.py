"""Unpaired data (CycleGAN): two folders of images, A and B, with no pairing.

Layout (the CycleGAN convention): `data_root/trainA`, `trainB`, `valA`, `valB`,
`testA`, `testB`. Each item is one A image (in the sampler's order) and one B
image drawn independently: in training from the per-sample seed (so runs resume
exactly), in evaluation by a fixed permutation of B (so a test set is
deterministic, and a regular file order -- e.g. five hair colours per face --
cannot line up with the A order and leave whole groups of B out).

Optional annotations, per domain, in files under data_root (all keyed by file
name, with or without extension):
- landmark files: CelebA's `list_landmarks_*.txt` (optional count and header
  lines, then `NAME x1 y1 ... x5 y5`) or JSON `{NAME: [[x, y] * 5]}`, in pixels
  of the stored image. They give `landmarks_a` / `landmarks_b`.
- label tables: a `.csv` with a header, `name,<column>,...`, whose cells are
  value names, or (any other suffix) CelebA's `list_attr_celeba.txt`
  (whitespace, 1/-1 columns) mapped with `label_columns={attribute: {value:
  column}}`. They give `label_a` /
  `label_b`, one-hot per attribute of `labels` (in its order).
"""
from __future__ import annotations

import csv
import fnmatch
import json
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from sketchgen.data.io import list_images, load_image
from sketchgen.data.transforms import Compose
from sketchgen.registry import DATASETS

DIRECTIONS = ('AtoB', 'BtoA')
DOMAINS = ('A', 'B')


def read_landmark_file(path: Path) -> dict[str, np.ndarray]:
    """{name: (5, 2) float32} from a CelebA-style list or a JSON file."""
    if not path.is_file():
        raise FileNotFoundError(f'{path}: landmark file not found')
    if path.suffix == '.json':
        return {k: np.asarray(v, np.float32).reshape(-1, 2) for k, v in
                json.loads(path.read_text()).items()}
    table = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if len(fields) == 11 and not fields[0].lstrip('-').isdigit():
            try:
                table[fields[0]] = np.asarray(fields[1:], np.float32).reshape(5, 2)
                continue
            except ValueError:
                pass
        if number <= 2:  # CelebA's count line and column-name line
            continue
        raise ValueError(f'{path}:{number}: expected "NAME x1 y1 ... x5 y5", got {line!r}')
    return table


def read_label_table(path: Path, labels: dict, label_columns: dict | None = None
                     ) -> dict[str, dict]:
    """{name: {attribute: value}} from a CSV (value names) or a CelebA attribute list."""
    if not path.is_file():
        raise FileNotFoundError(f'{path}: label file not found')
    lines = path.read_text().splitlines()
    table = {}
    if path.suffix.lower() != '.csv':  # CelebA: "count", "col1 col2 ...", "NAME 1 -1 ..."
        if not label_columns:
            raise ValueError(f'{path}: an attribute list (not .csv) needs label_columns='
                             '{attribute: {value: column}} to turn its 1/-1 columns into labels')
        columns = lines[1].split()
        for attribute, mapping in label_columns.items():
            for value, column in mapping.items():
                if column not in columns:
                    raise KeyError(f'{path}: no column {column!r} (for {attribute}={value}); '
                                   f'columns: {columns[:12]}...')
        for line in lines[2:]:
            fields = line.split()
            row = dict(zip(columns, fields[1:]))
            entry = {}
            for attribute, mapping in label_columns.items():
                hits = [v for v, c in mapping.items() if row.get(c) == '1']
                if len(hits) == 1:  # images with none or several of the values are skipped
                    entry[attribute] = hits[0]
            if len(entry) == len(label_columns):
                table[fields[0]] = entry
        return table
    for row in csv.DictReader(lines):
        name = row.pop('name', None)
        if name is None:
            raise KeyError(f'{path}: the CSV needs a "name" column, has {list(row)}')
        table[name] = {k: row[k] for k in labels if k in row}
    for name, entry in table.items():
        for attribute, value in entry.items():
            if value not in labels[attribute]:
                raise ValueError(f'{path}: {name} has {attribute}={value!r}, not one of '
                                 f'{labels[attribute]}')
    return table


def _lookup(table: dict, path: Path):
    return table.get(path.name, table.get(path.stem))


@DATASETS.register_module()
class UnpairedImageDataset(Dataset):
    """Args:
        data_root: folder holding `<split>A` and `<split>B`.
        split: 'train', 'val' or 'test'.
        direction: 'AtoB' (A images are the source) or 'BtoA' (everything swapped).
        pipeline: transform configs (applied to both images; landmarks follow).
        landmark_files: {'A': file, 'B': file} relative to data_root (either optional).
        labels: {attribute: (value names)}, the model's label layout.
        label_files: {'A': file, 'B': file} label tables (either optional).
        label_columns: for CelebA attribute lists, {attribute: {value: column}}.
        require_annotations: drop images that lack a landmark or label entry (counted
            in `self.dropped`) instead of raising.
        repeat_sources: {glob pattern on the file name without extension: times}: each
            source image the pattern matches is listed `times` times, so the sampler
            draws it that many times as often (a rare kind of image, e.g. the 16
            white-haired faces among the 560 Twemoji training faces: '*-1F9B3'). A file
            two patterns match gets the repeats of both.
    """

    def __init__(self, data_root: str, split: str = 'train', direction: str = 'AtoB',
                 pipeline: list | None = None, landmark_files: dict | None = None,
                 labels: dict | None = None, label_files: dict | None = None,
                 label_columns: dict | None = None, require_annotations: bool = False,
                 repeat_sources: dict | None = None):
        if direction not in DIRECTIONS:
            raise ValueError(f'UnpairedImageDataset: direction={direction!r} is not one of '
                             f'{DIRECTIONS}')
        self.root, self.split, self.direction = Path(data_root), split, direction
        self.labels = {k: tuple(v) for k, v in (labels or {}).items()}
        self.pipeline = Compose(pipeline or [dict(type='ToTensor')])
        self.files, self.landmarks, self.label_tables, self.dropped = {}, {}, {}, {}
        for domain in DOMAINS:
            folder = self.root / f'{split}{domain}'
            files = list_images(folder)  # raises with the folder's name when empty
            lm_file = (landmark_files or {}).get(domain)
            lb_file = (label_files or {}).get(domain)
            if lm_file:
                self.landmarks[domain] = read_landmark_file(self.root / lm_file)
            if lb_file:
                if not self.labels:
                    raise ValueError('UnpairedImageDataset: label_files need `labels`')
                self.label_tables[domain] = read_label_table(self.root / lb_file, self.labels,
                                                             label_columns)
            tables = [t[domain] for t in (self.landmarks, self.label_tables) if domain in t]
            missing = [f for f in files if any(_lookup(t, f) is None for t in tables)]
            if missing and not require_annotations:
                raise KeyError(f'{len(missing)} images in {folder} have no landmark or label '
                               f'entry (e.g. {missing[0].name}); fix the annotation files or '
                               'set require_annotations=True to skip them.')
            self.dropped[domain] = len(missing)
            missing = set(missing)
            self.files[domain] = [f for f in files if f not in missing]
            if not self.files[domain]:
                raise ValueError(f'{folder}: no image has the annotations asked for')
        source = 'A' if direction == 'AtoB' else 'B'
        listed = list(self.files[source])   # patterns match these, not earlier repeats
        for pattern, times in (repeat_sources or {}).items():
            if isinstance(times, bool) or not isinstance(times, int) or times < 1:
                raise ValueError(f'UnpairedImageDataset: repeat_sources[{pattern!r}]={times!r} '
                                 'is not a whole number of times (1 or more)')
            matched = [f for f in listed if fnmatch.fnmatchcase(f.stem, pattern)]
            if not matched:
                raise ValueError(f'UnpairedImageDataset: repeat_sources pattern {pattern!r} '
                                 f'matches no image in {self.root / (split + source)}')
            self.files[source] += matched * (times - 1)

    def __len__(self) -> int:
        return len(self.files['A' if self.direction == 'AtoB' else 'B'])

    def __getitem__(self, index):
        sample, rng = self.load(index)
        return self.pipeline(sample, rng)

    def load(self, index) -> tuple[dict, np.random.Generator]:
        """One sample before the pipeline, and the generator its transforms draw from."""
        index, seed = index if isinstance(index, tuple) else (index, None)
        rng = np.random.default_rng(seed)
        src, tgt = ('A', 'B') if self.direction == 'AtoB' else ('B', 'A')
        n_tgt = len(self.files[tgt])
        if seed is not None:
            tgt_index = int(rng.integers(n_tgt))
        else:
            tgt_index = int(np.random.default_rng(0).permutation(n_tgt)[index % n_tgt])
        sample = dict(name=self.files[src][index].stem,
                      target_name=self.files[tgt][tgt_index].stem)
        for key, domain, i in (('source', src, index), ('target', tgt, tgt_index)):
            path = self.files[domain][i]
            sample[key] = load_image(path)
            suffix = 'a' if key == 'source' else 'b'
            if domain in self.landmarks:
                sample[f'landmarks_{suffix}'] = _lookup(self.landmarks[domain], path).copy()
            if domain in self.label_tables:
                sample[f'label_{suffix}'] = self.one_hot(_lookup(self.label_tables[domain],
                                                                 path))
        return sample, rng

    def one_hot(self, entry: dict) -> torch.Tensor:
        parts = [torch.nn.functional.one_hot(torch.tensor(values.index(entry[attribute])),
                                             len(values))
                 for attribute, values in self.labels.items()]
        return torch.cat(parts).float()
