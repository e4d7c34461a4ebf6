# Pix2Pix with the plugin's generator. Run from docs/example_plugin/ with the plugin
# importable (pip install -e . there, or PYTHONPATH=.):
#   python ../../tools/train.py configs/pix2pix_residual_1xb16-2k_openmoji-64px.py
_base_ = ['../../../configs/pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py']
custom_imports = dict(imports=['sketchgen_example_plugin'], allow_failed_imports=False)
model = dict(generator=dict(_delete_=True, type='ResidualConvGenerator', in_channels=3,
                            out_channels=3, base_channels=32, num_blocks=4))
