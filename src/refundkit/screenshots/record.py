"""A screenshot's reading recorded: a new order with the screenshot as its proof, or the facts
an existing order lacks. All of it or nothing, as with a bill import (importer.py).

The facts arrive reviewed: the command has shown each one with the text it came from and the
user accepted or corrected it, or (with --yes) only the facts with no doubt on them are left.
Values go through cases.add_order and cases.edit_order as raw strings, exactly as if typed, so
every rule of the command line (dates not in the future, positive amounts, ...) applies.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refundkit.errors import BadFile, BadInput, Duplicate, os_reason
from refundkit.i18n import _
from refundkit.kinds import EvidenceKind, PaymentMethod
from refundkit.parse import format_money, parse_money, parse_past
from refundkit.screenshots.layouts import Fact, Reading, shown
from refundkit.screenshots.text import TEXT_MODE, keep_text, text_bytes, text_name
from refundkit.store import Store

if TYPE_CHECKING:
    from refundkit.evidence import Incoming
    from refundkit.models import Evidence, Order
    from refundkit.screenshots.engine import Engine

# The facts a user reviews, in the order they are shown; purchased carries its time.
REVIEWED = (
    "merchant",
    "item",
    "amount",
    "purchased",
    "transaction_id",
    "order_no",
    "payment_method",
)
REQUIRED = ("merchant", "item", "amount", "purchased")  # a new order cannot do without these
PAGE_KIND = {
    "wechat-pay": EvidenceKind.PAYMENT,
    "alipay": EvidenceKind.PAYMENT,
    "order-page": EvidenceKind.ORDER,
}


def label(name: str) -> str:
    """A reviewed fact's name as a prompt shows it, in the interface's language (looked up
    when called, so never a module constant)."""
    return {
        "merchant": _("Merchant"),
        "item": _("Item"),
        "amount": _("Amount"),
        "purchased": _("Purchased"),
        "transaction_id": _("Transaction no."),
        "order_no": _("Order no."),
        "payment_method": _("Payment"),
    }[name]


def noun(name: str) -> str:
    """How a fact is named inside a sentence ("left out the transaction no.")."""
    return {
        "merchant": _("merchant"),
        "item": _("item"),
        "amount": _("amount"),
        "purchased": _("purchase date"),
        "transaction_id": _("transaction no."),
        "order_no": _("order no."),
        "payment_method": _("payment method"),
    }[name]


def page_label(source: str) -> str:
    """What kind of page a screenshot shows, for a person."""
    return {
        "wechat-pay": _("WeChat Pay bill detail (账单详情)"),
        "alipay": _("Alipay bill detail (账单详情)"),
        "order-page": _("shop order page"),
    }[source]


IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/tiff")


def read_screenshot(path: Path, today: date, engine: Engine | None = None) -> tuple[bytes, Reading]:
    """The file's bytes and what they say; BadFile for anything that is not a readable image."""
    from refundkit.evidence import check_source, media_type
    from refundkit.screenshots import engine as ocr
    from refundkit.screenshots.layouts import read_lines

    check_source(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadFile(
            _("cannot read {path}: {error}").format(path=path, error=os_reason(exc))
        ) from None
    kind = media_type(path, data[:16])
    if not (kind in IMAGE_TYPES or data[:16].startswith((b"BM", b"II*\x00", b"MM\x00*"))):
        raise BadFile(
            _("{path} is not an image ({kind}): give a PNG or JPEG screenshot").format(
                path=path, kind=kind
            )
        )
    reader = engine or ocr.get_engine("import-screenshot")
    try:
        lines = reader.recognise(data)
    except BadFile as exc:
        raise BadFile(_("{path}: {problem}").format(path=path, problem=exc.message)) from None
    return data, read_lines(lines, today)


def reviewable(reading: Reading) -> dict[str, Fact]:
    """The facts to show, with the purchase time folded into the purchase date."""
    facts = {name: reading.facts[name] for name in REVIEWED if name in reading.facts}
    day, clock = reading.facts.get("purchased"), reading.facts.get("purchased_time")
    if day is not None and day.value and clock is not None and clock.value:
        problem = day.problem or clock.problem
        confidence = min(day.confidence, clock.confidence)
        facts["purchased"] = Fact(f"{day.value} {clock.value}", day.source, confidence, problem)
    return facts


def as_read(facts: dict[str, Fact]) -> tuple[dict[str, str], list[str]]:
    """--yes: the facts with no doubt on them, and a warning for each one left out."""
    values, warnings = {}, []
    for name, fact in facts.items():
        if not fact.uncertain and fact.value:
            values[name] = fact.value
            continue
        why = shown(fact.problem) or _("it could not be read")
        if fact.value:
            left = _("left out the {fact} {value} ({why}; read from {source})")
        else:
            left = _("left out the {fact} ({why}; read from {source})")
        warnings.append(
            left.format(
                fact=noun(name), value=fact.value, why=why, source=repr(str(shown(fact.source)))
            )
        )
    return values, warnings


def check_value(name: str, text: str, today: date) -> str:
    """A value typed as a correction, checked and written the way it will be recorded."""
    text = text.strip()
    if not text:
        raise BadInput(_("the {fact} cannot be empty").format(fact=noun(name)))
    if name == "amount":
        return format_money(parse_money(text))
    if name == "purchased":
        day, clock = parse_past(text, today, "purchase")
        return f"{day.isoformat()} {clock:%H:%M:%S}" if clock else day.isoformat()
    if name == "payment_method":
        choices = [m.value for m in PaymentMethod]
        if text not in choices:
            raise BadInput(
                _("payment method {value} is not one of {choices}").format(
                    value=repr(text), choices=", ".join(choices)
                )
            )
    if name in ("transaction_id", "order_no") and any(c.isspace() for c in text):
        raise BadInput(
            _("{fact} {value} has spaces: type it without them").format(
                fact=noun(name), value=repr(text)
            )
        )
    return text


def missing_required(values: dict[str, str]) -> list[str]:
    return [name for name in REQUIRED if not values.get(name)]


def raw_fields(values: dict[str, str]) -> dict[str, Any]:
    """The add-order strings for these values (None where there is none)."""
    return {name: values.get(name) for name in REVIEWED}


@dataclass(frozen=True)
class Recorded:
    order: Order
    evidence: Evidence
    filled: tuple[str, ...] = ()  # facts written into an existing order
    kept: tuple[str, ...] = ()  # facts the order already had, left as they were


def import_new(
    store: Store, path: Path, data: bytes, reading: Reading, values: dict[str, str], now: datetime
) -> Recorded:
    """Record a new order from the reviewed values, the screenshot and its recognised text
    arriving with it in the same rename: all of it or nothing.

    The file stored is the very bytes that were read, so the proof cannot differ from what
    the facts came from, even if the file on disk changes meanwhile.
    """
    from refundkit import cases
    from refundkit.evidence import STORED_MODE
    from refundkit.kinds import Jurisdiction
    from refundkit.store import atomic_write, make_private_dir

    missing = missing_required(values)
    if missing:
        names = _(", ").join(noun(name) for name in missing)
        raise BadInput(
            _(
                "the screenshot gives no certain {facts}: nothing was recorded; run it in a "
                "terminal without --yes to check and type them, or use refundkit add-order"
            ).format(facts=names)
        )
    fields = cases.order_fields(raw_fields(values), now.date())
    if "jurisdiction" not in fields:  # as add-order does
        fields["jurisdiction"] = store.load_profile().jurisdiction or Jurisdiction.CN
    entry, text = _entry("e1", path, data, reading, now)
    fields["evidence"] = [entry]
    cases.build_order("check0", fields, now)  # every value valid before the disk is touched

    def stage(staging: Path) -> None:
        make_private_dir(staging / "evidence")
        atomic_write(staging / entry.stored_as, data, mode=STORED_MODE)
        if text is not None:
            atomic_write(staging / text_name(entry), text, mode=TEXT_MODE)

    store.ensure()
    with store.lock_imports():
        _not_recorded_yet(store, values.get("transaction_id"))
        order = store.create(lambda order_id: cases.build_order(order_id, fields, now), stage)
    return Recorded(order, order.evidence[0], tuple(values))


def _entry(
    entry_id: str, path: Path, data: bytes, reading: Reading, now: datetime
) -> tuple[Evidence, bytes | None]:
    """The screenshot's evidence entry (payment or order), with its text fingerprinted."""
    from refundkit.evidence import media_type, readable_name, safe_name
    from refundkit.models import Evidence

    kind = PAGE_KIND[reading.source]
    note = _("Screenshot of a {page}").format(page=page_label(reading.source))
    method = reading.details.get("payment_detail")
    if method:
        note += f"; 支付方式 {method}"
    name = readable_name(path)
    entry = Evidence(
        id=entry_id,
        kind=kind,
        original_name=name,
        stored_as=f"evidence/{entry_id}-{safe_name(name)}",
        size=len(data),
        media_type=media_type(path, data[:16]),
        sha256=hashlib.sha256(data).hexdigest(),
        added=now,
        note=note,
    )
    if not reading.lines:
        return entry, None
    text = text_bytes(reading.lines)
    extra = {"text_as": text_name(entry), "text_sha256": hashlib.sha256(text).hexdigest()}
    return Evidence.model_validate({**entry.model_dump(), **extra}), text


def conflicts(order: Order, values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Facts the order has already, with a different value: name -> (recorded, read)."""
    out = {}
    for name, value in values.items():
        recorded = recorded_value(order, name)
        if recorded is not None and not _same(name, recorded, value):
            out[name] = (recorded, value)
    return out


IDENTIFYING = ("amount", "transaction_id", "order_no")  # and the purchase day


def another_purchase(clashing: dict[str, tuple[str, str]]) -> list[str]:
    """The conflicts that say the screenshot is of another purchase, not a fact to update:
    a different amount, number or day (a merchant's full name, or a time, is a detail)."""
    found = [name for name in IDENTIFYING if name in clashing]
    if "purchased" in clashing:
        recorded, read = clashing["purchased"]
        if recorded[:10] != read[:10]:
            found.append("purchased")
    return found


def recorded_value(order: Order, name: str) -> str | None:
    """The order's value of a reviewed fact, written as the screenshot's would be."""
    if name == "purchased":
        clock = f" {order.purchased_time:%H:%M:%S}" if order.purchased_time else ""
        return order.purchased.isoformat() + clock
    if name == "amount":
        return format_money(order.amount)
    value = getattr(order, name, None)
    return None if value is None else str(value)


def _same(name: str, recorded: str, read: str) -> bool:
    if name == "amount":
        return Decimal(recorded) == Decimal(read)
    if name == "purchased":  # a recorded day without a time agrees with the same day read
        return recorded == read or (len(recorded) == 10 and read.startswith(recorded))
    return recorded == read


def fill_order(
    store: Store,
    prefix: str,
    path: Path,
    data: bytes,
    reading: Reading,
    values: dict[str, str],
    replace: set[str],
    now: datetime,
) -> Recorded:
    """Write the facts the order lacks (and those the user agreed to replace) and attach
    the screenshot, in one rewrite of the order's record; its text is kept beside it."""
    from refundkit import cases
    from refundkit.evidence import commit, evidence_dir
    from refundkit.store import make_private_dir

    order_id = store.resolve(prefix)
    order = store.load(order_id)
    digest = hashlib.sha256(data).hexdigest()
    for attached in order.evidence:
        if attached.sha256 == digest:
            raise Duplicate(
                _("{path} is already attached to {id} as {evidence}").format(
                    path=path, id=order_id, evidence=attached.id
                )
            )
    clashing = conflicts(order, values)
    changes = {
        name: value
        for name, value in values.items()
        if (name not in clashing or name in replace) and recorded_value(order, name) != value
    }
    if "purchased" in changes and "purchased" not in clashing and order.purchased_time:
        del changes["purchased"]  # the same day, already with its time
    fields = cases.order_fields(changes, now.date())
    if "payment_method" in fields:  # the enum, as the command line gives it
        fields["payment_method"] = PaymentMethod(fields["payment_method"])
    entry, text = _entry("e0", path, data, reading, now)
    folder = evidence_dir(store, order_id)
    created = not folder.exists()
    with store.lock_imports():
        if values.get("transaction_id") != order.transaction_id:
            _not_recorded_yet(store, values.get("transaction_id"))
        make_private_dir(folder)
        incoming = _incoming(path, data, entry, folder)
        try:
            (added,) = commit(
                store,
                order_id,
                [incoming],
                entry.kind,
                entry.note,
                None,
                now,
                also=lambda current: current.model_copy(update=fields),
            )
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        finally:
            incoming.temp.unlink(missing_ok=True)
    if text is not None:
        # The text is a convenience beside the proof: failing to keep it (a full disk)
        # must not undo the attachment.
        with contextlib.suppress(OSError):
            added = keep_text(store, order_id, added, reading.lines)
    kept = tuple(name for name in clashing if name not in replace)
    return Recorded(store.load(order_id), added, tuple(changes), kept)


def _incoming(path: Path, data: bytes, entry: Evidence, folder: Path) -> Incoming:
    """The bytes that were read, as a temp file in the evidence folder, ready to commit."""
    import os
    import tempfile

    from refundkit.evidence import Incoming

    handle, name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=folder)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Incoming(path, entry.original_name, temp, entry.size, entry.sha256, entry.media_type)


def _not_recorded_yet(store: Store, transaction_id: str | None) -> None:
    """Importing the same payment twice would make two cases of one purchase."""
    if not transaction_id:
        return
    orders, _damaged = store.load_all()
    for order in orders:
        if order.transaction_id == transaction_id:
            raise BadInput(
                _(
                    "transaction {transaction} is already recorded as order {id}: see "
                    "`refundkit status {id}`, or add the screenshot to it with --order {id}"
                ).format(transaction=transaction_id, id=order.id)
            )
