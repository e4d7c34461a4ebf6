"""Sketch simplification: the any-size network, tiled inference, the loss map,
the roughening pipeline, training, the simplify tool and SVG output."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sketchgen.models.generators.simplification import (RECEPTIVE_RADIUS,
                                                        SketchSimplificationNet, tiled_forward)
from sketchgen.models.losses.loss_map import LossMapMSELoss, simplification_loss_map

THIN = 1 / 16  # 0.17M parameters: fast on CPU, same depth and receptive field


# ---------------------------------------------------------------- network
@pytest.mark.parametrize('size', [(37, 53), (8, 8), (1, 15), (64, 41)])
def test_output_shape_equals_input_shape(size):
    net = SketchSimplificationNet(width=THIN).eval()
    y = net(torch.rand(2, 1, *size))
    assert y.shape == (2, 1, *size)
    assert 0 <= y.min() and y.max() <= 1  # sigmoid


def test_padding_is_replicated_and_cropped_back():
    """An odd-size input gives exactly the top-left crop of the run on its
    replicate-padded version."""
    net = SketchSimplificationNet(width=THIN).eval()
    x = torch.rand(1, 1, 21, 30)
    padded = torch.nn.functional.pad(x, (0, 2, 0, 3), mode='replicate')  # -> 24 x 32
    with torch.no_grad():
        assert torch.equal(net(x), net(padded)[..., :21, :30])
        # zero padding instead would change the border pixels: the crop is not trivial
        zeros = torch.nn.functional.pad(x, (0, 2, 0, 3))
        assert not torch.allclose(net(x), net(zeros)[..., :21, :30])


def test_layers_follow_the_paper_table():
    net = SketchSimplificationNet(width=1.0)
    convs = [m for m in net.modules() if isinstance(m, (torch.nn.Conv2d,
                                                        torch.nn.ConvTranspose2d))]
    assert len(convs) == 23
    assert [m.out_channels for m in convs][:3] == [48, 128, 128]
    assert sum(isinstance(m, torch.nn.ConvTranspose2d) for m in convs) == 3
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules()) == 22
    assert isinstance(net.layers[-1], torch.nn.Sigmoid)


def test_input_normalisation_uses_mean_and_std():
    a = SketchSimplificationNet(width=THIN, mean=0.5, std=0.25).eval()
    b = SketchSimplificationNet(width=THIN, mean=0.0, std=1.0).eval()
    b.load_state_dict(a.state_dict())
    x = torch.rand(1, 1, 16, 16)
    with torch.no_grad():
        assert torch.allclose(a(x), b((x - 0.5) / 0.25), atol=1e-6)


def test_receptive_radius_bounds_every_output_pixel():
    net = SketchSimplificationNet(width=THIN).eval().double()
    x = torch.rand(1, 1, 240, 240, dtype=torch.double, requires_grad=True)
    y = net(x)
    for offset in range(8):  # every phase of the stride-8 grid
        c = 112 + offset
        (grad,) = torch.autograd.grad(y[0, 0, c, c], x, retain_graph=True)
        rows = grad[0, 0].abs().sum(1).nonzero()
        assert c - rows.min() <= RECEPTIVE_RADIUS and rows.max() - c <= RECEPTIVE_RADIUS


def test_tiled_inference_agrees_with_untiled():
    net = SketchSimplificationNet(width=THIN).eval()
    x = torch.rand(1, 1, 301, 333)
    with torch.no_grad():
        whole = net(x)
        tiled = tiled_forward(net, x, tile=272, overlap=104)  # 64-px cores: 5 x 6 tiles
        short = tiled_forward(net, x, tile=96, overlap=16)  # too little context
    assert tiled.shape == whole.shape
    assert (tiled - whole).abs().max() < 1e-5
    assert (short - whole).abs().max() > 1e-3  # the overlap is what makes them agree
    with pytest.raises(ValueError, match='multiples of 8'):
        tiled_forward(net, x, tile=100, overlap=10)


# ---------------------------------------------------------------- loss map
def slow_loss_map(target: np.ndarray, alpha, beta, radius, bins, variant):
    """Direct per-pixel transcription of the paper's definition."""
    h, w = target.shape
    out = np.zeros_like(target)
    bin_of = lambda v: min(int(v * bins), bins - 1)  # noqa: E731
    for u in range(h):
        for v in range(w):
            window = [target[i, j] for i in range(max(0, u - radius), min(h, u + radius + 1))
                      for j in range(max(0, v - radius), min(w, v + radius + 1))]
            share = sum(bin_of(p) == bin_of(target[u, v]) for p in window) / len(window)
            if variant == 'lua':
                out[u, v] = math.exp(-share) + 0.5
            elif target[u, v] == 1.0:
                out[u, v] = 1.0
            else:
                out[u, v] = min(alpha * math.exp(-share) + beta, 1.0)
    return out


@pytest.mark.parametrize('variant,alpha,beta,radius,bins', [
    ('paper', 6.0, -2.0, 2, 10), ('paper', 3.0, 0.1, 1, 4), ('lua', 0, 0, 2, 10)])
def test_loss_map_equals_slow_reference(variant, alpha, beta, radius, bins):
    rng = np.random.default_rng(0)
    # quantised levels so windows share bins; some exact white; borders included
    target = rng.choice([0.0, 0.05, 0.3, 0.55, 0.95, 1.0, 1.0], size=(2, 9, 11))
    fast = simplification_loss_map(torch.tensor(target[:, None]), alpha, beta, radius, bins,
                                   variant)
    for i in range(2):
        slow = slow_loss_map(target[i], alpha, beta, radius, bins, variant)
        np.testing.assert_allclose(fast[i, 0].numpy(), slow, rtol=1e-12, atol=1e-12)


def test_loss_map_weights_rare_levels_more():
    target = torch.ones(1, 1, 9, 9)
    target[..., 4, :] = 0.0  # a horizontal line on paper
    target[..., 3, :] = 0.5  # its anti-aliased edge, rarer in every window
    weight = simplification_loss_map(target)
    assert torch.all(weight[target == 1] == 1)
    assert weight[0, 0, 3, 4] > weight[0, 0, 4, 4] - 1e-6


def test_weighted_loss_is_mse_when_alpha_0_beta_1():
    pred, target = torch.rand(2, 1, 12, 10), torch.rand(2, 1, 12, 10)
    loss = LossMapMSELoss(alpha=0.0, beta=1.0)(pred, target)
    assert torch.allclose(loss, torch.nn.functional.mse_loss(pred, target))


def test_weighted_loss_value_by_hand():
    target = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])  # 2x2, radius 2: all in one window
    pred = torch.tensor([[[[0.5, 0.5], [0.5, 0.5]]]])
    # black pixels: H = 3/4, M = min(6 e^-0.75 - 2, 1) = 0.834; white: M = 1
    m = 6 * math.exp(-0.75) - 2
    expected = (1 * 0.25 + 3 * m * m * 0.25) / 4
    assert LossMapMSELoss()(pred, target).item() == pytest.approx(expected, rel=1e-6)
    pred.requires_grad_(True)
    LossMapMSELoss()(pred, target).backward()
    assert pred.grad.abs().min() > 0


# ---------------------------------------------------------------- roughening
def clean_drawing(size: int = 48) -> np.ndarray:
    """A clean [0, 1] drawing: a square outline and a diagonal, on white."""
    g = np.ones((size, size))
    g[10:12, 10:38] = g[36:38, 10:38] = g[10:38, 10:12] = g[10:38, 36:38] = 0.0
    for i in range(14, 34):
        g[i, i] = 0.0
    return g


def test_roughen_is_deterministic_for_a_seed():
    from sketchgen.data.roughen import Roughen
    g = clean_drawing()
    r = Roughen(preset='heavy')
    a, b = r.roughen(g, np.random.default_rng(7)), r.roughen(g, np.random.default_rng(7))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, r.roughen(g, np.random.default_rng(8)))
    assert np.abs(a - g).mean() > 0.01  # it does change the drawing


@pytest.mark.parametrize('preset', ['light', 'moderate', 'heavy'])
def test_roughen_changes_only_the_strokes_neighbourhood(preset):
    from scipy import ndimage

    from sketchgen.data.roughen import Roughen
    g = clean_drawing()
    r = Roughen(preset=preset)
    near = ndimage.binary_dilation(g < 0.9, iterations=r.reach)
    for seed in range(5):
        rough = r.roughen(g, np.random.default_rng(seed))
        assert np.array_equal(rough[~near], g[~near])  # paper away from lines stays blank
        assert (rough[near] != g[near]).any()
    blank = np.ones((16, 16))
    assert np.array_equal(r.roughen(blank, np.random.default_rng(0)), blank)


def test_heavier_presets_roughen_more():
    from sketchgen.data.roughen import Roughen
    g = clean_drawing()
    change = {p: np.mean([np.abs(Roughen(preset=p).roughen(g, np.random.default_rng(s)) - g)
                          .mean() for s in range(6)]) for p in ('light', 'moderate', 'heavy')}
    assert change['light'] < change['moderate'] < change['heavy']


def test_roughen_rejects_unknown_settings():
    from sketchgen.data.roughen import Roughen
    with pytest.raises(TypeError, match="unknown setting 'jiter'"):
        Roughen(jiter=2)
    with pytest.raises(ValueError, match="preset='rough'"):
        Roughen(preset='rough')


def test_random_patch_rejects_blank_patches():
    from PIL import Image

    from sketchgen.data.transforms import RandomPatch
    page = np.full((128, 128), 255, np.uint8)
    page[100:120, 100:120] = 0  # one small drawing in a corner of blank paper
    image = Image.fromarray(page)
    patch = RandomPatch(32, max_mean=0.99, max_tries=200)
    for seed in range(10):
        out = patch(dict(target=image, source=image), np.random.default_rng(seed))
        assert out['target'].size == (32, 32)
        assert np.asarray(out['target']).mean() / 255 < 0.99
        assert out['source'].tobytes() == out['target'].tobytes()  # same window
    # no tries left: the least blank patch drawn is kept, and small images are padded
    small = RandomPatch(32, max_tries=1)(dict(target=Image.new('L', (20, 24), 0)),
                                         np.random.default_rng(0))['target']
    assert small.size == (32, 32) and np.asarray(small)[:24, :20].max() == 0
    assert np.asarray(small)[24:].min() == 255


def test_ink_threshold_blackens_grey_strokes_only():
    from PIL import Image

    from sketchgen.data.transforms import InkThreshold
    image = Image.fromarray(np.array([[255, 240, 229, 100]], np.uint8))
    out = InkThreshold(0.9)(dict(target=image), None)['target']
    assert np.asarray(out).tolist() == [[255, 240, 0, 0]]  # 0.9 * 255 = 229.5


def drawing_folder(root, count: int = 6):
    from PIL import Image
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        g = clean_drawing(40)
        g = np.roll(g, i * 2, axis=1)
        Image.fromarray((g * 255).astype(np.uint8)).save(root / f'd{i}.png')
    return root


def test_line_art_dataset_makes_fixed_rough_clean_pairs(tmp_path):
    from sketchgen.data.line_art import LineArtDataset
    pipeline = [dict(type='Roughen'), dict(type='InkThreshold'), dict(type='ToTensor')]
    ds = LineArtDataset(str(drawing_folder(tmp_path / 'clean')), split=None, pipeline=pipeline)
    sample = ds[2]
    assert sample['source'].shape == sample['target'].shape == (1, 40, 40)
    assert torch.equal(ds[2]['source'], sample['source'])  # evaluation: fixed per image
    assert not torch.equal(ds[(2, 5)]['source'], sample['source'])  # training: per seed
    with pytest.raises(ValueError, match='no `source`'):
        LineArtDataset(str(tmp_path / 'clean'), split=None, pipeline=[dict(type='ToTensor')])[0]
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='empty'):
        LineArtDataset(str(tmp_path / 'empty'), split=None)


# ---------------------------------------------------------------- metric
def test_line_f1_by_hand():
    from sketchgen.evaluation import LineF1
    target = torch.ones(1, 1, 20, 20)
    target[..., 10, 2:18] = 0  # a 16-px line
    pred = torch.ones(1, 1, 20, 20)
    pred[..., 11, 2:18] = 0  # the same line, one pixel lower
    pred[..., 0, 0:4] = 0  # and 4 stray pixels far from it
    m = LineF1(tolerance=2)
    m.process(pred, target)
    r = m.compute()
    assert r['LinePrecision'] == pytest.approx(16 / 20)
    assert r['LineRecall'] == pytest.approx(1.0)
    assert r['LineF1'] == pytest.approx(2 * 0.8 / 1.8)
    strict = LineF1(tolerance=0.5)
    strict.process(pred, target)
    assert strict.compute()['LineRecall'] == 0.0


# ---------------------------------------------------------------- training and tools
class PlainStep:
    """What the trainer hands train_step, without accelerate."""

    def __init__(self, params, lr=1e-3):
        self.optimizer = torch.optim.Adam(params, lr=lr)

    def update(self, loss):
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


def tiny_model(**overrides):
    from sketchgen.registry import MODELS
    cfg = dict(type='SketchSimplification',
               generator=dict(type='SketchSimplificationNet', width=THIN), **overrides)
    return MODELS.build(cfg)


def test_training_overfits_one_batch_and_grads_reach_the_first_layer(tmp_path):
    from sketchgen.data.line_art import LineArtDataset
    from sketchgen.data.loader import collate
    torch.manual_seed(0)
    ds = LineArtDataset(str(drawing_folder(tmp_path / 'clean', 4)), split=None,
                        pipeline=[dict(type='Roughen'), dict(type='InkThreshold'),
                                  dict(type='ToTensor')])
    batch = collate([ds[i] for i in range(4)])
    model = tiny_model().train()
    step = PlainStep(model.generator.parameters(), lr=3e-3)
    first = model.generator.layers[0].weight
    losses = []
    for i in range(40):
        before = first.detach().clone()
        losses.append(model.train_step(batch, dict(generator=step), i)['loss'].item())
        assert not torch.equal(before, first.detach())  # the first conv learns too
    assert losses[-1] < 0.5 * losses[0]


def test_model_infers_grey_at_any_size_and_tiles_the_same():
    from PIL import Image
    model = tiny_model().eval()
    rough = Image.fromarray((clean_drawing(45) * 255).astype(np.uint8)).convert('RGB')
    clean = model.infer(rough)
    assert clean.mode == 'L' and clean.size == rough.size  # no resize to a training size
    assert model.simplify(rough, scale=0.5).size == rough.size
    big = torch.rand(1, 1, 300, 280) * 2 - 1
    assert torch.allclose(model.generate(big), model.generate(big, tile=272), atol=1e-5)
    with pytest.raises(ValueError, match='scale'):
        model.simplify(rough, scale=0)


def save_tiny_checkpoint(folder):
    from sketchgen.checkpoint import save_checkpoint
    torch.manual_seed(0)
    model = tiny_model()
    cfg = dict(model=dict(type='SketchSimplification',
                          generator=dict(type='SketchSimplificationNet', width=THIN)))
    return save_checkpoint(folder, model, cfg, iteration=1)


def test_infer_tool_runs_a_simplification_checkpoint(tmp_path):
    from PIL import Image

    from sketchgen.tools.infer import main
    ckpt = save_tiny_checkpoint(tmp_path / 'ckpt')
    Image.fromarray((clean_drawing(37) * 255).astype(np.uint8)).save(tmp_path / 'rough.png')
    assert main(['-', str(ckpt), str(tmp_path / 'rough.png'), '--out', str(tmp_path / 'out')]
                ) == 0
    out = Image.open(tmp_path / 'out' / 'rough.png')
    assert out.mode == 'L' and out.size == (37, 37)


def test_export_fp16_loads_and_matches(tmp_path):
    from sketchgen.apis import init_model
    from sketchgen.tools.export_model import main
    ckpt = save_tiny_checkpoint(tmp_path / 'ckpt')
    out = tmp_path / 'model.safetensors'
    assert main([str(ckpt), '--out', str(out), '--fp16', '--note', 'licence: test']) == 0
    full, half = init_model(checkpoint=ckpt), init_model(checkpoint=out)
    x = torch.rand(1, 1, 24, 24) * 2 - 1
    assert (full.generate(x) - half.generate(x)).abs().max() < 0.02
    assert out.stat().st_size < (ckpt / 'model.safetensors').stat().st_size * 0.6


def test_simplify_tool_writes_png_and_svg_that_rerasterises_to_it(tmp_path):
    import xml.etree.ElementTree as ET

    from PIL import Image

    from sketchgen.tools.simplify import main
    ckpt = save_tiny_checkpoint(tmp_path / 'ckpt')
    Image.fromarray((clean_drawing(61) * 255).astype(np.uint8)).save(tmp_path / 'rough.png')
    png, svg = tmp_path / 'clean.png', tmp_path / 'clean.svg'
    assert main([str(tmp_path / 'rough.png'), '--out', str(png), '--svg', str(svg),
                 '--scale', '0.5', '--checkpoint', str(ckpt)]) == 0
    assert Image.open(png).size == (61, 61)
    assert ET.parse(svg).getroot().tag.endswith('svg')
    with pytest.raises(SystemExit, match='no such image'):
        main([str(tmp_path / 'missing.png'), '--out', str(png), '--checkpoint', str(ckpt)])


def test_svg_tracing_rerasterises_close_to_the_bitmap():
    from PIL import Image

    from sketchgen.apis import trace_to_svg
    from sketchgen.data.openmoji import render_svg
    drawing = Image.fromarray((clean_drawing(96) * 255).astype(np.uint8)).resize(
        (192, 192), Image.NEAREST)  # 2-px lines become 4-px lines
    for smoothing in ('spline', 'polygon'):
        svg = trace_to_svg(drawing, threshold=0.5, smoothing=smoothing)
        back = np.asarray(render_svg(svg, drawing.size).convert('L')) < 128
        ink = np.asarray(drawing) < 128
        iou = (back & ink).sum() / (back | ink).sum()
        assert iou > 0.8, (smoothing, iou)
    with pytest.raises(ValueError, match='smoothing'):
        trace_to_svg(drawing, smoothing='bezier')


def test_default_model_ships_with_the_package():
    from PIL import Image

    from sketchgen.apis import DEFAULT_SIMPLIFICATION_MODEL, default_simplification_model
    from sketchgen.weights import sha256
    assert DEFAULT_SIMPLIFICATION_MODEL.stat().st_size <= 10 * 2 ** 20
    from sketchgen.data.roughen import Roughen
    model = default_simplification_model()
    # 4-px lines, the stroke width of its training drawings, roughened
    drawing = np.asarray(Image.fromarray((clean_drawing(50) * 255).astype(np.uint8)).resize(
        (100, 100), Image.NEAREST)) / 255
    rough = Roughen().roughen(drawing, np.random.default_rng(0))
    clean = np.asarray(model.simplify(Image.fromarray((rough * 255).astype(np.uint8)))) / 255
    lines = drawing < 0.5
    assert clean[lines].mean() < 0.3 and clean[~lines].mean() > 0.9
    assert np.abs(clean - drawing).mean() < np.abs(rough - drawing).mean()  # closer than rough
    assert len(sha256(DEFAULT_SIMPLIFICATION_MODEL)) == 64


def test_simplification_eval_scores_model_and_baselines(tmp_path):
    import json

    from sketchgen.tools.simplification_eval import main
    ckpt = save_tiny_checkpoint(tmp_path / 'ckpt')
    folder = drawing_folder(tmp_path / 'clean', 3)
    config = tmp_path / 'eval_config.py'
    config.write_text(
        "model = dict(type='SketchSimplification', generator=dict("
        f"type='SketchSimplificationNet', width={THIN}))\n"
        "test_dataloader = dict(dataset=dict(type='LineArtDataset', "
        f"data_root={str(folder)!r}, split=None, pipeline=[dict(type='Roughen'), "
        "dict(type='InkThreshold'), dict(type='ToTensor')]))\n")
    out = tmp_path / 'eval'
    assert main(['--checkpoint', str(ckpt), '--config', str(config), '--out', str(out),
                 '--grid', '3']) == 0
    report = json.loads((out / 'metrics.json').read_text())
    results = report['results']
    assert report['num_samples'] == 3 and (out / 'grid.png').exists()
    assert set(results) == {'rough input', 'threshold 0.5', 'threshold + thinning',
                            'model, scale 1', 'model, scale 0.5'}
    # the line measure binarises at 0.5 itself, so thresholding first changes nothing
    assert results['rough input']['LineF1@1px'] == results['threshold 0.5']['LineF1@1px']
    # thinning keeps lines where they were (precise) but 1 px wide (low recall)
    thin = results['threshold + thinning']
    assert thin['LinePrecision@2px'] > thin['LineRecall@1px']
