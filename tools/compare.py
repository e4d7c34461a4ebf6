"""Entry point; the implementation and its --help live in sketchgen/tools/compare.py."""
import sys

from sketchgen.tools.compare import main

if __name__ == '__main__':
    sys.exit(main())
