"""Measure training and inference speed, memory, and the trainer's overhead.

    python tools/benchmark.py CONFIG [--iters 30] [--warmup 5] [--repeats 3]
                              [--batch-size B] [--json PATH] [--cfg-options ...]

overhead_ratio = the Trainer's iteration time (data loading, device transfer,
hooks, the algorithm's train_step, timed through the trainer's public
`start`/`step`/`finish`, the calls `train()` makes) / a bare PyTorch loop doing the same G and D
forward, backward and optimiser steps on copies of the same networks with one
pre-loaded batch, in the same process. Runs alternate and the median is kept.
data_wait_share = the part of the trainer's iteration spent waiting for data.

With --compare it times fp32 eager against each fast-path variant instead
(channels_last, bf16 autocast, torch.compile, ...; each in a fresh process), training
step and one-image inference, each with its FLOP count (torch's FlopCounterMode), the achieved
fraction of this machine's peak, which the tool measures with a large convolution in
fp32 and in bf16 at the start of every round, and the step's time over its FLOP floor
(its FLOPs at the peak of the same round; the median over rounds).

With --latency, CONFIG is a trained model instead (checkpoint folder, .safetensors or
zoo name): the tool times the whole colouring call a user makes (a --size px PIL
sketch in, with five hint dots where the model takes hints; resize, generator and
post-processing; a PIL image out) on each backend: PyTorch fp32 eager, bf16 autocast,
bf16 + channels_last, and ONNX Runtime and OpenVINO (fp32, and bf16 where the CPU has
it, also on the sub-pixel export `export_model --subpixel` writes; when installed) on
the generator exported to a temporary file, and the network alone (`generate` on the
tensors that call builds, without the image conversion).

    python tools/benchmark.py CKPT --latency [--size 256] [--keep-size] [--calls 20]
"""
from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Benchmark a sketchgen config.')
    p.add_argument('config', help='a config; with --latency, a trained model')
    p.add_argument('--iters', type=int, default=30, help='timed iterations per run')
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--repeats', type=int, default=3, help='alternating trainer/bare runs')
    p.add_argument('--batch-size', type=int)
    p.add_argument('--json', help='also write the figures to this JSON file')
    p.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE')
    p.add_argument('--compare', action='store_true',
                   help='time fp32 eager against each fast-path variant')
    p.add_argument('--variants', nargs='+', choices=sorted(VARIANTS),
                   default=['fp32-fused', 'fp32-cl-fused', 'bf16-fused', 'bf16-cl-fused'],
                   help='--compare: which variants (fp32 eager is always the reference)')
    p.add_argument('--latency', action='store_true',
                   help='time one colouring call of a trained model on each backend')
    p.add_argument('--size', type=int, default=256, help='--latency: the sketch size in px')
    p.add_argument('--keep-size', action='store_true',
                   help='--latency: run the network at the sketch size, not the training size '
                        '(PyTorch backends only: the exported U-Net has a fixed size)')
    p.add_argument('--calls', type=int, default=20, help='--latency: timed calls a backend')
    return p.parse_args(argv)


# Fast-path variants for --compare: Trainer / init_model switches.
# fp32 is today's eager step (no switch on); '-fused' adds fused optimisers, '-cl'
# channels_last, '-compile' torch.compile, '-mm' small_convs_as_matmul, '-wino'
# winograd_convs, '-keep' keep_freed_memory (the allocator setting; every other variant
# runs without it).
VARIANTS = {
    name: dict(amp='bf16' if name.startswith('bf16') else 'no', channels_last='-cl' in name,
               compile='-compile' in name, fused_optimizer='-fused' in name,
               small_convs_as_matmul='-mm' in name, winograd_convs='-wino' in name,
               keep_freed_memory='-keep' in name)
    for name in ('fp32', 'fp32-keep', 'fp32-fused', 'fp32-fused-keep', 'fp32-fused-mm',
                 'fp32-fused-mm-keep',
                 'fp32-cl', 'fp32-cl-fused', 'fp32-cl-fused-keep', 'fp32-cl-fused-wino-keep',
                 'fp32-fused-wino-keep', 'fp32-cl-compile', 'bf16',
                 'bf16-fused', 'bf16-fused-mm', 'bf16-fused-mm-keep', 'bf16-cl', 'bf16-cl-fused',
                 'bf16-cl-fused-mm', 'bf16-cl-fused-mm-keep', 'bf16-cl-compile')}


def measure_peak(dtype, seconds: float = 2.0) -> float:
    """GFLOP/s of a large 3x3 convolution (NHWC) on this machine: the ceiling the
    fractions of peak are taken against."""
    import torch
    x = torch.randn(8, 256, 56, 56).contiguous(memory_format=torch.channels_last)
    conv = torch.nn.Conv2d(256, 256, 3, padding=1, bias=False).to(
        memory_format=torch.channels_last)
    flops = 2 * x.shape[0] * 256 * 56 * 56 * 256 * 9
    context = (torch.autocast('cpu', dtype=torch.bfloat16) if dtype == 'bf16'
               else torch.autocast('cpu', enabled=False))
    with torch.no_grad(), context:
        conv(x)
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            conv(x)
            reps += 1
        elapsed = time.perf_counter() - start
    return flops * reps / elapsed / 1e9


def count_flops(fn) -> int:
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def compare(args, cfg) -> dict:
    """fp32 eager vs each variant: training s/iter and one-image inference latency."""
    import torch

    names = ['fp32'] + [v for v in args.variants if v != 'fp32']
    flops, times = {}, {name: ([], []) for name in names}
    # The FLOP floor is the model's: the fp32 eager step's FLOPs. Winograd variants do
    # fewer, which are counted too, as theirs.
    executed = {}
    peaks = {'no': [], 'bf16': []}
    # Rounds over all variants, so a slow spell of a shared machine hits each alike.
    # The peak is measured again in every round, next to the steps it is a ceiling
    # for: on a shared machine it drifts by a quarter over minutes, and a ratio to a
    # peak read at another time measures that drift as much as the step.
    # Each variant runs in a fresh process: the allocator setting cannot be undone, and
    # no variant should inherit another's heap.
    spawn = multiprocessing.get_context('spawn')
    for _ in range(args.repeats):
        for amp, dtype in (('no', 'fp32'), ('bf16', 'bf16')):
            peaks[amp].append(measure_peak(dtype))
        print(f'measured peak: fp32 {peaks["no"][-1]:.0f} GFLOP/s, '
              f'bf16 {peaks["bf16"][-1]:.0f} GFLOP/s (3x3 conv, 256 channels, NHWC)')
        for name in names:
            count = not flops or (VARIANTS[name]['winograd_convs'] and name not in executed)
            with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as fresh_process:
                step_s, latency, counted = fresh_process.submit(
                    _time_variant, cfg, name, args, count_flops_too=count).result()
            flops = flops or counted
            if counted:
                executed[name] = counted['train']
            times[name][0].append(step_s)
            times[name][1].append(latency)
    train_flops, infer_flops = flops['train'], flops['infer']
    rows = []
    for name in names:
        step_s, latency = (statistics.median(t) for t in times[name])
        round_peaks = peaks[VARIANTS[name]['amp']]
        # FLOP floor: the step's FLOPs at the peak of the same round; the median over
        # rounds of the step's time over that floor.
        floor_ratios = [s / (train_flops / 1e9 / peak)
                        for s, peak in zip(times[name][0], round_peaks)]
        peak = statistics.median(round_peaks)
        rows.append(dict(variant=name, train_iter_s=step_s, infer_latency_s=latency,
                         train_iter_s_all=times[name][0],
                         train_gflops=train_flops / step_s / 1e9,
                         train_fraction_of_peak=train_flops / step_s / 1e9 / peak,
                         train_floor_ratio=statistics.median(floor_ratios),
                         train_floor_ratio_all=floor_ratios,
                         train_executed_flops=executed.get(name, train_flops),
                         train_executed_fraction_of_peak=(
                             executed.get(name, train_flops) / step_s / 1e9 / peak),
                         infer_fraction_of_peak=infer_flops / latency / 1e9 / peak))
    for row in rows:
        row['train_speedup'] = rows[0]['train_iter_s'] / row['train_iter_s']
        row['infer_speedup'] = rows[0]['infer_latency_s'] / row['infer_latency_s']
    print(f'FLOPs: training step {train_flops / 1e9:.2f} GFLOP, one-image inference '
          f'{infer_flops / 1e9:.3f} GFLOP (FlopCounterMode)')
    print('| variant | train s/iter | speed-up | of peak | x FLOP floor | infer ms | speed-up '
          '| of peak |')
    print('| --- | --- | --- | --- | --- | --- | --- | --- |')
    for r in rows:
        print(f'| {r["variant"]} | {r["train_iter_s"]:.4f} | {r["train_speedup"]:.2f}x | '
              f'{r["train_fraction_of_peak"]:.0%} | {r["train_floor_ratio"]:.2f} | '
              f'{r["infer_latency_s"] * 1e3:.1f} | '
              f'{r["infer_speedup"]:.2f}x | {r["infer_fraction_of_peak"]:.0%} |')
    for r in rows:
        if r['train_executed_flops'] != train_flops:
            print(f'{r["variant"]} computes {r["train_executed_flops"] / 1e9:.2f} GFLOP a step '
                  f'(Winograd), {r["train_executed_fraction_of_peak"]:.0%} of peak on those')
    return dict(config=args.config,
                peak_gflops=dict(fp32=statistics.median(peaks['no']),
                                 bf16=statistics.median(peaks['bf16'])),
                peak_gflops_all=dict(fp32=peaks['no'], bf16=peaks['bf16']),
                train_step_flops=train_flops, infer_flops=infer_flops, variants=rows,
                batch_size=cfg.train_dataloader.get('batch_size', 1),
                torch=torch.__version__, threads=torch.get_num_threads())


def latency(args) -> dict:
    """Median seconds of one end-to-end colouring call on each backend; rounds
    alternate the backends so a slow spell of a shared machine hits each alike."""
    import torch
    from PIL import Image, ImageDraw

    from sketchgen.apis import init_model
    from sketchgen.apis.export import export_model
    size = args.size
    sketch = Image.new('RGB', (size, size), 'white')
    ImageDraw.Draw(sketch).ellipse((size // 8, size // 8, size * 7 // 8, size * 7 // 8),
                                   outline='black', width=max(1, size // 64))
    backends = {'PyTorch fp32 eager': init_model(args.config),
                'PyTorch bf16': init_model(args.config, amp='bf16'),
                'PyTorch bf16 + channels_last': init_model(args.config, amp='bf16',
                                                           channels_last=True)}
    reference = backends['PyTorch fp32 eager']
    options = {}
    if reference.hint_channels:
        hints = Image.new('RGBA', (size, size), (0, 0, 0, 0))
        for i in range(5):
            x = size * (2 + i) // 8
            ImageDraw.Draw(hints).ellipse((x - 2, size // 2 - 2, x + 2, size // 2 + 2),
                                          fill=(200, 40, 40, 255))
        options['hints'] = hints
    working = size if args.keep_size else (reference.image_size_hw or (size, size))[0]
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = Path(tmp) / 'generator.onnx'
        export_model(reference, onnx_path, 'onnx')
        onnx_model = init_model(onnx_path)
        fixed = onnx_model.generator.input_shape[2]   # an int where H is not dynamic
        if not args.keep_size or not isinstance(fixed, int) or fixed == size:
            backends['ONNX Runtime fp32'] = onnx_model
            backends.update(openvino_backends(reference, onnx_path))
        else:
            print('ONNX Runtime and OpenVINO left out: the exported graph has a fixed size')
        # The network alone: the same input tensors `infer` builds, without the image
        # conversion around them, which costs every backend alike.
        network_input = network_inputs(reference, sketch, args.keep_size, options.get('hints'))
        times = {name: ([], []) for name in backends}
        for _ in range(3):
            for name, model in backends.items():
                times[name][0].extend(_time(lambda m=model: m.infer(
                    sketch, keep_size=args.keep_size, **options), args.calls + 2, 2))
                times[name][1].extend(_time(lambda m=model: m.generate(*network_input),
                                            args.calls + 2, 2))
    rows = [dict(backend=name, latency_s=statistics.median(call),
                 network_s=statistics.median(network)) for name, (call, network) in times.items()]
    for row in rows:
        row['speedup'] = rows[0]['latency_s'] / row['latency_s']
        row['network_speedup'] = rows[0]['network_s'] / row['network_s']
    print(f'{args.config}: a {size} px sketch, the network at {working} px'
          + (', 5 hint dots' if options else ''))
    print('| backend | latency ms | speed-up | network alone ms | speed-up |\n'
          '| --- | --- | --- | --- | --- |')
    for r in rows:
        print(f'| {r["backend"]} | {r["latency_s"] * 1e3:.1f} | {r["speedup"]:.2f}x | '
              f'{r["network_s"] * 1e3:.1f} | {r["network_speedup"]:.2f}x |')
    return dict(model=args.config, sketch_size=size, network_size=working,
                hints=len(options) > 0, backends=rows, calls=3 * args.calls,
                torch=torch.__version__, threads=torch.get_num_threads())


def network_inputs(model, sketch, keep_size: bool, hints=None) -> tuple:
    """The (source, hints) batch `model.infer(sketch, keep_size, hints=hints)` hands its
    generator."""
    from sketchgen.models.hints import hints_from_image
    x = model._to_model_input(sketch, keep_size)
    hint_map = None if hints is None else hints_from_image(hints, (x.shape[2], x.shape[1]))[None]
    return x[None], hint_map


def openvino_backends(model, onnx_path: Path) -> dict:
    """OpenVINO in fp32, and where the CPU computes bf16 natively in bf16, on
    `onnx_path` (the export of `model`) and, where the network has transposed
    convolutions, on its sub-pixel export beside it; none, with a note, where OpenVINO
    is not installed."""
    import torch

    from sketchgen.apis import init_model
    from sketchgen.apis.export import export_model
    try:
        import openvino
    except ImportError:
        print('OpenVINO left out: pip install "sketchgen[openvino]" to time it')
        return {}
    backends = {'OpenVINO fp32': init_model(onnx_path, backend='openvino')}
    if 'BF16' not in openvino.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES'):
        return backends
    backends['OpenVINO bf16'] = init_model(onnx_path, backend='openvino', amp='bf16')
    if any(isinstance(m, torch.nn.ConvTranspose2d) for m in model.inference_generator.modules()):
        subpixel_path = onnx_path.with_name(f'{onnx_path.stem}_subpixel.onnx')
        export_model(model, subpixel_path, 'onnx', subpixel=True)
        backends['OpenVINO bf16, sub-pixel export'] = init_model(
            subpixel_path, backend='openvino', amp='bf16')
    return backends


def _time_variant(cfg, name: str, args, count_flops_too: bool) -> tuple[float, float, dict]:
    """A fresh trainer with the variant's switches: seconds per training step,
    one-image inference latency, and when asked the FLOPs of both."""
    import torch

    from sketchgen.engine import Trainer
    switches = VARIANTS[name]
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(cfg, work_dir=tmp, run_name=name, **switches)
        loader = trainer.train_loader(0)
        fill_decoded_cache(loader.dataset)
        loader = iter(loader)
        trainer.start()
        flops = {}
        if count_flops_too:
            flops['train'] = count_flops(lambda: trainer.step(next(loader)))
        trainer_loop(trainer, loader, args.warmup)
        step_s = trainer_loop(trainer, loader, args.iters)[0]
        trainer.finish()
        model = trainer.model.eval().use_fast_path(switches['amp'], switches['channels_last'])
        # One sample of a training batch, with whatever else the model's generator
        # takes from it (condition labels, hints).
        one = {k: v[:1].to(trainer.device) for k, v in next(loader).items()
               if isinstance(v, torch.Tensor)}
        if count_flops_too:
            flops['infer'] = count_flops(lambda: model.generate_batch(one))
        latency = statistics.median(_time(lambda: model.generate_batch(one), 20, 5))
    return step_s, latency, flops


def fill_decoded_cache(dataset) -> None:
    """A `cache_decoded` data set decodes during its first epoch, a one-off cost; the
    figures are for the epochs after it."""
    if getattr(dataset, 'cache_decoded', False):
        t0 = time.perf_counter()
        dataset.fill_cache()
        print(f'decoded {len(dataset)} samples into memory in {time.perf_counter() - t0:.1f} s')


def _time(fn, n: int, skip: int) -> list[float]:
    times = []
    for i in range(n):
        _sync()
        t0 = time.perf_counter()
        fn()
        _sync()
        if i >= skip:
            times.append(time.perf_counter() - t0)
    return times


def make_bare_loop(model, batch: dict, amp: str = 'no', fused: bool = False):
    """Plain Pix2Pix steps on copies of the model's networks: no trainer, hooks or
    loader, with the trainer's precision and optimiser kernels, so the ratio measures
    the trainer alone. Returns run(iters) -> seconds per iteration; build once, warm
    up, time."""
    import torch

    from sketchgen.fast_path import autocast
    G, D = copy.deepcopy(model.generator), copy.deepcopy(model.discriminator)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999), fused=fused)
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999), fused=fused)
    bce, l1 = torch.nn.BCEWithLogitsLoss(), torch.nn.L1Loss()
    x, y = batch['source'], batch['target']

    def run_net(net, inputs):  # as accelerate's prepared model: autocast, fp32 out
        with autocast(inputs.device, amp):
            return net(inputs).float()

    def run(iters: int) -> float:
        _sync()
        start = time.perf_counter()
        for _ in range(iters):
            fake = run_net(G, x)
            real_logits = run_net(D, torch.cat([x, y], 1))
            fake_logits = run_net(D, torch.cat([x, fake.detach()], 1))
            loss_d = 0.5 * (bce(real_logits, torch.ones_like(real_logits))
                            + bce(fake_logits, torch.zeros_like(fake_logits)))
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            for p in D.parameters():
                p.requires_grad_(False)
            logits = run_net(D, torch.cat([x, fake], 1))
            loss_g = bce(logits, torch.ones_like(logits)) + 100 * l1(fake, y)
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            for p in D.parameters():
                p.requires_grad_(True)
        _sync()
        return (time.perf_counter() - start) / iters

    return run


def _sync():
    import torch
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def trainer_loop(trainer, loader, iters: int) -> tuple[float, float]:
    """Seconds per iteration and data-wait share of the trainer's own step."""
    _sync()
    start = time.perf_counter()
    data_time = 0.0
    for _ in range(iters):
        t0 = time.perf_counter()
        batch = next(loader)
        data_time += time.perf_counter() - t0
        trainer.step(batch)
    _sync()
    elapsed = time.perf_counter() - start
    return elapsed / iters, data_time / elapsed


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    if args.latency:
        figures = latency(args)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        return 0

    from sketchgen.config import load_config, parse_overrides
    from sketchgen.engine import Trainer

    options = parse_overrides(args.cfg_options)
    if args.batch_size:
        options['train_dataloader.batch_size'] = args.batch_size
    cfg = load_config(args.config, options)
    total = args.warmup + args.repeats * args.iters
    # The per-iteration hooks of a real run; evaluation, checkpoints and grids are
    # periodic costs reported by their own intervals, not per-iteration overhead.
    cfg.merge_from_dict({'train_cfg.max_iters': total, 'default_hooks.evaluation': None,
                         'default_hooks.checkpoint': None, 'default_hooks.visualization': None,
                         'default_hooks.logger': dict(type='LoggerHook', interval=10,
                                                      progress_bar=False)})
    if args.compare:
        cfg.merge_from_dict({'train_cfg.max_iters': 10 ** 6})
        figures = compare(args, cfg)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(cfg, work_dir=tmp, run_name=Path(args.config).stem)
        loader = trainer.train_loader(0)
        fill_decoded_cache(loader.dataset)
        loader = iter(loader)
        batch = next(loader)
        batch = {k: v.to(trainer.device) for k, v in batch.items()
                 if isinstance(v, torch.Tensor)}
        bare_loop = make_bare_loop(trainer.model, batch, trainer.amp, trainer.fused_optimizer)
        trainer.start()
        trainer_loop(trainer, loader, args.warmup)
        bare_loop(args.warmup)
        trainer_times, bare_times, waits = [], [], []
        for _ in range(args.repeats):
            t, w = trainer_loop(trainer, loader, args.iters)
            trainer_times.append(t)
            waits.append(w)
            bare_times.append(bare_loop(args.iters))
        trainer.finish()

        model = trainer.model.eval()
        sample = batch['source'][:1]
        latencies = []
        for i in range(25):
            _sync()
            t0 = time.perf_counter()
            model.generate(sample)
            _sync()
            if i >= 5:
                latencies.append(time.perf_counter() - t0)

    train_iter_s = statistics.median(trainer_times)
    bare_iter_s = statistics.median(bare_times)
    if torch.cuda.is_available():
        peak_mb = torch.cuda.max_memory_allocated() / 2 ** 20
        memory_kind = 'cuda max_memory_allocated'
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        memory_kind = 'process peak RSS'
    figures = dict(
        config=args.config, device=str(trainer.device),
        batch_size=trainer.batch_size, image_size=trainer.model.image_size,
        train_iter_s=train_iter_s, bare_iter_s=bare_iter_s,
        images_per_s=trainer.batch_size / train_iter_s,
        infer_latency_s=statistics.median(latencies), peak_mem_mb=peak_mb,
        peak_mem_kind=memory_kind, overhead_ratio=train_iter_s / bare_iter_s,
        data_wait_share=statistics.median(waits),
        torch=torch.__version__, threads=torch.get_num_threads())
    for k, v in figures.items():
        print(f'{k:18s} {v:.4f}' if isinstance(v, float) else f'{k:18s} {v}')
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('benchmark'))
