"""Allow ``python -m scanner``."""

from scanner.command import entry

entry()
