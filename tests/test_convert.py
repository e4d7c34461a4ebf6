"""Reference weights to sketchgen: a synthetic file in each reference layout converts,
loads strictly, and gives the output of the network it came from."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from sketchgen.apis import init_model
from sketchgen.checkpoint import CheckpointError
from sketchgen.config import load_config
from sketchgen.convert import convert_reference
from sketchgen.models.generators.simplification import LAYERS
from sketchgen.registry import MODELS

from conftest import tiny_config


def randomise_norm_stats(net: nn.Module) -> None:
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)


def test_pix2pix_reference_file_converts_and_matches(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs)
    reference = MODELS.build(cfg.model.generator.to_dict())   # the reference's keys are ours
    randomise_norm_stats(reference)
    old_file = {k: v for k, v in reference.state_dict().items()
                if not k.endswith('num_batches_tracked')}       # saved before PyTorch 0.4
    torch.save(old_file, tmp_path / 'latest_net_G.pth')
    out = convert_reference(tmp_path / 'latest_net_G.pth', tmp_path / 'g.safetensors',
                            'pix2pix-reference', cfg)
    model = init_model(out)
    assert model.test_mode == 'train'   # as the reference's test.py (no --eval)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    torch.manual_seed(0)
    expected = reference.train()(x)
    torch.manual_seed(0)
    assert torch.allclose(model.generate(x), expected, atol=1e-6)
    with pytest.raises(ValueError, match='holds only generator.*discriminator is not in it'):
        model.discriminator(x)


class ReferenceResnetBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c))

    def forward(self, x):
        return x + self.conv_block(x)


class ReferenceResnetGenerator(nn.Module):
    """The reference's flat layout (resnet_Nblocks, instance norm, no dropout)."""

    def __init__(self, ngf=8, blocks=2):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), nn.InstanceNorm2d(ngf),
                  nn.ReLU(True)]
        for i in range(2):
            c = ngf * 2 ** i
            layers += [nn.Conv2d(c, 2 * c, 3, 2, 1), nn.InstanceNorm2d(2 * c), nn.ReLU(True)]
        layers += [ReferenceResnetBlock(4 * ngf) for _ in range(blocks)]
        for i in range(2):
            c = ngf * 4 // 2 ** i
            layers += [nn.ConvTranspose2d(c, c // 2, 3, 2, 1, output_padding=1),
                       nn.InstanceNorm2d(c // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def test_cyclegan_reference_file_converts_and_matches(tmp_path):
    reference = ReferenceResnetGenerator(ngf=8, blocks=2).eval()
    state = reference.state_dict()
    state['model.2.running_mean'] = torch.zeros(8)    # what old files carry for IN
    state['model.2.running_var'] = torch.ones(8)
    torch.save(state, tmp_path / 'horse2zebra.pth')
    cfg = load_config('configs/cyclegan/cyclegan_resnet-9blocks_1xb1-200e_horse2zebra-256px.py')
    cfg.model.generator.update(base_channels=8, num_blocks=2)
    cfg.model.discriminator.update(base_channels=8)
    out = convert_reference(tmp_path / 'horse2zebra.pth', tmp_path / 'h2z.safetensors',
                            'cyclegan-reference', cfg)
    model = init_model(out)
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    assert torch.allclose(model.generate(x), reference(x), atol=1e-5)
    with pytest.raises(ValueError, match='generator_ba is not in it'):
        model.generator_ba(x)


def test_simplification_reference_file_converts_and_matches(tmp_path):
    width, layers, channels = 0.05, [], 1
    for i, (kind, kernel, stride, out) in enumerate(LAYERS):
        out = 1 if i == len(LAYERS) - 1 else max(4, round(out * width))
        conv = (nn.Conv2d(channels, out, kernel, stride, kernel // 2) if kind == 'conv'
                else nn.ConvTranspose2d(channels, out, kernel, stride, 1))
        layers += [conv, nn.Sigmoid() if i == len(LAYERS) - 1 else nn.ReLU()]
        channels = out
    reference = nn.Sequential(*layers)
    mean, std = 0.9, 0.1
    torch.save({'model': reference.state_dict(), 'mean': mean, 'std': std},
               tmp_path / 'model_gan.pth')
    cfg = load_config('configs/simplification/simplification_1xb8-100k_folder-pairs-424px.py')
    cfg.model.generator.width = width
    out = convert_reference(tmp_path / 'model_gan.pth', tmp_path / 'gan.safetensors',
                            'simplification-reference', cfg)
    net = init_model(out).generator
    x = torch.rand(1, 1, 32, 40)
    assert torch.allclose(net(x), reference((x - mean) / std), atol=1e-5)


def test_wrong_layout_and_pickled_code_are_refused(tmp_path, tiny_pairs):
    cfg = tiny_config(tiny_pairs)
    torch.save({'model.model.0.weight': torch.zeros(1)}, tmp_path / 'small.pth')
    with pytest.raises(CheckpointError, match='small.pth: does not fit UnetGenerator'):
        convert_reference(tmp_path / 'small.pth', tmp_path / 'o.safetensors',
                          'pix2pix-reference', cfg)
    torch.save({'g': nn.Conv2d(1, 1, 1)}, tmp_path / 'module.pth')   # a pickled module
    with pytest.raises(CheckpointError, match='module.pth: not a weights-only PyTorch file'):
        convert_reference(tmp_path / 'module.pth', tmp_path / 'o.safetensors',
                          'pix2pix-reference', cfg)
    assert not (tmp_path / 'o.safetensors').exists()
