"""Paired data: layouts, joint transforms, OpenMoji building, and every bad input."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from sketchgen.data import ImageLoadError, PairedImageDataset, load_image
from sketchgen.data.openmoji import OpenMojiPairedDataset, drawing_group, split_of
from sketchgen.data.sampler import ResumableSampler


def save(path, array, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode=mode).save(path)
    return path


def gradient(h, w, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (h, w, 3), dtype=np.uint8)


def test_aligned_layout_splits_left_and_right_and_direction_swaps(tmp_path):
    a, b = np.zeros((8, 8, 3), np.uint8), np.full((8, 8, 3), 255, np.uint8)
    save(tmp_path / 'train' / 'x.png', np.concatenate([a, b], axis=1))
    ab = PairedImageDataset(str(tmp_path), 'train', layout='aligned')[0]
    assert ab['source'].shape == (3, 8, 8)
    assert ab['source'].max() == -1 and ab['target'].min() == 1
    ba = PairedImageDataset(str(tmp_path), 'train', layout='aligned', direction='BtoA')[0]
    assert ba['source'].min() == 1 and ba['target'].max() == -1


def test_joint_transforms_crop_and_flip_both_images_identically(tmp_path):
    img = gradient(40, 40)
    save(tmp_path / 'A' / 'p.png', img)
    save(tmp_path / 'B' / 'p.png', 255 - img)  # target is a pixel-wise function of source
    ds = PairedImageDataset(str(tmp_path), None, layout='folders', pipeline=[
        dict(type='Resize', size=36), dict(type='RandomCrop', size=32),
        dict(type='RandomFlip', p=0.5), dict(type='ToTensor')])
    for seed in range(6):
        s = ds[(0, seed)]
        assert torch.allclose(s['source'], -s['target'], atol=1e-5)
    # the same seed gives the same augmentation; another seed another crop
    assert torch.equal(ds[(0, 3)]['source'], ds[(0, 3)]['source'])
    assert not all(torch.equal(ds[(0, 0)]['source'], ds[(0, k)]['source']) for k in range(1, 6))


JITTER = [dict(type='Resize', size=36), dict(type='RandomCrop', size=32),
          dict(type='RandomFlip', p=0.5), dict(type='ToTensor')]


def test_the_pipeline_splits_before_its_first_random_transform():
    from sketchgen.data.transforms import Compose
    cached, random = Compose(JITTER).split_deterministic()
    assert [type(t).__name__ for t in cached.transforms] == ['Resize']
    assert [type(t).__name__ for t in random.transforms] == [
        'RandomCrop', 'RandomFlip', 'ToTensor']


def test_a_cached_data_set_decodes_each_file_once_and_gives_the_same_samples(tmp_path):
    for i in range(3):
        img = gradient(40, 40, seed=i)
        save(tmp_path / 'A' / f'p{i}.png', img)
        save(tmp_path / 'B' / f'p{i}.png', 255 - img)
    plain = PairedImageDataset(str(tmp_path), None, layout='folders', pipeline=JITTER)
    cached = PairedImageDataset(str(tmp_path), None, layout='folders', pipeline=JITTER,
                                cache_decoded=True)
    loads = []
    load_sample = cached.load_sample
    cached.load_sample = lambda i: loads.append(i) or load_sample(i)
    for epoch in range(3):
        for i in range(3):
            a, b = plain[(i, 10 * epoch + i)], cached[(i, 10 * epoch + i)]
            assert torch.equal(a['source'], b['source']) and torch.equal(a['target'], b['target'])
    assert sorted(loads) == [0, 1, 2]  # decoded in the first epoch only
    # augmentation still differs between epochs, and the cache keeps the resized images
    assert not torch.equal(cached[(0, 0)]['source'], cached[(0, 1)]['source'])
    assert cached._cache[0]['source'].size == (36, 36)


def test_a_data_set_without_load_sample_cannot_be_made():
    from sketchgen.data.pipeline_dataset import PipelineDataset

    class NoLoader(PipelineDataset):
        def __len__(self):
            return 1
    with pytest.raises(TypeError, match='load_sample'):
        NoLoader(None)


def test_a_cache_too_big_for_memory_is_refused_with_the_fix(tmp_path, monkeypatch):
    import sketchgen.data.pipeline_dataset as pipeline_dataset
    save(tmp_path / 'A' / 'p.png', gradient(40, 40))
    save(tmp_path / 'B' / 'p.png', gradient(40, 40))
    monkeypatch.setattr(pipeline_dataset, 'MAX_CACHE_SHARE', 1e-12)
    ds = PairedImageDataset(str(tmp_path), None, layout='folders', pipeline=JITTER,
                            cache_decoded=True)
    with pytest.raises(MemoryError, match='PairedImageDataset.*cache_decoded=False'):
        ds[(0, 0)]


def test_folders_are_paired_by_name_across_extensions(tmp_path):
    save(tmp_path / 'A' / 'cat.png', gradient(8, 8))
    save(tmp_path / 'B' / 'cat.jpg', gradient(8, 8))
    ds = PairedImageDataset(str(tmp_path), None, layout='folders')
    assert len(ds) == 1 and ds[0]['name'] == 'cat'


def test_unpaired_names_are_listed(tmp_path):
    save(tmp_path / 'A' / 'cat.png', gradient(8, 8))
    save(tmp_path / 'B' / 'dog.png', gradient(8, 8))
    with pytest.raises(FileNotFoundError, match=r"Unpaired files.*\['cat'\].*\['dog'\]"):
        PairedImageDataset(str(tmp_path), None, layout='folders')


def test_empty_folder_names_the_folder(tmp_path):
    (tmp_path / 'train').mkdir()
    with pytest.raises(FileNotFoundError, match=r'train: the folder holds no images'):
        PairedImageDataset(str(tmp_path), 'train')


def test_missing_folder_says_check_data_root(tmp_path):
    with pytest.raises(FileNotFoundError, match='check data_root'):
        PairedImageDataset(str(tmp_path / 'nope'), 'train')


def test_size_mismatch_names_both_files(tmp_path):
    save(tmp_path / 'A' / 'p.png', gradient(8, 8))
    save(tmp_path / 'B' / 'p.png', gradient(8, 10))
    with pytest.raises(ImageLoadError, match=r'A/p.png is 8x8 but its pair .*B/p.png is 10x8'):
        PairedImageDataset(str(tmp_path), None, layout='folders')


def test_odd_width_aligned_image_is_refused(tmp_path):
    save(tmp_path / 'x.png', gradient(8, 9))
    with pytest.raises(ImageLoadError, match='x.png: width 9 is odd'):
        PairedImageDataset(str(tmp_path), None, layout='aligned')


def test_corrupt_image_names_the_file(tmp_path):
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'not an image at all')
    with pytest.raises(ImageLoadError, match='bad.png: cannot decode'):
        load_image(bad)
    with pytest.raises(ImageLoadError, match='bad.png: not a readable image'):
        PairedImageDataset(str(tmp_path), None, layout='aligned')


def test_truncated_image_is_caught_at_load(tmp_path):
    path = save(tmp_path / 'full.png', gradient(64, 64))
    data = path.read_bytes()
    (tmp_path / 'cut.png').write_bytes(data[:len(data) // 2])
    with pytest.raises(ImageLoadError, match='cut.png: cannot decode the image'):
        load_image(tmp_path / 'cut.png')


def test_mode_conversions(tmp_path):
    grey = load_image(save(tmp_path / 'g.png', np.full((4, 4), 80, np.uint8)))
    assert grey.mode == 'RGB' and grey.getpixel((0, 0)) == (80, 80, 80)
    rgba = np.zeros((4, 4, 4), np.uint8)  # fully transparent black -> white
    assert load_image(save(tmp_path / 'a.png', rgba)).getpixel((0, 0)) == (255, 255, 255)
    wide = Image.fromarray(np.full((4, 4), 65535, np.uint16))
    wide.save(tmp_path / 'w.png')
    assert load_image(tmp_path / 'w.png').getpixel((0, 0)) == (255, 255, 255)
    Image.fromarray(np.zeros((4, 4), np.float32), mode='F').save(tmp_path / 'f.tif')
    with pytest.raises(ImageLoadError, match='f.tif: 32-bit float image'):
        load_image(tmp_path / 'f.tif')


def test_flags_are_recognised():
    from sketchgen.data.openmoji import is_flag
    assert is_flag('1F1EC-1F1F7') and is_flag('1F3F4-E0067-E0062-E0065-E006E-E0067-E007F')
    assert not is_flag('1F3F4') and not is_flag('1F600')


def test_variants_share_a_split():
    assert drawing_group('1F468-1F3FD') == '1F468'
    assert drawing_group('1F469-200D-1F9B0') == '1F469'
    for tone in ('1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF'):
        assert split_of(f'1F44B-{tone}') == split_of('1F44B')


def test_openmoji_builder_renders_filters_and_splits(openmoji_cache):
    ds = OpenMojiPairedDataset(32, 'train', cache_dir=str(openmoji_cache), limit=80)
    counts = ds.counts
    assert counts['rendered'] == 80
    kept = counts['train'] + counts['val'] + counts['test']
    assert kept + counts['dropped_trivial_colour'] + counts['dropped_colour_only_shapes'] == 80
    sample = ds[0]
    sketch, target = sample['source'], sample['target']
    assert sketch.shape == target.shape == (3, 32, 32)
    # the sketch is black line art on white: (nearly) grey; the target has colour
    assert (sketch.max(0).values - sketch.min(0).values).max() < 0.1
    assert (target.max(0).values - target.min(0).values).max() > 0.3
    index = json.loads(next(openmoji_cache.rglob('index.json')).read_text())
    for split, names in index['splits'].items():
        assert all(split_of(n) == split for n in names)


def test_sampler_order_depends_only_on_seed_and_position():
    full = ResumableSampler(10, seed=3)
    it = iter(full)
    first_25 = [next(it) for _ in range(25)]
    resumed = iter(ResumableSampler(10, seed=3, start=13))
    assert [next(resumed) for _ in range(12)] == first_25[13:]
    assert sorted(i for i, _ in first_25[:10]) == list(range(10))  # an epoch is a permutation
    ranks = [iter(ResumableSampler(10, seed=3, rank=r, world_size=2)) for r in range(2)]
    shards = [[next(r) for _ in range(5)] for r in ranks]
    assert sorted(shards[0] + shards[1]) == sorted(first_25[:10])


def test_a_non_square_svg_renders_centred_at_the_requested_size():
    from sketchgen.data.openmoji import render_svg
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 18">'
           '<rect width="36" height="18" fill="#000000"/></svg>')
    image = np.asarray(render_svg(svg, 64))
    assert image.shape == (64, 64, 3)
    assert (image[:14] == 255).all() and (image[-14:] == 255).all()   # white bands
    assert (image[18:46] == 0).all()                                   # the drawing, centred
