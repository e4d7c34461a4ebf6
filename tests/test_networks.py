"""U-Net and PatchGAN: shapes, depth rules, receptive field, initialisation."""
import pytest
import torch

from sketchgen.models.discriminators import PatchDiscriminator
from sketchgen.models.generators import UnetGenerator
from sketchgen.models.init import init_weights
from sketchgen.models.layers import InstanceNorm2d, SubPixelConvTranspose2d


@pytest.mark.parametrize('size,levels', [(32, 5), (64, 6), (128, 7), (256, 8)])
def test_unet_depth_follows_image_size_and_keeps_shape(size, levels):
    net = UnetGenerator(image_size=size, base_channels=4)
    assert net.num_downs == levels
    out = net(torch.randn(2, 3, size, size))
    assert out.shape == (2, 3, size, size)
    assert out.abs().max() <= 1.0  # tanh output


def test_unet_is_fully_convolutional_at_multiples_of_its_stride():
    net = UnetGenerator(image_size=32, base_channels=4)
    assert net(torch.randn(1, 3, 64, 96)).shape == (1, 3, 64, 96)
    with pytest.raises(ValueError, match='not divisible by the network stride 32'):
        net(torch.randn(1, 3, 48, 48))


def test_unet_rejects_depth_that_does_not_fit_the_size():
    with pytest.raises(ValueError, match='num_downs=8 halves a 64px image'):
        UnetGenerator(image_size=64, num_downs=8)
    with pytest.raises(ValueError, match='power of two'):
        UnetGenerator(image_size=100)


def test_unet_dropout_sits_on_three_decoder_levels_of_unet_256():
    net = UnetGenerator(image_size=256, base_channels=2)
    assert sum(isinstance(m, torch.nn.Dropout) for m in net.modules()) == 3


def test_unet_uses_conv_bias_only_without_batch_norm():
    bn = UnetGenerator(image_size=32, base_channels=4, norm='batch')
    inorm = UnetGenerator(image_size=32, base_channels=4, norm='instance')
    inner_bn = [m for m in bn.modules() if isinstance(m, torch.nn.Conv2d)][1]
    inner_in = [m for m in inorm.modules() if isinstance(m, torch.nn.Conv2d)][1]
    assert inner_bn.bias is None and inner_in.bias is not None


def test_patchgan_70px_receptive_field_and_30x30_map():
    d = PatchDiscriminator(in_channels=6, base_channels=8, n_layers=3)
    assert d.receptive_field == 70
    assert d(torch.randn(1, 6, 256, 256)).shape == (1, 1, 30, 30)


@pytest.mark.parametrize('n_layers,field', [(0, 1), (1, 16), (2, 34), (3, 70), (4, 142)])
def test_patchgan_receptive_field_per_depth(n_layers, field):
    assert PatchDiscriminator(base_channels=4, n_layers=n_layers).receptive_field == field


def test_patchgan_receptive_field_is_real():
    """Logit (0, 0) sees input pixels [-23, 47): 70 of them (padding shifts the window).
    Changing pixel 46 moves it; changing everything from 47 on does not."""
    d = PatchDiscriminator(in_channels=3, base_channels=4, n_layers=3, norm='none').eval()
    x = torch.randn(1, 3, 128, 128)
    y = x.clone()
    y[..., 47:, :] += 5.0
    y[..., :, 47:] += 5.0
    assert torch.equal(d(x)[..., 0, 0], d(y)[..., 0, 0])
    z = x.clone()
    z[..., 46, 46] += 5.0
    assert not torch.equal(d(x)[..., 0, 0], d(z)[..., 0, 0])


def test_normal_init_matches_pix2pix():
    torch.manual_seed(0)
    net = init_weights(UnetGenerator(image_size=64, base_channels=16), 'normal', 0.02)
    convs = torch.cat([m.weight.flatten() for m in net.modules()
                       if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))])
    assert abs(convs.std().item() - 0.02) < 1e-3 and abs(convs.mean().item()) < 1e-3
    bn = torch.cat([m.weight for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)])
    assert abs(bn.mean().item() - 1.0) < 5e-3


@pytest.mark.parametrize('kernel, stride, padding, output_padding', [
    (4, 2, 1, 0),   # the U-Net's and the simplification net's upsampling
    (3, 2, 1, 1),   # the ResNet generator's
    (5, 3, 1, 0), (3, 1, 1, 0)])
def test_subpixel_form_computes_the_transposed_convolution(kernel, stride, padding,
                                                            output_padding):
    torch.manual_seed(0)
    deconv = torch.nn.ConvTranspose2d(5, 3, kernel, stride, padding, output_padding)
    sub = SubPixelConvTranspose2d(deconv)
    assert sub.weight.shape[0] == 3 * stride ** 2 and not list(sub.parameters())
    x = torch.randn(2, 5, 7, 6)
    torch.testing.assert_close(sub(x), deconv(x), atol=1e-5, rtol=0)


def test_subpixel_form_of_a_4x4_kernel_puts_each_tap_in_its_phase():
    deconv = torch.nn.ConvTranspose2d(1, 1, 4, 2, 1, bias=False)
    with torch.no_grad():
        deconv.weight.copy_(torch.arange(1., 17.).view(1, 1, 4, 4))   # tap (ky, kx): 4ky+kx+1
    kernel = SubPixelConvTranspose2d(deconv).weight[:, 0]       # (phases, 3, 3)
    # Output row 2m (phase 0) reads input rows m-1 and m through kernel rows 3 and 1;
    # row 2m+1 reads rows m and m+1 through kernel rows 2 and 0 (and so for columns).
    assert kernel[0].tolist() == [[16, 14, 0], [8, 6, 0], [0, 0, 0]]
    assert kernel[3].tolist() == [[0, 0, 0], [0, 11, 9], [0, 3, 1]]


@pytest.mark.parametrize('deconv, reason', [
    (torch.nn.ConvTranspose2d(4, 4, 4, 2, 0), 'not exactly stride'),
    (torch.nn.ConvTranspose2d(4, 4, 4, 2, 1, groups=2), 'groups'),
    (torch.nn.ConvTranspose2d(4, 4, 3, (2, 1), 1), 'differs between height and width')])
def test_subpixel_form_refuses_a_layer_it_cannot_compute(deconv, reason):
    with pytest.raises(ValueError, match=reason):
        SubPixelConvTranspose2d(deconv)


@pytest.mark.parametrize('batch', [1, 3])
@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('affine', [False, True])
def test_instance_norm_computes_torchs_instance_norm_and_keeps_the_layout(
        batch, channels_last, affine):
    torch.manual_seed(0)
    ours = InstanceNorm2d(5, affine=affine)
    reference = torch.nn.InstanceNorm2d(5, affine=affine)
    if affine:
        with torch.no_grad():
            ours.weight.uniform_(0.5, 1.5)
            ours.bias.uniform_(-1, 1)
        reference.load_state_dict(ours.state_dict())
    assert ours.state_dict().keys() == reference.state_dict().keys()
    x = torch.randn(batch, 5, 6, 7) * 3 + 2
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    # The reference runs NCHW: torch's own instance norm gets the input gradient of one
    # channels_last sample wrong (see tests/test_fast_path.py).
    x_ours, x_ref = x.clone().requires_grad_(), x.contiguous().requires_grad_()
    y = ours(x_ours)
    expected = reference(x_ref)
    # By hand for one channel of one sample: mean and biased variance over H x W.
    plane = x[-1, 2]
    by_hand = (plane - plane.mean()) / torch.sqrt(plane.var(unbiased=False) + 1e-5)
    if affine:
        by_hand = by_hand * ours.weight[2] + ours.bias[2]
    assert torch.allclose(y[-1, 2], by_hand, atol=1e-5)
    assert torch.allclose(y, expected, atol=1e-5)
    assert y.is_contiguous(memory_format=torch.channels_last) == channels_last
    upstream = torch.randn_like(y)
    (y * upstream).sum().backward()
    (expected * upstream.contiguous()).sum().backward()
    assert torch.allclose(x_ours.grad, x_ref.grad, atol=1e-4)
    if affine:
        assert torch.allclose(ours.weight.grad, reference.weight.grad, atol=1e-4)
        assert torch.allclose(ours.bias.grad, reference.bias.grad, atol=1e-4)


def test_instance_norm_with_running_stats_keeps_torchs_path():
    ours = InstanceNorm2d(4, track_running_stats=True)
    ours(torch.randn(2, 4, 5, 5) + 3)
    # group_norm has no running statistics: only torch's own path updates them.
    assert ours.running_mean.abs().min() > 0.1
