"""The Terraform backend is itself a place where data lives.

The state holds every attribute of every resource of its root module, so
where it is stored matters as much as where the resources are. Each root
module's ``backend`` or ``cloud`` block becomes a resource
``terraform.backend`` whose sensitivity is the highest of its configuration
(decided in ``scanner.classify``). Backend blocks cannot use variables;
settings given at ``terraform init -backend-config`` are not in the files,
so they stay unknown.
"""

from __future__ import annotations

from urllib.parse import urlparse

from scanner.model import Origin, Resource, TraceStep, Unknown
from scanner.sources.terraform.lang.evaluator import Budget, Evaluator
from scanner.sources.terraform.lang.values import EvalError
from scanner.sources.terraform.module.config import Backend, ModuleConfig
from scanner.sources.terraform.module.instances import _EMPTY_SCOPE

BACKEND_TYPE = "terraform_backend"

# backend type -> (Terraform provider whose catalog judges it, region attribute, endpoint attributes, default endpoint)
BACKENDS: dict[str, tuple[str, str | None, tuple[str, ...], str | None]] = {
    "s3": ("aws", "region", ("endpoints.s3", "endpoint"), None),
    "azurerm": ("azurerm", None, (), None),
    "gcs": ("google", None, (), None),
    "oss": ("alicloud", "region", ("endpoint",), None),
    "cos": ("tencentcloud", "region", (), None),
    "remote": ("terraform", None, ("hostname",), "app.terraform.io"),
    "cloud": ("terraform", None, ("hostname",), "app.terraform.io"),
    "http": ("terraform", None, ("address",), None),
}


def _literal(backend: Backend, path: str):
    body = backend.body
    parts = path.split(".")
    for part in parts[:-1]:
        blocks = body.blocks_of(part)
        if blocks:
            body = blocks[0].body
            continue
        attr = body.attr(part)
        if attr is None:
            return None
        value = _evaluate(attr.expr)
        return value.get(parts[-1]) if isinstance(value, dict) else None
    attr = body.attr(parts[-1])
    return _evaluate(attr.expr) if attr is not None else None


def _evaluate(expr):
    try:
        return Evaluator(Budget(10_000)).eval(expr, _EMPTY_SCOPE)
    except EvalError as exc:
        return Unknown(f"the backend setting cannot be read statically ({exc})")


def _host(value) -> str | Unknown | None:
    if value is None or isinstance(value, Unknown):
        return value
    text = str(value)
    parsed = urlparse(text if "://" in text else f"https://{text}")
    return (parsed.hostname or text).lower()


def backend_resources(config: ModuleConfig, root_dir: str) -> list[Resource]:
    resources = []
    for backend in config.backends:
        if backend.type == "local":
            continue  # the state stays on the machine that runs Terraform
        known = BACKENDS.get(backend.type)
        origin = Origin(backend.file, backend.line)
        address = "terraform.backend" if backend.kind == "backend" else "terraform.cloud"
        if known is None:
            resources.append(Resource(address, BACKEND_TYPE, f"backend-{backend.type}", Unknown(f"sovscan does not know where a '{backend.type}' backend stores the state"), origin, root=root_dir))
            continue
        provider, region_attr, endpoint_attrs, default_endpoint = known
        trace: list[TraceStep] = []
        region = _literal(backend, region_attr) if region_attr else None
        if region is None:
            region = Unknown(
                f"the {backend.type} backend block does not say where the state is stored"
                + (" (a partial configuration given at terraform init?)" if region_attr else "")
            )
        elif not isinstance(region, Unknown):
            region = str(region)
            trace.append(TraceStep(f"backend \"{backend.type}\" {region_attr}", region, origin))
        hints = {}
        for attribute in endpoint_attrs:
            host = _host(_literal(backend, attribute))
            if host is not None:
                hints["endpoint"] = host
                break
        else:
            if default_endpoint:
                hints["endpoint"] = default_endpoint
        resources.append(
            Resource(
                address=address,
                type=BACKEND_TYPE,
                provider=provider,
                region=region,
                origin=origin,
                hints=hints,
                trace=tuple(trace),
                root=root_dir,
            )
        )
    return resources
