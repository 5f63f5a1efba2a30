"""The dispute's timeline: logging dated events on an order.

Events are kept in date order and validated against the order (not before the purchase, not
in the future, refunds with an amount); the stage is derived from them in ladder.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from refundkit.errors import BadInput
from refundkit.kinds import Channel, EventKind
from refundkit.ladder import sorted_events
from refundkit.models import Event, Order, describe_validation_error
from refundkit.parse import parse_money, parse_past
from refundkit.store import Store


def log_event(store: Store, prefix: str, raw: dict[str, Any], now: datetime) -> Event:
    """Add one event to an order's timeline; nothing is written if any value is wrong."""
    order_id = store.resolve(prefix)
    kind = EventKind(raw["event"])
    day, clock = parse_past(raw["on"], now.date(), "event") if raw.get("on") else (now.date(), None)
    amount = parse_money(raw["amount"]) if raw.get("amount") is not None else None
    channel = raw.get("channel")
    if kind is EventKind.REFUND_RECEIVED and amount is None:
        raise BadInput("refund-received needs --amount: how much came back, e.g. --amount 199")
    if kind is not EventKind.REFUND_RECEIVED and amount is not None:
        raise BadInput(f"--amount goes only with refund-received, not {kind.value}")
    if kind is EventKind.PLATFORM_COMPLAINT:
        channel = Channel(channel) if channel else Channel.WECHAT_PAY
    elif channel is not None:
        raise BadInput(f"--channel goes only with platform-complaint, not {kind.value}")
    created: list[Event] = []

    def add(order: Order) -> Order:
        if day < order.purchased:
            raise BadInput(
                f"event date {day} is before the purchase ({order.purchased}): check --on"
            )
        try:
            event = Event(
                id=_next_id(order),
                kind=kind,
                on=day,
                at=clock,
                note=raw.get("note"),
                ref=raw.get("ref"),
                amount=amount,
                channel=channel,
                recorded=now,
            )
        except ValidationError as exc:
            raise BadInput(describe_validation_error(exc)) from None
        created.append(event)
        return order.model_copy(update={"events": sorted_events([*order.events, event])})

    store.update(order_id, add)
    return created[0]


def _next_id(order: Order) -> str:
    numbers = [int(e.id[1:]) for e in order.events if e.id[1:].isdigit()]
    return f"t{max(numbers, default=0) + 1}"
