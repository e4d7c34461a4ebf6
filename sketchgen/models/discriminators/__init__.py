from sketchgen.models.discriminators.multiscale import MultiscaleDiscriminator
from sketchgen.models.discriminators.patchgan import PatchDiscriminator
from sketchgen.models.discriminators.roigan import InfoQHead, RoIGANDiscriminator

__all__ = ['InfoQHead', 'MultiscaleDiscriminator', 'PatchDiscriminator', 'RoIGANDiscriminator']
