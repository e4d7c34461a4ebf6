"""Import the reference implementations' published weights as sketchgen checkpoints.

- `pix2pix-reference`: pytorch-CycleGAN-and-pix2pix's `latest_net_G.pth` of a U-Net
  (`--netG unet_256`); its keys are ours (`model.model.0.weight`, ...). Files saved
  before PyTorch 0.4 lack batch norm's `num_batches_tracked`, which is added.
- `cyclegan-reference`: the same repository's ResNet generator (`resnet_9blocks`),
  whose flat `model.N` sequence is renamed to our encoder / blocks / decoder.
- `simplification-reference`: Simo-Serra et al.'s released model as a PyTorch
  `nn.Sequential` state dict (`0.weight`, `0.bias`, `2.weight`, ...: conv, ReLU, ...,
  sigmoid, batch norm folded into the convolutions), or a dict holding it under
  `model` with the input `mean` and `std`.

All three: the `.pth` is read with `torch.load(weights_only=True)` (an untrusted file
never runs code), instance norm's running statistics that old files carry are
dropped, and the result is the generator's weights in safetensors with the config
inside and `networks=<the networks it holds>` in its metadata, so `init_model` loads it
strictly into those networks and says what is absent if anything else is asked of it.
"""
from __future__ import annotations

import re
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from sketchgen.checkpoint import CheckpointError
from sketchgen.config import config_to_json
from sketchgen.registry import MODELS

REFERENCE_FORMATS = ('pix2pix-reference', 'cyclegan-reference', 'simplification-reference')
INSTANCE_NORM_STATS = ('running_mean', 'running_var', 'num_batches_tracked')


def read_reference_file(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of a reference `.pth` file, read without running code from it."""
    try:
        state = torch.load(str(path), map_location='cpu', weights_only=True)
    except Exception as err:  # pickle errors of all kinds: the file is not what it claims
        raise CheckpointError(f'{path}: not a weights-only PyTorch file ({err})') from None
    if isinstance(state, dict) and isinstance(state.get('model'), dict):
        state = {**state['model'], **{k: torch.as_tensor(v) for k, v in state.items()
                                      if k in ('mean', 'std')}}
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise CheckpointError(f'{path}: expected a state dict of tensors')
    return dict(state)


def drop_instance_norm_stats(state: dict, net: nn.Module) -> dict:
    """Old reference files hold running statistics of (stat-less) instance norms."""
    own = net.state_dict()
    return {k: v for k, v in state.items()
            if k in own or not k.endswith(INSTANCE_NORM_STATS)}


def pix2pix_keys(state: dict, net: nn.Module) -> dict:
    state = drop_instance_norm_stats(state, net)
    for key, value in net.state_dict().items():
        if key.endswith('num_batches_tracked') and key not in state:
            state[key] = torch.zeros_like(value)
    return state


def cyclegan_keys(state: dict, net: nn.Module) -> dict:
    """Reference ResnetGenerator (pad, conv7, norm, ReLU, 2 x [conv3 s2, norm, ReLU],
    n blocks, 2 x [convT, norm, ReLU], pad, conv7, tanh) as one `model` sequence."""
    blocks = sorted({int(m.group(1)) for k in state
                     if (m := re.match(r'model\.(\d+)\.conv_block\.', k))})
    if not blocks:
        raise CheckpointError('not a reference ResnetGenerator file: no model.N.conv_block '
                              'keys')
    first, n = blocks[0], len(blocks)
    rename = {'model.1.': 'encoder.1.', 'model.4.': 'encoder.4.', 'model.7.': 'encoder.7.',
              f'model.{first + n}.': 'decoder.0.', f'model.{first + n + 3}.': 'decoder.3.',
              f'model.{first + n + 7}.': 'decoder.7.'}
    for i, index in enumerate(blocks):
        rename[f'model.{index}.conv_block.1.'] = f'blocks.{i}.conv1.1.'
        rename[f'model.{index}.conv_block.5.'] = f'blocks.{i}.conv2.1.'
        rename[f'model.{index}.conv_block.6.'] = f'blocks.{i}.conv2.1.'  # with dropout
    out = {}
    for key, value in state.items():
        prefix = next((p for p in rename if key.startswith(p)), None)
        out[rename[prefix] + key[len(prefix):] if prefix else key] = value
    return drop_instance_norm_stats(out, net)


def simplification_keys(state: dict, net: nn.Module) -> dict:
    """conv/ReLU pairs at 0, 2, 4, ... to our conv/norm/ReLU triples at 0, 3, 6, ..."""
    return {(f'layers.{int(k.split(".")[0]) // 2 * 3}.{k.split(".", 1)[1]}'
             if k[0].isdigit() else k): v for k, v in state.items() if k not in ('mean', 'std')}


RENAMERS = {'pix2pix-reference': pix2pix_keys, 'cyclegan-reference': cyclegan_keys,
            'simplification-reference': simplification_keys}


def convert_reference(source: str | Path, out: str | Path, fmt: str, cfg) -> Path:
    """Write `out` (safetensors, config inside) from reference file `source` in layout
    `fmt`, for the model `cfg` describes. Raises CheckpointError naming the keys that
    do not fit."""
    if fmt not in RENAMERS:
        raise ValueError(f'format {fmt!r} is not one of {REFERENCE_FORMATS}')
    state = read_reference_file(source)
    if fmt == 'pix2pix-reference':   # the reference's test.py runs without --eval
        cfg.model.test_mode = 'train'
    if fmt == 'simplification-reference':   # batch norm folded into biased convs
        cfg.model.generator.norm = 'none'
    if fmt == 'simplification-reference' and 'mean' in state:
        cfg.model.generator.mean = float(state['mean'])
        cfg.model.generator.std = float(state['std'])
    model = MODELS.build(cfg.model.to_dict())
    name, net = 'generator', model.generator   # every reference file is one generator
    converted = RENAMERS[fmt](state, net)
    try:
        net.load_state_dict(converted, strict=True)
    except RuntimeError as err:
        raise CheckpointError(f'{source}: does not fit {type(net).__name__} in the {fmt} '
                              f'layout:\n{err}') from None
    weights = {f'{name}.{k}': v.detach().contiguous().clone()
               for k, v in net.state_dict().items()}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + '.tmp')
    save_file(weights, str(tmp), metadata=dict(
        config_json=config_to_json(cfg), model_type=type(model).__name__,
        networks=name, converted_from=f'{fmt}: {Path(source).name}'))
    tmp.replace(out)
    return out
