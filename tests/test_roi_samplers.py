"""RoI samplers: masks have the shapes, values, areas and orientations their
parameters say, and a seed repeats them."""
import math

import numpy as np
import pytest
import torch

from sketchgen.data.roi_samplers import (EllipseRoISampler, FreeFormRoISampler,
                                         GaussianMixtureRoISampler, RectangleRoISampler,
                                         sample_masks)
from sketchgen.registry import ROI_SAMPLERS

ALL = ['RectangleRoISampler', 'EllipseRoISampler', 'GaussianMixtureRoISampler',
       'FreeFormRoISampler']


@pytest.mark.parametrize('name', ALL)
def test_masks_are_binary_nonempty_and_repeat_for_a_seed(name):
    masks = sample_masks(dict(type=name), 20, (48, 64), seed=3)
    assert masks.shape == (20, 1, 48, 64) and masks.dtype == torch.float32
    assert set(masks.unique().tolist()) <= {0.0, 1.0}
    assert (masks.flatten(1).sum(1) > 0).all()
    assert torch.equal(masks, sample_masks(dict(type=name), 20, (48, 64), seed=3))
    assert not torch.equal(masks, sample_masks(dict(type=name), 20, (48, 64), seed=4))


def test_rectangles_are_filled_boxes_a_ninth_of_the_image_on_average():
    masks = sample_masks(RectangleRoISampler(), 600, 64, seed=0)[:, 0]
    for mask in masks[:50]:
        ys, xs = torch.nonzero(mask, as_tuple=True)
        box = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        assert bool(box.all())
    # E|a - b| for two uniform draws is a third of the side, per axis
    assert 0.09 < float(masks.mean()) < 0.14


def _ellipse_draw(rng, height, width, rho_max, low, high):
    """The sampler's draws, in its order."""
    centre = rng.normal([height / 2, width / 2], [math.sqrt(height), math.sqrt(width)])
    rho = rng.uniform(-rho_max, rho_max)
    return centre, rho, rng.uniform(width * low, width * high), rng.uniform(height * low,
                                                                           height * high)


def test_ellipses_have_the_area_and_orientation_of_their_gaussian():
    size, checked = 96, 0
    for seed in range(60):
        mask = EllipseRoISampler()(size, size, np.random.default_rng(seed))
        centre, rho, sigma_x, sigma_y = _ellipse_draw(np.random.default_rng(seed), size, size,
                                                      0.8, 1 / 5, 1 / 3)
        # half-max level set: Mahalanobis radius² = 2 ln 2, area 2 ln 2 · π σx σy √(1-ρ²)
        area = 2 * math.log(2) * math.pi * sigma_x * sigma_y * math.sqrt(1 - rho ** 2)
        ys, xs = np.nonzero(mask)
        if ys.min() == 0 or xs.min() == 0 or ys.max() == size - 1 or xs.max() == size - 1:
            continue  # clipped by the border
        checked += 1
        assert mask.sum() == pytest.approx(area, rel=0.06)
        # the region's pixel covariance has the Gaussian's correlation
        correlation = np.corrcoef(xs, ys)[0, 1]
        assert correlation == pytest.approx(rho, abs=0.06)
    assert checked >= 20


def test_one_component_mixture_is_the_half_max_ellipse():
    sampler = GaussianMixtureRoISampler(n_components=1, rho=0.9)
    size, checked = 96, 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        mask = sampler(size, size, rng)
        rng = np.random.default_rng(seed)
        rng.uniform(-1, 1, 1)  # the mixture weights
        centre, rho, sigma_x, sigma_y = _ellipse_draw(rng, size, size, 0.9, 1 / 10, 1 / 6)
        ys, xs = np.nonzero(mask)
        inside = 0 < centre[0] < size and 0 < centre[1] < size
        if not inside or ys.min() == 0 or xs.min() == 0 or max(ys.max(), xs.max()) == size - 1:
            continue
        checked += 1
        area = 2 * math.log(2) * math.pi * sigma_x * sigma_y * math.sqrt(1 - rho ** 2)
        assert mask.sum() == pytest.approx(area, rel=0.08)
    assert checked >= 15
    # more components: the mask is the union of several blobs, larger on average
    few = sample_masks(GaussianMixtureRoISampler(n_components=1), 100, 64).mean()
    many = sample_masks(GaussianMixtureRoISampler(n_components=15), 100, 64).mean()
    assert many > few


def test_brush_width_scales_with_the_image_size():
    small = sample_masks(FreeFormRoISampler(), 200, 64, seed=0).mean()
    large = sample_masks(FreeFormRoISampler(), 200, 256, seed=0).mean()
    assert 0.05 < float(small) < 0.5
    assert float(large) == pytest.approx(float(small), rel=0.35)


def test_choice_and_union_combine_samplers():
    first_only = ROI_SAMPLERS.build(dict(type='RandomChoiceRoISampler', weights=[1, 0],
                                         samplers=[dict(type='RectangleRoISampler'),
                                                   dict(type='EllipseRoISampler')]))
    for mask in sample_masks(first_only, 20, 32, seed=1)[:, 0]:  # weight 0: never an ellipse
        ys, xs = torch.nonzero(mask, as_tuple=True)
        assert bool(mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].all())
    union = ROI_SAMPLERS.build(dict(type='UnionRoISampler', samplers=[
        dict(type='RectangleRoISampler'), dict(type='EllipseRoISampler')]))
    rng = np.random.default_rng(0)
    mask = union(32, 32, rng)
    rng = np.random.default_rng(0)
    parts = RectangleRoISampler()(32, 32, rng), EllipseRoISampler()(32, 32, rng)
    assert (mask == np.maximum(*parts)).all()
    with pytest.raises(ValueError, match='one non-negative number per sampler'):
        ROI_SAMPLERS.build(dict(type='RandomChoiceRoISampler', weights=[1],
                                samplers=[dict(type='RectangleRoISampler')] * 2))


def test_mask_dataset_fixes_evaluation_masks_and_blanks_the_source(tiny_pairs):
    from sketchgen.data import RoIMaskDataset
    image_set = dict(type='PairedImageDataset', data_root=str(tiny_pairs), layout='folders',
                     split='train', pipeline=[dict(type='ToTensor')])
    fixed = RoIMaskDataset(image_set, dict(type='EllipseRoISampler'), fixed_masks=True)
    sample = fixed[2]
    assert torch.equal(sample['mask'], fixed[2]['mask'])
    assert sample['mask'].shape == (1, 32, 32)
    inside = sample['mask'].bool().expand(3, -1, -1)
    assert (sample['source'][inside] == 0).all()
    assert torch.equal(sample['source'][~inside], sample['target'][~inside])
    training = RoIMaskDataset(image_set, dict(type='EllipseRoISampler'))
    assert torch.equal(training[(2, 7)]['mask'], training[(2, 7)]['mask'])
    assert not torch.equal(training[(2, 7)]['mask'], training[(2, 8)]['mask'])


def test_show_rois_draws_a_grid(tmp_path, capsys):
    from PIL import Image

    from sketchgen.tools import run
    out = tmp_path / 'grid.png'
    assert run('show_rois', ['EllipseRoISampler', '--num', '9', '--size', '16',
                             '--out', str(out)]) == 0
    assert Image.open(out).size == (3 * 16 + 4 * 2, 3 * 16 + 4 * 2)
    assert 'mean RoI area' in capsys.readouterr().out
    assert run('show_rois', ['EllipseRoISampler', '--out', str(out)]) == 2  # exists
    assert run('show_rois', ['EllipseRoISampler', '--options', 'rho=0.5', 'nope=1', '--out',
                             str(tmp_path / 'b.png')]) == 2
