"""Deadlines to the calendar: every open case's dates as all-day iCalendar events.

A deadline nobody is reminded of is a deadline missed, so each event carries an alarm a day
before. The dates all come from the core (the windows and next step of cases.report, the
limitation date of ladder.limitation_date) plus the reply clocks of complaints already filed,
computed here from the timeline by the rules in return-rules.md. UIDs are stable
(`<order id>-<what>@refundkit`), so importing a fresh calendar updates events instead of
duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from refundkit.clocks import mini_program_lapse, regulator_decision, wechat_pay_reply
from refundkit.kinds import Channel, EventKind, Stage, WindowState
from refundkit.models import Order

if TYPE_CHECKING:
    from refundkit.ladder import NextStep

DONE = (Stage.CLOSED, Stage.RESOLVED)
PRODID = "-//refundkit//refundkit deadlines//EN"


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


def complaint_deadlines(order: Order) -> list[Deadline]:
    """Reply dates of the complaints filed: WeChat Pay (answer day 1, finish day 3), Mini
    Program (lapses to the platform after 48 hours), 12315 (accept within 7 working days)."""
    label = case_label(order)
    found: list[Deadline] = []
    for event in order.events:
        if event.kind is EventKind.PLATFORM_COMPLAINT:
            found += _platform_dates(order.id, label, event.id, event.on, event.channel)
        elif event.kind is EventKind.REGULATOR_COMPLAINT:
            decided = regulator_decision(event.on)
            caveat = (
                ""
                if decided.known
                else f" The Chinese holiday calendar for {decided.day.year} is not yet known: "
                "counted with weekends only."
            )
            found.append(
                Deadline(
                    order.id,
                    f"{event.id}-12315-accept",
                    decided.day,
                    f"12315 should decide whether to accept the complaint: {label}",
                    f"The complaint to 12315 was filed on {event.on}. The market regulator "
                    "decides whether to accept it within 7 working days (Complaint Measures "
                    "2019/2022, Art. 14). If nothing has come, call 12315 or see a lawyer."
                    + caveat,
                )
            )
    return found


def _platform_dates(
    order_id: str, label: str, event_id: str, on: date, channel: Channel | None
) -> list[Deadline]:
    channel = channel or Channel.WECHAT_PAY
    if channel is Channel.WECHAT_PAY:
        return [
            Deadline(
                order_id,
                f"{event_id}-wechat-pay-answer",
                wechat_pay_reply(on).answer_by,
                f"Merchant should answer the WeChat Pay complaint: {label}",
                f"The WeChat Pay complaint was filed on {on}; the merchant should answer within "
                "one day (WeChat Pay merchant complaint rules). Log the answer with "
                f"`refundkit log {order_id} merchant-replied`.",
            ),
            Deadline(
                order_id,
                f"{event_id}-wechat-pay-finish",
                wechat_pay_reply(on).finish_by,
                f"WeChat Pay complaint should be settled; if not, complain to 12315: {label}",
                f"The WeChat Pay complaint was filed on {on}; the merchant should finish it "
                "within three days (WeChat Pay merchant complaint rules). If it is not settled, "
                "the next rung is 12315 or the consumer association (CPL Art. 39).",
            ),
        ]
    if channel is Channel.MINI_PROGRAM:
        return [
            Deadline(
                order_id,
                f"{event_id}-mini-program-lapse",
                mini_program_lapse(on),
                f"Mini Program complaint lapses to the platform: ask it to decide: {label}",
                f"The Mini Program complaint was filed on {on}; since 2024-03-25 a complaint "
                "awaiting the merchant lapses to the platform after 48 hours, and the platform "
                "may then decide and refund.",
            )
        ]
    return []


def case_deadlines(order: Order, as_of: date) -> list[Deadline]:
    """Every deadline of one case on or after as_of; none for a closed or resolved case."""
    from refundkit.cases import report
    from refundkit.ladder import limitation_date

    case = report(order, as_of)
    if case.stage in DONE:
        return []
    view = case.order
    label = case_label(view)
    found = [
        Deadline(
            view.id,
            f"window-{w.rule}",
            w.deadline,
            f"Last day to ask for a return ({w.rule}): {label}",
            f"{w.basis} " + " ".join(w.notes),
        )
        for w in case.windows
        if w.state is WindowState.OPEN and w.deadline is not None
    ]
    found += complaint_deadlines(view)
    limit = limitation_date(view)
    if limit is not None:
        found.append(
            Deadline(
                view.id,
                "limitation",
                limit,
                f"Limitation period ends: sue, or renew it with a written demand, before: {label}",
                "Three years from the refusal (Civil Code Art. 188), restarted by each written "
                "demand (Art. 195): a court may refuse the claim after this day.",
            )
        )
    found = _with_next_step(found, view.id, label, case.step)
    return sorted((d for d in found if d.day >= as_of), key=lambda d: (d.day, d.key))


def _with_next_step(
    found: list[Deadline], order_id: str, label: str, step: NextStep
) -> list[Deadline]:
    """The advisor's next step: its own event, or folded into one already on that day."""
    if step.by is None:
        return found
    text = f"Next step: {step.action}. {step.reason}"
    for index, deadline in enumerate(found):
        if deadline.day == step.by:
            merged = replace(deadline, description=f"{deadline.description}\n\n{text}")
            return [*found[:index], merged, *found[index + 1 :]]
    what = step.short or step.action
    summary = f"{what[0].upper()}{what[1:]}: {label}"
    return [*found, Deadline(order_id, "next-step", step.by, summary, text)]


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
    calendar.add("x-wr-calname", "refundkit deadlines")
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
        alarm.add("description", f"Tomorrow: {deadline.summary}")
        event.add_component(alarm)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
