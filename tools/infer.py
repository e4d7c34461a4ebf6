"""Entry point; the implementation and its --help live in sketchgen/tools/infer.py."""
import sys

from sketchgen.tools.infer import main

if __name__ == '__main__':
    sys.exit(main())
