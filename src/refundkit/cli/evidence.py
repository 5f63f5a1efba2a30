"""Commands for the evidence locker: add-evidence and verify."""

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from refundkit import cli
from refundkit.cli import command, get_store, notice
from refundkit.kinds import EvidenceKind

PROGRESS_FROM = 32 << 20  # show a progress bar for batches over 32 MiB


@contextlib.contextmanager
def progress_bar(total: int, label: str) -> Iterator[object]:
    """A rich progress bar on stderr for large files; nothing for small ones, or off a
    terminal (where rich would draw nothing, after importing itself and counting every step)."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from refundkit.display import console

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda count: bar.advance(task, count)


def _total_size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += os.stat(path).st_size
    return total


@command("add-evidence")
def add_evidence(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")],
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files to attach (copied, never moved). In a terminal, asked for if left out.",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="What the files show: "
            + ", ".join(k.value for k in EvidenceKind)
            + " (or 订单截图, 聊天记录, 支付凭证...). In a terminal, asked for if left out.",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="What this proves.")] = None,
    taken: Annotated[
        str | None, typer.Option(help="When the screenshot or recording was made.")
    ] = None,
) -> None:
    """Copy proof into the case folder, fingerprinted with SHA-256 and stored read-only.

    Example: refundkit add-evidence k3f 聊天记录.png --kind chat --note "客服拒绝退货"
    """
    from refundkit import choices, evidence, plain

    store = get_store(ctx)
    order_id = store.resolve(order)
    paths, kind, note = _what_to_attach(list(files or []), kind, note)
    from refundkit.i18n import _

    with progress_bar(_total_size(paths), _("hashing and copying")) as advance:
        added = evidence.add_evidence(
            store,
            order_id,
            paths,
            EvidenceKind(choices.parse(choices.EVIDENCE_KIND, kind)),
            note,
            taken,
            datetime.now(),
            advance,  # type: ignore[arg-type]
        )
    plain.print_evidence_added(added)
    # With the OCR extra, a chat, order or payment image keeps its recognised text beside it.
    from refundkit.cli.ask import warn
    from refundkit.screenshots.text import recognise_new

    for warning in recognise_new(store, order_id, added):
        warn(warning)


def _what_to_attach(
    files: list[Path], kind: str | None, note: str | None
) -> tuple[list[Path], str, str | None]:
    """The files, their kind and note: as given; in a terminal, what is missing is asked for;
    otherwise the missing FILE or --kind is named, with the choices."""
    from refundkit import choices
    from refundkit.errors import BadInput
    from refundkit.i18n import _

    if files and kind is not None:
        return files, kind, note
    from refundkit.evidence import check_source

    for path in files:  # a file that is not there is said before any question or missing option
        check_source(path)
    if cli.interactive():
        from refundkit.cli import journey

        return journey.evidence_answers(files, kind, note)
    if not files:
        raise BadInput(_("give the file(s) to attach after the order (no terminal to ask in)"))
    raise BadInput(
        _("--kind is required (no terminal to ask in): give one of: {choices}").format(
            choices=choices.EVIDENCE_KIND.listing()
        )
    )


@command("verify")
def verify(
    ctx: typer.Context,
    order: Annotated[str | None, typer.Argument(help="Only this order.")] = None,
) -> None:
    """Re-hash every stored evidence file; exit 1 if any is modified, missing or unreadable.

    Example: refundkit verify
    """
    from refundkit import plain, verify
    from refundkit.i18n import _, ngettext

    store = get_store(ctx)
    ids = [store.resolve(order)] if order is not None else store.list_ids()
    plan = verify.plan(store, ids)
    with progress_bar(plan.total, _("verifying")) as advance:
        checks, damaged = verify.run(store, plan, advance, single=order is not None)  # type: ignore[arg-type]
    plain.print_checks(checks, damaged)
    restored = sum(c.restored for c in checks)
    if restored:
        notice(
            ngettext(
                "notice: made {n} evidence file read-only again (0400), as stored",
                "notice: made {n} evidence files read-only again (0400), as stored",
                restored,
            ).format(n=restored)
        )
    # An unrecorded file is reported, not a failure: the recorded evidence is all there.
    if damaged or any(c.status not in ("ok", "unrecorded") for c in checks):
        raise typer.Exit(1)
