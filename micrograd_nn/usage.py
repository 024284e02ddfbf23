"""UserError: a mistake in the command line or its files, which the command prints on one line (exit status 2)."""


class UserError(Exception):
    """A mistake in the command line or its files: main prints the message on one line and exits with 2."""
