"""Plain-value cases for the rules' tests: CaseFacts and EventFacts built directly, no store.

`case(...)` is a PRC order of goods bought on 2026-11-10 and received on 2026-11-12 unless the
fields say otherwise; `ev(...)` one event (ids t1, t2, ... in the order given); `judge(...)`
the rules' whole answer on a day. `order(...)` and `letter(...)` do the same through the
Pydantic record and the real templates, for the tests that read a letter.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from refundkit.kinds import (
    Category,
    Channel,
    EventKind,
    EvidenceKind,
    Jurisdiction,
    Lang,
    LetterFormat,
    Outcome,
    PaymentMethod,
    Problem,
    PromiseFrom,
    Recipient,
    RefusalReason,
    RequestKind,
)
from refundkit.rules import Assessment, CaseFacts, assess
from refundkit.rules.facts import EventFacts

PURCHASED = date(2026, 11, 10)
RECEIVED = date(2026, 11, 12)
_ids = itertools.count(1)

_ENUMS: dict[str, Any] = {
    "asked": RequestKind,
    "refused": RequestKind,
    "reason": RefusalReason,
    "channel": Channel,
    "outcome": Outcome,
}
_FIELDS: dict[str, Any] = {
    "jurisdiction": Jurisdiction,
    "category": Category,
    "problem": Problem,
    "payment_method": PaymentMethod,
    "promise_from": PromiseFrom,
}


def ev(kind: str, on: date, event_id: str | None = None, **fields: Any) -> EventFacts:
    """One event; enum fields may be given as their codes, amounts as numbers or strings."""
    values = {k: (_ENUMS[k](v) if k in _ENUMS and v is not None else v) for k, v in fields.items()}
    if values.get("amount") is not None:
        values["amount"] = Decimal(str(values["amount"]))
    return EventFacts(id=event_id or f"t{next(_ids)}", kind=EventKind(kind), on=on, **values)


def case(*events: EventFacts, **fields: Any) -> CaseFacts:
    """A case of goods (cn, changed-mind, ¥399) unless the fields say otherwise."""
    base: dict[str, Any] = {
        "id": "abc234",
        "jurisdiction": "cn",
        "category": "goods",
        "problem": "changed-mind",
        "amount": "399",
        "currency": "CNY",
        "purchased": PURCHASED,
        "received": RECEIVED,
    }
    values = {**base, **fields}
    for name, enum in _FIELDS.items():
        if values.get(name) is not None:
            values[name] = enum(values[name])
    values["amount"] = Decimal(str(values["amount"]))
    if "evidence" in values:
        values["evidence"] = tuple((EvidenceKind(k), d) for k, d in values["evidence"])
    ordered = sorted(events, key=lambda e: e.on)
    return CaseFacts(events=tuple(ordered), **values)


def judge(facts: CaseFacts, day: date) -> Assessment:
    return assess(facts, day)


# --- the same cases as stored orders, for letters ----------------------------------------

RECORDED = datetime(2026, 11, 1, 9, 0)


def order(*events: tuple[str, date, dict[str, Any]], **fields: Any) -> Any:
    """An Order (Pydantic) of the same shape as `case`, with events as (kind, on, fields)."""
    from refundkit.models import Event, Order

    base: dict[str, Any] = {
        "id": "abc234",
        "merchant": "声悦数码旗舰店",
        "item": "蓝牙耳机",
        "amount": "399",
        "purchased": PURCHASED,
        "received": RECEIVED,
        "order_no": "SY1",
        "created": RECORDED,
    }
    made = [
        Event(id=f"t{n}", kind=kind, on=on, recorded=RECORDED, **extra)
        for n, (kind, on, extra) in enumerate(events, 1)
    ]
    return Order(**{**base, **fields, "events": made})


def letter(
    home: Path,
    the_order: Any,
    to: str,
    lang: str,
    as_of: date,
    fmt: str = "md",
    channel: str | None = None,
) -> Any:
    """The rendered letter (refundkit.letters.Letter) for an order, from a Store in home."""
    from refundkit.letters import render_letter
    from refundkit.store import Store

    store = Store(home)
    return render_letter(
        store,
        the_order,
        Recipient(to),
        Lang(lang),
        LetterFormat(fmt),
        as_of,
        Channel(channel) if channel else None,
    )


def all_letters(
    home: Path, the_order: Any, as_of: date, langs: tuple[str, ...] = ("zh", "en")
) -> dict[str, str]:
    """Every recipient's letter in each language, keyed "merchant.zh" and so on."""
    return {
        f"{to.value}.{lang}": letter(home, the_order, to.value, lang, as_of).text
        for to in Recipient
        for lang in langs
    }
