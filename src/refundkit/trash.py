"""Undo: a removed order or evidence entry goes to the data folder's trash/, and comes back.

- A whole order: its folder is renamed, under its lock, from orders/<id> to
  trash/<id>-<when>/ (one atomic rename: the order is in one place or the other, never
  half-moved). `restore` renames it back, refused while an order with that id exists.
- One evidence entry: the entry and its file(s) go to trash/<id>-<eN>-<when>/ (entry.json
  and the files), and the order records the removal (Order.removed_evidence), so the number
  is never given again and the removal is on record. The steps keep every moment safe: the
  trash entry is assembled in a hidden folder and renamed into place holding hard links to
  the files (copies where the file system has no links), then order.json is rewritten
  without the entry, and only then are the order's own names for the files unlinked. A kill
  in between leaves a trash entry the order does not name (ignored, swept under the lock) or
  a file the order no longer names (taken out under the lock), never a lost file.
  `restore ORDER --evidence eN` puts the files back the way add-evidence places them
  (Store.begin_placing, so a kill cannot leave a stray file) and the entry into the order.

Trash entries are private like the rest of the folder. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from refundkit.errors import BadInput, NotFound
from refundkit.store import (
    EVIDENCE_MODE,
    ORDER_FILE,
    Store,
    atomic_write,
    fsync_dir,
    make_private_dir,
)

if TYPE_CHECKING:
    from refundkit.models import Evidence, Order, RemovedEvidence

TRASH = "trash"
ENTRY_FILE = "entry.json"
STAMP = "%Y%m%dT%H%M%S%f"
NAME = re.compile(r"(?P<id>[a-z0-9]{4,32})-(?:(?P<evidence>e[0-9]+)-)?(?P<when>[0-9]{8}T[0-9]{12})")


@dataclass(frozen=True)
class Trashed:
    """One entry of the trash: a whole order, or one evidence entry of an order."""

    name: str
    path: Path
    order_id: str
    evidence_id: str | None
    removed: datetime


def trash_dir(store: Store) -> Path:
    return store.home / TRASH


def entries(store: Store) -> list[Trashed]:
    """Every entry in the trash, newest first (hidden folders of an unfinished move aside)."""
    try:
        names = os.listdir(trash_dir(store))
    except OSError:
        return []
    found = []
    for name in names:
        match = NAME.fullmatch(name)
        if match is None:
            continue
        try:
            removed = datetime.strptime(match["when"], STAMP)
        except ValueError:
            continue
        path = trash_dir(store) / name
        found.append(Trashed(name, path, match["id"], match["evidence"], removed))
    return sorted(found, key=lambda t: (t.removed, t.name), reverse=True)


def trashed_orders(store: Store) -> list[Trashed]:
    return [t for t in entries(store) if t.evidence_id is None]


def _stamp(now: datetime) -> str:
    return now.strftime(STAMP)


# --- whole orders ---------------------------------------------------------------------------


def remove_order(store: Store, prefix: str, now: datetime) -> Trashed:
    """Move a whole order to the trash, under its lock, in one rename."""
    order_id = store.resolve(prefix)
    folder = trash_dir(store)
    make_private_dir(folder)
    name = f"{order_id}-{_stamp(now)}"
    target = folder / name
    with store.lock(order_id):
        os.rename(store.order_dir(order_id), target)
    fsync_dir(store.orders_dir)
    fsync_dir(folder)
    return Trashed(name, target, order_id, None, now)


def restore_order(store: Store, text: str) -> Trashed:
    """Put a removed order back: the latest removal of the id text names (an id, a prefix of
    one, or a trash entry's name); refused while an order with that id exists."""
    from refundkit.i18n import _

    entry = _find_order(store, text)
    target = store.order_dir(entry.order_id)
    if os.path.lexists(target):
        raise BadInput(
            _(
                "an order with the id {id} exists: remove it first (`refundkit remove {id}`) "
                "to restore the one in the trash"
            ).format(id=entry.order_id)
        )
    store.ensure()
    try:
        os.rename(entry.path, target)  # a folder made meanwhile and not empty: refused
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise BadInput(
                _("an order with the id {id} exists: nothing was restored").format(
                    id=entry.order_id
                )
            ) from None
        raise
    fsync_dir(trash_dir(store))
    fsync_dir(store.orders_dir)
    return entry


def _find_order(store: Store, text: str) -> Trashed:
    from refundkit.i18n import _

    wanted = text.strip().lower()
    removed = trashed_orders(store)
    exact = [t for t in removed if wanted in (t.name, t.order_id)]
    ids = {t.order_id for t in removed if t.order_id.startswith(wanted)} if wanted else set()
    if exact:
        return exact[0]  # newest first
    if not ids and wanted:  # no id starts with it: a part of the merchant's or item's name
        ids = {t.order_id for t in removed if _named(t, text)}
    if len(ids) == 1:
        return next(t for t in removed if t.order_id in ids)
    listed = _("; ").join(f"{t.order_id} ({t.removed:%Y-%m-%d %H:%M})" for t in removed[:10])
    if len(ids) > 1:
        raise NotFound(
            _("{value} matches several removed orders: {orders}; type more of the id").format(
                value=repr(text), orders=listed
            )
        )
    if not removed:
        raise NotFound(_("the trash holds no removed order"))
    raise NotFound(
        _("no removed order matches {value}; the trash holds: {orders}").format(
            value=repr(text), orders=listed
        )
    )


def _named(entry: Trashed, text: str) -> bool:
    import unicodedata

    def folded(value: str) -> str:
        return unicodedata.normalize("NFKC", value).casefold().strip()

    seen = glance(entry)
    wanted = folded(text)
    return seen is not None and (
        wanted in folded(seen["merchant"]) or wanted in folded(seen["item"])
    )


def glance(entry: Trashed) -> dict[str, str] | None:
    """A removed order's merchant, item and amount, read as plain JSON (for the listing)."""
    from decimal import Decimal, InvalidOperation

    from refundkit.plain import money
    from refundkit.store import MAX_ORDER_BYTES, read_regular

    try:
        data, _ = read_regular(entry.path / ORDER_FILE, MAX_ORDER_BYTES)
        record = json.loads(data)
        amount = money(Decimal(str(record["amount"])), str(record.get("currency") or "CNY"))
        return {"merchant": str(record["merchant"]), "item": str(record["item"]), "amount": amount}
    except (Exception, InvalidOperation):  # noqa: BLE001  (shown as unreadable)
        return None


# --- evidence entries -----------------------------------------------------------------------


def remove_evidence(store: Store, prefix: str, evidence_id: str, now: datetime) -> Trashed:
    """Move one evidence entry and its file(s) to the trash; the order notes the removal."""
    from refundkit.models import RemovedEvidence

    order_id = store.resolve(prefix)
    folder = trash_dir(store)
    made: list[Path] = []
    files: list[Path] = []

    def change(order: Order) -> Order:
        _tidy(store, order)
        entry = _evidence(order, evidence_id)
        name = f"{order_id}-{entry.id}-{_stamp(now)}"
        make_private_dir(folder)
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=folder))
        try:
            _fill_entry(store, order_id, entry, staging, files)
            os.rename(staging, folder / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        made.append(folder / name)
        fsync_dir(folder)
        # From here a kill leaves the order's own names for the files to be taken out by
        # the next change to the order, once the record no longer names them.
        store.begin_placing(
            order_id, [str(p.relative_to(store.order_dir(order_id))) for p in files]
        )
        removal = RemovedEvidence(
            id=entry.id,
            kind=entry.kind,
            original_name=entry.original_name,
            sha256=entry.sha256,
            removed=now,
            trash=name,
        )
        return order.model_copy(
            update={
                "evidence": [e for e in order.evidence if e.id != entry.id],
                "removed_evidence": [*order.removed_evidence, removal],
            }
        )

    saved: list[bool] = []

    def unlink_files() -> None:  # the order no longer names them; the trash holds them
        saved.append(True)
        for path in files:
            with contextlib.suppress(OSError):
                os.unlink(path)
        fsync_dir(store.order_dir(order_id) / "evidence")

    try:
        store.update(order_id, change, after_save=unlink_files)
    except BaseException:
        if not saved:
            for path in made:  # the order still names the entry: the trash copy goes
                shutil.rmtree(path, ignore_errors=True)
        raise
    return Trashed(made[0].name, made[0], order_id, evidence_id, now)


def _evidence(order: Order, evidence_id: str) -> Evidence:
    from refundkit.i18n import _

    wanted = evidence_id.strip().lower()
    for entry in order.evidence:
        if entry.id == wanted:
            return entry
    known = _(", ").join(f"{e.id} ({e.original_name})" for e in order.evidence) or _("none")
    raise NotFound(
        _("order {order} has no evidence {value}; its evidence: {known}").format(
            order=order.id, value=repr(evidence_id), known=known
        )
    )


def _stored_names(entry: Evidence) -> list[str]:
    """The entry's files, relative to its order's folder: the file, and the recognised text
    kept beside a screenshot (text_as)."""
    from refundkit.verify import stored_inside

    names = [entry.stored_as]
    text = (entry.model_extra or {}).get("text_as")
    if isinstance(text, str):
        names.append(text)
    return [name for name in names if stored_inside(name)]


def _fill_entry(
    store: Store, order_id: str, entry: Evidence, staging: Path, files: list[Path]
) -> None:
    """entry.json and a link (or copy) of each of the entry's files, in staging."""
    for relative in _stored_names(entry):
        source = store.order_dir(order_id) / relative
        target = staging / Path(relative).name
        try:
            _link_or_copy(source, target)
        except FileNotFoundError:
            continue  # already gone from the disk: the record alone goes to the trash
        files.append(source)
    record = {"order": order_id, "evidence": entry.model_dump(mode="json")}
    atomic_write(staging / ENTRY_FILE, json.dumps(record, ensure_ascii=False, indent=2).encode())
    fsync_dir(staging)


def _link_or_copy(source: Path, target: Path) -> None:
    """A second name for source (no bytes copied), or a durable copy where links fail."""
    info = os.lstat(source)
    if not stat.S_ISREG(info.st_mode):
        from refundkit.i18n import _

        raise BadInput(
            _("{path} is not a regular file: run `refundkit verify`").format(path=source)
        )
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
            raise
        shutil.copyfile(source, target, follow_symlinks=False)
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(target, EVIDENCE_MODE)


def _tidy(store: Store, order: Order) -> None:
    """Under the order's lock, finish what a killed removal or restore left: files of removed
    entries still in the evidence folder (the trash holds them), and trash entries of this
    order that the record does not name (a removal killed before order.json was written, or
    a restore killed after it)."""
    named = {e.stored_as for e in order.evidence}
    folder = store.order_dir(order.id)
    pending = {r.trash for r in order.removed_evidence if r.restored is None}
    for removal in order.removed_evidence:
        if removal.restored is None:
            for relative in _trash_names(store, removal):
                path = folder / relative
                if relative not in named and os.path.lexists(path):
                    with contextlib.suppress(OSError):
                        os.unlink(path)
    for entry in entries(store):
        if entry.order_id == order.id and entry.evidence_id and entry.name not in pending:
            shutil.rmtree(entry.path, ignore_errors=True)


def _trash_names(store: Store, removal: RemovedEvidence) -> list[str]:
    """The stored names a removed entry had (from its entry.json in the trash)."""
    from refundkit.models import Evidence

    try:
        record = json.loads((trash_dir(store) / removal.trash / ENTRY_FILE).read_bytes())
        return _stored_names(Evidence.model_validate(record["evidence"]))
    except Exception:  # noqa: BLE001  (an unreadable entry: nothing to take out)
        return []


def restore_evidence(store: Store, prefix: str, evidence_id: str, now: datetime) -> Evidence:
    """Put a removed evidence entry back: its files into the evidence folder, read-only, and
    the entry into the order; refused if its content is attached again meanwhile."""
    from refundkit.models import Evidence

    order_id = store.resolve(prefix)
    restored: list[Evidence] = []
    placed: list[Path] = []

    def change(order: Order) -> Order:
        _tidy(store, order)
        removal = _removal(order, evidence_id)
        source = trash_dir(store) / removal.trash
        entry = Evidence.model_validate(json.loads((source / ENTRY_FILE).read_bytes())["evidence"])
        _refuse_present(order, entry)
        names = _stored_names(entry)
        make_private_dir(store.order_dir(order_id) / "evidence")
        store.begin_placing(order_id, names)
        for relative in names:
            kept = source / Path(relative).name
            if not os.path.lexists(kept):
                continue
            target = store.order_dir(order_id) / relative
            _link_or_copy(kept, target)
            placed.append(target)
            os.chmod(target, EVIDENCE_MODE)  # the file and its recognised text: read-only
        fsync_dir(store.order_dir(order_id) / "evidence")
        restored.append(entry)
        marked = removal.model_copy(update={"restored": now})
        return order.model_copy(
            update={
                "evidence": sorted([*order.evidence, entry], key=_number),
                "removed_evidence": [marked if r is removal else r for r in order.removed_evidence],
            }
        )

    try:
        store.update(order_id, change)
    except BaseException:
        for path in placed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise
    for entry in entries(store):  # the order names the files again: the trash copy goes
        if entry.order_id == order_id and entry.evidence_id == restored[0].id:
            shutil.rmtree(entry.path, ignore_errors=True)
    fsync_dir(trash_dir(store))
    return restored[0]


def _number(entry: Evidence) -> int:
    return int(entry.id[1:]) if entry.id[1:].isdigit() else 0


def _removal(order: Order, evidence_id: str) -> RemovedEvidence:
    from refundkit.i18n import _

    wanted = evidence_id.strip().lower()
    pending = [r for r in order.removed_evidence if r.restored is None]
    for removal in reversed(pending):
        if removal.id == wanted:
            return removal
    known = _(", ").join(f"{r.id} ({r.original_name})" for r in pending) or _("none")
    raise NotFound(
        _("order {order} has no removed evidence {value} to restore; removed: {known}").format(
            order=order.id, value=repr(evidence_id), known=known
        )
    )


def _refuse_present(order: Order, entry: Evidence) -> None:
    from refundkit.i18n import _

    for present in order.evidence:
        if present.id == entry.id or present.sha256 == entry.sha256:
            raise BadInput(
                _(
                    "the content of {id} is attached to order {order} again, as {present}: "
                    "nothing was restored"
                ).format(id=entry.id, order=order.id, present=present.id)
            )


def removed_evidence(store: Store) -> list[tuple[Trashed, RemovedEvidence]]:
    """Evidence entries in the trash that their order still names as removed (for listings).
    Orders that cannot be read are left out."""
    from refundkit.errors import RefundkitError

    found = []
    by_order: dict[str, Order | None] = {}
    for entry in entries(store):
        if entry.evidence_id is None:
            continue
        if entry.order_id not in by_order:
            try:
                by_order[entry.order_id] = store.load(entry.order_id)
            except RefundkitError:
                by_order[entry.order_id] = None
        order = by_order[entry.order_id]
        if order is None:
            continue
        for removal in order.removed_evidence:
            if removal.trash == entry.name and removal.restored is None:
                found.append((entry, removal))
    return found
