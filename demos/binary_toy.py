"""The binary_toy demo; the same as `micrograd-nn demo binary_toy`.

Usage: python demos/binary_toy.py [--out DIR] [--quiet] [--seed N]
"""

import sys

from micrograd_nn.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", "binary_toy", *sys.argv[1:]]))
