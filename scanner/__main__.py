"""Allow ``python -m scanner``."""

from scanner.cli import entry

entry()
