"""A scanned folder as Terraform sees it: module directories, root modules, module sources.

The folder the user names is always a root module. Below it, a folder is a
root module when nothing scanned calls it and it looks like one: a provider
configuration, a backend, a ``terraform.tfvars`` (or ``*.auto.tfvars``) or a
``.terraform.lock.hcl``; any other uncalled folder is a module meant to be
called (``modules/db``) and is listed as such, not judged as a root.

Local module sources are followed anywhere inside the repository that holds
the scanned folder (``boundary.py``); the folders read outside the scanned
one are remembered (``read_outside``) so the report can list them. Remote
modules (registry, git, URLs) are read only where ``terraform init`` left
them in ``.terraform/modules``; otherwise the call is an error entry.
Nothing is ever fetched.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from scanner.model import ScanError, Unknown
from scanner.sources.terraform.lang.functions import FileAccess
from scanner.sources.terraform.lang.values import EvalError, TfSet
from scanner.sources.terraform.module.boundary import NO_BOUNDARY, Boundary
from scanner.sources.terraform.module.config import ModuleCall, ModuleConfig, build_module
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.files import CONFIG_SUFFIXES, Discovered, discover, parse_text, printable, read_bytes, read_text, symlink_problem
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_template
from scanner.support.jsonload import loads

MAX_READ_BYTES = 1024 * 1024
# What makes an uncalled folder a root module rather than a module meant to be called.
ROOT_FILES = ("terraform.tfvars", "terraform.tfvars.json", ".terraform.lock.hcl")
ROOT_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


class Project:
    """The parsed folders of one scan, loaded once and shared by every root module."""

    def __init__(self, root: Path, parse_cache: Any = None, prefix: str = "", boundary: Boundary = NO_BOUNDARY):
        self.root = root
        self.prefix = prefix
        self.root_real = root.resolve()
        self.boundary = boundary
        self.discovered: Discovered = discover(root, prefix, boundary.folder)
        self.errors: list[ScanError] = list(self.discovered.errors)
        self.uncalled: list[str] = []  # module folders nothing calls, not judged as roots (root_modules)
        self.read_outside: dict[str, Path] = {}  # shown path -> folder or file read outside the scanned root
        self._configs: dict[str, ModuleConfig | None] = {}
        self._parse_cache = parse_cache
        self._preparsed: dict[Path, Any] = {}
        self._module_folders: list[Path] = []  # real paths of the module folders read, for file() without a repository

    def display(self, path: Path) -> str:
        """A path as reports show it: the scanned folder's prefix, then the path relative to the scanned folder.

        A module outside the scanned folder is shown with ``..`` steps
        (``../../modules/db/main.tf``), never as an absolute path.
        """
        return printable(posixpath.normpath(self.prefix + self.relative(path)))

    def relative(self, path: Path) -> str:
        """A path relative to the scanned root, lexically (``..`` for what lies beside it)."""
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return Path(os.path.relpath(path, self.root)).as_posix()

    def outside(self, path: Path) -> bool:
        """Whether ``path`` lies outside the scanned folder."""
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return True
        return not (resolved == self.root_real or self.root_real in resolved.parents)

    def note_outside(self, path: Path) -> None:
        """Remember a folder or file read outside the scanned folder, for the report's inputs."""
        if self.outside(path):
            self.read_outside.setdefault(self.display(path), path)

    # ------------------------------------------------------------------ loading

    def preparse(self) -> None:
        """Parse every discovered file up front, across cores when it pays; parse_file hands the results out."""
        from scanner.sources.terraform.syntax.parallel import preparse

        files = [(path, self.display(path)) for paths in self.discovered.module_dirs.values() for path in paths]
        files += [(path, self.display(path)) for paths in self.discovered.tfvars.values() for path in paths if not path.name.endswith(".json")]
        self._preparsed = preparse(files, self._parse_cache)

    def parse_tfvars(self, path: Path, display: str) -> tuple[ast.Body | None, list[ScanError]]:
        """An HCL .tfvars file through the parse cache: its tree, or the read or syntax error.

        Errors about expressions inside a tree that parsed are left to the
        evaluation of its values, which reports them.
        """
        parsed = self._preparsed.pop(path, None)
        if parsed is None and self._parse_cache is not None:
            parsed = self._parse_cache.get(path, display)
        if parsed is None:
            text = read_text(path, display)
            parsed = text if isinstance(text, ScanError) else parse_text(text, display)
            if self._parse_cache is not None and not isinstance(parsed, ScanError):
                self._parse_cache.put(path, parsed)
        if isinstance(parsed, ScanError):
            return None, [parsed]
        body, errors = parsed
        return body, (errors if body is None else [])

    def parse_file(self, path: Path) -> ast.Body | None:
        display = self.display(path)
        preparsed = self._preparsed.pop(path, None)
        if isinstance(preparsed, ScanError):
            self.errors.append(preparsed)
            return None
        if preparsed is not None:
            body, errors = preparsed
            self.errors.extend(errors)
            return body
        if self._parse_cache is not None:
            cached = self._parse_cache.get(path, display)
            if cached is not None:
                body, errors = cached
                self.errors.extend(errors)
                return body
        text = read_text(path, display)
        if isinstance(text, ScanError):
            self.errors.append(text)
            return None
        body, errors = parse_text(text, display)
        self.errors.extend(errors)
        if self._parse_cache is not None:
            self._parse_cache.put(path, (body, errors))
        return body

    def module(self, directory: str) -> ModuleConfig | None:
        """The configuration of a folder (relative to the root), parsed once."""
        if directory in self._configs:
            return self._configs[directory]
        files = self.discovered.module_dirs.get(directory)
        if files is None:
            files = self._list_config_files(directory)
        parsed = []
        for path in files:
            body = self.parse_file(path)
            if body is not None:
                parsed.append((self.display(path), body))
        config = build_module(directory, parsed) if parsed else None  # None: no file of it could be read
        if config is not None:
            self.errors.extend(config.errors)
            try:
                self._module_folders.append((self.root / directory).resolve())
            except (OSError, RuntimeError):
                pass
        self._configs[directory] = config
        return config

    def _list_config_files(self, directory: str) -> list[Path]:
        """Config files of a folder the walk did not list: a module under .terraform/modules, or outside the scanned folder.

        A symlinked file is read only when it leads inside the repository, as in the walk.
        """
        path = self.root / directory
        if not self.boundary.contains(path) or not path.is_dir():
            return []
        self.note_outside(path)
        limit = self.boundary.folder or path.resolve()
        where = "the repository" if self.boundary.folder is not None else "the module's folder"
        files = []
        try:
            entries = sorted(path.iterdir())
        except OSError as exc:
            self.errors.append(ScanError(self.display(path), None, f"cannot list the folder: {exc.strerror or exc}", kind="unreadable"))
            return []
        for entry in entries:
            if not entry.name.endswith(CONFIG_SUFFIXES):
                continue
            if entry.is_symlink():
                problem = symlink_problem(limit, entry, entry.name, where)
                if problem:
                    self.errors.append(ScanError(self.display(entry), None, problem, kind="unreadable"))
                    continue
            if entry.is_file():
                files.append(entry)
        return files

    def readable(self, path: Path) -> bool:
        """Whether file() and templatefile() may read ``path``: inside the repository.

        Without a repository: inside the scanned folder or a module folder read.
        """
        if self.boundary.folder is not None:
            return self.boundary.contains(path)
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return False
        return any(resolved == folder or folder in resolved.parents for folder in (self.root_real, *self._module_folders))

    # ------------------------------------------------------------------ roots

    def root_modules(self) -> list[str]:
        """The root modules under the scanned folder; the uncalled module folders go to ``uncalled``.

        The scanned folder itself is a root even when a folder below it calls
        it (a module repository whose ``examples/`` call ``../..``).
        """
        called = {target for directory in self.discovered.module_dirs for target in self.local_calls(directory) if target != directory}
        roots, uncalled = [], []
        for directory in sorted(self.discovered.module_dirs):
            if directory == ".":
                roots.append(directory)
            elif directory in called:
                continue
            elif self.looks_like_root(directory):
                roots.append(directory)
            else:
                uncalled.append(directory)
        self.uncalled = uncalled
        return roots

    def looks_like_root(self, directory: str) -> bool:
        """A provider configuration, a backend, root variable files or a lock file: Terraform is run here."""
        config = self.module(directory)
        if config is None:
            return True  # none of its files could be read: its errors are reported as a root's would be
        if config.providers or config.backends:
            return True
        names = {p.name for p in self.discovered.tfvars.get(directory, [])}
        if names & set(ROOT_FILES) or any(n.endswith(ROOT_SUFFIXES) for n in names):
            return True
        return (self.root / directory / ".terraform.lock.hcl").is_file()

    def local_calls(self, directory: str) -> list[str]:
        """The folders (relative to the root) of the local modules that the module in ``directory`` calls."""
        config = self.module(directory)
        if config is None:
            return []
        return [
            posixpath.normpath(posixpath.join(directory, call.source))
            for call in config.module_calls.values()
            if call.source and is_local_source(call.source)
        ]

    # ------------------------------------------------------------------ module sources

    def resolve_source(self, root_dir: str, call_path: list[str], module_dir: str, call: ModuleCall) -> tuple[str | None, str | None]:
        """The folder a module call loads, or why it cannot be read."""
        source = call.source
        if not source:
            return None, f"module \"{call.name}\" has no literal source; not followed"
        if is_local_source(source):
            target = posixpath.normpath(posixpath.join(module_dir, source))
            if not self.boundary.contains(self.root / target):
                return None, f"module \"{call.name}\" source {source!r} leads outside {self.boundary.describe()}; not followed"
            return target, None
        downloaded = self._downloaded(root_dir, ".".join(call_path))
        if downloaded is not None:
            return downloaded, None
        if source.startswith("/") or (len(source) > 1 and source[1] == ":"):
            return None, (
                f"module \"{call.name}\" source {source!r} is an absolute path, which Terraform copies into .terraform/modules "
                f"at init (it is not a local source); no copy is there, so it is not followed"
            )
        return None, (
            f"module \"{call.name}\" (source {source!r}) is not downloaded: run terraform init so "
            f"sovscan can read .terraform/modules; its resources are not scanned (sovscan never fetches modules)"
        )

    def _downloaded(self, root_dir: str, key: str) -> str | None:
        manifest = self.root / root_dir / ".terraform" / "modules" / "modules.json"
        if not self.boundary.contains(manifest) or not manifest.is_file():
            return None
        try:
            entries = loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
        except (OSError, ValueError, AttributeError):
            self.errors.append(ScanError(self.display(manifest), None, "unreadable modules.json; remote modules not scanned", kind="module"))
            return None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("Key") == key and isinstance(entry.get("Dir"), str):
                target = posixpath.normpath(posixpath.join(root_dir, entry["Dir"]))
                if self.boundary.contains(self.root / target):
                    return target
        return None


class SandboxFiles(FileAccess):
    """file(), fileset() and templatefile() confined to the repository (``Project.readable``).

    Relative paths are relative to the root module, as Terraform runs there.
    """

    def __init__(self, project: Project, root_module_dir: str, budget_factory):
        self.project = project
        self.base = project.root / root_module_dir
        self._budget_factory = budget_factory

    def _path(self, path: str) -> Path | Unknown:
        candidate = (self.base / path) if not os.path.isabs(path) else Path(path)
        if not self.project.readable(candidate):
            where = "the repository" if self.project.boundary.folder is not None else "the scanned folder and its modules"
            return Unknown(f"{path} is outside {where}; sovscan does not read it")
        self.project.note_outside(candidate)
        return candidate

    def read_text(self, path: str) -> str | Unknown:
        resolved = self._path(path)
        if isinstance(resolved, Unknown):
            return resolved
        data = read_bytes(resolved, path, MAX_READ_BYTES)  # non-blocking, regular files only
        if isinstance(data, ScanError):
            if data.message.startswith("file is "):  # over the size limit (files._too_large): ours, not an error
                return Unknown(f"{path} is larger than 1 MB; not read")
            raise EvalError(f"file(): {path}: {data.message}")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise EvalError(f"file(): {path} is not UTF-8 text") from None

    def exists(self, path: str) -> bool | Unknown:
        resolved = self._path(path)
        return resolved if isinstance(resolved, Unknown) else resolved.is_file()

    def glob(self, base: str, pattern: str) -> list[str] | Unknown:
        """Terraform's ``fileset()``: a set of paths relative to ``base``, matched with doublestar rules.

        Terraform matches with bmatcuk/doublestar: ``*`` stops at ``/``, ``**`` crosses
        folders (or none), ``{a,b}`` is a choice, a leading dot is no special case.
        wcmatch's ``globmatch`` with GLOBSTAR, BRACE and DOTGLOB is that dialect;
        fnmatch, whose ``*`` also matches ``/``, is not. Dot-folders (``.git``,
        ``.terraform``) are never walked: they are not the module's files.
        """
        from wcmatch import glob as wcglob  # only when a fileset() is evaluated

        flags = wcglob.GLOBSTAR | wcglob.BRACE | wcglob.DOTGLOB
        resolved = self._path(base)
        if isinstance(resolved, Unknown):
            return resolved
        if not resolved.is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(resolved):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                rel = (Path(dirpath) / name).relative_to(resolved).as_posix()
                if wcglob.globmatch(rel, pattern, flags=flags):
                    found.append(rel)
            if len(found) > 10_000:
                return Unknown("fileset() matches too many files")
        return TfSet.of(sorted(found))

    def template(self, path: str, variables: dict) -> Any:
        text = self.read_text(path)
        if isinstance(text, Unknown):
            return text
        try:
            expr = parse_template(text)
        except HclSyntaxError as exc:
            raise EvalError(f"templatefile(): {path}: {exc.message}") from None
        from scanner.sources.terraform.lang.evaluator import Bindings, Evaluator

        scope = Bindings(_TemplateScope(self), dict(variables))
        return Evaluator(self._budget_factory()).eval(expr, scope)


class _TemplateScope:
    def __init__(self, files: SandboxFiles):
        self.files = files

    def lookup(self, name: str, line: int, ev: Any) -> Any:
        raise EvalError(f"templatefile(): variable '{name}' is not passed to the template")
