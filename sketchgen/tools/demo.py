"""Start the web demo on this machine (Gradio, offline).

    sketchgen demo [--port 7860] [--host 127.0.0.1] [--colourise-model CKPT]
                   [--preview-model CKPT] [--cartoon-model CKPT]
                   [--inpaint-model telea|CKPT]

Open the printed URL in a browser. Needs the demo extra: pip install "sketchgen[demo]".
"""
from __future__ import annotations

import argparse

from sketchgen.apis.inferencer import DEFAULT_MODELS


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='Start the sketchgen web demo.')
    p.add_argument('--port', type=int, default=7860)
    p.add_argument('--host', default='127.0.0.1',
                   help='address to serve on (0.0.0.0 exposes it to the network)')
    p.add_argument('--colourise-model', default='', help='checkpoint or zoo name')
    p.add_argument('--preview-model', default=DEFAULT_MODELS['colourise'],
                   help='a small, fast colouriser (checkpoint, .onnx or zoo name) that colours '
                        "the sketch live on every edit (default: the built-in one; '' turns "
                        'the preview off)')
    p.add_argument('--cartoon-model', default='', help='checkpoint of the cartoon model')
    p.add_argument('--inpaint-model', default='', help='telea, navier_stokes or a checkpoint')
    args = p.parse_args(argv)
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise SystemExit('the demo needs Gradio: pip install "sketchgen[demo]"') from None
    from sketchgen.demo import launch
    launch(args.port, args.host, block=True, colourise_model=args.colourise_model,
           preview_model=args.preview_model, cartoon_model=args.cartoon_model,
           inpaint_model=args.inpaint_model)
    return 0
