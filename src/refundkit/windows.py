"""The return-window engine: which no-reason return windows an order has, and how long each runs.

Pure: an order and an as-of date in, windows out; no disk, no terminal. Counting follows Civil
Code Art. 201 (the day of the event is not counted), so an N-day window after an event on day D
runs from D+1 to D+N inclusive and has 0 days left on its last day. Every rule that could apply
in the order's jurisdiction is returned, the inapplicable ones with the reason, so a user sees
why a window is missing rather than wondering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from refundkit.kinds import Category, Jurisdiction, Problem, PromiseFrom, WindowState
from refundkit.models import Order

PREPAID_IN_FORCE = date(2025, 5, 1)

# Categories that the PRC seven-day rule and the EU/UK cancellation right exclude, and why.
CN_EXCLUDED = {
    Category.CUSTOM: "goods made to the consumer's order (定作) are excluded by CPL Art. 25",
    Category.PERISHABLE: "fresh and perishable goods (鲜活易腐) are excluded by CPL Art. 25",
    Category.DIGITAL: (
        "digital goods downloaded online or unsealed by the consumer are excluded by CPL Art. 25"
    ),
    Category.PERIODICAL: "delivered newspapers and periodicals are excluded by CPL Art. 25",
    Category.NON_RETURNABLE_CONFIRMED: (
        "the buyer confirmed at purchase that these goods, unsuitable for return by their "
        "nature, are not returnable (CPL Art. 25 para. 2); without that confirmation the "
        "merchant could not refuse"
    ),
    Category.SERVICE: "CPL Art. 25 covers goods only, not services",
    Category.PREPAID_SERVICE: (
        "CPL Art. 25 covers goods only; see cn-prepaid-7day for prepaid services"
    ),
}
EU_EXCLUDED = {
    Category.CUSTOM: "goods made to the consumer's specifications or personalised",
    Category.PERISHABLE: "goods liable to deteriorate or expire rapidly",
    Category.DIGITAL: "sealed audio, video or software unsealed after delivery, or digital "
    "content whose supply began with the consumer's consent",
    Category.PERIODICAL: "newspapers, periodicals or magazines",
}


@dataclass(frozen=True)
class Window:
    """One rule's window for one order as of one day."""

    rule: str
    state: WindowState
    start: date | None
    deadline: date | None
    days_left: int | None
    basis: str
    notes: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "state": self.state.value,
            "start": self.start.isoformat() if self.start else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_left": self.days_left,
            "basis": self.basis,
            "notes": list(self.notes),
        }


def as_of_view(order: Order, as_of: date) -> Order:
    """The order as it stood on as_of: goods received later count as not yet received,
    and evidence and events dated later are left out."""
    late_receipt = order.received is not None and order.received > as_of
    late_events = any(e.on > as_of for e in order.events)
    late_evidence = any(e.added.date() > as_of for e in order.evidence)
    if not (late_receipt or late_events or late_evidence):
        return order
    return order.model_copy(
        update={
            "received": None if late_receipt else order.received,
            "received_time": None if late_receipt else order.received_time,
            "events": [e for e in order.events if e.on <= as_of],
            "evidence": [e for e in order.evidence if e.added.date() <= as_of],
        }
    )


def compute_windows(order: Order, as_of: date) -> list[Window]:
    """Every window of the order's jurisdiction, as of a day; pass as_of_view(order) first."""
    rules = {
        Jurisdiction.CN: (_cn_7day, _cn_prepaid, _promise),
        Jurisdiction.EU: (_eu_14day, _promise),
        Jurisdiction.UK: (_uk_14day, _uk_30day, _promise),
        Jurisdiction.US: (_promise,),
    }[order.jurisdiction]
    return [rule(order, as_of) for rule in rules]


def best_window(windows: list[Window]) -> Window | None:
    """The window that gives the user the most room: open ones first, latest deadline."""
    open_ = [w for w in windows if w.state is WindowState.OPEN]
    if open_:
        return max(open_, key=lambda w: w.deadline or date.min)
    for state in (WindowState.NOT_STARTED, WindowState.EXPIRED):
        same = [w for w in windows if w.state is state]
        if same:
            return max(same, key=lambda w: w.deadline or date.min)
    return None


# --- building blocks ---------------------------------------------------------------------


def _span(
    rule: str,
    event: date | None,
    days: int,
    as_of: date,
    basis: str,
    *,
    roll_weekend: bool = False,
    notes: tuple[str, ...] = (),
) -> Window:
    """A window of `days` days counted from the day after `event`."""
    if event is None:
        return Window(rule, WindowState.NOT_STARTED, None, None, None, basis, notes)
    start = event + timedelta(days=1)
    deadline = event + timedelta(days=days)
    if roll_weekend:
        while deadline.weekday() >= 5:
            deadline += timedelta(days=1)
    state = WindowState.OPEN if as_of <= deadline else WindowState.EXPIRED
    return Window(rule, state, start, deadline, (deadline - as_of).days, basis, notes)


def _not_applicable(rule: str, reason: str) -> Window:
    return Window(rule, WindowState.NOT_APPLICABLE, None, None, None, reason)


# --- PRC ---------------------------------------------------------------------------------


def _cn_7day(order: Order, as_of: date) -> Window:
    rule = "cn-7day"
    if order.category in CN_EXCLUDED:
        return _not_applicable(rule, f"Not applicable: {CN_EXCLUDED[order.category]}.")
    basis = (
        "CPL Art. 25: goods bought online may be returned without reason within seven days of "
        "receipt, counted from the day after signing for them (Civil Code Art. 201); send the "
        "return request by the deadline."
    )
    if order.received is None:
        basis += " Starts when the goods are received: record it with `refundkit edit --received`."
    window = _span(rule, order.received, 7, as_of, basis)
    return _with_holiday_note(window)


def _with_holiday_note(window: Window) -> Window:
    """Civil Code Art. 203 may move a deadline off a statutory holiday; unsettled, so a note."""
    if window.deadline is None:
        return window
    from refundkit.workdays import is_statutory_holiday, next_workday_after_holiday

    holiday = is_statutory_holiday(window.deadline)
    if holiday:
        rolled = next_workday_after_holiday(window.deadline)
        note = (
            f"The last day is a statutory holiday; under Civil Code Art. 203 the period may run "
            f"to {rolled.isoformat()}, but whether that applies to this window is not settled: "
            "act by the plain deadline."
        )
        return _replace_notes(window, (*window.notes, note))
    if holiday is None:
        note = (
            f"The holiday calendar for {window.deadline.year} is not yet known; "
            "a statutory-holiday extension (Civil Code Art. 203) was not checked."
        )
        return _replace_notes(window, (*window.notes, note))
    return window


def _replace_notes(window: Window, notes: tuple[str, ...]) -> Window:
    return Window(
        window.rule,
        window.state,
        window.start,
        window.deadline,
        window.days_left,
        window.basis,
        notes,
    )


def _cn_prepaid(order: Order, as_of: date) -> Window:
    rule = "cn-prepaid-7day"
    if order.category is not Category.PREPAID_SERVICE:
        return _not_applicable(
            rule,
            "Not applicable: only for prepaid consumption (memberships, course packages, "
            "stored-value cards), SPC Fa Shi [2025] No. 4.",
        )
    basis = (
        "SPC interpretation Fa Shi [2025] No. 4, Art. 14: a request within seven days of payment "
        "to return the prepaid principal is to be upheld, unless the same goods or service had "
        "already been received when contracting. Counted from payment. Whether this purchase is "
        "prepaid consumption (Art. 1) is for a court to decide: likely."
    )
    notes: tuple[str, ...] = ()
    if order.purchased < PREPAID_IN_FORCE:
        notes = (
            "Paid before 2025-05-01, when the interpretation came into force; it has no "
            "transitional clause, so whether it reaches this payment is uncertain.",
        )
    return _span(rule, order.purchased, 7, as_of, basis, notes=notes)


# --- the merchant's own promise ----------------------------------------------------------


def _promise(order: Order, as_of: date) -> Window:
    rule = "promise"
    if not order.promise_days:
        return _not_applicable(
            rule, "Not applicable: no return promise by the merchant or platform is recorded."
        )
    start_from = order.effective_promise_from
    event = order.purchased if start_from is PromiseFrom.PURCHASE else order.received
    law = {
        Jurisdiction.CN: "binding under CPL Art. 44 and SPC Fa Shi [2022] No. 8, Art. 2",
        Jurisdiction.US: "the merchant's policy governs; US law gives no general right to return",
    }.get(order.jurisdiction, "binding as a term of the contract")
    basis = (
        f"The merchant's or platform's promise: returns within {order.promise_days} days of "
        f"{start_from.value}, {law}."
    )
    return _span(rule, event, order.promise_days, as_of, basis)


# --- EU and UK ---------------------------------------------------------------------------


def _eu_14day(order: Order, as_of: date) -> Window:
    rule = "eu-14day"
    if order.category in EU_EXCLUDED:
        return _not_applicable(
            rule,
            f"Not applicable: Directive 2011/83/EU Art. 16 excludes {EU_EXCLUDED[order.category]}.",
        )
    event, counted = _eu_uk_event(order)
    basis = (
        f"Directive 2011/83/EU Arts. 9-10: 14 days to withdraw, counted from the day after "
        f"{counted}; a deadline on a Saturday or Sunday moves to the next working day "
        "(Regulation 1182/71). Sending the notice in time is enough."
    )
    notes = (
        "Public holidays of the member state were not checked; if the trader never told you of "
        "this right, the period ends 12 months later (Art. 10).",
    )
    return _span(rule, event, 14, as_of, basis, roll_weekend=True, notes=notes)


def _uk_14day(order: Order, as_of: date) -> Window:
    rule = "uk-14day"
    if order.category in EU_EXCLUDED:
        return _not_applicable(
            rule,
            "Not applicable: Consumer Contracts Regulations 2013 reg. 28 excludes "
            f"{EU_EXCLUDED[order.category]}.",
        )
    event, counted = _eu_uk_event(order)
    basis = (
        "Consumer Contracts Regulations 2013 regs 29-31: 14 days to cancel, ending 14 days "
        f"after the day of {counted}; no weekend rollover."
    )
    return _span(rule, event, 14, as_of, basis)


def _uk_30day(order: Order, as_of: date) -> Window:
    rule = "uk-30day-reject"
    if order.problem not in (Problem.DEFECTIVE, Problem.NOT_AS_DESCRIBED):
        return _not_applicable(
            rule,
            "Not applicable: the short-term right to reject is for goods that are faulty or "
            "not as described (Consumer Rights Act 2015 ss.9-11, 22).",
        )
    if order.category.is_service or order.category is Category.DIGITAL:
        return _not_applicable(
            rule,
            "Not applicable: the 30-day right to reject is for goods, not services or "
            "digital content (Consumer Rights Act 2015 s.22).",
        )
    basis = (
        "Consumer Rights Act 2015 ss.9-11 and 22: goods that do not conform may be rejected "
        "within 30 days, counted from the day after delivery."
    )
    notes: tuple[str, ...] = ()
    if order.category is Category.PERISHABLE:
        notes = (
            "For perishable goods the period is only as long as they can be expected "
            "to last (s.22(4)).",
        )
    return _span(rule, order.received, 30, as_of, basis, notes=notes)


def _eu_uk_event(order: Order) -> tuple[date | None, str]:
    if order.category.is_service:
        return order.purchased, "the contract was concluded (the purchase)"
    return order.received, "the goods came into your physical possession"
