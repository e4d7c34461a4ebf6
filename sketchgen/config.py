"""Configs: mmengine `Config` files with `_base_` inheritance and `custom_imports`,
overrides that are checked against what the config really holds, and the
executable-free form a config takes inside a checkpoint.

A config *file* is Python and runs when loaded: that is the user's own file. A
config stored in a checkpoint comes from outside, so it is stored as JSON data
(`config_to_json`) and rebuilt without executing anything (`config_from_json`);
its `custom_imports` are imported only when the caller trusts the checkpoint.
"""
from __future__ import annotations

import ast
import difflib
import importlib
import json
from pathlib import Path

from mmengine.config import Config

# The configs shipped inside the package; 'sketchgen::pix2pix/x.py' names one, in
# a downstream repo's `_base_` or on the command line (mmengine's scope form).
PACKAGE_CONFIGS = Path(__file__).resolve().parent / 'configs'
SCOPE_PREFIX = 'sketchgen::'
KNOWN_KEYS = ('model', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'optim_wrapper',
              'param_scheduler', 'train_cfg', 'default_hooks', 'custom_hooks', 'val_evaluator',
              'test_evaluator', 'work_dir', 'seed', 'custom_imports', 'amp', 'data_root',
              'channels_last', 'compile', 'fused_optimizer', 'small_convs_as_matmul',
              'winograd_convs', 'keep_freed_memory', 'load_from')
REQUIRED_KEYS = ('model',)
# Keys of train_cfg that the trainer reads (the one place that lists them).
TRAIN_CFG_KEYS = ('max_iters', 'val_interval', 'max_nonfinite_skips')
_TUPLE = '__tuple__'


class ConfigError(ValueError):
    """A config, a stored config or an override is wrong; the message names it."""


# ---------------------------------------------------------------------- config files
def resolve_config_path(path: str | Path) -> Path:
    """A config path, or 'sketchgen::<folder>/<file>.py' for one shipped in the package."""
    text = str(path)
    if not text.startswith(SCOPE_PREFIX):
        return Path(path)
    resolved = PACKAGE_CONFIGS / text[len(SCOPE_PREFIX):]
    if not resolved.is_file():
        raise ConfigError(f'{text}: no such config in the installed sketchgen package '
                          f'({PACKAGE_CONFIGS}).')
    return resolved


def _get_cfg_path(cfg_path: str, filename: str):
    """mmengine's `_base_` resolver, with 'sketchgen::' answered from the package
    (mmengine's own lookup needs pkg_resources and a .mim folder)."""
    if cfg_path.startswith(SCOPE_PREFIX):
        return str(resolve_config_path(cfg_path)), None
    return _mmengine_get_cfg_path(cfg_path, filename)


_mmengine_get_cfg_path = Config._get_cfg_path
Config._get_cfg_path = staticmethod(_get_cfg_path)


def load_config(path: str | Path, options: dict | None = None) -> Config:
    """Read a config file, apply `--cfg-options` overrides, and check both."""
    path = resolve_config_path(path)
    if not path.is_file():
        raise ConfigError(f'{path}: config file not found.')
    try:
        cfg = Config.fromfile(str(path))  # imports custom_imports' modules
    except SyntaxError as err:
        # mmengine parses a temporary copy: name the file the user wrote
        where = err.filename if err.filename and Path(err.filename).is_file() \
            and 'tmp' not in Path(err.filename).name else path
        raise ConfigError(f'{where}, line {err.lineno}: syntax error in the config: '
                          f'{err.msg}') from None
    except (ImportError, NameError, TypeError, ValueError, KeyError, AttributeError,
            FileNotFoundError) as err:
        raise ConfigError(f'{path}: the config file could not be loaded: '
                          f'{type(err).__name__}: {err}') from None
    if options:
        apply_overrides(cfg, options, str(path))
    check_config(cfg, str(path))
    return cfg


def check_config(cfg: Config, source: str = 'config') -> None:
    for key in REQUIRED_KEYS:
        if key not in cfg:
            raise ConfigError(f'{source}: the config has no {key!r} entry.')
    for key in cfg.keys():
        if key in KNOWN_KEYS or key.startswith('_'):
            continue
        # Helper variables (max_iters = ..., image_size = ...) are normal in configs;
        # a key that looks like a misspelt known key is not.
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.8)
        if close:
            raise ConfigError(f'{source}: unknown top-level key {key!r}; did you mean '
                              f'{close[0]!r}?')
    train_cfg = cfg.get('train_cfg') or {}
    for key in train_cfg:
        if key not in TRAIN_CFG_KEYS:
            raise ConfigError(f'{source}: train_cfg.{key} is not read by the trainer.'
                              f'{_did_you_mean(key, TRAIN_CFG_KEYS)} It reads: '
                              f'{", ".join(TRAIN_CFG_KEYS)}.')


# ---------------------------------------------------------------------- overrides
def parse_override_value(text: str):
    """`--cfg-options` values: a Python literal (7, 1e-3, True, None, (0.5, 0.999),
    'quoted') when the text is one, else the text itself, spaces kept."""
    lowered = text.strip().lower()
    if lowered in ('true', 'false', 'none'):
        return {'true': True, 'false': False, 'none': None}[lowered]
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_overrides(items: list[str] | None) -> dict:
    """['train_cfg.max_iters=7', 'data_root=/my data'] -> {key: value}."""
    options = {}
    for item in items or []:
        key, sep, value = item.partition('=')
        if not sep or not key.strip():
            raise ConfigError(f'--cfg-options {item!r}: write KEY=VALUE, e.g. '
                              'train_cfg.max_iters=100')
        options[key.strip()] = parse_override_value(value)
    return options


def apply_overrides(cfg: Config, options: dict, source: str = 'config') -> None:
    """Merge `options` ({'a.b.c': value}) into `cfg`, refusing keys that nothing reads
    and values of the wrong type, and naming the closest real key."""
    paths = list(_leaf_paths(cfg.to_dict()))
    for key, value in options.items():
        _check_override(cfg, key, value, paths, source)
    cfg.merge_from_dict(dict(options), allow_list_keys=True)


def _check_override(cfg, key: str, value, paths: list[str], source: str) -> None:
    parts = key.split('.')
    top = parts[0]
    where = f'--cfg-options {key}'
    if top.startswith('_'):
        raise ConfigError(f'{where}: keys starting with "_" are mmengine internals.')
    if top not in KNOWN_KEYS:
        if top in cfg and len(parts) == 1:
            # A helper variable: its value was copied into the entries that use it
            # when the file was read, so changing it now would change nothing.
            raise ConfigError(
                f'{where}: {top!r} is a helper variable of {source}; its value was already '
                f'copied where the file uses it, so overriding it changes nothing.'
                f'{_suggest_paths(parts[-1], paths)}')
        raise ConfigError(f'{where}: the config has no entry {top!r}.'
                          f'{_suggest_paths(parts[-1], paths, KNOWN_KEYS)}')
    if top not in cfg:
        if len(parts) == 1:
            return  # a known entry the file leaves out (e.g. data_root), set here
        raise ConfigError(f'{where}: the config has no {top!r} entry to change.')
    node = cfg[top]
    for depth, part in enumerate(parts[1:], start=1):
        prefix = '.'.join(parts[:depth])
        if isinstance(node, (list, tuple)):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f'{where}: {prefix} is a list of {len(node)}; '
                                  f'{part!r} is not an index into it.')
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                if depth == len(parts) - 1 and 'type' in node:
                    return  # a constructor argument the config leaves at its default;
                    #         the builder checks the name against the class's signature
                raise ConfigError(
                    f'{where}: {prefix} has no key {part!r}.{_did_you_mean(part, node)} '
                    f'Its keys: {", ".join(map(str, node)) or "(none)"}.')
            node = node[part]
        else:
            raise ConfigError(f'{where}: {prefix} is {node!r}, not a dict with keys.')
    _check_type(where, node, value)


def _check_type(where: str, old, new) -> None:
    if old is None or new is None:
        return
    kinds = [(bool, 'True or False'), (int, 'an integer'), (float, 'a number'),
             (str, 'a string'), ((list, tuple), 'a list or tuple'), (dict, 'a dict')]
    for kind, words in kinds:
        if isinstance(old, kind):
            ok = isinstance(new, kind)
            if kind is float:
                ok = isinstance(new, (int, float)) and not isinstance(new, bool)
            elif kind is int:
                ok = isinstance(new, int) and not isinstance(new, bool)
            if not ok:
                raise ConfigError(f'{where}={new!r}: expected {words}, like the config\'s '
                                  f'value {old!r}.')
            return


def _leaf_paths(node, prefix: str = ''):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaf_paths(v, f'{prefix}{k}.')
    elif prefix:
        yield prefix[:-1]


def _did_you_mean(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in candidates], n=3, cutoff=0.6)
    return f' Did you mean {", ".join(repr(c) for c in close)}?' if close else ''


def _suggest_paths(leaf: str, paths: list[str], extra=()) -> str:
    same = [p for p in paths if p.split('.')[-1] == leaf and '.' in p]
    if not same:
        names = {p.split('.')[-1]: p for p in paths if '.' in p}
        close = difflib.get_close_matches(leaf, list(names), n=3, cutoff=0.7)
        same = [p for p in paths if p.split('.')[-1] in close and '.' in p]
    same += difflib.get_close_matches(leaf, list(extra), n=1, cutoff=0.7)
    if not same:
        return ''
    return f' The keys read by the trainer and builders are, e.g.: {", ".join(same[:4])}.'


# ---------------------------------------------------------------------- stored configs
def config_to_json(cfg: Config | dict) -> str:
    """The resolved config as JSON data (tuples kept as {"__tuple__": [...]}).
    Raises ConfigError naming the key of a value that is not plain data."""
    data = cfg.to_dict() if hasattr(cfg, 'to_dict') else dict(cfg)
    return json.dumps(_encode(data, ''), sort_keys=False)


def _encode(value, where: str):
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise ConfigError(f'config key {where}{k!r} is not a string; a config stored '
                                  'in a checkpoint must be plain data.')
        return {k: _encode(v, f'{where}{k}.') for k, v in value.items()}
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(f'config value {where[:-1] or "(root)"} = {value!r} is not plain data '
                      '(numbers, strings, lists, dicts); it cannot be stored in a checkpoint.')


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {_TUPLE}:
            return tuple(_decode(v) for v in value[_TUPLE])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def config_from_json(text: str, source: str = 'checkpoint',
                     trust_imports: bool = False) -> Config:
    """Rebuild a config stored by `config_to_json`; nothing in it is executed.

    `custom_imports` it names are imported only with `trust_imports=True`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f'{source}: the stored config is not valid JSON ({err}).') from None
    if not isinstance(data, dict):
        raise ConfigError(f'{source}: the stored config is not a dict of entries.')
    return _checked_stored_config(_decode(data), source, trust_imports)


def config_from_python_text(text: str, source: str = 'checkpoint',
                            trust_imports: bool = False) -> Config:
    """Read the Python-text config that checkpoints before sketchgen 0.2 stored,
    without executing it: only `name = <literal>` lines with dict(...) calls,
    lists, tuples, numbers, strings, True/False/None are accepted."""
    try:
        tree = ast.parse(text, filename=source)
    except SyntaxError as err:
        raise ConfigError(f'{source}: the stored config does not parse (line {err.lineno}: '
                          f'{err.msg}).') from None
    data = {}
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            raise ConfigError(f'{source}: line {statement.lineno} of the stored config is not '
                              f'a plain assignment ({ast.unparse(statement)[:80]!r}); refusing '
                              'to run it.')
        data[statement.targets[0].id] = _literal(statement.value, source)
    return _checked_stored_config(data, source, trust_imports)


def _literal(node: ast.AST, source: str):
    if isinstance(node, ast.Constant) and isinstance(
            node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(n, source) for n in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k, source): _literal(v, source) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == 'dict' and not node.args \
            and all(kw.arg is not None for kw in node.keywords):
        return {kw.arg: _literal(kw.value, source) for kw in node.keywords}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    raise ConfigError(f'{source}: line {getattr(node, "lineno", "?")} of the stored config holds '
                      f'{ast.unparse(node)[:80]!r}, which is not plain data; refusing to run it.')


def _checked_stored_config(data: dict, source: str, trust_imports: bool) -> Config:
    if 'model' not in data or not isinstance(data['model'], dict):
        raise ConfigError(f'{source}: the stored config has no model entry.')
    imports = (data.get('custom_imports') or {}).get('imports', [])
    if isinstance(imports, str):
        imports = [imports]
    if trust_imports:
        for name in imports:
            try:
                importlib.import_module(name)
            except ImportError as err:
                raise ConfigError(f'{source}: custom_imports names {name!r}, which does not '
                                  f'import: {err}') from None
    return Config(data)
