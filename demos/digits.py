"""The digits demo; the same as `micrograd-nn demo digits`.

Usage: python demos/digits.py [--out DIR] [--quiet] [--seed N] [--mnist-csv PATH] [--squared-error]
"""

import sys

from micrograd_nn.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", "digits", *sys.argv[1:]]))
