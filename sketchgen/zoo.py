"""The model zoo: names that resolve to verified weight files.

Each algorithm folder of `configs/` holds a `metafile.yml` (mmagic's idea) listing its
models: name, task, config, weights (URL or a file shipped in the package, sha256,
size, format), licence, training data, and results with image counts and the command
that measured them. `model_zoo.md` is generated from these files
(`sketchgen zoo_table`).

    path = download('pix2pix_facades-label2photo')      # cached, verified, converted
    model = init_model('pix2pix_facades-label2photo')   # the same, then loaded

Downloads go through huggingface_hub's HTTP transfer (progress bar, retries, resume of
a partial `.part` file through a Range request); `file://` URLs are copied, for
air-gapped sites. The sha256 is checked before anything is loaded: a mismatch deletes
the file and says so. Where the zoo cannot know a hash (the reference
implementations' published files), the first download records it in the cache and
later loads are checked against that record.

Environment: SKETCHGEN_CACHE (the cache root; weights under `zoo/`), SKETCHGEN_ZOO_URL
(a mirror: `<mirror>/<file name>` replaces every URL), SKETCHGEN_OFFLINE=1 or
HF_HUB_OFFLINE=1 (never download; say where to put the file by hand).
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from sketchgen.data.openmoji import cache_root
from sketchgen.weights import sha256

ZOO_URL_ENV = 'SKETCHGEN_ZOO_URL'
OFFLINE_ENV = 'SKETCHGEN_OFFLINE'
CONFIGS = Path(__file__).resolve().parent / 'configs'
PACKAGE = Path(__file__).resolve().parent
# `weights.format`: our safetensors, or a layout that `sketchgen.convert` turns into one
FORMATS = ('sketchgen', 'pix2pix-reference', 'cyclegan-reference')
TASKS = ('colourise', 'translate', 'simplify', 'cartoonise', 'inpaint', 'synthesise',
         'landmarks')


class ZooError(ValueError):
    """A zoo name, metafile or download that cannot be used; the message says which."""


class ZooIntegrityError(ZooError):
    """A downloaded or cached file whose sha256 is not the expected one (it was deleted)."""


@dataclass(frozen=True)
class ZooModel:
    name: str
    task: str
    config: str
    format: str
    licence: str
    data: str
    metafile: Path
    url: str | None = None
    file: str | None = None   # shipped in the package, relative to sketchgen/
    sha256: str | None = None
    size_bytes: int | None = None
    results: tuple = ()
    make: str | None = None   # the commands that make the file, for unpublished models
    notes: str = ''
    extra: dict = field(default_factory=dict)

    @property
    def available(self) -> str:
        """'package', 'url' or 'retrain' (no published file)."""
        return 'package' if self.file else 'url' if self.url else 'retrain'

    @property
    def filename(self) -> str:
        source = self.file or self.url
        if source is None:
            return f'{self.name}.safetensors'
        return Path(urllib.parse.urlparse(source).path).name


REQUIRED = ('name', 'task', 'config', 'weights', 'licence', 'data')


def _parse_model(row: dict, metafile: Path) -> ZooModel:
    where = f'{metafile}: model {row.get("name", "?")!r}'
    missing = [key for key in REQUIRED if key not in row]
    if missing:
        raise ZooError(f'{where}: missing key(s) {missing}')
    unknown = set(row) - {*REQUIRED, 'results', 'make', 'notes'}
    if unknown:
        raise ZooError(f'{where}: unknown key(s) {sorted(unknown)}')
    if not isinstance(row['name'], str):   # YAML reads `off`, `no`, 1e3 as other types
        raise ZooError(f'{where}: name {row["name"]!r} is not a string; quote it')
    if row['task'] not in TASKS:
        raise ZooError(f'{where}: task {row["task"]!r} is not one of {TASKS}')
    weights = dict(row['weights'])
    unknown = set(weights) - {'url', 'file', 'sha256', 'size_bytes', 'format'}
    if unknown:
        raise ZooError(f'{where}: unknown weights key(s) {sorted(unknown)}')
    fmt = weights.get('format', 'sketchgen')
    if fmt not in FORMATS:
        raise ZooError(f'{where}: weights.format {fmt!r} is not one of {FORMATS}')
    if weights.get('url') and weights.get('file'):
        raise ZooError(f'{where}: give weights.url or weights.file, not both')
    if not weights.get('url') and not weights.get('file') and not row.get('make'):
        raise ZooError(f'{where}: an unpublished model needs `make` (the commands that make it)')
    digest = weights.get('sha256')
    if digest is not None and (len(str(digest)) != 64 or
                               set(str(digest)) - set('0123456789abcdef')):
        raise ZooError(f'{where}: weights.sha256 {digest!r} is not 64 hex digits')
    for result in row.get('results') or ():
        lacking = {'split', 'images', 'metrics', 'command'} - set(result)
        if lacking:
            raise ZooError(f'{where}: a result lacks {sorted(lacking)}')
    return ZooModel(name=row['name'], task=row['task'], config=row['config'], format=fmt,
                    licence=row['licence'], data=row['data'], metafile=metafile,
                    url=weights.get('url'), file=weights.get('file'), sha256=digest,
                    size_bytes=weights.get('size_bytes'),
                    results=tuple(row.get('results') or ()), make=row.get('make'),
                    notes=row.get('notes') or '')


def read_metafile(path: Path) -> dict:
    """{'title', 'intro', 'models': [ZooModel]} of one metafile (YAML, read safely)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding='utf-8'))
    except yaml.YAMLError as err:
        raise ZooError(f'{path}: not valid YAML ({err})') from None
    if not isinstance(data, dict) or not isinstance(data.get('models'), list):
        raise ZooError(f'{path}: a metafile is a mapping with a `models` list')
    return dict(title=data.get('title', path.parent.name), intro=data.get('intro', ''),
                models=[_parse_model(row, Path(path)) for row in data['models']])


def metafiles(configs: Path = CONFIGS) -> list[Path]:
    return sorted(Path(configs).glob('*/metafile.yml'))


@lru_cache(maxsize=None)
def _index(configs: Path) -> dict[str, ZooModel]:
    index: dict[str, ZooModel] = {}
    for path in metafiles(configs):
        for model in read_metafile(path)['models']:
            if model.name in index:
                raise ZooError(f'{path}: model name {model.name!r} is also in '
                               f'{index[model.name].metafile}')
            index[model.name] = model
    return index


def list_models(task: str | None = None) -> list[ZooModel]:
    if task is not None and task not in TASKS:
        raise ZooError(f'task {task!r} is not one of {TASKS}')
    return [m for m in _index(CONFIGS).values() if task is None or m.task == task]


def get(name: str) -> ZooModel:
    index = _index(CONFIGS)
    if name not in index:
        import difflib
        close = difflib.get_close_matches(name, index, n=3)
        hint = f' Did you mean {close}?' if close else ''
        raise ZooError(f'{name!r} is not a model zoo name.{hint} `sketchgen list_models` '
                       'lists them.')
    return index[name]


def is_zoo_name(name) -> bool:
    return isinstance(name, str) and name in _index(CONFIGS)


# ---------------------------------------------------------------------- the cache
def zoo_cache() -> Path:
    return cache_root() / 'zoo'


def _recorded_path() -> Path:
    return zoo_cache() / 'recorded_sha256.json'


def recorded_hashes() -> dict[str, str]:
    path = _recorded_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        raise ZooError(f'{path}: not valid JSON; delete it to record the hashes afresh') \
            from None
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _record_hash(name: str, digest: str) -> None:
    from sketchgen.checkpoint import write_json_atomic
    hashes = recorded_hashes()
    hashes[name] = digest
    write_json_atomic(_recorded_path(), hashes)


def expected_sha256(model: ZooModel) -> str | None:
    return model.sha256 or recorded_hashes().get(model.name)


def offline() -> bool:
    return any(os.environ.get(var, '').lower() in ('1', 'true', 'yes')
               for var in (OFFLINE_ENV, 'HF_HUB_OFFLINE'))


def source_url(model: ZooModel) -> str | None:
    mirror = os.environ.get(ZOO_URL_ENV)
    if mirror:
        return f'{mirror.rstrip("/")}/{model.filename}'
    return model.url


def _verify(model: ZooModel, path: Path, source: str) -> None:
    """Raise ZooIntegrityError (deleting `path`) unless its sha256 is the expected one;
    record it when no hash is known yet."""
    digest, expected = sha256(path), expected_sha256(model)
    if expected is None:
        _record_hash(model.name, digest)
        print(f'{model.name}: the zoo lists no sha256 for {source}; recorded {digest} '
              f'in {_recorded_path()}, and later loads are checked against it.')
        return
    if digest != expected:
        path.unlink()
        where = 'recorded at its first download' if model.sha256 is None else 'in the zoo'
        raise ZooIntegrityError(
            f'{source}: sha256 {digest} is not the one {where} ({expected}); the file was '
            f'deleted. Download it again; if it keeps failing, the file at the source changed'
            + (f' (delete its line in {_recorded_path()} to accept the new one).'
               if model.sha256 is None else '.'))


def _fetch(url: str, part: Path, size: int | None) -> None:
    """Copy (file://) or download `url` into `part`, resuming what it already holds."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == 'file':
        local = Path(urllib.request.url2pathname(parsed.path))
        if not local.is_file():
            raise ZooError(f'{url}: no such file')
        shutil.copyfile(local, part)
        return
    if parsed.scheme not in ('http', 'https'):
        raise ZooError(f'{url}: only http(s):// and file:// URLs are supported')
    from huggingface_hub import file_download
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.file_download import http_get
    # the HTTP client huggingface_hub uses (httpx, or httpx2 in newer releases)
    client = getattr(file_download, 'httpx2', None) or getattr(file_download, 'httpx')
    resume = part.stat().st_size if part.is_file() else 0
    try:
        with open(part, 'ab') as f:
            http_get(url, f, resume_size=resume, expected_size=size,
                     displayed_filename=part.name[:-len('.part')])
    except HfHubHTTPError as err:
        status = getattr(getattr(err, 'response', None), 'status_code', None)
        if status is not None and 400 <= status < 500:
            part.unlink(missing_ok=True)   # nothing to resume from a refused request
        raise ZooError(f'{url}: download failed ({status or err}); '
                       + ('kept the partial file to resume next time' if part.is_file()
                          else 'nothing was saved')) from None
    except (OSError, client.HTTPError) as err:   # unreachable host, timeouts (after retries)
        raise ZooError(f'{url}: download failed ({err}); '
                       + (f'the partial file {part} is kept and the next download resumes it'
                          if part.is_file() and part.stat().st_size else 'nothing was saved')
                       ) from None


def download(name: str) -> Path:
    """The verified local file of zoo model `name` in our safetensors format
    (downloading, checking and converting it on first use)."""
    model = get(name)
    if model.file:
        path = PACKAGE / model.file
        if not path.is_file():
            raise ZooError(f'{name}: the packaged file {path} is missing from this '
                           'installation; reinstall sketchgen')
        _verify(model, path, str(path))
        return path
    folder = zoo_cache() / name
    target = folder / model.filename
    if not target.is_file():
        url = source_url(model)
        if url is None:
            raise ZooError(f'{name}: no file is published for this model. Make it with:\n'
                           f'  {model.make}')
        if offline():
            raise ZooError(
                f'{name}: {target} is not in the cache and downloads are off '
                f'({OFFLINE_ENV}/HF_HUB_OFFLINE). Fetch {url} on a machine with internet '
                f'and place it at {target}, or point {ZOO_URL_ENV} at a mirror folder '
                '(file:///path/to/folder).')
        folder.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + '.part')
        _fetch(url, part, model.size_bytes)
        _verify(model, part, url)
        os.replace(part, target)
    else:
        _verify(model, target, str(target))
    if model.format == 'sketchgen':
        return target
    from sketchgen.convert import convert_reference
    converted = target.with_suffix('.safetensors')
    if not converted.is_file():
        convert_reference(target, converted, model.format, load_config_of(model))
    return converted


def load_config_of(model: ZooModel):
    """The zoo model's config, from the packaged configs."""
    from sketchgen.config import load_config
    path = CONFIGS / Path(model.config).relative_to('configs')
    return load_config(str(path))
