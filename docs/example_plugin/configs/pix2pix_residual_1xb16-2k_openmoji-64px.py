# Pix2Pix with the plugin's generator. Run from docs/example_plugin/ with the plugin
# importable (pip install -e . there, or PYTHONPATH=.):
#   sketchgen train configs/pix2pix_residual_1xb16-2k_openmoji-64px.py
# The base is the config shipped inside the installed sketchgen package.
_base_ = ['sketchgen::pix2pix/pix2pix_unet-ngf32_1xb16-2k_openmoji-64px.py']
custom_imports = dict(imports=['sketchgen_example_plugin'], allow_failed_imports=False)
model = dict(generator=dict(_delete_=True, type='ResidualConvGenerator', in_channels=3,
                            out_channels=3, base_channels=32, num_blocks=4))
