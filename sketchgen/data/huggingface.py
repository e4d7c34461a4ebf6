"""Paired data from Hugging Face `datasets`: a local Parquet file or image folder,
or a hub data set name when online (the library then caches it as usual)."""
from __future__ import annotations

import io

from PIL import Image

from sketchgen.data.io import to_rgb
from sketchgen.data.pipeline_dataset import PipelineDataset
from sketchgen.registry import DATASETS


@DATASETS.register_module()
class HFPairedDataset(PipelineDataset):
    """Args:
        path: what `datasets.load_dataset` takes: 'parquet' or 'imagefolder' (with
            `data_files` / `data_dir`), or a hub name such as 'user/anime-sketches'.
        split: the split to read ('train', 'test', ... or slices like 'train[:90%]').
        source_column, target_column: the image columns. source_column=None reads
            only targets; put `ExtractSketch` first in the pipeline to make sources.
        name_column: a column naming each sample (default: its index).
        name, data_files, data_dir: passed to `load_dataset`.
        cache_decoded: keep each sample decoded in memory after the pipeline's leading
            deterministic transforms (sketchgen.data.pipeline_dataset).
    """

    def __init__(self, path: str, split: str = 'train', source_column: str | None = 'source',
                 target_column: str = 'target', name_column: str | None = None,
                 name: str | None = None, data_files=None, data_dir: str | None = None,
                 pipeline: list | None = None, cache_decoded: bool = False):
        try:
            import datasets
        except ImportError as err:
            raise ImportError('HFPairedDataset needs the Hugging Face `datasets` package: '
                              'pip install "sketchgen[hf]"') from err
        self.data = datasets.load_dataset(path, name, data_files=data_files, data_dir=data_dir,
                                          split=split)
        wanted = [c for c in (source_column, target_column, name_column) if c]
        missing = [c for c in wanted if c not in self.data.column_names]
        if missing:
            raise KeyError(f'HFPairedDataset({path!r}, split={split!r}): no column(s) {missing}; '
                           f'its columns are {self.data.column_names}. Set source_column / '
                           'target_column / name_column in the dataset config.')
        self.source_column, self.target_column = source_column, target_column
        self.name_column = name_column
        self.label = f'{path}[{split}]'
        super().__init__(pipeline, cache_decoded)

    def __len__(self) -> int:
        return len(self.data)

    def _image(self, value, index: int, column: str) -> Image.Image:
        if isinstance(value, dict):  # an undecoded Image feature: bytes and/or path
            value = Image.open(io.BytesIO(value['bytes']) if value.get('bytes')
                               else value['path'])
        elif isinstance(value, (bytes, bytearray)):
            value = Image.open(io.BytesIO(value))
        if not isinstance(value, Image.Image):
            raise TypeError(f'{self.label} row {index}, column {column!r}: expected an image, '
                            f'got {type(value).__name__}')
        return to_rgb(value, f'{self.label} row {index}, column {column!r}')

    def load_sample(self, index: int) -> dict:
        row = self.data[index]
        sample = dict(target=self._image(row[self.target_column], index, self.target_column),
                      name=str(row[self.name_column]) if self.name_column else f'{index:06d}')
        if self.source_column:
            sample['source'] = self._image(row[self.source_column], index, self.source_column)
        return sample
