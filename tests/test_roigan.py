"""RoI-GAN: its layers, losses against hand values, the composite, controls that act
only inside the region, the OpenCV baselines, and a run on real tiny data."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from PIL import Image

from conftest import TINY
from sketchgen.engine import Trainer
from sketchgen.models.losses import GradientPenaltyLoss, InfoLoss
from sketchgen.models.roi_layers import GatedConv2d, RoIDenorm, equalize_learning_rate
from sketchgen.registry import MODELS


def tiny_roigan(**overrides) -> dict:
    model = dict(type='RoIGAN', image_size=TINY,
                 generator=dict(type='RoIGANGenerator', image_size=TINY, noise_dim=6,
                                continuous_codes=3, discrete_codes=1, discrete_values=7,
                                encoder_channels=4, decoder_channels=4, hidden_channels=8),
                 discriminator=dict(type='RoIGANDiscriminator', image_size=TINY,
                                    base_channels=4),
                 q_head=dict(type='InfoQHead', hidden_channels=8))
    model.update(overrides)
    return model


def hole(n=2, size=TINY):
    mask = torch.zeros(n, 1, size, size)
    mask[:, :, 8:20, 6:22] = 1
    return mask


# ---------------------------------------------------------------- layers
def test_gated_conv_passes_at_most_the_feature_and_half_of_it_at_a_zero_gate():
    layer = GatedConv2d(3, 5, norm=False)
    x = torch.randn(2, 3, 16, 16)
    feature = F.leaky_relu(layer.feature(x), 0.2)
    out = layer(x)
    assert out.shape == (2, 5, 8, 8)
    assert (out.abs() <= feature.abs() + 1e-6).all()  # the gate is in (0, 1)
    torch.nn.init.zeros_(layer.gate.weight)
    torch.nn.init.zeros_(layer.gate.bias)
    torch.testing.assert_close(layer(x), 0.5 * feature)
    normed = GatedConv2d(3, 5)(x)  # with instance norm: zero mean per channel
    assert normed.mean((2, 3)).abs().max() < 1e-5


def test_roi_denorm_is_instance_norm_when_its_convs_are_zero_and_the_latent_steers_it():
    layer = RoIDenorm(6, map_channels=1, hidden_channels=8, latent_dim=5)
    x, mask, latent = torch.randn(2, 6, 8, 8), hole(2, 8), torch.randn(2, 5)
    for conv in (layer.gamma, layer.beta):
        torch.nn.init.zeros_(conv.weight)
        torch.nn.init.zeros_(conv.bias)
    torch.testing.assert_close(layer(x, mask, latent), F.instance_norm(x))
    torch.nn.init.normal_(layer.gamma.weight)
    assert not torch.allclose(layer(x, mask, latent), layer(x, mask, latent * 2))
    with pytest.raises(ValueError, match='pass it'):
        layer(x, mask)


def test_equalized_learning_rate_scales_unit_weights_by_he_constant():
    conv = torch.nn.Conv2d(4, 8, 3)
    equalize_learning_rate(conv)
    stored = conv.parametrizations.weight.original
    assert abs(float(stored.detach().std()) - 1) < 0.2
    torch.testing.assert_close(conv.weight, stored * math.sqrt(2 / (4 * 9)))
    assert float(conv.bias.detach().abs().max()) == 0


# ---------------------------------------------------------------- losses
def test_masked_gradient_penalty_ignores_gradients_inside_the_roi():
    mask = hole(1, 8)
    weights = torch.randn(1, 3, 8, 8)

    def critic_inside(image):  # depends only on pixels inside the RoI
        return (image * weights * mask).flatten(1).sum(1)

    real, fake = torch.randn(1, 3, 8, 8), torch.randn(1, 3, 8, 8)
    penalty = GradientPenaltyLoss(loss_weight=5.0)
    # gradient · (1 − RoI) = 0, so the penalty is 5 · (0 − 1)²
    assert penalty(critic_inside, real, fake, mask=1 - mask).item() == pytest.approx(5.0)

    def critic_outside(image):
        return (image * weights * (1 - mask)).flatten(1).sum(1)

    norm = float((weights * (1 - mask)).norm())
    assert penalty(critic_outside, real, fake, mask=1 - mask).item() == pytest.approx(
        5.0 * (norm - 1) ** 2, rel=1e-5)


def test_info_loss_against_hand_values():
    mu, log_sigma = torch.tensor([[0.5, 0.0]]), torch.tensor([[0.0, math.log(2.0)]])
    continuous = torch.tensor([[1.0, 1.0]])
    # NLL per code: ½((c−μ)/σ)² + log σ + ½ log 2π
    nll = ((0.5 * 0.25 + 0) + (0.5 * 0.25 + math.log(2.0))) / 2 + 0.5 * math.log(2 * math.pi)
    logits = torch.tensor([[[0.0, math.log(3.0)]]])  # p = (1/4, 3/4)
    discrete = torch.tensor([[1]])
    loss = InfoLoss(loss_weight=0.5)
    total = loss(mu, log_sigma, logits, continuous, discrete)
    assert loss.parts['continuous'].item() == pytest.approx(nll)
    assert loss.parts['discrete'].item() == pytest.approx(-math.log(0.75))
    assert total.item() == pytest.approx(0.5 * (nll - math.log(0.75)))


# ---------------------------------------------------------------- the model
def test_kl_is_taken_on_mu_not_on_the_sample():
    model = MODELS.build(tiny_roigan())
    seen = {}
    original = model.kl_loss.forward

    def record(mu, logvar):
        seen['mu'] = mu.detach().clone()
        return original(mu, logvar)

    model.kl_loss.forward = record
    image = torch.rand(2, 3, TINY, TINY) * 2 - 1
    mask = hole()

    class Step:
        def update(self, loss):
            loss.backward()

    model.train_step(dict(target=image, mask=mask), dict(generator=Step(),
                                                         discriminator=Step()))
    model.generator.eval()
    _, mu, _ = model.generator.encode(image * (1 - mask), mask)
    torch.testing.assert_close(seen['mu'], mu.detach())


def test_reconstruction_term_counts_the_roi_only():
    model = MODELS.build(tiny_roigan(reconstruction_loss=dict(type='L1Loss',
                                                              loss_weight=100.0)))
    real, mask = torch.rand(2, 3, TINY, TINY) * 2 - 1, hole()
    generated = torch.zeros_like(real, requires_grad=True)
    composite = mask * generated + (1 - mask) * real
    loss = model.reconstruction_loss(composite, real)
    # by hand: 100 x sum over the RoI of |0 - x| / all values
    assert loss.item() == pytest.approx(100 * float((real.abs() * mask).sum()) / real.numel(),
                                        rel=1e-5)
    loss.backward()
    assert (generated.grad[(1 - mask).expand_as(real).bool()] == 0).all()
    assert (generated.grad[mask.expand_as(real).bool()] != 0).all()


def test_output_outside_the_roi_is_the_input_exactly_and_controls_act_inside():
    model = MODELS.build(tiny_roigan()).eval()
    image, mask = torch.rand(2, 3, TINY, TINY) * 2 - 1, hole()
    out = model.generate(image, mask=mask, controls=[0.0, 0.0, 0.0], discrete=[2], seed=1)
    outside = (1 - mask).bool().expand_as(image)
    assert torch.equal(out[outside], image[outside])
    moved = model.generate(image, mask=mask, controls=[1.0, 0.0, 0.0], discrete=[2], seed=1)
    change = (moved - out).abs()
    assert change[outside].max() == 0 and change[~outside].max() > 1e-4
    again = model.generate(image, mask=mask, controls=[0.0, 0.0, 0.0], discrete=[2], seed=1)
    assert torch.equal(out, again)
    with pytest.raises(ValueError, match=r'\[-1, 1\]'):
        model.generate(image, mask=mask, controls=[2.0, 0.0, 0.0])


def test_opencv_baselines_fill_the_hole_and_leave_the_rest():
    image = torch.rand(2, 3, TINY, TINY) * 2 - 1
    mask = hole()
    for method in ('telea', 'navier_stokes'):
        model = MODELS.build(dict(type='OpenCVInpainting', method=method))
        out = model.generate(image * (1 - mask), mask=mask)
        outside = (1 - mask).bool().expand_as(image)
        assert torch.equal(out[outside], image[outside])
        inside = out[~outside].view(2, 3, -1)
        # filled from the border: the hole takes the colours around it, not the blank 0
        border = image[:, :, 6:22, 4:24].mean((2, 3))
        assert (inside.mean(2) - border).abs().max() < 0.3
        assert inside.std() > 0  # not a flat fill
    with pytest.raises(ValueError, match="method='blur'"):
        MODELS.build(dict(type='OpenCVInpainting', method='blur'))


def tiny_config(data_root, max_iters=4) -> Config:
    images = dict(type='PairedImageDataset', data_root=str(data_root), layout='folders',
                  pipeline=[dict(type='ToTensor')])
    masked = dict(type='RoIMaskDataset', sampler=dict(type='EllipseRoISampler'))
    return Config(dict(
        model=tiny_roigan(),
        train_dataloader=dict(batch_size=4, num_workers=0,
                              dataset=dict(masked, dataset=dict(images, split='train'))),
        val_dataloader=dict(batch_size=4, dataset=dict(masked, fixed_masks=True,
                                                       dataset=dict(images, split='val'))),
        optim_wrapper=dict(
            generator=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999))),
            discriminator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999)))),
        train_cfg=dict(max_iters=max_iters, val_interval=max_iters),
        default_hooks=dict(
            evaluation=dict(type='EvaluationHook'),
            checkpoint=dict(type='CheckpointHook', interval=max_iters, save_best=None),
            visualization=dict(type='VisualizationHook', interval=max_iters, num_samples=2),
            logger=dict(type='LoggerHook', interval=1, progress_bar=False)),
        val_evaluator=[dict(type='PSNR')],
        seed=0))


def test_trains_on_masked_images_and_inpaints_from_the_checkpoint(tiny_pairs, tmp_path):
    Trainer(tiny_config(tiny_pairs), work_dir=tmp_path).train()
    log = (tmp_path / 'log.jsonl').read_text()
    for name in ('loss_gp', 'loss_zero_centring', 'loss_info', 'loss_kl', 'loss_tv'):
        assert name in log
    assert (tmp_path / 'vis' / 'iter_000004.png').is_file()
    from sketchgen.apis import init_model
    model = init_model(tmp_path / 'checkpoints' / 'iter_000004')
    image = Image.open(sorted((tiny_pairs / 'val' / 'B').iterdir())[0])
    mask = Image.new('L', image.size, 0)
    mask.paste(255, (8, 8, 20, 20))
    out = model.inpaint(image, mask, controls=[0.5, -1, 1], seed=0)
    assert out.size == image.size
    before, after = image.convert('RGB').load(), out.load()
    assert before[2, 2] == after[2, 2] and before[25, 28] == after[25, 28]
    with pytest.raises(TypeError, match='inpaint'):
        model.infer(image)


def test_inpaint_and_sliders_tools(tiny_pairs, tmp_path, capsys):
    import json

    from sketchgen.tools import run
    Trainer(tiny_config(tiny_pairs, max_iters=1), work_dir=tmp_path / 'run').train()
    checkpoint = str(tmp_path / 'run' / 'checkpoints' / 'iter_000001')
    image = sorted((tiny_pairs / 'val' / 'B').iterdir())[0]
    assert run('inpaint', [str(image), '--checkpoint', checkpoint, '--roi', 'ellipse',
                           '--controls', '0.5,0,-1', '--out', str(tmp_path / 'a.png'),
                           '--save-mask', str(tmp_path / 'mask.png')]) == 0
    assert Image.open(tmp_path / 'a.png').size == (TINY, TINY)
    assert run('inpaint', [str(image), '--method', 'telea', '--mask', str(tmp_path / 'mask.png'),
                           '--out', str(tmp_path / 'b.png')]) == 0
    # outside the mask the OpenCV result is the image itself
    mask = torch.tensor(list(Image.open(tmp_path / 'mask.png').getdata())).view(TINY, TINY)
    before = torch.tensor(list(Image.open(image).convert('RGB').getdata())).view(TINY, TINY, 3)
    after = torch.tensor(list(Image.open(tmp_path / 'b.png').getdata())).view(TINY, TINY, 3)
    assert torch.equal(before[mask < 128], after[mask < 128])
    assert run('inpaint', [str(image), '--checkpoint', checkpoint, '--roi', 'ellipse',
                           '--controls', '0.5', '--out', str(tmp_path / 'c.png')]) == 2
    assert 'has 3 slider codes, got 1' in capsys.readouterr().err
    assert run('roi_sliders', [checkpoint, '--image', str(image), '--mask',
                               str(tmp_path / 'mask.png'), '--values', '5',
                               '--out', str(tmp_path / 'sliders.png')]) == 0
    grid = Image.open(tmp_path / 'sliders.png')
    assert grid.size == (5 * TINY + 6 * 2, 3 * TINY + 4 * 2)  # 3 codes x 5 values
    report = json.loads((tmp_path / 'sliders.json').read_text())
    assert len(report['change_inside_per_unit']) == 3
    assert all(v > 0 for v in report['change_inside_per_unit'])


def test_pix2pix_inpainting_baseline_composites_and_refuses_the_wrong_width():
    model = MODELS.build(dict(
        type='Pix2PixInpainting', image_size=TINY,
        generator=dict(type='UnetGenerator', in_channels=4, image_size=TINY, base_channels=4),
        discriminator=dict(type='PatchDiscriminator', in_channels=7, base_channels=4,
                           n_layers=2))).eval()
    image, mask = torch.rand(2, 3, TINY, TINY) * 2 - 1, hole()
    out = model.generate(image, mask=mask)
    outside = (1 - mask).bool().expand_as(image)
    assert torch.equal(out[outside], image[outside])
    assert (out[~outside] - image[~outside]).abs().max() > 0
    pil = model.inpaint(Image.new('RGB', (40, 40), (200, 30, 30)), Image.new('L', (40, 40), 255))
    assert pil.size == (TINY, TINY)
    with pytest.raises(ValueError, match='in_channels=4'):
        MODELS.build(dict(type='Pix2PixInpainting', image_size=TINY,
                          generator=dict(type='UnetGenerator', image_size=TINY),
                          discriminator=dict(type='PatchDiscriminator', in_channels=6)))


def test_roi_eval_scores_every_model_on_every_family(tiny_pairs, tmp_path):
    import json

    from sketchgen.tools import run
    cfg = tiny_config(tiny_pairs, max_iters=1)
    cfg.test_dataloader = cfg.val_dataloader
    Trainer(cfg, work_dir=tmp_path / 'run').train()
    checkpoint = tmp_path / 'run' / 'checkpoints' / 'iter_000001'
    assert run('roi_eval', ['--model', f'roigan={checkpoint}', '--model', 'telea',
                            '--families', 'ellipse', 'rectangle', '--samples', '2',
                            '--metrics', 'KID-EffLite0', '--out', str(tmp_path / 'eval')]) == 0
    report = json.loads((tmp_path / 'eval' / 'roi_eval.json').read_text())
    for family in ('ellipse', 'rectangle'):
        rows = report['families'][family]
        assert set(rows) == {'roigan', 'telea'}
        for row in rows.values():
            assert row['images'] == 8 and row['unchanged_outside'] == 1.0
            assert 'KID-EffLite0' in row and 'FID-EffLite0' not in row
            assert 0 < row['ssim_inside'] <= 1 and row['border_ratio'] > 0
        assert rows['telea']['diversity'] == 0 and rows['roigan']['diversity'] > 0
        grid = Image.open(tmp_path / 'eval' / f'examples_{family}.png')   # 8 rows, 4 columns
        assert grid.size == (4 * (TINY + 1) + 1, 8 * (TINY + 1) + 1)
    control = report['controllability']['roigan']
    assert len(control['change_inside_per_unit']) == 3
    assert len(control['q_correlation_continuous']) == 3
    assert control['chance_accuracy'] == pytest.approx(1 / 7)
    assert run('roi_eval', ['--model', 'telea', '--out', str(tmp_path / 'x')]) == 2


def test_border_gradients_see_a_seam_and_not_a_flat_fill():
    from sketchgen.evaluation.inpainting import border_gradients
    mask = torch.zeros(1, 1, 16, 16)
    mask[..., 4:12, 4:12] = 1
    seam = mask.expand(1, 3, 16, 16).clone()        # a flat fill that differs from outside
    on_border, inside = border_gradients(seam, mask)
    # by hand: the ring one pixel either side of the edge, forward differences of the grey
    band = F.max_pool2d(mask, 3, 1, 1) + F.max_pool2d(-mask, 3, 1, 1)
    dx = F.pad((seam[0, 0, :, 1:] - seam[0, 0, :, :-1]).abs(), (0, 1))
    dy = F.pad((seam[0, 0, 1:] - seam[0, 0, :-1]).abs(), (0, 0, 0, 1))
    expected = float(((dx + dy) * band[0, 0]).sum() / band.sum())
    assert on_border.item() == pytest.approx(expected) and expected > 0
    assert inside.item() == 0


def test_celeba_config_reads_a_partition_and_crops_the_faces(tmp_path):
    from sketchgen.config import load_config
    from sketchgen.data.loader import build_dataset
    folder = tmp_path / 'img_align_celeba'
    folder.mkdir()
    for i in range(1, 5):
        Image.new('RGB', (178, 218), (40 * i, 20, 20)).save(folder / f'{i:06d}.jpg')
    (tmp_path / 'list_eval_partition.txt').write_text(
        '000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n000004.jpg 2\n')
    cfg = load_config('configs/roigan/roigan_1xb32-100e_celeba-64px.py')
    cfg.data_root = str(tmp_path)
    train, test = build_dataset(cfg, 'train'), build_dataset(cfg, 'test')
    assert len(train) == 2 and len(test) == 1
    sample = test[0]
    assert sample['target'].shape == (3, 64, 64) and sample['mask'].shape == (1, 64, 64)
    assert torch.equal(sample['mask'], test[0]['mask'])  # fixed evaluation mask
    (tmp_path / 'list_eval_partition.txt').write_text('000001.jpg\n')
    with pytest.raises(ValueError, match=r'list_eval_partition\.txt, line 1'):
        build_dataset(cfg, 'train')
