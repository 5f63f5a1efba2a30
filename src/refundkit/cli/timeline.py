"""The `log` command: dated steps of the dispute."""

from datetime import datetime
from typing import Annotated

import typer

from refundkit.cli import command, get_store, today
from refundkit.kinds import Channel, EventKind


@command("log")
def log(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")],
    event: Annotated[EventKind, typer.Argument(help="What happened.")],
    on: Annotated[str | None, typer.Option(help="When it happened (default: today).")] = None,
    note: Annotated[str | None, typer.Option(help="What was said or done.")] = None,
    ref: Annotated[
        str | None, typer.Option(help="Complaint number, tracking number or similar.")
    ] = None,
    amount: Annotated[
        str | None, typer.Option(help="Amount refunded (with refund-received).")
    ] = None,
    channel: Annotated[
        Channel | None,
        typer.Option(help="Where a platform-complaint was filed (default: wechat-pay)."),
    ] = None,
) -> None:
    """Add a dated event to the case's timeline.

    Example: refundkit log k3f merchant-refused --on 2026-11-22 --note "客服称已拆封不退"
    """
    from refundkit import cases, display, timeline

    store = get_store(ctx)
    raw = {
        "event": event.value,
        "on": on,
        "note": note,
        "ref": ref,
        "amount": amount,
        "channel": channel.value if channel else None,
    }
    logged = timeline.log_event(store, order, raw, datetime.now())
    report = cases.report(store.load(store.resolve(order)), today())
    typer.echo(
        f"Logged {logged.kind.value} on {logged.on} ({logged.id}); stage: {report.stage.value}"
    )
    display.print_next(report)
