"""The Inferencer, the task CLIs and the web demo. The demo is driven end to end in
headless Chromium (Debian's `chromium`, through Playwright's `executable_path`): load
the page, upload an image, run, read the output image back and check it is not blank.
`.ci/run` installs the browser and sets SKETCHGEN_REQUIRE_BROWSER=1, so there the
browser test fails instead of skipping when something is missing."""
from __future__ import annotations

import base64
import io
import os
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from sketchgen.apis import Inferencer
from sketchgen.demo import (DemoError, cartoonise, colour_preview, colourise, editor_parts,
                            inpaint)

ROOT = Path(__file__).resolve().parent.parent


def rough_sketch(size=96) -> Image.Image:
    image = Image.new('RGB', (size, size), 'white')
    draw = ImageDraw.Draw(image)
    for offset in (0, 2, 4):   # three sloppy strokes of one circle
        draw.ellipse((16 + offset, 18 - offset, 80 - offset, 78 + offset), outline='black',
                     width=2)
    return image


def picture(size=64) -> Image.Image:
    x = np.linspace(0, 255, size, dtype=np.uint8)
    return Image.fromarray(np.stack([np.tile(x, (size, 1)), np.tile(x[:, None], (1, size)),
                                     np.full((size, size), 128, np.uint8)], -1))


def test_inferencer_simplify_with_svg_and_folder(tmp_path):
    runner = Inferencer('simplify')   # the built-in model, offline
    clean, svg = runner(rough_sketch(), svg=True)
    assert clean.size == (96, 96) and svg.lstrip().startswith('<') and '<path' in svg
    (tmp_path / 'in').mkdir()
    rough_sketch().save(tmp_path / 'in' / 'a.png')
    rough_sketch(64).save(tmp_path / 'in' / 'b.jpg')
    written = runner.run_folder(tmp_path / 'in', tmp_path / 'out')
    assert [p.name for p in written] == ['a.png', 'b.png']
    with pytest.raises(FileExistsError, match='a.png exists'):
        runner.run_folder(tmp_path / 'in', tmp_path / 'out')


def test_inferencer_translates_emoji_with_the_built_in_model():
    from sketchgen.data.emoji import twemoji_svg_dir
    from sketchgen.data.openmoji import render_svg
    twemoji = render_svg((twemoji_svg_dir() / '1f600.svg').read_text(), 64)   # grinning face
    runner = Inferencer('translate')   # shipped in the package, offline
    openmoji_style = runner(twemoji)
    back = runner(openmoji_style, direction='BtoA')
    assert openmoji_style.size == back.size == (64, 64)
    a, b = np.asarray(twemoji, float), np.asarray(openmoji_style, float)
    # restyled, not copied, yet still the same picture (the same face, in place)
    assert 2 < np.abs(a - b).mean() < 60
    assert np.corrcoef(a.mean(2).ravel(), b.mean(2).ravel())[0, 1] > 0.5


def test_inferencer_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="task 'paint' is not one of"):
        Inferencer('paint')
    with pytest.raises(ValueError, match='does not inpaint'):
        Inferencer('inpaint', model='sketch_simplification_w0.25_openmoji-128px')
    with pytest.raises(ValueError, match='has no controls'):
        Inferencer('inpaint', model='telea')(picture(), roi='ellipse', controls=[0.5])


def test_demo_functions_fill_the_brushed_region_and_ask_for_missing_input():
    image = picture()
    layer = Image.new('RGBA', image.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((20, 20, 40, 40), fill=(255, 0, 0, 255))
    editor = dict(background=image, layers=[layer], composite=image)
    assert editor_parts(editor)[1] is not None
    filled = np.asarray(inpaint(editor, 'telea', 0, *[0.0] * 10)).astype(int)
    original = np.asarray(image).astype(int)
    inside = np.zeros(original.shape[:2], bool)
    inside[20:41, 20:41] = True
    assert (filled[~inside] == original[~inside]).all()
    assert np.abs(filled[inside] - original[inside]).max() > 0
    with pytest.raises(DemoError, match='Brush over the region'):
        inpaint(dict(background=image, layers=[], composite=image), 'telea', 0)
    with pytest.raises(DemoError, match='Upload a face first'):
        cartoonise(None, '', False)


def test_the_built_in_colouriser_colours_a_sketch_and_follows_a_hint():
    from sketchgen.apis.inferencer import DEFAULT_MODELS
    from sketchgen import zoo
    entry = zoo.get(DEFAULT_MODELS['colourise'])
    assert entry.available == 'package' and entry.size_bytes < 10 * 10 ** 6
    sketch = rough_sketch(128)
    editor = dict(background=sketch, layers=[], composite=sketch)
    plain = np.asarray(colourise(editor, None, '', 0)).astype(int)   # '' = the built-in
    assert plain.shape == (128, 128, 3)
    hint = Image.new('RGBA', sketch.size, (0, 0, 0, 0))
    ImageDraw.Draw(hint).rectangle((44, 44, 52, 52), fill=(20, 60, 230, 255))   # blue
    hinted = np.asarray(colourise(dict(editor, layers=[hint]), None, '', 0)).astype(int)
    blue = hinted[44:53, 44:53] - plain[44:53, 44:53]
    assert blue[..., 2].mean() > blue[..., 0].mean()     # bluer where the hint is


@pytest.fixture(scope='module')
def tiny_colourisers(tiny_pairs, tmp_path_factory) -> dict[str, Path]:
    """Two untrained tiny Pix2Pix checkpoints with different weights: 'full', 'small'."""
    import torch
    from conftest import tiny_config
    from sketchgen.checkpoint import save_checkpoint
    from sketchgen.registry import MODELS
    cfg, root, out = tiny_config(tiny_pairs), tmp_path_factory.mktemp('colourisers'), {}
    for seed, name in enumerate(('full', 'small')):
        torch.manual_seed(seed)
        out[name] = save_checkpoint(root / name, MODELS.build(cfg.model.to_dict()), cfg, 1)
    return out


def test_colourise_cli_on_a_folder(tiny_pairs, tiny_colourisers, tmp_path):
    from sketchgen.tools import run
    assert run('colourise', [str(tiny_pairs / 'val' / 'A'), '--out', str(tmp_path / 'out'),
                             '--model', str(tiny_colourisers['full'])]) == 0
    outputs = sorted((tmp_path / 'out').glob('*.png'))
    assert len(outputs) == len(list((tiny_pairs / 'val' / 'A').iterdir()))
    assert Image.open(outputs[0]).size == (32, 32)


def test_preview_model_answers_preview_calls(tiny_colourisers):
    full, small = (str(tiny_colourisers[k]) for k in ('full', 'small'))
    sketch = rough_sketch(32)
    live = Inferencer('colourise', full, preview_model=small)
    as_preview = np.asarray(live(sketch, preview=True))
    assert (as_preview == np.asarray(Inferencer('colourise', small)(sketch))).all()
    assert (np.asarray(live(sketch)) == np.asarray(Inferencer('colourise', full)(sketch))).all()
    assert (as_preview != np.asarray(live(sketch))).any()
    with pytest.raises(ValueError, match='preview_model='):
        Inferencer('colourise', full)(sketch, preview=True)


def test_demo_live_preview_colours_each_edit_with_the_preview_model(tiny_colourisers):
    full, small = (str(tiny_colourisers[k]) for k in ('full', 'small'))
    sketch = rough_sketch(32)
    editor = dict(background=sketch, layers=[], composite=sketch)
    shown = colour_preview(editor, small)
    assert (np.asarray(shown) == np.asarray(Inferencer('colourise', small)(sketch))).all()
    assert (np.asarray(shown) != np.asarray(Inferencer('colourise', full)(sketch))).any()
    assert colour_preview(editor, '') is None          # no preview model: off
    assert colour_preview(None, small) is None         # nothing drawn yet: no message


# ---------------------------------------------------------------------- in a browser
def chromium() -> str | None:
    return shutil.which('chromium') or shutil.which('chromium-browser')


def browser_or_skip():
    missing = []
    try:
        import gradio  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as err:
        missing.append(f'{err.name} (pip install -e ".[demo,test]")')
    if chromium() is None:
        missing.append("Debian's chromium (apt-get install chromium)")
    if missing:
        if os.environ.get('SKETCHGEN_REQUIRE_BROWSER') == '1':
            pytest.fail('the browser test needs ' + ', '.join(missing))
        pytest.skip('the browser test needs ' + ', '.join(missing))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def read_output_image(page, selector: str) -> Image.Image:
    image = page.locator(f'{selector} img').first
    image.wait_for(state='visible', timeout=60_000)
    src = image.get_attribute('src')
    if src.startswith('data:'):
        data = base64.b64decode(src.split(',', 1)[1])
    else:
        data = page.request.get(src).body()
    return Image.open(io.BytesIO(data)).convert('RGB')


def test_demo_in_a_real_browser(tmp_path, tiny_colourisers):
    browser_or_skip()
    from playwright.sync_api import sync_playwright
    from sketchgen.demo import launch
    rough_sketch().save(tmp_path / 'rough.png')
    rough_sketch(32).save(tmp_path / 'sketch.png')
    picture(128).save(tmp_path / 'picture.png')
    from sketchgen.data.emoji import twemoji_svg_dir
    from sketchgen.data.openmoji import render_svg
    face = render_svg((twemoji_svg_dir() / '1f468.svg').read_text(encoding='utf-8'), 64)
    face.save(tmp_path / 'face.png')
    small = str(tiny_colourisers['small'])
    app, url = launch(port=free_port(), block=False, preview_model=small)
    shots = os.environ.get('SKETCHGEN_DEMO_SCREENSHOTS')
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), headless=True,
                                        args=['--no-sandbox'])
            page = browser.new_page(viewport=dict(width=1280, height=900))
            page.goto(url)
            # the live preview: uploading a sketch colours it, no button pressed
            page.get_by_role('tab', name='Colour').click()
            page.locator('#colour-input input[type=file]').set_input_files(
                str(tmp_path / 'sketch.png'))
            shown = np.asarray(read_output_image(page, '#colour-preview')).astype(int)
            expected = np.asarray(Inferencer('colourise', small)(rough_sketch(32))).astype(int)
            assert shown.shape == expected.shape and np.abs(shown - expected).max() <= 2
            if shots:
                page.screenshot(path=f'{shots}/demo_colour_preview.png', full_page=True)

            page.get_by_role('tab', name='Simplify').click()
            page.locator('#simplify-input input[type=file]').set_input_files(
                str(tmp_path / 'rough.png'))
            page.locator('#simplify-run').click()
            clean = np.asarray(read_output_image(page, '#simplify-output'))
            assert clean.shape[:2] == (96, 96)
            assert clean.std() > 10 and (clean < 128).mean() > 0.005   # lines, not blank
            if shots:
                page.screenshot(path=f'{shots}/demo_simplify.png', full_page=True)

            # the built-in cartoon model with the pickers' first values (black hair, yellow skin)
            page.get_by_role('tab', name='Cartoon').click()
            page.locator('#cartoon-input input[type=file]').set_input_files(
                str(tmp_path / 'face.png'))
            page.locator('#cartoon-run').click()
            cartoon = np.asarray(read_output_image(page, '#cartoon-output')).astype(int)
            expected = np.asarray(Inferencer('cartoonise')(
                face, labels=dict(hair='black', skin='yellow'))).astype(int)
            assert cartoon.shape == expected.shape and np.abs(cartoon - expected).max() <= 2
            if shots:
                page.screenshot(path=f'{shots}/demo_cartoon.png', full_page=True)

            # brush a stroke across the middle of a picture, fill it with Telea
            page.get_by_role('tab', name='Inpaint').click()
            page.locator('#inpaint-input input[type=file]').set_input_files(
                str(tmp_path / 'picture.png'))
            page.locator('#inpaint-input button[aria-label="Brush"]').click()
            box = page.locator('#inpaint-input canvas').first.bounding_box()
            cx, cy = box['x'] + box['width'] / 2, box['y'] + box['height'] / 2
            page.mouse.move(cx - 40, cy)
            page.mouse.down()
            for step in range(1, 21):
                page.mouse.move(cx - 40 + 4 * step, cy, steps=2)
            page.mouse.up()
            page.locator('#inpaint-run').click()
            filled = np.asarray(read_output_image(page, '#inpaint-output')).astype(int)
            original = np.asarray(picture(128)).astype(int)
            assert filled.shape == original.shape and filled.std() > 10
            changed = np.abs(filled - original).max(-1) > 0
            assert 0 < changed.mean() < 0.3            # the stroke, not the whole image
            assert changed[54:74].any() and not changed[:20].any()   # middle rows only
            if shots:
                page.screenshot(path=f'{shots}/demo_inpaint.png', full_page=True)
            browser.close()
    finally:
        app.close()


def test_the_built_in_cartoon_model_paints_the_hair_it_is_asked_for():
    from sketchgen import zoo
    from sketchgen.apis.inferencer import DEFAULT_MODELS
    from sketchgen.data.emoji import (HAIR_COLOURS, emoji_key, twemoji_hair_mask_svg,
                                      twemoji_hair_shapes, twemoji_svg_dir)
    from sketchgen.data.openmoji import render_svg
    from sketchgen.tools.cartoon_eval import image_tensor, read_colour_label
    entry = zoo.get(DEFAULT_MODELS['cartoonise'])
    assert entry.available == 'package' and entry.size_bytes < 10 * 10 ** 6
    # the man emoji, a test-split face, in all his skin tones (the hair shapes are told
    # apart across the tones, as the data set does)
    svgs = {emoji_key(p.stem): p.read_text(encoding='utf-8')
            for p in twemoji_svg_dir().glob('1f468*.svg') if len(p.stem.split('-')) <= 2}
    face, shapes = '1F468-1F3FD', twemoji_hair_shapes(svgs)
    hair = torch.from_numpy(np.asarray(render_svg(twemoji_hair_mask_svg(
        svgs[face], shapes[face]), 64).convert('L')) < 128)
    assert 0.05 < hair.float().mean() < 0.5
    runner = Inferencer('cartoonise')
    outputs = {value: image_tensor(runner(render_svg(svgs[face], 64),
                                          labels=dict(hair=value, skin='medium'))) * 2 - 1
               for value in HAIR_COLOURS}
    for value, output in outputs.items():   # each requested colour is read back
        assert read_colour_label(output, hair, HAIR_COLOURS) == value
    stack = torch.stack(list(outputs.values()))
    span = (stack.amax(0) - stack.amin(0)).amax(0)   # how far the label moves each pixel
    assert span[hair].mean() > 10 * span[~hair].mean()   # the hair, not the rest


def test_cartoon_pickers_come_from_the_cartoon_model():
    from sketchgen.demo import cartoon_labels
    labels = cartoon_labels('')
    assert set(labels) == {'hair', 'skin'} and 'blonde' in labels['hair']
    assert 'yellow' in labels['skin']
