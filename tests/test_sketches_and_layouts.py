"""XDoG/Canny sketch extraction, tools/make_sketches.py, and the real data set
layouts (Kaggle anime pairs, pix2pix folders, Hugging Face datasets)."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from sketchgen import cli
from sketchgen.data.sketch import XDOG_PRESETS, canny, xdog
from sketchgen.registry import DATASETS


def disc_image(size=64):
    """A red disc with a blue square on white: edges at known places."""
    img = Image.new('RGB', (size, size), 'white')
    draw = ImageDraw.Draw(img)
    draw.ellipse((12, 12, 52, 52), fill=(200, 60, 40))
    draw.rectangle((28, 28, 36, 36), fill=(30, 30, 160))
    return img


@pytest.mark.parametrize('preset', sorted(XDOG_PRESETS))
def test_xdog_draws_dark_lines_on_white(preset):
    sketch = np.asarray(xdog(disc_image(), preset)).astype(float) / 255
    assert sketch.shape == (64, 64) and 0 <= sketch.min() and sketch.max() <= 1
    assert sketch[:6, :6].min() == 1.0  # white background stays white
    assert sketch[20, 32] == 1.0  # inside the flat disc: white
    edge_band = sketch[32, 10:16]  # the disc's left edge at x = 12
    assert edge_band.min() < 0.1
    assert (sketch < 0.5).mean() < 0.3  # lines, not fills


def test_xdog_and_canny_take_batches_tensors_and_arrays():
    batch = torch.stack([torch.from_numpy(np.asarray(disc_image(), dtype=np.float32) / 255)
                         .permute(2, 0, 1)] * 2)
    out = xdog(batch, 'anime')
    assert out.shape == (2, 1, 64, 64) and torch.equal(out[0], out[1])
    array = np.asarray(disc_image())
    assert np.array_equal(xdog(array, 'anime'), np.asarray(xdog(disc_image(), 'anime')))
    edges = canny(batch[0])
    assert edges.shape == (1, 64, 64)
    assert edges[0, :6, :6].min() == 1 and edges[0, 32, 10:16].min() == 0
    with pytest.raises(ValueError, match='preset'):
        xdog(disc_image(), 'manga')


def test_make_sketches_writes_aligned_and_folder_pairs(tmp_path, capsys):
    src = tmp_path / 'colour'
    (src / 'sub').mkdir(parents=True)
    disc_image().save(src / 'a.png')
    disc_image().save(src / 'sub' / 'b.jpg')
    (src / 'broken.png').write_bytes(b'not a png')
    assert cli.main(['make_sketches', str(src), str(tmp_path / 'aligned'), '--size', '32']) == 0
    summary = capsys.readouterr().out
    assert '2 pairs written' in summary and 'broken.png' in summary
    pair = Image.open(tmp_path / 'aligned' / 'sub_b.png')
    assert pair.size == (64, 32)
    data = DATASETS.build(dict(type='PairedImageDataset', data_root=str(tmp_path / 'aligned'),
                               split=None, layout='aligned'))
    assert len(data) == 2 and data[0]['source'].shape == (3, 32, 32)
    assert cli.main(['make_sketches', str(src), str(tmp_path / 'folders'), '--layout',
                     'folders', '--method', 'canny']) == 0
    data = DATASETS.build(dict(type='PairedImageDataset', data_root=str(tmp_path / 'folders'),
                               split=None, layout='folders'))
    assert [s['name'] for s in data.samples] == ['a', 'sub_b']


def test_colour_folder_trains_pix2pix_through_extract_sketch(tmp_path):
    for i in range(3):
        disc_image(32).rotate(30 * i).save(tmp_path / f'{i}.png')
    data = DATASETS.build(dict(type='ColourImageDataset', data_root=str(tmp_path),
                               pipeline=[dict(type='ExtractSketch', preset='anime'),
                                         dict(type='ToTensor')]))
    sample = data[(0, 0)]
    assert sample['source'].shape == sample['target'].shape == (3, 32, 32)
    expected = np.asarray(xdog(disc_image(32), 'anime'), dtype=np.float32) / 255 * 2 - 1
    assert np.allclose(sample['source'][0].numpy(), expected, atol=1e-6)
    with pytest.raises(ValueError, match='preset'):
        DATASETS.build(dict(type='ColourImageDataset', data_root=str(tmp_path),
                            pipeline=[dict(type='ExtractSketch', preset='nope')]))


def test_kaggle_anime_layout_colour_left_sketch_right(tmp_path):
    colour, sketch = disc_image(32), Image.new('RGB', (32, 32), 'white')
    (tmp_path / 'train').mkdir()
    pair = Image.new('RGB', (64, 32))
    pair.paste(colour, (0, 0))
    pair.paste(sketch, (32, 0))
    pair.save(tmp_path / 'train' / '1001.png')
    from sketchgen.config import load_config
    cfg = load_config('configs/pix2pix/pix2pix_unet_1xb16-100e_anime-256px.py')
    dataset_cfg = dict(cfg.train_dataloader.dataset, data_root=str(tmp_path),
                       pipeline=[dict(type='ToTensor')])
    sample = DATASETS.build(dataset_cfg)[0]
    assert sample['source'].min() == 1.0  # the white sketch half is the source
    assert torch.allclose(sample['target'][:, 0, 0], torch.ones(3))
    assert sample['target'][0, 24, 24] == pytest.approx(200 / 255 * 2 - 1, abs=1e-6)


def test_hugging_face_parquet_adapter(tmp_path):
    datasets = pytest.importorskip('datasets')
    rows = dict(sketch=[], colour=[], id=[])
    for i in range(3):
        rows['sketch'].append(Image.new('RGB', (16, 16), 'white'))
        rows['colour'].append(disc_image(16))
        rows['id'].append(f'img{i}')
    features = datasets.Features(sketch=datasets.Image(), colour=datasets.Image(),
                                 id=datasets.Value('string'))
    datasets.Dataset.from_dict(rows, features=features).to_parquet(tmp_path / 'train.parquet')
    cfg = dict(type='HFPairedDataset', path='parquet',
               data_files=dict(train=str(tmp_path / 'train.parquet')), split='train',
               source_column='sketch', target_column='colour', name_column='id')
    data = DATASETS.build(cfg)
    sample = data[(1, 0)]
    assert len(data) == 3 and sample['name'] == 'img1'
    assert sample['source'].shape == (3, 16, 16) and sample['source'].min() == 1.0
    with pytest.raises(KeyError, match="its columns are"):
        DATASETS.build(dict(cfg, source_column='line_art'))
