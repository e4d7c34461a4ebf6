from sketchgen.models.algorithms.base import ImageTranslationModel
from sketchgen.models.algorithms.pix2pix import Pix2Pix

__all__ = ['ImageTranslationModel', 'Pix2Pix']
