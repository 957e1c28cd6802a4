"""One Terraform module directory as configuration: the blocks of its files, sorted by kind.

No evaluation happens here; ``instances`` evaluates these blocks per module
instance. Override files (``override.tf``, ``*_override.tf``) are merged into
the blocks they override, as Terraform does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from scanner.model import ScanError
from scanner.sources.terraform.syntax import ast


@dataclass(frozen=True)
class Variable:
    name: str
    default: ast.Expr | None
    type_expr: ast.Expr | None
    sensitive: bool
    nullable: bool
    file: str
    line: int


@dataclass(frozen=True)
class NamedExpr:
    """A local or an output: a name, its expression and where it is declared."""

    name: str
    expr: ast.Expr
    file: str
    line: int
    sensitive: bool = False


@dataclass(frozen=True)
class ProviderBlock:
    name: str  # local name, e.g. aws
    alias: str | None
    body: ast.Body
    file: str
    line: int

    @property
    def key(self) -> str:
        return f"{self.name}.{self.alias}" if self.alias else self.name


@dataclass(frozen=True)
class ResourceBlock:
    mode: str  # managed | data
    type: str
    name: str
    body: ast.Body
    file: str
    line: int
    end_line: int
    provider_ref: str | None  # "aws.eu" from the provider meta-argument
    count: ast.Expr | None
    for_each: ast.Expr | None

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}" if self.mode == "managed" else f"data.{self.type}.{self.name}"


@dataclass(frozen=True)
class ModuleCall:
    name: str
    source: str | None
    version: str | None
    body: ast.Body
    providers: tuple[tuple[str, str], ...]  # (child key, parent key)
    count: ast.Expr | None
    for_each: ast.Expr | None
    file: str
    line: int
    end_line: int


@dataclass(frozen=True)
class Backend:
    """Where Terraform keeps its state: a backend block or an HCP Terraform cloud block."""

    kind: str  # backend | cloud
    type: str  # s3, azurerm, gcs, remote, http, local, cloud…
    body: ast.Body
    file: str
    line: int


MODULE_META = {"source", "version", "providers", "count", "for_each", "depends_on"}


@dataclass
class ModuleConfig:
    directory: str  # relative to the scan root, "." for the root itself
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, NamedExpr] = field(default_factory=dict)
    outputs: dict[str, NamedExpr] = field(default_factory=dict)
    providers: dict[str, ProviderBlock] = field(default_factory=dict)
    required_providers: dict[str, str] = field(default_factory=dict)  # local name -> source
    resources: list[ResourceBlock] = field(default_factory=list)
    module_calls: dict[str, ModuleCall] = field(default_factory=dict)
    backends: list[Backend] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    _index: dict[tuple[str, str, str], ResourceBlock] | None = field(default=None, repr=False, compare=False)
    _indexed: int = field(default=-1, repr=False, compare=False)  # how many blocks the index was built from

    def resource(self, mode: str, type_: str, name: str) -> ResourceBlock | None:
        """The block of an address; of two declarations of one address (an error), the first."""
        if self._index is None or self._indexed != len(self.resources):  # built once the blocks are all read
            index: dict[tuple[str, str, str], ResourceBlock] = {}
            for b in self.resources:
                index.setdefault((b.mode, b.type, b.name), b)
            self._index, self._indexed = index, len(self.resources)
        return self._index.get((mode, type_, name))


def provider_ref(expr: ast.Expr | None) -> str | None:
    """``aws.eu`` from ``provider = aws.eu`` (an expression or a string)."""
    if expr is None:
        return None
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.GetAttr) and isinstance(expr.obj, ast.Name):
        return f"{expr.obj.name}.{expr.name}"
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
        return expr.value
    return None


def _literal_string(expr: ast.Expr | None) -> str | None:
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
        return expr.value
    return None


def _literal_bool(expr: ast.Expr | None, default: bool) -> bool:
    if isinstance(expr, ast.Literal) and isinstance(expr.value, bool):
        return expr.value
    return default


def _is_override(file: str) -> bool:
    name = file.rsplit("/", 1)[-1]
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def build_module(directory: str, files: list[tuple[str, ast.Body]]) -> ModuleConfig:
    """Sort the blocks of a directory's files; override files are applied last."""
    module = ModuleConfig(directory=directory)
    normal = [(f, b) for f, b in files if not _is_override(f)]
    overrides = [(f, b) for f, b in files if _is_override(f)]
    for file, body in normal:
        for block in body.blocks:
            _add_block(module, file, block, override=False)
    for file, body in overrides:
        for block in body.blocks:
            _add_block(module, file, block, override=True)
    return module


def _duplicate(module: ModuleConfig, file: str, line: int, what: str, first_file: str, first_line: int, used: str = "the first one is used") -> None:
    """Terraform refuses a module that declares a name twice: an input problem naming both places."""
    message = f"{what} is declared twice (first at {first_file}:{first_line}); Terraform refuses this module; {used}"
    module.errors.append(ScanError(file, line, message, kind="terraform"))


def _merge_body(original: ast.Body, override: ast.Body) -> ast.Body:
    names = {a.name for a in override.attributes}
    attributes = tuple(a for a in original.attributes if a.name not in names) + override.attributes
    block_types = {b.type for b in override.blocks}
    blocks = tuple(b for b in original.blocks if b.type not in block_types) + override.blocks
    return ast.Body(attributes, blocks)


def _add_block(module: ModuleConfig, file: str, block: ast.Block, override: bool) -> None:
    kind = block.type
    if kind == "variable" and block.labels:
        _add_variable(module, file, block, override)
    elif kind == "locals":
        for attr in block.body.attributes:
            existing = module.locals.get(attr.name)
            if existing is not None and not override:
                _duplicate(module, file, attr.line, f"local.{attr.name}", existing.file, existing.line)
                continue
            module.locals[attr.name] = NamedExpr(attr.name, attr.expr, file, attr.line)
    elif kind == "output" and block.labels:
        value = block.body.attr("value")
        name = block.labels[0]
        if value is None:
            if not override:
                module.errors.append(ScanError(file, block.line, f"output \"{name}\" has no value", kind="terraform"))
            return
        existing = module.outputs.get(name)
        if existing is not None and not override:
            _duplicate(module, file, block.line, f"output \"{name}\"", existing.file, existing.line)
            return
        module.outputs[name] = NamedExpr(name, value.expr, file, block.line, _literal_bool(_expr(block.body, "sensitive"), False))
    elif kind == "provider" and block.labels:
        _add_provider(module, file, block, override)
    elif kind in ("resource", "data") and len(block.labels) >= 2:
        _add_resource(module, file, block, override)
    elif kind == "module" and block.labels:
        _add_module_call(module, file, block, override)
    elif kind == "terraform":
        _add_terraform(module, file, block)
    elif kind in ("resource", "data", "module", "variable", "output", "provider"):
        module.errors.append(ScanError(file, block.line, f"a {kind} block needs its label(s)", kind="terraform"))


def _expr(body: ast.Body, name: str) -> ast.Expr | None:
    attr = body.attr(name)
    return attr.expr if attr else None


def _add_variable(module: ModuleConfig, file: str, block: ast.Block, override: bool) -> None:
    name = block.labels[0]
    existing = module.variables.get(name)
    if existing is not None and override:
        body = block.body
        module.variables[name] = replace(
            existing,
            default=_expr(body, "default") if body.attr("default") else existing.default,
            type_expr=_expr(body, "type") if body.attr("type") else existing.type_expr,
        )
        return
    if existing is not None:
        _duplicate(module, file, block.line, f"variable \"{name}\"", existing.file, existing.line)
        return
    body = block.body
    module.variables[name] = Variable(
        name=name,
        default=_expr(body, "default"),
        type_expr=_expr(body, "type"),
        sensitive=_literal_bool(_expr(body, "sensitive"), False),
        nullable=_literal_bool(_expr(body, "nullable"), True),
        file=file,
        line=block.line,
    )


def _add_provider(module: ModuleConfig, file: str, block: ast.Block, override: bool) -> None:
    alias = _literal_string(_expr(block.body, "alias"))
    provider = ProviderBlock(block.labels[0], alias, block.body, file, block.line)
    existing = module.providers.get(provider.key)
    if existing is not None and override:
        module.providers[provider.key] = replace(existing, body=_merge_body(existing.body, block.body))
        return
    if existing is not None:
        _duplicate(module, file, block.line, f"provider \"{provider.key}\"", existing.file, existing.line)
        return
    module.providers[provider.key] = provider


def _add_resource(module: ModuleConfig, file: str, block: ast.Block, override: bool) -> None:
    mode = "managed" if block.type == "resource" else "data"
    type_, name = block.labels[0], block.labels[1]
    existing = module.resource(mode, type_, name)
    body = block.body
    if existing is not None and override:
        merged = _merge_body(existing.body, body)
        position = module.resources.index(existing)
        module._index = None  # an override replaces a block: rebuild the lookup
        module.resources[position] = replace(
            existing,
            body=merged,
            provider_ref=provider_ref(_expr(merged, "provider")),
            count=_expr(merged, "count"),
            for_each=_expr(merged, "for_each"),
        )
        return
    if existing is not None:
        # Both are judged: whichever Terraform would keep once fixed, neither may hide data in the wrong place.
        _duplicate(module, file, block.line, existing.address, existing.file, existing.line, "both are judged")
    module.resources.append(
        ResourceBlock(
            mode=mode,
            type=type_,
            name=name,
            body=body,
            file=file,
            line=block.line,
            end_line=block.end_line,
            provider_ref=provider_ref(_expr(body, "provider")),
            count=_expr(body, "count"),
            for_each=_expr(body, "for_each"),
        )
    )


def _providers_map(expr: ast.Expr | None) -> tuple[tuple[str, str], ...]:
    if not isinstance(expr, ast.ObjectExpr):
        return ()
    pairs = []
    for key, value in expr.items:
        child = _literal_string(key) or provider_ref(key)
        parent = provider_ref(value)
        if child and parent:
            pairs.append((child, parent))
    return tuple(pairs)


def _add_module_call(module: ModuleConfig, file: str, block: ast.Block, override: bool) -> None:
    name = block.labels[0]
    body = block.body
    existing = module.module_calls.get(name)
    if existing is not None and override:
        body = _merge_body(existing.body, body)
    elif existing is not None:
        _duplicate(module, file, block.line, f"module \"{name}\"", existing.file, existing.line)
        return
    module.module_calls[name] = ModuleCall(
        name=name,
        source=_literal_string(_expr(body, "source")),
        version=_literal_string(_expr(body, "version")),
        body=body,
        providers=_providers_map(_expr(body, "providers")),
        count=_expr(body, "count"),
        for_each=_expr(body, "for_each"),
        file=existing.file if existing else file,
        line=existing.line if existing else block.line,
        end_line=existing.end_line if existing else block.end_line,
    )


def _add_terraform(module: ModuleConfig, file: str, block: ast.Block) -> None:
    for inner in block.body.blocks:
        if inner.type == "required_providers":
            for attr in inner.body.attributes:
                source = None
                if isinstance(attr.expr, ast.ObjectExpr):
                    for key, value in attr.expr.items:
                        if _literal_string(key) == "source":
                            source = _literal_string(value)
                elif isinstance(attr.expr, ast.Literal):
                    source = None  # legacy version constraint string
                module.required_providers[attr.name] = (source or f"hashicorp/{attr.name}").lower()
        elif inner.type == "backend" and inner.labels:
            module.backends.append(Backend("backend", inner.labels[0], inner.body, file, inner.line))
        elif inner.type == "cloud":
            module.backends.append(Backend("cloud", "cloud", inner.body, file, inner.line))
