"""The exam_score demo; the same as `micrograd-nn demo exam_score`.

Usage: python demos/exam_score.py [--out DIR] [--quiet] [--seed N]
"""

import sys

from micrograd_nn.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", "exam_score", *sys.argv[1:]]))
