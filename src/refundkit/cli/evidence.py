"""Commands for the evidence locker: add-evidence and verify."""

import contextlib
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

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
    files: Annotated[list[Path], typer.Argument(help="Files to attach (copied, never moved).")],
    kind: Annotated[EvidenceKind, typer.Option(help="What the files show.")],
    note: Annotated[str | None, typer.Option(help="What this proves.")] = None,
    taken: Annotated[
        str | None, typer.Option(help="When the screenshot or recording was made.")
    ] = None,
) -> None:
    """Copy proof into the case folder, fingerprinted with SHA-256 and stored read-only.

    Example: refundkit add-evidence k3f 聊天记录.png --kind chat --note "客服拒绝退货"
    """
    from refundkit import evidence, plain

    store = get_store(ctx)
    with progress_bar(_total_size(files), "hashing and copying") as advance:
        added = evidence.add_evidence(
            store,
            order,
            files,
            kind,
            note,
            taken,
            datetime.now(),
            advance,  # type: ignore[arg-type]
        )
    plain.print_evidence_added(added)
    # With the OCR extra, a chat, order or payment image keeps its recognised text beside it.
    from refundkit.screenshots.text import recognise_new

    for warning in recognise_new(store, store.resolve(order), added):
        typer.echo(f"warning: {warning}", err=True)


@command("verify")
def verify(
    ctx: typer.Context,
    order: Annotated[str | None, typer.Argument(help="Only this order.")] = None,
) -> None:
    """Re-hash every stored evidence file; exit 1 if any is modified, missing or unreadable.

    Example: refundkit verify
    """
    from refundkit import plain, verify

    store = get_store(ctx)
    ids = [store.resolve(order)] if order is not None else store.list_ids()
    plan = verify.plan(store, ids)
    with progress_bar(plan.total, "verifying") as advance:
        checks, damaged = verify.run(store, plan, advance, single=order is not None)  # type: ignore[arg-type]
    plain.print_checks(checks, damaged)
    restored = sum(c.restored for c in checks)
    if restored:
        notice(f"notice: made {restored} evidence files read-only again (0400), as stored")
    # An unrecorded file is reported, not a failure: the recorded evidence is all there.
    if damaged or any(c.status not in ("ok", "unrecorded") for c in checks):
        raise typer.Exit(1)
