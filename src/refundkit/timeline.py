"""The dispute's timeline: logging dated events on an order, and correcting or withdrawing one.

Events are validated against the order (not before the purchase, not in the future, money
events with an amount that is not more than is still owed). The timeline is evidence, so a
mistake is never silently rewritten: a correction keeps the old value beside the new one, with
when and why, and a withdrawn event stays in the record, ignored by the rules.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from refundkit.errors import BadInput, NotFound
from refundkit.i18n import _
from refundkit.kinds import Channel, EventKind, Outcome, RefusalReason, RequestKind
from refundkit.models import Correction, Event, Order, describe_validation_error, sorted_events
from refundkit.parse import format_money, parse_money, parse_past
from refundkit.store import Store

MONEY_EVENTS = (EventKind.REFUND_RECEIVED, EventKind.COMPENSATION_RECEIVED)
# Which options go with which events; anything else is refused, naming the event.
OPTION_EVENTS: dict[str, tuple[EventKind, ...]] = {
    "asked": (EventKind.CONTACTED_MERCHANT,),
    "reason": (EventKind.MERCHANT_REFUSED,),
    "refused": (EventKind.MERCHANT_REFUSED,),
    "outcome": (EventKind.COMPLAINT_ANSWERED,),
    "channel": (EventKind.PLATFORM_COMPLAINT, EventKind.COMPLAINT_ANSWERED),
    "amount": MONEY_EVENTS,
}
ASKABLE = tuple(k for k in RequestKind if k is not RequestKind.UNKNOWN)


def log_event(store: Store, prefix: str, raw: dict[str, Any], now: datetime) -> Event:
    """Add one event to an order's timeline; nothing is written if any value is wrong."""
    from refundkit import choices

    order_id = store.resolve(prefix)
    kind = EventKind(choices.parse(choices.EVENT, str(raw["event"])))
    day, clock = (
        parse_past(raw["on"], now.date(), "event", now.time())
        if raw.get("on")
        else (now.date(), None)
    )
    _check_options(kind, raw)
    amount = parse_money(raw["amount"]) if raw.get("amount") is not None else None
    if kind in MONEY_EVENTS and amount is None:
        raise BadInput(
            _("{event} needs --amount: how much came back, e.g. --amount 199").format(
                event=kind.value
            )
        )
    if kind is EventKind.COMPLAINT_ANSWERED and not raw.get("outcome"):
        raise BadInput(
            _("complaint-answered needs --outcome: give one of: {choices}").format(
                choices=choices.OUTCOME.listing()
            )
        )
    created: list[Event] = []

    def add(order: Order) -> Order:
        _check_day(order, day, kind)
        if kind is EventKind.REFUND_RECEIVED and amount is not None:
            _check_refund(order, amount)
        values = {
            "asked": _asked(kind, raw),
            "reason": _choice(RefusalReason, raw.get("reason"), "reason")
            or (RefusalReason.OTHER if kind is EventKind.MERCHANT_REFUSED else None),
            "refused": _request(raw.get("refused"), "refused"),
            "outcome": _choice(Outcome, raw.get("outcome"), "outcome"),
            "channel": _channel(kind, raw.get("channel"), order),
        }
        try:
            event = Event(
                id=_next_id(order),
                kind=kind,
                on=day,
                at=clock,
                note=raw.get("note"),
                ref=raw.get("ref"),
                amount=amount,
                recorded=now,
                **values,
            )
        except ValidationError as exc:
            raise BadInput(describe_validation_error(exc, options=True)) from None
        created.append(event)
        return order.model_copy(update={"events": sorted_events([*order.events, event])})

    store.update(order_id, add)
    return created[0]


def _check_options(kind: EventKind, raw: dict[str, Any]) -> None:
    for option, kinds in OPTION_EVENTS.items():
        if raw.get(option) is not None and kind not in kinds:
            allowed = ", ".join(k.value for k in kinds)
            raise BadInput(
                _("--{option} goes only with {allowed}, not {event}").format(
                    option=option, allowed=allowed, event=kind.value
                )
            )


def _check_day(order: Order, day: date, kind: EventKind | None = None) -> None:
    if day < order.purchased:
        raise BadInput(
            _("event date {date} is before the purchase ({purchased}): check --on").format(
                date=day, purchased=order.purchased
            )
        )
    goods_back = (EventKind.RETURN_SHIPPED, EventKind.RETURN_DELIVERED)
    if kind in goods_back and order.received is not None and day < order.received:
        raise BadInput(
            _(
                "the goods were received on {received}: they cannot have gone back on {date} "
                "(check --on, or the receipt date with `refundkit edit {id} --received`)"
            ).format(received=order.received, date=day, id=order.id)
        )


def _check_refund(order: Order, amount: Any) -> None:
    """Refunds cannot add up to more than was paid: a typo (500 for 399) would otherwise mark
    the case resolved. (A merchant may well refund more than the demand, the whole price of a
    course used in part, say: that is recorded as it happened.)"""
    still_owed = max(order.amount - order.refunded_total(), Decimal(0))
    if amount > still_owed:
        raise BadInput(
            _(
                "a refund of {amount} is more than the {owed} still owed on order {id} "
                "({paid} paid, {refunded} already refunded): check --amount"
            ).format(
                amount=format_money(amount),
                owed=format_money(still_owed),
                id=order.id,
                paid=format_money(order.amount),
                refunded=format_money(order.refunded_total()),
            )
        )


def _choice(enum: Any, value: str | None, option: str) -> Any:
    """The option's value as enum: its code, Chinese name or common word (choices.py)."""
    from refundkit import choices

    if value is None:
        return None
    vocabulary = {
        "asked": choices.REQUEST,
        "refused": choices.REFUSED,
        "reason": choices.REASON,
        "outcome": choices.OUTCOME,
        "channel": choices.CHANNEL,
    }[option]
    if value.strip().lower() == RequestKind.UNKNOWN.value and enum is RequestKind:
        raise BadInput(
            _("--{option} unknown is kept for old records; give one of: {choices}").format(
                option=option, choices=vocabulary.listing()
            )
        )
    return enum(choices.parse(vocabulary, value))


def _request(value: str | None, option: str) -> RequestKind | None:
    return _choice(RequestKind, value, option)  # type: ignore[no-any-return]


def _asked(kind: EventKind, raw: dict[str, Any]) -> RequestKind | None:
    if kind is EventKind.CONTACTED_MERCHANT:
        return _request(raw.get("asked"), "asked") or RequestKind.OTHER
    return None


def _channel(kind: EventKind, value: str | None, order: Order) -> Channel | None:
    """A complaint's channel: as given, else the one the case's platform and payment lead to
    (cli-contract.md, "Where it was bought, where to complain"). An answer without one is
    the answer to the latest complaint to a platform, so it takes that complaint's channel."""
    channel = _choice(Channel, value, "channel")
    if channel is not None or kind not in (
        EventKind.PLATFORM_COMPLAINT,
        EventKind.COMPLAINT_ANSWERED,
    ):
        return channel  # type: ignore[no-any-return]
    if kind is EventKind.COMPLAINT_ANSWERED:
        complaints = [
            e
            for e in order.events
            if e.kind is EventKind.PLATFORM_COMPLAINT and e.withdrawn is None and e.channel
        ]
        if complaints:
            from refundkit.rules.facts import event_order_key

            return max(complaints, key=lambda e: event_order_key(e.on, e.at, e.recorded)).channel
    from refundkit.rules import facts_of
    from refundkit.rules.ladder import complaint_channel

    return complaint_channel(facts_of(order))


def _next_id(order: Order) -> str:
    numbers = [int(e.id[1:]) for e in order.events if e.id[1:].isdigit()]
    return f"t{max(numbers, default=0) + 1}"


# --- corrections -------------------------------------------------------------------------

CORRECTABLE = ("asked", "reason", "refused", "outcome", "channel", "on", "note")


def correct_event(
    store: Store, prefix: str, event_id: str, raw: dict[str, Any], now: datetime
) -> Event:
    """Change what a logged event says, keeping each old value in its corrections."""
    order_id = store.resolve(prefix)
    given = {k: v for k, v in raw.items() if k in CORRECTABLE and v is not None}
    if not given:
        raise BadInput(
            _(
                "nothing to correct: give what changes, e.g. --asked return, --reason opened, "
                "--on 2026-11-20 or --note and the right words in quotes"
            )
        )
    changed: list[Event] = []

    def change(order: Order) -> Order:
        event = _event(order, event_id)
        _check_options(event.kind, {k: v for k, v in given.items() if k in OPTION_EVENTS})
        values = _corrected_values(order, event, given, now)
        corrections = [
            Correction(
                recorded=now,
                field=name,
                old=_text(getattr(event, name)),
                new=_text(value),
                why=raw.get("why"),
            )
            for name, value in values.items()
            if getattr(event, name) != value
        ]
        if not corrections:
            raise BadInput(_("event {id} already says that: nothing changed").format(id=event.id))
        try:
            fixed = event.model_copy(
                update={**values, "corrections": [*event.corrections, *corrections]}
            )
            fixed = Event.model_validate(fixed.model_dump())
        except ValidationError as exc:
            raise BadInput(describe_validation_error(exc, options=True)) from None
        changed.append(fixed)
        return _replace_event(order, fixed)

    store.update(order_id, change)
    return changed[0]


def _corrected_values(
    order: Order, event: Event, given: dict[str, Any], now: datetime
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "on":
            day, clock = parse_past(value, now.date(), "event", now.time())
            _check_day(order, day, event.kind)
            values["on"], values["at"] = day, clock
        elif name == "asked" or name == "refused":
            values[name] = _request(value, name)
        elif name == "reason":
            values[name] = _choice(RefusalReason, value, name)
        elif name == "outcome":
            values[name] = _choice(Outcome, value, name)
        elif name == "channel":
            values[name] = _choice(Channel, value, name)
        else:
            values[name] = value
    return values


def withdraw_event(
    store: Store, prefix: str, event_id: str, why: str | None, now: datetime
) -> Event:
    """Mark an event as withdrawn: it stays in the record, dated, and the rules ignore it."""
    order_id = store.resolve(prefix)
    changed: list[Event] = []

    def change(order: Order) -> Order:
        event = _event(order, event_id)
        if event.withdrawn is not None:
            raise BadInput(
                _("event {id} was already withdrawn on {date}").format(
                    id=event.id, date=f"{event.withdrawn:%Y-%m-%d}"
                )
            )
        try:
            fixed = event.model_copy(update={"withdrawn": now, "withdrawn_why": why})
            fixed = Event.model_validate(fixed.model_dump())
        except ValidationError as exc:
            raise BadInput(describe_validation_error(exc, options=True)) from None
        changed.append(fixed)
        return _replace_event(order, fixed)

    store.update(order_id, change)
    return changed[0]


def _event(order: Order, event_id: str) -> Event:
    """The event an id names; 3 is taken for t3, as the timeline's numbering reads."""
    from refundkit.words import names

    wanted = event_id.strip().lower()
    event = order.event("t" + wanted if wanted.isdigit() else wanted)
    if event is None:
        known = _(", ").join(
            _("{id} ({what}, {on})").format(id=e.id, what=names.event_kind(e.kind.value), on=e.on)
            for e in order.events
        )
        raise NotFound(
            _("order {id} has no event {event}; its events: {events}").format(
                id=order.id, event=repr(event_id), events=known or _("none yet")
            )
        )
    return event


def _replace_event(order: Order, fixed: Event) -> Order:
    events = [fixed if e.id == fixed.id else e for e in order.events]
    return order.model_copy(update={"events": sorted_events(events)})


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.value) if hasattr(value, "value") else str(value)
