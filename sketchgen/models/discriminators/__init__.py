from sketchgen.models.discriminators.diff_augment import DiffAugment
from sketchgen.models.discriminators.label_classifier import LabelClassifier
from sketchgen.models.discriminators.multiscale import MultiscaleDiscriminator
from sketchgen.models.discriminators.patchgan import PatchDiscriminator
from sketchgen.models.discriminators.roigan import InfoQHead, RoIGANDiscriminator

__all__ = ['DiffAugment', 'InfoQHead', 'LabelClassifier', 'MultiscaleDiscriminator',
           'PatchDiscriminator', 'RoIGANDiscriminator']
