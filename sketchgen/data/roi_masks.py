"""(image, RoI mask) samples for inpainting: any image data set, wrapped."""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from sketchgen.data.roi_samplers import build_roi_sampler
from sketchgen.registry import DATASETS


@DATASETS.register_module()
class RoIMaskDataset(Dataset):
    """Wrap `dataset` (a config or a data set) and add a RoI mask to each sample.

    Each sample gets `mask` (1, H, W), 1 inside the region; `target`, the image;
    and `source`, the image with the region blanked (0, mid-grey in [-1, 1]): what
    the inpainting generator sees, together with the mask.

    Args:
        dataset: the image data set; its `image_key` entry is the image (a [-1, 1] tensor).
        sampler: RoI sampler config (ROI_SAMPLERS), e.g. dict(type='EllipseRoISampler').
        fixed_masks: evaluation: the mask of sample i is drawn from seed (mask_seed, i),
            the same in every run; otherwise (training) from the loader's per-sample seed.
        mask_seed: the seed of the fixed masks.
        image_key: which entry of the wrapped sample is the image.
        data_root: passed on to the wrapped data set's config when it sets none (the
            config's top-level `data_root` arrives here).
    """

    def __init__(self, dataset, sampler: dict, fixed_masks: bool = False, mask_seed: int = 0,
                 image_key: str = 'target', data_root: str | None = None):
        if isinstance(dataset, dict):
            if data_root is not None and 'data_root' not in dataset:
                dataset = dict(dataset, data_root=data_root)
            dataset = DATASETS.build(dataset)
        self.dataset, self.sampler = dataset, build_roi_sampler(sampler)
        self.fixed_masks, self.mask_seed, self.image_key = fixed_masks, mask_seed, image_key

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        index, seed = index if isinstance(index, tuple) else (index, None)
        sample = self.dataset[(index, seed)] if seed is not None else self.dataset[index]
        if self.image_key not in sample:
            raise KeyError(f'RoIMaskDataset: the wrapped sample has no {self.image_key!r} '
                           f'(its keys: {sorted(sample)}); set image_key')
        image = sample[self.image_key]
        if self.fixed_masks:
            rng = np.random.default_rng((self.mask_seed, index))
        else:  # a stream of its own, so masks do not correlate with the augmentation
            rng = np.random.default_rng(None if seed is None else (seed, 1))
        mask = torch.from_numpy(self.sampler(image.shape[-2], image.shape[-1], rng))[None]
        return dict(name=sample.get('name', str(index)), target=image, mask=mask,
                    source=image * (1 - mask))


def mask_tensor(mask, size_wh) -> torch.Tensor:
    """A (1, 1, H, W) {0, 1} mask at `size_wh` from a PIL image (white = region) or
    a [0, 1] tensor."""
    if isinstance(mask, Image.Image):
        mask = mask.convert('L').resize(size_wh, Image.NEAREST)
        mask = torch.from_numpy((np.asarray(mask) > 127).astype(np.float32))
    mask = torch.as_tensor(mask, dtype=torch.float32)
    while mask.dim() < 4:
        mask = mask[None]
    if tuple(mask.shape[-2:]) != size_wh[::-1]:
        mask = torch.nn.functional.interpolate(mask, size=size_wh[::-1], mode='nearest')
    return (mask > 0.5).float()
