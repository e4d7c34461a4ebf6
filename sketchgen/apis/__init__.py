from sketchgen.apis.inference import (DEFAULT_SIMPLIFICATION_MODEL, default_simplification_model,
                                     init_model)
from sketchgen.apis.inferencer import Inferencer
from sketchgen.apis.vectorize import trace_to_svg
from sketchgen.checkpoint import config_from_checkpoint

__all__ = ['DEFAULT_SIMPLIFICATION_MODEL', 'Inferencer', 'config_from_checkpoint',
           'default_simplification_model', 'init_model', 'trace_to_svg']
