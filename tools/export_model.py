"""Entry point; the implementation and its --help live in sketchgen/tools/export_model.py."""
import sys

from sketchgen.tools.export_model import main

if __name__ == '__main__':
    sys.exit(main())
