"""Recording and changing orders, and assembling what `status` reports about them.

The functions here take raw strings from the command line and the store, and return records or
reports; they never print. Parsing happens here, not in the CLI, so the same rules apply to
every caller (the CLI, the demo, the bill importer, the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from refundkit.errors import BadInput
from refundkit.kinds import EvidenceKind, Jurisdiction, Stage
from refundkit.ladder import NextStep, missing_evidence, missing_recommended, next_step, stage_of
from refundkit.models import Order, Profile, describe_validation_error
from refundkit.parse import currency_of, format_money, parse_money, parse_past
from refundkit.store import Store
from refundkit.windows import Window, as_of_view, best_window, compute_windows

if TYPE_CHECKING:
    from refundkit.evidence import Check

# Options whose text is stored as given (after trimming); the rest are parsed.
TEXT_FIELDS = (
    "merchant",
    "item",
    "merchant_address",
    "merchant_phone",
    "operator",
    "platform",
    "mini_program",
    "order_no",
    "transaction_id",
    "note",
)
CHOICE_FIELDS = ("payment_method", "category", "problem", "promise_from", "jurisdiction")


def order_fields(raw: dict[str, Any], today: date) -> dict[str, Any]:
    """Turn the command line's strings into model field values; None means 'not given'."""
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS + CHOICE_FIELDS:
        if raw.get(name) is not None:
            fields[name] = raw[name]
    if raw.get("amount") is not None:
        fields["amount"] = parse_money(raw["amount"])
    if raw.get("currency") is not None:
        currency = raw["currency"].strip().upper()
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            raise BadInput(f"currency {raw['currency']!r} is not a 3-letter code like CNY or EUR")
        fields["currency"] = currency
    _match_currency_sign(raw.get("amount"), fields)
    for name, what in (("purchased", "purchase"), ("received", "receipt")):
        if raw.get(name) is not None:
            day, clock = parse_past(raw[name], today, what)
            fields[name], fields[f"{name}_time"] = day, clock
    if raw.get("promise_days") is not None:
        fields["promise_days"] = raw["promise_days"]
    return fields


def _match_currency_sign(amount: str | None, fields: dict[str, Any]) -> None:
    """€45 means euros: take the sign's currency, and refuse one that contradicts --currency."""
    if amount is None:
        return
    signed = currency_of(amount)
    if signed is None:
        return
    given = fields.get("currency")
    if given is not None and given != signed:
        raise BadInput(
            f"amount {amount!r} is in {signed} but --currency is {given}: "
            "drop the sign or fix --currency"
        )
    fields["currency"] = signed


def build_order(order_id: str, fields: dict[str, Any], now: datetime) -> Order:
    try:
        return Order(id=order_id, created=now, **fields)
    except ValidationError as exc:
        raise BadInput(describe_validation_error(exc)) from None


def add_order(store: Store, raw: dict[str, Any], now: datetime) -> Order:
    """Record a new purchase; nothing is written unless every value is valid."""
    fields = order_fields(raw, now.date())
    fields.setdefault("purchased", now.date())
    if "jurisdiction" not in fields:
        fields["jurisdiction"] = store.load_profile().jurisdiction or Jurisdiction.CN
    build_order("check0", fields, now)  # validate before touching the disk
    return store.create(lambda order_id: build_order(order_id, fields, now))


def edit_order(store: Store, prefix: str, raw: dict[str, Any], now: datetime) -> Order:
    """Change recorded facts; the whole order is validated again before it is saved."""
    order_id = store.resolve(prefix)
    changes = order_fields(raw, now.date())
    if not changes:
        raise BadInput("nothing to change: give at least one option, e.g. --received today")
    return store.update(order_id, lambda order: order.model_copy(update=changes))


@dataclass(frozen=True)
class CaseReport:
    """Everything `status` shows about one order as of one day."""

    order: Order
    as_of: date
    windows: list[Window]
    stage: Stage
    missing: list[EvidenceKind]
    recommended: list[EvidenceKind]
    step: NextStep
    # Evidence files gone from the disk; None when nobody looked (see with_files_checked).
    files_missing: tuple[Check, ...] | None = None

    @property
    def best(self) -> Window | None:
        return best_window(self.windows)

    def as_json(self) -> dict[str, Any]:
        o = self.order
        return {
            "id": o.id,
            "merchant": o.merchant,
            "item": o.item,
            "amount": format_money(o.amount),
            "currency": o.currency,
            "purchased": o.purchased.isoformat(),
            "received": o.received.isoformat() if o.received else None,
            "category": o.category.value,
            "problem": o.problem.value,
            "jurisdiction": o.jurisdiction.value,
            "stage": self.stage.value,
            "windows": [w.as_json() for w in self.windows],
            "missing_evidence": [k.value for k in self.missing],
            "recommended_evidence": [k.value for k in self.recommended],
            "refunded": format_money(o.refunded_total()),
            "next_step": self.step.as_json(),
            **(
                {}
                if self.files_missing is None
                else {
                    "missing_files": [
                        {"evidence": c.evidence_id, "path": str(c.path)} for c in self.files_missing
                    ]
                }
            ),
        }


def report(order: Order, as_of: date) -> CaseReport:
    view = as_of_view(order, as_of)
    windows = compute_windows(view, as_of)
    return CaseReport(
        order=view,
        as_of=as_of,
        windows=windows,
        stage=stage_of(view),
        missing=missing_evidence(view),
        recommended=missing_recommended(view),
        step=next_step(view, windows, as_of),
    )


def with_files_checked(store: Store, case: CaseReport) -> CaseReport:
    """The report with its missing evidence files looked up on disk."""
    from refundkit.evidence import absent_files

    return replace(case, files_missing=tuple(absent_files(store, case.order)))


def update_profile(store: Store, raw: dict[str, Any]) -> Profile:
    """Set the given profile fields, keeping the others."""
    return store.update_profile({k: v for k, v in raw.items() if v is not None})
