"""Training that survives faults: divergence stops with a message and never leaves a
non-finite checkpoint; stops save at iteration boundaries; damaged checkpoints are
named and skipped; optimiser groups and schedulers are checked and built by name."""
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import tiny_config
from safetensors.torch import load_file

from sketchgen import checkpoint as ckpt
from sketchgen.config import ConfigError
from sketchgen.engine import Trainer
from sketchgen.engine.trainer import NonFiniteLossError

QUIET_HOOKS = dict(visualization=None, evaluation=None,
                   logger=dict(type='LoggerHook', interval=1, progress_bar=False))


def diverging_config(tiny_pairs, **train_cfg):
    """Sane for 4 iterations (a checkpoint at 3), then a learning rate of 2e26."""
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=12, val_interval=3, **train_cfg))
    cfg.param_scheduler = dict(type='MultiStepLR', milestones=[4], gamma=1e30, by_epoch=False)
    return cfg


def test_divergence_stops_naming_loss_iteration_and_last_good_checkpoint(tiny_pairs, tmp_path):
    trainer = Trainer(diverging_config(tiny_pairs), work_dir=tmp_path)
    with pytest.raises(NonFiniteLossError) as err:
        trainer.train()
    message = str(err.value)
    assert f'iteration {trainer.iteration + 1}' in message and 'loss_' in message
    assert 'nan' in message or 'inf' in message
    found = ckpt.list_checkpoints(tmp_path / 'checkpoints')
    assert found[-1][0] < trainer.iteration + 1 and str(found[-1][1]) in message
    # every checkpoint on disk is finite, the best one included
    for folder in (tmp_path / 'checkpoints').iterdir():
        assert not ckpt.non_finite_tensors(load_file(str(folder / 'model.safetensors'))), folder


def nan_pixel_loss_at(trainer, monkeypatch, calls):
    """The pixel loss is NaN on the given (1-based) calls: a transient bad batch."""
    loss, count = trainer.model.pixel_loss, [0]
    real_forward = loss.forward

    def forward(*args):
        count[0] += 1
        return real_forward(*args) * (float('nan') if count[0] in calls else 1.0)
    monkeypatch.setattr(loss, 'forward', forward)


def test_nonfinite_steps_are_skipped_up_to_a_limit(tiny_pairs, tmp_path, monkeypatch):
    cfg = tiny_config(tiny_pairs, default_hooks=QUIET_HOOKS,
                      train_cfg=dict(max_iters=6, max_nonfinite_skips=2))
    trainer = Trainer(cfg, work_dir=tmp_path / 'a')
    nan_pixel_loss_at(trainer, monkeypatch, {2, 4})
    trainer.train()  # two bad steps are allowed: the run completes, finite
    assert trainer.iteration == 6 and trainer.nonfinite_steps == 2
    assert trainer.optimizers['generator'].skipped_steps == 2
    assert trainer.optimizers['discriminator'].skipped_steps == 0
    assert not ckpt.non_finite_tensors(trainer.model.state_dict())

    cfg = tiny_config(tiny_pairs, default_hooks=QUIET_HOOKS,
                      train_cfg=dict(max_iters=6, max_nonfinite_skips=1))
    trainer = Trainer(cfg, work_dir=tmp_path / 'b')
    nan_pixel_loss_at(trainer, monkeypatch, {2, 4})
    with pytest.raises(NonFiniteLossError, match='iteration 4: loss_pixel=nan'):
        trainer.train()


def test_nonfinite_weights_are_never_saved(tmp_path):
    net = torch.nn.Linear(2, 2)
    with torch.no_grad():
        net.weight[0, 0] = float('nan')
    with pytest.raises(ckpt.NonFiniteWeightsError, match='weight'):
        ckpt.save_checkpoint(tmp_path / 'iter_000001', net, dict(model=dict(type='X')), 1)
    assert not any(tmp_path.iterdir())


def test_nan_metric_is_never_best(tiny_pairs, tmp_path, monkeypatch):
    trainer = Trainer(tiny_config(tiny_pairs, default_hooks=dict(visualization=None)),
                      work_dir=tmp_path)
    monkeypatch.setattr(trainer, 'evaluate',
                        lambda max_samples=None: dict(PSNR=float('nan'), SSIM=0.5))
    trainer.train()
    assert not (tmp_path / 'checkpoints' / 'best_PSNR').exists()


def test_checkpoint_interval_zero_is_refused(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, default_hooks=dict(checkpoint=dict(interval=0)))
    with pytest.raises(ValueError, match='checkpoint.interval=0'):
        Trainer(cfg, work_dir=tmp_path)


def test_error_inside_an_iteration_saves_nothing_half_updated(tiny_pairs, tmp_path,
                                                              monkeypatch):
    cfg = tiny_config(tiny_pairs, default_hooks=dict(visualization=None, evaluation=None,
                                                     checkpoint=dict(interval=2)))
    trainer = Trainer(cfg, work_dir=tmp_path)
    real_step = trainer.model.train_step

    def step_then_interrupt(batch, optimizers, iteration):
        out = real_step(batch, optimizers, iteration)  # weights already updated
        if iteration == 2:
            raise KeyboardInterrupt
        return out
    monkeypatch.setattr(trainer.model, 'train_step', step_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    # iteration 3 was half done: only the boundary checkpoint at 2 exists
    assert [n for n, _ in ckpt.list_checkpoints(tmp_path / 'checkpoints')] == [2]


def test_error_between_iterations_leaves_a_resumable_checkpoint(tiny_pairs, tmp_path,
                                                                monkeypatch):
    cfg = tiny_config(tiny_pairs, default_hooks=dict(visualization=None, evaluation=None,
                                                     checkpoint=dict(interval=100)))
    trainer = Trainer(cfg, work_dir=tmp_path)
    loader = trainer.train_loader

    def failing_loader(start):
        inner = iter(loader(start))
        for i in range(4):
            yield next(inner)
        raise OSError('disk went away')
    monkeypatch.setattr(trainer, 'train_loader', failing_loader)
    with pytest.raises(OSError):
        trainer.train()
    assert [n for n, _ in ckpt.list_checkpoints(tmp_path / 'checkpoints')] == [4]


def test_resume_skips_a_truncated_newest_checkpoint_and_cleans_leftovers(tiny_pairs, tmp_path,
                                                                         capsys):
    cfg = tiny_config(tiny_pairs, default_hooks=QUIET_HOOKS)
    Trainer(cfg, work_dir=tmp_path).train()
    newest = tmp_path / 'checkpoints' / 'iter_000006' / 'model.safetensors'
    newest.write_bytes(newest.read_bytes()[:1000])
    leftover = tmp_path / 'checkpoints' / '.iter_000009.tmp-abc'
    leftover.mkdir()
    trainer = Trainer(tiny_config(tiny_pairs, default_hooks=QUIET_HOOKS,
                                  train_cfg=dict(max_iters=8)),
                      work_dir=tmp_path, resume=True)
    trainer.train()
    out = capsys.readouterr().out
    assert f'skipping {newest.parent}' in out and str(newest) in out
    assert 'Resumed from' in out and 'iter_000003' in out
    assert not leftover.exists()
    assert trainer.iteration == 8


def test_full_disk_is_reported_with_the_folder(tmp_path, monkeypatch):
    import errno

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(ckpt, 'save_file', no_space)
    with pytest.raises(ckpt.CheckpointError, match=f'no space left on {tmp_path}'):
        ckpt.save_checkpoint(tmp_path / 'iter_000001', torch.nn.Linear(2, 2),
                             dict(model=dict(type='X')), 1)
    assert not any(tmp_path.iterdir())  # no half-written folder


# ---------------------------------------------------------------------- optimiser groups
def test_optimizer_groups_must_match_the_algorithm(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs)
    cfg.optim_wrapper['critic'] = dict(optimizer=dict(type='Adam'))
    with pytest.raises(ConfigError, match="optim_wrapper.critic: Pix2Pix has no optimiser group"):
        Trainer(cfg, work_dir=tmp_path)
    cfg = tiny_config(tiny_pairs)
    del cfg.optim_wrapper['discriminator']
    with pytest.raises(ConfigError, match="group 'discriminator'"):
        Trainer(cfg, work_dir=tmp_path)


def test_a_network_in_no_group_is_named(tiny_pairs, tmp_path, monkeypatch):
    from sketchgen.models.algorithms.pix2pix import Pix2Pix
    monkeypatch.setattr(Pix2Pix, 'optimizer_groups',
                        lambda self: {'generator': ('generator',),
                                      'discriminator': ('generator',)})
    with pytest.raises(ConfigError, match='in both optimiser groups'):
        Trainer(tiny_config(tiny_pairs), work_dir=tmp_path)
    monkeypatch.setattr(Pix2Pix, 'optimizer_groups',
                        lambda self: {'generator': ('generator',)})
    cfg = tiny_config(tiny_pairs)
    del cfg.optim_wrapper['discriminator']
    with pytest.raises(ConfigError, match='discriminator are in no optimiser group'):
        Trainer(cfg, work_dir=tmp_path)


def test_mmengine_schedulers_build_by_name_as_a_warmup_list(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, default_hooks=QUIET_HOOKS)
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.5, end=2, by_epoch=False),
        dict(type='CosineAnnealingLR', begin=2, end=6, T_max=4, by_epoch=False)]
    cfg.optim_wrapper.generator.optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
    trainer = Trainer(cfg, work_dir=tmp_path)
    assert type(trainer.optimizers['generator'].optimizer.optimizer).__name__ == 'SGD'
    assert trainer.optimizers['generator'].lr == pytest.approx(0.05)  # warm-up starts at half
    trainer.train()
    lrs = [json.loads(line)['lr_generator']
           for line in (tmp_path / 'log.jsonl').read_text().splitlines() if 'lr_generator' in line]
    # the lr after each iteration: warm-up done after 1, then a cosine over 4 steps
    cosine = [0.05 * (1 + math.cos(math.pi * k / 4)) for k in (1, 2, 3)]
    assert lrs == pytest.approx([0.1, 0.1, *cosine, cosine[-1]])


def test_unknown_optimizer_names_the_group(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs)
    cfg.optim_wrapper.generator.optimizer = dict(type='Adamm', lr=1e-3)
    with pytest.raises(ConfigError, match=r"optim_wrapper.generator.optimizer.*'Adam'"):
        Trainer(cfg, work_dir=tmp_path)


# ---------------------------------------------------------------------- signals
def _run_tool(args, cwd, **kwargs):
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    return subprocess.Popen([sys.executable, '-m', 'sketchgen.tools.train', *args], cwd=cwd,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, **kwargs)


def _log_lines(work_dir: Path) -> int:
    log = work_dir / 'log.jsonl'
    return len(log.read_text().splitlines()) if log.is_file() else 0


def _final_weights(work_dir: Path, iteration: int) -> dict:
    return load_file(str(work_dir / 'checkpoints' / f'iter_{iteration:06d}' / 'model.safetensors'))


@pytest.fixture(scope='module')
def signal_run(tiny_pairs, tmp_path_factory):
    """A tiny config file, and the weights of its uninterrupted run."""
    root = tmp_path_factory.mktemp('signals')
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=40, val_interval=0),
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(interval=8, save_best=None),
                                         logger=dict(interval=1, progress_bar=False)))
    config = root / 'tiny.py'
    cfg.dump(str(config))
    straight = root / 'straight'
    proc = _run_tool([str(config), '--work-dir', str(straight)], cwd=root)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    return config, _final_weights(straight, 40)


@pytest.mark.parametrize('signum,after_lines,code', [
    (signal.SIGTERM, 3, 143),   # before the first checkpoint
    (signal.SIGINT, 10, 130),   # after it, mid-way
    (signal.SIGKILL, 17, -9),   # no handler at all: resume from the newest checkpoint
])
def test_signal_then_resume_matches_the_uninterrupted_run(signal_run, tmp_path, signum,
                                                          after_lines, code):
    config, expected = signal_run
    work = tmp_path / 'run'
    proc = _run_tool([str(config), '--work-dir', str(work)], cwd=tmp_path)
    deadline = time.time() + 240
    while _log_lines(work) < after_lines and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == code, out
    if signum != signal.SIGKILL:
        assert 'saved' in out and 'Continue with --resume' in out and 'Traceback' not in out
        saved = ckpt.list_checkpoints(work / 'checkpoints')[-1][0]
        assert saved >= after_lines  # at the boundary after the signal, not before
    assert not list((work / 'checkpoints').glob('.*'))  # no half-written folder
    proc = _run_tool([str(config), '--work-dir', str(work), '--resume'], cwd=tmp_path)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    resumed = _final_weights(work, 40)
    assert all(torch.equal(resumed[k], expected[k]) for k in expected)


def test_sigterm_to_the_process_group_with_loader_workers_still_saves(tiny_pairs, tmp_path):
    # A scheduler's SIGTERM (or Ctrl-C in a terminal) reaches the loader workers too.
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=400, val_interval=0),
                      default_hooks=dict(visualization=None, evaluation=None,
                                         checkpoint=dict(interval=400, save_best=None),
                                         logger=dict(interval=1, progress_bar=False)))
    cfg.train_dataloader.num_workers = 2
    config = tmp_path / 'workers.py'
    cfg.dump(str(config))
    work = tmp_path / 'run'
    proc = _run_tool([str(config), '--work-dir', str(work)], cwd=tmp_path,
                     start_new_session=True)
    deadline = time.time() + 240
    while _log_lines(work) < 3 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 143, out
    assert 'saved' in out and 'Traceback' not in out
    assert ckpt.list_checkpoints(work / 'checkpoints')
