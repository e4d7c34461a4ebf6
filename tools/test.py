"""Entry point; the implementation and its --help live in sketchgen/tools/test.py."""
import sys

from sketchgen.tools.test import main

if __name__ == '__main__':
    sys.exit(main())
