"""Optimisers and learning-rate schedules, one per optimiser group.

An algorithm declares its groups (`optimizer_groups()`: group name -> the
networks it updates, e.g. Pix2Pix's `generator` and `discriminator`, CycleGAN's
`generators` and `discriminators`), and `train_step` receives one `OptimizerStep`
under each name. The config gives each group its optimiser, mmengine style:

    optim_wrapper = dict(
        generator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
        discriminator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))
    param_scheduler = dict(type='LinearDecay', start_fraction=0.5)     # or a list:
    param_scheduler = [dict(type='LinearLR', start_factor=0.1, end=100, by_epoch=False),
                       dict(type='CosineAnnealingLR', begin=100, T_max=900, by_epoch=False)]

Optimisers build from OPTIMIZERS (every torch.optim class), schedulers from
PARAM_SCHEDULERS (every mmengine scheduler, plus `LinearDecay`), and both step
once per iteration.
"""
from __future__ import annotations

import torch

from sketchgen.config import ConfigError
from sketchgen.registry import OPTIMIZERS, PARAM_SCHEDULERS

GROUP_KEYS = ('optimizer', 'clip_grad_norm')


class OptimizerStep:
    """What an algorithm's train_step calls to update one group:
    zero the grads, backward through accelerate (AMP loss scaling), clip, step.

    A loss that is NaN or infinite is not back-propagated and the step is skipped
    (the weights stay as they were); the trainer sees the loss in the step's outputs
    and decides whether to stop."""

    def __init__(self, optimizer, accelerator, clip_grad_norm: float | None = None,
                 params=None):
        self.optimizer = optimizer
        self.accelerator = accelerator
        self.clip_grad_norm = clip_grad_norm
        self.params = list(params) if params is not None else None
        self.skipped_steps = 0

    def update(self, loss: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        if not bool(torch.isfinite(loss.detach()).all()):
            self.skipped_steps += 1
            return
        self.accelerator.backward(loss)
        if self.clip_grad_norm is not None:
            self.accelerator.clip_grad_norm_(self.params, self.clip_grad_norm)
        self.optimizer.step()

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]['lr']


def build_optimizer(cfg: dict, params, group: str) -> torch.optim.Optimizer:
    """`cfg` names a registered optimiser and its arguments; `params` are the
    parameters it updates; `group` is the optim_wrapper key, for errors."""
    cfg = dict(cfg)
    if 'type' not in cfg:
        raise ConfigError(f'optim_wrapper.{group}.optimizer needs a type, e.g. '
                          "dict(type='Adam', lr=2e-4)")
    params = [p for p in params if p.requires_grad]
    try:
        return OPTIMIZERS.build(cfg, default_args=dict(params=params))
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError(f'optim_wrapper.{group}.optimizer: {err}') from None


class LinearDecayFactor:
    """pix2pix schedule as an iteration-based lr factor: 1 until `decay_start`,
    then linearly down to `end_factor` at `decay_end`. A class (not a lambda) so
    LambdaLR can save and restore it."""

    def __init__(self, decay_start: int, decay_end: int, end_factor: float = 0.0):
        if decay_end <= decay_start:
            raise ValueError(f'LinearDecay: decay_end={decay_end} must exceed '
                             f'decay_start={decay_start}')
        self.decay_start, self.decay_end, self.end_factor = decay_start, decay_end, end_factor

    def __call__(self, step: int) -> float:
        t = min(max(step - self.decay_start, 0) / (self.decay_end - self.decay_start), 1.0)
        return 1.0 - t * (1.0 - self.end_factor)


@PARAM_SCHEDULERS.register_module()
class LinearDecay(torch.optim.lr_scheduler.LambdaLR):
    """The pix2pix/CycleGAN reference schedule: constant for the first
    `start_fraction` of `train_cfg.max_iters`, then linear decay to `end_factor`
    at `end_fraction`. Fractions keep the schedule right when max_iters changes."""

    def __init__(self, optimizer, max_iters: int, start_fraction: float = 0.5,
                 end_fraction: float = 1.0, end_factor: float = 0.0):
        start = round(start_fraction * max_iters)
        end = round(end_fraction * max_iters)
        super().__init__(optimizer, LinearDecayFactor(start, max(end, start + 1), end_factor))


def build_schedulers(cfg, optimizer: torch.optim.Optimizer, max_iters: int) -> list:
    """One scheduler per entry of `param_scheduler` (a dict or a list of dicts),
    all on `optimizer`. Schedulers that take `max_iters` get train_cfg.max_iters."""
    import inspect
    entries = [cfg] if isinstance(cfg, dict) else list(cfg)
    schedulers = []
    for i, entry in enumerate(entries):
        where = 'param_scheduler' if isinstance(cfg, dict) else f'param_scheduler[{i}]'
        entry = dict(entry)
        cls = PARAM_SCHEDULERS.get(entry.get('type', ''))
        defaults = dict(optimizer=optimizer)
        if cls is not None and 'max_iters' in inspect.signature(cls).parameters:
            defaults['max_iters'] = max_iters
        try:
            schedulers.append(PARAM_SCHEDULERS.build(entry, default_args=defaults))
        except (KeyError, TypeError, ValueError) as err:
            raise ConfigError(f'{where}: {err}') from None
    return schedulers
