from sketchgen.engine import hooks  # noqa: F401  (registers the hooks)
from sketchgen.engine.trainer import Trainer

__all__ = ['Trainer']
