"""Replay a scan whose every input is unchanged: the warm path of a re-run in CI or on a workstation.

A scan's output is a function of: sovscan's code and bundled policies, the
command's options, the working folder, the day (verdicts expire), a few
environment variables, the bytes of every file under each scanned folder,
and the files a scan finds above it (``.sovscan.yml``, the waiver file, the
repository's ``.git``, by its presence only), and what the scan read outside
the scanned folders (modules of the repository beside them, files named by
file()). ``scan_key`` hashes all it can know before the scan, every file by
its content, so an edited, added, removed or renamed file is a miss; the
entry holds what the scan printed and wrote, its exit code, and the digests
of what it read outside, checked again before a replay.

The per-file parse cache (``sources/terraform/parsecache.py``) still serves
a scan in which some files changed; this cache only saves the evaluation,
the verdicts and the rendering when nothing did. Both live in sovscan's cache
directory and are bypassed by ``--no-cache``; an entry is checksummed and
written atomically (``resultcache``), so a damaged entry or a concurrent run
is a miss, never a wrong result.

This module is imported before anything heavy (no click, no dataclasses): a
hit costs starting Python, the walk of the scanned folders and the replay.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

from scanner.support.resultcache import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and dataclasses would cost a replay imports it does without
    from collections.abc import Iterable

KIND = "scan"
KEEP_ENTRIES = 8  # the most recently used scans kept; a scan of a big repository stores its whole report
COMMAND_KIND = "command"
KEEP_COMMANDS = 64  # command lines and what they parse to: a few hundred bytes each
# Files larger than this are never read by a Terraform scan (sources/terraform/files.py refuses them by
# size), so only their size can change the result.
MAX_HASHED_BYTES = 4 * 1024 * 1024
# Names read from the environment by a scan: Terraform variables, sovscan's own settings, the report language.
ENVIRONMENT_PREFIXES = ("TF_VAR_", "SOVSCAN_")
ENVIRONMENT_NAMES = ("NO_COLOR", "LC_ALL", "LC_MESSAGES", "LANG", "SOURCE_DATE_EPOCH")
# Found at or above the first scanned path (policy/config.py, suppress.py, cli/sourcepaths.py).
ABOVE_NAMES = (".sovscan.yml", ".sovscan.yaml", ".sovscan-waivers.yml", ".sovscan-waivers.yaml", ".git")
# Under a scanned folder: never read by a scan (.git) or too big to hash and never read (provider binaries).
SKIPPED_FOLDERS = {".git"}
SKIPPED_UNDER_TERRAFORM = {"providers", "plugins"}


class Outputs:
    """What a scan prints and writes, done now and kept so that an unchanged re-scan can replay it."""

    def __init__(self) -> None:
        self.effects: list[tuple[str, ...]] = []
        self.dependencies: list[str] = []  # folders and files read outside the scanned folders

    def depends_on(self, paths: Iterable[Path]) -> None:
        """What the scan read outside its folders (``scan_key`` cannot know it beforehand)."""
        self.dependencies += [str(p) for p in paths]

    def stdout(self, text: str) -> None:
        import click

        click.echo(text, nl=False)
        self.effects.append(("stdout", text))

    def stderr(self, line: str) -> None:
        import click

        click.echo(line, err=True)
        self.effects.append(("stderr", line))

    def file(self, path: Path, text: str) -> None:
        write_file(path, text)
        self.effects.append(("file", str(path), text))


def write_file(path: Path, text: str) -> None:
    """A report file the user asked for; a file that cannot be written is a usage error (exit 2)."""
    try:
        _write_text(path, text)
    except OSError as exc:
        from scanner.cli.app import UsageProblem

        raise UsageProblem(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def scan_key(inputs: list[Path], settings_repr: str, files: Iterable[Path | None]) -> str:
    """The hash of everything a ``sovscan scan`` with these inputs and options depends on."""
    digest = blake2b(digest_size=32)

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(str(part).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")

    add("sovscan-scan-1", sys.version, settings_repr, os.getcwd(), _today(), sys.stdout.isatty())
    for name in sorted(os.environ):
        if name.startswith(ENVIRONMENT_PREFIXES) or name in ENVIRONMENT_NAMES:
            add(name, os.environ[name])
    from scanner.policy.paths import policies_dir

    _add_installation(digest, Path(__file__).resolve().parents[1])  # the whole scanner package
    _add_installation(digest, policies_dir())
    for item in (*inputs, Path.cwd()):
        _add_above(digest, item)
    for path in files:  # files named by options: --config, --var-file, --waivers, --baseline, --against
        if path is not None:
            add("option file", path)
            _add_file(digest, path, whole=True)
    for item in inputs:
        add("input", item)
        target = item.parent if item.name.endswith((".tf", ".tf.json")) else item
        if target.is_dir():
            _add_tree(digest, target, _own_folders())
        else:
            _add_file(digest, target, whole=True)
    return digest.hexdigest()


def _today() -> str:
    return os.environ.get("SOVSCAN_TODAY") or time.strftime("%Y-%m-%d")  # pipeline.today(), without its imports


def _stat(path: Path | str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _add_above(digest, start: Path) -> None:
    """The files a scan looks for in every folder at or above ``start``, by content."""
    try:
        folder = (start if start.is_dir() else start.parent).resolve()
    except OSError:
        return
    for directory in (folder, *folder.parents):
        for name in ABOVE_NAMES:
            path = os.path.join(directory, name)
            info = _stat(path)
            if info is not None:
                digest.update(f"above\0{path}\0".encode("utf-8", "surrogateescape"))
                # .git (a folder, or a file in a worktree or submodule) counts by being there, and is never opened
                if not stat.S_ISDIR(info.st_mode) and name != ".git":
                    digest.update(_file_digest(path, whole=True))


def _add_file(digest, path: Path | None, whole: bool = False) -> None:
    digest.update(_file_digest(str(path), whole) if path is not None else b"<none>\0")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _file_digest(path: str, whole: bool = False) -> bytes:
    """A file's bytes hashed, or what it is when a scan would not read them (missing, special, too big, unreadable).

    Opened without blocking and checked with fstat, as ``files.read_bytes``
    does, so a FIFO cannot hang the key. ``whole``: an input named on the
    command line (an export, a plan) counts whatever its size; a file under
    a scanned folder over ``MAX_HASHED_BYTES`` is never read by a scan, so
    its size stands for it.
    """
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return f"<unreadable {exc.errno}>\0".encode()
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return f"<mode {stat.S_IFMT(info.st_mode)}>\0".encode()
        if info.st_size > MAX_HASHED_BYTES and not whole:
            return f"<{info.st_size} bytes>\0".encode()
        hasher = blake2b(digest_size=32)
        while chunk := os.read(handle, 1 << 20):  # by the megabyte: an export named on the command line can be large
            hasher.update(chunk)
        return hasher.digest()
    except OSError as exc:
        return f"<unreadable {exc.errno}>\0".encode()
    finally:
        os.close(handle)


def _add_installation(digest, root: Path) -> None:
    """sovscan's own files (code, bundled policies) by name, size and modification time.

    They change only when sovscan is installed again or edited in a
    checkout, which always sets a new modification time; reading them all on
    every run would cost more than the rest of a replay.
    """
    stack = [str(root)]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            try:
                info = entry.stat(follow_symlinks=True)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(entry.path)
            elif entry.name.endswith((".py", ".yml", ".yaml", ".json", ".lark")):
                digest.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))


def _own_folders() -> set[str]:
    """sovscan's cache folder, when it sits inside a scanned folder (a CI cache kept in the repository)."""
    from scanner.support.cache import cache_dir

    directory = cache_dir()
    return {os.path.realpath(directory)} if directory is not None else set()


def _add_tree(digest, root: Path, skipped: frozenset[str] | set[str] = frozenset()) -> None:
    """Every name under ``root`` and every file's bytes, in a fixed order; symlinks by what they lead to.

    ``skipped``: real paths of folders left out, with their names: sovscan's
    own cache, which every scan writes to and no scan reads as input.
    """
    stack = [str(root)]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            digest.update(f"<unlistable {directory} {exc.errno}>\0".encode("utf-8", "surrogateescape"))
            continue
        digest.update(f"dir\0{directory}\0".encode("utf-8", "surrogateescape"))
        in_terraform = os.path.basename(directory) == ".terraform"
        subfolders = []
        for entry in entries:
            name = entry.name
            if skipped and entry.is_dir(follow_symlinks=False) and os.path.realpath(entry.path) in skipped:
                continue
            digest.update(f"{name}\0".encode("utf-8", "surrogateescape"))
            if entry.is_symlink():
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    target = "<unreadable link>"
                info = _stat(entry.path)  # what it leads to: a scan reports a broken link, a loop, a folder
                digest.update(f"-> {target}\0<target {stat.S_IFMT(info.st_mode) if info else 'absent'}>\0".encode("utf-8", "surrogateescape"))
                if info is not None and stat.S_ISREG(info.st_mode):
                    digest.update(_file_digest(entry.path))
                continue  # a scan never walks into a folder link
            if entry.is_dir(follow_symlinks=False):
                if name not in SKIPPED_FOLDERS and not (in_terraform and name in SKIPPED_UNDER_TERRAFORM):
                    subfolders.append(entry.path)
            else:
                digest.update(_file_digest(entry.path))
        stack.extend(reversed(subfolders))


class Entry:
    """A stored scan: what it printed and wrote, in order, and its exit code."""

    def __init__(self, effects: list[tuple[str, ...]], exit_code: int):
        self.effects = effects
        self.exit_code = exit_code

    def replay(self) -> int:
        import click

        for effect in self.effects:
            kind = effect[0]
            if kind == "stdout":
                click.echo(effect[1], nl=False)
            elif kind == "stderr":
                click.echo(effect[1], err=True)
            elif kind == "file":
                write_file(Path(effect[1]), effect[2])
        return self.exit_code

    def replay_without_click(self) -> int | None:
        """The replay, written straight to the streams; None (nothing written) when only click can write it alike.

        click.echo strips terminal escape sequences from output that is not a
        terminal, so text holding one (a hostile tag value) goes through click.
        Files are written first: if one cannot be, the full command reports it.
        """
        texts = [e[1] for e in self.effects if e[0] in ("stdout", "stderr")]
        if any("\x1b" in text for text in texts) or not all(_utf8(stream) for stream in (sys.stdout, sys.stderr)):
            return None
        try:
            for effect in self.effects:
                if effect[0] == "file":
                    _write_text(Path(effect[1]), effect[2])
        except OSError:
            return None
        try:
            for effect in self.effects:
                if effect[0] == "stdout":
                    sys.stdout.write(effect[1])
                elif effect[0] == "stderr":
                    sys.stderr.write(effect[1] + "\n")
        except OSError:  # a closed pipe (sovscan scan | head): the replay has begun, it must not run twice
            pass
        return self.exit_code


def _utf8(stream) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "") == "utf8"


def load(key: str) -> Entry | None:
    from scanner.support import resultcache

    value = resultcache.load(KIND, key)
    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], list) and isinstance(value[1], int) and isinstance(value[2], list)):
        return None
    if any(not (isinstance(d, (tuple, list)) and len(d) == 2) or _dependency_digest(d[0]) != d[1] for d in value[2]):
        return None  # a module beside the scanned folder, or a file it reads, changed
    resultcache.touch(KIND, key)
    return Entry(value[0], value[1])


def store(key: str, outputs: Outputs, exit_code: int) -> None:
    from scanner.support import resultcache

    dependencies = [(path, _dependency_digest(path)) for path in sorted(set(outputs.dependencies))]
    resultcache.store(KIND, key, (outputs.effects, int(exit_code), dependencies))  # an int: an ExitCode would import the CLI to load
    resultcache.prune(KIND, KEEP_ENTRIES)


def _dependency_digest(path: str) -> str:
    """A folder read outside the scanned ones by its tree (a module's files), a file by its bytes."""
    digest = blake2b(digest_size=32)
    if os.path.isdir(path):
        _add_tree(digest, Path(path))
    else:
        digest.update(_file_digest(path))
    return digest.hexdigest()


# --------------------------------------------------------------------------- replaying before click loads
#
# Starting Python and importing click is most of a replay (37 of 58 ms for the 1k benchmark corpus). So the
# ``sovscan`` program (scanner/__main__.py) first looks its command line up: a scan that ran with the cache
# left what its command line parses to (inputs, options, files named by options), and ``scan_key`` over
# those, computed exactly as the full command computes it, finds the stored scan. Parsing is a function of
# the command line, the working folder and sovscan's code, which is what ``command_key`` hashes; everything
# else a scan depends on is in ``scan_key``. Anything unexpected falls back to the full command.


def command_key(argv: list[str]) -> str:
    digest = blake2b(digest_size=32)
    parser = _package_stamp("click")  # click parses the command line, and can be upgraded on its own
    digest.update(repr(("sovscan-command-1", sys.version, os.getcwd(), list(argv), parser)).encode("utf-8", "surrogateescape"))
    _add_installation(digest, Path(__file__).resolve().parents[1])  # the whole scanner package
    return digest.hexdigest()


def _package_stamp(name: str) -> str:
    """Where a package would be imported from, with its ``__init__.py``'s size and time, without importing it."""
    for folder in sys.path:
        init = os.path.join(folder or ".", name, "__init__.py")
        info = _stat(init)
        if info is not None:
            return f"{init}\0{info.st_size}\0{info.st_mtime_ns}"
    return "<absent>"


def remember_command(argv: list[str], inputs: list[Path], settings_repr: str, option_files: list[Path | None]) -> None:
    from scanner.support import resultcache

    parsed = ([str(p) for p in inputs], settings_repr, [None if p is None else str(p) for p in option_files])
    resultcache.store(COMMAND_KIND, command_key(argv), parsed)
    resultcache.prune(COMMAND_KIND, KEEP_COMMANDS)


def replay_command(argv: list[str]) -> int | None:
    """The exit code of ``sovscan scan`` replayed without loading the CLI, or None: run the command."""
    from scanner.support import resultcache

    parsed = resultcache.load(COMMAND_KIND, command_key(argv))
    if not (isinstance(parsed, tuple) and len(parsed) == 3 and isinstance(parsed[1], str)):
        return None
    inputs, settings_repr, option_files = parsed
    if not (isinstance(inputs, list) and isinstance(option_files, list) and all(isinstance(p, str) for p in inputs)):
        return None
    if not all(p is None or isinstance(p, str) for p in option_files):
        return None
    key = scan_key([Path(p) for p in inputs], settings_repr, [None if p is None else Path(p) for p in option_files])
    entry = load(key)
    return entry.replay_without_click() if entry is not None else None
