"""`sketchgen TOOL ARGS...` runs the tools in sketchgen.tools.TOOLS."""
from __future__ import annotations

import sys

from sketchgen.tools import TOOLS, run


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0].replace('-', '_') in TOOLS:   # `list-models` = `list_models`
        argv[0] = argv[0].replace('-', '_')
    if not argv or argv[0] in ('-h', '--help') or argv[0] not in TOOLS:
        print(f'usage: sketchgen {{{",".join(TOOLS)}}} ... [--debug]   (sketchgen TOOL --help '
              'for its options; --debug shows tracebacks)')
        return 0 if not argv or argv[0] in ('-h', '--help') else 2
    return run(argv[0], argv[1:])


if __name__ == '__main__':
    sys.exit(main())
