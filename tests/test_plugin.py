"""A downstream package, outside the checkout, registers a generator, inherits a
shipped config by scope and trains through custom_imports; a checkpoint naming
custom_imports does not import them unless trusted."""
import shutil
import sys
from pathlib import Path

import pytest
import torch

from sketchgen.apis import init_model
from sketchgen.config import ConfigError, load_config
from sketchgen.engine import Trainer
from sketchgen.registry import MODELS

PLUGIN = Path(__file__).resolve().parents[1] / 'docs' / 'example_plugin'
CHECKOUT = Path(__file__).resolve().parents[1]


def forget_plugin():
    for name in [m for m in sys.modules if m.startswith('sketchgen_example_plugin')]:
        del sys.modules[name]
    MODELS._module_dict.pop('ResidualConvGenerator', None)


def test_example_plugin_trains_from_outside_the_checkout(tiny_pairs, tmp_path, monkeypatch):
    plugin = shutil.copytree(PLUGIN, tmp_path / 'plugin')
    assert CHECKOUT not in plugin.resolve().parents
    monkeypatch.chdir(plugin)
    monkeypatch.syspath_prepend(str(plugin))
    forget_plugin()
    dataset = dict(_delete_=True, type='PairedImageDataset', data_root=str(tiny_pairs),
                   layout='folders', split='train', pipeline=[dict(type='ToTensor')])
    cfg = load_config('configs/pix2pix_residual_1xb16-2k_openmoji-64px.py', {
        'model.image_size': 32, 'model.generator.base_channels': 8,
        'model.discriminator.base_channels': 8, 'train_dataloader.dataset': dataset,
        'train_dataloader.num_workers': 0, 'val_dataloader.dataset': dict(dataset, split='val'),
        'train_cfg.max_iters': 3, 'default_hooks.evaluation': None,
        'default_hooks.visualization': None,
        'default_hooks.checkpoint': dict(type='CheckpointHook', interval=3),
        'default_hooks.logger': dict(type='LoggerHook', interval=1, progress_bar=False)})
    # the base came from the installed package, not a relative path into the checkout
    assert cfg.optim_wrapper.generator.optimizer.type == 'Adam'
    # custom_imports ran on load: the plugin's class is now in sketchgen's registry
    assert MODELS.get('ResidualConvGenerator') is not None
    trainer = Trainer(cfg, work_dir=tmp_path / 'run')
    assert type(trainer.model.generator).__name__ == 'ResidualConvGenerator'
    trainer.train()
    checkpoint = tmp_path / 'run' / 'checkpoints' / 'iter_000003'
    # and the model runs at any size: the plugin's generator has stride 1
    out = trainer.model.infer(torch.rand(3, 20, 28), keep_size=True)
    assert out.shape == (3, 20, 28)

    # A checkpoint is untrusted: its custom_imports are not imported by default...
    forget_plugin()
    with pytest.raises(ConfigError, match='trust_imports'):
        init_model(checkpoint)
    assert 'sketchgen_example_plugin' not in sys.modules
    # ...only when the user says so.
    model = init_model(checkpoint, trust_imports=True)
    assert type(model.generator).__name__ == 'ResidualConvGenerator'
    forget_plugin()
