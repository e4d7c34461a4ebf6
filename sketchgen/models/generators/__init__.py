from sketchgen.models.generators.resnet import ResnetGenerator
from sketchgen.models.generators.roigan import RoIGANGenerator
from sketchgen.models.generators.simplification import SketchSimplificationNet, tiled_forward
from sketchgen.models.generators.spade import SPADEGenerator, SPADEStyleEncoder
from sketchgen.models.generators.unet import UnetGenerator

__all__ = ['ResnetGenerator', 'RoIGANGenerator', 'SPADEGenerator', 'SPADEStyleEncoder',
           'SketchSimplificationNet', 'UnetGenerator', 'tiled_forward']
