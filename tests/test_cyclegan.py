"""CycleGAN and the landmark-guided cartoon CycleGAN: losses, pool, labels,
landmarks, patches, the affine solver, data, a tiny run and the tools."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image, ImageDraw
from torch import nn

from sketchgen.data.transforms import AlignLandmarks
from sketchgen.data.unpaired import UnpairedImageDataset
from sketchgen.models.algorithms.cyclegan import CycleGAN, ImagePool
from sketchgen.models.discriminators.diff_augment import (DiffAugment, adjust_color, cutout,
                                                         translate)
from sketchgen.models.generators.resnet import ResnetGenerator
from sketchgen.data.geometry import solve_affine
from sketchgen.models.face_landmarks import crop_patches, interocular_error, part_centres
from sketchgen.models.losses.landmark_loss import LandmarkLoss
from sketchgen.registry import MODELS

TINY_G = dict(type='ResnetGenerator', base_channels=8, num_blocks=2)
TINY_D = dict(type='PatchDiscriminator', in_channels=3, base_channels=8, n_layers=2,
              norm='instance')
FACE = [[10., 12.], [22., 12.], [16., 18.], [11., 24.], [21., 24.]]
ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = [[0.400, 0.461], [0.628, 0.461], [0.514, 0.529], [0.467, 0.584], [0.561, 0.584]]


def grace_hopper():
    """A real face photo that ships with matplotlib (a dependency of mmengine)."""
    import matplotlib
    return Path(matplotlib.get_data_path()) / 'sample_data' / 'grace_hopper.jpg'


class NoStep:
    def update(self, loss):
        pass


class Affine(nn.Module):
    """y = scale * x + shift, a generator whose output is known by hand."""

    def __init__(self, scale, shift):
        super().__init__()
        self.scale, self.shift = nn.Parameter(torch.tensor(scale)), shift
        self.in_channels = 3

    def forward(self, x, *labels):
        return self.scale * x + self.shift


def test_cycle_and_identity_losses_match_hand_values():
    model = CycleGAN(TINY_G, TINY_D, image_size=32)
    model.generator, model.generator_ba = Affine(0.5, 0.0), Affine(1.0, 0.1)
    a = torch.linspace(-1, 1, 2 * 3 * 32 * 32).view(2, 3, 32, 32)
    b = -a.flip(-1)
    log = model.train_step(dict(source=a, target=b),
                           dict(generators=NoStep(), discriminators=NoStep()))
    # cycle A: F(G(a)) = 0.5 a + 0.1;  cycle B: G(F(b)) = 0.5 (b + 0.1)
    assert log['loss_cycle_a'].item() == pytest.approx(10 * (0.5 * a - 0.1).abs().mean().item(),
                                                       rel=1e-5)
    assert log['loss_cycle_b'].item() == pytest.approx(10 * (0.5 * b - 0.05).abs().mean().item(),
                                                       rel=1e-5)
    # identity: G(b) = 0.5 b and F(a) = a + 0.1, weight 0.5 * 10
    assert log['loss_idt_b'].item() == pytest.approx(5 * (0.5 * b).abs().mean().item(), rel=1e-5)
    assert log['loss_idt_a'].item() == pytest.approx(5 * 0.1, rel=1e-4)


def test_pool_returns_inputs_until_full_then_stored_images_half_the_time():
    torch.manual_seed(0)
    pool = ImagePool(50)
    stored = torch.arange(50.0).view(50, 1)
    assert torch.equal(pool.query(stored), stored)  # filling: every image comes back
    new = -1 - torch.arange(4000.0).view(4000, 1)  # every image distinct
    out = torch.cat([pool.query(new[i:i + 1]) for i in range(len(new))])
    swapped = out != new
    assert 0.46 < swapped.float().mean().item() < 0.54
    # a swapped-in image is an earlier one: a first-50 image or an earlier new one
    assert bool((out[swapped] > new[swapped]).all())
    assert len(pool.images) == 50
    assert torch.equal(ImagePool(0).query(new[:3]), new[:3])


def test_generator_output_changes_with_the_label_only():
    torch.manual_seed(0)
    g = ResnetGenerator(base_channels=8, num_blocks=2, label_channels=3).eval()
    for block in g.blocks:  # as after training: the label modulation is not zero
        nn.init.normal_(block.modulation.weight, std=0.5)
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    one, two = torch.tensor([[1., 0, 0]]), torch.tensor([[0., 1, 0]])
    assert torch.equal(g(x, one), g(x, one))
    assert (g(x, one) - g(x, two)).abs().max() > 1e-4
    # the label reaches every residual block, not only the input
    assert all(block.conv1[1].in_channels == 32 + 3 for block in g.blocks)
    with pytest.raises(ValueError, match='without labels'):
        g(x)


def test_resize_conv_upsampling_replaces_the_transposed_convs():
    torch.manual_seed(0)
    g = ResnetGenerator(base_channels=8, num_blocks=1, upsample='resize')
    assert not any(isinstance(m, torch.nn.ConvTranspose2d) for m in g.modules())
    assert sum(isinstance(m, torch.nn.Upsample) for m in g.modules()) == 2
    x = torch.rand(2, 3, 24, 40, requires_grad=True)
    y = g(x)
    assert y.shape == x.shape and y.abs().max() <= 1
    y.mean().backward()
    assert x.grad.abs().sum() > 0 and g.encoder[1].weight.grad.abs().sum() > 0
    # the default is the paper's: two stride-2 transposed convs
    assert sum(isinstance(m, torch.nn.ConvTranspose2d)
               for m in ResnetGenerator(base_channels=8, num_blocks=1).modules()) == 2
    with pytest.raises(ValueError, match="upsample='bilinear'"):
        ResnetGenerator(upsample='bilinear')


def test_residual_output_changes_the_input_instead_of_drawing_it_anew():
    torch.manual_seed(0)
    g = ResnetGenerator(base_channels=8, num_blocks=1, output='residual')
    # the same parameters as the paper's output: a checkpoint loads either way
    paper = ResnetGenerator(base_channels=8, num_blocks=1)
    assert g.state_dict().keys() == paper.state_dict().keys()
    x = torch.rand(2, 3, 24, 40) * 2 - 1
    x[0, :, :4] = 1.0                                   # white background at the edge of tanh
    last = g.decoder[-1]
    assert isinstance(last, torch.nn.Conv2d)
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.zeros_(last.bias)
    with torch.no_grad():
        assert (g(x) - x).abs().max() < 1e-3            # f = 0: the input, to 0.999 x
        last.bias.fill_(0.5)                             # f = 0.5 everywhere
        expected = torch.tanh(torch.atanh(0.999 * x) + 0.5)
        assert torch.allclose(g(x), expected, atol=1e-6)
    torch.nn.init.normal_(last.weight, std=0.02)
    x.requires_grad_(True)
    g(x).mean().backward()
    assert x.grad.abs().sum() > 0 and g.encoder[1].weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match=r"in_channels \(4\) must equal out_channels \(3\)"):
        ResnetGenerator(in_channels=4, output='residual')
    with pytest.raises(ValueError, match="output='delta'"):
        ResnetGenerator(output='delta')


def test_landmark_loss_backpropagates_into_the_generator_not_the_regressor():
    torch.manual_seed(0)
    g = ResnetGenerator(base_channels=8, num_blocks=1)
    with pytest.warns(UserWarning, match='untrained'):
        loss_fn = LandmarkLoss(dict(type='LandmarkRegressor', input_size=32, width=0.25))
        loss = loss_fn(g(torch.rand(2, 3, 32, 32)), torch.tensor([FACE, FACE]))
    loss.backward()
    assert loss.item() > 0
    assert sum(p.grad.abs().sum() for p in g.parameters() if p.grad is not None) > 0
    assert all(p.grad is None for p in loss_fn.regressor.parameters())


def test_patches_are_the_windows_around_the_landmarks_even_at_borders():
    h, w = 20, 30
    coords = (torch.arange(h)[:, None] * 100 + torch.arange(w)[None, :]).float()
    images = coords.expand(3, 1, h, w).clone()
    centres = torch.tensor([[10., 12.], [1., 1.], [29., 19.]])
    patches = crop_patches(images, centres, (4, 6))
    assert patches.shape == (3, 1, 4, 6)
    # window top-left = centre - size // 2, shifted to stay inside the image
    for patch, (top, left) in zip(patches, [(10, 7), (0, 0), (16, 24)]):
        assert torch.equal(patch[0], coords[top:top + 4, left:left + 6])
    eyes = part_centres(torch.tensor([FACE]), 'eyes')
    assert [c.tolist() for c in eyes] == [[[10., 12.]], [[22., 12.]]]
    assert part_centres(torch.tensor([FACE]), 'mouth')[0].tolist() == [[16., 24.]]
    with pytest.raises(KeyError, match='unknown face part'):
        part_centres(torch.tensor([FACE]), 'ears')


def test_affine_solver_recovers_a_known_transform_exactly():
    rng = np.random.default_rng(0)
    true = np.array([[1.2, -0.3, 5.0], [0.4, 0.9, -2.0]])
    points = rng.uniform(0, 64, (5, 2))
    moved = points @ true[:, :2].T + true[:, 2]
    assert np.allclose(solve_affine(points, moved), true, atol=1e-9)
    with pytest.raises(ValueError, match='collinear'):
        solve_affine([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 2]])
    with pytest.raises(ValueError, match='at least 3'):
        solve_affine([[0, 0], [1, 1]], [[0, 0], [1, 1]])


def test_align_landmarks_moves_the_face_onto_the_template():
    template = np.array(FACE) / 32
    image = Image.new('RGB', (32, 32), 'white')
    shifted = np.array(FACE) * 0.8 + 3
    sample = dict(target=image, landmarks_b=shifted)
    out = AlignLandmarks(template)(sample, np.random.default_rng(0))
    assert np.allclose(out['landmarks_b'], FACE, atol=1e-4)
    # the source's hair mask (black inside) moves with its face; the fill brings in none
    face = Image.new('RGB', (32, 32), 'white')
    face.paste((0, 0, 0), (8, 2, 24, 10))                  # "hair" drawn on the face
    mask = Image.new('L', (32, 32), 255)
    mask.paste(0, (8, 2, 24, 10))
    sample = dict(source=face, landmarks_a=shifted, hair_mask_a=mask)
    out = AlignLandmarks(template, keys=('source',))(sample, np.random.default_rng(0))
    dark = np.asarray(out['source'].convert('L')) < 128
    assert dark.sum() > 50 and (dark == (np.asarray(out['hair_mask_a']) < 128)).all()


def write_unpaired(root, n_a=3, n_b=5, size=16):
    for split in ('train', 'test'):
        for domain, n in (('A', n_a), ('B', n_b)):
            (root / f'{split}{domain}').mkdir(parents=True)
            for i in range(n):
                colour = (40 * i, 100 if domain == 'A' else 200, 50)
                image = Image.new('RGB', (size, size), colour)
                # A disc in the middle, off the edges (tests read the corner colour): a
                # flat image would carry nothing through instance norm, which maps every
                # constant channel to zero, so a generator could learn only from rounding.
                ImageDraw.Draw(image).ellipse((size // 4, size // 4, size * 3 // 4 - 1,
                                               size * 3 // 4 - 1), fill=colour[::-1])
                image.save(root / f'{split}{domain}' / f'{i}.png')


def test_unpaired_dataset_draws_b_by_seed_and_reads_celeba_annotations(tmp_path):
    write_unpaired(tmp_path)
    lines = ['3', 'lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x '
             'leftmouth_y rightmouth_x rightmouth_y']
    lines += [f'{i}.png 4 5 11 5 8 8 5 12 11 12' for i in range(3)]
    (tmp_path / 'list_landmarks.txt').write_text('\n'.join(lines))
    (tmp_path / 'lm_B.json').write_text(json.dumps({str(i): FACE for i in range(5)}))
    (tmp_path / 'attr.txt').write_text('5\nBlack_Hair Blond_Hair Male\n' + '\n'.join(
        f'{i}.png {1 if i % 2 else -1} {-1 if i % 2 else 1} 1' for i in range(5)))
    ds = UnpairedImageDataset(
        str(tmp_path), landmark_files=dict(A='list_landmarks.txt', B='lm_B.json'),
        labels=dict(hair=('black', 'blonde')), label_files=dict(B='attr.txt'),
        label_columns=dict(hair=dict(black='Black_Hair', blonde='Blond_Hair')),
        pipeline=[dict(type='RandomFlip', p=1.0), dict(type='ToTensor')])
    assert len(ds) == 3
    first, again = ds[(0, 7)], ds[(0, 7)]
    assert torch.equal(first['target'], again['target'])  # B is drawn from the sample seed
    drawn = {int(ds[(0, s)]['target'][0, 0, 0].add(1).mul(127.5).round()) for s in range(30)}
    assert len(drawn) > 2  # ... independently of A

    # evaluation (no seed): a fixed B per A image, and not every 2nd file of a B
    # twice as long as A (ordered groups, like hair variants, must all show up)
    write_unpaired(tmp_path / 'eval', n_a=3, n_b=6)
    plain = UnpairedImageDataset(str(tmp_path / 'eval'), split='test')
    b_index = [round((plain[i]['target'][0, 0, 0].item() + 1) * 127.5 / 40) for i in range(3)]
    assert b_index == [round((plain[i]['target'][0, 0, 0].item() + 1) * 127.5 / 40)
                       for i in range(3)]
    assert len(set(b_index)) == 3 and {i % 2 for i in b_index} == {0, 1}
    # flipped: x -> 16 - x, and left/right swap
    assert first['landmarks_a'].tolist()[0] == [16 - 11, 5]
    label_b = first['label_b']
    assert label_b.shape == (2,) and label_b.sum() == 1
    with pytest.raises(FileNotFoundError, match='testA'):
        UnpairedImageDataset(str(tmp_path / 'nothing'), split='test')


def test_unpaired_dataset_names_images_without_annotations(tmp_path):
    write_unpaired(tmp_path)
    (tmp_path / 'lm.json').write_text(json.dumps({'0': FACE}))
    with pytest.raises(KeyError, match='have no landmark or label entry'):
        UnpairedImageDataset(str(tmp_path), landmark_files=dict(A='lm.json'))
    ds = UnpairedImageDataset(str(tmp_path), landmark_files=dict(A='lm.json'),
                              require_annotations=True)
    assert len(ds) == 1 and ds.dropped['A'] == 2


def test_unpaired_dataset_repeats_the_sources_a_pattern_names(tmp_path):
    write_unpaired(tmp_path, n_a=3, n_b=5)
    ds = UnpairedImageDataset(str(tmp_path), repeat_sources={'1': 4, '[02]': 1})
    assert sorted(p.stem for p in ds.files['A']) == ['0', '1', '1', '1', '1', '2']
    assert len(ds) == 6 and len(ds.files['B']) == 5     # the targets stay as they are
    # a file two patterns match gets the repeats of both, counted on the listed files
    both = UnpairedImageDataset(str(tmp_path), repeat_sources={'1': 3, '[12]': 2})
    assert sorted(p.stem for p in both.files['A']) == ['0', '1', '1', '1', '1', '2', '2']
    # BtoA: the sources are B's
    assert len(UnpairedImageDataset(str(tmp_path), direction='BtoA',
                                    repeat_sources={'4': 3})) == 7
    with pytest.raises(ValueError, match=r"pattern '9\*' matches no image in .*trainA"):
        UnpairedImageDataset(str(tmp_path), repeat_sources={'9*': 2})
    with pytest.raises(ValueError, match=r"repeat_sources\['1'\]=0 is not a whole number"):
        UnpairedImageDataset(str(tmp_path), repeat_sources={'1': 0})


@pytest.fixture(scope='module')
def emoji_faces(tmp_path_factory):
    from sketchgen.data.emoji import build_emoji_domains
    cache = tmp_path_factory.mktemp('emoji')
    build_emoji_domains(32, 'faces', cache_dir=cache, limit=60, workers=1, verbose=False)
    return cache


def test_emoji_faces_have_recoloured_hair_labels_masks_and_landmarks(emoji_faces):
    from sketchgen.data.emoji import FACE_LABELS, HAIR_COLOURS, EmojiUnpairedDataset
    ds = EmojiUnpairedDataset(32, 'faces', with_labels=True, with_landmarks=True,
                              cache_dir=str(emoji_faces), limit=60)
    counts = ds.counts
    assert counts['trainB'] == 5 * counts['trainA']  # every face in 5 hair colours
    sample = ds[(0, 0)]
    assert sample['label_b'].shape == (sum(len(v) for v in FACE_LABELS.values()),)
    eyes = sample['landmarks_a'][:2]
    assert eyes[0, 0] < eyes[1, 0]  # left eye left of the right eye
    from scipy.ndimage import binary_dilation

    from sketchgen.tools.cartoon_eval import read_colour_label
    # the hair mask is the visible hair: inside it, every face is drawn in its label's
    # colour (up to anti-aliased edges); outside it the five variants are the same
    keys = sorted({p.stem.rsplit('_', 1)[0] for p in ds.files['B']})[:8]
    masks = {k: np.asarray(Image.open(ds.root / 'masksB' / f'{k}.png')) > 127 for k in keys}
    assert sum(m.sum() > 5 for m in masks.values()) >= 6   # a hat may hide all the hair
    outside = total = 0
    for key, mask in masks.items():
        variants = {hair: np.asarray(Image.open(ds.root / 'trainB' / f'{key}_{hair}.png')
                                     .convert('RGB'), np.float32) for hair in HAIR_COLOURS}
        if mask.sum() <= 5:
            continue
        for hair, image in variants.items():   # its mean colour reads as the label
            image = torch.from_numpy(image / 127.5 - 1).permute(2, 0, 1)
            assert read_colour_label(image, torch.from_numpy(mask), HAIR_COLOURS) == hair
        changed = np.ptp(np.stack(list(variants.values())), axis=0).max(-1) > 60
        outside += (changed & ~binary_dilation(mask)).sum()
        total += changed.sum()
    # outside the masks (and their 1 px edges) only slivers under half a pixel change
    assert outside <= 0.05 * total


def tiny_cyclegan_config(root, **model):
    data = dict(type='UnpairedImageDataset', data_root=str(root),
                pipeline=[dict(type='RandomFlip'), dict(type='ToTensor')])
    return Config(dict(
        model=dict(type='CycleGAN', image_size=16, generator=TINY_G,
                   discriminator=dict(TINY_D, n_layers=1), **model),
        train_dataloader=dict(batch_size=2, num_workers=0, dataset=dict(data, split='train')),
        val_dataloader=dict(batch_size=4, dataset=dict(data, split='test')),
        test_dataloader=dict(batch_size=4, dataset=dict(data, split='test')),
        optim_wrapper=dict(
            generators=dict(optimizer=dict(type='Adam', lr=2e-3, betas=(0.5, 0.999))),
            discriminators=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999)))),
        train_cfg=dict(max_iters=60, val_interval=60),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=60),
                           logger=dict(type='LoggerHook', interval=1, progress_bar=False)),
        val_evaluator=[dict(type='L1')], test_evaluator=[dict(type='L1')], seed=0))


def test_tiny_cyclegan_run_lowers_its_cycle_loss_and_translates_both_ways(tmp_path):
    from sketchgen.engine.trainer import Trainer
    from sketchgen.tools import infer, test
    write_unpaired(tmp_path / 'data')
    trainer = Trainer(tiny_cyclegan_config(tmp_path / 'data'), work_dir=tmp_path / 'run')
    trainer.train()
    records = [json.loads(line) for line in (tmp_path / 'run' / 'log.jsonl').read_text()
               .splitlines() if 'loss_cycle_a' in line]
    cycle = [r['loss_cycle_a'] + r['loss_cycle_b'] for r in records]
    assert np.mean(cycle[-10:]) < 0.5 * np.mean(cycle[:10])
    ckpt = tmp_path / 'run' / 'checkpoints' / 'iter_000060'
    for direction in ('AtoB', 'BtoA'):
        assert test.main(['-', str(ckpt), '--direction', direction,
                          '--out', str(tmp_path / direction)]) == 0
        report = json.loads((tmp_path / direction / 'metrics.json').read_text())
        assert report['settings']['direction'] == direction
        assert infer.main(['-', str(ckpt), str(tmp_path / 'data' / 'testB' / '0.png'),
                           '--direction', direction, '--out', str(tmp_path / f'i{direction}')]) == 0
    with pytest.raises(SystemExit, match='--label'):
        infer.main(['-', str(ckpt), str(tmp_path / 'data' / 'testB'), '--label', 'hair',
                    '--out', str(tmp_path / 'x')])


def test_landmark_cyclegan_trains_local_discriminators_only_in_stage_two(emoji_faces):
    torch.manual_seed(0)
    labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'))
    model = MODELS.build(dict(
        type='CycleGAN', image_size=32, generator=TINY_G, discriminator=TINY_D, labels=labels,
        landmark_loss=dict(type='LandmarkLoss', regressor=dict(
            type='LandmarkRegressor', input_size=32, width=0.25)),
        local_discriminators=dict(parts=dict(eyes=dict(size=(8, 8), weight=0.3),
                                             mouth=dict(size=(8, 12))),
                                  discriminator=dict(TINY_D, n_layers=1), heatmap_sigma=3,
                                  start_iter=5)))
    from sketchgen.data.emoji import EmojiUnpairedDataset
    from sketchgen.data.loader import collate
    ds = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True,
                              with_landmarks=True, cache_dir=str(emoji_faces), limit=60)
    batch = collate([ds[(i, i)] for i in range(2)])
    steps = dict(generators=NoStep(), discriminators=NoStep())
    with pytest.warns(UserWarning, match='untrained'):
        stage_one = model.train_step(batch, steps, iteration=4)
    stage_two = model.train_step(batch, steps, iteration=5)
    assert 'loss_g_eyes' not in stage_one and 'loss_landmark' in stage_one
    assert {'loss_g_eyes', 'loss_g_mouth', 'loss_d_eyes', 'loss_d_mouth'} <= set(stage_two)
    # a requested label is honoured by name; a wrong one is named
    out = model.generate(batch['source'], labels=dict(hair='red'))
    assert out.shape == batch['source'].shape
    with pytest.raises(ValueError, match="hair='pink'"):
        model.generate(batch['source'], labels=dict(hair='pink'))
    with pytest.raises(ValueError, match='needs condition labels'):
        model.generate(batch['source'])
    error = interocular_error(torch.tensor([FACE]) + 1, torch.tensor([FACE]))
    assert error.item() == pytest.approx(2 ** 0.5 / 12)


@pytest.mark.filterwarnings('ignore:LandmarkLoss')
def test_cartoon_eval_reports_labels_landmarks_and_both_directions(emoji_faces, tmp_path):
    from sketchgen.engine.trainer import Trainer
    from sketchgen.tools.cartoon_eval import main
    from sketchgen.data.emoji import FACE_LABELS
    labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'), skin=FACE_LABELS['skin'])
    data = dict(type='EmojiUnpairedDataset', image_size=32, subset='faces', labels=labels,
                with_labels=True, with_landmarks=True, cache_dir=str(emoji_faces), limit=60,
                pipeline=[dict(type='ToTensor')])
    cfg = tiny_cyclegan_config(tmp_path, labels=labels, landmark_loss=dict(
        type='LandmarkLoss', regressor=dict(type='LandmarkRegressor', input_size=32,
                                            width=0.25)))
    cfg.model.image_size = 32
    cfg.merge_from_dict(dict(train_dataloader=dict(dataset=dict(data, _delete_=True)),
                             val_dataloader=dict(dataset=dict(data, _delete_=True, split='val')),
                             test_dataloader=dict(dataset=dict(data, _delete_=True,
                                                               split='test')),
                             train_cfg=dict(max_iters=2, val_interval=0),
                             default_hooks=dict(checkpoint=dict(interval=1)),
                             face_template=TEMPLATE))
    Trainer(cfg, work_dir=tmp_path / 'run').train()
    # two checkpoints, as two training seeds would give: each evaluated, then summarised
    assert main(['-', *(str(tmp_path / 'run' / 'checkpoints' / f'iter_00000{i}')
                        for i in (1, 2)), '--out', str(tmp_path / 'eval'),
                 '--device', 'cpu']) == 0
    report = json.loads((tmp_path / 'eval' / 'run1' / 'cartoon_eval.json').read_text())
    first = json.loads((tmp_path / 'eval' / 'run0' / 'cartoon_eval.json').read_text())
    summary = json.loads((tmp_path / 'eval' / 'cartoon_eval_summary.json').read_text())
    accuracy = summary['measures']['hair label accuracy']
    assert accuracy['values'] == [first['label_accuracy']['overall'],
                                  report['label_accuracy']['overall']]
    assert accuracy['mean'] == pytest.approx(np.mean(accuracy['values']))
    assert accuracy['spread'] == pytest.approx(np.std(accuracy['values'], ddof=1))
    assert 'landmark NME, regressor' in summary['measures']
    # the model takes a user's photo: the face is found and aligned onto the template
    from sketchgen.tools.task_cli import task_main
    assert task_main('cartoonise', [str(grace_hopper()), '--photo', '--out',
                                    str(tmp_path / 'cartoon.png'), '--model',
                                    str(tmp_path / 'run' / 'checkpoints' / 'iter_000002'),
                                    '--label', 'hair=red', '--label', 'skin=light']) == 0
    assert Image.open(tmp_path / 'cartoon.png').size == (32, 32)
    skin = report['skin_label_accuracy']
    assert skin['num_faces'] > 0 and set(skin['per_label']) <= set(FACE_LABELS['skin'])
    assert 'skin label accuracy' in summary['measures']
    assert set(report['directions']) == {'AtoB', 'BtoA'}
    assert set(report['per_label']) == set(labels['hair'])
    accuracy = report['label_accuracy']
    assert 0 <= accuracy['overall'] <= 1 and accuracy['num_faces'] > 0
    assert accuracy['real'] == 1.0   # the reading is exact on the real faces
    assert 0 <= accuracy['real_blurred'] <= accuracy['real']
    # per face: the region's size and what each requested label read as, which add up
    faces = accuracy['per_face']
    assert len(faces) == accuracy['num_faces'] and all(f['region_pixels'] > 0
                                                       for f in faces.values())
    for value, rate in accuracy['per_label'].items():
        assert rate == pytest.approx(np.mean([f['read'][value] == value
                                              for f in faces.values()]))
    assert skin['real'] > 0.9
    assert report['landmark_error']['num_images'] == report['directions']['AtoB']['num_samples']
    # the reference points need no model: the same for both checkpoints, same images
    reference = report['reference_AtoB']
    assert reference == first['reference_AtoB'] and set(reference) == {'input', 'real'}
    assert set(reference['input']) == set(report['directions']['AtoB'])
    assert reference['real']['num_samples'] == report['directions']['AtoB']['num_samples']
    assert (tmp_path / 'eval' / 'run1' / 'label_grid.png').is_file()
    assert 'hair label accuracy' in (tmp_path / 'eval' / 'run1' / 'cartoon_eval.md').read_text()
    assert '±' in (tmp_path / 'eval' / 'cartoon_eval_summary.md').read_text()
    # how far the hair label reaches, on real A and on F(b); the real hair region for scale
    reach = report['hair_label_reach']
    assert reach['num_a'] == report['directions']['AtoB']['num_samples']
    assert reach['num_b'] == accuracy['num_faces'] and reach['num_labels'] == 5
    assert all(0 <= reach[k] <= 1 for k in ('real_a', 'cycled_b'))
    assert 0 < reach['real_b'] < 0.5   # the hair, a part of each face
    assert 'pixels the hair label changes, real A (the A -> B use)' in summary['measures']
    # the hair label on real A, read inside the Twemoji faces' own hair
    on_a = report['hair_label_on_real_a']
    assert 0 < on_a['num_faces'] <= on_a['num_a'] == reach['num_a']
    assert on_a['real'] == 1.0   # exact on the real A faces drawn with each colour
    assert 0 <= on_a['real_blurred'] <= 1 and 0 <= on_a['overall'] <= 1
    assert 0 < on_a['hair_share_of_image'] < 0.5 and 0 <= on_a['hair_changed'] <= 1
    assert on_a['changes_inside_hair'] is None or 0 <= on_a['changes_inside_hair'] <= 1
    # every face's read for every requested value, which the accuracy counts
    reads = [(asked, read) for face in on_a['per_face'].values() for asked, read in face.items()]
    assert len(on_a['per_face']) == on_a['num_faces'] and len(reads) == 5 * on_a['num_faces']
    assert on_a['overall'] == pytest.approx(np.mean([asked == read for asked, read in reads]))
    # the A -> B score with the hair painted flat: on the input it needs no model
    painted = report['fid_hair_painted']
    assert painted['input'] == first['fid_hair_painted']['input']
    assert set(painted) == {'input', 'generated'}
    assert set(painted['generated']) == set(report['directions']['AtoB'])
    assert painted['generated']['num_samples'] == report['directions']['AtoB']['num_samples']
    assert "the output with its hair painted the label's colour" in \
        (tmp_path / 'eval' / 'run1' / 'cartoon_eval.md').read_text()
    assert 'hair label accuracy on real A' in summary['measures']


def test_label_span_share_counts_the_pixels_a_label_moves_by_more_than_the_threshold():
    from sketchgen.tools.cartoon_eval import label_span_share
    base = torch.zeros(1, 3, 4, 4)
    moved = base.clone()
    moved[0, 0, 0, :3] = 0.5     # 3 pixels span 0.25 in [0, 1] units: counted
    moved[0, 1, 1, 0] = 0.3      # one spans 0.15: not counted
    share = label_span_share(torch.stack([base, moved, base]))
    assert share.tolist() == [3 / 16]
    assert label_span_share(torch.stack([base, base])).tolist() == [0]


def test_label_classifier_loss_is_the_summed_cross_entropy_per_attribute():
    from sketchgen.models.discriminators import LabelClassifier
    c = LabelClassifier(label_sizes=(2, 3), base_channels=4, num_layers=2)
    logits = torch.tensor([[0., 1., 2., 0., 0.]])
    labels = torch.tensor([[1., 0., 0., 0., 1.]])   # attribute 1: value 0; 2: value 2
    # -log softmax([0, 1])[0] - log softmax([2, 0, 0])[2], by hand
    expected = -(0 - np.log(1 + np.e)) - (0 - np.log(np.e ** 2 + 2))
    assert c.loss(logits, labels).item() == pytest.approx(expected, rel=1e-6)
    assert c(torch.rand(3, 3, 16, 16)).shape == (3, 5)
    with pytest.raises(ValueError, match='label_sizes'):
        LabelClassifier(label_sizes=(1,))


def test_label_classifier_learns_real_labels_and_pushes_the_generator(emoji_faces):
    """C is trained in the discriminators' step on real B; its loss on G(a, l)
    reaches G in the generators' step and leaves C alone there."""
    torch.manual_seed(0)
    labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'))
    model = MODELS.build(dict(
        type='CycleGAN', image_size=32, generator=TINY_G, discriminator=TINY_D, labels=labels,
        label_classifier=dict(type='LabelClassifier', base_channels=8, num_layers=3),
        label_loss_weight=2.0))
    assert 'label_classifier' in model.optimizer_groups()['discriminators']
    from sketchgen.data.emoji import EmojiUnpairedDataset
    from sketchgen.data.loader import collate
    ds = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True,
                              cache_dir=str(emoji_faces), limit=60)
    batch = collate([ds[(i, i)] for i in range(2)])

    class Backward:
        def __init__(self):
            self.classifier_grad, self.generator_grad = [], []

        def update(self, loss):
            model.zero_grad()
            loss.backward()
            self.classifier_grad.append(any(p.grad is not None and p.grad.abs().sum() > 0
                                            for p in model.label_classifier.parameters()))
            self.generator_grad.append(any(p.grad is not None and p.grad.abs().sum() > 0
                                           for p in model.generator.parameters()))

    steps = dict(generators=Backward(), discriminators=Backward())
    log = model.train_step(batch, steps)
    assert log['loss_g_cls'] > 0 and log['loss_d_cls'] > 0
    assert steps['generators'].generator_grad == [True]
    assert steps['generators'].classifier_grad == [False]
    assert steps['discriminators'].classifier_grad == [True]
    assert steps['discriminators'].generator_grad == [False]
    with pytest.raises(ValueError, match='needs condition `labels`'):
        MODELS.build(dict(type='CycleGAN', generator=TINY_G, discriminator=TINY_D,
                          label_classifier=dict(type='LabelClassifier')))


def test_label_swaps_give_the_same_face_with_another_hair_label(emoji_faces):
    from scipy.ndimage import binary_dilation

    from sketchgen.data.emoji import EmojiUnpairedDataset
    labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'))
    ds = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True, label_swaps=True,
                              cache_dir=str(emoji_faces), limit=60,
                              pipeline=[dict(type='RandomFlip'), dict(type='ToTensor')])
    plain = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True,
                                 cache_dir=str(emoji_faces), limit=60)
    mask_dir = ds.root / 'masksB'
    for seed in range(6):
        sample = ds[(seed, seed)]
        face, hair = sample['target_name'].rsplit('_', 1)
        swapped = labels['hair'][int(sample['label_swap'].argmax())]
        assert swapped != hair and sample['label_b'].argmax() == labels['hair'].index(hair)
        # the same face, flipped with the target: outside the hair nothing changes
        mask = torch.from_numpy(np.asarray(Image.open(mask_dir / f'{face}.png')) > 127)
        if not torch.equal(sample['target'], plain[(seed, seed)]['target']):
            mask = mask.flip(-1)   # RandomFlip mirrored both
        difference = (sample['target'] - sample['target_swap']).abs().amax(0)
        outside = ~torch.from_numpy(binary_dilation(mask.numpy()))
        assert (difference[outside] > 0.5).float().mean() < 0.01   # slivers at most
        if mask.sum() > 5:
            assert difference[mask].mean() > 0.3   # and the hair changed
    with pytest.raises(ValueError, match='label_swaps needs with_labels'):
        EmojiUnpairedDataset(32, 'faces', label_swaps=True, cache_dir=str(emoji_faces),
                             limit=60)


def test_swap_targets_change_only_the_swapped_labels():
    from sketchgen.data.emoji import EmojiUnpairedDataset, swap_targets
    names = ['1F466_black', '1F466_red', '1F466-1F3FB_black', '1F466-1F3FB_red',
             '1F468-1F3FB-200D-1F9B0_black', '1F468-1F3FB-200D-1F9B0_red',
             '1F468-1F3FF-200D-1F9B0_black']
    hair = swap_targets(names, ['hair'])
    assert hair['1F466_black'] == ['1F466_red']            # same skin, other hair
    assert hair['1F468-1F3FF-200D-1F9B0_black'] == ['1F468-1F3FF-200D-1F9B0_black']  # alone
    skin = swap_targets(names, ['skin'])
    assert skin['1F466_red'] == ['1F466-1F3FB_red']        # same hair, other skin
    assert skin['1F468-1F3FB-200D-1F9B0_black'] == ['1F468-1F3FF-200D-1F9B0_black']
    both = swap_targets(names, ['hair', 'skin'])
    assert both['1F466_black'] == ['1F466_red', '1F466-1F3FB_black', '1F466-1F3FB_red']
    assert sorted(both['1F468-1F3FF-200D-1F9B0_black']) == [
        '1F468-1F3FB-200D-1F9B0_black', '1F468-1F3FB-200D-1F9B0_red']
    with pytest.raises(ValueError, match=r"names \['eyes'\]"):
        EmojiUnpairedDataset(32, 'faces', with_labels=True, label_swaps=['eyes'])


def test_label_swap_loss_is_l1_to_the_swapped_face_and_trains_the_generators():
    torch.manual_seed(0)
    labels = dict(hair=('black', 'brown', 'blonde'))
    model = MODELS.build(dict(
        type='CycleGAN', image_size=16, generator=TINY_G, discriminator=TINY_D, labels=labels,
        label_swap_loss=dict(type='L1Loss', loss_weight=3.0)))
    eye = torch.eye(3)
    batch = dict(source=torch.rand(2, 3, 16, 16) * 2 - 1, target=torch.rand(2, 3, 16, 16) * 2 - 1,
                 label_b=eye[[0, 1]], target_swap=torch.rand(2, 3, 16, 16) * 2 - 1,
                 label_swap=eye[[2, 0]])
    grads = {}

    class Step:
        def __init__(self, name):
            self.name = name

        def update(self, loss):
            model.zero_grad()
            loss.backward()
            grads[self.name] = {n: any(p.grad is not None and p.grad.abs().sum() > 0
                                       for p in getattr(model, n).parameters())
                                for n in ('generator', 'generator_ba', 'discriminator_b')}

    state = copy.deepcopy(model.state_dict())
    log = model.train_step(batch, dict(generators=Step('g'), discriminators=Step('d')))
    model.load_state_dict(state)   # the loss by hand, from the weights before the step
    with torch.no_grad():
        swapped = model.generator(model.generator_ba(batch['target']), batch['label_swap'])
    assert log['loss_swap'].item() == pytest.approx(
        3.0 * (swapped - batch['target_swap']).abs().mean().item(), rel=1e-5)
    assert grads['g'] == dict(generator=True, generator_ba=True, discriminator_b=False)
    with pytest.raises(KeyError, match='target_swap'):
        model.train_step({k: v for k, v in batch.items() if k != 'target_swap'},
                         dict(generators=Step('g'), discriminators=Step('d')))
    with pytest.raises(ValueError, match='needs condition `labels`'):
        MODELS.build(dict(type='CycleGAN', generator=TINY_G, discriminator=TINY_D,
                          label_swap_loss=dict(type='L1Loss')))


def test_diff_augment_shifts_cuts_out_and_recolours_as_by_hand():
    x = torch.arange(16.).view(1, 1, 4, 4)
    # one pixel down and one left; what moves in is 0
    shifted = [[0., 0., 0., 0.], [1., 2., 3., 0.], [5., 6., 7., 0.], [9., 10., 11., 0.]]
    assert torch.equal(translate(x, torch.tensor([[1, -1]])),
                       torch.tensor(shifted).view(1, 1, 4, 4))
    # a 2 x 2 window centred on (0, 3) keeps only its part inside the image
    kept = cutout(torch.ones(2, 1, 4, 4), torch.tensor([[0, 3], [2, 2]]), (2, 2))
    assert kept[0, 0, 0].tolist() == [1, 1, 0, 0] and kept[0].sum() == 14
    assert kept[1, 0, 1:3, 1:3].sum() == 0 and kept[1].sum() == 12
    rgb = torch.tensor([0.2, 0.4, 0.9]).view(1, 3, 1, 1).expand(1, 3, 2, 2)
    one, zero = torch.ones(1), torch.zeros(1)
    assert torch.allclose(adjust_color(rgb, one * 0.1, one, one), rgb + 0.1)
    grey = adjust_color(rgb, zero, zero, one)   # saturation 0: every channel its pixel mean
    assert torch.allclose(grey, torch.full_like(rgb, 0.5))
    aug = DiffAugment(('color', 'translation', 'cutout'))
    images = torch.rand(3, 3, 16, 16, requires_grad=True)
    out = aug(images)
    out.sum().backward()
    assert out.shape == images.shape and images.grad.abs().sum() > 0
    # each image its own cut-out: 8 x 8 at 16 px, clipped at the borders
    cut = DiffAugment(('cutout',))(images.detach() + 2)
    assert all(16 <= int((cut[i] == 0).all(0).sum()) <= 64 for i in range(3))
    # each image its own shift by at most 16 / 8 = 2 pixels
    moved = DiffAugment(('translation',))(images.detach())
    shifts = [[dy, dx] for dy in range(-2, 3) for dx in range(-2, 3)]
    for i in range(3):
        assert any(torch.equal(translate(images[i:i + 1].detach(), torch.tensor([s])),
                               moved[i:i + 1]) for s in shifts)
    with pytest.raises(ValueError, match='policy'):
        DiffAugment(('translation', 'flip'))
    with pytest.raises(ValueError, match='cutout_ratio'):
        DiffAugment(cutout_ratio=0)


class Mark(nn.Module):
    """A stand-in for DiffAugment that adds 100, so an augmented input is plain to see."""

    def forward(self, x):
        return x + 100


def test_disc_augment_reaches_every_discriminator_input_but_not_the_label_maps():
    labels = dict(hair=('black', 'brown', 'blonde'))
    model = MODELS.build(dict(
        type='CycleGAN', image_size=32, generator=TINY_G, discriminator=TINY_D, labels=labels,
        disc_augment=dict(type='DiffAugment'),
        local_discriminators=dict(parts=dict(eyes=dict(size=(8, 8))),
                                  discriminator=dict(TINY_D, n_layers=1))))
    assert isinstance(model.disc_augment, DiffAugment)
    model.disc_augment = Mark()
    seen = []
    for name in ('discriminator_a', 'discriminator_b', 'discriminator_eyes'):
        getattr(model, name).register_forward_pre_hook(
            lambda net, args, name=name: seen.append((name, args[0].detach().clone())))
    eye = torch.eye(3)
    face = torch.tensor(FACE)
    batch = dict(source=torch.rand(2, 3, 32, 32) * 2 - 1, target=torch.rand(2, 3, 32, 32) * 2 - 1,
                 label_a=eye[[0, 2]], label_b=eye[[1, 0]], landmarks_a=face.expand(2, 5, 2),
                 landmarks_b=face.expand(2, 5, 2))
    model.train_step(batch, dict(generators=NoStep(), discriminators=NoStep()))
    # G's step: D_A, D_B, eyes on fakes; D's step: each on real and fake
    assert sorted(name for name, _ in seen) == sorted(
        ['discriminator_a'] * 3 + ['discriminator_b'] * 3 + ['discriminator_eyes'] * 3)
    for name, inputs in seen:
        assert (inputs[:, :3] > 90).all(), name          # images in [-1, 1], marked
        if name == 'discriminator_b':
            maps = inputs[:, 3:]
            assert ((maps == 0) | (maps == 1)).all()     # label maps untouched
            assert maps.sum(1).eq(1).all()


def test_changed_region_loss_adds_the_mean_error_over_the_pixels_the_label_changes():
    from sketchgen.models.losses import ChangedRegionL1Loss
    reference = torch.zeros(1, 3, 2, 2)
    target = reference.clone()
    target[0, 0, 0, 0] = 1.0            # one pixel changed by the label (above 0.1)
    target[0, 1, 1, 1] = 0.05           # one below the threshold: not "changed"
    pred = target.clone()
    pred[0, :, 0, 0] += 0.3             # error 0.3 at the changed pixel
    pred[0, :, 1, 0] += 0.6             # error 0.6 at an unchanged one
    loss = ChangedRegionL1Loss(loss_weight=2.0, changed_weight=10.0)(pred, target, reference)
    whole = (0.3 + 0.6) / 4             # the plain L1 mean over 4 pixels x 3 channels
    assert loss.item() == pytest.approx(2.0 * (whole + 10.0 * 0.3), rel=1e-6)
    # no changed pixel (the swap drew the face's own label): plain L1
    assert ChangedRegionL1Loss(changed_weight=10.0)(pred, reference, reference).item() == \
        pytest.approx((pred - reference).abs().mean().item(), rel=1e-6)


def test_changed_region_loss_per_image_weighs_small_regions_like_large_ones():
    from sketchgen.models.losses import ChangedRegionL1Loss
    reference = torch.zeros(3, 1, 2, 2)
    target = reference.clone()
    target[0, 0, 0, 0] = 1.0               # image 0: one changed pixel, error 0.3
    target[1, 0, :, 1] = 1.0               # image 1: three changed pixels, error 0.1 each
    target[1, 0, 0, 0] = 1.0
    pred = target.clone()                  # image 2: nothing changed, error 0.2 everywhere
    pred[0, 0, 0, 0] += 0.3
    pred[1, 0, :, 1] += 0.1
    pred[1, 0, 0, 0] += 0.1
    pred[2] += 0.2
    whole = (0.3 + 0.3 + 0.8) / 12
    batch = ChangedRegionL1Loss(changed_weight=10.0)(pred, target, reference)
    assert batch.item() == pytest.approx(whole + 10.0 * (0.3 + 0.3) / 4, rel=1e-5)
    image = ChangedRegionL1Loss(changed_weight=10.0, region_mean='image')(pred, target,
                                                                         reference)
    assert image.item() == pytest.approx(whole + 10.0 * (0.3 + 0.1) / 2, rel=1e-5)
    with pytest.raises(ValueError, match="region_mean='pixel'"):
        ChangedRegionL1Loss(region_mean='pixel')


def test_the_focused_swap_loss_gets_b_as_its_reference():
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='CycleGAN', image_size=16, generator=TINY_G, discriminator=TINY_D,
        labels=dict(hair=('black', 'brown')),
        label_swap_loss=dict(type='ChangedRegionL1Loss', loss_weight=3.0, changed_weight=5.0)))
    eye = torch.eye(2)
    batch = dict(source=torch.rand(2, 3, 16, 16) * 2 - 1, target=torch.rand(2, 3, 16, 16) * 2 - 1,
                 label_b=eye[[0, 1]], target_swap=torch.rand(2, 3, 16, 16) * 2 - 1,
                 label_swap=eye[[1, 0]])

    class Step:
        def update(self, loss):
            pass

    state = copy.deepcopy(model.state_dict())
    log = model.train_step(batch, dict(generators=Step(), discriminators=Step()))
    model.load_state_dict(state)
    with torch.no_grad():
        swapped = model.generator(model.generator_ba(batch['target']), batch['label_swap'])
        expected = model.label_swap_loss(swapped, batch['target_swap'], batch['target'])
    assert log['loss_swap'].item() == pytest.approx(expected.item(), rel=1e-5)
    assert expected.item() > 3.0 * (swapped - batch['target_swap']).abs().mean().item()


def train_tiny(model, dataset, iterations: int, lr: float = 2e-3) -> None:
    """`iterations` CycleGAN steps on batches of 8 of `dataset`, each optimiser group
    with Adam as the configs train them; the model is left in eval mode."""
    from sketchgen.data.loader import collate

    class Step:
        def __init__(self, networks):
            self.optimizer = torch.optim.Adam(
                [p for n in networks for p in getattr(model, n).parameters()], lr=lr,
                betas=(0.5, 0.999))

        def update(self, loss):
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    steps = {group: Step(networks) for group, networks in model.optimizer_groups().items()}
    for iteration in range(iterations):
        model.train_step(collate([dataset[(i % len(dataset), 8 * iteration + i)]
                                  for i in range(8)]), steps, iteration)
    model.eval()


def test_tiny_model_with_label_swaps_changes_the_hair_more_than_the_rest(emoji_faces):
    """After 200 steps of a tiny labelled CycleGAN with the label-swap loss, the hair
    label changes the (visible) hair region of G(F(b), l) several times more than the
    rest of the face."""
    from sketchgen.data.emoji import EmojiUnpairedDataset
    torch.manual_seed(0)
    labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'))
    ds = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True, label_swaps=True,
                              cache_dir=str(emoji_faces), limit=60)
    model = MODELS.build(dict(type='CycleGAN', image_size=32, generator=TINY_G,
                              discriminator=TINY_D, labels=labels,
                              label_swap_loss=dict(type='L1Loss', loss_weight=10.0)))

    train_tiny(model, ds, 200)
    inside, outside = [], []
    for face in sorted({p.stem.rsplit('_', 1)[0] for p in ds.files['B']})[:6]:
        mask = torch.from_numpy(np.asarray(Image.open(ds.root / 'masksB' / f'{face}.png')) > 127)
        if mask.sum() < 5:
            continue
        b = ds.pipeline(dict(target=Image.open(ds.files_b_by_name[f'{face}_black'])),
                        None)['target'][None]
        with torch.no_grad():
            a = model.generator_ba(b)
            outs = torch.stack([model.generate(a, labels=dict(hair=v))[0]
                                for v in labels['hair']])
        spread = (outs.amax(0) - outs.amin(0)).amax(0)   # how far the label moves a pixel
        inside.append(spread[mask].mean())
        outside.append(spread[~mask].mean())
    assert len(inside) >= 3
    assert np.mean(inside) > 3 * np.mean(outside)


def test_region_colour_loss_against_hand_values():
    from sketchgen.models.losses import RegionColourLoss
    pred = torch.tensor([[[[0.5, -1.0], [0.0, 1.0]]] * 3,
                         [[[0.2, 0.2], [0.2, 0.2]]] * 3])          # (2, 3, 2, 2)
    pred[0, 1] += 0.3                                              # channel 1 differs
    region = torch.zeros(2, 1, 2, 2, dtype=torch.bool)
    region[0, 0, 0, :] = True          # image 0: its top row; image 1: no region
    colour = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    # image 0, pixel (0, 0): |0.5| |0.8| |0.5| -> 0.6; pixel (0, 1): |-1| |-0.7| |-1| -> 0.9
    loss = RegionColourLoss(loss_weight=2.0)(pred, region, colour)
    assert loss.item() == pytest.approx(2.0 * (0.6 + 0.9) / 2)   # image 1 adds nothing
    assert RegionColourLoss()(pred, torch.zeros_like(region), colour).item() == 0


def test_region_l1_loss_against_hand_values():
    from sketchgen.models.losses import RegionL1Loss
    pred = torch.zeros(2, 3, 2, 2)
    target = torch.zeros(2, 3, 2, 2)
    target[0, :, 0, 0] = torch.tensor([0.3, 0.6, 0.9])   # image 0, pixel (0, 0): 0.6
    target[0, 0, 1, 1] = 3.0                             # outside the region: ignored
    target[1] = 0.5                                      # image 1: 0.5 everywhere
    region = torch.zeros(2, 1, 2, 2, dtype=torch.bool)
    region[0, 0, 0, :] = True                            # image 0: its top row
    region[1, 0, :, 0] = True                            # image 1: its left column
    loss = RegionL1Loss(loss_weight=2.0)(pred, target, region)
    assert loss.item() == pytest.approx(2.0 * ((0.6 + 0) / 2 + 0.5) / 2)
    assert RegionL1Loss()(pred, target, torch.zeros_like(region)).item() == 0


def test_label_outside_loss_holds_the_rest_of_the_face_to_another_labels_output():
    labels = dict(hair=('black', 'brown', 'red'), skin=('light', 'dark'))
    colours = dict(hair=dict(black='#000000', brown='#6A462F', red='#FF0000'))
    base = dict(type='CycleGAN', image_size=16, generator=TINY_G, discriminator=TINY_D,
                labels=labels, label_outside_loss=dict(type='RegionL1Loss', loss_weight=3.0))
    with pytest.raises(ValueError, match='give label_colours'):
        MODELS.build(base)
    torch.manual_seed(0)
    model = MODELS.build(dict(base, label_colours=colours))
    one_hot = model.random_labels(64)
    other = model.other_value_labels(one_hot, 'hair')
    assert (other[:, :3].argmax(1) != one_hot[:, :3].argmax(1)).all()
    assert torch.equal(other[:, 3:], one_hot[:, 3:]) and torch.equal(other.sum(1), one_hot.sum(1))
    assert set(other[:, :3].argmax(1).tolist()) == {0, 1, 2}

    mask = torch.ones(2, 1, 16, 16)
    mask[:, :, :6] = -1                                   # the hair: the top six rows
    batch = dict(source=torch.rand(2, 3, 16, 16) * 2 - 1, target=torch.rand(2, 3, 16, 16) * 2 - 1,
                 label_b=one_hot[:2], label_a=one_hot[:2], hair_mask_a=mask)
    steps = {group: type('NoStep', (), {'update': lambda self, loss: None})()
             for group in model.optimizer_groups()}
    calls = []

    class RespondToTheLabelEverywhere(torch.nn.Module):
        def __init__(self, generator):
            super().__init__()
            self.generator = generator

        def forward(self, x, labels):
            calls.append(labels)
            return torch.tanh(self.generator(x, labels) + labels[:, :1, None, None])
    model.generator = RespondToTheLabelEverywhere(model.generator)
    log = model.train_step(batch, steps)
    with torch.no_grad():
        fake_b, other_b = (model.generator(batch['source'], labels)   # G(a, l), G(a, l')
                           for labels in (calls[0], calls[-1]))
    outside = (fake_b - other_b).abs().mean(1)[:, 6:].mean()
    assert torch.equal(calls[0], one_hot[:2])
    assert (calls[-1][:, :3].argmax(1) != calls[0][:, :3].argmax(1)).all()
    assert log['loss_hair_outside'].item() == pytest.approx(3.0 * outside.item(), rel=1e-5)
    assert outside > 0.1
    with pytest.raises(KeyError, match='need `hair_mask_a`'):
        model.train_step({k: v for k, v in batch.items() if k != 'hair_mask_a'}, steps)


def _two_faces_with_hair(model_cfg: dict):
    """`model_cfg` built with black and red hair colours, a batch of two faces whose hair
    is the top six rows (image 0) and the three left columns (image 1), and optimiser
    steps that do nothing."""
    torch.manual_seed(0)
    model = MODELS.build(dict(model_cfg, label_colours=dict(hair=dict(black='#000000',
                                                                      red='#FF0000'))))
    mask = torch.ones(2, 1, 16, 16)
    mask[0, :, :6] = -1
    mask[1, :, :, :3] = -1
    one_hot = torch.tensor([[1., 0.], [0., 1.]])
    batch = dict(source=torch.rand(2, 3, 16, 16) * 2 - 1, target=torch.rand(2, 3, 16, 16) * 2 - 1,
                 label_b=one_hot, label_a=one_hot, hair_mask_a=mask)
    steps = {group: type('NoStep', (), {'update': lambda self, loss: None})()
             for group in model.optimizer_groups()}
    return model, batch, steps


def test_cycle_loss_can_leave_the_label_regions_out():
    """With cycle_skips_label_regions, the A cycle loss is the L1 between F(G(a, l)) and a
    over the pixels outside a's hair only (as zero error inside), times its weight."""
    labels = dict(hair=('black', 'red'))
    base = dict(type='CycleGAN', image_size=16, generator=TINY_G, discriminator=TINY_D,
                labels=labels, cycle_loss=dict(type='L1Loss', loss_weight=4.0),
                cycle_skips_label_regions=True)
    with pytest.raises(ValueError, match='cycle_skips_label_regions .* give label_colours'):
        MODELS.build(base)
    model, batch, steps = _two_faces_with_hair(base)
    one_hot, mask = batch['label_a'], batch['hair_mask_a']
    log = model.train_step(batch, steps)
    with torch.no_grad():
        error = (model.generator_ba(model.generator(batch['source'], one_hot))
                 - batch['source']).abs()
    outside = (mask > 0).expand_as(error)
    assert log['loss_cycle_a'].item() == pytest.approx(
        4.0 * (error * outside).sum().item() / error.numel(), rel=1e-5)
    assert log['loss_cycle_a'].item() < 0.9 * 4.0 * error.mean().item()   # the hair is out
    with pytest.raises(KeyError, match='need `hair_mask_a`'):
        model.train_step({k: v for k, v in batch.items() if k != 'hair_mask_a'}, steps)


def test_outside_identity_loss_holds_g_to_its_input_outside_the_hair():
    """loss_idt_a_outside is the weight times the mean over images of the mean over the
    pixels outside a's hair of |G(a, l) - a| (channel mean); the hair adds nothing."""
    labels = dict(hair=('black', 'red'))
    base = dict(type='CycleGAN', image_size=16, generator=TINY_G, discriminator=TINY_D,
                labels=labels, outside_identity_loss=dict(type='RegionL1Loss', loss_weight=4.0))
    with pytest.raises(ValueError, match='outside_identity_loss .* give label_colours'):
        MODELS.build(base)
    model, batch, steps = _two_faces_with_hair(base)
    one_hot, mask, source = batch['label_a'], batch['hair_mask_a'], batch['source']
    log = model.train_step(batch, steps)
    with torch.no_grad():
        error = (model.generator(source, one_hot) - source).abs().mean(1)   # (2, 16, 16)
    expected = (error[0, 6:].mean() + error[1, :, 3:].mean()) / 2
    assert log['loss_idt_a_outside'].item() == pytest.approx(4.0 * expected.item(), rel=1e-5)

    # G that copies its input outside the hair and paints the hair anything: no loss
    class CopyOutsideTheHair(torch.nn.Module):
        def forward(self, x, labels):
            return torch.where(mask < 0, torch.full_like(x, 0.7), x)
    model.generator = CopyOutsideTheHair()
    assert model.train_step(batch, steps)['loss_idt_a_outside'].item() == 0
    with pytest.raises(KeyError, match='need `hair_mask_a`'):
        model.train_step({k: v for k, v in batch.items() if k != 'hair_mask_a'}, steps)


def test_hair_masks_of_the_a_faces_move_with_their_face(emoji_faces):
    from sketchgen.data.emoji import EmojiUnpairedDataset
    flip = [dict(type='RandomFlip'), dict(type='ToTensor')]
    ds = EmojiUnpairedDataset(32, 'faces', with_hair_masks=True, cache_dir=str(emoji_faces),
                              limit=60, pipeline=flip)
    plain = EmojiUnpairedDataset(32, 'faces', cache_dir=str(emoji_faces), limit=60,
                                 pipeline=[dict(type='ToTensor')])
    found = flipped = 0
    for seed in range(8):
        sample = ds[(seed, seed)]
        stored = torch.from_numpy(np.asarray(Image.open(
            ds.root / 'masksA' / f'{sample["name"]}.png')) > 127)
        if not torch.equal(sample['source'], plain[(seed, seed)]['source']):
            stored, flipped = stored.flip(-1), flipped + 1
        assert sample['hair_mask_a'].shape == (1, 32, 32)
        assert torch.equal(sample['hair_mask_a'][0] < 0, stored)   # black (-1) inside
        found += bool(stored.any())
    assert found >= 4 and 0 < flipped < 8
    with pytest.raises(ValueError, match="with_hair_masks gives the A face's hair"):
        EmojiUnpairedDataset(32, 'faces', with_hair_masks=True, direction='BtoA',
                             cache_dir=str(emoji_faces), limit=60)


def test_label_colour_loss_needs_colours_for_every_value_and_the_masks():
    labels = dict(hair=('black', 'red'))
    base = dict(type='CycleGAN', image_size=16, generator=TINY_G, discriminator=TINY_D,
                labels=labels, label_colour_loss=dict(type='RegionColourLoss'))
    with pytest.raises(ValueError, match='needs `label_colours`'):
        MODELS.build(base)
    with pytest.raises(ValueError, match=r"has no colour for \['red'\]"):
        MODELS.build(dict(base, label_colours=dict(hair=dict(black='#000000'))))
    with pytest.raises(ValueError, match='names no attribute'):
        MODELS.build(dict(base, label_colours=dict(eyes=dict(black='#000000'))))
    with pytest.raises(ValueError, match=r"hair.black='#12' is not a colour"):
        MODELS.build(dict(base, label_colours=dict(hair=dict(black='#12', red='#ff0000'))))
    model = MODELS.build(dict(base, label_colours=dict(hair=dict(black='#000000',
                                                                 red='#FF0000'))))
    colours = model.requested_colours(torch.tensor([[0., 1.], [1., 0.]]), 'hair')
    assert torch.allclose(colours, torch.tensor([[1., -1., -1.], [-1., -1., -1.]]))
    batch = dict(source=torch.zeros(1, 3, 16, 16), target=torch.zeros(1, 3, 16, 16),
                 label_b=torch.tensor([[1., 0.]]))
    with pytest.raises(KeyError, match='need `hair_mask_a`'):
        model.train_step(batch, {})


def test_tiny_model_with_the_label_colour_loss_recolours_the_hair_of_real_a(emoji_faces):
    """After 150 steps of a tiny labelled CycleGAN with the region colour loss, the hair
    label recolours the hair of real A faces: read inside each face's Twemoji hair mask
    it is the requested label well above chance, and it moves those pixels more than
    twice as much as the rest of the face."""
    from sketchgen.data.emoji import HAIR_COLOURS, EmojiUnpairedDataset
    from sketchgen.tools.cartoon_eval import read_colour_label
    torch.manual_seed(0)
    labels = dict(hair=tuple(HAIR_COLOURS))
    ds = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True,
                              with_hair_masks=True, cache_dir=str(emoji_faces), limit=60,
                              pipeline=[dict(type='RandomFlip'), dict(type='ToTensor')])
    model = MODELS.build(dict(type='CycleGAN', image_size=32, generator=TINY_G,
                              discriminator=TINY_D, labels=labels,
                              label_colour_loss=dict(type='RegionColourLoss', loss_weight=10.0),
                              label_colours=dict(hair=HAIR_COLOURS)))

    train_tiny(model, ds, 150)
    test = EmojiUnpairedDataset(32, 'faces', labels=labels, with_labels=True,
                                with_hair_masks=True, cache_dir=str(emoji_faces), limit=60,
                                pipeline=[dict(type='ToTensor')])
    hits, reads, inside, outside = 0, 0, [], []
    for index in range(len(test)):
        sample = test[index]
        mask = sample['hair_mask_a'][0] < 0
        if mask.sum() < 5:
            continue
        with torch.no_grad():
            outs = torch.stack([model.generate(sample['source'][None],
                                               labels=dict(hair=v))[0] for v in labels['hair']])
        hits += sum(read_colour_label(out, mask, HAIR_COLOURS) == v
                    for out, v in zip(outs, labels['hair']))
        reads += len(labels['hair'])
        spread = (outs.amax(0) - outs.amin(0)).amax(0)
        inside.append(spread[mask].mean())
        outside.append(spread[~mask].mean())
    assert reads >= 5 * 10
    assert hits / reads > 0.6   # chance 0.2 (0.85 when written)
    assert np.mean(inside) > 2 * np.mean(outside)   # 3.6x when written; ~1 untaught


def test_hair_reading_takes_a_hand_coloured_red_hair_as_red():
    from sketchgen.data.emoji import HAIR_COLOURS
    from sketchgen.tools.cartoon_eval import read_colour_label
    image = torch.full((3, 16, 16), 0.8)                 # a light face ...
    mask = torch.zeros(16, 16, dtype=torch.bool)
    mask[:5] = True                                      # ... with hair on top
    red = torch.tensor([0xD2, 0x2F, 0x27]) / 127.5 - 1   # OpenMoji's red, a little off
    image[:, :5] = (red + torch.tensor([0.05, -0.04, 0.03]))[:, None, None]
    assert read_colour_label(image, mask, HAIR_COLOURS) == 'red'
    image[:, :5] = -0.9                                  # painted black
    assert read_colour_label(image, mask, HAIR_COLOURS) == 'black'
    assert read_colour_label(image, ~mask, HAIR_COLOURS) == 'grey'   # the face is no hair


def test_hair_painting_sets_the_hair_pixels_to_each_images_label_colour():
    from sketchgen.tools.cartoon_eval import paint_hair
    images = torch.linspace(-1, 1, 2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    hair = torch.zeros(2, 1, 4, 4, dtype=torch.bool)
    hair[0, 0, 0] = True                                  # image 0: the top row
    hair[1, 0, :, 3] = True                               # image 1: the right column
    colours = torch.tensor([[-1.0, -1.0, -1.0], [0.5, -0.5, 0.25]])   # black, red
    # two skin columns first, then the two hair values: image 0 asks red, image 1 black
    labels = torch.tensor([[1, 0, 0, 1], [0, 1, 1, 0]], dtype=torch.float)
    painted = paint_hair(images, hair, labels, offset=2, colours=colours)
    assert painted[0, :, 0].tolist() == [[0.5] * 4, [-0.5] * 4, [0.25] * 4]
    assert painted[1, :, :, 3].tolist() == [[-1.0] * 4] * 3
    outside = ~hair.expand_as(images)
    assert torch.equal(painted[outside], images[outside])   # the rest is untouched


def test_twemoji_hair_is_told_apart_from_clothes_of_the_same_colour():
    from sketchgen.data.emoji import HAIR_COLOURS, twemoji_hair_mask_svg, twemoji_hair_shapes
    from sketchgen.data.openmoji import render_svg
    from sketchgen.tools.cartoon_eval import read_colour_label

    def drawing(hair, skin, clothes='#292F33'):   # hair, then a face over it, then clothes
        return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">'
                f'<path fill="{hair}" d="M0 0h8v4H0z"/>'
                f'<g fill="{skin}"><rect x="2" y="2" width="4" height="4"/></g>'
                f'<rect fill="{clothes}" y="6" width="8" height="2"/></svg>')
    svgs = {'1F469': drawing('#FFAC33', '#FFDC5D'),          # yellow: orange hair
            '1F469-1F3FB': drawing('#292F33', '#F7DECE'),    # light: dark hair, dark clothes
            '1F469-1F3FF': drawing('#0B0200', '#7C533E'),
            '1F9D1-200D-1F9B0': drawing('#E95F28', '#FFDC5D'),   # red hair, its own colour
            '1F9D1-200D-1F9B0-1F3FB': drawing('#E95F28', '#F7DECE', clothes='#55ACEE')}
    shapes = twemoji_hair_shapes(svgs)
    # the light tone's clothes have its hair's colour, but keep it in every tone
    assert shapes == {key: [0] for key in svgs}
    lone = twemoji_hair_shapes({'1F469-1F3FB': svgs['1F469-1F3FB']})
    assert lone == {'1F469-1F3FB': []}   # without its other tones it cannot be told
    mask = np.asarray(render_svg(twemoji_hair_mask_svg(svgs['1F469-1F3FB'], [0]), 8)
                      .convert('L')) < 128
    expected = np.zeros((8, 8), bool)
    expected[:4] = True
    expected[2:4, 2:6] = False   # the face drawn over the hair hides it
    assert (mask == expected).all()
    red = render_svg(twemoji_hair_mask_svg(svgs['1F469'], [0], colour='#D22F27'), 8)
    image = torch.from_numpy(np.asarray(red.convert('RGB'), np.float32) / 127.5 - 1)
    assert read_colour_label(image.permute(2, 0, 1), torch.from_numpy(mask),
                             HAIR_COLOURS) == 'red'


def test_visible_group_mask_leaves_out_what_later_groups_draw_over_it():
    from sketchgen.data.emoji import visible_group_mask_svg
    from sketchgen.data.openmoji import render_svg
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">'
           '<g id="color"><rect width="8" height="8" fill="#00ff00"/></g>'
           '<g id="hair"><rect width="8" height="4" fill="#ff0000"/></g>'
           '<g id="skin" fill="none"><g><rect x="2" width="4" height="8" fill="#eeaa88"/>'
           '<rect x="6" width="2" height="8"/></g></g>'   # inherits fill none
           '<g id="line"><rect x="0" y="3" width="2" height="1"/></g></svg>')
    mask = np.asarray(render_svg(visible_group_mask_svg(svg, 'hair'), 8).convert('L')) < 128
    want = np.zeros((8, 8), bool)
    want[:3, :2] = want[:4, 6:] = True   # hair, less the skin rect, the line on row 3
    assert (mask == want).all()
    with pytest.raises(ValueError, match="'beard'"):
        visible_group_mask_svg(svg, 'beard')


def test_skin_masks_and_palette_come_from_the_openmoji_skin_groups():
    from sketchgen.tools.cartoon_eval import skin_masks_and_palette
    masks, palette = skin_masks_and_palette(['1F468', '1F468-1F3FB', '1F469-1F3FD'], 32)
    assert palette == {'yellow': '#fcea2b', 'light': '#fadcbc', 'medium': '#c19a65'}
    assert set(masks) == {'1F468', '1F468-1F3FB', '1F469-1F3FD'}
    for mask in masks.values():   # the face inside its line art (thick at 32 px)
        assert mask.shape == (32, 32) and 0.03 < mask.float().mean() < 0.6


def test_similarity_recovers_a_rotation_scale_and_shift_exactly():
    from sketchgen.data.geometry import solve_similarity
    angle, scale = np.radians(30), 1.5
    m = np.array([[scale * np.cos(angle), -scale * np.sin(angle), 4.0],
                  [scale * np.sin(angle), scale * np.cos(angle), -2.0]])
    points = np.array(FACE)
    mapped = np.hstack([points, np.ones((5, 1))]) @ m.T
    assert np.allclose(solve_similarity(points, mapped), m)
    with pytest.raises(ValueError, match='coincide'):
        solve_similarity(np.ones((5, 2)), mapped)


def test_mtcnn_finds_the_face_in_a_photo_and_aligns_it_onto_the_template():
    from sketchgen.data.face_detection import (FaceNotFoundError, align_face,
                                               detect_face_landmarks, face_from_photo)
    from sketchgen.data.geometry import solve_similarity
    photo = Image.open(grace_hopper())
    points = detect_face_landmarks(photo)
    # by eye on the 512 x 600 photo: eyes at about (222, 192) and (310, 186), nose
    # (269, 239), mouth corners (233, 280) and (307, 276)
    expected = np.array([[222, 192], [310, 186], [269, 239], [233, 280], [307, 276]])
    assert np.abs(points - expected).max() < 12
    size = 64
    face = align_face(photo, points, TEMPLATE, size)
    assert face.size == (size, size) and np.asarray(face).std() > 20
    moved = np.hstack([points, np.ones((5, 1))]) @ solve_similarity(
        points, np.array(TEMPLATE) * size).T
    assert np.abs(moved[:2] - np.array(TEMPLATE[:2]) * size).max() < 4   # eyes in place
    with pytest.raises(FaceNotFoundError, match='blank.png: no face found'):
        face_from_photo(Image.new('RGB', (128, 128), 'white'), TEMPLATE, size, 'blank.png')


def test_the_landmark_loss_loads_its_regressor_by_zoo_name_from_any_folder(tmp_path,
                                                                          monkeypatch):
    from safetensors.torch import load_file

    from sketchgen import zoo
    from sketchgen.config import load_config
    from sketchgen.models.losses.landmark_loss import load_regressor_weights
    monkeypatch.chdir(tmp_path)   # no work_dirs/ here: the packaged file is used
    name = load_config(str(ROOT / 'configs/cyclegan/cyclegan-landmark_resnet-6blocks-ngf32_'
                                  '1xb4-4k_emoji-faces-64px.py')).model.landmark_loss.checkpoint
    assert zoo.is_zoo_name(name)
    net = MODELS.build(dict(type='LandmarkRegressor', input_size=64, width=0.5))
    load_regressor_weights(net, name)
    stored = load_file(str(zoo.download(name)))
    assert all(torch.equal(v, stored[f'regressor.{k}'].float())
               for k, v in net.state_dict().items())
    with pytest.raises(FileNotFoundError, match='packaged one'):
        load_regressor_weights(net, 'work_dirs/no-such-regressor')


def test_the_landmark_loss_names_its_regressor_by_the_config_that_trains_it(tmp_path,
                                                                           monkeypatch):
    # The photo -> cartoon config names its regressor by config; from a folder where it
    # is not trained yet the loss says how to train it, once trained it loads the newest.
    from safetensors.torch import load_file

    from sketchgen.checkpoint import save_checkpoint
    from sketchgen.config import load_config
    from sketchgen.models.losses.landmark_loss import load_regressor_weights
    from sketchgen.tools import run
    monkeypatch.chdir(tmp_path)
    celeba = load_config(str(ROOT / 'configs/cyclegan/cyclegan-landmark_resnet-9blocks_'
                                    '1xb1-100k_celeba2cartoonset-128px.py'))
    name = celeba.model.landmark_loss.checkpoint
    assert name.startswith('sketchgen::') and load_config(name).model.type == 'LandmarkRegression'
    net = MODELS.build(dict(type='LandmarkRegressor', input_size=128))
    with pytest.raises(FileNotFoundError, match=r'not trained yet .*python tools/train.py '
                       r'sketchgen::cyclegan/landmark-regressor_cnn_1xb32-20k'):
        load_regressor_weights(net, name)
    # the command it names trains R on CelebA's layout (landmarks of A only) ...
    data = tmp_path / 'celeba'
    write_unpaired(data, n_a=4, n_b=2, size=32)
    (data / 'list_landmarks_align_celeba.txt').write_text('4\nlefteye_x ...\n' + '\n'.join(
        f'{i}.png 10 12 22 12 16 18 11 25 21 25' for i in range(4)))
    assert run('train', [name, '--cfg-options', f'data_root={data}', 'train_cfg.max_iters=2',
                         'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0']) == 0
    # ... where the loss then finds it, from this folder
    load_regressor_weights(net, name)
    trained = load_file(str(tmp_path / 'work_dirs/landmark-regressor_cnn_1xb32-20k_celeba2'
                            'cartoonset-128px/checkpoints/iter_000002/model.safetensors'))
    assert all(torch.equal(v, trained[f'regressor.{k}']) for k, v in net.state_dict().items())

    config = 'sketchgen::cyclegan/landmark-regressor_cnn-w0.5_1xb32-2k_emoji-faces-64px.py'
    trained = []
    for iteration in (1000, 2000):   # the newest one is taken
        model = MODELS.build(load_config(config).model)
        save_checkpoint(tmp_path / 'work_dirs/landmark-regressor_cnn-w0.5_1xb32-2k_emoji-faces-'
                        f'64px/checkpoints/iter_{iteration:06d}', model, {}, iteration)
        trained.append(model.regressor.state_dict())
    small = MODELS.build(dict(type='LandmarkRegressor', input_size=64, width=0.5))
    load_regressor_weights(small, config)
    assert all(torch.equal(v, trained[1][k]) for k, v in small.state_dict().items())
    assert not all(torch.equal(v, trained[0][k]) for k, v in small.state_dict().items())
    with pytest.raises(FileNotFoundError, match='mistyped.py: .* does not exist'):
        load_regressor_weights(small, 'configs/cyclegan/mistyped.py')
    # the named config is never run: it only names the work dir
    (tmp_path / 'boom.py').write_text("raise SystemExit('executed')\n")
    with pytest.raises(FileNotFoundError, match='not trained yet'):
        load_regressor_weights(small, str(tmp_path / 'boom.py'))


def test_cartoon_eval_reads_landmarks_with_the_trained_regressor_of_a_generator_only_model(
        tmp_path):
    # A generator-only file (the zoo's) carries no R: the evaluation must load R from the
    # loss's checkpoint, not read G(a) with the loss's untrained R.
    from safetensors.torch import save_file

    from sketchgen.tools.cartoon_eval import landmark_error_regressor
    regressor = dict(type='LandmarkRegressor', input_size=16, width=0.25)
    trained = MODELS.build(regressor)
    save_file({f'regressor.{k}': v.contiguous() for k, v in trained.state_dict().items()},
              str(tmp_path / 'regressor.safetensors'))
    cfg = tiny_cyclegan_config(tmp_path, landmark_loss=dict(
        type='LandmarkLoss', regressor=regressor,
        checkpoint=str(tmp_path / 'regressor.safetensors')))
    model = MODELS.build(cfg.model)
    model.cfg = cfg
    assert not model.landmark_loss.weights_loaded   # as after loading G-only weights
    net = landmark_error_regressor(model)
    assert all(torch.equal(v, trained.state_dict()[k]) for k, v in net.state_dict().items())
    # --regressor names another R, which is the one used; a model without a loss needs one
    other = MODELS.build(regressor)
    save_file({f'regressor.{k}': v.contiguous() for k, v in other.state_dict().items()},
              str(tmp_path / 'other.safetensors'))
    named = landmark_error_regressor(model, str(tmp_path / 'other.safetensors'))
    assert all(torch.equal(v, other.state_dict()[k]) for k, v in named.state_dict().items())
    assert any(not torch.equal(v, trained.state_dict()[k]) for k, v in other.state_dict().items())
    bare = MODELS.build(tiny_cyclegan_config(tmp_path).model)
    with pytest.raises(SystemExit, match='--regressor'):
        landmark_error_regressor(bare)


def test_benchmark_compares_a_label_model_with_its_labels(emoji_faces, tmp_path, capsys):
    # The benchmark's one-image inference takes the sample's condition labels from the
    # batch (`generate_batch`); a label model asked without them refuses to run.
    from sketchgen.tools import run
    labels = dict(hair=('black', 'brown', 'blonde', 'red', 'grey'))
    data = dict(type='EmojiUnpairedDataset', image_size=32, subset='faces', labels=labels,
                with_labels=True, cache_dir=str(emoji_faces), limit=20,
                pipeline=[dict(type='ToTensor')])
    cfg = tiny_cyclegan_config(tmp_path, labels=labels)
    cfg.model.image_size = 32
    cfg.merge_from_dict(dict(
        train_dataloader=dict(dataset=dict(data, _delete_=True)),
        val_dataloader=dict(dataset=dict(data, _delete_=True, split='val')),
        test_dataloader=dict(dataset=dict(data, _delete_=True, split='val'))))
    config = tmp_path / 'label_cyclegan.py'
    cfg.dump(str(config))
    out = tmp_path / 'bench.json'
    assert run('benchmark', [str(config), '--compare', '--iters', '1', '--warmup', '1',
                             '--repeats', '1', '--variants', 'fp32-cl',
                             '--json', str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [v['variant'] for v in figures['variants']] == ['fp32', 'fp32-cl']
    assert all(v['infer_latency_s'] > 0 for v in figures['variants'])
    assert figures['infer_flops'] > 0 and '| fp32-cl |' in capsys.readouterr().out


def test_every_cyclegan_config_trains_channels_last_with_winograd_convs():
    # Measured faster for each of them on CPU (docs/benchmarks.md); their instance norms
    # keep the layout and give NCHW's gradients (tests/test_fast_path.py), and the
    # Winograd convolutions compute conv2d (tests/test_winograd.py).
    from sketchgen.config import load_config
    configs = sorted((ROOT / 'configs' / 'cyclegan').glob('cyclegan*.py'))
    assert len(configs) > 10
    for path in configs:
        cfg = load_config(str(path))
        assert cfg.get('channels_last') is True and cfg.get('winograd_convs') is True, path.name


def test_winograd_switch_reaches_a_training_cyclegan_and_computes_the_same_steps(
        tmp_path, monkeypatch):
    from sketchgen import fast_path
    from sketchgen.engine.trainer import Trainer
    # The tiny generator's residual convolutions are 32 wide on 4x4 maps: low enough
    # thresholds put them on the Winograd route.
    monkeypatch.setattr(fast_path.winograd_convs, '__defaults__', (16, 1))
    write_unpaired(tmp_path / 'data')
    cfg = tiny_cyclegan_config(tmp_path / 'data')
    cfg.train_cfg = dict(max_iters=4, val_interval=4)
    losses = {}
    for switch in (False, True):
        trainer = Trainer(cfg, work_dir=tmp_path / str(switch), winograd_convs=switch)
        rerouted = [m for m in trainer.model.modules() if hasattr(m, 'forward_before_winograd')]
        assert len(rerouted) == (2 * 2 * TINY_G['num_blocks'] if switch else 0)
        trainer.train()
        log = (tmp_path / str(switch) / 'log.jsonl').read_text().splitlines()
        losses[switch] = [json.loads(line)['loss_cycle_a'] for line in log
                          if 'loss_cycle_a' in line]
        options = json.loads((tmp_path / str(switch) / 'training_options.json').read_text())
        assert options['winograd_convs'] is switch
    # The same first steps to rounding; later, Adam's normalised updates (lr 2e-3) let
    # the ~1e-5 differences grow, as any change of summation order would.
    assert len(losses[True]) == 4
    assert np.allclose(losses[True][:2], losses[False][:2], rtol=1e-4)
    assert losses[True][0] != losses[True][1] and losses[True][-1] < 0.5 * losses[True][0]
    # The evaluation and inference tools take the same switch.
    from sketchgen.apis import init_model
    from sketchgen.tools import test
    ckpt = tmp_path / 'True' / 'checkpoints' / 'iter_000004'
    assert sum(hasattr(m, 'forward_before_winograd') for m in init_model(
        None, ckpt, winograd_convs=True).modules()) == 2 * 2 * TINY_G['num_blocks']
    reports = {}
    for switch in (False, True):
        out = tmp_path / f'test-{switch}'
        assert test.main(['-', str(ckpt), '--out', str(out)]
                         + ['--winograd-convs'] * switch) == 0
        reports[switch] = json.loads((out / 'metrics.json').read_text())
    assert reports[True]['settings']['winograd_convs'] is True
    assert reports[True]['metrics']['L1'] == pytest.approx(reports[False]['metrics']['L1'],
                                                           rel=1e-4)
