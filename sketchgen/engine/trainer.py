"""The training loop, on Hugging Face accelerate.

The algorithm owns its training step (which networks, which losses, which order
of updates); the trainer owns everything around it: devices and processes, AMP,
data loading, optimisers and schedules, hooks, checkpoints and resume.

Each network that has an optimiser is `prepare`d on its own: GAN training
breaks when G and D share one DDP wrapper (D's update would sync G's grads).
"""
from __future__ import annotations

import os
import platform
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader

import sketchgen
from sketchgen.data.sampler import ResumableSampler
from sketchgen.engine import checkpoint as ckpt
from sketchgen.engine.hooks import Hook
from sketchgen.engine.optim import OptimizerStep, build_optimizer, build_scheduler
from sketchgen.evaluation import build_metrics, evaluate
from sketchgen.registry import DATASETS, HOOKS, MODELS

AMP_MODES = ('no', 'fp16', 'bf16')


def collate(samples: list[dict]) -> dict:
    batch = {}
    for key in samples[0]:
        values = [s[key] for s in samples]
        batch[key] = torch.stack(values) if isinstance(values[0], torch.Tensor) else values
    return batch


class Trainer:
    """Args:
        cfg: the loaded config.
        work_dir: output folder (default `cfg.work_dir` or work_dirs/<run_name>).
        run_name: name of the run (the config file's stem).
        seed: overrides `cfg.seed`.
        amp: 'no', 'fp16' or 'bf16' (overrides `cfg.amp`).
        resume: False, True (newest checkpoint in work_dir) or a checkpoint folder.
        dry_run: build everything, run one iteration, write nothing.
    """

    def __init__(self, cfg, work_dir: str | Path | None = None, run_name: str = 'run',
                 seed: int | None = None, amp: str | None = None, resume: bool | str = False,
                 dry_run: bool = False, options: dict | None = None):
        self.cfg = cfg
        self.run_name = run_name
        self.dry_run = dry_run
        self.resume_from = resume
        self.options = options or {}
        self.seed = cfg.get('seed', 0) if seed is None else seed
        amp = amp or cfg.get('amp', 'no')
        if amp not in AMP_MODES:
            raise ValueError(f'amp={amp!r} is not one of {AMP_MODES}')
        self.accelerator = Accelerator(mixed_precision=amp)
        launched = int(os.environ.get('WORLD_SIZE', 1))
        if launched != self.accelerator.num_processes:
            # Otherwise every rank would train alone and write the same work dir.
            raise RuntimeError(
                f'Launched as {launched} processes, but accelerate formed a group of '
                f'{self.accelerator.num_processes}. Without GPUs, set ACCELERATE_USE_CPU=1 '
                'so processes join one CPU (gloo) group.')
        self.amp = amp
        self.work_dir = Path(work_dir or cfg.get('work_dir') or Path('work_dirs') / run_name)
        self.max_iters = int(cfg.train_cfg['max_iters'])
        self.iteration = 0
        self.metrics: dict = {}
        self.metrics_iteration = None
        self.last_iter_time = self.last_data_time = 0.0
        self.tb_writer = None

        set_seed(self.seed)
        self.model = MODELS.build(cfg.model).to(self.device)
        self.optimizers, self.schedulers, self.wrapped = {}, {}, {}
        for group, opt_cfg in cfg.optim_wrapper.items():
            # A group is one network (named by the key) or several (`networks=`) that
            # share one optimiser, e.g. CycleGAN's two generators.
            nets = []
            for name in opt_cfg.get('networks', (group,)):
                net = getattr(self.model, name, None)
                if not isinstance(net, torch.nn.Module):
                    raise KeyError(f'optim_wrapper.{group}: {type(self.model).__name__} has no '
                                   f'network called {name!r}.')
                self.wrapped[name] = self.accelerator.prepare_model(net)
                nets.append(net)
            params = [p for net in nets for p in net.parameters()]
            optimizer = self.accelerator.prepare_optimizer(
                build_optimizer(opt_cfg['optimizer'], params, group))
            self.optimizers[group] = OptimizerStep(optimizer, self.accelerator,
                                                   opt_cfg.get('clip_grad_norm'), params)
            if cfg.get('param_scheduler'):
                self.schedulers[group] = build_scheduler(cfg.param_scheduler,
                                                        optimizer.optimizer, self.max_iters)

        with self.accelerator.main_process_first():
            self.train_dataset = DATASETS.build(cfg.train_dataloader['dataset'])
            self.val_dataset = (DATASETS.build(cfg.val_dataloader['dataset'])
                                if cfg.get('val_dataloader') else None)
        self.batch_size = cfg.train_dataloader.get('batch_size', 1)
        self.val_loader = self._eval_loader(self.val_dataset, cfg.get('val_dataloader'))
        self.val_metrics = build_metrics(cfg.get('val_evaluator', [dict(type='PSNR'),
                                                                   dict(type='SSIM')]))
        hook_cfgs = list((cfg.get('default_hooks') or {}).values()) + list(
            cfg.get('custom_hooks') or [])
        self.hooks: list[Hook] = sorted((HOOKS.build(h) for h in hook_cfgs if h),
                                        key=lambda h: h.priority)

    # ------------------------------------------------------------------ properties
    @property
    def device(self) -> torch.device:
        return self.accelerator.device

    @property
    def is_main(self) -> bool:
        return self.accelerator.is_main_process and not self.dry_run

    @property
    def checkpoint_dir(self) -> Path:
        return self.work_dir / 'checkpoints'

    # ------------------------------------------------------------------ data
    def train_loader(self, start_iteration: int) -> DataLoader:
        """A loader that continues the seeded sample order at `start_iteration`."""
        world = self.accelerator.num_processes
        sampler = ResumableSampler(len(self.train_dataset), seed=self.seed,
                                   start=start_iteration * self.batch_size * world,
                                   rank=self.accelerator.process_index, world_size=world)
        workers = self.cfg.train_dataloader.get('num_workers', 0)
        return DataLoader(self.train_dataset, batch_size=self.batch_size, sampler=sampler,
                          num_workers=workers, collate_fn=collate, drop_last=True,
                          persistent_workers=workers > 0, pin_memory=self.device.type == 'cuda',
                          # its own generator: creating the loader must not consume the
                          # global RNG, or a resumed run would drift from an uninterrupted one
                          generator=torch.Generator().manual_seed(self.seed))

    def _eval_loader(self, dataset, loader_cfg) -> DataLoader | None:
        if dataset is None:
            return None
        return DataLoader(dataset, batch_size=loader_cfg.get('batch_size', 8), shuffle=False,
                          num_workers=loader_cfg.get('num_workers', 0), collate_fn=collate)

    def fixed_batch(self, n: int) -> dict:
        """`n` samples spread evenly over the val set (names sort by code point, so the
        first few would all be keycaps)."""
        dataset = self.val_dataset or self.train_dataset
        n = min(n, len(dataset))
        picks = torch.linspace(0, len(dataset) - 1, n).round().long().tolist()
        return collate([dataset[(i, i)] for i in picks])

    def evaluate(self, max_samples: int | None = None) -> dict:
        return evaluate(self.model, self.val_loader, self.val_metrics, max_samples)

    # ------------------------------------------------------------------ training
    @contextmanager
    def _prepared_networks(self):
        """Let train_step see the prepared (DDP/AMP) networks; everything else, the bare ones."""
        bare = {name: getattr(self.model, name) for name in self.wrapped}
        for name, net in self.wrapped.items():
            setattr(self.model, name, net)
        try:
            yield
        finally:
            for name, net in bare.items():
                setattr(self.model, name, net)

    def run_iteration(self, batch: dict) -> dict:
        self.model.train()
        batch = {k: v.to(self.device, non_blocking=True) if isinstance(v, torch.Tensor) else v
                 for k, v in batch.items()}
        with self._prepared_networks():
            return self.model.train_step(batch, self.optimizers, self.iteration)

    def train(self) -> dict:
        if self.resume_from:
            self.resume(None if self.resume_from is True else self.resume_from)
        loader = iter(self.train_loader(self.iteration))
        if self.dry_run:
            outputs = self.run_iteration(next(loader))
            return {k: float(v) for k, v in outputs.items()}

        self._prepare_work_dir()
        for hook in self.hooks:
            hook.before_train(self)
        start, outputs = self.iteration, {}
        try:
            while self.iteration < self.max_iters:
                t0 = time.perf_counter()
                batch = next(loader)
                t1 = time.perf_counter()
                outputs = self.run_iteration(batch)
                self.iteration += 1
                self.last_data_time, self.last_iter_time = t1 - t0, time.perf_counter() - t0
                for hook in self.hooks:
                    hook.after_train_iter(self, outputs)
        except BaseException:
            # Never lose work: an error or Ctrl-C mid-run still leaves a resumable checkpoint.
            if self.iteration > start and not any(
                    n == self.iteration for n, _ in self.checkpoints()):
                try:
                    path = self.save_checkpoint()
                    print(f'\nTraining stopped at iteration {self.iteration}; saved {path}. '
                          'Continue with --resume.')
                except Exception as err:  # the original error matters more
                    print(f'\nCould not save a checkpoint after the error: {err}')
            raise
        finally:
            for hook in self.hooks:
                hook.after_train(self)
            if self.tb_writer is not None:
                self.tb_writer.close()
        return {k: float(v) for k, v in outputs.items()}

    def _prepare_work_dir(self) -> None:
        if not self.is_main:
            return
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.cfg.dump(str(self.work_dir / f'{self.run_name}.py'))
        options = dict(self.options, seed=self.seed, amp=self.amp,
                       num_processes=self.accelerator.num_processes,
                       device=str(self.device), sketchgen=sketchgen.__version__,
                       torch=torch.__version__, python=platform.python_version())
        ckpt.write_json_atomic(self.work_dir / 'training_options.json', options)
        from torch.utils.tensorboard import SummaryWriter
        self.tb_writer = SummaryWriter(str(self.work_dir / 'tensorboard'))

    # ------------------------------------------------------------------ checkpoints
    def checkpoints(self) -> list[tuple[int, Path]]:
        return ckpt.list_checkpoints(self.checkpoint_dir)

    def remove_checkpoint(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def training_state(self) -> dict:
        state = dict(iteration=self.iteration, seed=self.seed, rng=ckpt.rng_state(),
                     optimizers={n: o.optimizer.state_dict() for n, o in self.optimizers.items()},
                     schedulers={n: s.state_dict() for n, s in self.schedulers.items()},
                     hooks={type(h).__name__: h.state_dict() for h in self.hooks})
        if self.accelerator.scaler is not None:
            state['scaler'] = self.accelerator.scaler.state_dict()
        return state

    def save_checkpoint(self, name: str | None = None, with_state: bool = True) -> Path | None:
        self.accelerator.wait_for_everyone()
        if not self.is_main:
            return None
        folder = self.checkpoint_dir / (name or f'iter_{self.iteration:06d}')
        return ckpt.save_checkpoint(folder, self.model, self.cfg.pretty_text, self.iteration,
                                    self.training_state() if with_state else None)

    def resume(self, checkpoint: str | Path | None = None) -> None:
        if checkpoint is None:
            found = self.checkpoints()
            if not found:
                print(f'--resume: no checkpoint in {self.checkpoint_dir}; starting from scratch.')
                return
            checkpoint = found[-1][1]
        ckpt.load_weights(self.model, checkpoint)
        state = ckpt.load_training_state(checkpoint)
        if state['seed'] != self.seed:
            raise ValueError(f'{checkpoint} was trained with seed {state["seed"]}, this run has '
                             f'seed {self.seed}; resume with --seed {state["seed"]}.')
        for name, opt in self.optimizers.items():
            opt.optimizer.load_state_dict(state['optimizers'][name])
        for name, scheduler in self.schedulers.items():
            scheduler.load_state_dict(state['schedulers'][name])
        for hook in self.hooks:
            hook_state = state['hooks'].get(type(hook).__name__)
            if hook_state:
                hook.load_state_dict(hook_state)
        if 'scaler' in state and self.accelerator.scaler is not None:
            self.accelerator.scaler.load_state_dict(state['scaler'])
        ckpt.set_rng_state(state['rng'])
        self.iteration = state['iteration']
        if self.accelerator.is_main_process:
            print(f'Resumed from {checkpoint} at iteration {self.iteration}.')
