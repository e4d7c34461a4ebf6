"""Training hooks: everything the loop does besides the algorithm's train_step.

A hook's methods are called by the Trainer in order of `priority` (low first):
EMA (10) -> schedulers (20) -> evaluation (40) -> checkpoint (60) ->
visualisation (70) -> logger (90). Only the main process writes files.
"""
from __future__ import annotations

import json
import math
import time
import warnings

from torchvision.utils import save_image

from sketchgen.evaluation import format_results, sample_grid
from sketchgen.registry import HOOKS


class Hook:
    priority = 50

    def before_train(self, trainer) -> None:
        pass

    def after_train_iter(self, trainer, outputs: dict) -> None:
        pass

    def after_train(self, trainer) -> None:
        pass

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def every(trainer, interval: int) -> bool:
    return interval > 0 and (trainer.iteration % interval == 0
                             or trainer.iteration == trainer.max_iters)


@HOOKS.register_module()
class EMAHook(Hook):
    """Update the generator's exponential moving average (model `ema_decay`)
    every `interval` iterations from `start_iter` on."""
    priority = 10

    def __init__(self, interval: int = 1, start_iter: int = 0):
        self.interval, self.start_iter = interval, start_iter

    def before_train(self, trainer) -> None:
        if getattr(trainer.model, 'generator_ema', None) is None:
            raise ValueError('EMAHook: the model keeps no EMA generator; set ema_decay in the '
                             'model config (e.g. model=dict(..., ema_decay=0.999)).')

    def after_train_iter(self, trainer, outputs) -> None:
        if trainer.iteration >= self.start_iter and trainer.iteration % self.interval == 0:
            trainer.model.update_ema()


@HOOKS.register_module()
class ParamSchedulerHook(Hook):
    """Step every learning-rate scheduler once per iteration."""
    priority = 20

    def after_train_iter(self, trainer, outputs) -> None:
        with warnings.catch_warnings():
            # With n_critic > 1 the generator's optimiser first steps after its scheduler
            # has; the schedule counts iterations, so torch's "skipped value" warning
            # does not apply.
            warnings.filterwarnings('ignore', message='Detected call of `lr_scheduler.step')
            for group in trainer.schedulers.values():
                for scheduler in group:
                    scheduler.step()


@HOOKS.register_module()
class EvaluationHook(Hook):
    """Run the val evaluator every `interval` iterations (default: train_cfg.val_interval)
    and publish the numbers in `trainer.metrics` for the logger and checkpoint hooks."""
    priority = 40

    def __init__(self, interval: int | None = None, max_samples: int | None = None):
        self.interval, self.max_samples = interval, max_samples

    def after_train_iter(self, trainer, outputs) -> None:
        interval = self.interval or trainer.cfg.train_cfg.get('val_interval', 0)
        if trainer.val_loader is not None and every(trainer, interval):
            trainer.metrics = trainer.evaluate(max_samples=self.max_samples)
            trainer.metrics_iteration = trainer.iteration


@HOOKS.register_module()
class CheckpointHook(Hook):
    """Save `iter_N` every `interval` iterations and at the end, keep the last `max_keep`;
    with `save_best='PSNR'` also keep `best_PSNR` by `rule` ('greater' or 'less'; by
    default the metric's own direction: greater for PSNR/SSIM, less for L1/LPIPS/FID)."""
    priority = 60

    def __init__(self, interval: int = 1000, max_keep: int | None = 3,
                 save_best: str | None = None, rule: str | None = None):
        if rule not in (None, 'greater', 'less'):
            raise ValueError(f"CheckpointHook: rule={rule!r} must be 'greater' or 'less'")
        if not isinstance(interval, int) or interval < 1:
            # 0 used to mean "never", which lost whole runs: a checkpoint at the end at
            # least is always written.
            raise ValueError(f'default_hooks.checkpoint.interval={interval!r}: save every N >= 1 '
                             'iterations (a checkpoint is also written at the last one; for '
                             'that only, set interval to train_cfg.max_iters).')
        self.interval, self.max_keep = interval, max_keep
        self.save_best, self.rule = save_best, rule
        self.best_value, self.best_iteration = None, None

    def after_train_iter(self, trainer, outputs) -> None:
        if every(trainer, self.interval):
            trainer.save_checkpoint()
            if trainer.is_main and self.max_keep:
                for _, path in trainer.checkpoints()[:-self.max_keep]:
                    trainer.remove_checkpoint(path)
        if self.save_best and trainer.metrics_iteration == trainer.iteration:
            if self.save_best not in trainer.metrics:
                raise KeyError(f'CheckpointHook: save_best={self.save_best!r} is not among the '
                               f'evaluated metrics {sorted(trainer.metrics)}.')
            value = trainer.metrics[self.save_best]
            if not math.isfinite(value):  # a NaN score is never "best"
                return
            rule = self.rule or next(m.better for m in trainer.val_metrics
                                     if m.name == self.save_best)
            if self.best_value is None or (value > self.best_value if rule == 'greater'
                                           else value < self.best_value):
                self.best_value, self.best_iteration = value, trainer.iteration
                trainer.save_checkpoint(f'best_{self.save_best}', with_state=False)

    def state_dict(self) -> dict:
        return dict(best_value=self.best_value, best_iteration=self.best_iteration)

    def load_state_dict(self, state: dict) -> None:
        self.best_value, self.best_iteration = state['best_value'], state['best_iteration']


@HOOKS.register_module()
class VisualizationHook(Hook):
    """Every `interval` iterations, save a PNG grid of (source | generated | target)
    rows for the first `num_samples` validation images, and add it to TensorBoard."""
    priority = 70

    def __init__(self, interval: int = 500, num_samples: int = 8):
        self.interval, self.num_samples = interval, num_samples
        self.batch = None

    def before_train(self, trainer) -> None:
        self.batch = trainer.fixed_batch(self.num_samples)

    def after_train_iter(self, trainer, outputs) -> None:
        if not (trainer.is_main and every(trainer, self.interval)):
            return
        grid = sample_grid(trainer.model, self.batch, self.num_samples)
        folder = trainer.work_dir / 'vis'
        folder.mkdir(exist_ok=True)
        save_image(grid, folder / f'iter_{trainer.iteration:06d}.png')
        if trainer.tb_writer is not None:
            trainer.tb_writer.add_image('samples', grid, trainer.iteration)


@HOOKS.register_module()
class LoggerHook(Hook):
    """Progress bar with ETA and live losses; every `interval` iterations a line in
    `log.jsonl` and TensorBoard scalars (losses, learning rates, timings, metrics)."""
    priority = 90

    def __init__(self, interval: int = 10, progress_bar: bool = True):
        self.interval, self.progress_bar = interval, progress_bar
        self.bar = None
        self.logged_metrics_iteration = None

    def before_train(self, trainer) -> None:
        if not trainer.is_main:
            return
        if self.progress_bar:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=trainer.max_iters, initial=trainer.iteration, unit='it',
                            dynamic_ncols=True, desc=trainer.run_name)
        self.log_file = open(trainer.work_dir / 'log.jsonl', 'a', encoding='utf-8')
        self.start_time, self.start_iter = time.perf_counter(), trainer.iteration

    def after_train_iter(self, trainer, outputs) -> None:
        if not trainer.is_main:
            return
        if self.bar is not None:
            self.bar.update(1)
        if every(trainer, self.interval):
            record = dict(iter=trainer.iteration,
                          **{k: float(v) for k, v in outputs.items()},
                          **{f'lr_{name}': opt.lr for name, opt in trainer.optimizers.items()},
                          time=trainer.last_iter_time, data_time=trainer.last_data_time)
            done = trainer.iteration - self.start_iter
            elapsed = time.perf_counter() - self.start_time
            record['eta_s'] = round(elapsed / done * (trainer.max_iters - trainer.iteration), 1)
            self._write(trainer, record)
            if self.bar is not None:
                self.bar.set_postfix({k: f'{float(v):.3f}' for k, v in outputs.items()},
                                     refresh=False)
        if trainer.metrics and trainer.metrics_iteration == trainer.iteration \
                and self.logged_metrics_iteration != trainer.iteration:
            self.logged_metrics_iteration = trainer.iteration
            self._write(trainer, dict(iter=trainer.iteration,
                                      **{f'val/{k}': v for k, v in trainer.metrics.items()}))
            message = f'iter {trainer.iteration}: val {format_results(trainer.metrics)}'
            (self.bar.write if self.bar is not None else print)(message)

    def _write(self, trainer, record: dict) -> None:
        self.log_file.write(json.dumps(record) + '\n')
        self.log_file.flush()
        if trainer.tb_writer is not None:
            for k, v in record.items():
                if k != 'iter' and isinstance(v, (int, float)) and math.isfinite(v):
                    trainer.tb_writer.add_scalar(k, v, trainer.iteration)

    def after_train(self, trainer) -> None:
        if self.bar is not None:
            self.bar.close()
        if trainer.is_main:
            self.log_file.close()
