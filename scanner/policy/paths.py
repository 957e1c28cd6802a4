"""Where the bundled policies live: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def policies_dir() -> Path:
    here = Path(__file__).resolve().parent.parent  # scanner/
    installed = here / "policies"  # the wheel maps policies/ to scanner/policies/
    if installed.is_dir():
        return installed
    checkout = here.parent / "policies"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("sovscan's bundled policies/ folder is missing from this installation")


def display_path(path: Path) -> str:
    """A short, stable name for a bundled policy file in error messages."""
    try:
        return "policies/" + path.resolve().relative_to(policies_dir()).as_posix()
    except ValueError:
        return str(path)


def find_upward(start: Path, names: tuple[str, ...]) -> Path | None:
    """The nearest file with one of ``names`` at or above ``start`` (.sovscan.yml, the waiver file)."""
    directory = (start if start.is_dir() else start.parent).resolve()
    for folder in (directory, *directory.parents):
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None
