# OpenMoji label maps -> colour (the built-in semantic task; CC BY-SA 4.0, see
# README): the line-art pairs' loaders, pipelines and splits, with the label map as
# the source. 7 classes read from the SVG groups (sketchgen.data.openmoji_semantic):
# background, colour, hair, skin, skin-shadow, line, colour-foreground. Label maps
# are resized by nearest neighbour.
_base_ = ['./openmoji_paired.py']
train_dataloader = dict(dataset=dict(type='OpenMojiSemanticDataset'))
val_dataloader = dict(dataset=dict(type='OpenMojiSemanticDataset'))
test_dataloader = dict(dataset=dict(type='OpenMojiSemanticDataset'))
