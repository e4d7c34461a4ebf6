"""Entry point; the implementation and its --help live in sketchgen/tools/publish_model.py."""
import sys

from sketchgen.tools import run

if __name__ == '__main__':
    sys.exit(run('publish_model'))
