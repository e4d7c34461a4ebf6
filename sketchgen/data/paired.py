"""Paired image data sets: one source image (e.g. a sketch) and one target each.

Layouts (pix2pix conventions):
- 'aligned': `data_root/<split>/*.jpg`, each file the A and B images side by side
  (facades, maps, edges2shoes). `direction='AtoB'` takes the left half as source.
- 'folders': `data_root/<split>/A/NAME.png` and `data_root/<split>/B/NAME.png`,
  paired by file name (extensions may differ).
"""
from __future__ import annotations

from pathlib import Path

from sketchgen.data.io import ImageLoadError, image_size, list_images, load_image
from sketchgen.data.pipeline_dataset import PipelineDataset
from sketchgen.registry import DATASETS

LAYOUTS = ('aligned', 'folders')
DIRECTIONS = ('AtoB', 'BtoA')


@DATASETS.register_module()
class PairedImageDataset(PipelineDataset):
    """Args:
        data_root: folder holding the split folders.
        split: 'train', 'val', 'test' (a sub-folder of data_root), or None for data_root itself.
        layout: 'aligned' (A|B in one file) or 'folders' (A/ and B/ sub-folders).
        direction: 'AtoB' (A is the source) or 'BtoA'.
        pipeline: transform configs applied jointly to source and target.
        folder_names: the two sub-folder names of the 'folders' layout.
        verify: read every file's header at construction, so a wrong size or an
            unreadable file is reported before training starts, not hours into it.
        cache_decoded: keep each sample decoded in memory after the pipeline's leading
            deterministic transforms (sketchgen.data.pipeline_dataset).
    """

    def __init__(self, data_root: str, split: str | None = 'train', layout: str = 'aligned',
                 direction: str = 'AtoB', pipeline: list | None = None,
                 folder_names: tuple[str, str] = ('A', 'B'), verify: bool = True,
                 cache_decoded: bool = False):
        if layout not in LAYOUTS:
            raise ValueError(f'PairedImageDataset: layout={layout!r} is not one of {LAYOUTS}')
        if direction not in DIRECTIONS:
            raise ValueError(f'PairedImageDataset: direction={direction!r} is not one of '
                             f'{DIRECTIONS}')
        self.root = Path(data_root) / split if split else Path(data_root)
        self.layout = layout
        self.direction = direction
        super().__init__(pipeline, cache_decoded)
        self.samples = self.find_samples(folder_names)
        if verify:
            for s in self.samples:
                self._verify(s)

    def find_samples(self, folder_names: tuple[str, str]) -> list[dict]:
        """One dict per pair: `name` and `path` (aligned) or `A` and `B` (folders)."""
        if self.layout == 'aligned':
            return [dict(name=p.stem, path=p) for p in list_images(self.root)]
        return _pair_by_name(self.root / folder_names[0], self.root / folder_names[1])

    def __len__(self) -> int:
        return len(self.samples)

    def load_sample(self, index: int) -> dict:
        s = self.samples[index]
        if self.layout == 'aligned':
            a, b = _split_aligned(load_image(s['path']), s['path'])
        else:
            a, b = load_image(s['A']), load_image(s['B'])
            if a.size != b.size:
                raise ImageLoadError(f'{s["A"]} is {a.size[0]}x{a.size[1]} but its pair '
                                     f'{s["B"]} is {b.size[0]}x{b.size[1]}; paired images must '
                                     'have the same size.')
        source, target = (a, b) if self.direction == 'AtoB' else (b, a)
        return dict(source=source, target=target, name=s['name'])

    def _verify(self, s: dict) -> None:
        if self.layout == 'aligned':
            w, h = image_size(s['path'])
            if w % 2:
                raise ImageLoadError(f'{s["path"]}: width {w} is odd, so it cannot hold two '
                                     'side-by-side images (A|B). Is layout="aligned" right?')
        else:
            size_a, size_b = image_size(s['A']), image_size(s['B'])
            if size_a != size_b:
                raise ImageLoadError(f'{s["A"]} is {size_a[0]}x{size_a[1]} but its pair '
                                     f'{s["B"]} is {size_b[0]}x{size_b[1]}; paired images must '
                                     'have the same size.')


def _split_aligned(img, path):
    w, h = img.size
    if w % 2:
        raise ImageLoadError(f'{path}: width {w} is odd, so it cannot hold two side-by-side '
                             'images (A|B).')
    return img.crop((0, 0, w // 2, h)), img.crop((w // 2, 0, w, h))


def _pair_by_name(folder_a: Path, folder_b: Path) -> list[dict]:
    files_a = {p.stem: p for p in list_images(folder_a)}
    files_b = {p.stem: p for p in list_images(folder_b)}
    only_a, only_b = sorted(set(files_a) - set(files_b)), sorted(set(files_b) - set(files_a))
    if only_a or only_b:
        raise FileNotFoundError(
            f'Unpaired files: {len(only_a)} in {folder_a} have no partner in {folder_b} '
            f'(e.g. {only_a[:5]}), {len(only_b)} in {folder_b} have none in {folder_a} '
            f'(e.g. {only_b[:5]}). Pairs are matched by file name without extension.')
    return [dict(name=n, A=files_a[n], B=files_b[n]) for n in sorted(files_a)]
