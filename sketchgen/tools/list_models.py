"""List the model zoo: name, task, where the file comes from, first metrics.

    sketchgen list_models [--task colourise]
"""
from __future__ import annotations

import argparse

from sketchgen import zoo


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='List the model zoo.')
    p.add_argument('--task', choices=zoo.TASKS)
    args = p.parse_args(argv)
    models = zoo.list_models(args.task)
    width = max((len(m.name) for m in models), default=4)
    for m in models:
        first = m.results[0] if m.results else None
        metrics = (', '.join(f'{k} {v}' for k, v in list(first['metrics'].items())[:3])
                   if first else '')
        print(f'{m.name:<{width}}  {m.task:<10} {m.available:<8} {metrics}')
    return 0
