from sketchgen.apis.inference import config_from_checkpoint, init_model

__all__ = ['config_from_checkpoint', 'init_model']
