"""Convert a reference implementation's published weights to a sketchgen checkpoint.

    python tools/convert.py latest_net_G.pth --format pix2pix-reference \\
        --config configs/pix2pix/pix2pix_unet_1xb1-80k_facades-256px.py \\
        --out facades.safetensors
    python tools/convert.py horse2zebra.pth --format cyclegan-reference \\
        --config configs/cyclegan/cyclegan_resnet-9blocks_1xb1-200e_horse2zebra-256px.py \\
        --out h2z.safetensors
    python tools/convert.py model_gan.pth --format simplification-reference \\
        --config configs/simplification/simplification_1xb8-100k_folder-pairs-424px.py \\
        --out gan.safetensors

The .pth is read with weights_only=True (it runs no code). The output loads with
`init_model(OUT)` and every tool's checkpoint argument; it holds the generator only.
Zoo names of the reference models (`sketchgen list_models`) are converted on download.
"""
from __future__ import annotations

import argparse

from sketchgen.convert import REFERENCE_FORMATS


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='Convert reference weights to sketchgen.')
    p.add_argument('source', help='the reference .pth file')
    p.add_argument('--format', required=True, choices=REFERENCE_FORMATS)
    p.add_argument('--config', required=True, help='the sketchgen config of the architecture')
    p.add_argument('--out', required=True, help='the .safetensors file to write')
    p.add_argument('--overwrite', action='store_true')
    args = p.parse_args(argv)
    from sketchgen.config import load_config
    from sketchgen.convert import convert_reference
    from sketchgen.tools.outputs import check_output
    from sketchgen.weights import sha256
    out = check_output(args.out, [args.source], args.overwrite)
    convert_reference(args.source, out, args.format, load_config(args.config))
    print(f'wrote {out} (sha256 {sha256(out)})')
    return 0
