"""sketchgen: GAN-based sketch and cartoon image generation."""
__version__ = '0.1.0'
