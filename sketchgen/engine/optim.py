"""Optimisers and learning-rate schedules, one per network.

`optim_wrapper` in a config maps a network's attribute name on the algorithm to
its optimiser, mmengine style:

    optim_wrapper = dict(
        generator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
        discriminator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))

A key may instead name a group of networks that share one optimiser (one
backward, one step), e.g. CycleGAN's `generators=dict(networks=('generator',
'generator_ba'), optimizer=...)`; `train_step` receives it under the key.
"""
from __future__ import annotations

import torch
from torch import nn


class OptimizerStep:
    """What an algorithm's train_step calls to update one network:
    zero the grads, backward through accelerate (AMP loss scaling), clip, step."""

    def __init__(self, optimizer, accelerator, clip_grad_norm: float | None = None,
                 params=None):
        self.optimizer = optimizer
        self.accelerator = accelerator
        self.clip_grad_norm = clip_grad_norm
        self.params = list(params) if params is not None else None

    def update(self, loss: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        self.accelerator.backward(loss)
        if self.clip_grad_norm is not None:
            self.accelerator.clip_grad_norm_(self.params, self.clip_grad_norm)
        self.optimizer.step()

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]['lr']


def build_optimizer(cfg: dict, params, name: str) -> torch.optim.Optimizer:
    """`cfg` names a torch.optim class and its arguments; `params` are the parameters
    (or a network) it updates; `name` is the optim_wrapper key, for errors."""
    cfg = dict(cfg)
    opt_type = cfg.pop('type', None)
    opt_cls = getattr(torch.optim, str(opt_type), None)
    if not (isinstance(opt_cls, type) and issubclass(opt_cls, torch.optim.Optimizer)):
        known = [n for n in dir(torch.optim) if n[0].isupper() and n != 'Optimizer']
        raise ValueError(f'optim_wrapper.{name}.optimizer.type={opt_type!r} is not a '
                         f'torch.optim optimiser; choose one of {", ".join(known)}.')
    if isinstance(params, nn.Module):
        params = params.parameters()
    return opt_cls([p for p in params if p.requires_grad], **cfg)


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


SCHEDULER_TYPES = ('LinearDecay',)


def build_scheduler(cfg: dict, optimizer: torch.optim.Optimizer, max_iters: int):
    """`dict(type='LinearDecay', start_fraction=0.5, end_fraction=1.0, end_factor=0.0)`:
    constant for the first half of `train_cfg.max_iters`, then linear decay to 0.
    Fractions keep the schedule right when max_iters is overridden."""
    cfg = dict(cfg)
    kind = cfg.pop('type')
    if kind != 'LinearDecay':
        raise ValueError(f'param_scheduler.type={kind!r} is not one of {SCHEDULER_TYPES}')
    start = round(cfg.pop('start_fraction', 0.5) * max_iters)
    end = round(cfg.pop('end_fraction', 1.0) * max_iters)
    if cfg.keys() - {'end_factor'}:
        raise ValueError(f'param_scheduler: unknown keys {sorted(cfg.keys() - {"end_factor"})}; '
                         'LinearDecay takes start_fraction, end_fraction, end_factor.')
    factor = LinearDecayFactor(start, max(end, start + 1), cfg.get('end_factor', 0.0))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
