"""Files and command lines from outside: a checkpoint never runs code, outputs never
destroy inputs, overrides either take effect or are refused, and every bad input
ends in one line naming the file, key or value (exit code 2)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY, tiny_config
from PIL import Image
from safetensors.torch import load_file, save_file

from sketchgen import checkpoint as ckpt
from sketchgen.apis import init_model
from sketchgen.config import ConfigError, load_config, parse_overrides
from sketchgen.data.io import ImageLoadError, load_image
from sketchgen.registry import MODELS
from sketchgen.tools import run

ROOT = Path(__file__).resolve().parents[1]
FACADES = ROOT / 'configs/pix2pix/pix2pix_unet_1xb1-80k_facades-256px.py'
MAIN = ROOT / 'configs/pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py'


@pytest.fixture(scope='module')
def tiny_checkpoint(tiny_pairs, tmp_path_factory):
    cfg = tiny_config(tiny_pairs, test_dataloader=dict(
        batch_size=4, dataset=dict(type='PairedImageDataset', data_root=str(tiny_pairs),
                                   split='val', layout='folders',
                                   pipeline=[dict(type='ToTensor')])))
    model = MODELS.build(cfg.model)
    folder = tmp_path_factory.mktemp('ckpt') / 'iter_000001'
    return ckpt.save_checkpoint(folder, model, cfg, 1)


def forge(checkpoint: Path, folder: Path, **metadata) -> Path:
    """A copy of `checkpoint` whose metadata is replaced (an attacker's file)."""
    folder.mkdir(parents=True)
    state = load_file(str(checkpoint / 'model.safetensors'))
    save_file(state, str(folder / 'model.safetensors'), metadata=metadata)
    return folder


PAYLOAD = ("import pathlib\npathlib.Path({marker!r}).write_text('pwned')\n"
           "model = dict(type='Pix2Pix')\n")


def test_checkpoint_config_is_json_data(tiny_checkpoint):
    meta = ckpt.read_metadata(tiny_checkpoint)
    assert 'config_json' in meta and 'config' not in meta
    cfg = ckpt.config_from_checkpoint(tiny_checkpoint)
    assert cfg.optim_wrapper.generator.optimizer.betas == (0.5, 0.999)  # tuples survive


@pytest.mark.parametrize('form', ['legacy text', 'expression'])
def test_code_planted_in_a_checkpoint_never_runs(tiny_checkpoint, tmp_path, form, capsys):
    marker = tmp_path / 'MARKER'
    text = PAYLOAD.format(marker=str(marker)) if form == 'legacy text' else (
        f"model = dict(type=__import__('pathlib').Path({str(marker)!r}).write_text('x'))\n")
    bad = forge(tiny_checkpoint, tmp_path / 'bad', config=text, model_type='Pix2Pix')
    with pytest.raises(ConfigError, match='refusing to run it'):
        init_model(bad)
    image = tmp_path / 'in.png'
    Image.new('RGB', (TINY, TINY), 'white').save(image)
    calls = [['infer', '-', str(bad), str(image), '--out', str(tmp_path / 'out')],
             ['test', '-', str(bad), '--out', str(tmp_path / 'test')],
             ['simplify', str(image), '--out', str(tmp_path / 'o.png'), '--checkpoint', str(bad)],
             ['export_model', str(bad), '--out', str(tmp_path / 'export.safetensors')]]
    for call in calls:
        assert run(call[0], call[1:]) == 2, call
        err = capsys.readouterr().err
        assert 'refusing to run it' in err and 'Traceback' not in err, call
    assert not marker.exists()
    assert not (tmp_path / 'export.safetensors').exists()


def test_export_carries_only_parsed_data(tiny_checkpoint, tmp_path):
    legacy = forge(tiny_checkpoint, tmp_path / 'legacy', model_type='Pix2Pix',
                   config=ckpt.config_from_checkpoint(tiny_checkpoint).pretty_text)
    out = tmp_path / 'export.safetensors'
    assert run('export_model', [str(legacy), '--out', str(out)]) == 0
    meta = ckpt.read_metadata(out)
    assert 'config' not in meta and 'config_json' in meta
    assert ckpt.config_from_checkpoint(out).model.type == 'Pix2Pix'


def test_custom_imports_of_a_checkpoint_need_trust(tiny_checkpoint, tmp_path, monkeypatch):
    marker = tmp_path / 'IMPORTED'
    (tmp_path / 'evil_plugin.py').write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = ckpt.config_from_checkpoint(tiny_checkpoint).to_dict()
    cfg['custom_imports'] = dict(imports=['evil_plugin'])
    from sketchgen.config import config_to_json
    bad = forge(tiny_checkpoint, tmp_path / 'bad', config_json=config_to_json(cfg))
    init_model(bad)  # the model itself is built-in: loads, and imports nothing
    assert not marker.exists()
    init_model(bad, trust_imports=True)
    assert marker.exists()
    sys.modules.pop('evil_plugin', None)


def test_damaged_checkpoints_are_named(tiny_checkpoint, tmp_path):
    weights = tiny_checkpoint / 'model.safetensors'
    broken = tmp_path / 'broken'
    broken.mkdir()
    (broken / 'model.safetensors').write_bytes(weights.read_bytes()[:500])
    with pytest.raises(ckpt.CheckpointError, match=str(broken / 'model.safetensors')):
        init_model(broken)
    no_config = forge(tiny_checkpoint, tmp_path / 'noconfig', model_type='Pix2Pix')
    with pytest.raises(ConfigError, match='carries no config'):
        init_model(no_config)


def test_init_model_does_not_import_the_trainer(tiny_checkpoint):
    code = ('import sys; from sketchgen.apis import init_model; '
            f'init_model({str(tiny_checkpoint)!r}); '
            "print(sorted(m for m in sys.modules if m == 'accelerate' "
            "or m.startswith('sketchgen.engine')))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == '[]'


def test_layer_contracts_hold():
    from importlinter.cli import lint_imports
    assert lint_imports(config_filename=str(ROOT / 'pyproject.toml')) == 0


# ---------------------------------------------------------------------- outputs
def test_simplify_never_overwrites_its_input(tmp_path, capsys):
    drawing = tmp_path / 'r.png'
    Image.new('L', (40, 40), 255).save(drawing)
    before = drawing.read_bytes()
    assert run('simplify', [str(drawing), '--out', str(drawing)]) == 2
    assert run('simplify', [str(drawing), '--out', str(tmp_path / 'c.png'),
                            '--svg', str(drawing)]) == 2
    assert run('simplify', [str(drawing), '--out', str(drawing), '--overwrite']) == 2
    assert drawing.read_bytes() == before
    assert 'that is an input file' in capsys.readouterr().err
    assert run('simplify', [str(drawing), '--out', str(tmp_path / 'c.png')]) == 0
    assert run('simplify', [str(drawing), '--out', str(tmp_path / 'c.png')]) == 2
    assert 'pass --overwrite' in capsys.readouterr().err
    assert run('simplify', [str(drawing), '--out', str(tmp_path / 'c.png'), '--overwrite']) == 0


def test_infer_refuses_its_input_folder_and_clashing_names(tiny_checkpoint, tmp_path, capsys):
    folder = tmp_path / 'in'
    folder.mkdir()
    for name in ('a.png', 'b.png'):
        Image.new('RGB', (TINY, TINY), 'white').save(folder / name)
    Image.new('RGB', (TINY, TINY), 'white').save(tmp_path / 'a.jpg')
    before = (folder / 'a.png').read_bytes()
    assert run('infer', ['-', str(tiny_checkpoint), str(folder), '--out', str(folder)]) == 2
    assert (folder / 'a.png').read_bytes() == before
    assert run('infer', ['-', str(tiny_checkpoint), str(folder), str(tmp_path / 'a.jpg'),
                         '--out', str(tmp_path / 'out')]) == 2
    assert 'would both be written to' in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()
    assert run('infer', ['-', str(tiny_checkpoint), str(folder), '--out',
                         str(tmp_path / 'out')]) == 0
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == ['a.png', 'b.png']


# ---------------------------------------------------------------------- overrides
def test_data_root_override_reaches_every_data_set():
    cfg = load_config(FACADES, {'data_root': '/my data/facades'})
    from sketchgen.data.loader import build_dataset
    for split in ('train', 'val', 'test'):
        with pytest.raises(FileNotFoundError, match='/my data/facades'):
            build_dataset(cfg, split)


@pytest.mark.parametrize('key,value,expected', [
    ('max_iters', 7, "helper variable.*train_cfg.max_iters"),
    ('train_cfg.max_iter', 7, "no key 'max_iter'.*Did you mean 'max_iters'"),
    ('lr', 0.1, r'no entry .lr.*optim_wrapper.generator.optimizer.lr'),
    ('train_cfg.max_iters', 'abc', 'expected an integer'),
    ('model.generator.base_channels', 1.5, 'expected an integer'),
    ('optim_wrapper.generator.optimizer.lr', 'fast', 'expected a number'),
    ('model.generator.base_chanels', 8, None),  # typed dict: checked at build, below
])
def test_overrides_that_would_do_nothing_are_refused(key, value, expected):
    if expected is None:
        cfg = load_config(MAIN, {key: value})
        with pytest.raises(TypeError, match="'base_channels'"):
            MODELS.build(cfg.model)
        return
    with pytest.raises(ConfigError, match=expected):
        load_config(MAIN, {key: value})


def test_data_root_on_a_config_that_reads_none_is_refused(tiny_pairs):
    cfg = load_config(MAIN, {'data_root': '/somewhere'})
    from sketchgen.data.loader import build_dataset
    with pytest.raises(ConfigError, match='takes no data_root'):
        build_dataset(cfg, 'train')


def test_override_values_keep_spaces_and_parse_literals():
    assert parse_overrides(['data_root=/my data/x y', 'a.b=7', 'c=(0.5, 0.9)', 'd=true',
                            "e='quoted'", 'f=1e-3']) == {
        'data_root': '/my data/x y', 'a.b': 7, 'c': (0.5, 0.9), 'd': True, 'e': 'quoted',
        'f': 1e-3}
    with pytest.raises(ConfigError, match='KEY=VALUE'):
        parse_overrides(['no_equals_sign'])


# ---------------------------------------------------------------------- errors
def test_config_syntax_error_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / 'bad.py'
    bad.write_text("model = dict(type='Pix2Pix'\ntrain_cfg = 1\n")
    with pytest.raises(ConfigError, match=f'{bad}, line'):
        load_config(bad)
    assert run('train', [str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and 'Traceback' not in err


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('model = (\n')
    with pytest.raises(ConfigError):
        run('train', [str(bad), '--debug'])


def test_negative_num_samples_is_refused(tiny_checkpoint, tmp_path, capsys):
    assert run('test', ['-', str(tiny_checkpoint), '--num-samples', '-5',
                        '--out', str(tmp_path)]) == 2
    assert '--num-samples -5' in capsys.readouterr().err


def test_exif_rotation_is_applied(tmp_path):
    image = Image.new('RGB', (40, 20), 'white')
    image.putpixel((0, 0), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to view
    image.save(tmp_path / 'photo.jpg', exif=exif, quality=100)
    loaded = load_image(tmp_path / 'photo.jpg')
    assert loaded.size == (20, 40)


def test_int32_images_with_8_bit_values_are_not_black(tmp_path):
    Image.fromarray(np.full((8, 8), 200, np.int32)).save(tmp_path / 'int32.tif')
    assert Image.open(tmp_path / 'int32.tif').mode == 'I'
    assert np.asarray(load_image(tmp_path / 'int32.tif'))[0, 0, 0] == 200


def test_decompression_bomb_names_the_file(tmp_path, monkeypatch):
    Image.new('L', (100, 100)).save(tmp_path / 'bomb.png')
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 1000)  # 10k pixels > 2x the limit
    with pytest.raises(ImageLoadError, match=f'{tmp_path / "bomb.png"}.*decompression bomb'):
        load_image(tmp_path / 'bomb.png')
