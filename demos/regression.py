"""The regression demo; the same as `micrograd-nn demo regression`.

Usage: python demos/regression.py [--out DIR] [--quiet] [--seed N]
"""

import sys

from micrograd_nn.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", "regression", *sys.argv[1:]]))
