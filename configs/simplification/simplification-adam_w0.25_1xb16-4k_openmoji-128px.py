# The default model's setting with Adam instead of ADADELTA (the paper found the
# optimiser made little difference; Adam needs a learning rate).
_base_ = ['./simplification_w0.25_1xb16-4k_openmoji-128px.py']
optim_wrapper = dict(
    generator=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3, betas=(0.9, 0.999))))
