from sketchgen.models.losses.feature_matching import FeatureMatchingLoss
from sketchgen.models.losses.gan_loss import GANLoss
from sketchgen.models.losses.gradient_penalty import GradientPenaltyLoss
from sketchgen.models.losses.info_loss import InfoLoss
from sketchgen.models.losses.kl_loss import KLDivergenceLoss
from sketchgen.models.losses.landmark_loss import LandmarkLoss
from sketchgen.models.losses.loss_map import LossMapMSELoss, simplification_loss_map
from sketchgen.models.losses.perceptual_loss import PerceptualLoss, gram_matrix
from sketchgen.models.losses.pixel_loss import (ChangedRegionL1Loss, L1Loss, MSELoss,
                                                RegionColourLoss, RegionL1Loss)
from sketchgen.models.losses.tv_loss import TotalVariationLoss

__all__ = ['ChangedRegionL1Loss', 'FeatureMatchingLoss', 'GANLoss', 'GradientPenaltyLoss',
           'InfoLoss', 'KLDivergenceLoss',
           'LandmarkLoss', 'LossMapMSELoss', 'PerceptualLoss',
           'gram_matrix', 'L1Loss', 'MSELoss', 'RegionColourLoss', 'RegionL1Loss',
           'TotalVariationLoss',
           'simplification_loss_map']
