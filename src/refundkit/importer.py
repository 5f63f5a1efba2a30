"""Recording a payment from a bill: as a new order, or as proof and facts of an existing one.

The order and its proof are one act for the user and one commit on disk:
- a new order is assembled whole in the store's staging folder, its proof beside its
  order.json, and renamed into place, so a kill leaves nothing or all of it;
- a bill added to an existing order (--order) is one rewrite of that order.json, made under
  the order's lock once the proof file is in place.
Both run under the data folder's import lock together with the check that the payment is not
recorded yet, so two imports of one payment, however close together, never make two orders.

Privacy: a bill holds every payment of its period (takeaway, transfers, rent). By default the
proof attached is an extract: the bill's header lines and this payment's rows, in the bill's
own format family, with the original's name, size and SHA-256 recorded beside it so that the
original can be produced, and checked, when a platform or a court asks for it. --whole-bill
attaches the original itself.

Nothing is claimed that the bill does not say: no platform unless the row names one, the
payment method of the app that issued the bill, the bill's own words for its statuses.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from refundkit.bills import Bill, Listed, Transaction, extract
from refundkit.errors import BadFile, BadInput
from refundkit.i18n import _
from refundkit.models import Evidence, Order
from refundkit.sanitize import visible
from refundkit.store import Store

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The facts a bill states, in the order they are compared with a recorded order's.
FACT_FIELDS = (
    "merchant",
    "item",
    "amount",
    "currency",
    "purchased",
    "purchased_time",
    "transaction_id",
    "order_no",
    "payment_method",
    "platform",
    "received",
    "category",
)


def label(field: str) -> str:
    """A field's name in messages, in the interface's language (looked up when called)."""
    names = {
        "merchant": _("merchant"),
        "item": _("item"),
        "amount": _("amount"),
        "currency": _("currency"),
        "transaction_id": _("transaction number"),
        "order_no": _("merchant order number"),
        "purchased": _("purchase date"),
        "purchased_time": _("time of purchase"),
        "payment_method": _("payment method"),
        "platform": _("platform"),
        "received": _("receipt date"),
        "category": _("category"),
    }
    return names.get(field, field.replace("_", " "))


@dataclass(frozen=True)
class Imported:
    order: Order
    evidence: Evidence
    entry: Listed
    created: bool  # a new order (else the bill was added to an existing one)
    filled: tuple[str, ...] = ()  # facts the existing order lacked and the bill gave


@dataclass(frozen=True)
class Proof:
    """The file to attach: the extract's bytes, or the original to copy whole."""

    name: str
    size: int
    sha256: str
    media_type: str
    data: bytes | None  # None: copy `source` whole
    source: Path
    extra: dict[str, Any]  # kept on the evidence record (Evidence keeps unknown fields)


@dataclass(frozen=True)
class Conflict:
    """A fact the order records and the bill states otherwise."""

    field: str
    recorded: str
    bill: str

    def describe(self) -> str:
        return _("{fact} {recorded} where the bill says {bill}").format(
            fact=label(self.field), recorded=repr(self.recorded), bill=repr(self.bill)
        )


# --- what the bill says ----------------------------------------------------------------------


def evidence_source(bill: Bill, entry: Listed, whole: bool) -> dict[str, Any]:
    """Where the proof came from, as codes: which bill layout, which line (row of a workbook),
    and whether it is the extract. Kept on the evidence entry (field `source`) instead of an
    English note, so each letter and screen words it in its own language."""
    return {"bill": bill.source, "line": entry.tx.line, "extract": not whole}


def _cell(text: str) -> str:
    """A bill cell as a fact to store: control and format characters shown, not kept."""
    return visible(text.strip())


def order_raw(bill: Bill, tx: Transaction, options: dict[str, str | None]) -> dict[str, Any]:
    """The add-order strings a user would have typed for this bill row (no platform unless
    the row names one)."""
    merchant = _cell(tx.counterparty or tx.kind or tx.item)
    if not merchant:
        raise BadInput(
            _(
                "transaction {transaction} names no merchant (交易对方 is empty): "
                "record it with `refundkit add-order` instead"
            ).format(transaction=tx.transaction_id)
        )
    raw: dict[str, Any] = {
        "merchant": merchant,
        "item": _cell(tx.item or tx.kind) or merchant,
        "amount": f"{tx.amount:.2f}",
        "purchased": tx.time.strftime("%Y-%m-%d %H:%M:%S"),
        "transaction_id": _cell(tx.transaction_id) or None,
        "order_no": _cell(tx.merchant_order_no) or None,
        "payment_method": bill.payment_method,
        "category": options.get("category"),
        "received": options.get("received"),
    }
    if tx.platform:
        raw["platform"] = tx.platform
    return raw


def bill_facts(
    bill: Bill, tx: Transaction, options: dict[str, str | None], today: date
) -> dict[str, Any]:
    """The order's field values the bill (and the command's options) state, parsed."""
    from refundkit import cases

    fields = cases.order_fields(order_raw(bill, tx, options), today)
    fields["currency"] = "CNY"
    return {name: fields[name] for name in FACT_FIELDS if fields.get(name) is not None}


def proof_for(bill: Bill, path: Path, entry: Listed, whole: bool) -> Proof:
    """The proof of this payment: the whole bill, or the extract with the original's record."""
    kind = XLSX_TYPE if bill.source == "wechat-xlsx" else CSV_TYPE
    if whole:
        return Proof(bill.name or path.name, bill.size, bill.sha256, kind, None, path, {})
    import hashlib

    cut = extract(bill, path, entry)
    record = {
        "name": visible(bill.name or path.name),
        "size": bill.size,
        "sha256": bill.sha256,
        "lines": list(cut.lines),
    }
    digest = hashlib.sha256(cut.data).hexdigest()
    return Proof(cut.name, len(cut.data), digest, CSV_TYPE, cut.data, path, {"extract_of": record})


# --- who holds this payment already ----------------------------------------------------------


def recorded_in(store: Store, tx: Transaction) -> list[tuple[str, str, str]]:
    """(order id, field, value) for each order already holding this payment's numbers.

    Each order.json is searched as bytes first, and only one holding the number is parsed,
    so that the check stays quick with thousands of orders.
    """
    import json

    wanted = {
        name: value
        for name, value in (
            ("transaction_id", _cell(tx.transaction_id)),
            ("order_no", _cell(tx.merchant_order_no)),
        )
        if value
    }
    if not wanted:
        return []
    needles = [json.dumps(v, ensure_ascii=False).encode() for v in wanted.values()]
    found = []
    for order_id in store.list_ids():
        data = _read_quietly(store.order_path(order_id))
        if not any(needle in data for needle in needles):
            continue
        try:
            order = store.load(order_id)
        except Exception:  # a damaged order is reported by status, not here
            continue
        for name, value in wanted.items():
            if getattr(order, name) == value:
                found.append((order_id, name, value))
    return found


def _read_quietly(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return b""
    with os.fdopen(fd, "rb") as handle:
        import stat

        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return b""
        return handle.read(64 << 20)


def refuse_recorded(store: Store, entry: Listed, into: str | None, bill_path: Path) -> None:
    """A payment already recorded in an order is not recorded again: say where, and how to
    add this bill to that order instead."""
    import shlex

    for order_id, name, value in recorded_in(store, entry.tx):
        if order_id == into:
            continue
        what = label(name)
        command = visible(
            f"refundkit import-bill {shlex.quote(str(bill_path))} --row {entry.row} "
            f"--order {order_id}"
        )
        if into is None:
            raise BadInput(
                _(
                    "{fact} {value} is already recorded in order {id}: nothing was recorded; "
                    "to add this bill to that order, run: {command}"
                ).format(fact=what, value=value, id=order_id, command=command)
            )
        raise BadInput(
            _(
                "{fact} {value} is already recorded in order {id}, not in {into}: nothing "
                "was recorded; to add this bill to the order that holds it, run: {command}"
            ).format(fact=what, value=value, id=order_id, into=into, command=command)
        )


# --- a new order -------------------------------------------------------------------------------


def import_new(
    store: Store,
    bill: Bill,
    path: Path,
    entry: Listed,
    options: dict[str, str | None],
    now: datetime,
    whole: bool = False,
) -> Imported:
    """Record the payment as a new order with its proof, in one commit."""
    from refundkit import cases
    from refundkit.evidence import safe_name
    from refundkit.kinds import EvidenceKind, Jurisdiction

    fields = cases.order_fields(order_raw(bill, entry.tx, options), now.date())
    if "jurisdiction" not in fields:  # as add-order does
        fields["jurisdiction"] = store.load_profile().jurisdiction or Jurisdiction.CN
    proof = proof_for(bill, path, entry, whole)
    evidence = Evidence(
        id="e1",
        kind=EvidenceKind.PAYMENT,
        original_name=visible(proof.name),
        stored_as=f"evidence/e1-{safe_name(proof.name)}",
        size=proof.size,
        media_type=proof.media_type,
        sha256=proof.sha256,
        added=now,
        **{"source": evidence_source(bill, entry, whole), **proof.extra},
    )
    fields["evidence"] = [evidence]
    fields.update(entry.tx.status_record())
    cases.build_order("check0", fields, now)  # every value valid before the disk is touched

    def stage(staging: Path) -> None:
        place(proof, staging / evidence.stored_as)

    store.ensure()
    with store.lock_imports():
        refuse_recorded(store, entry, None, path)
        order = store.create(lambda order_id: cases.build_order(order_id, fields, now), stage)
    return Imported(order, evidence, entry, created=True)


def place(proof: Proof, target: Path) -> None:
    """Write the proof at target, read-only, durably; a copied original must still be the
    file that was parsed."""
    from refundkit.evidence import STORED_MODE, copy_in
    from refundkit.store import atomic_write, fsync_dir, make_private_dir

    make_private_dir(target.parent)
    if proof.data is not None:
        atomic_write(target, proof.data, mode=STORED_MODE)
        return
    incoming = copy_in(proof.source, target.parent)
    try:
        if incoming.sha256 != proof.sha256:
            raise BadFile(
                visible(
                    _(
                        "{path} changed while it was being imported: nothing was "
                        "recorded; run the command again"
                    ).format(path=proof.source)
                )
            )
        os.chmod(incoming.temp, STORED_MODE)
        os.replace(incoming.temp, target)
    finally:
        incoming.temp.unlink(missing_ok=True)
    fsync_dir(target.parent)


# --- an existing order -------------------------------------------------------------------------


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return norm(a) == norm(b)


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def _differs(name: str, recorded: Any, stated: Any) -> bool:
    if name in ("merchant", "item"):
        return not _same_text(str(recorded), str(stated))
    if name == "purchased_time":
        return (recorded.hour, recorded.minute) != (stated.hour, stated.minute)
    return _shown(recorded) != _shown(stated)


def conflicts(order: Order, facts: dict[str, Any]) -> list[Conflict]:
    """The facts the order records that the bill states otherwise."""
    found = []
    for name, stated in facts.items():
        recorded = getattr(order, name, None)
        if recorded is None or not _differs(name, recorded, stated):
            continue
        if name == "purchased_time" and order.purchased != facts.get("purchased"):
            continue  # reported with the date
        found.append(Conflict(name, _shown(recorded), _shown(stated)))
    return found


def merge(
    order: Order, facts: dict[str, Any], choices: dict[str, str], status: dict[str, Any]
) -> tuple[Order, tuple[str, ...]]:
    """The order with the facts it lacks filled in and each conflict settled as chosen
    ('order' keeps the recorded value, 'bill' takes the bill's); an unsettled one refuses."""
    open_ = [c for c in conflicts(order, facts) if c.field not in choices]
    if open_:
        raise BadInput(
            _(
                "order {id} records {differences}: it changed while the bill was being "
                "imported; nothing was recorded, run the command again"
            ).format(id=order.id, differences=_("; ").join(c.describe() for c in open_))
        )
    update: dict[str, Any] = {}
    filled = []
    for name, stated in facts.items():
        recorded = getattr(order, name, None)
        if name == "purchased_time" and not _same_day(order, facts, choices):
            continue
        if recorded is None:
            update[name] = stated
            filled.append(name)
        elif choices.get(name) == "bill" and _differs(name, recorded, stated):
            update[name] = stated
            if name == "purchased" and "purchased_time" in facts:
                update["purchased_time"] = facts["purchased_time"]
    update.update(status)
    from pydantic import ValidationError

    from refundkit.models import describe_validation_error

    try:
        return Order.model_validate({**order.model_dump(), **update}), tuple(filled)
    except ValidationError as exc:
        raise BadInput(describe_validation_error(exc)) from None


def _same_day(order: Order, facts: dict[str, Any], choices: dict[str, str]) -> bool:
    """Whether the order's purchase date, once merged, is the bill's: only then is the bill's
    time of purchase worth anything to it. A time belongs to its day, and the bill's beside
    a date the order kept (--keep-recorded) would state a moment that never happened."""
    return choices.get("purchased") == "bill" or bool(order.purchased == facts.get("purchased"))


def preview(
    store: Store,
    prefix: str,
    bill: Bill,
    entry: Listed,
    options: dict[str, str | None],
    now: datetime,
) -> tuple[str, list[Conflict]]:
    """The order a --order prefix names, and the conflicts the bill would bring (read without
    the lock, to ask about them; import_into checks again under it)."""
    order_id = store.resolve(prefix)
    facts = bill_facts(bill, entry.tx, options, now.date())
    return order_id, conflicts(store.load(order_id), facts)


def conflict_message(order_id: str, found: list[Conflict], hint: str) -> str:
    return _("order {id} records {differences}: nothing was recorded; {hint}").format(
        id=order_id, differences=_("; ").join(c.describe() for c in found), hint=hint
    )


def import_into(
    store: Store,
    bill: Bill,
    path: Path,
    entry: Listed,
    prefix: str,
    options: dict[str, str | None],
    now: datetime,
    whole: bool = False,
    choices: dict[str, str] | None = None,
) -> Imported:
    """Add the bill's facts and proof to an existing order, in one rewrite of its record."""
    from refundkit import evidence as locker
    from refundkit.kinds import EvidenceKind
    from refundkit.store import make_private_dir

    order_id = store.resolve(prefix)
    store.load(order_id)  # a damaged order is reported before anything is copied
    facts = bill_facts(bill, entry.tx, options, now.date())
    proof = proof_for(bill, path, entry, whole)
    filled: list[str] = []

    def change(order: Order) -> Order:
        merged, names = merge(order, facts, choices or {}, entry.tx.status_record())
        filled[:] = names
        return merged

    folder = locker.evidence_dir(store, order_id)
    created = not folder.exists()
    with store.lock_imports():
        refuse_recorded(store, entry, order_id, path)
        make_private_dir(folder)
        incoming = _incoming(proof, folder)
        try:
            (added,) = locker.commit(
                store,
                order_id,
                [incoming],
                EvidenceKind.PAYMENT,
                None,
                None,
                now,
                also=change,
                extra={**proof.extra, "source": evidence_source(bill, entry, whole)},
            )
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        finally:
            incoming.temp.unlink(missing_ok=True)
    return Imported(store.load(order_id), added, entry, created=False, filled=tuple(filled))


def _incoming(proof: Proof, folder: Path) -> Any:
    """The proof as a temp file in the order's evidence folder, ready to be committed."""
    import tempfile

    from refundkit.evidence import Incoming, copy_in

    if proof.data is None:
        incoming = copy_in(proof.source, folder)
        if incoming.sha256 != proof.sha256:
            incoming.temp.unlink(missing_ok=True)
            raise BadFile(
                visible(
                    _(
                        "{path} changed while it was being imported: nothing was "
                        "recorded; run the command again"
                    ).format(path=proof.source)
                )
            )
        return incoming
    handle, name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=folder)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(proof.data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Incoming(
        proof.source, visible(proof.name), temp, proof.size, proof.sha256, proof.media_type
    )
