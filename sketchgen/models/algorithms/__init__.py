from sketchgen.models.algorithms.base import ImageTranslationModel
from sketchgen.models.algorithms.classical_inpainting import OpenCVInpainting
from sketchgen.models.algorithms.cyclegan import CycleGAN
from sketchgen.models.algorithms.landmark_regression import LandmarkRegression
from sketchgen.models.algorithms.pix2pix import Pix2Pix
from sketchgen.models.algorithms.pix2pix_inpainting import Pix2PixInpainting
from sketchgen.models.algorithms.roigan import RoIGAN
from sketchgen.models.algorithms.simplification import SketchSimplification
from sketchgen.models.algorithms.spade import SPADE

__all__ = ['CycleGAN', 'ImageTranslationModel', 'LandmarkRegression', 'OpenCVInpainting',
           'Pix2Pix', 'Pix2PixInpainting',
           'RoIGAN', 'SPADE', 'SketchSimplification']
