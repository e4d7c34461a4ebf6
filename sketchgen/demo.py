"""The web demo: `sketchgen demo` serves a Gradio app on localhost with one tab per
task. Each tab calls the `Inferencer` with the task's built-in model, or with one
given by checkpoint path or zoo name.

- Colour: draw or upload a sketch, paint hint strokes on it (the brush layer's
  opaque pixels are the hints), optionally pick a reference image (SPADE). With a
  preview model (a small, fast colouriser), every edit is coloured live.
- Simplify: rough sketch -> clean lines, with the SVG to download.
- Cartoon: a face -> cartoon, with a picker per condition label.
- Inpaint: brush a region, fill it (OpenCV Telea / Navier-Stokes, or a RoI-GAN
  checkpoint with its slider controls).

Everything runs offline: no fonts or scripts are fetched from the internet.
"""
from __future__ import annotations

import os
import tempfile
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
from PIL import Image

from sketchgen.apis.inferencer import DEFAULT_MODELS, Inferencer

PNG = dict(type='pil', format='png')   # lossless: the default webp would alter every pixel
SLIDERS = 10  # RoI-GAN's continuous codes at the thesis' settings


class DemoError(ValueError):
    """A message for the user of the page (shown by the app, not a traceback)."""


@lru_cache(maxsize=8)
def inferencer(task: str, model: str | None) -> Inferencer:
    return Inferencer(task, model or None)


def editor_parts(value) -> tuple[Image.Image, Image.Image | None]:
    """(background RGB, painted layer RGBA or None) of a Gradio ImageEditor value."""
    if value is None or value.get('background') is None:
        raise DemoError('Upload or draw an image first.')
    background = value['background'].convert('RGB')
    layers = [layer for layer in value.get('layers') or () if layer is not None]
    painted = None
    if layers:
        painted = Image.new('RGBA', layers[0].size, (0, 0, 0, 0))
        for layer in layers:
            painted.alpha_composite(layer.convert('RGBA').resize(painted.size))
        if not np.asarray(painted)[..., 3].any():
            painted = None
    return background, painted


def sketch_and_hints(editor) -> tuple[Image.Image, dict]:
    sketch, hints = editor_parts(editor)
    return sketch, {} if hints is None else {'hints': hints.resize(sketch.size, Image.NEAREST)}


def colourise(editor, reference, model: str, seed: float | None):
    sketch, options = sketch_and_hints(editor)
    if reference is not None:
        options.update(reference=reference.convert('RGB'), seed=int(seed or 0))
    return inferencer('colourise', model)(sketch, **options)


def colour_preview(editor, preview_model: str):
    """The live preview: on every edit of the sketch or its hints, the preview model
    colours it; the full model is not loaded for it. Nothing, and no message, while the
    editor is empty or no preview model is named."""
    if not preview_model or editor is None or editor.get('background') is None:
        return None
    sketch, options = sketch_and_hints(editor)
    return inferencer('colourise', preview_model)(sketch, **options)


def simplify(image, scale: float):
    if image is None:
        raise DemoError('Upload a rough sketch first.')
    clean, svg = inferencer('simplify', None)(image, scale=float(scale), svg=True)
    path = Path(tempfile.mkdtemp(prefix='sketchgen-demo-')) / 'clean.svg'
    path.write_text(svg)
    return clean, str(path)


def cartoon_labels(model: str) -> dict[str, tuple]:
    """The condition labels of the cartoon model given, else of the built-in one."""
    return dict(getattr(inferencer('cartoonise', model or None).model, 'labels', {}))


def cartoonise(image, model: str, photo: bool, *values: str, attributes: tuple = ()):
    if image is None:
        raise DemoError('Upload a face first.')
    labels = dict(zip(attributes, values)) or None
    return inferencer('cartoonise', model)(image, labels=labels, photo=bool(photo))


def inpaint(editor, model: str, seed: float, *controls: float):
    image, painted = editor_parts(editor)
    if painted is None:
        raise DemoError('Brush over the region to fill first.')
    mask = Image.fromarray(np.where(np.asarray(painted)[..., 3] > 0, 255, 0).astype(np.uint8))
    runner = inferencer('inpaint', model or None)
    codes = dict(controls=list(controls[:runner.controls])) if runner.controls else {}
    return runner(image, mask=mask, seed=int(seed or 0), **codes)


def _shown(function):
    """Turn DemoError and the library's input errors into a message on the page."""
    import gradio as gr

    def wrapped(*args):
        try:
            return function(*args)
        except (DemoError, ValueError, FileNotFoundError, ImportError) as err:
            raise gr.Error(str(err)) from None
    wrapped.__name__ = getattr(function, '__name__', 'run')
    return wrapped


def build_app(colourise_model: str = '', cartoon_model: str = '', inpaint_model: str = '',
              preview_model: str = DEFAULT_MODELS['colourise']):
    import gradio as gr
    with gr.Blocks(title='sketchgen demo', analytics_enabled=False) as app:
        gr.Markdown('# sketchgen\nColour sketches, clean rough lines, cartoonise faces, '
                    'fill regions. Models run on this machine.')
        with gr.Tab('Colour'):
            gr.Markdown('Draw or upload a line drawing, paint colour hints with the brush. '
                        'The live preview follows every edit; "Colour" runs the model below '
                        f'(empty: the built-in `{DEFAULT_MODELS["colourise"]}`, small and '
                        'fast; model_zoo.md lists better ones to train).')
            with gr.Row():
                sketch = gr.ImageEditor(**PNG, label='Sketch (+ hint strokes)',
                                        elem_id='colour-input')
                reference = gr.Image(**PNG, label='Reference (SPADE, optional)')
                preview = gr.Image(**PNG, label='Live preview', elem_id='colour-preview')
                coloured = gr.Image(**PNG, label='Coloured', elem_id='colour-output')
            with gr.Row():
                colour_model = gr.Textbox(colourise_model, label='Model (checkpoint or zoo name)')
                preview_box = gr.Textbox(preview_model, label='Live preview model (small, fast; '
                                         'empty: no preview)')
                colour_seed = gr.Number(0, label='Seed', precision=0)
            gr.Button('Colour', elem_id='colour-run').click(
                _shown(colourise), [sketch, reference, colour_model, colour_seed], coloured)
            # always_last: edits that arrive while a preview runs collapse into one
            gr.on([sketch.upload, sketch.change], _shown(colour_preview),
                  [sketch, preview_box], preview, trigger_mode='always_last',
                  show_progress='hidden')
        with gr.Tab('Simplify'):
            gr.Markdown('A rough sketch in, clean lines out (the built-in model), with SVG.')
            with gr.Row():
                rough = gr.Image(**PNG, label='Rough sketch', elem_id='simplify-input')
                clean = gr.Image(**PNG, label='Clean lines', elem_id='simplify-output')
            scale = gr.Slider(0.25, 1.0, value=1.0, step=0.25,
                              label='Scale (lower simplifies more)')
            svg = gr.File(label='SVG')
            gr.Button('Simplify', elem_id='simplify-run').click(
                _shown(simplify), [rough, scale], [clean, svg])
        with gr.Tab('Cartoon'):
            gr.Markdown('A face in, a cartoon out, with the hair and skin you pick (empty '
                        f'model box: the built-in `{DEFAULT_MODELS["cartoonise"]}`). '
                        'Tick "photo" for a real photo: its face is found and aligned '
                        'first (MTCNN; pip install --no-deps facenet-pytorch). Otherwise '
                        'the face should be aligned like the training faces.')
            with gr.Row():
                face = gr.Image(**PNG, label='Face', elem_id='cartoon-input')
                cartoon = gr.Image(**PNG, label='Cartoon', elem_id='cartoon-output')
            with gr.Row():
                cartoon_box = gr.Textbox(cartoon_model, label='Model (checkpoint or zoo name)')
                photo = gr.Checkbox(False, label='photo (find the face)')
                labels = cartoon_labels(cartoon_model)
                pickers = [gr.Dropdown(list(values), value=values[0], label=name.capitalize())
                           for name, values in labels.items()]
            gr.Button('Cartoonise', elem_id='cartoon-run').click(
                _shown(partial(cartoonise, attributes=tuple(labels))),
                [face, cartoon_box, photo, *pickers], cartoon)
        with gr.Tab('Inpaint'):
            gr.Markdown('Brush over a region; it is filled. Model: `telea`, `navier_stokes` '
                        '(OpenCV) or a RoI-GAN checkpoint, whose sliders steer the fill.')
            with gr.Row():
                picture = gr.ImageEditor(**PNG, label='Image (+ brushed region)',
                                         elem_id='inpaint-input')
                filled = gr.Image(**PNG, label='Filled', elem_id='inpaint-output')
            with gr.Row():
                inpaint_box = gr.Textbox(inpaint_model or 'telea', label='Model')
                inpaint_seed = gr.Number(0, label='Seed', precision=0)
            with gr.Accordion('Controls (RoI-GAN)', open=False):
                sliders = [gr.Slider(-1, 1, value=0, step=0.1, label=f'c{i}')
                           for i in range(SLIDERS)]
            gr.Button('Fill', elem_id='inpaint-run').click(
                _shown(inpaint), [picture, inpaint_box, inpaint_seed, *sliders], filled)
    return app


def launch(port: int = 7860, host: str = '127.0.0.1', block: bool = True, **models):
    """Serve the app; returns (app, url). `block=False` returns at once (tests)."""
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')   # offline: no telemetry
    import gradio as gr
    theme = gr.themes.Default(font=['system-ui', 'sans-serif'], font_mono=['monospace'])
    app = build_app(**models)
    _, url, _ = app.launch(server_name=host, server_port=port, prevent_thread_lock=not block,
                           quiet=True, theme=theme, footer_links=[], ssr_mode=False)
    return app, url
