"""The ``sovscan`` program (``python -m scanner``): a replay when nothing changed, else the CLI.

``sovscan scan`` run again on unchanged inputs is answered from the scan cache
before click and the CLI are even imported (``scancache.replay_command``);
everything else, and any doubt, goes to ``scanner.cli.app.main``. The process then
ends without tearing its heap down: CPython would free every object one by
one (50 ms of a 1k-resource scan, 0.13 s of a 10k one) for memory the system
takes back at once anyway, as mypy does. Output is flushed first.
In-process callers (tests, benchmarks) use ``scanner.cli.app.main``.
"""

from __future__ import annotations

import os
import sys


def entry() -> None:
    argv = sys.argv[1:]
    code: object = None
    if argv[:1] == ["scan"] and "--no-cache" not in argv:
        try:
            code = _replayed(argv)
        except KeyboardInterrupt:  # as scanner.cli.app.main answers it
            print("Interrupted.", file=sys.stderr)
            _exit(130)
    if code is None:
        code = _run(argv)
    _exit(code)


def _replayed(argv: list[str]) -> int | None:
    try:
        from scanner.cli import replay as scancache

        return scancache.replay_command(argv)
    except Exception:  # noqa: BLE001 - a replay that cannot be trusted is simply not taken
        return None


def _run(argv: list[str]) -> object:
    from scanner.cli.app import main

    try:
        main(argv, program=True)
    except SystemExit as exc:
        return exc.code
    return 0


def _exit(code: object) -> None:
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1, as Python does
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (sovscan scan | head): nothing more to say
            pass
    os._exit(status)


if __name__ == "__main__":
    entry()
