"""Walk the module instances of each root module and produce ``Resource`` records."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.model import LISTED_REGION, DataCopy, Origin, Resource, ScanError, TraceStep, Unknown
from scanner.sources.terraform.extract.backends import backend_resources
from scanner.sources.terraform.extract.copies import attach_copies
from scanner.sources.terraform.extract.placement import hints as placement_hints
from scanner.sources.terraform.extract.placement import listed_regions, provider_region, region_text, resource_region, resource_zone
from scanner.sources.terraform.extract.spec import TerraformSpec, load_terraform_spec
from scanner.sources.terraform.extract.tags import collect_tags
from scanner.sources.terraform.lang.evaluator import Budget
from scanner.sources.terraform.lang.redact import redact_error, redact_resource
from scanner.sources.terraform.lang.values import ZoneInRegion
from scanner.sources.terraform.module.boundary import NO_BOUNDARY, Boundary
from scanner.sources.terraform.module.inputs import VariableOptions, root_inputs
from scanner.sources.terraform.module.instances import Context, DataObject, ModuleInstance, ResourceObject
from scanner.sources.terraform.module.project import Project, SandboxFiles, is_local_source
from scanner.sources.terraform.syntax.ast import references

BUDGET_PER_ROOT = 5_000_000  # node visits per root module: about two seconds of evaluation


@dataclass
class TerraformResult:
    resources: list[Resource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # root modules that could be read
    found_files: bool = False  # whether any Terraform file was found at all
    uncalled: list[str] = field(default_factory=list)  # module folders nothing calls, not judged as roots
    read_outside: dict[str, Path] = field(default_factory=dict)  # shown path -> what was read outside the scanned folder


def scan_folder(
    root: Path,
    options: VariableOptions | None = None,
    parse_cache: Any = None,
    prefix: str = "",
    only_roots: Collection[str] | None = None,
    project: Project | None = None,
    boundary: Boundary = NO_BOUNDARY,
) -> TerraformResult:
    """Every resource instance of every root module under ``root`` (or of ``only_roots``).

    ``prefix`` is put before every file path in the output (the folder
    relative to the working directory); ``boundary`` is the repository local
    module sources may not leave.
    """
    options = options or VariableOptions()
    spec = load_terraform_spec()
    if project is None:  # the pre-commit hook hands in the one it already read
        project = Project(root, parse_cache, prefix, boundary)
        project.preparse()
    result = TerraformResult()
    roots = [r for r in project.root_modules() if only_roots is None or r in only_roots]
    if only_roots is None:
        result.uncalled = [project.display(root / d) for d in project.uncalled]
    result.found_files = bool(project.discovered.module_dirs)
    for root_dir in roots:
        config = project.module(root_dir)
        if config is None:
            continue  # none of its files could be read: their errors say why
        result.roots.append(root_dir)
        inputs, input_errors = root_inputs(root, root_dir, project.discovered.tfvars.get(root_dir, []), config, options, project.display, project.parse_tfvars)
        result.errors.extend(input_errors)
        ctx = _context(project, root_dir, spec)
        instance = ModuleInstance(ctx, config, "", root_inputs=inputs)
        resources = attach_copies(list(_walk(instance, spec, root_dir)))
        _check_named_values(instance)
        result.resources.extend(redact_resource(r, ctx.secrets) for r in resources)
        result.resources.extend(backend_resources(config, root_dir))
        result.errors.extend(redact_error(e, ctx.secrets) for e in ctx.errors)
    result.errors = project.errors + result.errors
    result.read_outside = dict(project.read_outside)
    return result


def _context(project: Project, root_dir: str, spec: TerraformSpec) -> Context:
    def resolve(instance: ModuleInstance, call) -> tuple[str | None, str | None]:
        return project.resolve_source(root_dir, _call_path(instance) + [call.name], instance.config.directory, call)

    files_cache: dict[str, SandboxFiles] = {}

    def files_for(directory: str) -> SandboxFiles:
        if directory not in files_cache:
            files_cache[directory] = SandboxFiles(project, root_dir, lambda: Budget(2_000_000))
        return files_cache[directory]

    ctx = Context(project.module, resolve, files_for, Budget(BUDGET_PER_ROOT))
    ctx.root_dir = root_dir
    ctx.data_handlers = {
        "aws_region": lambda obj, name: _data_region(obj, name, spec, ("name", "region", "id")),
        "google_client_config": lambda obj, name: _data_google(obj, name, spec),
        "google_compute_zones": lambda obj, name: _data_google_zones(obj, name, spec),
    }
    ctx.computed_handlers = {"region": lambda obj, name: _computed_region(obj, spec)}
    return ctx


def _check_named_values(instance: ModuleInstance) -> None:
    """Evaluate every local and output, as Terraform does, so cycles and type errors surface."""
    for name in instance.config.locals:
        instance.local(name)
    for name in instance.config.outputs:
        instance.output(name)
    for child in instance.all_children():
        _check_named_values(child)


def _call_path(instance: ModuleInstance) -> list[str]:
    names = []
    node = instance
    while node.parent is not None and node.call is not None:
        names.append(node.call.name)
        node = node.parent
    return names[::-1]


def _remote_call(instance: ModuleInstance) -> Origin | None:
    """The outermost module call with a remote source, for findings inside downloaded modules."""
    found = None
    node = instance
    while node.parent is not None and node.call is not None:
        if node.call.source and not is_local_source(node.call.source):
            found = Origin(node.call.file, node.call.line)
        node = node.parent
    return found


def _call_origins(instance: ModuleInstance) -> tuple[Origin, ...]:
    origins = []
    node = instance
    while node.parent is not None and node.call is not None:
        origins.append(Origin(node.call.file, node.call.line, end_line=node.call.end_line))
        node = node.parent
    return tuple(reversed(origins))


def _walk(instance: ModuleInstance, spec: TerraformSpec, root_dir: str) -> Iterator[tuple[ResourceObject, Resource]]:
    for block in instance.config.resources:
        if block.mode != "managed":
            continue
        objects = instance.resource_objects(block)
        if isinstance(objects, Unknown):
            unknown_names = {"count": {"index": objects}, "each": {"key": objects, "value": objects}}
            placeholder = ResourceObject(instance, block, None, unknown_names)
            placeholder.unknown_instances = objects
            objects = [placeholder]
        for obj in objects:
            try:
                resource = build_resource(obj, spec, root_dir)
            except RecursionError:
                instance.ctx.error(block.file, block.line, f"{obj.address}: nested too deeply to evaluate; skipped", kind="skipped")
                continue
            except Exception as exc:  # a bug in sovscan must cost one resource, not the scan
                instance.ctx.error(block.file, block.line, f"{obj.address}: sovscan failed on this resource ({type(exc).__name__}: {exc}); please report it", kind="skipped")
                continue
            if resource is not None:
                yield obj, resource
    for child in instance.all_children():
        yield from _walk(child, spec, root_dir)


def build_resource(obj: ResourceObject, spec: TerraformSpec, root_dir: str) -> Resource | None:
    instance = obj.module
    provider_key, provider, missing = instance.provider_for(obj.block)
    provider_type = instance.provider_type(provider_key.split(".", 1)[0])
    if provider is not None:
        provider_type = provider.type
    if provider_type in spec.non_hosting:
        return None
    provider_spec = spec.for_type(provider_type)
    trace: list[TraceStep] = []
    zone: str | Unknown | None = None
    also_in: tuple[DataCopy, ...] = ()
    if provider_spec is None:
        region: str | Unknown = Unknown(f"sovscan does not know where resources of the Terraform provider '{provider_type}' live")
        found_hints: dict = {}
    else:
        region = resource_region(obj, provider_spec, provider, missing, trace, lambda o, t: _inherited_region(o, provider_spec, spec, t, 0))
        if not (trace and trace[-1].what.startswith(obj.address)):  # the region came from the provider
            trace.extend(instance.provider_route(provider_key))
        found_hints = placement_hints(obj, provider_spec, provider)
        zone = resource_zone(obj, provider_spec)
        also_in = _listed_placements(obj, provider_spec, provider_type, region, found_hints)
    tags, complete = collect_tags(obj, provider_spec, provider)
    instances_known = obj.unknown_instances is None and _instances_known(instance)
    return Resource(
        address=obj.address,
        type=obj.block.type,
        provider=provider_type,
        region=region,
        origin=Origin(obj.block.file, obj.block.line, end_line=obj.block.end_line),
        tags=tags,
        tags_complete=complete,
        hints=found_hints,
        trace=tuple(trace[-20:]),
        instances_known=instances_known,
        module_call=_remote_call(instance),
        module_calls=_call_origins(instance),
        holds_data=not spec.holds_no_data(obj.block.type),
        root=root_dir,
        zone=zone,
        copies=also_in,
    )


def _listed_placements(obj: ResourceObject, provider_spec, provider_type: str, region, hints: dict) -> tuple[DataCopy, ...]:
    """A resource spanning a list of regions is in each: the first is its region, each other one a placement judged too."""
    listed = listed_regions(obj, provider_spec)
    if listed is None:
        return ()
    regions, _path, line = listed
    if isinstance(regions, Unknown) or region not in regions:
        return ()
    origin = Origin(obj.block.file, line)
    return tuple(DataCopy(LISTED_REGION, provider_type, other, dict(hints), origin) for other in regions if other != region)


def _instances_known(instance: ModuleInstance) -> bool:
    node: ModuleInstance | None = instance
    while node is not None:
        if node.unknown_instances is not None:
            return False
        node = node.parent
    return True


# --------------------------------------------------------------------------- a parent resource's location

MAX_PARENT_DEPTH = 4


def _inherited_region(obj: ResourceObject, provider_spec, spec: TerraformSpec, trace: list[TraceStep], depth: int) -> str | Unknown | None:
    """The location of the resource(s) this one names in an ``inherit_from`` attribute, if they agree."""
    if depth > MAX_PARENT_DEPTH or not provider_spec.inherit_from:
        return None
    config = obj.module.config
    parents = []
    for name in provider_spec.inherit_from:
        attr = obj.block.body.attr(name)
        if attr is None:
            continue
        for path in references(attr.expr):
            if len(path) >= 2 and "_" in path[0] and path[0] not in ("each", "count", "self"):
                block = config.resource("managed", path[0], path[1])
                if block is not None and block is not obj.block:
                    parents.append((name, attr.line, block))
    if not parents:
        return None
    found: dict[str, tuple[str, list[TraceStep]]] = {}
    for name, line, block in parents:
        objects = obj.module.resource_objects(block)
        if isinstance(objects, Unknown):
            return Unknown(f"the parent {block.address} named by {name} has an unknown number of instances")
        for parent in objects:
            region, steps = _parent_region(parent, spec, depth)
            if isinstance(region, Unknown):
                return Unknown(f"the parent {parent.address} named by {name} has an unknown location ({region.reason})")
            found.setdefault(region, (parent.address, steps + [TraceStep(f"{obj.address} {name} names {parent.address}", region, Origin(obj.block.file, line))]))
    if len(found) > 1:
        return Unknown(f"the parents named by {obj.address} are in several locations ({', '.join(sorted(found))})")
    region, (_, steps) = next(iter(found.items()))
    trace.extend(steps)
    return region


def _parent_region(parent: ResourceObject, spec: TerraformSpec, depth: int) -> tuple[str | Unknown, list[TraceStep]]:
    memo = parent.module._region_memo
    if parent.address in memo:
        return memo[parent.address]
    provider_key, provider, missing = parent.module.provider_for(parent.block)
    provider_type = provider.type if provider is not None else parent.module.provider_type(provider_key.split(".", 1)[0])
    parent_spec = spec.for_type(provider_type)
    steps: list[TraceStep] = []
    if parent_spec is None:
        result: tuple = (Unknown(f"sovscan does not know where {provider_type} resources live"), steps)
    else:
        region = resource_region(parent, parent_spec, provider, missing, steps, lambda o, t: _inherited_region(o, parent_spec, spec, t, depth + 1))
        result = (region, steps)
    memo[parent.address] = result
    return result


# --------------------------------------------------------------------------- data sources that name a place

def _provider_of(obj: ResourceObject, spec: TerraformSpec):
    key, provider, missing = obj.module.provider_for(obj.block)
    provider_type = provider.type if provider else obj.module.provider_type(key.split(".", 1)[0])
    return provider, missing, spec.for_type(provider_type)


def _data_region(obj: DataObject, name: str, spec: TerraformSpec, names: tuple[str, ...]) -> Any:
    """data.aws_region.x.name (and .region, .id) is the provider's region."""
    if name not in names:
        return None
    provider, missing, provider_spec = _provider_of(obj, spec)
    if provider_spec is None:
        return None
    return provider_region(provider_spec, provider, missing, [])


def _data_google(obj: DataObject, name: str, spec: TerraformSpec) -> Any:
    """data.google_client_config.x.region/.zone/.project are the provider's settings."""
    if name not in ("region", "zone", "project"):
        return None
    provider, missing, _ = _provider_of(obj, spec)
    if provider is None:
        return Unknown(missing or "no google provider configuration")
    present, value = provider.attribute(name)
    return value if present else Unknown(f"the google provider sets no {name}")


def _data_google_zones(obj: DataObject, name: str, spec: TerraformSpec) -> Any:
    """data.google_compute_zones.x.names: zones read at apply time, all in one region (its ``region``, else the provider's)."""
    if name != "names":
        return None
    present, region = obj.attribute("region")
    provider, missing, provider_spec = _provider_of(obj, spec)
    if provider_spec is None:
        return None
    if not present or region is None:
        region = provider_region(provider_spec, provider, missing, [], "google_compute_zones")
    text = region_text(region, provider_spec)
    if not isinstance(text, str):
        reason = text.reason if isinstance(text, Unknown) else "no region"
        return Unknown(f"{obj.address}.names: zones of a region that is unknown ({reason})")
    return ZoneInRegion(f"{obj.address}.names is read from Google at apply time (zones of {text})", text)


def _computed_region(obj: ResourceObject, spec: TerraformSpec) -> Any:
    """An AWS resource's region attribute, when not set, is its provider's region."""
    provider, missing, provider_spec = _provider_of(obj, spec)
    if provider_spec is None or provider_spec.type != "aws":
        return None
    return provider_region(provider_spec, provider, missing, [])
