"""The command line: parse options, call the core, print through display. Nothing else.

Commands live in one module per concern (orders, evidence, letters, files); each registers on
the one `app` defined here. Core modules are imported inside the commands that use them, so
`refundkit --help` and `--version` do not pay for Pydantic, Jinja2 or rich tables.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from refundkit import __version__
from refundkit.errors import RefundkitError

if TYPE_CHECKING:
    from refundkit.store import Store

app = typer.Typer(
    name="refundkit",
    help="Win back a refund: record the purchase and its proof, watch the return windows, "
    "and write the letters for each rung of the dispute.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """Turn a RefundkitError into one line on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RefundkitError as exc:
            if os.environ.get("REFUNDKIT_DEBUG") == "1":
                raise
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """app.command with the error guard applied."""

    def decorate(func: F) -> F:
        app.command(*args, **kwargs)(guarded(func))
        return func

    return decorate


def _version(value: bool) -> None:
    if value:
        typer.echo(f"refundkit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Data folder (default: $REFUNDKIT_HOME, else the platform's user data folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """refundkit: evidence organiser and complaint-letter writer for refunds."""
    ctx.obj = home


def get_store(ctx: typer.Context) -> Store:
    from refundkit.store import Store, resolve_home

    root_ctx = ctx.find_root()
    return Store(resolve_home(root_ctx.obj))


def today() -> date:
    """The local date: every 'today' and default as-of comes from here."""
    return date.today()


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def main() -> None:
    """Console entry point: no traceback reaches the user unless REFUNDKIT_DEBUG=1."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("REFUNDKIT_DEBUG") == "1":
            raise
        typer.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); "
            "rerun with REFUNDKIT_DEBUG=1 for details",
            err=True,
        )
        sys.exit(1)


from refundkit.cli import evidence, orders, timeline  # noqa: E402,F401  (registers the commands)
