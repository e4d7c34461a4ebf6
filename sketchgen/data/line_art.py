"""Clean line drawings, for training sketch simplification by inverse dataset
generation: the data set yields each drawing as `target`, and its pipeline makes
the rough `source` from it (`Roughen`), so one set of clean drawings gives an
endless supply of (rough, clean) pairs.

By default the drawings are OpenMoji's line art (`<g id="line">` rendered alone,
CC BY-SA 4.0), with the same hash splits as the paired set; or any folder of
clean drawings (`data_root`, optionally with split sub-folders).
"""
from __future__ import annotations

import json
from pathlib import Path

from sketchgen.data.io import list_images, load_image
from sketchgen.data.openmoji import SPLITS, build_openmoji_pairs, split_of
from sketchgen.data.pipeline_dataset import PipelineDataset
from sketchgen.registry import DATASETS


@DATASETS.register_module()
class LineArtDataset(PipelineDataset):
    """Args:
        data_root: folder of clean drawings; None: OpenMoji line art.
        split: 'train', 'val' or 'test' (OpenMoji: by name hash; a folder: its
            sub-folder of that name, or None for data_root itself).
        image_size: OpenMoji render size in pixels.
        pipeline: transform configs; they receive dict(target=<PIL 'L'>, name=...)
            and must make `source` (a `Roughen` step) before `ToTensor`.
        cache_dir, limit: OpenMoji render cache and subset size (see
            `OpenMojiPairedDataset`).
        seed: evaluation without a sampler (integer indices) seeds sample i's
            random pipeline with (seed, i), so a val set's rough inputs are fixed.
        cache_decoded: keep each sample decoded in memory after the pipeline's leading
            deterministic transforms (sketchgen.data.pipeline_dataset).
    """

    def __init__(self, data_root: str | None = None, split: str | None = 'train',
                 image_size: int = 128, pipeline: list | None = None,
                 cache_dir: str | None = None, limit: int | None = None, seed: int = 0,
                 cache_decoded: bool = False):
        if data_root is None:
            if split not in SPLITS:
                raise ValueError(f'LineArtDataset: split={split!r} is not one of {SPLITS}')
            root = build_openmoji_pairs(image_size, cache_dir, limit=limit)
            # Every rendered drawing counts here: the paired set's colour filters
            # do not matter for line art (line-only symbols are good clean drawings).
            names = sorted(json.loads((root / 'index.json').read_text())['stats'])
            self.files = [root / 'sketch' / f'{n}.png' for n in names if split_of(n) == split]
            where = f'the OpenMoji {split!r} split in {root}'
        else:
            folder = Path(data_root) / split if split else Path(data_root)
            self.files = list_images(folder)
            where = str(folder)
        if not self.files:
            raise ValueError(f'LineArtDataset: no drawings in {where}.')
        super().__init__(pipeline, cache_decoded)
        self.seed = seed

    def __len__(self) -> int:
        return len(self.files)

    def default_seed(self, index: int):
        return self.seed, index

    def load_sample(self, index: int) -> dict:
        path = self.files[index]
        return dict(target=load_image(path).convert('L'), name=path.stem)

    def __getitem__(self, index):
        sample = super().__getitem__(index)
        if 'source' not in sample:
            raise ValueError('LineArtDataset: the pipeline made no `source`; add a Roughen '
                             'step (it makes the rough input from the clean drawing).')
        return sample
