from sketchgen.models.generators.unet import UnetGenerator

__all__ = ['UnetGenerator']
