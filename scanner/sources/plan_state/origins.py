"""Map configuration addresses (``module.a.aws_s3_bucket.b``) back to the ``.tf`` file and line.

Plan and state JSON name resources by address only. When the JSON sits in the
root module's folder, that folder's configuration is parsed (never evaluated)
to find where each resource block is written.
"""

from __future__ import annotations

from pathlib import Path

from scanner.model import Origin, ScanError


class ConfigOrigins:
    def __init__(self, origins: dict[str, Origin], errors: list[ScanError]):
        self._origins = origins
        self.errors = errors

    @classmethod
    def beside(cls, path: Path) -> ConfigOrigins:
        folder = path.parent
        if not any(p.name.endswith((".tf", ".tf.json")) for p in folder.iterdir() if p.is_file()):
            return cls({}, [])
        from scanner.sources import display_prefix
        from scanner.sources.terraform.module.project import Project

        project = Project(folder, prefix=display_prefix(folder))
        origins: dict[str, Origin] = {}
        _walk(project, ".", ".", [], "", origins, 0)
        return cls(origins, [])

    def origin(self, config_address: str) -> Origin | None:
        return self._origins.get(config_address)


def _walk(project, root_dir: str, directory: str, call_path: list[str], prefix: str, origins: dict[str, Origin], depth: int) -> None:
    config = project.module(directory)
    if config is None or depth > 32:
        return
    for block in config.resources:
        origins[prefix + block.address] = Origin(block.file, block.line, end_line=block.end_line)
    for name, call in config.module_calls.items():
        child, problem = project.resolve_source(root_dir, call_path + [name], directory, call)
        if child is not None and problem is None and child != directory:
            _walk(project, root_dir, child, call_path + [name], f"{prefix}module.{name}.", origins, depth + 1)
