"""A minimal third-party plugin: a generator that lives outside sketchgen.

It registers itself into sketchgen's MODELS registry on import; a config names
this module in `custom_imports` and then uses `type='ResidualConvGenerator'`.
"""
from sketchgen_example_plugin.residual_generator import ResidualConvGenerator

__all__ = ['ResidualConvGenerator']
