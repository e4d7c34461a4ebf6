"""`sketchgen colourise`: see sketchgen/tools/task_cli.py."""
from __future__ import annotations

from sketchgen.tools.task_cli import task_main


def main(argv=None) -> int:
    return task_main('colourise', argv)
