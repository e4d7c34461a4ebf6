"""The fast path (channels_last, bf16 autocast, compile) reaches the networks and
matches fp32 within a stated tolerance; exported ONNX and TorchScript generators match
PyTorch. Nothing here is timed."""
import copy
import ctypes
import json
import subprocess
import sys
import warnings

import pytest
import torch
from torch import nn
from conftest import TINY, tiny_config
from PIL import Image

from sketchgen import checkpoint as ckpt
from sketchgen import fast_path
from sketchgen.apis import init_model
from sketchgen.engine import Trainer
from sketchgen.models.generators import ResnetGenerator, UnetGenerator
from sketchgen.registry import MODELS
from sketchgen.tools import run

QUIET = dict(visualization=None, evaluation=None,
             checkpoint=dict(interval=2, save_best=None),
             logger=dict(type='LoggerHook', interval=1, progress_bar=False))
# bf16 keeps 8 bits of mantissa: a tanh output in [-1, 1] moves by a few 1e-2 at most
# through a small U-Net. fp32 NHWC reorders sums only: ~1e-6.
BF16_TOLERANCE, FP32_TOLERANCE = 0.05, 1e-5


def spy_on_first_conv(net, seen):
    conv = next(m for m in net.modules() if isinstance(m, torch.nn.Conv2d))
    conv.register_forward_hook(lambda m, inputs, output: seen.append(
        (inputs[0].is_contiguous(memory_format=torch.channels_last), output.dtype)))


def test_trainer_switches_reach_networks_and_batches(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=2), default_hooks=QUIET)
    trainer = Trainer(cfg, work_dir=tmp_path, amp='bf16', channels_last=True)
    weight = next(p for p in trainer.model.generator.parameters() if p.dim() == 4)
    assert weight.is_contiguous(memory_format=torch.channels_last)
    seen = []
    spy_on_first_conv(trainer.model.generator, seen)
    trainer.train()
    assert seen and all(nhwc and dtype == torch.bfloat16 for nhwc, dtype in seen)
    options = json.loads((tmp_path / 'training_options.json').read_text())
    assert options['amp'] == 'bf16' and options['channels_last'] is True
    # the saved weights load into a plain fp32 NCHW model
    plain = MODELS.build(cfg.model)
    ckpt.load_weights(plain, tmp_path / 'checkpoints' / 'iter_000002')


@pytest.mark.parametrize('batch', [1, 2])
def test_channels_last_gives_the_same_gradients_through_instance_norm(batch):
    # torch's CPU instance norm returns wrong input gradients for one sample when the
    # gradient arriving from the next layer is channels_last, which is what a
    # channels_last CycleGAN generator at batch 1 (the reference setting) sends it;
    # sketchgen's InstanceNorm2d computes the same norm with kernels that do not.
    torch.manual_seed(0)
    net = ResnetGenerator(3, 3, base_channels=8, num_blocks=2, norm='instance')
    nhwc = copy.deepcopy(net).to(memory_format=torch.channels_last)
    x = torch.randn(batch, 3, TINY, TINY)
    net(x).square().sum().backward()
    nhwc(x.contiguous(memory_format=torch.channels_last)).square().sum().backward()
    for (name, p), q in zip(net.named_parameters(), nhwc.parameters()):
        if name.endswith('weight'):   # a bias before a norm has a zero gradient
            assert (p.grad - q.grad).abs().max() <= FP32_TOLERANCE * p.grad.abs().max(), name


@pytest.mark.parametrize('padding', ['reflect', 'replicate'])
def test_pads_stay_bf16_under_autocast_and_change_no_number(padding):
    # CPU autocast would pad in fp32 and cast back: a copy each way for nothing.
    torch.manual_seed(0)
    ours = ResnetGenerator(3, 3, base_channels=8, num_blocks=2, padding=padding)
    torchs = copy.deepcopy(ours)
    for parent in torchs.modules():
        for name, child in parent.named_children():
            if isinstance(child, (nn.ReflectionPad2d, nn.ReplicationPad2d)):
                plain = nn.ReflectionPad2d if padding == 'reflect' else nn.ReplicationPad2d
                setattr(parent, name, plain(child.padding))
    dtypes = []
    for m in ours.modules():
        if isinstance(m, (nn.ReflectionPad2d, nn.ReplicationPad2d)):
            m.register_forward_hook(lambda m, inputs, out: dtypes.append(out.dtype))
    x = torch.rand(1, 3, TINY, TINY) * 2 - 1
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y_ours, y_torchs = ours(x), torchs(x)
    assert dtypes[0] == torch.float32 and set(dtypes[1:]) == {torch.bfloat16}
    assert torch.equal(y_ours, y_torchs)   # padding is exact in either dtype


def test_fused_optimizer_switch_picks_the_fused_kernels(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=2), default_hooks=QUIET)
    plain = Trainer(cfg, work_dir=tmp_path / 'plain')
    fused = Trainer(cfg, work_dir=tmp_path / 'fused', fused_optimizer=True)
    for name in ('generator', 'discriminator'):
        assert not plain.optimizers[name].optimizer.optimizer.defaults['fused']
        assert fused.optimizers[name].optimizer.optimizer.defaults['fused'] is True
    plain.train()
    fused.train()
    # the same algorithm: after two steps the weights agree to float rounding
    a, b = plain.model.generator.state_dict(), fused.model.generator.state_dict()
    assert all(torch.allclose(a[k].float(), b[k].float(), atol=1e-5) for k in a)
    # a config that decides for itself is left alone
    cfg.optim_wrapper.generator.optimizer['fused'] = False
    assert not Trainer(cfg, work_dir=tmp_path / 'x', fused_optimizer=True).optimizers[
        'generator'].optimizer.optimizer.defaults['fused']


@pytest.mark.parametrize('build', [
    lambda: UnetGenerator(3, 3, image_size=32, base_channels=8, dropout=False),
    lambda: ResnetGenerator(3, 3, base_channels=8, num_blocks=1)])
def test_small_convs_as_matmul_compute_the_same_function_and_gradients(build):
    torch.manual_seed(0)
    net = build()
    fast = fast_path.small_convs_as_matmul(copy.deepcopy(net), max_pixels=128)
    rerouted = [m for m in fast.modules() if hasattr(m, 'matmul_max_pixels')]
    assert rerouted and fast.state_dict().keys() == net.state_dict().keys()
    x = torch.randn(2, 3, 32, 32)
    seen = []   # which layers met maps small enough (over the batch) for the matrix multiply
    for m in rerouted:
        m.register_forward_hook(lambda m, inputs, output: seen.append(
            len(x) * min(inputs[0].shape[-2:].numel(), output.shape[-2:].numel()) <= 128))
    expected, got = net(x), fast(x)
    assert any(seen) and not all(seen)      # both routes taken in one network
    assert (got - expected).abs().max() < FP32_TOLERANCE
    expected.square().mean().backward()
    got.square().mean().backward()
    for (name, a), b in zip(net.named_parameters(), fast.parameters()):
        assert (a.grad - b.grad).abs().max() < FP32_TOLERANCE, name
    # a copy (the EMA generator is one) computes with its own weights
    twin = copy.deepcopy(fast)
    with torch.no_grad():
        for p in twin.parameters():
            p.mul_(0.5)
    assert (twin(x) - got).abs().max() > 1e-3


def test_small_convs_as_matmul_takes_up_to_16x16_at_batch_1_by_default(monkeypatch):
    conv = fast_path.small_convs_as_matmul(nn.Conv2d(4, 4, 3, padding=1))
    plain_calls, plain_forward = [], nn.Conv2d.forward
    monkeypatch.setattr(nn.Conv2d, 'forward', lambda self, x: plain_calls.append(
        tuple(x.shape)) or plain_forward(self, x))
    conv(torch.rand(1, 4, 16, 16))                  # 256 positions: the matrix multiply
    assert plain_calls == []
    conv(torch.rand(2, 4, 16, 16))                  # the threshold counts the batch
    conv(torch.rand(1, 4, 32, 32))
    assert plain_calls == [(2, 4, 16, 16), (1, 4, 32, 32)]


def test_small_convs_as_matmul_switch_reaches_the_networks(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=2), default_hooks=QUIET,
                      small_convs_as_matmul=True)
    trainer = Trainer(cfg, work_dir=tmp_path)
    assert trainer.small_convs_as_matmul
    assert any(hasattr(m, 'matmul_max_pixels') for m in trainer.model.generator.modules())
    trainer.train()
    options = json.loads((tmp_path / 'training_options.json').read_text())
    assert options['small_convs_as_matmul'] is True
    assert not any(hasattr(m, 'matmul_max_pixels') for m in Trainer(
        cfg, work_dir=tmp_path / 'off', small_convs_as_matmul=False).model.modules())


def test_config_keys_set_the_switches(tiny_pairs, tmp_path):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=1), default_hooks=QUIET,
                      channels_last=True)
    trainer = Trainer(cfg, work_dir=tmp_path)
    assert trainer.channels_last and trainer.amp == 'no'
    assert not Trainer(cfg, work_dir=tmp_path, channels_last=False).channels_last


@pytest.mark.parametrize('amp,channels_last,tolerance', [
    ('no', True, FP32_TOLERANCE), ('bf16', False, BF16_TOLERANCE),
    ('bf16', True, BF16_TOLERANCE)])
def test_fast_inference_matches_fp32(amp, channels_last, tolerance):
    torch.manual_seed(0)
    cfg = dict(type='Pix2Pix', image_size=TINY,
               generator=dict(type='UnetGenerator', image_size=TINY, base_channels=8),
               discriminator=dict(type='PatchDiscriminator', base_channels=8))
    model = MODELS.build(cfg).eval()
    x = torch.rand(2, 3, TINY, TINY) * 2 - 1
    expected = model.generate(x)
    fast = MODELS.build(cfg).eval()
    fast.load_state_dict(model.state_dict())
    fast.use_fast_path(amp, channels_last)
    seen = []
    spy_on_first_conv(fast.generator, seen)
    got = fast.generate(x)
    assert got.dtype == torch.float32
    assert seen[0] == (channels_last, torch.bfloat16 if amp == 'bf16' else torch.float32)
    assert (got - expected).abs().max() <= tolerance


def test_compile_falls_back_without_a_compiler(monkeypatch):
    monkeypatch.setattr(fast_path.shutil, 'which', lambda name: None)
    fast_path.compiler_problem.cache_clear()
    net = torch.nn.Conv2d(1, 1, 1)
    try:
        with pytest.warns(UserWarning, match='compile=True ignored: no C.. compiler'):
            assert fast_path.maybe_compile(net, True) is net
    finally:
        fast_path.compiler_problem.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert fast_path.maybe_compile(net, False) is net


# Page faults of each 48 MB tensor made and freed once the heap has settled, in a
# fresh process (the allocator setting cannot be undone). glibc serves a block this
# large by mmap and unmaps it on free, so each new one faults its ~12,000 pages in
# again. With the setting the heap grows for the first few and then reuses them.
PAGE_FAULTS_OF_A_FRESH_TENSOR = """
import resource, sys, torch
from sketchgen import fast_path
if sys.argv[1] == 'keep':
    assert fast_path.keep_freed_memory() is None
for _ in range(10):
    torch.ones(12 * 2 ** 20)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    torch.ones(12 * 2 ** 20)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 4)
"""


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), 'gnu_get_libc_version'),
                    reason='the allocator setting is glibc only')
def test_keep_freed_memory_reuses_pages_instead_of_faulting_them_in():
    def faults(mode):
        return int(subprocess.run([sys.executable, '-c', PAGE_FAULTS_OF_A_FRESH_TENSOR, mode],
                                  capture_output=True, text=True, check=True).stdout)
    assert faults('default') > 6000
    assert faults('keep') < 600


def test_trainer_keeps_freed_memory_on_cpu_by_default(tiny_pairs, tmp_path, monkeypatch):
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=1), default_hooks=QUIET)
    asked = []
    monkeypatch.setattr(fast_path, 'keep_freed_memory', lambda: asked.append(1))
    trainer = Trainer(cfg, work_dir=tmp_path)
    assert trainer.keep_freed_memory and asked
    trainer.train()
    options = json.loads((tmp_path / 'training_options.json').read_text())
    assert options['keep_freed_memory'] is True
    asked.clear()
    off = tiny_config(tiny_pairs, train_cfg=dict(max_iters=1), keep_freed_memory=False)
    assert not Trainer(off, work_dir=tmp_path / 'off').keep_freed_memory and not asked


def test_keep_freed_memory_falls_back_where_the_c_library_is_not_glibc(tiny_pairs, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setattr(fast_path, 'keep_freed_memory', lambda: 'the C library is not glibc')
    cfg = tiny_config(tiny_pairs, train_cfg=dict(max_iters=1), default_hooks=QUIET)
    with pytest.warns(UserWarning, match='keep_freed_memory=True ignored: the C library is not'):
        assert not Trainer(cfg, work_dir=tmp_path / 'asked', keep_freed_memory=True
                           ).keep_freed_memory
    with warnings.catch_warnings():   # the default says nothing where it cannot work
        warnings.simplefilter('error')
        assert not Trainer(cfg, work_dir=tmp_path / 'default').keep_freed_memory


def test_auto_amp_follows_the_hardware(monkeypatch):
    monkeypatch.setattr(fast_path, 'cpu_supports_bf16', lambda: True)
    assert fast_path.resolve_amp('auto', 'cpu') == 'bf16'
    monkeypatch.setattr(fast_path, 'cpu_supports_bf16', lambda: False)
    assert fast_path.resolve_amp('auto', 'cpu') == 'no'
    assert fast_path.resolve_amp('fp16', 'cpu') == 'fp16'


def test_unknown_amp_is_refused(tiny_pairs, tmp_path):
    with pytest.raises(ValueError, match="amp='fp8'"):
        Trainer(tiny_config(tiny_pairs), work_dir=tmp_path, amp='fp8')


# ---------------------------------------------------------------------- export
@pytest.fixture(scope='module')
def tiny_checkpoints(tiny_pairs, tmp_path_factory):
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp('export')
    pix2pix = tiny_config(tiny_pairs)
    cyclegan = dict(model=dict(
        type='CycleGAN', image_size=16, labels=dict(hair=('black', 'red')),
        # the residual output exports too (atanh of the input, tanh of the sum)
        generator=dict(type='ResnetGenerator', base_channels=8, num_blocks=1,
                       output='residual'),
        discriminator=dict(type='PatchDiscriminator', base_channels=8, n_layers=1)))
    simplification = dict(model=dict(type='SketchSimplification', generator=dict(
        type='SketchSimplificationNet', width=0.0625)))
    out = {}
    for name, cfg in (('pix2pix', pix2pix), ('cyclegan', cyclegan),
                      ('simplification', simplification)):
        model = MODELS.build(cfg['model'])
        out[name] = ckpt.save_checkpoint(root / name, model, cfg, 1)
    return out


def test_onnx_export_matches_pytorch_and_runs_as_a_backend(tiny_checkpoints, tmp_path, capsys):
    path = tmp_path / 'pix2pix.onnx'
    assert run('export_model', [str(tiny_checkpoints['pix2pix']), '--format', 'onnx',
                                '--out', str(path)]) == 0
    assert 'max |export - PyTorch|' in capsys.readouterr().out
    torch_model, onnx_model = init_model(tiny_checkpoints['pix2pix']), init_model(path)
    sketch = Image.new('RGB', (50, 40), 'white')
    x = torch.rand(3, TINY, TINY)
    assert (onnx_model.infer(x) - torch_model.infer(x)).abs().max() < 1e-4
    assert onnx_model.infer(sketch).size == (TINY, TINY)
    with pytest.raises(ValueError, match='exported for 32x32'):
        onnx_model.infer(torch.rand(3, 64, 64), keep_size=True)


def test_openvino_runs_the_exported_graph_like_pytorch(tiny_checkpoints, tmp_path):
    import openvino
    from sketchgen.apis.export import OpenVinoGenerator
    path = tmp_path / 'pix2pix.onnx'
    assert run('export_model', [str(tiny_checkpoints['pix2pix']), '--format', 'onnx',
                                '--out', str(path)]) == 0
    torch_model = init_model(tiny_checkpoints['pix2pix'])
    model = init_model(path, backend='openvino')
    assert isinstance(model.generator, OpenVinoGenerator)
    x = torch.rand(3, TINY, TINY)
    assert (model.infer(x) - torch_model.infer(x)).abs().max() < 1e-4
    if 'BF16' in openvino.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES'):
        bf16 = init_model(path, backend='openvino', amp='bf16')
        assert (bf16.infer(x) - torch_model.infer(x)).abs().max() < 0.05   # bf16 rounding
    with pytest.raises(ValueError, match="backend='openvino'"):
        init_model(path, amp='bf16')                       # ONNX Runtime has no bf16 path
    with pytest.raises(ValueError, match='export this model'):
        init_model(tiny_checkpoints['pix2pix'], backend='openvino')
    with pytest.raises(ValueError, match='not one of'):
        init_model(path, backend='tensorrt')
    with pytest.raises(ValueError, match='exported for 32x32'):
        model.infer(torch.rand(3, 64, 64), keep_size=True)
    # a graph with dynamic height and width runs at any size on OpenVINO too
    path = tmp_path / 'simplification.onnx'
    assert run('export_model', [str(tiny_checkpoints['simplification']), '--format', 'onnx',
                                '--out', str(path)]) == 0
    torch_model = init_model(tiny_checkpoints['simplification'])
    model = init_model(path, backend='openvino')
    for size in ((45, 70), (64, 40)):
        rough = Image.new('L', size, 255)
        a = torch.tensor(list(torch_model.simplify(rough).getdata()), dtype=torch.float32)
        b = torch.tensor(list(model.simplify(rough).getdata()), dtype=torch.float32)
        assert model.simplify(rough).size == size and (a - b).abs().max() <= 1


def test_onnx_any_size_network_keeps_dynamic_height_and_width(tiny_checkpoints, tmp_path):
    path = tmp_path / 'simplification.onnx'
    assert run('export_model', [str(tiny_checkpoints['simplification']), '--format', 'onnx',
                                '--out', str(path)]) == 0
    torch_model, onnx_model = init_model(tiny_checkpoints['simplification']), init_model(path)
    rough = Image.new('L', (45, 70), 255)
    a = torch.tensor(list(torch_model.simplify(rough).getdata()), dtype=torch.float32)
    b = torch.tensor(list(onnx_model.simplify(rough).getdata()), dtype=torch.float32)
    assert onnx_model.simplify(rough).size == (45, 70)
    assert (a - b).abs().max() <= 1  # 8-bit output: at most one grey level apart


def test_onnx_conditional_cyclegan_takes_labels(tiny_checkpoints, tmp_path):
    path = tmp_path / 'cyclegan.onnx'
    assert run('export_model', [str(tiny_checkpoints['cyclegan']), '--format', 'onnx',
                                '--out', str(path)]) == 0
    torch_model, onnx_model = init_model(tiny_checkpoints['cyclegan']), init_model(path)
    x = torch.rand(3, 16, 16)
    for hair in ('black', 'red'):
        assert (onnx_model.infer(x, labels=dict(hair=hair))
                - torch_model.infer(x, labels=dict(hair=hair))).abs().max() < 1e-4
    with pytest.raises(ValueError, match='holds only the AtoB generator'):
        onnx_model.infer(x, direction='BtoA')


def test_torchscript_export_matches_pytorch(tiny_checkpoints, tmp_path, capsys):
    path = tmp_path / 'pix2pix.pt'
    assert run('export_model', [str(tiny_checkpoints['pix2pix']), '--format', 'torchscript',
                                '--out', str(path)]) == 0
    traced = torch.jit.load(str(path))
    model = init_model(tiny_checkpoints['pix2pix'])
    x = torch.rand(1, 3, TINY, TINY) * 2 - 1
    assert (traced(x) - model.generate(x)).abs().max() < 1e-5


def test_benchmark_compare_reports_every_variant(tiny_pairs, tmp_path, capsys):
    config = tmp_path / 'tiny.py'
    tiny_config(tiny_pairs).dump(str(config))
    out = tmp_path / 'bench.json'
    assert run('benchmark', [str(config), '--compare', '--iters', '2', '--warmup', '1',
                             '--repeats', '1', '--variants', 'fp32-cl', 'bf16-cl',
                             '--json', str(out)]) == 0
    figures = json.loads(out.read_text())
    assert [v['variant'] for v in figures['variants']] == ['fp32', 'fp32-cl', 'bf16-cl']
    assert figures['train_step_flops'] > 0 and figures['peak_gflops']['fp32'] > 0
    assert figures['variants'][0]['train_speedup'] == 1.0
    # One round: the FLOP floor is the step's FLOPs at that round's peak of its dtype.
    for row, dtype in zip(figures['variants'], ('fp32', 'fp32', 'bf16')):
        floor_s = figures['train_step_flops'] / 1e9 / figures['peak_gflops_all'][dtype][0]
        assert row['train_floor_ratio'] == pytest.approx(row['train_iter_s'] / floor_s)
    assert '| bf16-cl |' in capsys.readouterr().out


def test_overhead_benchmark_fills_a_decoded_cache_before_timing(tiny_pairs, tmp_path, capsys):
    config = tmp_path / 'tiny.py'
    cfg = tiny_config(tiny_pairs)
    cfg.train_dataloader.dataset.cache_decoded = True
    cfg.dump(str(config))
    out = tmp_path / 'overhead.json'
    assert run('benchmark', [str(config), '--iters', '2', '--warmup', '1', '--repeats', '1',
                             '--json', str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures['overhead_ratio'] == pytest.approx(
        figures['train_iter_s'] / figures['bare_iter_s'])
    assert 0 <= figures['data_wait_share'] < 1
    assert 'decoded 8 samples into memory' in capsys.readouterr().out


def test_latency_benchmark_times_every_backend_of_a_trained_model(tiny_checkpoints, tmp_path,
                                                                  capsys):
    out = tmp_path / 'latency.json'
    assert run('benchmark', [str(tiny_checkpoints['pix2pix']), '--latency', '--size', '64',
                             '--calls', '2', '--json', str(out)]) == 0
    figures = json.loads(out.read_text())
    import openvino
    native_bf16 = 'BF16' in openvino.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
    assert [r['backend'] for r in figures['backends']] == [
        'PyTorch fp32 eager', 'PyTorch bf16', 'PyTorch bf16 + channels_last',
        'ONNX Runtime fp32', 'OpenVINO fp32'] + [
        'OpenVINO bf16', 'OpenVINO bf16, sub-pixel export'] * native_bf16
    assert figures['sketch_size'] == 64 and figures['network_size'] == TINY
    # both timed for every backend; not compared: at a 32 px network a millisecond's
    # noise can put the whole call under the network alone (it did once in CI)
    assert all(r['latency_s'] > 0 and r['network_s'] > 0 for r in figures['backends'])
    assert figures['backends'][0]['speedup'] == figures['backends'][0]['network_speedup'] == 1.0
    assert '| ONNX Runtime fp32 |' in capsys.readouterr().out
    # at the sketch's own size the fixed-size exported U-Net cannot run: left out, said so
    assert run('benchmark', [str(tiny_checkpoints['pix2pix']), '--latency', '--size', '64',
                             '--keep-size', '--calls', '1', '--json', str(out)]) == 0
    assert len(json.loads(out.read_text())['backends']) == 3
    assert 'ONNX Runtime and OpenVINO left out' in capsys.readouterr().out


def test_subpixel_export_has_no_transposed_convolution_and_matches_pytorch(tiny_checkpoints,
                                                                           tmp_path, capsys):
    import onnx
    import openvino
    for name in ('pix2pix', 'simplification'):
        path = tmp_path / f'{name}.onnx'
        assert run('export_model', [str(tiny_checkpoints[name]), '--format', 'onnx',
                                    '--subpixel', '--out', str(path)]) == 0
        graph = onnx.load(str(path))
        ops = {node.op_type for node in graph.graph.node}
        assert 'ConvTranspose' not in ops and 'DepthToSpace' in ops
        assert {p.key: p.value for p in graph.metadata_props}['subpixel'] == 'true'
    assert 'dynamic height/width: true, sub-pixel transposed convolutions: true' \
        in capsys.readouterr().out                        # the simplification net's
    torch_model = init_model(tiny_checkpoints['pix2pix'])
    x = torch.rand(3, TINY, TINY)
    expected = torch_model.infer(x)
    assert (init_model(tmp_path / 'pix2pix.onnx').infer(x) - expected).abs().max() < 1e-4
    with pytest.raises(ValueError, match='winograd_convs=True: an exported .onnx graph runs'):
        init_model(tmp_path / 'pix2pix.onnx', winograd_convs=True)
    if 'BF16' in openvino.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES'):
        bf16 = init_model(tmp_path / 'pix2pix.onnx', backend='openvino', amp='bf16')
        assert (bf16.infer(x) - expected).abs().max() < BF16_TOLERANCE
    assert run('export_model', [str(tiny_checkpoints['pix2pix']), '--subpixel',
                                '--out', str(tmp_path / 'weights.safetensors')]) == 2
    assert '--subpixel rewrites a graph' in capsys.readouterr().err


def test_subpixel_rewrite_names_the_layers_it_keeps():
    from sketchgen.apis.export import transposed_convs_as_subpixel
    from sketchgen.models.layers import SubPixelConvTranspose2d
    net = torch.nn.Sequential(torch.nn.ConvTranspose2d(2, 2, 4, 2, 1),
                              torch.nn.ConvTranspose2d(2, 2, 4, 2, 0))
    with pytest.warns(UserWarning, match='kept 1 of 2 .* not exactly stride'):
        rewritten = transposed_convs_as_subpixel(net)
    assert isinstance(rewritten[0], SubPixelConvTranspose2d)
    assert isinstance(net[0], torch.nn.ConvTranspose2d)          # the original is untouched
    with pytest.raises(ValueError, match='no transposed convolution'):
        transposed_convs_as_subpixel(torch.nn.Sequential(torch.nn.Conv2d(2, 2, 3)))
