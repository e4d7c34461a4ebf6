"""Networks, losses and the algorithms that train them. Importing this package
registers every built-in component."""
from sketchgen.models import algorithms, discriminators, generators, landmark_regressor, losses  # noqa: F401,E501
from sketchgen.models.algorithms.base import ImageTranslationModel
from sketchgen.models.algorithms.cyclegan import CycleGAN
from sketchgen.models.algorithms.pix2pix import Pix2Pix
from sketchgen.models.algorithms.simplification import SketchSimplification

__all__ = ['CycleGAN', 'ImageTranslationModel', 'Pix2Pix', 'SketchSimplification']
