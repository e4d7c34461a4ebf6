"""Two processes on CPU (gloo): G and D each in their own DDP wrapper, one work dir
written by rank 0, and a launch that forms no group refused instead of run twice."""
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import tiny_config

ROOT = Path(__file__).resolve().parents[1]


def torchrun(config, work_dir, env_extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1', **env_extra)
    return subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         str(ROOT / 'tools' / 'train.py'), str(config), '--work-dir', str(work_dir)],
        env=env, capture_output=True, text=True, timeout=300)


def test_two_cpu_processes_train_one_run(tiny_pairs, tmp_path):
    config = tmp_path / 'tiny.py'
    tiny_config(tiny_pairs, train_cfg=dict(max_iters=4, val_interval=2)).dump(str(config))
    result = torchrun(config, tmp_path / 'run', {'ACCELERATE_USE_CPU': '1'})
    assert result.returncode == 0, result.stderr[-3000:]
    options = json.loads((tmp_path / 'run' / 'training_options.json').read_text())
    assert options['num_processes'] == 2
    assert result.stdout.count('Done: 4 iterations') == 1  # only rank 0 reports
    assert (tmp_path / 'run' / 'checkpoints' / 'iter_000004' / 'model.safetensors').is_file()


def test_launch_without_a_process_group_is_refused(tiny_pairs, tmp_path):
    config = tmp_path / 'tiny.py'
    tiny_config(tiny_pairs).dump(str(config))
    env = {k: v for k, v in os.environ.items() if k != 'ACCELERATE_USE_CPU'}
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         str(ROOT / 'tools' / 'train.py'), str(config), '--work-dir', str(tmp_path / 'run')],
        env=dict(env, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1'), capture_output=True,
        text=True, timeout=300)
    assert result.returncode != 0
    assert 'set ACCELERATE_USE_CPU=1' in result.stderr
    assert not (tmp_path / 'run').exists()
