# Rough sketch simplification (Simo-Serra et al. 2016): the 23-layer
# fully-convolutional network at the paper's widths, trained with the loss-map
# MSE (alpha 6, beta -2, D_h 2, B_h 10). Inference runs at the input's own size.
model = dict(
    type='SketchSimplification',
    generator=dict(type='SketchSimplificationNet', width=1.0),
    loss=dict(type='LossMapMSELoss', alpha=6.0, beta=-2.0, radius=2, bins=10,
              variant='paper'),
)
