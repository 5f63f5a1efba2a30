"""Recording and changing orders, and assembling what `status` reports about them.

The functions here take raw strings from the command line and the store, and return records or
reports; they never print. Parsing happens here, not in the CLI, so the same rules apply to
every caller (the CLI, the demo, the bill importer, the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from refundkit.errors import BadInput
from refundkit.kinds import EvidenceKind, Jurisdiction, Platform, Stage
from refundkit.parse import currency_of, parse_money, parse_past
from refundkit.store import Store

if TYPE_CHECKING:  # the models (and Pydantic) are imported where records are built, so that
    # report() runs without them for a LightOrder (lightrecord.py)
    from refundkit.choices import Vocabulary
    from refundkit.evidence import Check
    from refundkit.models import Order, Profile
    from refundkit.rules import Assessment, Step, Window

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
    "details",
    "note",
)
CHOICE_FIELDS = ("payment_method", "category", "problem", "promise_from", "jurisdiction")


def _vocabularies() -> dict[str, Vocabulary]:
    from refundkit import choices

    return {
        "payment_method": choices.PAYMENT_METHOD,
        "category": choices.CATEGORY,
        "problem": choices.PROBLEM,
        "promise_from": choices.PROMISE_FROM,
        "jurisdiction": choices.JURISDICTION,
    }


def order_fields(raw: dict[str, Any], today: date, now: time | None = None) -> dict[str, Any]:
    """Turn the command line's strings into model field values; None means 'not given'.
    now, the time of day, refuses a time still to come today (see parse.parse_past)."""
    from refundkit.choices import parse, platform_code
    from refundkit.currencies import currency_code

    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if raw.get(name) is not None:
            fields[name] = raw[name]
    vocabularies = _vocabularies()
    for name in CHOICE_FIELDS:
        if raw.get(name) is not None:
            fields[name] = parse(vocabularies[name], str(raw[name]))
    if raw.get("amount") is not None:
        fields["amount"] = parse_money(raw["amount"])
    if raw.get("currency") is not None:
        fields["currency"] = currency_code(raw["currency"])
    _match_currency_sign(raw.get("amount"), fields)
    for name, what in (("purchased", "purchase"), ("received", "receipt")):
        if raw.get(name) is not None:
            day, clock = parse_past(raw[name], today, what, now)
            fields[name], fields[f"{name}_time"] = day, clock
    for name in ("promise_days", "units", "units_used"):
        if raw.get(name) is not None:
            fields[name] = raw[name]
    if "platform" in fields:
        fields["platform"] = platform_code(fields["platform"])
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
        from refundkit.i18n import _

        raise BadInput(
            _(
                "amount {amount} is in {currency} but --currency is {given}: "
                "drop the sign or fix --currency"
            ).format(amount=repr(amount), currency=signed, given=given)
        )
    fields["currency"] = signed


def check_value(field: str, value: Any, record: str = "order") -> None:
    """Raise BadInput if value cannot be an order's (or with record="profile", the
    profile's) field: its length, its characters. For answers checked one by one."""
    from datetime import date as date_
    from decimal import Decimal

    from pydantic import BaseModel, ValidationError

    from refundkit.models import Order, Profile, describe_validation_error

    probe: BaseModel
    if record == "profile":
        probe = Profile()
    else:
        day = date_(2000, 1, 1)
        probe = Order(
            id="check0",
            merchant="m",
            item="i",
            amount=Decimal(1),
            purchased=day,
            created=datetime(2000, 1, 1),
        )
    try:
        setattr(probe, field, value)
    except ValidationError as exc:
        raise BadInput(describe_validation_error(exc, options=True)) from None


def build_order(order_id: str, fields: dict[str, Any], now: datetime) -> Order:
    from pydantic import ValidationError

    from refundkit.models import Order, describe_validation_error

    try:
        return Order(id=order_id, created=now, **fields)
    except ValidationError as exc:
        raise BadInput(describe_validation_error(exc, options=True)) from None


def add_order(store: Store, raw: dict[str, Any], now: datetime) -> Order:
    """Record a new purchase; nothing is written unless every value is valid."""
    fields = order_fields(raw, now.date(), now.time())
    fields.setdefault("purchased", now.date())
    if fields.get("mini_program") and "platform" not in fields:
        fields["platform"] = Platform.WECHAT_MINI_PROGRAM.value  # a Mini Program is WeChat
    if "jurisdiction" not in fields:
        fields["jurisdiction"] = store.load_profile().jurisdiction or Jurisdiction.CN
    build_order("check0", fields, now)  # validate before touching the disk
    return store.create(lambda order_id: build_order(order_id, fields, now))


def edit_order(store: Store, prefix: str, raw: dict[str, Any], now: datetime) -> Order:
    """Change recorded facts; the whole order is validated again before it is saved."""
    order_id = store.resolve(prefix)
    changes = order_fields(raw, now.date(), now.time())
    if not changes:
        from refundkit.i18n import _

        raise BadInput(_("nothing to change: give at least one option, e.g. --received today"))

    def change(order: Order) -> Order:
        implied = {}
        if changes.get("mini_program") and "platform" not in changes and not order.platform:
            implied = {"platform": Platform.WECHAT_MINI_PROGRAM.value}  # a Mini Program is WeChat
        return _checked(order, {**changes, **implied})

    return store.update(order_id, change)


def _checked(order: Order, changes: dict[str, Any]) -> Order:
    """order with changes, validated here so that a broken rule names the option that broke
    it (--units-used), as add-order's do; store.update checks the whole record again."""
    from pydantic import ValidationError

    from refundkit.models import Order, describe_validation_error

    try:
        return Order.model_validate({**order.model_dump(), **changes})
    except ValidationError as exc:
        raise BadInput(describe_validation_error(exc, options=True)) from None


@dataclass(frozen=True)
class CaseReport:
    """Everything `status` shows about one order as of one day: the order as it stood then,
    and what the rules say about it."""

    order: Order
    assessment: Assessment
    # Evidence files gone from the disk; None when nobody looked (see with_files_checked).
    files_missing: tuple[Check, ...] | None = None

    @property
    def as_of(self) -> date:
        return self.assessment.as_of

    @property
    def stage(self) -> Stage:
        return self.assessment.stage

    @property
    def windows(self) -> tuple[Window, ...]:
        return self.assessment.windows

    @property
    def step(self) -> Step:
        return self.assessment.step

    @property
    def missing(self) -> tuple[EvidenceKind, ...]:
        return self.assessment.missing_evidence

    @property
    def recommended(self) -> tuple[EvidenceKind, ...]:
        return self.assessment.recommended_evidence

    @property
    def best(self) -> Window | None:
        return self.assessment.best_window

    def as_json(self) -> dict[str, Any]:
        from refundkit.porcelain import case_json

        return case_json(self)


def as_of_view(order: Order, as_of: date) -> Order:
    """The record as it stood on as_of, for showing it: goods received later count as not yet
    received, and evidence and events dated later are left out (the rules do the same to
    their facts, rules.facts.as_of)."""
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


def report(order: Order, as_of: date) -> CaseReport:
    from refundkit.rules import assess, facts_of

    return CaseReport(as_of_view(order, as_of), assess(facts_of(order), as_of))


def with_files_checked(store: Store, case: CaseReport) -> CaseReport:
    """The report with its missing evidence files looked up on disk."""
    from refundkit.evidence import absent_files

    return replace(case, files_missing=tuple(absent_files(store, case.order)))


def update_profile(store: Store, raw: dict[str, Any]) -> Profile:
    """Set the given profile fields, keeping the others; the language and jurisdiction are
    read as their options are (`中文`, `中国`)."""
    from refundkit import choices

    changes = {k: v for k, v in raw.items() if v is not None}
    if changes.get("language") is not None:
        changes["language"] = choices.language_code(str(changes["language"]))
    if changes.get("jurisdiction") is not None:
        changes["jurisdiction"] = choices.parse(choices.JURISDICTION, str(changes["jurisdiction"]))
    return store.update_profile(changes)
