"""Metrics against independent computations: FID/KID through the whole clean-fid
path (with a tiny local feature network), scipy, scikit-image and hand values;
offline weight handling."""
import hashlib
import shutil

import numpy as np
import pytest
import torch
import torch.nn as nn
from scipy import linalg
from torchvision.utils import save_image

from sketchgen.evaluation import (FID, KID, LPIPS, PSNR, SSIM, EfficientNetLite0,
                                  FeatureNetwork, GramDistance, MissingWeightsError)
from sketchgen.registry import FEATURE_NETWORKS, METRICS
from sketchgen.evaluation.fid import frechet_distance


@FEATURE_NETWORKS.register_module(force=True)
class TinyFeatures(FeatureNetwork):
    """12 features from a fixed random conv net, fed through clean-fid's 299 px resize."""
    short_name = 'Tiny'

    def __init__(self, mode='clean', weights=None, device=None):
        super().__init__(mode, weights, 'cpu')
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Conv2d(3, 8, 5, stride=4), nn.ReLU(),
                                 nn.Conv2d(8, 12, 3, stride=2), nn.AdaptiveAvgPool2d(1),
                                 nn.Flatten()).eval()

    def model_fn(self, batch):
        return self.net(batch / 255)


@pytest.fixture(scope='module')
def images():
    g = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 32), torch.linspace(0, 1, 32), indexing='ij')
    phase = torch.rand(40, 3, 1, 1, generator=g) * 6
    return (0.5 + 0.5 * torch.sin(phase + 4 * xx + 3 * phase * yy)).clamp(0, 1)


def noisy(x, sigma, seed=1):
    g = torch.Generator().manual_seed(seed)
    return (x + sigma * torch.randn(x.shape, generator=g)).clamp(0, 1)


def score(metric, pred, target, batch=16):
    metric.reset()
    for i in range(0, len(pred), batch):
        metric.process(pred[i:i + batch], target[i:i + batch])
    return metric.compute()[metric.name]


def test_fid_of_a_set_with_itself_is_zero_and_grows_with_noise(images):
    fid = FID(feature_network='TinyFeatures')
    assert fid.name == 'FID-Tiny'
    assert abs(score(fid, images, images)) < 1e-6
    values = [score(fid, noisy(images, s), images) for s in (0.02, 0.05, 0.1, 0.2, 0.4)]
    assert all(a < b for a, b in zip(values, values[1:])), values
    assert fid.num_samples == 40


def test_fid_matches_a_direct_scipy_frechet_distance(images):
    fid = FID(feature_network='TinyFeatures')
    value = score(fid, noisy(images, 0.1), images)
    fake, real = fid.features()
    mu1, mu2 = fake.mean(0), real.mean(0)
    s1, s2 = np.cov(fake, rowvar=False), np.cov(real, rowvar=False)
    expected = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    assert value == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_of_two_gaussians_by_hand():
    # |mu1 - mu2|^2 = 25; per axis s1 + s2 - 2 sqrt(s1 s2): 1 + 9 - 6 = 4 and 4 + 1 - 4 = 1.
    value = frechet_distance(np.zeros(2), np.diag([1.0, 4.0]), np.array([3.0, 4.0]),
                             np.diag([9.0, 1.0]))
    assert value == pytest.approx(30.0, rel=1e-9)


def test_frechet_distance_equals_clean_fids_where_clean_fid_runs(images):
    from cleanfid import fid as cleanfid
    metric = FID(feature_network='TinyFeatures')
    score(metric, noisy(images, 0.1), images)
    fake, real = metric.features()
    stats = (fake.mean(0), np.cov(fake, rowvar=False), real.mean(0), np.cov(real, rowvar=False))
    try:
        theirs = cleanfid.frechet_distance(*stats)
    except TypeError as err:  # SciPy >= 1.18 has no sqrtm(disp=...)
        pytest.skip(f'clean-fid cannot compute a Frechet distance with this SciPy: {err}')
    assert frechet_distance(*stats) == pytest.approx(theirs, rel=1e-9)


def test_fid_in_memory_equals_clean_fid_on_the_saved_pngs(images, tmp_path, monkeypatch):
    from cleanfid import fid as cleanfid
    # The feature pipelines are compared here; the distance itself just above.
    monkeypatch.setattr(cleanfid, 'frechet_distance', frechet_distance)
    fake = noisy(images, 0.1)
    for folder, batch in (('fake', fake), ('real', images)):
        (tmp_path / folder).mkdir()
        for i, img in enumerate(batch):
            save_image(img, tmp_path / folder / f'{i:03d}.png')
    metric = FID(feature_network='TinyFeatures')
    ours = score(metric, fake, images)
    theirs = cleanfid.compute_fid(str(tmp_path / 'fake'), str(tmp_path / 'real'), mode='clean',
                                  custom_feat_extractor=metric.network.model_fn,
                                  num_workers=0, batch_size=8, device=torch.device('cpu'),
                                  verbose=False)
    assert ours == pytest.approx(theirs, rel=1e-4)


def test_kid_matches_the_unbiased_polynomial_mmd(images):
    kid = KID(feature_network='TinyFeatures', subset_size=1000)
    value = score(kid, noisy(images, 0.2), images)
    x, y = kid.features()
    n, d = x.shape

    def k(a, b):
        return (a @ b.T / d + 1) ** 3

    within = [(k(a, a).sum() - np.trace(k(a, a))) / (n * (n - 1)) for a in (x, y)]
    expected = sum(within) - 2 * k(x, y).mean()
    # Subsets as large as the set are permutations of it, so every subset agrees.
    assert value == pytest.approx(expected, rel=1e-6)
    # Noise hardly moves 12 pooled features; a darkening moves their mean.
    values = [score(kid, images * (1 - s), images) for s in (0.0, 0.1, 0.2, 0.4)]
    assert all(a < b for a, b in zip(values, values[1:])) and values[-1] > 0, values


def test_kid_is_reproducible_and_leaves_numpy_random_alone(images):
    kid = KID(feature_network='TinyFeatures', subset_size=20, num_subsets=10)
    np.random.seed(123)
    first = score(kid, noisy(images, 0.2), images)
    after = np.random.rand()
    np.random.seed(123)
    assert score(kid, noisy(images, 0.2), images) == first
    assert np.random.rand() == after


def test_fid_and_kid_on_one_batch_embed_it_once(images, monkeypatch):
    fid, kid = FID(feature_network='TinyFeatures'), KID(feature_network='TinyFeatures')
    assert fid.network is kid.network
    calls = []
    original = fid.network.model_fn
    monkeypatch.setattr(fid.network, 'model_fn', lambda b: calls.append(len(b)) or original(b))
    fake = noisy(images[:8], 0.1)
    real = images[:8].clone()
    fid.process(fake, real)
    kid.process(fake, real)
    assert calls == [8, 8]


@pytest.mark.parametrize('kind', ['random', 'structured'])
def test_psnr_and_ssim_match_scikit_image(kind):
    skm = pytest.importorskip('skimage.metrics')
    g = torch.Generator().manual_seed(0)
    if kind == 'random':
        a = torch.rand(3, 3, 40, 36, generator=g)
        b = noisy(a, 0.15)
    else:
        yy, xx = torch.meshgrid(torch.linspace(0, 1, 40), torch.linspace(0, 1, 36),
                                indexing='ij')
        a = torch.stack([xx, yy, (xx - yy).abs()]).expand(3, 3, 40, 36).clone()
        a[1, :, 10:20, 5:30] = 1.0
        b = (a ** 1.4 * 0.95).clamp(0, 1)
    hwc = [(a[i].permute(1, 2, 0).double().numpy(), b[i].permute(1, 2, 0).double().numpy())
           for i in range(3)]
    psnr = np.mean([skm.peak_signal_noise_ratio(y, x, data_range=1.0) for x, y in hwc])
    ssim = np.mean([skm.structural_similarity(x, y, channel_axis=2, data_range=1.0,
                                              gaussian_weights=True, sigma=1.5,
                                              use_sample_covariance=False) for x, y in hwc])
    assert score(PSNR(), a, b) == pytest.approx(psnr, abs=1e-3)
    assert score(SSIM(), a, b) == pytest.approx(ssim, abs=1e-3)
    assert score(SSIM(), a, a) == pytest.approx(1.0, abs=1e-6)


def test_gram_distance_hand_value():
    pred = torch.zeros(1, 3, 1, 2)
    pred[0, 0, 0, 0] = pred[0, 1, 0, 1] = 1.0  # pixels red and green
    # G = F Fᵀ / (c h w) = diag(1, 1, 0) / 6 against the zero Gram of a black image:
    # two entries of 1/6 among 9, so the mean squared difference is 2 / 36 / 9.
    assert score(GramDistance(), pred, torch.zeros_like(pred)) == pytest.approx(2 / 324)
    assert score(GramDistance(), pred, pred) == 0


def test_per_image_metrics_state_their_direction_and_settings():
    assert PSNR.better == SSIM.better == 'greater'
    assert GramDistance.better == LPIPS.better == FID.better == KID.better == 'less'
    assert PSNR().settings()['data_range'] == 1.0


@pytest.mark.parametrize('cfg, filename', [
    (dict(type='FID'), 'inception-2015-12-05.pt'),
    (dict(type='KID', mode='legacy_pytorch'), 'pt_inception-2015-12-05-6726825d.pth'),
    (dict(type='LPIPS'), 'alexnet-owt-7be5be79.pth'),
    (dict(type='LPIPS', net='vgg'), 'vgg16-397923af.pth'),
])
def test_missing_weights_name_the_file_and_both_ways_to_provide_it(offline, cfg, filename):
    with pytest.raises(MissingWeightsError) as info:
        METRICS.build(cfg)
    message = str(info.value)
    assert filename in message
    assert 'SKETCHGEN_WEIGHTS_DIR' in message and "weights='/path/to/" in message
    assert str(offline / 'weights' / filename) in message  # where it looked


def test_a_weights_path_that_does_not_exist_is_named(offline):
    with pytest.raises(MissingWeightsError, match='does not exist'):
        METRICS.build(dict(type='FID', weights=str(offline / 'nope.pt')))


def test_efflite0_proxy_is_named_apart_from_inception_fid(offline, images):
    fid = METRICS.build(dict(type='FID-EffLite0'))
    kid = METRICS.build(dict(type='KID-EffLite0'))
    assert (fid.name, kid.name) == ('FID-EffLite0', 'KID-EffLite0')
    assert fid.network.extract(images[:3]).shape == (3, 1280)
    info = fid.settings()['feature_network']
    expected = hashlib.sha256(fid.network.weights_path.read_bytes()).hexdigest()
    assert info['sha256'] == expected and info['name'] == 'EfficientNetLite0'


def test_efflite0_weights_load_from_the_weights_dir_first(offline):
    weights = offline / 'weights'
    weights.mkdir()
    shutil.copy(EfficientNetLite0(device='cpu').weights_path, weights)
    assert EfficientNetLite0(device='cpu').weights_path == weights / EfficientNetLite0.FILENAME


def test_lpips_backbone_loads_from_a_local_file(offline):
    import torchvision
    torch.manual_seed(0)
    alexnet = torchvision.models.alexnet()
    weights = offline / 'weights'
    weights.mkdir()
    features = {k: v for k, v in alexnet.state_dict().items() if k.startswith('features.')}
    torch.save(features, weights / 'alexnet-owt-7be5be79.pth')
    metric = LPIPS(device='cpu')
    loaded = {name: m for part in metric.model.net.children()
              for name, m in part.named_children()}
    for index, layer in enumerate(alexnet.features):
        if isinstance(layer, nn.Conv2d):
            assert torch.equal(loaded[str(index)].weight, layer.weight)
    g = torch.Generator().manual_seed(0)
    a = torch.rand(2, 3, 32, 32, generator=g)
    assert score(metric, a, a) == pytest.approx(0, abs=1e-6)
    assert score(metric, a, noisy(a, 0.3)) > 0
    assert metric.settings()['backbone_sha256'] == hashlib.sha256(
        (weights / 'alexnet-owt-7be5be79.pth').read_bytes()).hexdigest()
