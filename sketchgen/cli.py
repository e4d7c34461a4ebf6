"""`sketchgen TOOL ARGS...` forwards to the tools in sketchgen.tools.TOOLS."""
from __future__ import annotations

import importlib
import sys

from sketchgen.tools import TOOLS


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help') or argv[0] not in TOOLS:
        print(f'usage: sketchgen {{{",".join(TOOLS)}}} ...   (sketchgen TOOL --help for its '
              'options)')
        return 0 if not argv or argv[0] in ('-h', '--help') else 2
    tool = importlib.import_module(f'sketchgen.tools.{argv[0]}')
    return tool.main(argv[1:])


if __name__ == '__main__':
    sys.exit(main())
