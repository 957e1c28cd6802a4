"""The command line: one lazily-loaded module per command, so start-up imports almost nothing.

Commands are listed in one explicit registry, ``COMMANDS``; a command's
module is imported only when that command runs (``sovscan --version`` stays
fast). Exit codes live in ``ExitCode``.
"""

from __future__ import annotations

import enum
import gc
import importlib
import importlib.util
import sys

import click

from scanner import __version__


class ExitCode(enum.IntEnum):
    OK = 0  # everything given was judged, and no active finding reaches --fail-on
    FINDINGS = 1  # an active finding at or above --fail-on
    ERROR = 2  # usage errors, or nothing could be scanned
    INCOMPLETE = 3  # part of the input was not judged, and no finding reaches --fail-on (--allow-incomplete: 0)


class UsageProblem(click.ClickException):
    """A usage or input error that stops the command (exit code 2)."""

    exit_code = ExitCode.ERROR


# name -> "module:attribute" of the click command
COMMANDS = {
    "scan": "scanner.cli.scan:scan",
    "inventory": "scanner.cli.inventory:inventory",
    "catalog": "scanner.cli.catalog:catalog",
    "rules": "scanner.cli.rules:rules",
    "explain": "scanner.cli.rules:explain",
    "report": "scanner.cli.report:report",
    "diff": "scanner.cli.diff:diff",
    "merge": "scanner.cli.merge:merge",
    "init": "scanner.cli.init:init",
    "pre-commit": "scanner.cli.precommit:precommit",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not self._available(name):
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="sovscan")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """sovscan: is the data each resource holds allowed to live where it lives?

    Checks Terraform and cloud inventories against the French State's
    trusted-cloud doctrine (SecNumCloud, HDS, GDPR) or the EU pack.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# Run the cyclic garbage collector every 100,000 allocations instead of every 700. A scan allocates
# millions of small objects that form no cycles (syntax trees, values, records), which the collector
# kept rescanning: a tenth of a 1k-resource scan, a fifth of a 10k one, for 5 % more memory. mypy
# raises its threshold for the same reason.
GC_THRESHOLD = 100_000


def main(argv: list[str] | None = None, prog_name: str | None = None, program: bool = False) -> None:
    """Entry point: one handler turns an unexpected exception into a short bug report.

    ``program``: called by the ``sovscan`` program (``scanner/__main__.py``), whose
    command line a scan may then remember for replaying it before the CLI loads.
    """
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name=prog_name or "sovscan", standalone_mode=False, obj={"argv": list(args)} if program else None)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.ERROR)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(ExitCode.ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # the one top-level handler
        if debug:
            raise
        click.echo(
            f"sovscan: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in sovscan, not in your input. Please report it with the command you ran; "
            "--debug shows the traceback.",
            err=True,
        )
        sys.exit(ExitCode.ERROR)
