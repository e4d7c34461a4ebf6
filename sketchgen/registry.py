"""Every registry of sketchgen, in one place.

Components register where they are defined (`@MODELS.register_module()`), and
everything is built through its registry: `MODELS.build(dict(type='UnetGenerator', ...))`.
A downstream repository registers its own classes the same way and names its
module in the config's `custom_imports`.
"""
from __future__ import annotations

import difflib
import inspect

import mmengine.optim  # noqa: F401  (registers torch's optimisers and mmengine's schedulers)
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import Registry, build_from_cfg


class UnknownTypeError(KeyError):
    """A config named a `type` that its registry does not hold."""

    def __str__(self) -> str:  # KeyError would print the message quoted as a repr
        return str(self.args[0])


def _closest(word: str, candidates, n: int = 3) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.5)
    return f' Did you mean {", ".join(repr(c) for c in close)}?' if close else ''


def build_with_hints(cfg, registry: Registry, default_args=None):
    """mmengine's `build_from_cfg`, with errors that name what is registered.

    An unknown `type` names the registry and its closest registered names; a
    misspelt keyword names the closest constructor arguments.
    """
    obj_type = cfg.get('type') if isinstance(cfg, dict) else None
    if isinstance(cfg, dict) and 'type' not in cfg and not (default_args or {}).get('type'):
        # e.g. a broken _base_ list left only the overrides of the model dict
        raise KeyError(f"this '{registry.name}' config has no type= key (the class to "
                       f'build), got keys {sorted(cfg)}: name it, e.g. type=..., or check '
                       'that the _base_ configs it extends load')
    if isinstance(obj_type, str):
        obj_cls = registry.get(obj_type)
        if obj_cls is None:
            known = sorted(_all_names(registry))
            raise UnknownTypeError(
                f"type={obj_type!r} is not in the sketchgen '{registry.name}' registry."
                f'{_closest(obj_type, known)} Registered: {", ".join(known) or "(none)"}. '
                'A component from your own package must be imported first: list its module '
                "in the config's custom_imports=dict(imports=[...]).")
        _check_keywords(obj_cls, cfg, default_args)
    try:
        return build_from_cfg(cfg, registry, default_args)
    except (TypeError, ValueError, KeyError) as err:
        # Name the config dict whose constructor failed (a value of the wrong kind,
        # e.g. None where a number belongs, fails deep inside it); same type, so
        # callers catch it as before. The innermost failing dict is the one named.
        if not isinstance(obj_type, str) or str(err).startswith('type='):
            raise
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        try:
            wrapped = type(err)(f'type={obj_type!r} ({registry.name}): {message}')
        except Exception:  # an error type with another constructor: keep it as it is
            raise err from None
        raise wrapped from err


def _all_names(registry: Registry) -> set:
    names = set(registry.module_dict)
    if registry.parent is not None:
        names |= _all_names(registry.parent)
    return names


def _check_keywords(obj_cls, cfg, default_args) -> None:
    try:
        params = inspect.signature(obj_cls).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    given = set(cfg) - {'type', '_scope_'}
    if default_args:
        given |= set(default_args)
    for key in sorted(given - set(params)):
        raise TypeError(f"{obj_cls.__name__} got an unknown argument {key!r} (from the config "
                        f"dict with type={cfg['type']!r}).{_closest(key, params)} "
                        f"Its arguments: {', '.join(params)}.")


def _registry(name: str, location: str | None = None, parent: Registry | None = None
              ) -> Registry:
    # `locations` makes the registry import its package on first use, so a
    # config can be built without importing every module by hand.
    return Registry(name, build_func=build_with_hints, scope='sketchgen', parent=parent,
                    locations=[location] if location else [])


# Generators, discriminators and the algorithms (trained systems) that hold them.
MODELS = _registry('model', 'sketchgen.models')
LOSSES = _registry('loss', 'sketchgen.models.losses')
DATASETS = _registry('dataset', 'sketchgen.data')
TRANSFORMS = _registry('transform', 'sketchgen.data.transforms')
# Random regions of interest for inpainting (RoI-GAN): rectangle, ellipse, mixture, brush.
ROI_SAMPLERS = _registry('RoI sampler', 'sketchgen.data.roi_samplers')
HOOKS = _registry('hook', 'sketchgen.engine.hooks')
METRICS = _registry('metric', 'sketchgen.evaluation')
# Networks that embed images for FID/KID (Inception-v3, EfficientNet-Lite0, your own).
FEATURE_NETWORKS = _registry('feature network', 'sketchgen.evaluation.feature_networks')
# Children of mmengine's: every torch.optim optimiser and every mmengine scheduler
# (CosineAnnealingLR, LinearLR warm-up, MultiStepLR, ...) build by name, next to
# ours (LinearDecay) and a downstream repository's.
OPTIMIZERS = _registry('optimizer', 'sketchgen.engine.optim', parent=MMENGINE_OPTIMIZERS)
PARAM_SCHEDULERS = _registry('parameter scheduler', 'sketchgen.engine.optim',
                             parent=MMENGINE_PARAM_SCHEDULERS)
