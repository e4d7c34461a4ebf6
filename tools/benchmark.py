"""Entry point; the implementation and its --help live in sketchgen/tools/benchmark.py."""
import sys

from sketchgen.tools.benchmark import main

if __name__ == '__main__':
    sys.exit(main())
