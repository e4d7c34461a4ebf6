"""Auto-painter losses, the WGAN-GP variant and colour hints."""
import copy
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from conftest import TINY, tiny_config
from mmengine.config import Config
from sketchgen.apis import init_model
from sketchgen.apis.inference import without_training_only_losses
from sketchgen.engine import Trainer
from sketchgen.models.hints import ColourHintSampler, spread_hints
from sketchgen.models.losses import (GradientPenaltyLoss, PerceptualLoss, TotalVariationLoss,
                                     gram_matrix)
from sketchgen.registry import MODELS
from sketchgen.weights import MissingWeightsError

IMAGE = torch.tensor([[[[0., 1.], [2., 4.]]]])  # dy = 2, 3; dx = 1, 2


def test_total_variation_hand_values():
    assert TotalVariationLoss()(IMAGE).item() == pytest.approx((4 + 9) / 2 + (1 + 4) / 2)
    assert TotalVariationLoss(form='absolute')(IMAGE).item() == pytest.approx(2.5 + 1.5)
    assert TotalVariationLoss(loss_weight=2.0)(IMAGE).item() == pytest.approx(18.0)
    mask = torch.tensor([[[[1., 1.], [1., 0.]]]])  # only the left column, top row pairs
    assert TotalVariationLoss()(IMAGE, mask).item() == pytest.approx(4 + 1)


def test_gram_matrix_hand_value():
    features = torch.tensor([[[[1., 2.]], [[3., 4.]]]])  # c=2, h=1, w=2
    expected = torch.tensor([[5., 11.], [11., 25.]]) / 4
    assert torch.allclose(gram_matrix(features)[0], expected)


@pytest.fixture(scope='module')
def random_vgg_loss():
    with pytest.warns(UserWarning, match='randomly initialised'):
        return PerceptualLoss(layers={'relu1_2': 1.0, 'relu2_2': 0.5}, criterion='l2',
                              style_weight=2.0, pretrained=False)


def test_perceptual_loss_matches_a_hand_computation(random_vgg_loss):
    loss = random_vgg_loss
    g = torch.Generator().manual_seed(0)
    pred, target = torch.rand(2, 3, 16, 16, generator=g) * 2 - 1, torch.rand(
        2, 3, 16, 16, generator=g) * 2 - 1
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    def vgg(x, upto):  # relu1_2 is features[3], relu2_2 is features[8]
        return loss.net[:upto + 1](((x + 1) / 2 - mean) / std)

    expected = 0
    for index, weight in ((3, 1.0), (8, 0.5)):
        p, t = vgg(pred, index), vgg(target, index)
        expected += weight * (F.mse_loss(p, t) + 2.0 * F.mse_loss(gram_matrix(p), gram_matrix(t)))
    assert loss(pred, target).item() == pytest.approx(expected.item(), rel=1e-5)
    assert loss(target, target).item() == pytest.approx(0, abs=1e-7)


def test_perceptual_loss_is_frozen_and_outside_the_state(random_vgg_loss):
    pred = torch.zeros(1, 3, 16, 16, requires_grad=True)
    random_vgg_loss(pred, torch.rand(1, 3, 16, 16)).backward()
    assert pred.grad.abs().sum() > 0
    assert all(p.grad is None and not p.requires_grad for p in random_vgg_loss.net.parameters())
    assert list(random_vgg_loss.state_dict()) == []
    assert list(random_vgg_loss.parameters()) == []


def test_perceptual_loss_layer_typo_names_the_layers():
    with pytest.raises(ValueError, match='relu2_2'), pytest.warns(UserWarning):
        PerceptualLoss(layers={'relu2_9': 1.0}, pretrained=False)


@pytest.mark.parametrize('network, filename', [('vgg16', 'vgg16-397923af.pth'),
                                               ('vgg19', 'vgg19-dcbb9e9d.pth')])
def test_missing_vgg_weights_say_how_to_provide_them(offline, network, filename):
    with pytest.raises(MissingWeightsError, match=filename) as info:
        PerceptualLoss(network=network)
    assert 'SKETCHGEN_WEIGHTS_DIR' in str(info.value)


def test_a_vgg_loss_model_loads_for_inference_without_the_vgg_weights(offline):
    model_cfg = dict(type='Pix2Pix', image_size=TINY,
                     generator=dict(type='UnetGenerator', image_size=TINY, base_channels=8),
                     discriminator=dict(type='PatchDiscriminator', base_channels=8, n_layers=2),
                     perceptual_loss=dict(type='PerceptualLoss', network='vgg16'))
    with pytest.raises(MissingWeightsError, match='vgg16-397923af.pth'):
        MODELS.build(model_cfg)  # training still stops, saying how to get them
    model = init_model(Config(dict(model=model_cfg)))
    assert model.perceptual_loss is None and model.discriminator is not None
    coloured = model.infer(Image.new('RGB', (TINY, TINY), 'white'))
    assert coloured.size == (TINY, TINY)



def test_a_loss_given_by_its_class_is_left_out_for_inference_like_one_given_by_name():
    model_cfg = dict(type='Pix2Pix', perceptual_loss=dict(type=PerceptualLoss),
                     style_loss=dict(type='PerceptualLoss'), pixel_loss=dict(type='L1Loss'),
                     tv_loss=dict(type=TotalVariationLoss), image_size=TINY)
    kept = without_training_only_losses(model_cfg)
    assert kept['perceptual_loss'] is None and kept['style_loss'] is None
    assert kept['pixel_loss'] == dict(type='L1Loss')
    assert kept['tv_loss'] == dict(type=TotalVariationLoss)
    assert kept['type'] == 'Pix2Pix' and kept['image_size'] == TINY

def test_efficientnet_feature_loss_works_offline(offline):
    loss = PerceptualLoss(network='efficientnet_lite0', layers={'stage1': 1.0, 'stage2': 1.0})
    pred = torch.zeros(1, 3, 32, 32, requires_grad=True)
    value = loss(pred, torch.rand(1, 3, 32, 32) * 2 - 1)
    value.backward()
    assert value > 0 and pred.grad.abs().sum() > 0


def test_efficientnet_feature_loss_runs_in_fp32_on_a_cpu(offline):
    loss = PerceptualLoss(network='efficientnet_lite0', layers={'stage1': 1.0, 'stage2': 1.0})
    conv_outputs = []
    loss.net.conv_stem.register_forward_hook(
        lambda m, i, out: conv_outputs.append((out.dtype, out.is_contiguous(
            memory_format=torch.channels_last))))
    pred = torch.rand(2, 3, 32, 32, requires_grad=True)
    generated = (pred * 2 - 1).bfloat16()  # what a generator under autocast hands over
    target = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.autocast('cpu', dtype=torch.bfloat16):
        value = loss(generated, target)
    assert conv_outputs == [(torch.float32, True)] * 2  # pred and target
    value.backward()
    assert pred.grad.abs().sum() > 0
    # fp32 throughout: the value is the one computed without autocast
    assert value.item() == pytest.approx(loss(generated.float(), target).item(), rel=1e-6)


def test_folded_batch_norms_compute_the_same_features(offline):
    from sketchgen.models.backbones import efficientnet_lite0, fold_efficientnet_batch_norms
    net, _ = efficientnet_lite0()
    folded = fold_efficientnet_batch_norms(copy.deepcopy(net))
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    assert sum(isinstance(m, nn.BatchNorm2d) for m in net.modules()) == 49
    assert sum(isinstance(m, nn.ReLU6) for m in folded.modules()) == sum(
        isinstance(m, nn.ReLU6) for m in net.modules())  # the norms' activations stay
    x = torch.randn(2, 3, 32, 32)
    for a, b in zip(*(n.forward_intermediates(x, indices=[1, 2, 4], intermediates_only=True)
                      for n in (net, folded))):
        assert torch.allclose(a, b, atol=1e-4 * a.abs().max().item())
    assert not any(p.requires_grad for p in folded.parameters()) and not folded.training


class LinearCritic(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.w = nn.Parameter(torch.randn(shape, generator=torch.Generator().manual_seed(0)))

    def forward(self, x):
        return (x * self.w).flatten(1).sum(1)


def test_gradient_penalty_of_a_linear_critic_is_analytic():
    critic = LinearCritic((1, 6, 4, 4))
    real, fake, source = torch.rand(3, 3, 4, 4), torch.rand(3, 3, 4, 4), torch.rand(3, 3, 4, 4)
    w_image = critic.w.detach()[:, 3:]  # the gradient w.r.t. the image, not the condition
    gp = GradientPenaltyLoss(loss_weight=10.0)(critic, real, fake, condition=source)
    assert gp.item() == pytest.approx(10 * (w_image.norm().item() - 1) ** 2, rel=1e-5)
    mask = torch.zeros(3, 1, 4, 4)
    mask[..., :2, :] = 1
    masked = GradientPenaltyLoss(loss_weight=10.0)(critic, real, fake, source, mask=mask)
    assert masked.item() == pytest.approx(10 * ((w_image * mask[:1]).norm().item() - 1) ** 2,
                                          rel=1e-5)
    gp.backward()
    assert critic.w.grad is not None and critic.w.grad.abs().sum() > 0


def tiny_pix2pix(**model):
    cfg = dict(type='Pix2Pix', image_size=TINY,
               generator=dict(type='UnetGenerator', in_channels=3, out_channels=3,
                              image_size=TINY, base_channels=8),
               discriminator=dict(type='PatchDiscriminator', in_channels=6, base_channels=8,
                                  n_layers=2, norm='instance'))
    cfg.update(model)
    return MODELS.build(cfg)


class CountingStep:
    def __init__(self, net):
        self.optimizer = torch.optim.Adam(net.parameters(), lr=1e-4, betas=(0.0, 0.9))
        self.updates = 0

    def update(self, loss):
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.updates += 1


def test_n_critic_updates_the_critic_n_times_per_generator_update():
    model = tiny_pix2pix(gan_loss=dict(type='GANLoss', gan_type='wgan'), n_critic=3,
                         gradient_penalty=dict(type='GradientPenaltyLoss', loss_weight=10.0),
                         disc_loss_weight=1.0)
    steps = dict(generator=CountingStep(model.generator),
                 discriminator=CountingStep(model.discriminator))
    batch = dict(source=torch.rand(2, 3, TINY, TINY) * 2 - 1,
                 target=torch.rand(2, 3, TINY, TINY) * 2 - 1)
    g_before = [p.clone() for p in model.generator.parameters()]
    logs = [model.train_step(batch, steps, iteration) for iteration in range(6)]
    assert (steps['discriminator'].updates, steps['generator'].updates) == (6, 2)
    assert ['loss_g_gan' in log for log in logs] == [False, False, True] * 2
    assert all('loss_gp' in log for log in logs)
    assert any(not torch.equal(a, b) for a, b in zip(g_before, model.generator.parameters()))


def test_wgan_gp_config_trains(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs)
    cfg.model.update(gan_loss=dict(type='GANLoss', gan_type='wgan'), n_critic=3,
                     disc_loss_weight=1.0,
                     gradient_penalty=dict(type='GradientPenaltyLoss', loss_weight=10.0))
    cfg.model.discriminator.norm = 'instance'
    out = Trainer(cfg, work_dir=tmp_path, run_name='wgan').train()
    assert np.isfinite(float(out['loss_gp']))


def hinted(**model):
    return tiny_pix2pix(generator=dict(type='UnetGenerator', in_channels=7, out_channels=3,
                                       image_size=TINY, base_channels=8),
                        hints=dict(max_hints=8), **model)


def test_zero_hints_are_the_plain_model():
    torch.manual_seed(0)
    plain, with_hints = tiny_pix2pix(), hinted()
    state = plain.generator.state_dict()
    first = next(k for k in state if k.endswith('weight'))
    hinted_state = dict(state)
    hinted_state[first] = torch.cat(  # same sketch weights, arbitrary hint weights
        [state[first], torch.randn(state[first].shape[0], 4, *state[first].shape[2:])], 1)
    with_hints.generator.load_state_dict(hinted_state)
    source = torch.rand(2, 3, TINY, TINY) * 2 - 1
    assert torch.allclose(with_hints.generate(source), plain.generate(source), atol=1e-6)
    assert torch.equal(with_hints.generate(source),
                       with_hints.generate(source, torch.zeros(2, 4, TINY, TINY)))
    hints = ColourHintSampler(max_hints=8)(torch.rand(2, 3, TINY, TINY) * 2 - 1, count=5)
    assert not torch.allclose(with_hints.generate(source, hints), with_hints.generate(source))
    with pytest.raises(ValueError, match='without colour hints'):
        plain.generate(source, hints)


def test_hint_sampler_takes_target_colours():
    target = torch.full((1, 3, 16, 16), 1.0)
    target[..., 4:12, 4:12] = torch.tensor([-1.0, 0.5, 0.0]).view(1, 3, 1, 1)
    g = torch.Generator().manual_seed(0)
    assert ColourHintSampler()(target, count=0).abs().sum() == 0
    hints = ColourHintSampler(max_size=1, coloured_bias=1e6)(target, count=4, generator=g)
    mask = hints[0, 3] > 0
    assert 1 <= mask.sum() <= 4
    assert torch.equal(hints[0, :3][:, mask], target[0][:, mask])  # 1-px hints: exact colour


def test_infer_takes_an_rgba_hint_image_and_refuses_rgb():
    model = hinted()
    sketch = Image.new('RGB', (TINY, TINY), 'white')
    hints = Image.new('RGBA', (TINY, TINY), (0, 0, 0, 0))
    hints.putpixel((10, 10), (255, 0, 0, 255))
    out = model.infer(sketch, hints=hints)
    assert out.size == (TINY, TINY)
    with pytest.raises(ValueError, match='RGBA'):
        model.infer(sketch, hints=Image.new('RGB', (TINY, TINY)))


def test_hint_tools_on_a_tiny_trained_model(tiny_pairs, tmp_path):
    import json

    from sketchgen import cli
    cfg = tiny_config(tiny_pairs, test_dataloader=dict(
        batch_size=4, dataset=dict(type='PairedImageDataset', data_root=str(tiny_pairs),
                                   split='val', layout='folders',
                                   pipeline=[dict(type='ToTensor')])))
    cfg.model.generator.in_channels = 7
    cfg.model.hints = dict(max_hints=4)
    Trainer(cfg, work_dir=tmp_path, run_name='hints').train()
    ckpt = tmp_path / 'checkpoints' / 'iter_000006'
    hints = Image.new('RGBA', (TINY, TINY), (0, 0, 0, 0))
    hints.putpixel((5, 5), (0, 200, 0, 255))
    hints.save(tmp_path / 'hints.png')
    sketch = next((tiny_pairs / 'val' / 'A').iterdir())
    assert cli.main(['infer', '-', str(ckpt), str(sketch), '--hints',
                     str(tmp_path / 'hints.png'), '--out', str(tmp_path / 'out')]) == 0
    assert (tmp_path / 'out' / f'{sketch.stem}.png').exists()
    assert cli.main(['hints_study', '-', str(ckpt), str(ckpt), '--hints', '0', '2',
                     '--seeds', '0', '1', '--strokes', '4', '--out', str(tmp_path / 'study')]) == 0
    report = json.loads((tmp_path / 'study' / 'hints_study.json').read_text())
    none, two = report['rows']
    assert len(report['runs']) == 4 and none['runs'] == 4
    assert none['hinted_pixels'] == 0 and none['hint_error'] is None and none['psnr'] > 0
    assert none['psnr_spread'] == pytest.approx(0, abs=1e-9)   # no hints: no sampling noise
    assert two['images'] == 8 and two['hinted_pixels'] >= 8
    for key in ('hint_error', 'hint_error_without', 'region_error', 'region_error_without'):
        assert 0 <= two[key] <= 1 and two[f'{key}_spread'] >= 0
    # the same checkpoint twice: runs 0/2 and 1/3 share a seed and give the same numbers
    assert report['runs'][0]['rows'] == report['runs'][2]['rows']
    assert '±' in (tmp_path / 'study' / 'hints_study.md').read_text()
    # the grid: 6 of the 8 val images (rows) x (target + 2 counts x (hinted sketch, output))
    grid = Image.open(tmp_path / 'study' / 'hints_grid.png')
    assert grid.size == (5 * (TINY + 2) + 2, 6 * (TINY + 2) + 2)


def test_hint_strokes_stay_inside_their_colour_region_in_its_colour():
    target = torch.full((1, 3, 32, 32), 1.0)
    red = torch.tensor([0.8, -0.6, -0.7])
    target[..., 8:24, 8:24] = red.view(1, 3, 1, 1)
    sampler = ColourHintSampler(max_size=2, coloured_bias=1e6, stroke_length=12)
    g = torch.Generator().manual_seed(1)
    hints = sampler(target, count=3, generator=g)
    mask = hints[0, 3] > 0
    assert mask.sum() > 3 * 2                          # strokes, not three dots
    assert not mask[:8].any() and not mask[24:].any()   # never past the square's border
    assert not mask[:, :8].any() and not mask[:, 24:].any()
    assert torch.equal(hints[0, :3][:, mask], red[:, None].expand(3, int(mask.sum())))
    with pytest.raises(ValueError, match='stroke_length'):
        ColourHintSampler(stroke_length=-1)


def test_geometric_hint_counts_follow_their_distribution():
    sampler = ColourHintSampler(max_hints=10, count='geometric', geometric_p=0.25)
    g = torch.Generator().manual_seed(0)
    counts = np.array([sampler.draw_count(g) for _ in range(4000)])
    assert counts.min() == 0 and counts.max() == 10                  # capped at max_hints
    assert (counts == 0).mean() == pytest.approx(0.25, abs=0.03)     # P(0) = p
    # mean of min(Geom(p), 10): sum over k = 1..10 of P(K >= k) = sum (1 - p)^k
    assert counts.mean() == pytest.approx(sum(0.75 ** k for k in range(1, 11)), abs=0.12)
    with pytest.raises(ValueError, match="count='poisson'"):
        ColourHintSampler(count='poisson')


class NoStep:
    def update(self, loss):
        pass


def test_hint_loss_is_the_mean_error_at_hinted_pixels_times_its_weight():
    model = hinted(hint_loss_weight=4.0)
    target = torch.zeros(1, 3, TINY, TINY)
    fake = target.clone()
    fake[..., 0, 0] = 0.5                  # hinted, off by 0.5 on every channel
    fake[..., 5, 5] = -1.0                 # not hinted: ignored by this term
    hints = torch.zeros(1, 4, TINY, TINY)
    hints[:, 3, 0, :2] = 1                 # two hinted pixels, one of them exact
    log = model.generator_step(torch.zeros_like(target), target, fake, NoStep(), hints)
    assert log['loss_hint'].item() == pytest.approx(4.0 * (0.5 * 3) / (2 * 3))
    with pytest.raises(ValueError, match='hint_loss_weight needs'):
        tiny_pix2pix(hint_loss_weight=1.0)



def test_hint_regions_are_the_connected_areas_of_the_hinted_colour():
    from sketchgen.evaluation.colour import hint_regions
    target = torch.ones(1, 3, 8, 8)
    target[..., :, :3] = torch.tensor([1., 0., 0.]).view(1, 3, 1, 1)   # red, left
    target[..., :, 5:] = torch.tensor([1., 0., 0.]).view(1, 3, 1, 1)   # red, right, apart
    target[..., 0, 7] = torch.tensor([0., 0., 1.]).view(3)             # one blue pixel
    hints = torch.zeros(1, 4, 8, 8)
    hints[0, 3, 2, 1] = 1                                              # a dot on left red
    region = hint_regions(target, hints)[0, 0]
    assert region[:, :3].all() and not region[:, 3:].any()    # not the other red area
    hints[0, 3, 0, 7] = 1                                              # and on the blue
    region = hint_regions(target, hints)[0, 0]
    assert region.sum() == 8 * 3 + 1 and region[0, 7]


def one_hint(hints: torch.Tensor, y: int, x: int, rgb) -> None:
    hints[0, :3, y, x] = torch.tensor(rgb, dtype=torch.float32)
    hints[0, 3, y, x] = 1


def test_spread_hints_fill_the_region_between_the_lines():
    source = torch.ones(1, 3, 8, 8)
    source[0, :, :, 4] = -1                       # a vertical line: two regions
    hints = torch.zeros(1, 4, 8, 8)
    one_hint(hints, 2, 1, (1.0, -1.0, -1.0))     # red in the left region
    out = spread_hints(hints, source, close=0)
    left = torch.zeros(8, 8, dtype=torch.bool)
    left[:, :4] = True
    assert (out[0, :3][:, left] == torch.tensor([1.0, -1, -1])[:, None]).all()
    assert out[0, 3, 2, 1] == 1                                   # the painted pixel
    assert (out[0, 3][left].sum() - 1) == 0.5 * (left.sum() - 1)  # the spread ones: 0.5
    assert (out[0, :, :, 4:] == 0).all()                          # the line and beyond
    # two hints in one region: each pixel takes the nearer one's colour
    one_hint(hints, 2, 3, (-1.0, -1.0, 1.0))
    out = spread_hints(hints, torch.ones(1, 3, 8, 8), close=0)
    assert (out[0, 0, :, :2] == 1).all() and (out[0, 2, :, 3:] == 1).all()
    assert (out[0, :3] == hints[0, :3]).all(0)[hints[0, 3] > 0].all()   # hints kept


def test_spread_hints_close_a_gap_in_a_line():
    source = torch.ones(1, 3, 12, 12)
    source[0, :, :, 6] = -1
    source[0, :, 5, 6] = 1                        # a 1 px gap in the line
    hints = torch.zeros(1, 4, 12, 12)
    one_hint(hints, 1, 1, (1.0, 1.0, -1.0))
    leaked = spread_hints(hints, source, close=0)
    closed = spread_hints(hints, source, close=1)
    assert leaked[0, 3, :, 9:].min() == 0.5       # through the gap to the far side
    assert (closed[0, 3, :, 6:] == 0).all()       # the dilated line holds
    assert (closed[0, 3, :, :4] == 0.5).sum() > 0


def test_a_model_with_spread_hints_spreads_them_in_its_generator_input():
    model = MODELS.build(dict(
        type='Pix2Pix', image_size=32, hints=dict(max_hints=2, spread=dict(close=0)),
        generator=dict(type='UnetGenerator', in_channels=7, image_size=32, base_channels=4),
        discriminator=dict(type='PatchDiscriminator', in_channels=6, base_channels=4,
                           n_layers=1)))
    source, hints = torch.ones(1, 3, 32, 32), torch.zeros(1, 4, 32, 32)
    one_hint(hints, 0, 0, (1.0, -1.0, -1.0))
    given = model.generator_input(source, hints)
    assert given.shape == (1, 7, 32, 32) and (given[0, 3] == 1).all()  # all paper: all red
    assert model.hint_sampler.max_hints == 2                         # `spread` not passed on


def test_a_hinted_tiny_model_paints_the_hinted_colour_over_its_region():
    """A ring whose inside each training target fills with a random colour: the sketch
    says nothing of the colour, only a hint can. 400 L1 steps of a tiny generator on
    the model's own hint path (sampler, spreading, hint channels)."""
    from PIL import ImageDraw
    torch.manual_seed(0)
    ring = Image.new('RGB', (TINY, TINY), 'white')
    ImageDraw.Draw(ring).ellipse((4, 4, 27, 27), outline='black', width=2)
    filled = ring.copy()
    ImageDraw.Draw(filled).ellipse((6, 6, 25, 25), fill='red', outline='black', width=2)
    source = torch.from_numpy(np.asarray(ring, np.float32) / 127.5 - 1).permute(2, 0, 1)
    interior = torch.from_numpy((np.asarray(filled) != np.asarray(ring)).any(-1))
    model = MODELS.build(dict(
        type='Pix2Pix', image_size=TINY, hints=dict(max_hints=1, spread=dict(close=0)),
        generator=dict(type='UnetGenerator', in_channels=7, image_size=TINY, base_channels=8),
        discriminator=dict(type='PatchDiscriminator', in_channels=6, base_channels=8,
                           n_layers=1)))
    optimizer = torch.optim.Adam(model.generator.parameters(), 5e-3, betas=(0.5, 0.999))
    sketches = source.expand(8, -1, -1, -1)
    for _ in range(400):
        targets = torch.where(interior, torch.rand(8, 3, 1, 1) * 2 - 1, sketches)
        hints = model.hint_sampler(targets)
        loss = (model.generator(model.generator_input(sketches, hints)) - targets).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    inside = np.zeros((TINY, TINY), bool)
    inside[10:22, 10:22] = True                     # well inside the ring
    for colour in ((40, 170, 60), (220, 120, 40)):
        hints = Image.new('RGBA', (TINY, TINY), (0, 0, 0, 0))
        hints.putpixel((16, 16), (*colour, 255))     # one dot at the centre
        with_hint = np.asarray(model.infer(ring, hints=hints), float)[inside]
        without = np.asarray(model.infer(ring), float)[inside]
        error = np.abs(with_hint - colour).mean() / 255
        assert error < 0.1, error                               # the region takes it
        assert np.abs(without - colour).mean() / 255 > 2 * error   # and only with the hint


def test_the_128px_fine_tune_config_takes_the_64px_hints_models_weights(tmp_path):
    """The progressive-resizing config builds the same networks as the 64 px model it
    names in load_from, so every weight loads (strict), and they run at 128 px."""
    from pathlib import Path

    from sketchgen import checkpoint as ckpt
    from sketchgen.config import load_config, resolve_config_path
    configs = Path(__file__).resolve().parents[1] / 'configs'
    fine_tune = load_config(configs / 'autopainter' / (
        'autopainter-l1w100-ganw0.1-hints-spread-hintw40-ema-from64px_unet-ngf32_1xb16-2k_'
        'openmoji-128px.py'))
    small = load_config(resolve_config_path(fine_tune.load_from))
    assert small.model.image_size == 64 and fine_tune.model.image_size == 128
    torch.manual_seed(0)
    trained = MODELS.build(small.model)
    ckpt.save_checkpoint(tmp_path / 'iter_000001', trained, small.to_dict(), 1)
    model = MODELS.build(fine_tune.model)
    ckpt.load_weights(model, tmp_path / 'iter_000001')
    theirs, ours = trained.state_dict(), model.state_dict()
    assert theirs.keys() == ours.keys() and all(torch.equal(theirs[k], ours[k]) for k in ours)
    model.eval()
    with torch.no_grad():
        out = model.generator_ema(torch.zeros(1, 7, 128, 128))
    assert out.shape == (1, 3, 128, 128)
