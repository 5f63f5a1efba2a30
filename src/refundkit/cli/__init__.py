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
from refundkit.cli.helpview import RefundkitCommand, RefundkitGroup
from refundkit.errors import BadFile, BadInput, RefundkitError, os_reason
from refundkit.i18n import _
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from refundkit.store import Store

app = typer.Typer(
    name="refundkit",
    help="Win back a refund: record the purchase and its proof, watch the return windows, "
    "and write the letters for each rung of the dispute.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    cls=RefundkitGroup,  # journey-ordered help panels, paged (cli/helpview.py)
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
            result = func(*args, **kwargs)
            _index_written(kwargs.get("ctx"))
            return result
        except RefundkitError as exc:
            if os.environ.get("REFUNDKIT_DEBUG") == "1":
                raise
            # Messages quote what the user or a file gave: shown, never emitted raw.
            typer.echo(_("error: {message}").format(message=visible(exc.message)), err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # A closed pipe (`refundkit calendar | head`) is not an error to report: Typer
            # silences it. REFUNDKIT_DEBUG wants the traceback.
            if exc.errno == errno.EPIPE or os.environ.get("REFUNDKIT_DEBUG") == "1":
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            message = visible(where + os_reason(exc))
            typer.echo(_("error: {message}").format(message=message), err=True)
            raise typer.Exit(2 if exc.errno in PATH_ERRNOS else 1) from None
        finally:
            _tidy_modes(kwargs.get("ctx"))

    return wrapper  # type: ignore[return-value]


def _refuse_nul_paths(values: dict[str, Any]) -> None:
    """No real file name holds a NUL (an argv cannot even carry one), and the OS would reject
    it deep inside a command as a bare ValueError: refuse it up front, for every command."""
    for value in values.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path) and "\x00" in str(item):
                raise BadFile(
                    _("file name {name} contains a NUL: give a real path").format(
                        name=repr(str(item))
                    )
                )


OUTPUT_OPTIONS = ("out", "folder")  # the options that name a file or folder a command writes


def _refuse_output_in_data_folder(values: dict[str, Any]) -> None:
    """The data folder is refundkit's own: an --out (or demo's --folder) inside it could
    replace an order.json or the profile with a letter or a zip. Refused for every command,
    links followed, before anything is written."""
    ctx: Any = values.get("ctx")
    if not hasattr(ctx, "find_root"):  # click's Context; typer.Context is only its subclass
        return
    home = home_of(ctx)
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
                _(
                    "--{option} {target} is inside the data folder {home}: write it somewhere "
                    "else, the data folder holds only refundkit's own files"
                ).format(option=name, target=target, home=home)
            )


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """app.command with the error guard applied (and its help laid out by cli/helpview.py)."""
    kwargs.setdefault("cls", RefundkitCommand)

    def decorate(func: F) -> F:
        app.command(*args, **kwargs)(guarded(func))
        return func

    return decorate


def _version(value: bool) -> None:
    if value:
        typer.echo(f"refundkit {__version__}")
        raise typer.Exit()


def _no_pager(value: bool) -> None:
    from refundkit import pager

    pager.set_disabled(value)


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        str | None,
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
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            callback=_no_pager,
            is_eager=True,
            help="Print long output (status ORDER, help, a letter) straight to the terminal, "
            "without a pager.",
        ),
    ] = False,
    ui_lang: Annotated[
        str | None,
        typer.Option(
            "--ui-lang",
            help="Language of what refundkit prints: zh or en (or 中文, 英文; default: "
            "$REFUNDKIT_LANG, else the profile's language, else the locale).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """refundkit: evidence organiser and complaint-letter writer for refunds."""
    _echo_undecodable_bytes_back()
    _choose_language(ui_lang, home)
    if home is not None and "\x00" in home:
        raise typer.BadParameter(_("--home: a folder name cannot contain a NUL character"))
    if home is not None and not home.strip():
        # Path("") is the current folder: an empty --home (an unset shell variable) would
        # make whatever folder the command runs in the data folder.
        raise typer.BadParameter(_("--home is empty: give the data folder's path"))
    ctx.obj = Path(home) if home is not None else None


def _choose_language(option: str | None, home: str | None) -> None:
    """The interface's language for this run; a --ui-lang refundkit cannot read is refused in
    one line (RefundkitGroup.main chose from the same words already, ignoring it)."""
    from refundkit.cli import language

    if option is not None:
        from refundkit.choices import language_code

        try:
            option = language_code(option, "--ui-lang")
        except RefundkitError as exc:  # one line, as every bad value (no usage box)
            message = visible(exc.message)
            typer.echo(_("error: {message}").format(message=message), err=True)
            raise typer.Exit(2) from None
    language.choose(option, home)


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


def home_of(ctx: typer.Context) -> Path:
    """The data folder's path, without looking at it."""
    from refundkit.store import resolve_home

    return resolve_home(ctx.find_root().obj)


def notice(message: str) -> None:
    """What a person should hear while a command runs (a lock wait, modes put right)."""
    typer.echo(visible(message), err=True)


STORE_KEY = "refundkit.store"


def get_store(ctx: typer.Context) -> "Store":
    """The data folder, opened once per command: refused if it is some other folder, and with
    the modes of what refundkit made put right (see Store.open)."""
    from refundkit.store import Store

    meta = ctx.find_root().meta
    if STORE_KEY not in meta:
        meta[STORE_KEY] = Store(home_of(ctx), notice=notice).open()
    store: Store = meta[STORE_KEY]
    return store


def _tidy_modes(ctx: Any) -> None:
    """After a command: if it met a file open to others on its way, put the modes right (the
    open check looks only at the top of the folder, which guards the rest)."""
    if not hasattr(ctx, "find_root"):
        return
    store = ctx.find_root().meta.get(STORE_KEY)
    if store is not None and store.loose_seen:
        with contextlib.suppress(OSError):
            store.restore_modes()


def _index_written(ctx: Any) -> None:
    """After a command that wrote orders: enter their cases in the status index, so the
    next status shows them without validating them (overview.enter).

    The index is only a cache, and the orders are saved by now: whatever goes wrong here
    (a data folder that cannot take the index, an index damaged past reading) is left to the
    next status, which indexes them itself. A failure must never make a saved order look
    unsaved, or the user would record it a second time.
    """
    if not hasattr(ctx, "find_root"):
        return
    store = ctx.find_root().meta.get(STORE_KEY)
    if store is not None and store.written:
        from refundkit.overview import enter

        with contextlib.suppress(Exception):
            enter(store, store.written, today())


def file_or_stdout(out: Path | None) -> Path | None:
    """--out as given, or None (stdout) for `-`, as most commands that write a file read it;
    never a file named `-` in the current folder. (pathlib reads `./-` as `-` too: such a
    file is reached through its folder's full path.)"""
    return None if out is not None and str(out) == "-" else out


def refuse_overwrite(out: Path, force: bool) -> None:
    """--out never replaces a file without --force: one line, exit 2, naming the way out.
    Checked before the work, so the refusal comes at once; write_out checks again."""
    if not force and os.path.lexists(out):
        raise BadInput(_exists(out))


def write_out(out: Path, data: bytes, force: bool) -> None:
    """Write an --out file whole and owner-only; without force, never over an existing file,
    not even one that appeared while the command ran."""
    from refundkit.store import place_file

    try:
        place_file(out, data, replace=force)
    except FileExistsError:
        raise BadInput(_exists(out)) from None


def _exists(out: Path) -> str:
    message = _("--out {path} already exists: add --force to replace it, or choose another name")
    return message.format(path=out)


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
        typer.echo(_("interrupted"), err=True)
        sys.exit(130)
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("REFUNDKIT_DEBUG") == "1":
            raise
        typer.echo(
            visible(
                _(
                    "error: internal error ({kind}: {error}); rerun with REFUNDKIT_DEBUG=1 "
                    "for details"
                ).format(kind=type(exc).__name__, error=exc)
            ),
            err=True,
        )
        sys.exit(1)


from refundkit.cli import evidence, files, letters, orders, screenshots, timeline, trash  # noqa: E402,F401  (registers the commands)
