"""Entry point; the implementation and its --help live in sketchgen/tools/train.py."""
import sys

from sketchgen.tools.train import main

if __name__ == '__main__':
    sys.exit(main())
