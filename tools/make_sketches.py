"""Entry point; the implementation and its --help live in sketchgen/tools/make_sketches.py."""
import sys

from sketchgen.tools.make_sketches import main

if __name__ == '__main__':
    sys.exit(main())
