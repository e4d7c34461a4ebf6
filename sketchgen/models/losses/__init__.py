from sketchgen.models.losses.gan_loss import GANLoss
from sketchgen.models.losses.pixel_loss import L1Loss, MSELoss

__all__ = ['GANLoss', 'L1Loss', 'MSELoss']
