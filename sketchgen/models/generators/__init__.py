from sketchgen.models.generators.resnet import ResnetGenerator
from sketchgen.models.generators.unet import UnetGenerator

__all__ = ['ResnetGenerator', 'UnetGenerator']
