"""Train a model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--seed N]
                                 [--amp {no,fp16,bf16}] [--cfg-options k.sub=v ...]
                                 [--dry-run]

The same script runs on many processes: `accelerate launch tools/train.py CONFIG`
or `torchrun --nproc_per_node 8 tools/train.py CONFIG`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train a sketchgen model from a config file.')
    p.add_argument('config', help='config file, e.g. configs/pix2pix/...py')
    p.add_argument('--work-dir', help='output folder (default: work_dirs/<config name>)')
    p.add_argument('--resume', nargs='?', const=True, default=False, metavar='CKPT',
                   help='continue from the newest checkpoint in the work dir, or from CKPT')
    p.add_argument('--seed', type=int, help='random seed (default: the config\'s, else 0)')
    p.add_argument('--amp', choices=['no', 'fp16', 'bf16', 'auto'],
                   help="mixed precision through accelerate (default: the config's amp); "
                        'auto = bf16 where the CPU or GPU computes it natively')
    p.add_argument('--channels-last', action=argparse.BooleanOptionalAction, default=None,
                   help="NHWC networks and batches (default: the config's channels_last)")
    p.add_argument('--compile', action=argparse.BooleanOptionalAction, default=None,
                   help="torch.compile the trained networks (default: the config's compile; "
                        'falls back to eager with a warning without a C++ compiler)')
    p.add_argument('--fused-optimizer', action=argparse.BooleanOptionalAction, default=None,
                   help="the optimisers' fused kernels (default: the config's fused_optimizer)")
    p.add_argument('--small-convs-as-matmul', action=argparse.BooleanOptionalAction,
                   default=None, help='convolutions on small maps (at most 256 positions over '
                   "the batch) as matrix multiplies (default: the config's small_convs_as_matmul)")
    p.add_argument('--winograd-convs', action=argparse.BooleanOptionalAction, default=None,
                   help='wide 3x3 convolutions on large maps as Winograd F(4x4, 3x3) in fp32 '
                   "on CPU (default: the config's winograd_convs)")
    p.add_argument('--keep-freed-memory', action=argparse.BooleanOptionalAction, default=None,
                   help='reuse freed memory instead of faulting fresh pages in every step '
                   "(glibc; default: the config's keep_freed_memory, else on for CPU training)")
    p.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                   help='override config entries, e.g. train_cfg.max_iters=100 '
                   'model.generator.base_channels=16 data_root=/my/data; values are Python '
                   'literals or plain text (spaces kept); keys nothing reads are refused')
    p.add_argument('--dry-run', action='store_true',
                   help='build everything and run one iteration; write nothing')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from sketchgen.config import load_config, parse_overrides
    from sketchgen.engine import Trainer

    overrides = parse_overrides(args.cfg_options)
    cfg = load_config(args.config, overrides)
    run_name = Path(args.config).stem
    trainer = Trainer(cfg, work_dir=args.work_dir, run_name=run_name, seed=args.seed,
                      amp=args.amp, resume=args.resume, dry_run=args.dry_run,
                      channels_last=args.channels_last, compile=args.compile,
                      fused_optimizer=args.fused_optimizer,
                      small_convs_as_matmul=args.small_convs_as_matmul,
                      winograd_convs=args.winograd_convs,
                      keep_freed_memory=args.keep_freed_memory,
                      options=dict(config=str(args.config), cfg_options=overrides,
                                   argv=sys.argv[1:] if argv is None else list(argv)))
    outputs = trainer.train()
    if not trainer.accelerator.is_main_process:
        return 0
    if args.dry_run:
        print('Dry run: one iteration OK; nothing written. Losses: '
              + ', '.join(f'{k} {v:.4f}' for k, v in outputs.items()))
    else:
        print(f'Done: {trainer.iteration} iterations; outputs in {trainer.work_dir}')
    return 0


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('train'))
