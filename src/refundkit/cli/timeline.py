"""The timeline commands: `log` a dated step of the dispute, `correct` or `withdraw` one."""

from datetime import datetime
from typing import Annotated

import typer

from refundkit import cli
from refundkit.cli import command, get_store, today
from refundkit.kinds import Channel, EventKind, Outcome, RefusalReason, RequestKind

OrderArg = Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")]
Asked = Annotated[
    str | None,
    typer.Option(
        help="contacted-merchant: what you asked for: "
        + ", ".join(k.value for k in RequestKind if k is not RequestKind.UNKNOWN)
        + " (default: other)."
    ),
]
Reason = Annotated[
    str | None,
    typer.Option(
        help="merchant-refused: the reason given: "
        + ", ".join(r.value for r in RefusalReason)
        + " (default: other)."
    ),
]
Refused = Annotated[
    str | None,
    typer.Option(help="merchant-refused: what was refused (default: what you last asked)."),
]
OutcomeOpt = Annotated[
    str | None,
    typer.Option(help="complaint-answered: " + ", ".join(o.value for o in Outcome) + "."),
]
ChannelOpt = Annotated[
    str | None,
    typer.Option(
        help="platform-complaint, complaint-answered: "
        + ", ".join(c.value for c in Channel)
        + " (default: from the platform and payment)."
    ),
]


@command("log")
def log(
    ctx: typer.Context,
    order: OrderArg,
    event: Annotated[
        str | None,
        typer.Argument(
            help="What happened: "
            + ", ".join(k.value for k in EventKind)
            + " (or 联系商家, 商家拒绝, 退款到账...). In a terminal, asked for if left out.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[str | None, typer.Option(help="When it happened (default: today).")] = None,
    note: Annotated[
        str | None, typer.Option(help="What was said or done (may be quoted in letters).")
    ] = None,
    ref: Annotated[
        str | None, typer.Option(help="Complaint number, tracking number or similar.")
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option(help="Amount received (refund-received, compensation-received)."),
    ] = None,
    asked: Asked = None,
    reason: Reason = None,
    refused: Refused = None,
    outcome: OutcomeOpt = None,
    channel: ChannelOpt = None,
) -> None:
    """Add a dated event to the case's timeline.

    In a terminal, the event and what it needs (what you asked for, the reason for a refusal,
    the amount) are asked for when left out.
    Example: refundkit log k3f merchant-refused --reason opened --note "客服称已拆封不退"
    """
    from refundkit import cases, display, timeline
    from refundkit.i18n import _

    store = get_store(ctx)
    raw = {
        "event": event,
        "on": on,
        "note": note,
        "ref": ref,
        "amount": amount,
        "asked": asked,
        "reason": reason,
        "refused": refused,
        "outcome": outcome,
        "channel": channel,
    }
    if cli.interactive():
        from refundkit.cli import journey

        journey.event_answers(raw, store.load(store.resolve(order)), datetime.now())
    elif event is None:
        from refundkit import choices
        from refundkit.errors import BadInput

        raise BadInput(
            _("give the event after the order (no terminal to ask in): one of: {choices}").format(
                choices=choices.EVENT.listing()
            )
        )
    logged = timeline.log_event(store, order, raw, datetime.now())
    report = cases.report(store.load(store.resolve(order)), today())
    from refundkit.words import names

    typer.echo(
        _("Logged {event} on {date} ({id}); stage: {stage}").format(
            event=names.shown(names.event_kind, logged.kind.value),
            date=logged.on,
            id=logged.id,
            stage=names.shown(names.stage, report.stage.value, with_code=False),
        )
    )
    display.print_next(report)


@command("correct")
def correct(
    ctx: typer.Context,
    order: OrderArg,
    event: Annotated[str, typer.Argument(help="The event's id, as `status ORDER` shows (t3).")],
    on: Annotated[str | None, typer.Option(help="The right date.")] = None,
    note: Annotated[str | None, typer.Option(help="The right note.")] = None,
    asked: Asked = None,
    reason: Reason = None,
    refused: Refused = None,
    outcome: OutcomeOpt = None,
    channel: ChannelOpt = None,
    why: Annotated[str | None, typer.Option(help="Why it is corrected (kept).")] = None,
) -> None:
    """Correct a logged event; the old value is kept in the record beside the new one.

    Example: refundkit correct k3f t2 --asked return
    """
    from refundkit import cases, display, timeline
    from refundkit.i18n import _

    store = get_store(ctx)
    raw = {
        "on": on,
        "note": note,
        "asked": asked,
        "reason": reason,
        "refused": refused,
        "outcome": outcome,
        "channel": channel,
        "why": why,
    }
    fixed = timeline.correct_event(store, order, event, raw, datetime.now())
    changes = _(", ").join(
        f"{c.field} {c.old} → {c.new}"
        for c in fixed.corrections
        if c.recorded == fixed.corrections[-1].recorded
    )
    from refundkit.words import names

    typer.echo(
        _("Corrected {id} ({event}): {changes}").format(
            id=fixed.id,
            event=names.shown(names.event_kind, fixed.kind.value, with_code=False),
            changes=changes,
        )
    )
    display.print_next(cases.report(store.load(store.resolve(order)), today()))


@command("withdraw")
def withdraw(
    ctx: typer.Context,
    order: OrderArg,
    event: Annotated[str, typer.Argument(help="The event's id, as `status ORDER` shows (t3).")],
    why: Annotated[str | None, typer.Option(help="Why it is withdrawn (kept).")] = None,
) -> None:
    """Withdraw an event logged by mistake; it stays in the record, marked, and no longer counts.

    Example: refundkit withdraw k3f t4 --why 退款记了两次
    """
    from refundkit import cases, display, timeline
    from refundkit.i18n import _

    store = get_store(ctx)
    gone = timeline.withdraw_event(store, order, event, why, datetime.now())
    from refundkit.words import names

    typer.echo(
        _("Withdrew {id} ({event} on {date}); it stays in the record").format(
            id=gone.id,
            event=names.shown(names.event_kind, gone.kind.value, with_code=False),
            date=gone.on,
        )
    )
    display.print_next(cases.report(store.load(store.resolve(order)), today()))
