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
    from refundkit.rules import Window


def console(stderr: bool = False) -> Console:
    """Sentences are not wrapped by us (soft wrap), so a suggested command stays on one line
    when pasted; tables still fit the terminal's width."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def window_summary(window: Window | None) -> Text:
    from refundkit.words import names, terminal

    if window is None:
        return Text("none", style="dim")
    style = urgency_style(window)
    return Text(f"{names.rule(window.rule)}: {terminal.window_state_text(window)}", style=style)


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
    print_next(report)


def print_window_lines(out: Console, windows: tuple[Window, ...], order_id: str) -> None:
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
    print_bases(out, report)
    out.print(evidence_table(report))
    print_missing_files(out, list(report.files_missing or ()))
    out.print(timeline_table(report))
    print_limitation(out, report)
    print_notices(out, report)
    print_step(out, report)


def print_step(out: Console, report: CaseReport) -> None:
    from refundkit.words import terminal

    a = report.assessment
    step = a.step
    action = visible(terminal.step_action(a, report.order.id))
    out.print(Text("Next step: ", style="bold") + Text(action))
    if step.by:
        label = "  overdue since" if step.overdue else "  by"
        out.print(Text(f"{label} {step.by}", style="bold red" if step.overdue else ""))
    reason = terminal.step_reason(a)
    if reason:
        out.print(Text(visible(f"  {reason}"), style="dim"))
    for note in terminal.step_notes(a, report.order.id):
        out.print(Text(visible(f"  {note}"), style="bold yellow"))


def print_limitation(out: Console, report: CaseReport) -> None:
    from refundkit.words import terminal

    limitation = report.assessment.limitation
    if limitation is not None and (limitation.safe or limitation.basis != "cn-188"):
        out.print(Text(visible(terminal.limitation_text(limitation))))


def print_notices(out: Console, report: CaseReport) -> None:
    from refundkit.words import terminal

    for note in report.assessment.notices:
        out.print(Text(visible(terminal.notice_text(note, report.order.id)), style="bold yellow"))


def bill_status_text(o: Order) -> str | None:
    """What the bill says of the payment, worded, with the bill's own words and amount."""
    from refundkit.words import names

    if not o.bill_state:
        return o.bill_status
    amount = f" ({money(o.bill_refunded, o.currency)})" if o.bill_refunded else ""
    own = f" [{o.bill_status}]" if o.bill_status else ""
    return f"{names.bill_state(o.bill_state)}{amount}{own}"


def case_facts(o: Order) -> list[tuple[str, str]]:
    from refundkit.words import names

    rows = [
        ("Merchant", o.merchant),
        ("Operator", o.operator),
        ("Item", o.item),
        ("Amount", money(o.amount, o.currency)),
        ("Purchased", _when(o.purchased, o.purchased_time)),
        ("Received", _when(o.received, o.received_time) if o.received else "not yet"),
        ("Platform", names.platform(o.platform) if o.platform else None),
        ("Mini Program", o.mini_program),
        ("Order no.", o.order_no),
        ("Transaction", o.transaction_id),
        ("Payment", o.payment_method.value if o.payment_method else None),
        ("Category", o.category.value),
        ("Problem", o.problem.value),
        ("Jurisdiction", o.jurisdiction.value),
        ("Merchant address", o.merchant_address),
        ("Merchant phone", o.merchant_phone),
        ("Units", f"{o.units_used or 0} of {o.units} used" if o.units else None),
        ("Bill status", bill_status_text(o)),
        ("Details", o.details),
        ("Note (private)", o.note),
    ]
    return [(label, value) for label, value in rows if value]


def windows_table(windows: tuple[Window, ...]) -> Table:
    table = Table(title="Return windows", title_justify="left")
    table.add_column("Rule", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("From", no_wrap=True)
    table.add_column("Last day", no_wrap=True)
    table.add_column("Days left", justify="right", no_wrap=True)
    for w in windows:
        state = "exercised" if w.exercised else w.state.value
        table.add_row(
            w.rule,
            Text(state, style=urgency_style(w)),
            str(w.start or "-"),
            str(w.deadline or "-"),
            days_left_cell(w),
        )
    return table


def print_bases(out: Console, report: CaseReport) -> None:
    """The legal basis of each window, in full: the user must be able to check it."""
    from refundkit.words import terminal

    a = report.assessment
    for w in a.windows:
        basis = terminal.window_basis(w, a.jurisdiction, report.order.id)
        out.print(Text(f"{w.rule}: ", style="bold") + Text(visible(basis)))
        if w.exercised:
            out.print(
                Text(visible(f"  exercised on {w.exercised} ({w.exercised_by})"), style="green")
            )
        for note in w.notes:
            out.print(Text(visible(f"  note: {terminal.window_note(note)}"), style="yellow"))


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
    from refundkit.models import sorted_events

    rows = [[str(report.order.purchased), "", "purchased", ""]]
    if report.order.received:
        rows.append([str(report.order.received), "", "received", ""])
    styles: dict[tuple[int, int], str] = {}
    for e in sorted_events(report.order.events):
        details = [
            f"{money(e.amount, report.order.currency)}" if e.amount else "",
            f"asked {e.asked.value}" if e.asked else "",
            f"refused {e.refused.value}" if e.refused else "",
            f"reason {e.reason.value}" if e.reason else "",
            f"outcome {e.outcome.value}" if e.outcome else "",
            f"channel {e.channel.value}" if e.channel else "",
            f"ref {e.ref}" if e.ref else "",
            e.note or "",
        ]
        details += [
            f"corrected {c.recorded:%Y-%m-%d}: {c.field} {c.old} → {c.new}" for c in e.corrections
        ]
        if e.withdrawn:
            details.append(
                f"WITHDRAWN {e.withdrawn:%Y-%m-%d}"
                + (f": {e.withdrawn_why}" if e.withdrawn_why else "")
            )
            styles[len(rows), 2] = "strike dim"
        rows.append([_when(e.on, e.at), e.id, e.kind.value, " · ".join(d for d in details if d)])
    return BoxTable("Timeline", ["Date", "ID", "Event", "Details"], rows, fold=(3,), styles=styles)


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
    from refundkit.words import terminal

    out = console()
    a = report.assessment
    out.print(
        Text("Next: ", style="bold") + Text(visible(terminal.step_action(a, report.order.id)))
    )
    for note in a.notices:
        out.print(Text(visible(terminal.notice_text(note, report.order.id)), style="bold yellow"))
