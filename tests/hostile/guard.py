"""A guard for the duration of a scan: no network, no program run, no file read outside the allowed folders.

Two layers. The Python functions a scanner would call (``socket.socket.connect``,
``socket.getaddrinfo``, ``socket.create_connection``, ``subprocess.Popen``,
``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``) are replaced
by stubs that record the attempt and raise. Under them, a PEP 578 audit hook
(https://peps.python.org/pep-0578/) sees the same operations at the C level,
whatever library makes them, and every ``open`` of a file: a read outside
the allowed folders, or a write outside the allowed ones, is recorded and
refused. Audit hooks cannot be removed, so one hook is installed per process
and only acts while a guard is armed.

Every attempt is recorded even when the code under test catches the error,
so a scanner that swallows a ``PermissionError`` is still caught.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

NETWORK_EVENTS = {
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg", "urllib.Request",
}
EXECUTION_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile", "pty.spawn"}
INTERNET_FAMILIES = {socket.AF_INET, socket.AF_INET6}


class Refused(PermissionError):
    """What the guard raises: a PermissionError, as the operating system would."""


@dataclass
class Guard:
    reads: tuple[Path, ...] = ()
    writes: tuple[Path, ...] = ()
    violations: list[str] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def refuse(self, what: str) -> None:
        self.violations.append(what)
        raise Refused(f"refused by the test guard: {what}")

    def audit(self, event: str, args: tuple) -> None:
        if event in NETWORK_EVENTS:
            self.refuse(f"{event} {args[1:2] if event == 'socket.connect' else args[:1]}")
        elif event == "socket.__new__" and args[1] in INTERNET_FAMILIES:
            self.refuse(f"socket.__new__ family={args[1]}")
        elif event in EXECUTION_EVENTS:
            self.refuse(f"{event} {str(args[:2])[:200]}")
        elif event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            self._open(args)

    def _open(self, args: tuple) -> None:
        raw = os.fsdecode(args[0])
        path = Path(os.path.abspath(raw))
        mode = args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        allowed = self.writes if writing else self.reads + self.writes
        bytecode = writing and path.parent.name == "__pycache__" and any(_within(path, root) for root in self.reads)
        if not bytecode and not any(_within(path, root) for root in allowed):
            self.refuse(f"{'write' if writing else 'read'} {path}")
        self.opened.append(path)


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


_current: list[Guard] = []


def _hook(event: str, args: tuple) -> None:
    if _current:
        guard = _current[-1]
        _current.clear()  # the hook's own work (resolving paths) must not re-enter it
        try:
            guard.audit(event, args)
        finally:
            _current.append(guard)


_installed = False


def _python_and_sovscan() -> list[Path]:
    """What any scan may read: Python's libraries, sovscan's code and its policies."""
    import scanner
    from scanner.policy.paths import policies_dir

    return [Path(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}] + [Path(scanner.__file__).parent, policies_dir()]


def _stub(guard: Guard, what: str):
    def refused(*args, **kwargs):
        guard.refuse(f"{what}{str(args[:2])[:200]}")

    return refused


@contextmanager
def guarded(monkeypatch, reads: list[Path], writes: list[Path]) -> Iterator[Guard]:
    """Arm a guard: reads under ``reads`` (and Python's own folders), writes under ``writes`` only."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    guard = Guard(tuple(p.resolve() for p in [*reads, *_python_and_sovscan()]), tuple(p.resolve() for p in writes))
    monkeypatch.setattr(socket.socket, "connect", _stub(guard, "socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", _stub(guard, "socket.connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", _stub(guard, "socket.getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", _stub(guard, "socket.create_connection"))
    monkeypatch.setattr(subprocess, "Popen", _stub(guard, "subprocess.Popen"))
    monkeypatch.setattr(os, "system", _stub(guard, "os.system"))
    for name in ("execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "execlpe", "spawnv", "spawnve", "spawnl", "spawnle", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, _stub(guard, f"os.{name}"))
    _current.append(guard)
    try:
        yield guard
    finally:
        _current.clear()
