"""How reports look in a terminal: rich tables and panels, and the JSON porcelain.

No rules live here: every date, state and step arrives computed from the core. Every fact
is shown through sanitize.visible: a control or format character never reaches the terminal.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from refundkit.kinds import WindowState
from refundkit.plain import BoxTable, money, urgency_style
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from refundkit.cases import CaseReport
    from refundkit.evidence import Check
    from refundkit.models import Order, Profile
    from refundkit.windows import Window


def console(stderr: bool = False) -> Console:
    """Sentences are not wrapped by us (soft wrap), so a suggested command stays on one line
    when pasted; tables still fit the terminal's width."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def window_summary(window: Window | None) -> Text:
    if window is None:
        return Text("none", style="dim")
    style = urgency_style(window)
    if window.state is WindowState.NOT_STARTED:
        return Text(f"{window.rule}: starts on receipt", style=style)
    if window.state is WindowState.NOT_APPLICABLE:
        return Text(f"{window.rule}: not applicable", style=style)
    verb = "until" if window.state is WindowState.OPEN else "ended"
    return Text(f"{window.rule} {verb} {window.deadline}", style=style)


def days_left_cell(window: Window | None) -> Text:
    if window is None or window.days_left is None:
        return Text("-", style="dim")
    return Text(str(window.days_left), style=urgency_style(window), justify="right")


def print_added(report: CaseReport, verb: str = "Recorded") -> None:
    out = console()
    order = report.order
    out.print(
        f"{verb} order [bold]{order.id}[/bold]: {_esc(visible(order.merchant))} · "
        f"{_esc(visible(order.item))} · "
        f"{money(order.amount, order.currency)}"
    )
    print_window_lines(out, report.windows, order.id)
    out.print(
        f"Next: {_esc(visible(report.step.action))}"
        + (f" (by {report.step.by})" if report.step.by else "")
    )


def print_window_lines(out: Console, windows: list[Window], order_id: str) -> None:
    for window in windows:
        if window.state is WindowState.NOT_APPLICABLE:
            continue
        line = window_summary(window)
        if window.days_left is not None and window.state is WindowState.OPEN:
            line.append(f" ({window.days_left} days left)")
        out.print(Text("  ") + line)
    if all(w.state is WindowState.NOT_APPLICABLE for w in windows):
        out.print(
            Text(
                f"  no no-reason return window applies (see `refundkit status {order_id}`)",
                style="dim",
            )
        )


def print_missing_files(out: Console, missing: list[Check]) -> None:
    for check in missing:
        out.print(
            Text(
                visible(
                    f"missing: {check.path} (evidence {check.evidence_id} of order "
                    f"{check.order_id}, {check.name}); restore it from a backup, "
                    "then run `refundkit verify`"
                ),
                style="bold red",
            ),
            soft_wrap=True,
        )


def print_case(report: CaseReport) -> None:
    out = console()
    o = report.order
    out.print(Text(visible(f"{o.id}  {o.merchant} · {o.item}"), style="bold"))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    for label, value in case_facts(o):
        facts.add_row(label, Text(visible(value, block=True)))
    facts.add_row("Stage", Text(report.stage.value, style="bold"))
    out.print(facts)
    out.print(windows_table(report.windows))
    print_bases(out, report.windows)
    out.print(evidence_table(report))
    print_missing_files(out, list(report.files_missing or ()))
    out.print(timeline_table(report))
    step = report.step
    out.print(Text("Next step: ", style="bold") + Text(visible(step.action)))
    if step.by:
        out.print(Text(f"  by {step.by}"))
    out.print(Text(visible(f"  {step.reason}"), style="dim"))
    for note in step.notes:
        out.print(Text(visible(f"  note: {note}"), style="dim"))


def case_facts(o: Order) -> list[tuple[str, str]]:
    rows = [
        ("Merchant", o.merchant),
        ("Operator", o.operator),
        ("Item", o.item),
        ("Amount", money(o.amount, o.currency)),
        ("Purchased", _when(o.purchased, o.purchased_time)),
        ("Received", _when(o.received, o.received_time) if o.received else "not yet"),
        ("Platform", o.platform),
        ("Mini Program", o.mini_program),
        ("Order no.", o.order_no),
        ("Transaction", o.transaction_id),
        ("Payment", o.payment_method.value if o.payment_method else None),
        ("Category", o.category.value),
        ("Problem", o.problem.value),
        ("Jurisdiction", o.jurisdiction.value),
        ("Merchant address", o.merchant_address),
        ("Merchant phone", o.merchant_phone),
        ("Bill status", o.bill_status),
        ("Note", o.note),
    ]
    return [(label, value) for label, value in rows if value]


def windows_table(windows: list[Window]) -> Table:
    table = Table(title="Return windows", title_justify="left")
    table.add_column("Rule", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("From", no_wrap=True)
    table.add_column("Last day", no_wrap=True)
    table.add_column("Days left", justify="right", no_wrap=True)
    for w in windows:
        table.add_row(
            w.rule,
            Text(w.state.value, style=urgency_style(w)),
            str(w.start or "-"),
            str(w.deadline or "-"),
            days_left_cell(w),
        )
    return table


def print_bases(out: Console, windows: list[Window]) -> None:
    """The legal basis of each window, in full: the user must be able to check it."""
    for w in windows:
        out.print(Text(f"{w.rule}: ", style="bold") + Text(visible(w.basis)))
        for note in w.notes:
            out.print(Text(visible(f"  note: {note}"), style="yellow"))


def evidence_table(report: CaseReport) -> Table:
    table = Table(title="Evidence", title_justify="left")
    for name in ("ID", "Kind", "File", "Added", "SHA-256"):
        table.add_column(name)
    for e in report.order.evidence:
        table.add_row(
            visible(e.id),
            e.kind.value,
            Text(visible(e.original_name)),
            str(e.added.date()),
            e.sha256[:12],
        )
    if report.missing:
        table.caption = "missing (required): " + ", ".join(k.value for k in report.missing)
    if report.recommended:
        recommended = "recommended: " + ", ".join(k.value for k in report.recommended)
        table.caption = f"{table.caption}; {recommended}" if table.caption else recommended
    return table


def timeline_table(report: CaseReport) -> BoxTable:
    """Drawn by plain.BoxTable, not rich's Table: a timeline can have thousands of rows."""
    from refundkit.ladder import sorted_events

    rows = [[str(report.order.purchased), "purchased", ""]]
    if report.order.received:
        rows.append([str(report.order.received), "received", ""])
    for e in sorted_events(report.order.events):
        details = [
            f"{money(e.amount, report.order.currency)}" if e.amount else "",
            f"channel {e.channel.value}" if e.channel else "",
            f"ref {e.ref}" if e.ref else "",
            e.note or "",
        ]
        rows.append([_when(e.on, e.at), e.kind.value, " · ".join(d for d in details if d)])
    return BoxTable("Timeline", ["Date", "Event", "Details"], rows, fold=(2,))


def print_profile(profile: Profile) -> None:
    out = console()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    for name in ("name", "phone", "email", "address", "language", "jurisdiction"):
        value = getattr(profile, name)
        grid.add_row(
            name, Text(visible(str(value))) if value is not None else Text("not set", style="dim")
        )
    out.print(grid)


def _when(day: object, clock: object) -> str:
    return f"{day} {clock}" if clock else str(day)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def print_next(report: CaseReport) -> None:
    out = console()
    step = report.step
    by = f" (by {step.by})" if step.by else ""
    out.print(Text("Next: ", style="bold") + Text(visible(step.action + by)))
