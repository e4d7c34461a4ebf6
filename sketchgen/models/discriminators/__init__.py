from sketchgen.models.discriminators.multiscale import MultiscaleDiscriminator
from sketchgen.models.discriminators.patchgan import PatchDiscriminator

__all__ = ['MultiscaleDiscriminator', 'PatchDiscriminator']
