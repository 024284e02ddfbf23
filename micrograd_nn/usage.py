"""UserError: a mistake in the command line or its files, which the command prints on one line (exit status 2)."""


class UserError(Exception):
    """A mistake in the command line or its files: main prints the message on one line and exits with 2."""


def parse_values(items: list[str]) -> dict[str, float]:
    """--set's NAME=NUMBER items as {name: number}; UserError for a malformed item or a name given twice."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = item.partition("=")
        name = name.strip()
        try:
            if not equals or not name:
                raise ValueError
            value = float(number)
        except ValueError:
            raise UserError(f"--set needs NAME=NUMBER, got {item!r}") from None
        if name in values:
            raise UserError(f"--set gives {name!r} two values")
        values[name] = value
    return values
