"""Entry point; the implementation and its --help live in sketchgen/tools/simplification_eval.py."""
import sys

from sketchgen.tools.simplification_eval import main

if __name__ == '__main__':
    sys.exit(main())
