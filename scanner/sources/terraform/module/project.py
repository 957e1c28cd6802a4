"""A scanned folder as Terraform sees it: module directories, root modules, module sources.

Root modules are the folders no other scanned folder calls as a local
module. Remote modules (registry, git, URLs) are read only where
``terraform init`` left them in ``.terraform/modules``; otherwise the call is
an error entry. Nothing is ever fetched, and nothing outside the scanned
root is read.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from scanner.model import ScanError, Unknown
from scanner.sources.terraform.lang.functions import FileAccess
from scanner.sources.terraform.lang.values import EvalError, TfSet
from scanner.sources.terraform.module.config import ModuleCall, ModuleConfig, build_module
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.files import CONFIG_SUFFIXES, Discovered, discover, parse_text, read_bytes, read_text, relative
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_template
from scanner.support.jsonload import loads

MAX_READ_BYTES = 1024 * 1024


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


class Project:
    """The parsed folders of one scan, loaded once and shared by every root module."""

    def __init__(self, root: Path, parse_cache: Any = None, prefix: str = ""):
        self.root = root
        self.prefix = prefix
        self.root_real = root.resolve()
        self.discovered: Discovered = discover(root, prefix)
        self.errors: list[ScanError] = list(self.discovered.errors)
        self._configs: dict[str, ModuleConfig | None] = {}
        self._parse_cache = parse_cache
        self._preparsed: dict[Path, Any] = {}

    def display(self, path: Path) -> str:
        return self.prefix + relative(self.root, path)

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
        self._configs[directory] = config
        return config

    def _list_config_files(self, directory: str) -> list[Path]:
        """Config files of a folder the walk skipped (a module under .terraform/modules)."""
        path = self.root / directory
        if not self._inside(path) or not path.is_dir():
            return []
        return sorted(p for p in path.iterdir() if p.name.endswith(CONFIG_SUFFIXES) and p.is_file())

    def _inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root_real)
            return True
        except (ValueError, OSError, RuntimeError):
            return False

    # ------------------------------------------------------------------ roots

    def root_modules(self) -> list[str]:
        called = {target for directory in self.discovered.module_dirs for target in self.local_calls(directory) if target != directory}
        return sorted(d for d in self.discovered.module_dirs if d not in called)

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
            if target.startswith("../") or target == ".." or not self._inside(self.root / target):
                return None, f"module \"{call.name}\" source {source!r} leads outside the scanned root; not followed"
            return target, None
        if source.startswith("/") or (len(source) > 1 and source[1] == ":"):
            return None, f"module \"{call.name}\" source {source!r} is an absolute path outside the scanned root; not followed"
        downloaded = self._downloaded(root_dir, ".".join(call_path))
        if downloaded is not None:
            return downloaded, None
        return None, (
            f"module \"{call.name}\" (source {source!r}) is not downloaded: run terraform init so "
            f"sovscan can read .terraform/modules; its resources are not scanned (sovscan never fetches modules)"
        )

    def _downloaded(self, root_dir: str, key: str) -> str | None:
        manifest = self.root / root_dir / ".terraform" / "modules" / "modules.json"
        if not self._inside(manifest) or not manifest.is_file():
            return None
        try:
            entries = loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
        except (OSError, ValueError, AttributeError):
            self.errors.append(ScanError(self.display(manifest), None, "unreadable modules.json; remote modules not scanned"))
            return None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("Key") == key and isinstance(entry.get("Dir"), str):
                target = posixpath.normpath(posixpath.join(root_dir, entry["Dir"]))
                if self._inside(self.root / target):
                    return target
        return None


class SandboxFiles(FileAccess):
    """file(), fileset() and templatefile() confined to the scanned root.

    Relative paths are relative to the root module, as Terraform runs there.
    """

    def __init__(self, project: Project, root_module_dir: str, budget_factory):
        self.project = project
        self.base = project.root / root_module_dir
        self._budget_factory = budget_factory

    def _path(self, path: str) -> Path | Unknown:
        candidate = (self.base / path) if not os.path.isabs(path) else Path(path)
        if not self.project._inside(candidate):
            return Unknown(f"{path} is outside the scanned root; sovscan does not read it")
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
