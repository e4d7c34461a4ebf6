"""Entry point; the implementation and its --help live in sketchgen/tools/make_rough.py."""
import sys

from sketchgen.tools.make_rough import main

if __name__ == '__main__':
    sys.exit(main())
