"""Registries build everything from configs, and bad configs fail with a hint."""
from pathlib import Path

import pytest
from mmengine.config import Config

from sketchgen.config import ConfigError, load_config
from sketchgen.registry import DATASETS, HOOKS, LOSSES, METRICS, MODELS, UnknownTypeError
from sketchgen.weights import MissingWeightsError

ROOT = Path(__file__).resolve().parents[1]
MAIN_CONFIG = ROOT / 'configs/pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py'


def test_every_registry_holds_its_components():
    for name in ('UnetGenerator', 'PatchDiscriminator', 'Pix2Pix'):
        assert MODELS.get(name) is not None, name
    assert LOSSES.get('GANLoss') is not None and LOSSES.get('L1Loss') is not None
    assert DATASETS.get('OpenMojiPairedDataset') is not None
    assert HOOKS.get('CheckpointHook') is not None
    assert METRICS.get('SSIM') is not None


def test_unknown_type_names_registry_and_closest_names():
    with pytest.raises(UnknownTypeError) as err:
        MODELS.build(dict(type='UnetGenrator'))
    message = str(err.value)
    assert "'model' registry" in message and "Did you mean 'UnetGenerator'" in message
    assert 'custom_imports' in message


def test_misspelt_argument_names_the_closest_argument():
    with pytest.raises(TypeError, match="unknown argument 'base_chanels'.*'base_channels'"):
        MODELS.build(dict(type='UnetGenerator', base_chanels=8))


def test_base_inheritance_overrides_only_what_differs():
    cfg = load_config(MAIN_CONFIG)
    assert cfg.model.type == 'Pix2Pix'
    assert cfg.model.generator.base_channels == 32 and cfg.model.generator.image_size == 64
    # inherited unchanged from _base_/models/pix2pix_unet.py
    assert cfg.model.pixel_loss.loss_weight == 100.0
    assert cfg.model.discriminator.n_layers == 3
    assert cfg.optim_wrapper.generator.optimizer.betas == (0.5, 0.999)


def test_config_round_trip(tmp_path):
    cfg = load_config(MAIN_CONFIG)
    dumped = tmp_path / 'dumped.py'
    cfg.dump(str(dumped))
    again = Config.fromfile(str(dumped))
    assert again.to_dict() == cfg.to_dict()
    assert Config.fromstring(cfg.pretty_text, '.py').to_dict() == cfg.to_dict()


def test_cfg_options_override_nested_keys():
    cfg = load_config(MAIN_CONFIG, {'train_cfg.max_iters': 7,
                                    'model.generator.base_channels': 4})
    assert cfg.train_cfg.max_iters == 7 and cfg.model.generator.base_channels == 4


def test_misspelt_top_level_key_is_refused(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("model = dict(type='Pix2Pix')\noptim_wraper = dict()\n")
    with pytest.raises(ConfigError, match="'optim_wraper'; did you mean 'optim_wrapper'"):
        load_config(bad)


def test_helper_variables_are_allowed(tmp_path):
    ok = tmp_path / 'ok.py'
    ok.write_text("data_root = '/data'\nmodel = dict(type='Pix2Pix')\n")
    assert load_config(ok).data_root == '/data'


def test_every_shipped_config_loads_and_builds_its_model(offline):
    for path in sorted((ROOT / 'configs').rglob('*.py')):
        if '_base_' in path.parts:
            continue
        cfg = load_config(path)
        if (cfg.model.get('perceptual_loss') or {}).get('network', '').startswith('vgg'):
            # VGG weights are not on this machine: the build must say so, then
            # the same config builds with the random features it asks for.
            with pytest.raises(MissingWeightsError, match='vgg'):
                MODELS.build(cfg.model)
            cfg.model.perceptual_loss.pretrained = False
            with pytest.warns(UserWarning, match='randomly initialised'):
                model = MODELS.build(cfg.model)
        else:
            model = MODELS.build(cfg.model)
        # a generator that is not fully convolutional states its size; all agree
        expected = cfg.model.get('generator', {}).get('image_size',
                                                      cfg.model.get('image_size'))
        assert model.image_size == expected, path


def test_a_config_without_type_names_the_missing_key():
    from sketchgen.registry import MODELS
    with pytest.raises(KeyError, match=r"no type= key .*\['generator', 'image_size'\]"):
        MODELS.build(dict(image_size=64, generator=dict(base_channels=32)))
