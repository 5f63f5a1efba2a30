"""The command line: parse options, call the core, print through display. Nothing else.

Commands live in one module per concern (orders, evidence, letters, files); each registers on
the one `app` defined here. Core modules are imported inside the commands that use them, so
`refundkit --help` and `--version` do not pay for Pydantic, Jinja2 or rich tables.

No `from __future__ import annotations` in the command modules: Typer would `eval` every
string annotation of every command at each start-up (measured: it doubled the time to build
the command group, 25 ms of each run), while real annotations are built once at import.
"""

import contextlib
import errno
import functools
import io
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from refundkit import __version__
from refundkit.errors import BadFile, RefundkitError

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


# An OSError with one of these is about a path the user gave (too long, not there, not
# allowed): bad input, exit 2. Any other (disk full, read-only disk, I/O error) is exit 1.
PATH_ERRNOS = frozenset(
    (errno.ENAMETOOLONG, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM,
     errno.ELOOP, errno.EEXIST, errno.ENXIO)
)  # fmt: skip


def guarded(func: F) -> F:
    """Turn a RefundkitError into one line on stderr and its exit code.

    An OSError the command did not turn into one itself (a path too long for the file
    system, a full disk) gets the same treatment: the atomic writes have already made sure
    nothing half-written is left, so a line naming the file is all the user needs.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _refuse_nul_paths(kwargs)
            _refuse_output_in_data_folder(kwargs)
            return func(*args, **kwargs)
        except RefundkitError as exc:
            if os.environ.get("REFUNDKIT_DEBUG") == "1":
                raise
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # A closed pipe (`refundkit calendar | head`) is not an error to report: Typer
            # silences it. REFUNDKIT_DEBUG wants the traceback.
            if exc.errno == errno.EPIPE or os.environ.get("REFUNDKIT_DEBUG") == "1":
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(2 if exc.errno in PATH_ERRNOS else 1) from None

    return wrapper  # type: ignore[return-value]


def _refuse_nul_paths(values: dict[str, Any]) -> None:
    """No real file name holds a NUL (an argv cannot even carry one), and the OS would reject
    it deep inside a command as a bare ValueError: refuse it up front, for every command."""
    for value in values.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path) and "\x00" in str(item):
                raise BadFile(f"file name {str(item)!r} contains a NUL: give a real path")


OUTPUT_OPTIONS = ("out", "folder")  # the options that name a file or folder a command writes


def _refuse_output_in_data_folder(values: dict[str, Any]) -> None:
    """The data folder is refundkit's own: an --out (or demo's --folder) inside it could
    replace an order.json or the profile with a letter or a zip. Refused for every command,
    links followed, before anything is written."""
    ctx: Any = values.get("ctx")
    if not hasattr(ctx, "find_root"):  # click's Context; typer.Context is only its subclass
        return
    home = get_store(ctx).home
    for name in OUTPUT_OPTIONS:
        target = values.get(name)
        if not isinstance(target, Path):
            continue
        try:
            inside = target.resolve().is_relative_to(home.resolve())
        except (OSError, RuntimeError):  # a link loop: the command itself will refuse it
            continue
        if inside:
            raise BadFile(
                f"--{name} {target} is inside the data folder {home}: "
                "write it somewhere else, the data folder holds only refundkit's own files"
            )


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
    _echo_undecodable_bytes_back()
    if home is not None and "\x00" in str(home):
        raise typer.BadParameter(
            "a folder name cannot contain a NUL character", param_hint="--home"
        )
    ctx.obj = home


def _echo_undecodable_bytes_back() -> None:
    """Let output carry what came in as undecodable bytes (a file name from another system,
    a mis-set terminal): Python holds such bytes as lone surrogates, which a strict UTF-8
    stream refuses with a traceback, after the command has done its work. Written back with
    surrogateescape they become the very bytes the user typed, as `ls` would show them."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                reconfigure(errors="surrogateescape")


def get_store(ctx: typer.Context) -> "Store":
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


from refundkit.cli import evidence, files, letters, orders, screenshots, timeline  # noqa: E402,F401  (registers the commands)
