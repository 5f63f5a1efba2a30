"""The records refundkit keeps: Order (with its Evidence and Events) and Profile.

Fields the current version does not know are kept (extra="allow"), so that a file edited by
hand or by a later minor version is never silently stripped when it is written back.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from refundkit.i18n import _
from refundkit.kinds import (
    Category,
    Channel,
    EventKind,
    EvidenceKind,
    Jurisdiction,
    Lang,
    Outcome,
    PaymentMethod,
    Platform,
    Problem,
    PromiseFrom,
    RefusalReason,
    RequestKind,
)

SCHEMA_VERSION = 2
NEWER_SCHEMA = "newer_schema"  # the error type of a schema_version this code does not know
RECORD_RULE = "record_rule"  # the error type of a rule between fields; ctx["field"] names one
ORDER_ID_PATTERN = r"^[a-z0-9]{4,32}$"


def _no_controls(text: str, *, multiline: bool) -> str:
    allowed = {"\n", "\t"} if multiline else set()
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" and char not in allowed:
            raise ValueError(
                _("contains the control character U+{code}; remove it").format(
                    code=f"{ord(char):04X}"
                )
            )
        if category == "Cs":
            # What bytes that are not UTF-8 become on the way in (a mis-set terminal, a file
            # name from another system): they cannot be written as JSON, so refuse them here.
            raise ValueError(
                _("contains bytes that are not valid UTF-8 text; check the terminal's encoding")
            )
    return text


def _line(text: str) -> str:
    return _no_controls(text.strip(), multiline=False)


def _block(text: str) -> str:
    return _no_controls(text.strip(), multiline=True)


Line = Annotated[str, AfterValidator(_line), Field(max_length=500)]
Name = Annotated[str, AfterValidator(_line), Field(min_length=1, max_length=500)]
Block = Annotated[str, AfterValidator(_block), Field(max_length=20000)]
Money = Annotated[
    Decimal,
    Field(gt=0, max_digits=14, decimal_places=2),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]


class Record(BaseModel):
    """Base for stored records: strict about what it knows, keeps what it does not."""

    model_config = ConfigDict(extra="allow", validate_assignment=True, use_enum_values=False)


def _current_schema() -> int:
    return SCHEMA_VERSION  # looked up when called, so a test can play a later version


class Versioned(Record):
    """A record stored in a file of its own, stamped with the schema that wrote it."""

    schema_version: int = Field(default_factory=_current_schema, ge=1)

    @field_validator("schema_version")
    @classmethod
    def _not_newer(cls, value: int) -> int:
        # Checked against SCHEMA_VERSION as it is now, not as it was when the class was made.
        if value > SCHEMA_VERSION:
            raise PydanticCustomError(
                NEWER_SCHEMA,
                _(
                    "written by a newer refundkit (schema_version {found}, this one reads up to "
                    "{known})"
                ),
                {"found": value, "known": SCHEMA_VERSION},
            )
        return value


class Evidence(Record):
    """One file of proof, copied into the order's folder and fingerprinted."""

    id: str
    kind: EvidenceKind
    original_name: str
    stored_as: str  # path relative to the order's folder
    size: int = Field(ge=0)
    media_type: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    added: datetime
    taken: date | None = None
    note: Block | None = None


class RemovedEvidence(Record):
    """An evidence entry the user removed (`refundkit remove` with `--evidence`): the entry
    and its file went to the trash folder, from which `restore` puts them back. Kept in the
    order as its note of the removal, and so that the number is never given again."""

    id: str
    kind: EvidenceKind
    original_name: str
    sha256: str
    removed: datetime
    trash: str  # the trash entry's folder name, under the data folder's trash/
    restored: datetime | None = None


class Correction(Record):
    """One change made to a logged event after the fact: the timeline is evidence, so the
    old value is kept beside the new one, with when and why, never silently overwritten."""

    recorded: datetime
    field: str
    old: str | None = None
    new: str | None = None
    why: Block | None = None


class Event(Record):
    """One dated step of the dispute; the stage is derived from these, never stored.

    A withdrawn event stays in the record (with when and why) and is ignored by the rules.
    """

    id: str
    kind: EventKind
    on: date
    at: time | None = None
    note: Block | None = None
    ref: Line | None = None
    amount: Money | None = None
    channel: Channel | None = None
    asked: RequestKind | None = None  # contacted-merchant: what the consumer asked for
    reason: RefusalReason | None = None  # merchant-refused: the reason the merchant gave
    refused: RequestKind | None = None  # merchant-refused: what it refused (None: the request)
    outcome: Outcome | None = None  # complaint-answered
    recorded: datetime
    corrections: list[Correction] = Field(default_factory=list)
    withdrawn: datetime | None = None
    withdrawn_why: Block | None = None


class Order(Versioned):
    """A purchase and everything recorded about its dispute."""

    id: str = Field(pattern=ORDER_ID_PATTERN)
    merchant: Name
    item: Name
    amount: Money
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    purchased: date
    purchased_time: time | None = None
    received: date | None = None
    received_time: time | None = None
    merchant_address: Line | None = None
    merchant_phone: Line | None = None
    operator: Line | None = None
    platform: Line | None = None  # a Platform code, or the user's own text
    mini_program: Line | None = None
    order_no: Line | None = None
    transaction_id: Line | None = None
    payment_method: PaymentMethod | None = None
    category: Category = Category.GOODS
    problem: Problem = Problem.CHANGED_MIND
    promise_days: int | None = Field(default=None, ge=1, le=3650)
    promise_from: PromiseFrom | None = None
    jurisdiction: Jurisdiction = Jurisdiction.CN
    details: Block | None = None  # what is wrong, in the user's words: quoted in letters
    note: Block | None = None  # private: shown by `status ORDER`, never in a letter or export
    units: int | None = Field(default=None, ge=1, le=100000)  # prepaid: sessions bought
    units_used: int | None = Field(default=None, ge=0, le=100000)  # and used
    bill_status: Line | None = None  # what the bill says of the payment, in its own words
    bill_state: Line | None = None  # its meaning: closed, returned, refunded-full, refunded-part
    bill_refunded: Money | None = None  # what came back, according to the bill
    created: datetime
    evidence: list[Evidence] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    removed_evidence: list[RemovedEvidence] = Field(default_factory=list)

    @model_validator(mode="after")
    def _received_after_purchase(self) -> Order:
        if self.received is not None and self.received < self.purchased:
            raise ValueError(
                _(
                    "received date {received} is before the purchase date {purchased}: check "
                    "--received and --purchased"
                ).format(received=self.received.isoformat(), purchased=self.purchased.isoformat())
            )
        return self

    @model_validator(mode="after")
    def _units_fit(self) -> Order:
        # A rule of two fields names the one at fault in its context, "field", which
        # describe_validation_error shows as the field or as the option that gave it.
        if self.units_used is not None and self.units is None:
            raise PydanticCustomError(
                RECORD_RULE,
                _("give --units N (the sessions bought) too"),
                {"field": "units_used"},
            )
        if self.units is not None and self.units_used is not None and self.units_used > self.units:
            raise PydanticCustomError(
                RECORD_RULE,
                _("{used} is more than the {units} units bought"),
                {"field": "units_used", "used": self.units_used, "units": self.units},
            )
        if self.units is not None and self.category is not Category.PREPAID_SERVICE:
            raise ValueError(
                _("units go only with the category prepaid-service (memberships, course packages)")
            )
        return self

    @property
    def effective_promise_from(self) -> PromiseFrom:
        """Where the merchant's promise counts from when the user did not say."""
        if self.promise_from is not None:
            return self.promise_from
        return PromiseFrom.PURCHASE if self.category.is_service else PromiseFrom.RECEIPT

    def refunded_total(self) -> Decimal:
        return self.received_total(EventKind.REFUND_RECEIVED)

    def received_total(self, kind: EventKind) -> Decimal:
        """Money that came back, as refund-received or compensation-received; withdrawn
        events do not count."""
        return sum(
            (e.amount for e in self.events if e.kind is kind and e.amount and not e.withdrawn),
            Decimal("0"),
        )

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)


class Profile(Versioned):
    """The complainant: the person a regulator's form and a letter's signature need."""

    name: Line | None = None
    phone: Line | None = None
    email: Line | None = None
    address: Line | None = None
    language: Lang | None = None
    jurisdiction: Jurisdiction | None = None


def sorted_events(events: list[Event]) -> list[Event]:
    """Date order, time of day where known, then the order they were logged."""
    return sorted(events, key=lambda e: (e.on, e.at or time.min, e.recorded))


def describe_validation_error(error: ValidationError, *, options: bool = False) -> str:
    """Turn Pydantic's report into short `field: message` phrases a user can act on.

    options=True names each field as the option it is given with (`--merchant-phone`, not
    `merchant_phone`), for values the user typed; a damaged file's problem keeps the field's
    own name, which is what the file holds."""
    from refundkit.i18n import _

    parts = []
    for item in error.errors():
        field = _field_of(item, options)
        message = _constraint_message(item) or str(item["msg"]).removeprefix("Value error, ")
        if not field:  # a rule of the whole record
            parts.append(message)
        elif options:  # as a usage error names its option (cli/usage.py)
            parts.append(_("{option}: {message}").format(option=field, message=message))
        else:  # a file's path to the field, as the file spells it
            parts.append(f"{field}: {message}")
    return _("; ").join(parts)


# The options whose name is not the field's own, with dashes for underscores.
OPTION_OF_FIELD = {
    "purchased_time": "--purchased",
    "received_time": "--received",
    "at": "--on",
    "withdrawn_why": "--why",
}


def option_name(field: str) -> str:
    """The command-line option that sets field: merchant_phone → --merchant-phone."""
    return OPTION_OF_FIELD.get(field, "--" + field.replace("_", "-"))


def _field_of(item: Any, options: bool) -> str:
    """The field an error is about ("" for a rule of the whole record), as its path in the
    record, or as an option (the last name of the path: an event's note is --note)."""
    loc = [str(p) for p in item["loc"]]
    if not loc and (item.get("ctx") or {}).get("field"):
        loc = [item["ctx"]["field"]]
    if not options or not loc:
        return ".".join(loc)
    names = [p for p in loc if not p.isdigit()]
    return option_name(names[-1]) if names else ".".join(loc)


def _constraint_message(item: Any) -> str | None:
    """The message for a broken limit (gt=0, max_length=500 ...) in refundkit's words, in the
    interface's language, never Pydantic's English; for a value of the wrong kind, the same
    in Chinese (in English, Pydantic's message is used); None for any other. A text checked
    after its validator (Line, Name) is too long in "items after validation" for Pydantic:
    it is told in characters too."""
    from refundkit.i18n import language

    ctx = item.get("ctx") or {}
    texts = {
        "too_long": ("string_too_long", "max_length"),
        "too_short": ("string_too_short", "min_length"),
    }
    if item.get("type") in texts and ctx.get("field_type") == "Value":
        kind, limit = texts[item["type"]]
        if limit in ctx:
            return _limit(kind, ctx[limit])
    keys = {
        "greater_than": "gt",
        "greater_than_equal": "ge",
        "less_than_equal": "le",
        "string_too_long": "max_length",
        "string_too_short": "min_length",
        "decimal_max_digits": "max_digits",
        "decimal_max_places": "decimal_places",
    }
    key = keys.get(item.get("type"))
    if key is not None and key in ctx:
        return _limit(item["type"], ctx[key])
    return None if language() == "en" else _wrong_kind(item.get("type"))


def _wrong_kind(kind: Any) -> str | None:
    """What Pydantic says of a value of the wrong kind (in a damaged file, mostly), in the
    interface's language; None for the rest."""
    from refundkit.i18n import _

    if kind == "missing":
        return _("Field required")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Input should be a valid integer")
    if kind in ("decimal_parsing", "decimal_type"):
        return _("Input should be a valid decimal")
    if kind in ("string_type",):
        return _("Input should be a valid string")
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return _("Input should be a valid date")
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return _("Input should be a valid datetime")
    if kind == "enum":
        return _("Input is not one of the known codes")
    return None


def _limit(kind: str, n: Any) -> str:
    """The message for a limit n, as Pydantic words it, in the interface's language."""
    from refundkit.i18n import _, ngettext

    count = n if isinstance(n, int) else 2
    message = {
        "greater_than": lambda: _("give more than {n}"),
        "greater_than_equal": lambda: _("give at least {n}"),
        "less_than_equal": lambda: _("give at most {n}"),
        "string_too_long": lambda: ngettext(
            "at most {n} character", "at most {n} characters", count
        ),
        "string_too_short": lambda: ngettext(
            "at least {n} character", "at least {n} characters", count
        ),
        "decimal_max_digits": lambda: ngettext(
            "at most {n} digit in all", "at most {n} digits in all", count
        ),
        "decimal_max_places": lambda: ngettext(
            "at most {n} decimal place", "at most {n} decimal places", count
        ),
    }[kind]()
    return message.format(n=n)


def is_newer_schema(error: ValidationError) -> bool:
    return any(item["type"] == NEWER_SCHEMA for item in error.errors())


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an order or profile written by an older schema up to SCHEMA_VERSION.

    Each step maps version N to N+1 and sets schema_version to N+1. A step missing from
    MIGRATIONS raises KeyError: the caller reports the file as one it cannot upgrade.
    """
    version = data.get("schema_version", 1)
    while isinstance(version, int) and version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


V1_DEFAULT_PLATFORM = "WeChat Mini Program"


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 records what a dispute turns on and assumes nothing (cli-contract.md, Version 2).

    - Version 1 wrote "WeChat Mini Program" as every order's platform, whether or not it was
      one: it becomes `wechat-mini-program` only where a Mini Program name is recorded, else
      no platform. Any other text the user gave is kept.
    - A version-1 `contacted-merchant` did not say what it asked for: `unknown`, until the
      user says (status points each one out).
    Files without an order's fields (the profile) only get the new version number.
    """
    data = dict(data)
    if "merchant" in data:
        if data.get("platform") == V1_DEFAULT_PLATFORM:
            data["platform"] = (
                Platform.WECHAT_MINI_PROGRAM.value if data.get("mini_program") else None
            )
        events = []
        for event in data.get("events") or []:
            if isinstance(event, dict) and event.get("kind") == "contacted-merchant":
                event = {**event, "asked": event.get("asked") or RequestKind.UNKNOWN.value}
            events.append(event)
        if "events" in data:
            data["events"] = events
    data["schema_version"] = 2
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}
