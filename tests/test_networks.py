"""U-Net and PatchGAN: shapes, depth rules, receptive field, initialisation."""
import pytest
import torch

from sketchgen.models.discriminators import PatchDiscriminator
from sketchgen.models.generators import UnetGenerator
from sketchgen.models.init import init_weights


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
