"""An infinite, seeded, resumable sampler.

Epoch e visits the data in the order `randperm(n, seed + e)`, so the order is a
function of (seed, position) alone: resuming at position p replays exactly the
samples an uninterrupted run would have seen. Each item is `(index, sample_seed)`;
the dataset seeds its augmentation with `sample_seed`, which makes random crops
and flips resume exactly too, whatever the number of loader workers.

With several processes each rank takes every `world_size`-th item of the same
global order (what DistributedSampler does), so no sample is seen twice per step.
"""
from __future__ import annotations

import torch
from torch.utils.data import Sampler


class ResumableSampler(Sampler):
    def __init__(self, dataset_size: int, seed: int = 0, shuffle: bool = True,
                 start: int = 0, rank: int = 0, world_size: int = 1):
        if dataset_size <= 0:
            raise ValueError('ResumableSampler: the data set is empty.')
        self.n = dataset_size
        self.seed = seed
        self.shuffle = shuffle
        self.start = start  # global items already consumed (all ranks together)
        self.rank = rank
        self.world_size = world_size

    def order(self, epoch: int) -> list[int]:
        if not self.shuffle:
            return list(range(self.n))
        g = torch.Generator().manual_seed(self.seed + epoch)
        return torch.randperm(self.n, generator=g).tolist()

    def __iter__(self):
        position = self.start + self.rank
        epoch, offset = divmod(position, self.n)
        order = self.order(epoch)
        while True:
            # Per-sample seed: unique per (run seed, global position).
            yield order[offset], self.seed * 1_000_003 + position
            position += self.world_size
            new_epoch, offset = divmod(position, self.n)
            if new_epoch != epoch:
                epoch, order = new_epoch, self.order(new_epoch)
