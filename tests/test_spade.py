"""SPADE: the layer, the networks, the losses against hand values, training on
real tiny data, and reference-guided inference."""
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from PIL import Image

from conftest import TINY
from sketchgen.data.labels import label_palette, load_label_map, one_hot, to_label_image
from sketchgen.engine import Trainer
from sketchgen.models.discriminators.multiscale import MultiscaleDiscriminator
from sketchgen.models.generators.spade import SPADEGenerator, SPADEStyleEncoder
from sketchgen.models.losses import FeatureMatchingLoss, KLDivergenceLoss
from sketchgen.models.spade_layers import SPADENorm, SPADEResBlock
from sketchgen.registry import MODELS

TINY_GENERATOR = dict(type='SPADEGenerator', out_channels=3, image_size=TINY, base_channels=4,
                      hidden_channels=8)
TINY_DISCRIMINATOR = dict(type='MultiscaleDiscriminator', base_channels=8, n_layers=3)


def tiny_spade(encoder: bool = True, num_classes=None, **overrides) -> dict:
    map_channels = num_classes or 3
    model = dict(type='SPADE', image_size=TINY, num_classes=num_classes,
                 generator=dict(TINY_GENERATOR, map_channels=map_channels,
                                z_dim=16 if encoder else None),
                 discriminator=dict(TINY_DISCRIMINATOR, in_channels=map_channels + 3),
                 perceptual_loss=None)
    if encoder:
        model['encoder'] = dict(type='SPADEStyleEncoder', image_size=TINY, base_channels=4,
                                z_dim=16)
    model.update(overrides)
    return model


# ---------------------------------------------------------------- the layer
@pytest.mark.parametrize('norm', ['batch', 'instance'])
def test_spade_is_the_plain_norm_when_gamma_and_beta_are_zero(norm):
    layer = SPADENorm(6, map_channels=3, hidden_channels=8, norm=norm)
    for conv in (layer.gamma, layer.beta):
        torch.nn.init.zeros_(conv.weight)
        torch.nn.init.zeros_(conv.bias)
    x, m = torch.randn(2, 6, 8, 8), torch.randn(2, 3, 4, 4)
    plain = (F.batch_norm(x, None, None, training=True) if norm == 'batch'
             else F.instance_norm(x))
    torch.testing.assert_close(layer(x, m), plain)
    # and γ, β really act when they are not zero: a bias of 1 in γ doubles the norm
    torch.nn.init.constant_(layer.gamma.bias, 1.0)
    torch.testing.assert_close(layer(x, m), 2 * plain)


def test_the_map_reaches_every_spade_layer_at_that_layers_size():
    generator = SPADEGenerator(map_channels=3, image_size=64, base_channels=2, hidden_channels=4)
    seen = []

    def record(layer, args):
        x, condition_map = args[:2]
        seen.append((tuple(x.shape[-2:]), layer))

    def record_map(conv, args):
        seen.append(('map', tuple(args[0].shape[-2:])))

    for module in generator.modules():
        if isinstance(module, SPADENorm):
            module.register_forward_pre_hook(record)
            module.shared[0].register_forward_pre_hook(record_map)
    generator(torch.randn(1, 3, 64, 64))
    pairs = [(seen[i][0], seen[i + 1][1]) for i in range(0, len(seen), 2)]
    assert all(seen[i + 1][0] == 'map' for i in range(0, len(seen), 2))
    assert all(x_size == map_size for x_size, map_size in pairs)
    sizes = sorted({x_size[0] for x_size, _ in pairs})
    assert sizes == [2, 4, 8, 16, 32, 64]  # head at 64/32, then every up-sampling


def test_resblock_shortcut_is_learned_only_when_the_width_changes():
    same, wider = SPADEResBlock(8, 8, map_channels=3), SPADEResBlock(8, 4, map_channels=3)
    assert not same.learned_shortcut and not hasattr(same, 'conv_s')
    assert wider.learned_shortcut and wider.conv_s.bias is None
    # spectral norm on the block convs: their weight is computed, with σ ≈ 1 after power steps
    for _ in range(20):
        wider(torch.randn(2, 8, 4, 4), torch.randn(2, 3, 4, 4))
    sigma = torch.linalg.matrix_norm(wider.conv_0.weight.detach().flatten(1), ord=2)
    assert abs(float(sigma) - 1) < 0.05


# ---------------------------------------------------------------- networks
@pytest.mark.parametrize('size', [64, 128, 256])
def test_generator_output_follows_the_image_size(size):
    generator = SPADEGenerator(map_channels=5, image_size=size, base_channels=2,
                               hidden_channels=4)
    assert generator.start_size == (size // 32, size // 32)
    out = generator(torch.randn(1, 5, size, size))
    assert out.shape == (1, 3, size, size) and out.abs().max() <= 1


def test_generator_from_z_with_a_wide_image_and_more_upsamplings():
    generator = SPADEGenerator(map_channels=3, image_size=(64, 128), base_channels=2,
                               hidden_channels=4, z_dim=8, num_upsampling_layers='more')
    assert generator.start_size == (1, 2)
    out = generator(torch.randn(2, 3, 64, 128), torch.randn(2, 8))
    assert out.shape == (2, 3, 64, 128)
    with pytest.raises(ValueError, match='pass z'):
        generator(torch.randn(2, 3, 64, 128))
    with pytest.raises(ValueError, match='must divide by 32'):
        SPADEGenerator(map_channels=3, image_size=48)


def test_style_encoder_reads_any_size_into_mu_and_logvar():
    encoder = SPADEStyleEncoder(image_size=32, base_channels=4, z_dim=16)
    assert sum(isinstance(m, torch.nn.Conv2d) for m in encoder.modules()) == 3  # 32 -> 4
    mu, logvar = encoder(torch.randn(2, 3, 50, 40))
    assert mu.shape == logvar.shape == (2, 16)


def test_discriminator_returns_every_layers_features_per_scale():
    d = MultiscaleDiscriminator(in_channels=6, base_channels=8, n_layers=4, num_scales=2)
    outputs = d(torch.randn(2, 6, 64, 64))
    assert len(outputs) == 2

    def conv_out(size, stride):  # k4, padding 2
        return (size + 4 - 4) // stride + 1

    for scale, input_size in zip(outputs, (64, 32)):
        expected, size = [], input_size
        for width, stride in ((8, 2), (16, 2), (32, 2), (64, 1), (1, 1)):
            size = conv_out(size, stride)
            expected.append((2, width, size, size))
        assert [tuple(f.shape) for f in scale] == expected
    # the second scale sees the 3x3 average-pooled input (padding not counted)
    x = torch.randn(1, 6, 64, 64)
    pooled = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
    torch.testing.assert_close(d(x)[1][-1], d.scales[1](pooled)[-1])


# ---------------------------------------------------------------- losses
def test_feature_matching_against_hand_values():
    fake = [[torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 1, 1), torch.full((1, 1, 1, 1), 9.)],
            [torch.full((1, 2, 1, 1), 2.), torch.zeros(1, 1, 1, 1)]]
    real = [[torch.ones(1, 1, 2, 2), torch.full((1, 1, 1, 1), 4.), torch.zeros(1, 1, 1, 1)],
            [torch.zeros(1, 2, 1, 1), torch.full((1, 1, 1, 1), 7.)]]
    # scale 0: |0-1| + |1-4| = 4 (the logits, 9 vs 0, are left out); scale 1: |2-0| = 2
    loss = FeatureMatchingLoss(loss_weight=10.0)(fake, real)
    assert loss.item() == pytest.approx(10.0 * (4 + 2) / 2)
    # real features are constants
    fake_leaf = torch.zeros(1, 1, 2, 2, requires_grad=True)
    real_leaf = torch.ones(1, 1, 2, 2, requires_grad=True)
    FeatureMatchingLoss()([fake_leaf, fake_leaf], [real_leaf, real_leaf]).backward()
    assert fake_leaf.grad is not None and real_leaf.grad is None


def test_kl_divergence_against_hand_values():
    mu = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    logvar = torch.tensor([[0.0, math.log(4.0)], [0.0, 0.0]])
    # sample 1: ½(1 + 0 − 1) ... per dim −½(1 + log σ² − μ² − σ²): 0.5 and 1.5 − ln 2
    sample_1 = 0.5 + (1.5 - math.log(2.0))
    expected = 0.05 * (sample_1 + 0.0) / 2
    assert KLDivergenceLoss(0.05)(mu, logvar).item() == pytest.approx(expected)


# ---------------------------------------------------------------- label maps
def test_label_maps_keep_their_indices_through_resize_and_to_tensor(tmp_path):
    labels = np.array([[0, 1], [5, 6]], np.uint8)
    to_label_image(labels).save(tmp_path / 'map.png')
    image = load_label_map(tmp_path / 'map.png', num_classes=7)
    assert image.mode == 'P' and (np.asarray(image) == labels).all()
    big = np.asarray(image.resize((4, 4), Image.BICUBIC))  # palette images resize by nearest
    assert set(np.unique(big)) == {0, 1, 5, 6}
    from sketchgen.data.transforms import ToTensor
    sample = ToTensor()(dict(source=image), np.random.default_rng(0))
    assert sample['source'].dtype == torch.int64 and sample['source'].tolist() == labels.tolist()
    with pytest.raises(OSError, match=r'map\.png: class index 6 is outside 0\.\.4'):
        load_label_map(tmp_path / 'map.png', num_classes=5)
    Image.new('RGB', (2, 2)).save(tmp_path / 'colour.png')
    with pytest.raises(OSError, match=r'colour\.png: a label map must be a one-channel'):
        load_label_map(tmp_path / 'colour.png')
    assert one_hot(torch.tensor([[[2]]]), 3)[0, :, 0, 0].tolist() == [0, 0, 1]
    assert tuple(label_palette(3)[1]) == (128, 0, 0)


def test_openmoji_semantic_classes_come_from_the_svg_groups(openmoji_cache):
    from sketchgen.data.openmoji_semantic import CLASSES, OpenMojiSemanticDataset
    data = OpenMojiSemanticDataset(image_size=TINY, split='train', cache_dir=openmoji_cache,
                                   limit=80)
    sample = data[0]
    assert sample['source'].dtype == torch.int64 and sample['source'].shape == (TINY, TINY)
    assert sample['target'].shape == (3, TINY, TINY)
    index = json.loads((data.label_root.parent / 'index.json').read_text())
    assert index['classes'] == list(CLASSES)
    frequency = index['train_pixel_frequency']
    assert sum(frequency.values()) == pytest.approx(1.0, abs=1e-3)
    # every emoji has outlines, and most have fills: both classes are well represented
    assert frequency['line'] > 0.05 and frequency['colour'] > 0.05
    # a line pixel is dark in the target, a background pixel white
    target = (np.asarray(data.load_sample(0)['target'], np.float32) / 255).mean(-1)
    labels = np.asarray(data.load_sample(0)['source'])
    assert target[labels == CLASSES.index('line')].mean() < 0.35
    assert target[labels == 0].mean() > 0.9


# ---------------------------------------------------------------- the algorithm
def tiny_config(data_root, model, max_iters=6, **overrides) -> Config:
    dataset = dict(type='PairedImageDataset', data_root=str(data_root), layout='folders',
                   pipeline=[dict(type='ToTensor')])
    cfg = Config(dict(
        model=model,
        train_dataloader=dict(batch_size=4, num_workers=0, dataset=dict(dataset, split='train')),
        val_dataloader=dict(batch_size=4, dataset=dict(dataset, split='val')),
        optim_wrapper=dict(
            generator=dict(optimizer=dict(type='Adam', lr=2e-3, betas=(0.0, 0.9))),
            discriminator=dict(optimizer=dict(type='Adam', lr=2e-3, betas=(0.0, 0.9)))),
        train_cfg=dict(max_iters=max_iters, val_interval=0),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=max_iters, save_best=None),
            visualization=dict(type='VisualizationHook', interval=max_iters, num_samples=2),
            logger=dict(type='LoggerHook', interval=1, progress_bar=False)),
        seed=0))
    cfg.merge_from_dict(overrides)
    return cfg


def test_optimizer_groups_put_the_encoder_with_the_generator():
    model = MODELS.build(tiny_spade())
    assert model.optimizer_groups() == {'generator': ('generator', 'encoder'),
                                        'discriminator': ('discriminator',)}
    with pytest.raises(ValueError, match='go together'):
        MODELS.build(tiny_spade(encoder=False, generator=dict(TINY_GENERATOR, map_channels=3,
                                                              z_dim=16)))
    with pytest.raises(ValueError, match='num_classes=7 but the generator takes'):
        MODELS.build(tiny_spade(encoder=False, num_classes=7,
                                generator=dict(TINY_GENERATOR, map_channels=3)))


def test_tiny_overfit_run_lowers_the_generator_loss(tiny_pairs, tmp_path):
    model = tiny_spade(perceptual_loss=dict(type='PerceptualLoss', network='efficientnet_lite0',
                                            layers=dict(stage0=0.5, stage1=1.0),
                                            criterion='l1', loss_weight=10.0))
    Trainer(tiny_config(tiny_pairs, model, max_iters=40), work_dir=tmp_path).train()
    log = [json.loads(line) for line in (tmp_path / 'log.jsonl').read_text().splitlines()]
    perceptual = [line['loss_perceptual'] for line in log if 'loss_perceptual' in line]
    assert len(perceptual) == 40 and all('loss_kl' in line for line in log if 'loss_d' in line)
    first, last = sum(perceptual[:5]) / 5, sum(perceptual[-5:]) / 5
    assert last < 0.8 * first, (first, last)
    grid = Image.open(tmp_path / 'vis' / 'iter_000040.png')
    assert grid.size[1] > 2 * TINY  # two rows of source | generated | target


def test_reference_changes_the_output_and_a_seed_repeats_it(tiny_pairs, tmp_path):
    Trainer(tiny_config(tiny_pairs, tiny_spade(), max_iters=2), work_dir=tmp_path).train()
    from sketchgen.apis import init_model
    model = init_model(None, tmp_path / 'checkpoints' / 'iter_000002', device='cpu')
    def tensor(path):
        return torch.from_numpy(np.asarray(Image.open(path), np.float32) / 255).permute(2, 0, 1)

    files = sorted((tiny_pairs / 'train' / 'B').iterdir())
    sketch = tensor(sorted((tiny_pairs / 'train' / 'A').iterdir())[0])
    ref_a, ref_b = tensor(files[1]), tensor(files[2])
    out_a = model.infer(sketch, reference=ref_a, seed=3)
    assert torch.equal(out_a, model.infer(sketch, reference=ref_a, seed=3))
    # a 2-iteration model is nearly flat, but the reference must still move the output
    assert (out_a - model.infer(sketch, reference=ref_b, seed=3)).abs().max() > 1e-3
    # the seed draws ε of z = μ + σ·ε: same reference, other seed, other output
    assert (out_a - model.infer(sketch, reference=ref_a, seed=4)).abs().max() > 1e-4
    sampled = [model.infer(sketch, seed=s) for s in (0, 1)]
    assert (sampled[0] - sampled[1]).abs().max() > 1e-3
    assert torch.equal(sampled[0], model.infer(sketch, seed=0))
    # PIL in, PIL out, at the training size
    assert model.infer(Image.open(files[0]), reference=Image.open(files[1])).size == (TINY, TINY)


def test_infer_tool_writes_one_file_per_sample_and_takes_a_reference(tiny_pairs, tmp_path):
    Trainer(tiny_config(tiny_pairs, tiny_spade(), max_iters=2), work_dir=tmp_path).train()
    from sketchgen.tools import infer
    checkpoint = tmp_path / 'checkpoints' / 'iter_000002'
    sketches = tiny_pairs / 'val' / 'A'
    reference = sorted((tiny_pairs / 'val' / 'B').iterdir())[0]
    assert infer.main(['-', str(checkpoint), str(sketches), '--out', str(tmp_path / 'ref'),
                       '--reference', str(reference)]) == 0
    assert len(list((tmp_path / 'ref').iterdir())) == len(list(sketches.iterdir()))
    assert infer.main(['-', str(checkpoint), str(sketches), '--out', str(tmp_path / 'many'),
                       '--num-samples', '3']) == 0
    first = sorted(sketches.iterdir())[0].stem
    assert {p.name for p in (tmp_path / 'many').iterdir() if p.name.startswith(first)} == {
        f'{first}_sample0.png', f'{first}_sample1.png', f'{first}_sample2.png'}
    with pytest.raises(SystemExit, match='--num-samples 0'):
        infer.main(['-', str(checkpoint), str(sketches), '--out', str(tmp_path / 'x'),
                    '--num-samples', '0'])


def test_semantic_model_trains_and_colours_a_label_png(openmoji_cache, tmp_path):
    dataset = dict(type='OpenMojiSemanticDataset', image_size=TINY, cache_dir=str(openmoji_cache),
                   limit=80, pipeline=[dict(type='ToTensor')])
    cfg = tiny_config(tmp_path, tiny_spade(encoder=False, num_classes=7), max_iters=2,
                      train_dataloader=dict(dataset=dict(dataset, split='train',
                                                         _delete_=True)),
                      val_dataloader=dict(dataset=dict(dataset, split='val', _delete_=True)))
    Trainer(cfg, work_dir=tmp_path / 'run').train()
    assert (tmp_path / 'run' / 'vis' / 'iter_000002.png').is_file()  # label maps in colour
    from sketchgen.tools import infer
    label = tmp_path / 'label.png'
    to_label_image(np.tile(np.arange(7, dtype=np.uint8), (TINY, 5))[:, :TINY]).save(label)
    assert infer.main(['-', str(tmp_path / 'run' / 'checkpoints' / 'iter_000002'), str(label),
                       '--out', str(tmp_path / 'out')]) == 0
    assert Image.open(tmp_path / 'out' / 'label.png').size == (TINY, TINY)
    with pytest.raises(SystemExit, match='no style encoder'):
        infer.main(['-', str(tmp_path / 'run' / 'checkpoints' / 'iter_000002'), str(label),
                    '--out', str(tmp_path / 'out2'), '--num-samples', '2'])


@pytest.mark.parametrize('fmt', ['onnx', 'torchscript'])
def test_export_takes_the_map_and_z_and_matches_pytorch(tiny_pairs, tmp_path, fmt, capsys):
    Trainer(tiny_config(tiny_pairs, tiny_spade(), max_iters=1), work_dir=tmp_path).train()
    from sketchgen.apis import init_model
    from sketchgen.tools import run
    checkpoint = tmp_path / 'checkpoints' / 'iter_000001'
    path = tmp_path / f'spade.{"onnx" if fmt == "onnx" else "pt"}'
    assert run('export_model', [str(checkpoint), '--format', fmt, '--out', str(path)]) == 0
    report = capsys.readouterr().out
    assert "'z': [1, 16]" in report.replace('"', "'")
    assert float(report.split('max |export - PyTorch| = ')[1].split()[0]) < 1e-4
    if fmt == 'onnx':
        torch_model, onnx_model = init_model(checkpoint), init_model(path)
        sketch = torch.rand(3, TINY, TINY)
        assert (onnx_model.infer(sketch, seed=5) - torch_model.infer(sketch, seed=5)
                ).abs().max() < 1e-4
        with pytest.raises(ValueError, match='not the style encoder'):
            onnx_model.infer(sketch, reference=torch.rand(3, TINY, TINY))


def test_colour_distances_against_hand_values():
    from sketchgen.evaluation.colour import (colour_histogram, delta_e, histogram_distance,
                                             rgb_to_lab)
    white, black = torch.ones(1, 3, 2, 2), torch.zeros(1, 3, 2, 2)
    red = torch.tensor([1.0, 0, 0]).view(1, 3, 1, 1).expand(1, 3, 2, 2)
    torch.testing.assert_close(rgb_to_lab(red)[0, :, 0, 0],
                               torch.tensor([53.24, 80.09, 67.20]), atol=0.01, rtol=0)
    mask = torch.ones(1, 1, 2, 2)
    assert delta_e(white, black, mask).item() == pytest.approx(100.0, abs=1e-3)
    half = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    # only the masked pixel counts: white vs a picture that is white there
    picture = black.clone()
    picture[..., 0, 0] = 1
    assert delta_e(white, picture, half).item() == pytest.approx(0.0, abs=1e-4)
    h_white, h_black = colour_histogram(white, mask), colour_histogram(black, mask)
    assert h_white.sum().item() == pytest.approx(1.0) and h_white[0, 63] == 1
    assert histogram_distance(h_white, h_black).item() == pytest.approx(1.0)
    mixed = colour_histogram(picture, mask)  # 1 white pixel, 3 black
    assert histogram_distance(mixed, h_black).item() == pytest.approx(0.25)


def test_reference_study_reports_guidance_and_diversity(tiny_pairs, tmp_path):
    dataset = dict(type='PairedImageDataset', data_root=str(tiny_pairs), layout='folders',
                   split='val', pipeline=[dict(type='ToTensor')])
    cfg = tiny_config(tiny_pairs, tiny_spade(), max_iters=2,
                      test_dataloader=dict(batch_size=4, dataset=dataset))
    Trainer(cfg, work_dir=tmp_path / 'spade').train()
    from conftest import tiny_config as pix2pix_config
    Trainer(pix2pix_config(tiny_pairs, train_cfg=dict(max_iters=2, val_interval=0),
                           test_dataloader=dict(batch_size=4, dataset=dataset)),
            work_dir=tmp_path / 'pix2pix').train()
    from sketchgen.tools import run
    assert run('reference_study', ['-', str(tmp_path / 'spade/checkpoints/iter_000002'),
                                   '--pix2pix', '-',
                                   str(tmp_path / 'pix2pix/checkpoints/iter_000002'),
                                   '--samples', '3', '--out', str(tmp_path / 'study')]) == 0
    result = json.loads((tmp_path / 'study' / 'reference_study.json').read_text())
    assert result['images'] == 8 and result['samples_per_sketch'] == 3
    grid = Image.open(tmp_path / 'study' / 'reference_grid.png')  # 1 + 6 rows, 1 + 4 columns
    assert grid.size == (5 * TINY + 6 * 2, 7 * TINY + 8 * 2)
    assert set(result['delta_e_to_target']) == {'true', 'random', 'sampled'}
    assert all(0 <= v <= 1 for v in result['histogram_distance_to_reference'].values())
    # a 32 px U-Net has no dropout level (they sit above the 8·ngf bottleneck levels)
    assert result['diversity_spade'] > 0 and result['diversity_pix2pix_dropout'] == 0
    assert run('reference_study', ['-', str(tmp_path / 'pix2pix/checkpoints/iter_000002')]) == 2


def test_pix2pix_dropout_outputs_vary_with_batch_norm_frozen():
    from sketchgen.tools.reference_study import dropout_outputs
    model = MODELS.build(dict(type='Pix2Pix', image_size=256,
                              generator=dict(type='UnetGenerator', image_size=256,
                                             base_channels=2, dropout=True),
                              discriminator=dict(type='PatchDiscriminator', base_channels=2)))
    bn = next(m for m in model.generator.modules() if isinstance(m, torch.nn.BatchNorm2d))
    before = bn.running_mean.clone()
    sketch = torch.rand(1, 3, 256, 256) * 2 - 1
    outputs = dropout_outputs(model, sketch, 2, seed=0)
    assert (outputs[0] - outputs[1]).abs().max() > 0
    assert torch.equal(bn.running_mean, before)  # batch norm stayed in eval mode
    assert torch.equal(outputs[1], dropout_outputs(model, sketch, 2, seed=0)[1])  # seeded


def test_semantic_folder_pairs_cityscapes_names_and_names_what_is_wrong(tmp_path):
    from sketchgen.data.semantic import SemanticFolderDataset
    for city in ('aachen', 'bonn'):
        (tmp_path / 'leftImg8bit/train' / city).mkdir(parents=True)
        (tmp_path / 'gtFine/train' / city).mkdir(parents=True)
        stem = f'{city}_000000_000019'
        Image.new('RGB', (8, 4), (200, 10, 10)).save(
            tmp_path / 'leftImg8bit/train' / city / f'{stem}_leftImg8bit.png')
        to_label_image(np.full((4, 8), 33, np.uint8)).save(
            tmp_path / 'gtFine/train' / city / f'{stem}_gtFine_labelIds.png')
    layout = dict(image_dir='leftImg8bit/{split}', label_dir='gtFine/{split}',
                  image_suffix='_leftImg8bit', label_suffix='_gtFine_labelIds')
    data = SemanticFolderDataset(str(tmp_path), num_classes=35, **layout)
    assert [s['name'] for s in data.samples] == ['aachen_000000_000019', 'bonn_000000_000019']
    sample = data[1]
    assert sample['source'].shape == (4, 8) and int(sample['source'].max()) == 33
    assert sample['target'].shape == (3, 4, 8)
    with pytest.raises(OSError, match=r'_gtFine_labelIds\.png: class index 33 is outside'):
        SemanticFolderDataset(str(tmp_path), num_classes=20, **layout)[0]
    (tmp_path / 'gtFine/train/bonn/bonn_000000_000019_gtFine_labelIds.png').unlink()
    with pytest.raises(FileNotFoundError, match=r'1 images have no label map, e\.g\. .*bonn'):
        SemanticFolderDataset(str(tmp_path), num_classes=35, **layout)
