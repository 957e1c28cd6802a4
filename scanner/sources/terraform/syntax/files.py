"""Find and read Terraform files under a root, defensively.

The walk skips hidden folders (``.terraform``, ``.git``…), never follows a
symlink out of the scanned root or round a loop, and turns every unreadable,
binary, oversized or badly encoded file into one error line; the rest of the
scan goes on.

Symlinked folders inside the root are not walked: what they point to is
scanned where it really is, so nothing is read twice and no link can lead
the walk in circles. A name sovscan shows (in errors, findings and reports)
never carries a control character: an escape or a line break in a file name
is written out as ``\\x1b`` or ``\\x0a``, so a hostile name can neither
rewrite the terminal nor split one error into two lines.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model import ScanError
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_body
from scanner.sources.terraform.syntax.tfjson import parse_tf_json

MAX_FILE_BYTES = 4 * 1024 * 1024
CONFIG_SUFFIXES = (".tf", ".tf.json")
VARS_SUFFIXES = (".tfvars", ".tfvars.json")
TERRAFORM_SUFFIXES = CONFIG_SUFFIXES + VARS_SUFFIXES

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class Discovered:
    module_dirs: dict[str, list[Path]] = field(default_factory=dict)  # "." or "a/b" -> config files
    tfvars: dict[str, list[Path]] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)


def printable(text: str) -> str:
    """``text`` with control characters written as escapes, so it stays one harmless line."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(message: str) -> str:
    """An error message on one line (a token or a file name may hold line breaks)."""
    return printable(" ".join(message.split("\n")).replace("\r", " "))


def relative(root: Path, path: Path) -> str:
    """How a path under ``root`` is shown: relative, with control characters escaped."""
    return printable(_key(root, path))


def _key(root: Path, path: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return rel or "."


def discover(root: Path, prefix: str = "", limit: Path | None = None) -> Discovered:
    """Every folder holding .tf/.tf.json files, and the .tfvars beside them.

    Folder keys are relative to ``root``; error paths carry ``prefix``. A
    symlinked file may lead anywhere inside ``limit`` (the repository,
    resolved; the scanned root when there is none).
    """
    found = Discovered()

    def shown(path: Path) -> str:
        return prefix + relative(root, path)

    root_real = root.resolve()
    limit_real, where = (limit, "the repository") if limit is not None else (root_real, "the scanned root")
    seen: set[tuple[int, int]] = set()  # (device, inode): a folder mounted twice is walked once
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            found.errors.append(ScanError(shown(directory), None, f"cannot list the folder: {exc.strerror or exc}", kind="unreadable"))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        config: list[Path] = []
        tfvars: list[Path] = []
        subfolders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue  # .terraform, .git, editors' folders: never scanned
            path = Path(entry.path)
            if entry.is_symlink():
                problem = symlink_problem(limit_real, path, entry.name, where)
                if problem:
                    found.errors.append(ScanError(shown(path), None, problem, kind="unreadable"))
                if problem or _is_dir(entry):
                    continue  # a folder link inside the root: its target is walked where it is
            if _is_dir(entry):
                subfolders.append(path)
            elif entry.name.endswith(CONFIG_SUFFIXES):
                config.append(path)
            elif entry.name.endswith(VARS_SUFFIXES):
                tfvars.append(path)
        stack.extend(reversed(subfolders))
        rel = _key(root, directory)  # the folder's real name: module sources are resolved against it
        if config:
            found.module_dirs[rel] = config
        if tfvars:
            found.tfvars[rel] = tfvars
    return found


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def symlink_problem(root_real: Path, path: Path, name: str, where: str = "the scanned root") -> str | None:
    """Why a symlink is not followed, or None when it leads somewhere inside ``root_real`` (``where``).

    Links that are neither folders nor Terraform files are nobody's business
    here, so they are only judged when they matter.
    """
    relevant = name.endswith(TERRAFORM_SUFFIXES)
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a loop of links this way
        return "symlink loop; not followed"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop; not followed"
        return "broken symlink (its target does not exist); skipped" if relevant else None
    if target.is_dir():
        relevant = True
    try:
        target.relative_to(root_real)
    except ValueError:
        return f"symlink leads outside {where}; not followed" if relevant else None
    if target.is_dir() and path.parent.resolve().is_relative_to(target):
        return "symlink loop: it leads back to a folder that contains it; not followed"
    return None


def read_text(path: Path, display: str) -> str | ScanError:
    """A file's text, or one error saying why it cannot be used."""
    data = read_bytes(path, display)
    return data if isinstance(data, ScanError) else decode(data, display)


def read_bytes(path: Path, display: str, limit: int = MAX_FILE_BYTES) -> bytes | ScanError:
    """A regular file's bytes, at most ``limit`` of them, or one error saying why not.

    The file is opened without blocking and checked to be a regular file
    before anything is read, so a FIFO or a device named ``main.tf`` cannot
    hang or flood the scan. Anything that reads a file of the scanned
    repository should read it here.
    """
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            return ScanError(display, None, "broken symlink (its target does not exist); skipped", kind="unreadable")
        return ScanError(display, None, f"cannot read the file: {exc.strerror or exc}", kind="unreadable")
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return ScanError(display, None, f"not a regular file ({_kind(info.st_mode)}); skipped", kind="unreadable")
        if info.st_size > limit:
            return _too_large(display, info.st_size, limit)
        data = _read_at_most(handle, limit + 1)
    except OSError as exc:
        return ScanError(display, None, f"cannot read the file: {exc.strerror or exc}", kind="unreadable")
    finally:
        os.close(handle)
    if len(data) > limit:  # it grew after fstat
        return _too_large(display, len(data), limit)
    return data


def _read_at_most(handle: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(handle, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_large(display: str, size: int, limit: int) -> ScanError:
    return ScanError(display, None, f"file is {size / 1_048_576:.1f} MB, over the {limit / 1_048_576:g} MB limit for one Terraform file; skipped", kind="unreadable")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def decode(data: bytes, display: str) -> str | ScanError:
    """UTF-8 text, with a leading byte order mark dropped as Terraform does.

    Terraform accepts and ignores a UTF-8 BOM since hashicorp/terraform#19715;
    any other encoding is an error naming the line (and column) of the first bad byte.
    """
    if data.startswith(_UTF16_BOMS):
        return ScanError(display, None, "UTF-16 text (Windows PowerShell writes it by default); Terraform requires UTF-8; skipped", kind="unreadable")
    if b"\x00" in data[:8192]:
        return ScanError(display, None, "binary file (NUL bytes); not Terraform text; skipped", kind="unreadable")
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[:exc.start]
        head = before[before.rfind(b"\n") + 1:]
        line, column = before.count(b"\n") + 1, len(head.decode("utf-8")) + 1
        return ScanError(display, line, f"not UTF-8 text (byte 0x{body[exc.start]:02x}); Terraform requires UTF-8; skipped", column, kind="unreadable")


def parse_text(text: str, display: str) -> tuple[ast.Body | None, list[ScanError]]:
    try:
        if display.endswith(".json"):
            body = parse_tf_json(text)
        else:
            body = parse_body(text)
    except HclSyntaxError as exc:
        return None, [ScanError(display, exc.line, one_line(exc.message), exc.column, kind="syntax")]
    return body, [ScanError(display, line, one_line(reason), kind="syntax") for line, reason in _invalid_expressions(body)]


def _invalid_expressions(body: ast.Body) -> list[tuple[int, str]]:
    found = [(a.line, a.expr.reason) for a in body.attributes if isinstance(a.expr, ast.Invalid)]
    for block in body.blocks:
        found.extend(_invalid_expressions(block.body))
    return found
