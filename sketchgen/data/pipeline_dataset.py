"""The base of the map-style data sets: item i is `pipeline(load_sample(i), rng)`, the
rng seeded per sample, so augmentation is reproducible and resumes exactly whatever
the number of loader workers.

`cache_decoded=True` keeps every sample in memory as it stands after loading and the
pipeline's leading deterministic transforms (decoding, `Resize`, `ExtractSketch`...), so
each later epoch runs only the random transforms that follow. Deterministic transforms
draw nothing from the rng, so a cached sample is the same tensor as an uncached one and
training takes the same path. With `num_workers=0` the main process fills the cache once
and no worker processes compete with the training step for the cores; each worker of a
multi-process loader would fill a copy of its own.
"""
from __future__ import annotations

import abc
import os

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from sketchgen.data.transforms import Compose

# A cache may take at most this share of the memory available when it starts.
MAX_CACHE_SHARE = 0.5


class PipelineDataset(Dataset, abc.ABC):
    """Subclasses define `load_sample(index) -> dict` (the decoded sample, before the
    pipeline) and `__len__`, and call `super().__init__(pipeline, cache_decoded)`."""

    def __init__(self, pipeline: list | None, cache_decoded: bool = False):
        self.pipeline = Compose(pipeline or [dict(type='ToTensor')])
        self.cache_decoded = cache_decoded
        self._deterministic, self._random = self.pipeline.split_deterministic()
        self._cache: dict[int, dict] = {}

    @abc.abstractmethod
    def load_sample(self, index: int) -> dict:
        """The decoded sample `index`, before the pipeline."""

    def default_seed(self, index: int):
        """The seed of plain integer indexing (inspection, notebooks, evaluation
        loaders): None draws fresh randomness. The training sampler passes (index, seed)."""
        return None

    def __getitem__(self, index):
        index, seed = index if isinstance(index, tuple) else (index, self.default_seed(index))
        rng = np.random.default_rng(seed)
        if not self.cache_decoded:
            return self.pipeline(self.load_sample(index), rng)
        # A shallow copy: transforms replace a sample's images, they never edit them.
        return self._random(dict(self._decoded(index)), rng)

    def fill_cache(self) -> None:
        """Decode every sample now rather than during the first epoch (benchmarks time
        the steady state this way)."""
        for index in range(len(self)):
            self._decoded(index)

    def _decoded(self, index: int) -> dict:
        sample = self._cache.get(index)
        if sample is None:
            # rng=None: a transform marked deterministic that drew from it would fail here.
            sample = self._deterministic(self.load_sample(index), None)
            if not self._cache:
                self._check_cache_fits(sample)
            self._cache[index] = sample
        return sample

    def _check_cache_fits(self, sample: dict) -> None:
        need = sample_nbytes(sample) * len(self)
        try:
            available = os.sysconf('SC_AVPHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
        except (AttributeError, ValueError, OSError):  # no sysconf (Windows): trust the user
            return
        if need > MAX_CACHE_SHARE * available:
            raise MemoryError(
                f'{type(self).__name__}: cache_decoded=True would keep about '
                f'{need / 2 ** 30:.1f} GiB of decoded samples ({len(self)} x '
                f'{sample_nbytes(sample) / 2 ** 20:.2f} MiB) in memory, more than '
                f'{MAX_CACHE_SHARE:.0%} of the {available / 2 ** 30:.1f} GiB available. '
                'Set cache_decoded=False in the dataset config.')


def sample_nbytes(sample: dict) -> int:
    """Bytes held by a sample's images, tensors and arrays."""
    total = 0
    for value in sample.values():
        if isinstance(value, Image.Image):
            total += value.width * value.height * len(value.getbands())
        elif isinstance(value, torch.Tensor):
            total += value.numel() * value.element_size()
        elif isinstance(value, np.ndarray):
            total += value.nbytes
    return total
