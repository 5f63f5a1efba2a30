"""Deadlines to the calendar: every open case's dates as all-day iCalendar events.

A deadline nobody is reminded of is a deadline missed, so each event carries an alarm a day
before. Every date comes from the rules (refundkit.rules.assess): the open windows, the clocks
of complaints and returns, the safe limitation date (never the later, uncertain one) and the
next step; every word from refundkit.words. UIDs are stable (`<order id>-<what>@refundkit`),
so importing a fresh calendar updates events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from refundkit.i18n import _
from refundkit.kinds import Stage, WindowState
from refundkit.models import Order

if TYPE_CHECKING:
    from refundkit.rules import Assessment

DONE = (Stage.CLOSED, Stage.RESOLVED)
PRODID = "-//refundkit//refundkit deadlines//EN"
# Clocks worth a reminder of their own (the others are only reasons for a step's date).
REMINDED = (
    "wechat-pay-answer",
    "wechat-pay-finish",
    "mini-program-lapse",
    "regulator-accept",
    "card-issuer-acknowledge",
    "card-issuer-resolve",
    "refund-due",
    "refund-deliberate-delay",
    "request-deliberate-delay",
    "quality-deliberate-delay",
)


@dataclass(frozen=True)
class Deadline:
    """One dated thing to do (or to expect) for one case."""

    order_id: str
    key: str  # what it is, unique within the case: part of the UID
    day: date
    summary: str
    description: str

    @property
    def uid(self) -> str:
        return f"{self.order_id}-{self.key}@refundkit"


def case_label(order: Order) -> str:
    return f"{order.merchant} · {order.item} [{order.id}]"


def case_deadlines(order: Order, as_of: date) -> list[Deadline]:
    """Every deadline of one case on or after as_of; none for a closed or resolved case."""
    from refundkit.cases import report

    case = report(order, as_of)
    a = case.assessment
    if a.stage in DONE:
        return []
    found = _window_deadlines(order, a) + _clock_deadlines(order, a) + _limitation(order, a)
    found = _with_next_step(found, order, a)
    return sorted((d for d in found if d.day >= as_of), key=lambda d: (d.day, d.key))


def _window_deadlines(order: Order, a: Assessment) -> list[Deadline]:
    from refundkit.words import names, terminal

    label = case_label(order)
    return [
        Deadline(
            order.id,
            f"window-{w.rule}",
            w.deadline,
            _("Last day to ask for a return ({rule}): {case}").format(
                rule=names.rule(w.rule), case=label
            ),
            " ".join(
                [terminal.window_basis(w, a.jurisdiction, order.id)]
                + [terminal.window_note(n) for n in w.notes]
            ),
        )
        for w in a.windows
        if w.state is WindowState.OPEN and w.deadline is not None and w.exercised is None
    ]


def _clock_deadlines(order: Order, a: Assessment) -> list[Deadline]:
    from refundkit.words import terminal

    label = case_label(order)
    return [
        Deadline(
            order.id,
            f"{clock.event_id or 'case'}-{clock.code}",
            clock.day,
            _("{what}: {case}").format(what=clock_summary(clock.code), case=label),
            terminal.clock_text(clock),
        )
        for clock in a.clocks
        if clock.code in REMINDED
    ]


def clock_summary(code: str) -> str:
    return {
        "wechat-pay-answer": _("Merchant should answer the WeChat Pay complaint"),
        "wechat-pay-finish": _("WeChat Pay complaint should be settled"),
        "mini-program-lapse": _("Mini Program complaint times out; the platform may step in"),
        "regulator-accept": _("12315 should decide whether to accept the complaint"),
        "card-issuer-acknowledge": _("Card issuer should acknowledge the billing-error notice"),
        "card-issuer-resolve": _("Card issuer should resolve the billing error"),
        "refund-due": _("Refund due"),
        "refund-deliberate-delay": _(
            "Last of the 15 days for the refund; after it, the delay is deliberate"
        ),
        "request-deliberate-delay": _("Last of the 15 days to handle the return request"),
        "quality-deliberate-delay": _("Last of the 15 days to take back, replace or repair"),
    }.get(code, code)


def _limitation(order: Order, a: Assessment) -> list[Deadline]:
    """The safe limitation date only: the calendar never carries an uncertain one."""
    from refundkit.words import terminal

    limitation = a.limitation
    if limitation is None or limitation.safe is None:
        return []
    return [
        Deadline(
            order.id,
            "limitation",
            limitation.safe,
            _limitation_summary(limitation.basis).format(case=case_label(order)),
            terminal.limitation_text(limitation, uncertain=False),
        )
    ]


def _limitation_summary(basis: str) -> str:
    """Only PRC law lets a demand restart the period (Civil Code Art. 195); in the UK a
    demand does not, so there the summary says only to sue in time."""
    if basis == "cn-188":
        return _("Limitation period ends: sue, or renew it with a written demand, before: {case}")
    return _("Limitation period ends: sue before: {case}")


def _with_next_step(found: list[Deadline], order: Order, a: Assessment) -> list[Deadline]:
    """The advisor's next step: its own event, or folded into one already on that day."""
    from refundkit.words import terminal

    step = a.step
    if step.by is None or step.overdue:
        return found
    action = terminal.step_action(a, order.id)
    for index, deadline in enumerate(found):
        if deadline.day == step.by:
            # The event already says why that day matters: the step's reason would repeat it.
            text = _("Next step: {action}.").format(action=action)
            merged = replace(deadline, description=f"{deadline.description}\n\n{text}")
            return [*found[:index], merged, *found[index + 1 :]]
    text = _("Next step: {action}. {reason}").format(action=action, reason=terminal.step_reason(a))
    summary = _("{what}: {case}").format(what=terminal.step_short(a), case=case_label(order))
    return [*found, Deadline(order.id, "next-step", step.by, summary, text)]


def all_deadlines(orders: Iterable[Order], as_of: date) -> list[Deadline]:
    """Deadlines of every open case bought by as_of, soonest first."""
    found: list[Deadline] = []
    for order in orders:
        if order.purchased <= as_of:
            found += case_deadlines(order, as_of)
    return sorted(found, key=lambda d: (d.day, d.order_id, d.key))


def to_ical(deadlines: Iterable[Deadline], stamp: datetime) -> bytes:
    """An iCalendar file: all-day events, each with a display alarm the day before."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("refundkit deadlines"))
    for deadline in deadlines:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + timedelta(days=1))
        event.add("summary", deadline.summary)
        event.add("description", deadline.description.strip())
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        alarm.add("description", _("Tomorrow: {what}").format(what=deadline.summary))
        event.add_component(alarm)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
