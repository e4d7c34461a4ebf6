"""The built-in semantic task: OpenMoji label maps -> colour emoji (SPADE).

The classes come from the SVG structure, never from the target's colours. Every
OpenMoji file draws its picture in named top-level groups, painted in document
order: `color` (the fills), `hair`, `skin`, `skin-shadow`, `line` (the artist's
outlines; `line-supplement` holds extra outlines), `color-foreground` (fills
painted over the lines). Each group is rendered alone in solid black; a pixel
that the group covers at least half belongs to the group's class, and later groups
paint over earlier ones, as in the picture. Uncovered pixels are background.

The label maps share the pairs' names, filters and splits (sketchgen.data.openmoji),
so the test split is the main job's. They are rendered once per size into
`<cache>/openmoji-<version>/<size>px-labels/` with an index.json holding the class
names and each class's pixel frequency on the train split.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from sketchgen.data.io import load_image
from sketchgen.data.labels import load_label_map, to_label_image
from sketchgen.data.openmoji import (SPLITS, SVG_NS, build_openmoji_pairs, openmoji_svg_dir,
                                     publish_render, render_jobs, render_svg)
from sketchgen.data.paired import PairedImageDataset
from sketchgen.registry import DATASETS

CLASSES = ('background', 'colour', 'hair', 'skin', 'skin-shadow', 'line', 'colour-foreground')
GROUP_CLASSES = {'color': 1, 'hair': 2, 'skin': 3, 'skin-shadow': 4, 'line': 5,
                 'line-supplement': 5, 'color-foreground': 6}


def _solid_black(group: ET.Element) -> ET.Element:
    for element in group.iter():
        for attribute in ('fill', 'stroke'):
            if element.get(attribute) not in (None, 'none'):
                element.set(attribute, '#000000')
        for attribute in ('opacity', 'fill-opacity', 'stroke-opacity'):
            element.attrib.pop(attribute, None)
    return group


def render_label_map(svg_path: str | Path, size: int) -> np.ndarray:
    """(size, size) uint8 class indices (`CLASSES`) of one OpenMoji SVG."""
    ET.register_namespace('', SVG_NS)
    root = ET.fromstring(Path(svg_path).read_text(encoding='utf-8'))
    labels = np.zeros((size, size), np.uint8)
    for group in list(root):
        name = group.get('id') or ''
        if group.tag != f'{{{SVG_NS}}}g' or not len(group):
            continue
        if name not in GROUP_CLASSES:
            raise ValueError(f'{svg_path}: top-level group id={name!r} is not one of the '
                             f'OpenMoji groups {sorted(GROUP_CLASSES)}')
        alone = ET.Element(root.tag, root.attrib)
        alone.append(_solid_black(group))
        grey = np.asarray(render_svg(ET.tostring(alone, encoding='unicode'), size).convert('L'))
        labels[grey < 128] = GROUP_CLASSES[name]
    return labels


def _render_one(args) -> None:
    svg_path, out_dir, size = args
    to_label_image(render_label_map(svg_path, size)).save(
        Path(out_dir) / 'label' / f'{Path(svg_path).stem}.png')


def build_openmoji_labels(image_size: int, cache_dir: str | Path | None = None,
                          limit: int | None = None, workers: int | None = None,
                          verbose: bool = True) -> tuple[Path, Path]:
    """Render the label maps of every pair at `image_size` once; returns (the pairs'
    folder, the labels' folder)."""
    pairs = build_openmoji_pairs(image_size, cache_dir, limit=limit, verbose=verbose)
    out = pairs.parent / f'{pairs.name}-labels'
    if (out / 'index.json').exists():
        return pairs, out
    index = json.loads((pairs / 'index.json').read_text())
    names = [n for split in SPLITS for n in index['splits'][split]]
    tmp = Path(tempfile.mkdtemp(prefix=f'.{out.name}-', dir=out.parent))
    (tmp / 'label').mkdir()
    if verbose:
        print(f'Rendering {len(names)} OpenMoji label maps at {image_size}px into {out} '
              '(once)...')
    jobs = [(str(openmoji_svg_dir() / f'{n}.svg'), str(tmp), image_size) for n in names]
    try:
        render_jobs(_render_one, jobs, workers)
        counts = np.zeros(len(CLASSES), np.int64)
        for name in index['splits']['train']:
            labels = np.asarray(load_label_map(tmp / 'label' / f'{name}.png'))
            counts += np.bincount(labels.ravel(), minlength=len(CLASSES))[:len(CLASSES)]
        frequency = {c: round(float(n / max(counts.sum(), 1)), 5)
                     for c, n in zip(CLASSES, counts)}
        (tmp / 'index.json').write_text(json.dumps(dict(
            classes=CLASSES, train_pixel_frequency=frequency, groups=GROUP_CLASSES,
            licence='OpenMoji, the open-source emoji and icon project. CC BY-SA 4.0.')))
        publish_render(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return pairs, out


@DATASETS.register_module()
class OpenMojiSemanticDataset(PairedImageDataset):
    """OpenMoji label map (source, int64 HxW class indices after `ToTensor`) ->
    coloured emoji (target), rendered at `image_size`; 7 classes (`CLASSES`).

    Args: as `OpenMojiPairedDataset` (image_size, split, pipeline, cache_dir, limit,
        cache_decoded).
    """

    num_classes = len(CLASSES)

    def __init__(self, image_size: int = 64, split: str = 'train', pipeline: list | None = None,
                 cache_dir: str | None = None, limit: int | None = None,
                 cache_decoded: bool = False):
        if split not in SPLITS:
            raise ValueError(f'OpenMojiSemanticDataset: split={split!r} is not one of {SPLITS}')
        pairs, labels = build_openmoji_labels(image_size, cache_dir, limit)
        self.names = json.loads((pairs / 'index.json').read_text())['splits'][split]
        if not self.names:
            raise ValueError(f'OpenMojiSemanticDataset: the {split!r} split of {pairs} is '
                             f'empty (limit={limit} is too small to fill every split).')
        self.label_root, self.target_root = labels / 'label', pairs / 'target'
        super().__init__(str(pairs), split=None, layout='folders', pipeline=pipeline,
                         verify=False, cache_decoded=cache_decoded)

    def find_samples(self, folder_names: tuple[str, str]) -> list[dict]:
        return [dict(name=n, A=self.label_root / f'{n}.png', B=self.target_root / f'{n}.png')
                for n in self.names]

    def load_sample(self, index: int) -> dict:
        s = self.samples[index]
        return dict(source=load_label_map(s['A'], self.num_classes), target=load_image(s['B']),
                    name=s['name'])
