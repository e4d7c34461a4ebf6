"""Inference API and the command-line tools on a tiny trained checkpoint."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import TINY, tiny_config
from sketchgen import cli
from sketchgen.apis import init_model
from sketchgen.engine import Trainer


@pytest.fixture(scope='module')
def trained(tiny_pairs, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('trained')
    cfg = tiny_config(tiny_pairs, test_dataloader=dict(
        batch_size=4, dataset=dict(type='PairedImageDataset', data_root=str(tiny_pairs),
                                   split='val', layout='folders',
                                   pipeline=[dict(type='ToTensor')])))
    Trainer(cfg, work_dir=work_dir, run_name='tiny').train()
    return work_dir / 'checkpoints' / 'iter_000006', work_dir / 'tiny.py'


def test_init_model_from_checkpoint_alone_matches_config_plus_checkpoint(trained):
    ckpt, config = trained
    a, b = init_model(ckpt), init_model(config, ckpt)
    x = torch.rand(2, 3, TINY, TINY)
    assert torch.equal(a.infer(x), b.infer(x))
    assert not a.training


def test_infer_accepts_pil_tensor_and_array_and_is_deterministic(trained):
    model = init_model(trained[0])
    pil = Image.fromarray(np.full((50, 70, 3), 255, np.uint8))
    out = model.infer(pil)
    assert isinstance(out, Image.Image) and out.size == (TINY, TINY)  # training size
    outs = model.infer([pil, np.zeros((TINY, TINY, 3), np.uint8)])
    assert len(outs) == 2 and all(isinstance(o, Image.Image) for o in outs)
    t = torch.rand(3, TINY, TINY)
    y = model.infer(t)
    assert y.shape == (3, TINY, TINY) and 0 <= y.min() and y.max() <= 1
    assert torch.equal(y, model.infer(t))  # test_mode='eval' is deterministic


def test_infer_keep_size_needs_a_multiple_of_the_stride(trained):
    model = init_model(trained[0])
    assert model.infer(torch.rand(3, 64, 96), keep_size=True).shape == (3, 64, 96)
    with pytest.raises(ValueError, match='not divisible by the generator stride 32'):
        model.infer(torch.rand(3, 50, 64), keep_size=True)


def test_train_mode_inference_is_stochastic():
    """test_mode='train' keeps the paper's dropout at test time; 'eval' does not."""
    from sketchgen.registry import MODELS
    cfg = dict(type='Pix2Pix', image_size=64, test_mode='train',
               generator=dict(type='UnetGenerator', image_size=64, base_channels=4),
               discriminator=dict(type='PatchDiscriminator', base_channels=4))
    model = MODELS.build(cfg)
    x = torch.rand(2, 3, 64, 64)
    assert not torch.equal(model.infer(x), model.infer(x))
    model.test_mode = 'eval'
    assert torch.equal(model.infer(x), model.infer(x))


def test_infer_tool_colours_a_folder(trained, tiny_pairs, tmp_path):
    ckpt, config = trained
    out = tmp_path / 'out'
    assert cli.main(['infer', str(config), str(ckpt), str(tiny_pairs / 'val' / 'A'),
                     '--out', str(out)]) == 0
    written = sorted(out.iterdir())
    assert len(written) == 8 and Image.open(written[0]).size == (TINY, TINY)


def test_test_tool_writes_metrics(trained, tmp_path):
    ckpt, _ = trained
    out = tmp_path / 'eval'
    names = ['PSNR', 'SSIM', 'L1', 'GramDistance', 'FID-EffLite0', 'KID-EffLite0']
    assert cli.main(['test', '-', str(ckpt), '--out', str(out), '--metrics', *names]) == 0
    report = json.loads((out / 'metrics.json').read_text())
    assert report['num_samples'] == 8
    assert list(report['metrics']) == names
    assert 0 < report['metrics']['SSIM'] <= 1
    for name in names:
        assert report['settings']['metrics'][name]['num_samples'] == 8
    network = report['settings']['metrics']['FID-EffLite0']['feature_network']
    assert len(network['sha256']) == 64 and network['features'] == 1280
    assert report['versions']['clean-fid'] and report['versions']['torch']
    table = (out / 'metrics.md').read_text()
    assert '| FID-EffLite0 |' in table and '| 8 |' in table
    generated, real = sorted((out / 'generated').iterdir()), sorted((out / 'real').iterdir())
    assert len(generated) == len(real) == 8
    grid = Image.open(out / 'grid.png')  # (source | generated | target) rows
    assert grid.size[0] == 3 * TINY + 4 * 2 and (grid.size[1] - 2) % (TINY + 2) == 0

    # Any other tool recomputes the same FID from the saved images.
    from cleanfid import fid as cleanfid
    from sketchgen.evaluation import build_feature_network
    network = build_feature_network(dict(type='EfficientNetLite0', mode='clean', weights=None))
    recomputed = cleanfid.compute_fid(
        str(out / 'generated'), str(out / 'real'), mode='clean', num_workers=0,
        custom_feat_extractor=network.model_fn, custom_fn_resize=network.resize,
        device=torch.device('cpu'), verbose=False)
    assert recomputed == pytest.approx(report['metrics']['FID-EffLite0'], rel=1e-4)


def test_test_tool_baseline_scores_the_source_itself(trained, tiny_pairs, tmp_path):
    ckpt, _ = trained
    out = tmp_path / 'baseline'
    assert cli.main(['test', '-', str(ckpt), '--out', str(out), '--metrics', 'L1',
                     '--baseline', 'source']) == 0
    report = json.loads((out / 'metrics.json').read_text())
    assert report['baseline'] == 'source' and report['num_samples'] == 8
    load = lambda p: np.asarray(Image.open(p).convert('RGB'), np.float64) / 255  # noqa: E731
    by_hand = np.mean([np.abs(load(p) - load(tiny_pairs / 'val' / 'B' / p.name)).mean()
                       for p in sorted((tiny_pairs / 'val' / 'A').iterdir())])
    assert report['metrics']['L1'] == pytest.approx(by_hand, abs=1e-3)
    assert 'baseline' in (out / 'metrics.md').read_text()


def test_best_checkpoint_follows_the_metric_direction(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, val_evaluator=[dict(type='PSNR'), dict(type='L1')])
    cfg.default_hooks.checkpoint.save_best = 'L1'  # lower is better, without saying so
    trainer = Trainer(cfg, work_dir=tmp_path, run_name='best')
    trainer.train()
    logged = [json.loads(line) for line in (tmp_path / 'log.jsonl').read_text().splitlines()]
    l1 = {r['iter']: r['val/L1'] for r in logged if 'val/L1' in r}
    hook = next(h for h in trainer.hooks if type(h).__name__ == 'CheckpointHook')
    assert hook.best_iteration == min(l1, key=l1.get)
    assert (tmp_path / 'checkpoints' / 'best_L1').is_dir()


def test_train_tool_dry_run(tiny_pairs, tmp_path, capsys):
    config = tmp_path / 'tiny.py'
    tiny_config(tiny_pairs).dump(str(config))
    assert cli.main(['train', str(config), '--dry-run', '--work-dir', str(tmp_path / 'w'),
                     '--cfg-options', 'model.generator.base_channels=4']) == 0
    assert 'Dry run: one iteration OK' in capsys.readouterr().out
    assert not (tmp_path / 'w').exists()


def test_cli_unknown_tool():
    assert cli.main(['paint']) == 2
