"""Finding a case from what the user typed for ORDER: an id, a prefix of one, or a part of the
merchant's or the item's name (cli-contract.md, "The interface's language").

An id prefix always wins; only when no id starts with the text is it looked for in the names
(case-insensitive, Chinese fine). A closed case never makes a prefix or a name ambiguous with
an open one, and an exact id finds a closed case too. When nothing matches, the open cases are
listed with their merchant, item and amount, so the user can pick one.

The id path needs only the folder names, so `status ORDER` stays as fast as before; the order
files are read (as plain JSON, without Pydantic) only on the name path, to tell open cases
from closed ones among several matches, and for the message listing the open cases.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from refundkit.errors import NotFound

if TYPE_CHECKING:
    from refundkit.store import Store

LISTED = 10  # open cases named in a message, then "…"


@dataclass(frozen=True)
class Glance:
    """What a message needs of a case, read without validating the order."""

    id: str
    merchant: str
    item: str
    amount: str  # formatted, e.g. ¥399.00
    closed: bool

    def line(self) -> str:
        return f"{self.id} {self.merchant} · {self.item} · {self.amount}"


def glance(store: Store, order_id: str) -> Glance | None:
    """The case's merchant, item, amount and whether it is closed; None if its file cannot be
    read (a damaged order is reported by the commands that load it)."""
    from refundkit.plain import money
    from refundkit.store import MAX_ORDER_BYTES, ORDER_FILE, read_regular

    try:
        data, _ = read_regular(
            store.order_path(order_id),
            MAX_ORDER_BYTES,
            base=store.orders_dir,
            parts=(order_id, ORDER_FILE),
        )
        record = json.loads(data)
    except Exception:  # noqa: BLE001  (any unreadable file: left out of the lists)
        return None
    if not isinstance(record, dict):
        return None
    try:
        amount = money(Decimal(str(record.get("amount"))), str(record.get("currency") or "CNY"))
    except (InvalidOperation, ValueError):
        amount = str(record.get("amount"))
    events = record.get("events")
    if not isinstance(events, list):
        events = []
    closed = any(
        isinstance(e, dict) and e.get("kind") == "closed" and not e.get("withdrawn") for e in events
    )
    return Glance(
        order_id, str(record.get("merchant", "")), str(record.get("item", "")), amount, closed
    )


def resolve(store: Store, text: str) -> str:
    """The one order id text names (see the module's docstring), or NotFound in one line."""
    from refundkit.i18n import _

    wanted = text.strip().lower()
    ids = store.list_ids()
    if not wanted:
        raise NotFound(_("empty order id: run `refundkit status` to see the cases"))
    if wanted in ids:
        return wanted
    matches = [i for i in ids if i.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        return _one_open(store, matches, text, by_name=False)
    return _by_name(store, ids, text)


def _one_open(store: Store, matches: list[str], text: str, by_name: bool) -> str:
    """Among several matches, the one open case; else NotFound listing them."""
    from refundkit.i18n import _

    seen = [g for g in (glance(store, i) for i in matches) if g is not None]
    open_ = [g for g in seen if not g.closed]
    if len(open_) == 1:
        return open_[0].id
    listed = _listing(open_ or seen)
    if by_name:
        raise NotFound(
            _("{value} is in the names of several cases: {cases}; give more of the name, or the id")
            .format(value=repr(text), cases=listed)
        )  # fmt: skip
    raise NotFound(
        _("order id {value} is ambiguous, it matches several cases: {cases}; type more of the id")
        .format(value=repr(text), cases=listed)
    )  # fmt: skip


def _by_name(store: Store, ids: list[str], text: str) -> str:
    """No id starts with text: the case whose merchant or item contains it."""
    from refundkit.i18n import _

    if not ids:
        raise NotFound(
            _("no order matches {value}: there are no orders yet (see `refundkit add-order`)")
            .format(value=repr(text))
        )  # fmt: skip
    wanted = _folded(text)
    cases = [g for g in (glance(store, i) for i in ids) if g is not None]
    named = [g for g in cases if wanted in _folded(g.merchant) or wanted in _folded(g.item)]
    if len(named) == 1:
        return named[0].id
    if named:
        return _one_open(store, [g.id for g in named], text, by_name=True)
    open_ = [g for g in cases if not g.closed]
    if not open_:
        raise NotFound(
            _(
                "no case matches {value} by id, merchant or item; there are no open cases "
                "(`refundkit status --all` lists the closed ones)"
            ).format(value=repr(text))
        )
    raise NotFound(
        _("no case matches {value} by id, merchant or item; the open cases: {cases}").format(
            value=repr(text), cases=_listing(open_)
        )
    )


def _listing(cases: list[Glance]) -> str:
    shown = [g.line() for g in cases[:LISTED]]
    if len(cases) > LISTED:
        shown.append("…")
    from refundkit.i18n import _

    return _("; ").join(shown)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()
