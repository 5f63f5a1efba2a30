"""An order read again without Pydantic, from a file the status index has seen validated.

The first status of a day computes again the cases whose span ended (dayspan.py). Their
files are unchanged (the index checks their identity), and each was validated when it was
indexed; what costs is Pydantic itself: importing it and building the models takes 60 ms,
more than computing a hundred cases. So when the index noted that a file is exactly what
refundkit writes for the record it validated to (`canonical`: the bytes of
model_dump_json(indent=2)), the case is computed from a LightOrder: the same fields with the
same values, converted here from that JSON with the standard library. Whatever is not as
expected (a key missing or extra, a value of another type) gives None, and the file is
validated as usual. A LightOrder has the fields of an Order and model_copy, which is what
computing a case uses (cases.report, overview.CaseSummary, porcelain); not its methods.

FIELDS must name every field of models.py with its conversion; tests/test_lightrecord.py
checks that it does, and that a LightOrder equals the validated Order, field by field, for
varied records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from refundkit.kinds import (
    Category,
    Channel,
    EventKind,
    EvidenceKind,
    Jurisdiction,
    Outcome,
    PaymentMethod,
    Problem,
    PromiseFrom,
    RefusalReason,
    RequestKind,
)

Convert = Callable[[Any], Any]


class Light:
    """A record's fields as attributes (and model_copy, as the rules' as-of view needs)."""

    model_extra: dict[str, Any] = {}  # noqa: RUF012  (canonical files hold no extra fields)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **(update or {}))
        return copy

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]  # unhashable, as a Pydantic model


class LightOrder(Light):
    pass


class LightEvent(Light):
    pass


class LightEvidence(Light):
    pass


class LightRemoved(Light):
    pass


class LightCorrection(Light):
    pass


class Mismatch(Exception):
    """The JSON is not what refundkit writes for such a record."""


def of_type(kind: type) -> Convert:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise Mismatch
        return value

    return check


def optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def iso(kind: type[date] | type[datetime] | type[time]) -> Convert:
    return lambda value: kind.fromisoformat(of_type(str)(value))


def enum(kind: type) -> Convert:
    return lambda value: kind(of_type(str)(value))


def money(value: Any) -> Decimal:
    return Decimal(of_type(str)(value))


def records(light: type[Light], fields: dict[str, Convert]) -> Convert:
    def convert(value: Any) -> list[Light]:
        if type(value) is not list:
            raise Mismatch
        return [record(light, fields, item) for item in value]

    return convert


def record(light: type[Light], fields: dict[str, Convert], data: Any) -> Light:
    if type(data) is not dict or data.keys() != fields.keys():
        raise Mismatch
    return light({name: convert(data[name]) for name, convert in fields.items()})


TEXT, NUMBER = of_type(str), of_type(int)
MAYBE_TEXT = optional(TEXT)

CORRECTION: dict[str, Convert] = {
    "recorded": iso(datetime),
    "field": TEXT,
    "old": MAYBE_TEXT,
    "new": MAYBE_TEXT,
    "why": MAYBE_TEXT,
}
EVIDENCE: dict[str, Convert] = {
    "id": TEXT,
    "kind": enum(EvidenceKind),
    "original_name": TEXT,
    "stored_as": TEXT,
    "size": NUMBER,
    "media_type": TEXT,
    "sha256": TEXT,
    "added": iso(datetime),
    "taken": optional(iso(date)),
    "note": MAYBE_TEXT,
}
REMOVED: dict[str, Convert] = {
    "id": TEXT,
    "kind": enum(EvidenceKind),
    "original_name": TEXT,
    "sha256": TEXT,
    "removed": iso(datetime),
    "trash": TEXT,
    "restored": optional(iso(datetime)),
}
EVENT: dict[str, Convert] = {
    "id": TEXT,
    "kind": enum(EventKind),
    "on": iso(date),
    "at": optional(iso(time)),
    "note": MAYBE_TEXT,
    "ref": MAYBE_TEXT,
    "amount": optional(money),
    "channel": optional(enum(Channel)),
    "asked": optional(enum(RequestKind)),
    "reason": optional(enum(RefusalReason)),
    "refused": optional(enum(RequestKind)),
    "outcome": optional(enum(Outcome)),
    "recorded": iso(datetime),
    "corrections": records(LightCorrection, CORRECTION),
    "withdrawn": optional(iso(datetime)),
    "withdrawn_why": MAYBE_TEXT,
}
ORDER: dict[str, Convert] = {
    "schema_version": NUMBER,
    "id": TEXT,
    "merchant": TEXT,
    "item": TEXT,
    "amount": money,
    "currency": TEXT,
    "purchased": iso(date),
    "purchased_time": optional(iso(time)),
    "received": optional(iso(date)),
    "received_time": optional(iso(time)),
    "merchant_address": MAYBE_TEXT,
    "merchant_phone": MAYBE_TEXT,
    "operator": MAYBE_TEXT,
    "platform": MAYBE_TEXT,
    "mini_program": MAYBE_TEXT,
    "order_no": MAYBE_TEXT,
    "transaction_id": MAYBE_TEXT,
    "payment_method": optional(enum(PaymentMethod)),
    "category": enum(Category),
    "problem": enum(Problem),
    "promise_days": optional(NUMBER),
    "promise_from": optional(enum(PromiseFrom)),
    "jurisdiction": enum(Jurisdiction),
    "details": MAYBE_TEXT,
    "note": MAYBE_TEXT,
    "units": optional(NUMBER),
    "units_used": optional(NUMBER),
    "bill_status": MAYBE_TEXT,
    "bill_state": MAYBE_TEXT,
    "bill_refunded": optional(money),
    "created": iso(datetime),
    "evidence": records(LightEvidence, EVIDENCE),
    "events": records(LightEvent, EVENT),
    "removed_evidence": records(LightRemoved, REMOVED),
}
# Each record's fields, by the name of its class in models.py (for the test that they agree).
FIELDS = {
    "Order": ORDER,
    "Event": EVENT,
    "Evidence": EVIDENCE,
    "RemovedEvidence": REMOVED,
    "Correction": CORRECTION,
}


def light_order(data: Any) -> LightOrder | None:
    """The order in data (an order.json's JSON, as refundkit wrote it), or None if it is not
    exactly what refundkit writes."""
    try:
        order = record(LightOrder, ORDER, data)
    except (Mismatch, ValueError, ArithmeticError):  # ArithmeticError: a bad Decimal
        return None
    assert isinstance(order, LightOrder)
    return order
