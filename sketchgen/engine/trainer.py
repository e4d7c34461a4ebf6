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
import signal
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader

import sketchgen
from sketchgen import checkpoint as ckpt
from sketchgen import fast_path
from sketchgen.config import ConfigError, config_to_json
from sketchgen.data.loader import build_dataloader, build_dataset, collate
from sketchgen.engine.hooks import Hook
from sketchgen.engine.optim import GROUP_KEYS, OptimizerStep, build_optimizer, build_schedulers
from sketchgen.evaluation import build_metrics, evaluate
from sketchgen.registry import HOOKS, MODELS

__all__ = ['Trainer', 'NonFiniteLossError', 'TrainingInterrupted']


class NonFiniteLossError(RuntimeError):
    """A loss became NaN or infinite more often than train_cfg.max_nonfinite_skips allows."""


class TrainingInterrupted(Exception):
    """SIGTERM or SIGINT stopped the run at an iteration boundary (state saved)."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


def make_accelerator(amp: str) -> Accelerator:
    """accelerate keeps one process-wide state whose precision cannot change; a second
    trainer with another precision in one single-process program (the benchmark's
    variants, tests) starts it afresh."""
    try:
        return Accelerator(mixed_precision=amp)
    except ValueError as err:
        if 'already been initialized' not in str(err) or int(os.environ.get('WORLD_SIZE', 1)) > 1:
            raise
        from accelerate.state import AcceleratorState
        AcceleratorState._reset_state()
        return Accelerator(mixed_precision=amp)


class Trainer:
    """Args:
        cfg: the loaded config.
        work_dir: output folder (default `cfg.work_dir` or work_dirs/<run_name>).
        run_name: name of the run (the config file's stem).
        seed: overrides `cfg.seed`.
        amp: 'no', 'fp16', 'bf16' or 'auto' (bf16 where the hardware has it; overrides
            `cfg.amp`).
        channels_last: NHWC networks and batches (overrides `cfg.channels_last`).
        compile: torch.compile the trained networks (overrides `cfg.compile`).
        fused_optimizer: the optimisers' fused kernels (overrides `cfg.fused_optimizer`).
        small_convs_as_matmul: convolutions on small maps (at most 256 positions over the
            batch) as matrix multiplies (overrides `cfg.small_convs_as_matmul`;
            sketchgen.fast_path).
        winograd_convs: wide 3x3 convolutions on large maps as Winograd F(4x4, 3x3) in
            fp32 on CPU (overrides `cfg.winograd_convs`; sketchgen.fast_path).
        keep_freed_memory: the process reuses the memory it frees instead of faulting
            fresh pages in every step (overrides `cfg.keep_freed_memory`; default on
            when training on CPU; glibc only; sketchgen.fast_path).
        resume: False, True (newest checkpoint in work_dir) or a checkpoint folder.
        dry_run: build everything, run one iteration, write nothing.
    """

    def __init__(self, cfg, work_dir: str | Path | None = None, run_name: str = 'run',
                 seed: int | None = None, amp: str | None = None, resume: bool | str = False,
                 dry_run: bool = False, options: dict | None = None,
                 channels_last: bool | None = None, compile: bool | None = None,
                 fused_optimizer: bool | None = None,
                 small_convs_as_matmul: bool | None = None,
                 winograd_convs: bool | None = None,
                 keep_freed_memory: bool | None = None):
        self.cfg = cfg
        self.run_name = run_name
        self.dry_run = dry_run
        self.resume_from = resume
        self.options = options or {}
        self.seed = cfg.get('seed', 0) if seed is None else seed
        amp = fast_path.resolve_amp(amp or cfg.get('amp', 'no'))
        self.channels_last = bool(cfg.get('channels_last', False) if channels_last is None
                                  else channels_last)
        self.compile = bool(cfg.get('compile', False) if compile is None else compile)
        self.fused_optimizer = bool(cfg.get('fused_optimizer', False) if fused_optimizer is None
                                    else fused_optimizer)
        self.small_convs_as_matmul = bool(cfg.get('small_convs_as_matmul', False)
                                          if small_convs_as_matmul is None
                                          else small_convs_as_matmul)
        self.winograd_convs = bool(cfg.get('winograd_convs', False) if winograd_convs is None
                                   else winograd_convs)
        self.accelerator = make_accelerator(amp)
        launched = int(os.environ.get('WORLD_SIZE', 1))
        if launched != self.accelerator.num_processes:
            # Otherwise every rank would train alone and write the same work dir.
            raise RuntimeError(
                f'Launched as {launched} processes, but accelerate formed a group of '
                f'{self.accelerator.num_processes}. Without GPUs, set ACCELERATE_USE_CPU=1 '
                'so processes join one CPU (gloo) group.')
        self.amp = amp
        self.keep_freed_memory = self._keep_freed_memory(
            cfg.get('keep_freed_memory') if keep_freed_memory is None else keep_freed_memory)
        self.work_dir = Path(work_dir or cfg.get('work_dir') or ckpt.default_work_dir(run_name))
        if not isinstance(cfg.get('train_cfg', {}).get('max_iters'), int) \
                or cfg.train_cfg['max_iters'] < 1:
            raise ConfigError(f'train_cfg.max_iters must be a positive integer, got '
                              f'{cfg.get("train_cfg", {}).get("max_iters")!r}.')
        self.max_iters = cfg.train_cfg['max_iters']
        self.iteration = 0
        self.metrics: dict = {}
        self.metrics_iteration = None
        self.last_iter_time = self.last_data_time = 0.0
        self.tb_writer = None
        self.started_hooks: list[Hook] = []

        self.max_nonfinite_skips = int(cfg.train_cfg.get('max_nonfinite_skips', 0))
        self.nonfinite_steps = 0
        self.stop_signal: int | None = None
        self.in_iteration = False
        # Serialised now, so a config that cannot be stored fails before training.
        self.config_json = config_to_json(cfg)

        set_seed(self.seed)
        self.model = MODELS.build(cfg.model).to(self.device)
        if cfg.get('load_from'):
            self._load_initial_weights(str(cfg.load_from))
        if self.channels_last:
            fast_path.channels_last(self.model)
        if self.small_convs_as_matmul:
            fast_path.small_convs_as_matmul(self.model)
        if self.winograd_convs:
            fast_path.winograd_convs(self.model)
        self.optimizers, self.schedulers, self.wrapped = {}, {}, {}
        self._build_optimizers(cfg)

        with self.accelerator.main_process_first():
            self.train_dataset = build_dataset(cfg, 'train')
            self.val_dataset = (build_dataset(cfg, 'val') if cfg.get('val_dataloader')
                                else None)
        self.batch_size = cfg.train_dataloader.get('batch_size', 1)
        self.val_loader = (build_dataloader(cfg, 'val', self.val_dataset)
                           if self.val_dataset is not None else None)
        self.val_metrics = build_metrics(cfg.get('val_evaluator', [dict(type='PSNR'),
                                                                   dict(type='SSIM')]))
        hook_cfgs = list((cfg.get('default_hooks') or {}).values()) + list(
            cfg.get('custom_hooks') or [])
        self.hooks: list[Hook] = sorted((HOOKS.build(h) for h in hook_cfgs if h),
                                        key=lambda h: h.priority)

    def _keep_freed_memory(self, wanted: bool | None) -> bool:
        """Whether the allocator setting is on: asked for, or by default on CPU, and
        possible here. Asked for where it cannot be, it warns once and trains without."""
        if not (self.device.type == 'cpu' if wanted is None else wanted):
            return False
        problem = fast_path.keep_freed_memory()
        if problem is not None and wanted:
            warnings.warn(f'keep_freed_memory=True ignored: {problem}.', stacklevel=3)
        return problem is None

    def _build_optimizers(self, cfg) -> None:
        """One optimiser per group the algorithm declares, configured by the
        optim_wrapper entry of the same name; every trainable parameter must be in
        exactly one group (a network left out would silently never train)."""
        groups = self.model.optimizer_groups()
        optim_cfg = cfg.get('optim_wrapper') or {}
        model_name = type(self.model).__name__
        for extra in sorted(set(optim_cfg) - set(groups)):
            raise ConfigError(f'optim_wrapper.{extra}: {model_name} has no optimiser group '
                              f'{extra!r}; its groups are {", ".join(groups)}.')
        owner: dict[int, str] = {}
        for group, names in groups.items():
            if group not in optim_cfg:
                raise ConfigError(f'optim_wrapper has no entry for {model_name}\'s group '
                                  f'{group!r} (networks {", ".join(names)}); add '
                                  f"optim_wrapper.{group}=dict(optimizer=dict(type='Adam', ...)).")
            group_cfg = optim_cfg[group]
            unknown = set(group_cfg) - set(GROUP_KEYS)
            if unknown:
                raise ConfigError(f'optim_wrapper.{group}: unknown keys {sorted(unknown)}; a '
                                  f'group takes {", ".join(GROUP_KEYS)} (its networks are '
                                  f'declared by {model_name}).')
            params = []
            for name in names:
                net = getattr(self.model, name)
                for p in net.parameters():
                    if p.requires_grad:
                        if id(p) in owner:
                            raise ConfigError(f'{model_name}: a parameter of {name} is in both '
                                              f'optimiser groups {owner[id(p)]!r} and {group!r}.')
                        owner[id(p)] = group
                        params.append(p)
                self.wrapped[name] = fast_path.maybe_compile(
                    self.accelerator.prepare_model(net), self.compile, self.device.type)
            optimizer_cfg = dict(group_cfg['optimizer'])
            if self.fused_optimizer:
                optimizer_cfg = fast_path.fused_optimizer_args(optimizer_cfg)
            optimizer = self.accelerator.prepare_optimizer(
                build_optimizer(optimizer_cfg, params, group))
            self.optimizers[group] = OptimizerStep(optimizer, self.accelerator,
                                                   group_cfg.get('clip_grad_norm'), params)
            if cfg.get('param_scheduler'):
                self.schedulers[group] = build_schedulers(cfg.param_scheduler,
                                                          optimizer.optimizer, self.max_iters)
        left_out = sorted({name.split('.')[0] for name, p in self.model.named_parameters()
                           if p.requires_grad and id(p) not in owner})
        if left_out:
            raise ConfigError(f'{model_name}: trainable parameters of {", ".join(left_out)} are '
                              'in no optimiser group, so they would never train; add them to '
                              f'optimizer_groups() or freeze them (requires_grad=False).')

    # ------------------------------------------------------------------ properties
    @property
    def device(self) -> torch.device:
        return self.accelerator.device

    @property
    def is_main(self) -> bool:
        return self.accelerator.is_main_process and not self.dry_run

    @property
    def checkpoint_dir(self) -> Path:
        return ckpt.checkpoint_dir(self.work_dir)

    # ------------------------------------------------------------------ data
    def train_loader(self, start_iteration: int) -> DataLoader:
        """A loader that continues the seeded sample order at `start_iteration`."""
        return build_dataloader(self.cfg, 'train', self.train_dataset, seed=self.seed,
                                start_iteration=start_iteration,
                                rank=self.accelerator.process_index,
                                world_size=self.accelerator.num_processes,
                                pin_memory=self.device.type == 'cuda')

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
        batch = fast_path.batch_to(batch, self.device, self.channels_last)
        with self._prepared_networks():
            return self.model.train_step(batch, self.optimizers, self.iteration)

    def train(self) -> dict:
        """Run from the current (or resumed) iteration to max_iters. Returns the last
        step's losses. SIGTERM or Ctrl-C stop at the next iteration boundary with a
        checkpoint saved (a second Ctrl-C stops at once, saving nothing)."""
        if self.resume_from:
            self.resume(None if self.resume_from is True else self.resume_from)
        loader = iter(self.train_loader(self.iteration))
        if self.dry_run:
            return {k: float(v) for k, v in self.step(next(loader), run_hooks=False).items()}
        start, outputs = self.iteration, {}
        try:
            with self._deferred_stop_signals():
                self.start()
                while self.iteration < self.max_iters:
                    t0 = time.perf_counter()
                    batch = next(loader)
                    self.last_data_time = time.perf_counter() - t0
                    outputs = self.step(batch)
                    if self.stop_signal is not None:
                        self._stop_for_signal()
        except BaseException as err:
            self._save_after_error(err, start)
            raise
        finally:
            self.finish()
        return {k: float(v) for k, v in outputs.items()}

    def start(self) -> None:
        """Prepare the work dir and call every hook's before_train (train() does this;
        the benchmark calls it to time `step`)."""
        self._prepare_work_dir()
        self.started_hooks = []
        for hook in self.hooks:
            hook.before_train(self)
            self.started_hooks.append(hook)

    def step(self, batch: dict, run_hooks: bool = True) -> dict:
        """One training iteration: the algorithm's train_step on `batch`, the
        non-finite check, and the hooks. Returns the step's losses."""
        self.in_iteration = True
        t0 = time.perf_counter()
        outputs = self.run_iteration(batch)
        self._check_finite(outputs)
        self.iteration += 1
        self.in_iteration = False
        self.last_iter_time = self.last_data_time + time.perf_counter() - t0
        if run_hooks:
            for hook in self.hooks:
                hook.after_train_iter(self, outputs)
        return outputs

    def finish(self) -> None:
        """after_train of every hook whose before_train ran; closes TensorBoard."""
        for hook in self.started_hooks:
            hook.after_train(self)
        self.started_hooks = []
        if self.tb_writer is not None:
            self.tb_writer.close()
            self.tb_writer = None

    # ------------------------------------------------------------------ faults
    def _check_finite(self, outputs: dict) -> None:
        bad = {k: float(v) for k, v in outputs.items()
               if isinstance(v, torch.Tensor) and not bool(torch.isfinite(v).all())}
        if not bad:
            return
        self.nonfinite_steps += 1
        losses = ', '.join(f'{k}={v}' for k, v in bad.items())
        # A skipped update leaves the weights alone, but a NaN forward pass may
        # already have poisoned batch-norm statistics: then there is nothing to save.
        poisoned = ckpt.non_finite_tensors(self.model.state_dict())
        if poisoned:
            losses += f' (and {len(poisoned)} weight/statistics tensors, e.g. {poisoned[0]})'
        if self.nonfinite_steps <= self.max_nonfinite_skips and not poisoned:
            self._print(f'iteration {self.iteration + 1}: {losses}; the update was skipped '
                        f'({self.nonfinite_steps} of {self.max_nonfinite_skips} allowed by '
                        'train_cfg.max_nonfinite_skips).')
            return
        self.in_iteration = False  # the weights were not updated by the bad losses
        self._raise_diverged(f'at iteration {self.iteration + 1}: {losses}')

    def _raise_diverged(self, what: str) -> None:
        found = self.checkpoints()
        last = f'the last good checkpoint is {found[-1][1]}' if found else \
            'no checkpoint was written before it'
        raise NonFiniteLossError(
            f'training diverged {what}. Stopped; {last}. '
            'Lower the learning rate, enable gradient clipping (optim_wrapper.<group>.'
            'clip_grad_norm), or let a few bad steps be skipped with '
            'train_cfg.max_nonfinite_skips=N.')

    @contextmanager
    def _deferred_stop_signals(self):
        """SIGTERM (job schedulers) and the first SIGINT (Ctrl-C) only set a flag that
        the loop reads between iterations, so the state saved is never half-updated."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def request_stop(signum, frame):
            if signum == signal.SIGINT and self.stop_signal is not None:
                raise KeyboardInterrupt  # second Ctrl-C: stop now
            self.stop_signal = signum
            self._print(f'\n{signal.Signals(signum).name} received: stopping after iteration '
                        f'{self.iteration + 1} with a checkpoint (Ctrl-C again to stop now, '
                        'without one).')

        previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _stop_for_signal(self) -> None:
        name = signal.Signals(self.stop_signal).name
        path = self._checkpoint_at_current_iteration()
        raise TrainingInterrupted(f'{name}: stopped at iteration {self.iteration}; saved {path}. '
                                  'Continue with --resume.', self.stop_signal)

    def _checkpoint_at_current_iteration(self) -> Path | None:
        for n, path in self.checkpoints():
            if n == self.iteration:
                return path
        return self.save_checkpoint()

    def _save_after_error(self, err: BaseException, start: int) -> None:
        """Never lose work: after an error between iterations, leave a resumable
        checkpoint. Not after a non-finite loss, an interrupted iteration (its state
        is half-updated) or a stop that has saved already."""
        if isinstance(err, (TrainingInterrupted, NonFiniteLossError)) or self.dry_run:
            return
        found = self.checkpoints()
        if self.in_iteration or self.iteration == start:
            if found:
                self._print(f'\nTraining stopped during iteration {self.iteration + 1}; the '
                            f'newest checkpoint is {found[-1][1]}. Continue with --resume.')
            return
        try:
            path = self._checkpoint_at_current_iteration()
            self._print(f'\nTraining stopped at iteration {self.iteration}; saved {path}. '
                        'Continue with --resume.')
        except Exception as save_err:  # the original error matters more
            self._print(f'\nCould not save a checkpoint after the error: {save_err}')

    def _print(self, message: str) -> None:
        if self.accelerator.is_main_process:
            print(message, flush=True)

    def _prepare_work_dir(self) -> None:
        if not self.is_main:
            return
        self.work_dir.mkdir(parents=True, exist_ok=True)
        for leftover in ckpt.remove_partial_saves(self.checkpoint_dir):
            self._print(f'Removed {leftover}, left by an interrupted save.')
        self.cfg.dump(str(self.work_dir / f'{self.run_name}.py'))
        (self.work_dir / f'{self.run_name}.json').write_text(self.config_json)
        options = dict(self.options, seed=self.seed, amp=self.amp,
                       channels_last=self.channels_last, compile=self.compile,
                       fused_optimizer=self.fused_optimizer,
                       small_convs_as_matmul=self.small_convs_as_matmul,
                       winograd_convs=self.winograd_convs,
                       keep_freed_memory=self.keep_freed_memory,
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
                     nonfinite_steps=self.nonfinite_steps,
                     optimizers={n: o.optimizer.state_dict() for n, o in self.optimizers.items()},
                     schedulers={n: [s.state_dict() for s in group]
                                 for n, group in self.schedulers.items()},
                     hooks={type(h).__name__: h.state_dict() for h in self.hooks})
        if self.accelerator.scaler is not None:
            state['scaler'] = self.accelerator.scaler.state_dict()
        return state

    def save_checkpoint(self, name: str | None = None, with_state: bool = True) -> Path | None:
        self.accelerator.wait_for_everyone()
        if not self.is_main:
            return None
        folder = self.checkpoint_dir / (name or f'iter_{self.iteration:06d}')
        try:
            return ckpt.save_checkpoint(folder, self.model, self.config_json, self.iteration,
                                        self.training_state() if with_state else None)
        except ckpt.NonFiniteWeightsError as err:
            self._raise_diverged(f'by iteration {self.iteration} ({err})')

    def _load_initial_weights(self, reference: str) -> None:
        """`load_from`: start from another run's weights (fine-tuning, a new image size)
        with fresh optimisers, schedules and iteration count. A checkpoint that --resume
        finds loads over them."""
        path = ckpt.resolve_checkpoint(reference, 'load_from')
        ckpt.load_weights(self.model, path)
        self._print(f'load_from: initialised the networks from {path}.')

    def resume(self, checkpoint: str | Path | None = None) -> None:
        """Load weights and training state from `checkpoint`, or from the newest
        complete checkpoint in the work dir (a damaged newest one is named and
        skipped)."""
        if checkpoint is None:
            found = self.checkpoints()
            if not found:
                self._print(f'--resume: no checkpoint in {self.checkpoint_dir}; starting from '
                            'scratch.')
                return
            for _, candidate in reversed(found):
                try:
                    ckpt.check_complete(candidate)
                    checkpoint = candidate
                    break
                except ckpt.CheckpointError as err:
                    self._print(f'--resume: skipping {candidate}: {err}')
            if checkpoint is None:
                raise ckpt.CheckpointError(f'--resume: none of the {len(found)} checkpoints in '
                                           f'{self.checkpoint_dir} can be read (see above).')
        else:
            ckpt.check_complete(Path(checkpoint))
        ckpt.load_weights(self.model, checkpoint)
        state = ckpt.load_training_state(checkpoint)
        if state['seed'] != self.seed:
            raise ValueError(f'{checkpoint} was trained with seed {state["seed"]}, this run has '
                             f'seed {self.seed}; resume with --seed {state["seed"]}.')
        if set(state['optimizers']) != set(self.optimizers):
            raise ckpt.CheckpointError(
                f'{checkpoint}: its optimiser groups {sorted(state["optimizers"])} are not this '
                f'model\'s {sorted(self.optimizers)}.')
        for name, opt in self.optimizers.items():
            opt.optimizer.load_state_dict(state['optimizers'][name])
        for name, group in self.schedulers.items():
            saved = state['schedulers'].get(name, [])
            saved = [saved] if isinstance(saved, dict) else saved
            if len(saved) != len(group):
                raise ckpt.CheckpointError(f'{checkpoint}: {len(saved)} saved schedulers for '
                                           f'group {name!r}, the config has {len(group)}.')
            for scheduler, scheduler_state in zip(group, saved):
                scheduler.load_state_dict(scheduler_state)
        for hook in self.hooks:
            hook_state = state['hooks'].get(type(hook).__name__)
            if hook_state:
                hook.load_state_dict(hook_state)
        if 'scaler' in state and self.accelerator.scaler is not None:
            self.accelerator.scaler.load_state_dict(state['scaler'])
        ckpt.set_rng_state(state['rng'])
        self.iteration = state['iteration']
        self.nonfinite_steps = state.get('nonfinite_steps', 0)
        self._print(f'Resumed from {checkpoint} at iteration {self.iteration}.')
