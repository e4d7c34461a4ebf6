"""Semantic synthesis data that users bring: label PNGs (class indices) and the
photos they describe, paired by file name.

Two folder trees, searched recursively, e.g. for Cityscapes

    leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png
    gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png

with image_dir='leftImg8bit/{split}', label_dir='gtFine/{split}',
image_suffix='_leftImg8bit', label_suffix='_gtFine_labelIds'; and for ADE20K
(ADEChallengeData2016) image_dir='images/{split}', label_dir='annotations/{split}'
with the splits 'training' / 'validation'. The configs in configs/spade/ set these.
"""
from __future__ import annotations

from pathlib import Path

from sketchgen.data.io import IMAGE_EXTENSIONS, ImageLoadError, image_size, load_image
from sketchgen.data.labels import load_label_map
from sketchgen.data.pipeline_dataset import PipelineDataset
from sketchgen.registry import DATASETS


def _files_by_key(folder: Path, suffix: str, extensions) -> dict[str, Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f'{folder}: no such folder (check data_root and the '
                                'image_dir/label_dir of the data set config).')
    files = {}
    for path in sorted(folder.rglob('*')):
        if path.suffix.lower() in extensions and path.stem.endswith(suffix):
            key = str(path.relative_to(folder).with_suffix(''))
            files[key[:len(key) - len(suffix)] if suffix else key] = path
    if not files:
        raise FileNotFoundError(f'{folder}: no files ending in {suffix or "(any name)"} with '
                                f'an extension of {", ".join(extensions)}.')
    return files


@DATASETS.register_module()
class SemanticFolderDataset(PipelineDataset):
    """Args:
        data_root: the data set's root folder.
        split: substituted for '{split}' in image_dir and label_dir.
        image_dir, label_dir: folders under data_root ('{split}' allowed).
        num_classes: label values must lie in 0..num_classes-1 (an error names the file).
        image_suffix, label_suffix: removed from the file names before pairing.
        pipeline: joint transforms (label maps are resized by nearest neighbour).
        verify: check every pair's sizes at construction.
        cache_decoded: keep each sample decoded in memory after the pipeline's leading
            deterministic transforms (sketchgen.data.pipeline_dataset).
    """

    def __init__(self, data_root: str, num_classes: int, split: str = 'train',
                 image_dir: str = 'images/{split}', label_dir: str = 'labels/{split}',
                 image_suffix: str = '', label_suffix: str = '', pipeline: list | None = None,
                 verify: bool = True, cache_decoded: bool = False):
        root = Path(data_root)
        self.num_classes = num_classes
        images = _files_by_key(root / image_dir.format(split=split), image_suffix,
                               IMAGE_EXTENSIONS)
        labels = _files_by_key(root / label_dir.format(split=split), label_suffix, ('.png',))
        missing = sorted(set(images) - set(labels))
        if missing:
            raise FileNotFoundError(f'{len(missing)} images have no label map, e.g. '
                                    f'{images[missing[0]]} (looked for '
                                    f'{missing[0]}{label_suffix}.png under '
                                    f'{root / label_dir.format(split=split)})')
        self.samples = [dict(name=Path(k).name, image=images[k], label=labels[k])
                        for k in sorted(images)]
        super().__init__(pipeline, cache_decoded)
        if verify:
            for s in self.samples:
                if image_size(s['image']) != image_size(s['label']):
                    raise ImageLoadError(f'{s["label"]} is not the size of its image '
                                         f'{s["image"]}')

    def __len__(self) -> int:
        return len(self.samples)

    def load_sample(self, index: int) -> dict:
        s = self.samples[index]
        return dict(source=load_label_map(s['label'], self.num_classes),
                    target=load_image(s['image']), name=s['name'])
