"""Download a model zoo file by name into the cache, check its sha256, convert it.

    sketchgen download NAME [NAME ...]

Prints each file's local path. See model_zoo.md for the names and the environment
variables (SKETCHGEN_CACHE, SKETCHGEN_ZOO_URL, SKETCHGEN_OFFLINE).
"""
from __future__ import annotations

import argparse

from sketchgen import zoo


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='Download model zoo files by name.')
    p.add_argument('names', nargs='+', metavar='NAME')
    args = p.parse_args(argv)
    for name in args.names:
        print(zoo.download(name))
    return 0
