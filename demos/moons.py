"""The moons demo; the same as `micrograd-nn demo moons`.

Usage: python demos/moons.py [--out DIR] [--quiet] [--seed N]
"""

import sys

from micrograd_nn.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", "moons", *sys.argv[1:]]))
