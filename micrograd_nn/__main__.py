"""`python -m micrograd_nn` runs the command-line interface."""

import sys

from micrograd_nn.cli import main

sys.exit(main())
