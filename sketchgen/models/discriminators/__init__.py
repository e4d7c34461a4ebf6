from sketchgen.models.discriminators.patchgan import PatchDiscriminator

__all__ = ['PatchDiscriminator']
