"""A downstream package registers a generator and trains through custom_imports,
with tools/train.py unchanged."""
import sys
from pathlib import Path

from sketchgen.config import load_config
from sketchgen.engine import Trainer
from sketchgen.registry import MODELS

PLUGIN = Path(__file__).resolve().parents[1] / 'docs' / 'example_plugin'


def test_example_plugin_trains_through_custom_imports(tiny_pairs, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN))
    sys.modules.pop('sketchgen_example_plugin', None)
    config = PLUGIN / 'configs' / 'pix2pix_residual_1xb16-2k_openmoji-64px.py'
    dataset = dict(_delete_=True, type='PairedImageDataset', data_root=str(tiny_pairs),
                   layout='folders',
                   split='train', pipeline=[dict(type='ToTensor')])
    cfg = load_config(config, {
        'model.image_size': 32, 'model.generator.base_channels': 8,
        'model.discriminator.base_channels': 8, 'train_dataloader.dataset': dataset,
        'train_dataloader.num_workers': 0, 'val_dataloader.dataset': dict(dataset, split='val'),
        'train_cfg.max_iters': 3, 'default_hooks.evaluation': None,
        'default_hooks.visualization': None,
        'default_hooks.checkpoint': dict(type='CheckpointHook', interval=3),
        'default_hooks.logger': dict(type='LoggerHook', interval=1, progress_bar=False)})
    # custom_imports ran on load: the plugin's class is now in sketchgen's registry
    assert MODELS.get('ResidualConvGenerator') is not None
    trainer = Trainer(cfg, work_dir=tmp_path)
    assert type(trainer.model.generator).__name__ == 'ResidualConvGenerator'
    trainer.train()
    assert (tmp_path / 'checkpoints' / 'iter_000003' / 'model.safetensors').is_file()
    # and the model runs at any size: the plugin's generator has stride 1
    out = trainer.model.infer(__import__('torch').rand(3, 20, 28), keep_size=True)
    assert out.shape == (3, 20, 28)
