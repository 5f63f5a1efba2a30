"""Recording an order from one row of a payment bill, with the bill attached as its proof.

The order and its `payment` evidence are one act for the user: either both are recorded or
neither is. The bill has already been read and parsed (so it is a regular, readable bill) when
this runs, and every order value is validated by cases.add_order before anything is written;
if attaching the bill then fails anyway (disk full, the file changed underneath us, Ctrl-C), the
order folder created a moment before, which no other command can know the id of yet, is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from refundkit.bills import Bill, Transaction
from refundkit.errors import BadFile, BadInput
from refundkit.models import Evidence, Order
from refundkit.store import Store


@dataclass(frozen=True)
class Imported:
    order: Order
    evidence: Evidence
    transaction: Transaction


def order_raw(bill: Bill, tx: Transaction, options: dict[str, str | None]) -> dict[str, Any]:
    """The add-order strings a user would have typed for this bill row."""
    merchant = tx.counterparty or tx.kind or tx.item
    if not merchant:
        raise BadInput(
            f"transaction {tx.transaction_id} names no merchant (交易对方 is empty): "
            "record it with `refundkit add-order` instead"
        )
    raw: dict[str, Any] = {
        "merchant": merchant,
        "item": tx.item or tx.kind or merchant,
        "amount": f"{tx.amount:.2f}",
        "purchased": tx.time.strftime("%Y-%m-%d %H:%M:%S"),
        "transaction_id": tx.transaction_id or None,
        "order_no": tx.merchant_order_no or None,
        "payment_method": bill.payment_method,
        "category": options.get("category"),
        "received": options.get("received"),
    }
    if bill.source == "alipay-csv":
        raw["platform"] = "Alipay"
    return raw


def evidence_note(bill: Bill, tx: Transaction) -> str:
    """Where in the bill the payment is, and what the bill says of it beyond the order's fields
    (the card used, the status), kept with the proof rather than in the order's own note."""
    alipay = bill.source == "alipay-csv"
    facts = [
        ("交易分类" if alipay else "交易类型", tx.kind),
        ("收/付款方式" if alipay else "支付方式", tx.method),
        ("交易状态" if alipay else "当前状态", tx.status),
        ("备注", tx.note),
    ]
    shown = "; ".join(f"{label} {value}" for label, value in facts if value)
    where = f"{bill.label}, line {tx.line}, transaction {tx.transaction_id or '(no number)'}"
    return where + (f": {shown}" if shown else "")


def already_recorded(store: Store, tx: Transaction) -> None:
    """Importing the same payment twice would make two cases of one purchase."""
    if not tx.transaction_id:
        return
    orders, _damaged = store.load_all()
    for order in orders:
        if order.transaction_id == tx.transaction_id:
            raise BadInput(
                f"transaction {tx.transaction_id} is already recorded as order {order.id}: "
                f"see `refundkit status {order.id}`"
            )


def import_transaction(
    store: Store,
    bill: Bill,
    bill_path: Path,
    tx: Transaction,
    options: dict[str, str | None],
    now: datetime,
) -> Imported:
    """Record the order for one bill row and attach the bill file: all of it or nothing."""
    from refundkit import cases
    from refundkit.evidence import add_evidence
    from refundkit.kinds import EvidenceKind

    already_recorded(store, tx)
    order = cases.add_order(store, order_raw(bill, tx, options), now)
    try:
        if tx.refunded:
            mark = tx.refund_mark()
            store.update(order.id, lambda o: o.model_copy(update={"bill_status": mark}))
        note = evidence_note(bill, tx)
        (evidence,) = add_evidence(
            store, order.id, [bill_path], EvidenceKind.PAYMENT, note, None, now
        )
        if evidence.sha256 != bill.sha256:
            raise BadFile(
                f"{bill_path} changed while it was being imported: nothing was recorded; "
                "run the command again"
            )
    except BaseException:
        discard_order(store, order.id)
        raise
    return Imported(store.load(order.id), evidence, tx)


def discard_order(store: Store, order_id: str) -> None:
    """Remove an order folder this command created a moment ago, evidence and all."""
    folder = store.order_dir(order_id)
    for dirpath, _dirs, _files in os.walk(folder):
        with contextlib.suppress(OSError):
            os.chmod(dirpath, stat.S_IRWXU)  # files may be read-only; their folder must not be
    shutil.rmtree(folder, ignore_errors=True)
