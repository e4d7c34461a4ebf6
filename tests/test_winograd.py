"""Winograd F(4x4, 3x3) convolutions (sketchgen.models.winograd) compute conv2d and its
gradients, keep the memory format, and the `winograd_convs` switch reroutes exactly the
layers it names and falls back everywhere else. Nothing here is timed."""
import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from sketchgen import fast_path
from sketchgen.models.generators import ResnetGenerator
from sketchgen.models.winograd import winograd_conv2d

# The transforms' coefficients (up to 64 in the output transform) cost fp32 about 1e-5
# of the output's largest value; the direct convolution's error is ~3e-7.
WINOGRAD_TOLERANCE = 1e-4


def relative_error(got: torch.Tensor, expected: torch.Tensor) -> float:
    return ((got.double() - expected.double()).abs().max() / expected.abs().max()).item()


@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('size,padding', [((10, 14), (0, 0)), ((8, 8), (1, 1)),
                                          ((7, 13), (1, 0)), ((5, 5), (0, 0))])
def test_winograd_conv2d_is_conv2d_with_its_gradients(size, padding, channels_last):
    """Maps whose output is not a multiple of 4 are padded and cropped."""
    torch.manual_seed(0)
    x = torch.randn(2, 5, *size)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_()
    weight = torch.randn(6, 5, 3, 3, requires_grad=True)
    bias = torch.randn(6, requires_grad=True)
    y = winograd_conv2d(x, weight, bias, padding)
    x64, weight64, bias64 = (t.detach().double().requires_grad_() for t in (x, weight, bias))
    expected = F.conv2d(x64, weight64, bias64, padding=padding)
    assert y.shape == expected.shape and y.dtype == torch.float32
    assert relative_error(y, expected) < WINOGRAD_TOLERANCE
    assert y.is_contiguous(memory_format=torch.channels_last if channels_last
                           else torch.contiguous_format)
    grad_y = torch.randn_like(expected)
    got = torch.autograd.grad(y, (x, weight, bias), grad_y.float())
    want = torch.autograd.grad(expected, (x64, weight64, bias64), grad_y)
    for name, g, w in zip(('input', 'weight', 'bias'), got, want):
        assert g.shape == w.shape and relative_error(g, w) < WINOGRAD_TOLERANCE, name


def test_winograd_conv2d_keeps_only_its_input_and_weight_for_the_backward_pass():
    """Not the transformed input (2.25x the input): 1.8 GB more at CycleGAN 256 px."""
    x = torch.randn(1, 4, 10, 10, requires_grad=True)
    weight = torch.randn(4, 4, 3, 3, requires_grad=True)
    saved = winograd_conv2d(x, weight).grad_fn.saved_tensors
    assert [t.shape for t in saved] == [x.shape, weight.shape]


def test_winograd_conv2d_gradients_pass_gradcheck_in_float64():
    torch.manual_seed(0)
    x = torch.randn(1, 3, 6, 10, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(2, 3, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: winograd_conv2d(a, b, padding=(1, 1)),
                                    (x, weight))


def test_winograd_conv2d_reads_a_strided_slice_and_an_expanded_gradient():
    """A view with a storage offset goes in as it is (its output needs no padding), and
    `y.sum()` sends back a gradient whose strides are all zero."""
    torch.manual_seed(0)
    x = torch.randn(3, 6, 20, 20, dtype=torch.float64)[1:, 1:5, 2:12, 3:17].requires_grad_()
    weight = torch.randn(4, 4, 3, 3, dtype=torch.float64, requires_grad=True)
    y, expected = winograd_conv2d(x, weight), F.conv2d(x, weight)
    assert relative_error(y, expected) < 1e-12
    for got, want in zip(torch.autograd.grad(y.sum(), (x, weight)),
                         torch.autograd.grad(expected.sum(), (x, weight))):
        assert relative_error(got, want) < 1e-12


def test_winograd_conv2d_refuses_other_kernels():
    with pytest.raises(ValueError, match=r'3x3 weight, got input \(1, 2, 8, 8\) and weight '
                                         r'\(2, 2, 5, 5\)'):
        winograd_conv2d(torch.rand(1, 2, 8, 8), torch.rand(2, 2, 5, 5))


def test_winograd_convs_reroute_only_wide_3x3_stride_1_convolutions():
    net = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 3, stride=2),
                        nn.Conv2d(8, 8, 5, padding=2), nn.Conv2d(8, 4, 3),
                        nn.Conv2d(8, 8, 3, groups=2), nn.Conv2d(8, 8, 3, padding_mode='reflect'))
    state = copy.deepcopy(net.state_dict())
    fast_path.winograd_convs(net, min_channels=8)
    assert [hasattr(m, 'forward_before_winograd') for m in net] == [
        True, False, False, False, False, False]
    assert net.state_dict().keys() == state.keys()
    fast_path.winograd_convs(net, min_channels=8)   # a second call wraps nothing twice
    assert net[0].forward_before_winograd.__func__ is nn.Conv2d.forward


def test_winograd_convs_fall_back_on_small_maps_bf16_autocast_and_tracing():
    torch.manual_seed(0)
    conv = fast_path.winograd_convs(nn.Conv2d(8, 8, 3, padding=1), min_channels=8,
                                    min_pixels=128)
    plain_calls, plain_forward = [], conv.forward_before_winograd
    conv.forward_before_winograd = lambda x: plain_calls.append(tuple(map(int, x.shape))) or \
        plain_forward(x)
    x = torch.randn(2, 8, 8, 8)
    assert relative_error(conv(x), plain_forward(x)) < WINOGRAD_TOLERANCE   # 128 positions
    assert plain_calls == []
    conv(torch.randn(1, 8, 8, 8))                                            # 64 positions
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert conv(x).dtype == torch.bfloat16
    graph = str(torch.jit.trace(conv, x, check_trace=False).graph)
    assert plain_calls == [(1, 8, 8, 8), (2, 8, 8, 8), (2, 8, 8, 8)]
    assert 'aten::_convolution' in graph and 'as_strided' not in graph


def test_winograd_convs_leave_small_maps_to_small_convs_as_matmul():
    conv = nn.Conv2d(8, 8, 3, padding=1)
    fast_path.small_convs_as_matmul(conv, max_pixels=64)
    fast_path.winograd_convs(conv, min_channels=8, min_pixels=65)
    x = torch.randn(1, 8, 8, 8)
    calls = []
    conv.forward_before_winograd = (lambda forward: lambda x: calls.append('before')
                                    or forward(x))(conv.forward_before_winograd)
    assert relative_error(conv(x), nn.Conv2d.forward(conv, x)) < 1e-5
    conv(torch.randn(2, 8, 8, 8))
    assert calls == ['before']


@pytest.mark.parametrize('channels_last', [False, True])
def test_winograd_resnet_generator_matches_its_plain_twin(channels_last):
    torch.manual_seed(0)
    net = ResnetGenerator(3, 3, base_channels=4, num_blocks=2)
    fast = fast_path.winograd_convs(copy.deepcopy(net), min_channels=16, min_pixels=1)
    rerouted = [m for m in fast.modules() if hasattr(m, 'forward_before_winograd')]
    assert len(rerouted) == 4          # the residual blocks' convolutions, 16 channels wide
    x = torch.randn(2, 3, 32, 32)
    if channels_last:
        net, fast = fast_path.channels_last(net), fast_path.channels_last(fast)
        x = x.contiguous(memory_format=torch.channels_last)
    expected, got = net(x), fast(x)
    assert relative_error(got, expected) < WINOGRAD_TOLERANCE
    expected.square().mean().backward()
    got.square().mean().backward()
    # Biases before an instance norm get zero gradients, up to rounding: the scale is
    # the largest gradient of the network.
    scale = max(p.grad.abs().max() for p in net.parameters())
    for (name, a), b in zip(net.named_parameters(), fast.parameters()):
        assert (b.grad - a.grad).abs().max() < 10 * WINOGRAD_TOLERANCE * scale, name
    # a copy (the EMA generator is one) computes with its own weights
    twin = copy.deepcopy(fast)
    assert all(m.forward.__self__ is m and m.forward_before_winograd.__self__ is m
               for m in twin.modules() if hasattr(m, 'forward_before_winograd'))
    with torch.no_grad():
        for p in twin.parameters():
            p.mul_(0.5)
    assert relative_error(twin(x), got) > 1e-2
