"""End to end: Pix2Pix learns, resumes exactly, and never loses a checkpoint."""
import json

import pytest
import torch
from safetensors.torch import load_file

from conftest import TINY, tiny_config
from sketchgen.engine import Trainer
from sketchgen import checkpoint as ckpt
from sketchgen.engine.hooks import Hook


def read_log(work_dir):
    lines = [json.loads(line) for line in (work_dir / 'log.jsonl').read_text().splitlines()]
    return [line for line in lines if 'loss_pixel' in line]


def test_pixel_loss_falls_on_eight_tiny_pairs(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=40, val_interval=0),
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(interval=40, save_best=None)))
    Trainer(cfg, work_dir=tmp_path).train()
    losses = [line['loss_pixel'] for line in read_log(tmp_path)]
    assert len(losses) == 40
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.6 * first, (first, last)


def test_run_writes_config_logs_grids_checkpoints(tiny_pairs, tmp_path):
    Trainer(tiny_config(tiny_pairs), work_dir=tmp_path, run_name='tiny').train()
    assert (tmp_path / 'tiny.py').is_file() and (tmp_path / 'training_options.json').is_file()
    assert list((tmp_path / 'tensorboard').iterdir())
    assert sorted(p.name for p in (tmp_path / 'vis').iterdir()) == ['iter_000003.png',
                                                                    'iter_000006.png']
    assert [n for n, _ in ckpt.list_checkpoints(tmp_path / 'checkpoints')] == [3, 6]
    assert (tmp_path / 'checkpoints' / 'best_PSNR' / 'model.safetensors').is_file()
    metric_lines = [json.loads(line) for line in (tmp_path / 'log.jsonl').read_text().splitlines()
                    if 'val/PSNR' in line]
    assert [m['iter'] for m in metric_lines] == [3, 6]
    assert metric_lines[0]['val/num_samples'] == 8


def test_learning_rate_decays_linearly_in_second_half(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, default_hooks=dict(visualization=None, evaluation=None,
                                                     checkpoint=dict(save_best=None)))
    Trainer(cfg, work_dir=tmp_path).train()
    lrs = [line['lr_generator'] for line in read_log(tmp_path)]
    # max_iters 6, decay from iteration 3: factor after step k is 1 - max(0, k - 3) / 3
    expected = [2e-3 * (1 - max(0, k - 3) / 3) for k in range(1, 7)]
    assert lrs == pytest.approx(expected)


class StopAt(Hook):
    """Simulates a kill (Ctrl-C) right after iteration `n`."""
    priority = 100

    def __init__(self, n):
        self.n = n

    def after_train_iter(self, trainer, outputs):
        if trainer.iteration == self.n:
            raise KeyboardInterrupt


def test_resume_is_bit_identical_to_an_uninterrupted_run(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=6, val_interval=0),
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(interval=100, save_best=None)))
    straight = tmp_path / 'straight'
    Trainer(cfg, work_dir=straight).train()

    interrupted = tmp_path / 'interrupted'
    trainer = Trainer(cfg, work_dir=interrupted)
    trainer.hooks.append(StopAt(3))
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    # the interruption itself left a checkpoint at iteration 3
    assert [n for n, _ in ckpt.list_checkpoints(interrupted / 'checkpoints')] == [3]
    Trainer(cfg, work_dir=interrupted, resume=True).train()

    a = load_file(str(straight / 'checkpoints' / 'iter_000006' / 'model.safetensors'))
    b = load_file(str(interrupted / 'checkpoints' / 'iter_000006' / 'model.safetensors'))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    # the losses after the resume point match the uninterrupted run exactly
    def losses(work_dir):
        return [{k: v for k, v in line.items() if k.startswith('loss')}
                for line in read_log(work_dir)]
    assert losses(interrupted)[3:] == losses(straight)[3:]


def test_interrupted_checkpoint_write_keeps_the_previous_one(tiny_pairs, tmp_path,
                                                              monkeypatch):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=6, val_interval=0),
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(interval=3, save_best=None)))
    real_save = torch.save

    def dies_halfway(obj, path, *args, **kwargs):
        if '000006' in str(path):
            with open(path, 'wb') as fh:
                fh.write(b'half a file')
            raise OSError('disk full (simulated)')
        return real_save(obj, path, *args, **kwargs)

    monkeypatch.setattr(ckpt.torch, 'save', dies_halfway)
    with pytest.raises(OSError, match='simulated'):
        Trainer(cfg, work_dir=tmp_path).train()
    found = ckpt.list_checkpoints(tmp_path / 'checkpoints')
    assert [n for n, _ in found] == [3]
    assert not [p for p in (tmp_path / 'checkpoints').iterdir() if 'tmp' in p.name]
    monkeypatch.setattr(ckpt.torch, 'save', real_save)
    resumed = Trainer(cfg, work_dir=tmp_path, resume=True)
    resumed.resume()
    assert resumed.iteration == 3


def test_dry_run_writes_nothing(tiny_pairs, tmp_path):
    work_dir = tmp_path / 'never'
    outputs = Trainer(tiny_config(tiny_pairs), work_dir=work_dir, dry_run=True).train()
    assert set(outputs) >= {'loss_d', 'loss_g_gan', 'loss_pixel'}
    assert not work_dir.exists()


def test_checkpoint_into_other_architecture_names_the_keys(tiny_pairs, tmp_path):
    Trainer(tiny_config(tiny_pairs), work_dir=tmp_path).train()
    from sketchgen.registry import MODELS
    other = MODELS.build(dict(type='Pix2Pix', image_size=TINY,
                              generator=dict(type='UnetGenerator', image_size=TINY,
                                             base_channels=16),
                              discriminator=dict(type='PatchDiscriminator', base_channels=8,
                                                 n_layers=3)))
    with pytest.raises(ckpt.CheckpointMismatchError) as err:
        ckpt.load_weights(other, tmp_path / 'checkpoints' / 'iter_000006')
    message = str(err.value)
    assert 'shape mismatch' in message and 'generator.model.model.0.weight' in message
    assert 'missing from the checkpoint' in message  # the extra discriminator layer
    assert 'saved from Pix2Pix' in message


def test_training_state_loads_with_weights_only(tiny_pairs, tmp_path):
    Trainer(tiny_config(tiny_pairs), work_dir=tmp_path).train()
    state = torch.load(tmp_path / 'checkpoints' / 'iter_000006' / 'training_state.pt',
                       weights_only=True)
    assert state['iteration'] == 6 and set(state['optimizers']) == {'generator',
                                                                    'discriminator'}


def test_ema_generator_tracks_the_generator(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, model=dict(ema_decay=0.5),
                      custom_hooks=[dict(type='EMAHook')],
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(save_best=None)))
    trainer = Trainer(cfg, work_dir=tmp_path)
    before = [p.clone() for p in trainer.model.generator_ema.parameters()]
    trainer.train()
    ema, online = trainer.model.generator_ema, trainer.model.generator
    assert all(not p.requires_grad for p in ema.parameters())
    changed = [not torch.equal(b, p) for b, p in zip(before, ema.parameters())]
    assert any(changed)
    assert any(not torch.equal(e, o) for e, o in zip(ema.parameters(), online.parameters()))
    assert trainer.model.inference_generator is ema


def test_an_ema_checkpoint_runs_the_average_unless_asked_for_the_online_generator(
        tiny_pairs, tmp_path):
    from sketchgen.apis import init_model
    from sketchgen.tools.test import main as test_main

    cfg = tiny_config(tiny_pairs, model=dict(ema_decay=0.5),
                      custom_hooks=[dict(type='EMAHook')],
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(save_best=None)))
    cfg.test_dataloader = cfg.val_dataloader
    trainer = Trainer(cfg, work_dir=tmp_path)
    trainer.train()
    last = tmp_path / 'checkpoints' / 'iter_000006'
    x = torch.rand(2, 3, TINY, TINY) * 2 - 1
    with torch.no_grad():
        want_ema = trainer.model.generator_ema.eval()(x)
        want_online = trainer.model.generator.eval()(x)
    assert not torch.allclose(want_ema, want_online)
    assert torch.allclose(init_model(last).generate(x), want_ema, atol=1e-6)
    assert torch.allclose(init_model(last, ema=False).generate(x), want_online, atol=1e-6)

    assert test_main(['-', str(last), '--no-ema', '--metrics', 'PSNR',
                      '--out', str(tmp_path / 'online')]) == 0
    assert test_main(['-', str(last), '--metrics', 'PSNR', '--out', str(tmp_path / 'ema')]) == 0
    reports = {name: json.loads((tmp_path / name / 'metrics.json').read_text())
               for name in ('online', 'ema')}
    assert reports['online']['settings']['generator'] == 'online'
    assert reports['ema']['settings']['generator'] == 'ema'
    assert reports['online']['metrics']['PSNR'] != reports['ema']['metrics']['PSNR']


def test_ema_hook_without_ema_model_says_what_to_set(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, custom_hooks=[dict(type='EMAHook')])
    with pytest.raises(ValueError, match='set ema_decay in the model config'):
        Trainer(cfg, work_dir=tmp_path).train()


def test_load_from_starts_a_new_run_from_another_runs_weights(tiny_pairs, tmp_path,
                                                               monkeypatch):
    quiet = dict(visualization=None, evaluation=None, checkpoint=dict(interval=100,
                                                                      save_best=None))
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=4, val_interval=0),
                      default_hooks=quiet)
    Trainer(cfg, work_dir=tmp_path / 'first').train()
    first = tmp_path / 'first' / 'checkpoints' / 'iter_000004'
    trained = load_file(str(first / 'model.safetensors'))

    # By path: every network starts from those weights, the iteration count and the
    # schedule from zero (the learning rate is the config's full one again).
    finetune = tiny_config(tiny_pairs, train_cfg=dict(max_iters=2, val_interval=0),
                           default_hooks=quiet, load_from=str(first))
    trainer = Trainer(finetune, work_dir=tmp_path / 'finetune')
    state = trainer.model.state_dict()
    assert all(torch.equal(state[k], trained[k]) for k in trained)
    assert trainer.iteration == 0
    assert trainer.optimizers['generator'].optimizer.param_groups[0]['lr'] == 2e-3
    assert not trainer.optimizers['generator'].optimizer.state  # fresh Adam moments

    # A checkpoint that --resume finds in the run's own folder wins over load_from.
    trainer.train()
    resumed = Trainer(finetune, work_dir=tmp_path / 'finetune', resume=True)
    resumed.resume()
    own = load_file(str(tmp_path / 'finetune' / 'checkpoints' / 'iter_000002' /
                        'model.safetensors'))
    state = resumed.model.state_dict()
    assert resumed.iteration == 2 and all(torch.equal(state[k], own[k]) for k in own)

    # By the config that trains it: the newest checkpoint in work_dirs/<config name>.
    monkeypatch.chdir(tmp_path)
    config = tmp_path / 'colouriser-64px.py'
    config.write_text('raise SystemExit("load_from ran the config file")\n')
    with pytest.raises(FileNotFoundError, match=r'load_from: .*colouriser-64px.py is not '
                                                r'trained yet .*python tools/train.py'):
        Trainer(tiny_config(tiny_pairs, load_from=str(config)), work_dir=tmp_path / 'x')
    runs = tmp_path / 'work_dirs' / 'colouriser-64px' / 'checkpoints'
    ckpt.save_checkpoint(runs / 'iter_000002', resumed.model, cfg.to_dict(), 2)
    ckpt.save_checkpoint(runs / 'iter_000004', Trainer(finetune, work_dir=tmp_path / 'v').model,
                         cfg.to_dict(), 4)
    by_config = Trainer(tiny_config(tiny_pairs, load_from=str(config)), work_dir=tmp_path / 'y')
    assert all(torch.equal(by_config.model.state_dict()[k], trained[k]) for k in trained)

    # A generator-only file (a zoo export) sets the generator; D keeps its initialisation.
    from safetensors.torch import save_file
    generator_only = tmp_path / 'generator.safetensors'
    save_file({k: v.contiguous() for k, v in trained.items() if k.startswith('generator.')},
              str(generator_only), metadata={'networks': 'generator'})
    fresh = Trainer(tiny_config(tiny_pairs), work_dir=tmp_path / 'u').model.state_dict()
    partly = Trainer(tiny_config(tiny_pairs, load_from=str(generator_only)),
                     work_dir=tmp_path / 't').model.state_dict()
    assert all(torch.equal(partly[k], trained[k]) for k in trained if k.startswith('generator.'))
    assert all(torch.equal(partly[k], fresh[k]) for k in fresh if k.startswith('discriminator.'))
    assert not all(torch.equal(partly[k], fresh[k]) for k in fresh if k.startswith('generator.'))

    # Weights of another architecture are refused, naming the keys.
    wider = tiny_config(tiny_pairs, load_from=str(first),
                        model=dict(generator=dict(base_channels=16)))
    with pytest.raises(ckpt.CheckpointMismatchError, match='shape mismatch'):
        Trainer(wider, work_dir=tmp_path / 'z')
    with pytest.raises(FileNotFoundError, match='load_from: .*nowhere'):
        Trainer(tiny_config(tiny_pairs, load_from=str(tmp_path / 'nowhere')),
                work_dir=tmp_path / 'w')
