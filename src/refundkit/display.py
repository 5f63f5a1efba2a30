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

from refundkit import wrap
from refundkit.kinds import WindowState
from refundkit.plain import money, urgency_style
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from refundkit.cases import CaseReport
    from refundkit.caseview import Extras
    from refundkit.models import Profile
    from refundkit.rules import Window


def console(stderr: bool = False) -> Console:
    """Sentences are not wrapped by us (soft wrap), so a suggested command stays on one line
    when pasted; tables still fit the terminal's width."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def window_summary(window: Window | None) -> Text:
    from refundkit.i18n import _
    from refundkit.words import names, terminal

    if window is None:
        return Text(_("none"), style="dim")
    style = urgency_style(window)
    text = _("{rule}: {state}").format(
        rule=names.rule(window.rule), state=terminal.window_state_text(window)
    )
    return Text(text, style=style)


def days_left_cell(window: Window | None) -> Text:
    if window is None or window.days_left is None:
        return Text("-", style="dim")
    return Text(str(window.days_left), style=urgency_style(window), justify="right")


def print_added(report: CaseReport, verb: str = "Recorded") -> None:
    """The order just recorded (verb "Recorded") or changed ("Updated"), with its windows."""
    from refundkit.i18n import _

    out = console()
    order = report.order
    if verb == "Updated":
        line = _("Updated order [bold]{id}[/bold]: {merchant} · {item} · {amount}")
    else:
        line = _("Recorded order [bold]{id}[/bold]: {merchant} · {item} · {amount}")
    out.print(
        line.format(
            id=order.id,
            merchant=_esc(visible(order.merchant)),
            item=_esc(visible(order.item)),
            amount=money(order.amount, order.currency),
        )
    )
    print_window_lines(out, report.windows, order.id)
    print_next(report)


def print_window_lines(out: Console, windows: tuple[Window, ...], order_id: str) -> None:
    from refundkit.i18n import _, ngettext

    for window in windows:
        if window.state is WindowState.NOT_APPLICABLE:
            continue
        line = window_summary(window)
        # Days left matter only while the right is still to be used: once exercised, no.
        left_to_act = window.state is WindowState.OPEN and window.exercised is None
        if window.days_left is not None and left_to_act:
            left = ngettext("({count} day left)", "({count} days left)", window.days_left)
            line.append(_(" {days_left}").format(days_left=left.format(count=window.days_left)))
        for part in wrap.lines(line.plain, out.width, first="  ", rest="    "):
            out.print(Text(part, style=line.style))
    if all(w.state is WindowState.NOT_APPLICABLE for w in windows):
        out.print(
            Text(
                "  "
                + _("no no-reason return window applies (see `refundkit status {id}`)").format(
                    id=order_id
                ),
                style="dim",
            )
        )


def print_case(report: CaseReport, extras: Extras | None = None) -> None:
    """`status ORDER`: the case laid out for the console's width (caseview.py)."""
    from refundkit.caseview import case_lines
    from refundkit.plain import Lines

    out = console()
    out.print(Lines(case_lines(report, out.width, extras)))


def print_wrapped(text: str, rest: str = "  ") -> None:
    """A paragraph wrapped to the terminal at spaces and between Chinese characters, a
    command in backticks kept whole (wrap.lines)."""
    out = console()
    for line in wrap.lines(visible(text), out.width, rest=rest):
        out.print(Text(line))


def print_profile(profile: Profile) -> None:
    from refundkit.i18n import _

    out = console()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    for name, label in _profile_labels():
        value = getattr(profile, name)
        grid.add_row(
            label,
            Text(visible(_profile_value(name, value)))
            if value is not None
            else Text(_("not set"), style="dim"),
        )
    out.print(grid)


def _profile_labels() -> tuple[tuple[str, str], ...]:
    """The profile's fields and their names in the interface's language."""
    from refundkit.i18n import _

    return (
        ("name", _("name")),
        ("phone", _("phone")),
        ("email", _("email")),
        ("address", _("address")),
        ("language", _("language")),
        ("jurisdiction", _("jurisdiction")),
    )


def _profile_value(name: str, value: object) -> str:
    """A profile value as shown: the language and jurisdiction by their names (codes in
    parentheses, as the options take them), the rest as typed."""
    from refundkit.words import names

    code = str(getattr(value, "value", value))
    if name == "language":
        return f"{names.language(code)} ({code})"
    if name == "jurisdiction":
        return f"{names.jurisdiction(code)} ({code})"
    return code


def _when(day: object, clock: object) -> str:
    return f"{day} {clock}" if clock else str(day)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def print_next(report: CaseReport) -> None:
    from refundkit.i18n import _
    from refundkit.words import terminal

    out = console()
    a = report.assessment
    label = _("Next: ")
    step = visible(terminal.step_action(a, report.order.id))
    for number, line in enumerate(wrap.lines(step, out.width, first=label, rest="  ")):
        if number == 0:
            out.print(Text(label, style="bold") + Text(line[len(label) :]))
        else:
            out.print(Text(line))
    for note in a.notices:
        text = visible(terminal.notice_text(note, report.order.id))
        for line in wrap.lines(text, out.width, rest="  "):
            out.print(Text(line, style="bold yellow"))
