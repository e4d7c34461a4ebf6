"""Fuzzing (hypothesis, derandomised so CI sees the same cases): 580 malformed images,
configs, checkpoints and command lines. Every case either works or ends in the
library's own error naming the file or key, never a bare traceback, never a hang,
never a half-written file."""
import io
import tempfile
from pathlib import Path

import pytest
from conftest import TINY, tiny_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from sketchgen import checkpoint as ckpt
from sketchgen.apis import init_model
from sketchgen.config import ConfigError, load_config
from sketchgen.data.io import ImageLoadError, load_image
from sketchgen.registry import MODELS, UnknownTypeError
from sketchgen.tools import run

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / 'configs/pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py'
def fuzz(max_examples: int):
    return settings(max_examples=max_examples, derandomize=True, deadline=10_000, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


def mutate(data: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    """Truncate at `cut` (a fraction of 10,000) and overwrite bytes at positions."""
    out = bytearray(data[:max(1, len(data) * cut // 10_000)])
    for position, value in flips:
        if out:
            out[position % len(out)] = value
    return bytes(out)


def valid_png() -> bytes:
    buffer = io.BytesIO()
    Image.new('RGBA', (24, 16), (10, 200, 30, 128)).save(buffer, 'PNG')
    return buffer.getvalue()


def attempt(load, outcomes: set, errors: tuple, *names):
    """`load()`, recording whether it worked; a refusal must be one of `errors` and
    name one of `names` (the file at fault)."""
    try:
        result = load()
    except errors as err:
        assert any(str(n) in str(err) for n in names), err
        outcomes.add('refused')
        return None
    outcomes.add('loaded')
    return result


def names_the_component(err: Exception) -> bool:
    """A builder's error names the registry type, the argument or the class at fault."""
    return any(word in str(err) for word in ('type=', 'argument', *MODELS.module_dict))


mutations = st.tuples(st.integers(0, 10_000),
                      st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255)),
                               max_size=6))


def test_malformed_images_are_named(tmp_path):
    seen = []
    png = valid_png()

    @fuzz(200)
    @given(mutation=mutations, raw=st.booleans(), junk=st.binary(max_size=64))
    def case(mutation, raw, junk):
        data = junk if raw else mutate(png, *mutation)
        path = tmp_path / f'case{len(seen)}.png'
        path.write_bytes(data)
        seen.append(path)
        image = attempt(lambda: load_image(path), outcomes, (ImageLoadError,), path)
        assert image is None or image.mode == 'RGB'
    outcomes = set()
    case()
    assert len(seen) >= 200 and outcomes == {'loaded', 'refused'}


def test_malformed_configs_are_named(tmp_path):
    seen = []
    text = MAIN.read_text()
    base = (ROOT / 'configs/pix2pix').resolve()

    @fuzz(150)
    @given(position=st.integers(0, 10 ** 6), length=st.integers(0, 12),
           insert=st.sampled_from(['', '(', ')', ']', "'", '=', ':', 'dict(', ',,', 'None',
                                   '\n  ', '#', 'x=', '"', '{']))
    def case(position, length, insert):
        position %= len(text)
        mutated = text[:position] + insert + text[position + length:]
        # keep the relative _base_ paths meaningful from the temporary folder
        mutated = mutated.replace("'../_base_/", f"'{base.parent}/_base_/")
        path = tmp_path / f'config{len(seen)}.py'
        path.write_text(mutated)
        seen.append(path)
        cfg = attempt(lambda: load_config(path), outcomes, (ConfigError,), path, base.parent)
        if cfg is not None:
            try:
                MODELS.build(cfg.model)
            except (UnknownTypeError, TypeError, ValueError, KeyError) as err:
                assert names_the_component(err), err
    outcomes = set()
    case()
    assert len(seen) >= 150 and outcomes == {'loaded', 'refused'}


@pytest.fixture(scope='module')
def tiny_checkpoint(tiny_pairs, tmp_path_factory):
    cfg = tiny_config(tiny_pairs)
    folder = tmp_path_factory.mktemp('fuzz_ckpt') / 'iter_000001'
    return ckpt.save_checkpoint(folder, MODELS.build(cfg.model), cfg, 1)


def test_malformed_checkpoints_are_named(tiny_checkpoint, tmp_path):
    seen = []
    data = (tiny_checkpoint / 'model.safetensors').read_bytes()
    header_end = 8 + int.from_bytes(data[:8], 'little')

    @fuzz(130)
    @given(mutation=mutations, in_header=st.booleans())
    def case(mutation, in_header):
        cut, flips = mutation
        if in_header:  # damage the JSON header, where the config lives
            flips = [(p % header_end, v) for p, v in flips]
            cut = 10_000
        folder = tmp_path / f'ckpt{len(seen)}'
        folder.mkdir()
        weights = folder / 'model.safetensors'
        weights.write_bytes(mutate(data, cut, flips))
        seen.append(folder)
        try:
            model = attempt(lambda: init_model(folder), outcomes,
                            (ckpt.CheckpointError, ckpt.CheckpointMismatchError, ConfigError),
                            weights, folder)
        except (UnknownTypeError, TypeError, ValueError, KeyError) as err:
            # a header byte turned a config value into another valid one
            assert names_the_component(err), err
            return
        if model is not None:
            assert model.infer(Image.new('RGB', (TINY, TINY))).size == (TINY, TINY)
    outcomes = set()
    case()
    assert len(seen) >= 130 and outcomes == {'loaded', 'refused'}


def test_malformed_command_lines_end_in_one_line(tiny_checkpoint, tmp_path, capsys):
    seen = []
    corrupt = tmp_path / 'corrupt.png'
    corrupt.write_bytes(valid_png()[:40])
    good = tmp_path / 'good.png'
    Image.new('RGB', (TINY, TINY), 'white').save(good)
    bad_config = tmp_path / 'bad_config.py'
    bad_config.write_text("model = dict(type='NoSuchModel')\ntrain_cfg = dict(max_iters=1)\n")
    words = ['-', str(tiny_checkpoint), str(corrupt), str(good), str(bad_config),
             str(tmp_path / 'missing.png'), str(tmp_path / 'missing_dir'), '--out',
             str(tmp_path / 'out'), '--num-samples', '0', '-5', 'abc', '--cfg-options',
             'train_cfg.max_iters=x', 'lr=1', '=', '--scale', '--direction', 'BtoA',
             '--label', 'hair', '--seed', '--metrics', 'PSNR', 'NOPE', '--device', 'cpu']

    @fuzz(100)
    @given(tool=st.sampled_from(['train', 'infer', 'test', 'simplify', 'export_model']),
           argv=st.lists(st.sampled_from(words), max_size=7), skeleton=st.booleans())
    def case(tool, argv, skeleton):
        if skeleton:  # a valid command with random words appended
            out = tmp_path / f'out{len(seen)}'
            argv = {'infer': ['-', str(tiny_checkpoint), str(good), '--out', str(out)],
                    'simplify': [str(good), '--out', f'{out}.png'],
                    'export_model': [str(tiny_checkpoint), '--out', f'{out}.safetensors'],
                    'test': ['-', str(tiny_checkpoint), '--out', str(out)],
                    'train': [str(bad_config)]}[tool] + argv[:2]
        seen.append(argv)
        with tempfile.TemporaryDirectory() as cwd:
            try:
                code = run(tool, argv)
            except SystemExit as exit_:  # argparse: usage line, exit 2
                code = exit_.code
        err = capsys.readouterr().err
        assert 'Traceback' not in err, (tool, argv, err)
        assert code in (0, 2), (tool, argv, code, err)
        codes.add(code)
        if code == 2:
            assert err.strip(), (tool, argv)
        assert not list(Path(cwd).parent.glob(f'{Path(cwd).name}*.tmp*'))
    codes = set()
    case()
    assert len(seen) >= 100 and codes == {0, 2}
    assert not list(tmp_path.rglob('.*.tmp-*'))
