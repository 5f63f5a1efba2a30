"""`verify`: every stored evidence file hashed again against its record, starting at once.

Hashing a 1 GB recording takes longer than anything else verify does, so it starts first: a
quick look at each order.json, with the standard library, finds what hashing needs (the
entries' paths, sizes and SHA-256), and a thread hashes those files while the main thread
imports Pydantic and validates every record in full. Unlike status, verify never takes the
status index's word for a record (it is the command that checks everything): validation
alone decides what is reported. A damaged order is listed as damaged and its files' results
dropped; an order whose validated entries differ from the quick look (a migration, a hand
edit the quick look read differently) has its files checked again from the validated record.
A file's mode is put back to read-only only once its order validated, so a damaged order is
left untouched.

The record is read once (Store.read_order_bytes: no link followed, regular files only, size
and depth limits), and both looks read those same bytes. Stored files are opened as the
hardening asks (open_stored: no link followed, no FIFO waited on, nothing outside the order's
folder). While both threads run, Python switches between them more often (SHARED_SWITCH), so
that hashing goes on while the records validate.
"""

from __future__ import annotations

import json
import os
import queue
import stat
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from refundkit import filecopy
from refundkit.errors import DamagedData
from refundkit.filecopy import Progress
from refundkit.i18n import _
from refundkit.store import (
    EVIDENCE_MODE,
    DamagedOrder,
    NotRegularFile,
    Store,
    json_too_deep,
    open_regular,
)

if TYPE_CHECKING:
    from refundkit.models import Order

# "unreadable" is not "modified": a file refundkit may not read says nothing about its bytes.
STATES = ("ok", "modified", "missing", "unreadable", "not a regular file", "unrecorded")


@dataclass(frozen=True)
class Check:
    order_id: str
    evidence_id: str
    name: str
    path: Path
    status: str  # one of STATES
    restored: bool = False  # its mode was put back to read-only


@dataclass(frozen=True)
class Entry:
    """What checking a stored file needs of its evidence record."""

    id: str
    original_name: str
    stored_as: str
    size: int  # -1: not recorded (a screenshot's recognised text has only its hash)
    sha256: str

    @classmethod
    def of(cls, evidence: Any) -> list[Entry]:
        """From a validated record (models.Evidence): its file, and the recognised text kept
        beside a screenshot, which is fingerprinted too."""
        file = cls(
            evidence.id, evidence.original_name, evidence.stored_as, evidence.size, evidence.sha256
        )
        return [file, *text_entry(evidence.id, evidence.model_extra or {})]


def text_entry(evidence_id: str, fields: Any) -> list[Entry]:
    """The entry of a screenshot's recognised text (`text_as`, `text_sha256`), if it has one."""
    name, digest = fields.get("text_as"), fields.get("text_sha256")
    if type(name) is not str or type(digest) is not str:
        return []
    return [Entry(evidence_id, PurePosixPath(name).name, name, -1, digest)]


def quick_entries(data: bytes) -> list[Entry] | None:
    """The evidence entries of an order.json, read without validating the record; None if
    they are not plainly there (then the validated record is waited for)."""
    if json_too_deep(data):
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return None
    items = record.get("evidence") if isinstance(record, dict) else None
    if not isinstance(items, list):
        return None
    entries = []
    for item in items:
        try:
            entry = Entry(
                item["id"], item["original_name"], item["stored_as"], item["size"], item["sha256"]
            )
        except (TypeError, KeyError):
            return None
        if not (
            all(type(v) is str for v in (entry.id, entry.original_name, entry.stored_as))
            and type(entry.sha256) is str
            and type(entry.size) is int
        ):
            return None
        entries += [entry, *text_entry(entry.id, item)]
    return entries


# --- one file ---------------------------------------------------------------------------------


def stored_inside(stored_as: str) -> bool:
    """A record's stored_as names a file inside its order's folder: relative, no `..`."""
    parts = stored_as.replace("\\", "/").split("/")
    return not os.path.isabs(stored_as) and ".." not in parts and all(parts)


def open_stored(store: Store, order_id: str, stored_as: str) -> int:
    """A read-only descriptor on an entry's stored file, opened without following a link or
    blocking on a FIFO; raises NotRegularFile, or OSError as open does (missing, no access).
    A record pointing outside its folder raises NotRegularFile too (it was tampered with)."""
    path = store.order_dir(order_id) / stored_as
    if not stored_inside(stored_as):
        raise NotRegularFile(path, _("outside the order's folder"))
    return open_regular(path, base=store.orders_dir)


class Gate:
    """Whether a file's mode may be put back: asked by the hasher, answered by validation."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.valid = False

    def open(self, valid: bool) -> None:
        self.valid = valid
        self.event.set()

    def wait(self) -> bool:
        self.event.wait()
        return self.valid


OPEN = Gate()
OPEN.open(True)


def check_file(
    store: Store, order_id: str, entry: Entry, progress: Progress | None, gate: Gate = OPEN
) -> tuple[str, bool]:
    """The file's status against its record, and whether its mode was put back to 0400
    (once gate says its record is valid)."""
    if not stored_inside(entry.stored_as):
        return "modified", False  # a record pointing outside its folder was tampered with
    try:
        fd = open_stored(store, order_id, entry.stored_as)
    except FileNotFoundError:
        return "missing", False
    except NotRegularFile:
        return "not a regular file", False
    except OSError:
        return "unreadable", False
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        status = "modified"
        if entry.size in (info.st_size, -1):
            try:
                digest = filecopy.hash_file(handle, progress)
            except OSError:
                status = "unreadable"
            else:
                status = "ok" if digest == entry.sha256 else "modified"
        restored = needs_read_only(info) and gate.wait() and make_read_only(fd)
    return status, restored


def needs_read_only(info: os.stat_result) -> bool:
    """Stored evidence is 0400: put it back if a copy or a hand changed it (own files only)."""
    if stat.S_IMODE(info.st_mode) == EVIDENCE_MODE:
        return False
    return not (hasattr(os, "getuid") and info.st_uid != os.getuid())


def make_read_only(fd: int) -> bool:
    try:
        os.fchmod(fd, EVIDENCE_MODE)
    except (OSError, AttributeError):
        return False
    return True


def named_files(order: Order) -> set[str]:
    """Every file of the order's folder a record names: each entry's stored file, and the
    recognised text kept beside a screenshot (`text_as`, an entry's field since the OCR work)."""
    named = set()
    for entry in order.evidence:
        named.add(entry.stored_as)
        text = (entry.model_extra or {}).get("text_as")
        if isinstance(text, str):
            named.add(text)
    return named


def unrecorded_files(store: Store, order: Order) -> list[Path]:
    """Entries of the order's evidence folder that no record names, hidden temps aside: what
    an interrupted add-evidence (or a hand) left there. Reported, never counted as evidence."""
    folder = store.order_dir(order.id) / "evidence"
    named = {os.path.normpath(name) for name in named_files(order)}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        folder / name
        for name in names
        if not name.startswith(".") and os.path.join("evidence", name) not in named
    ]


# --- every file -------------------------------------------------------------------------------


@dataclass
class Planned:
    """One order as read for verify: its bytes (or what made them unreadable) and the entries
    the quick look found."""

    order_id: str
    data: bytes | None
    error: DamagedData | None
    entries: list[Entry] | None

    @property
    def size(self) -> int:
        return sum(e.size for e in self.entries or () if e.size > 0)


@dataclass
class Plan:
    orders: list[Planned]
    total: int = field(init=False)  # bytes to hash, for a progress bar

    def __post_init__(self) -> None:
        self.total = sum(p.size for p in self.orders)


def plan(store: Store, order_ids: Iterable[str]) -> Plan:
    planned = []
    for order_id in order_ids:
        try:
            data, _ = store.read_order_bytes(order_id)
        except DamagedData as exc:
            planned.append(Planned(order_id, None, exc, None))
            continue
        planned.append(Planned(order_id, data, None, quick_entries(data)))
    return Plan(planned)


Job = tuple[str, int, Entry, Gate]
# While the records validate beside the hasher: the hasher wants the GIL back after every
# chunk, and at Python's default of 5 ms it waited so long that hashing hardly went on while
# the main thread validated (1 GB: 0.75 s beside validation, 0.66 s alone; at 0.1 ms, with
# 1 MiB chunks, 0.69 s; verify 1.26x openssl dgst before, 1.20x after).
SHARED_SWITCH = 1e-4
Result = tuple[str, bool]


class Hasher:
    """Checks the quick look's files in a thread, in order, while the records validate."""

    def __init__(self, store: Store, progress: Progress | None) -> None:
        self.store = store
        self.progress = progress
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.results: dict[tuple[str, int], Result] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.run, name="refundkit-verify", daemon=True)

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            order_id, number, entry, gate = job
            try:
                self.results[order_id, number] = check_file(
                    self.store, order_id, entry, self.progress, gate
                )
            except BaseException as exc:  # reported in the main thread
                self.error = exc
                return

    def finish(self) -> dict[tuple[str, int], Result]:
        self.jobs.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.results


def run(
    store: Store, the_plan: Plan, progress: Progress | None = None, single: bool = False
) -> tuple[list[Check], list[DamagedOrder]]:
    """Every stored file's check and every damaged order, as verify reports them. With
    single (`verify ORDER`), a damaged order raises its DamagedData instead."""
    hasher = Hasher(store, progress)
    gates = {p.order_id: Gate() for p in the_plan.orders}
    for p in the_plan.orders:
        for number, entry in enumerate(p.entries or ()):
            hasher.jobs.put((p.order_id, number, entry, gates[p.order_id]))
    hasher.thread.start()
    validated: list[tuple[Planned, Order]] = []
    damaged: list[DamagedOrder] = []
    failure: DamagedData | None = None
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SHARED_SWITCH)
    try:
        for p in the_plan.orders:
            try:
                if p.error is not None:
                    raise p.error
                assert p.data is not None
                validated.append((p, store.validate_order(p.order_id, p.data)))
                gates[p.order_id].open(True)
            except DamagedData as exc:
                damaged.append(DamagedOrder.of(p.order_id, store.order_path(p.order_id), exc))
                failure = failure or exc
    finally:
        sys.setswitchinterval(switch)
        for gate in gates.values():
            if not gate.event.is_set():
                gate.open(False)
        results = hasher.finish()
    if single and failure is not None:
        raise failure
    checks: list[Check] = []
    for p, order in validated:
        checks += order_checks(store, order, p, results, progress)
    return checks, damaged


def order_checks(
    store: Store,
    order: Order,
    planned: Planned,
    results: dict[tuple[str, int], Result],
    progress: Progress | None,
) -> list[Check]:
    """One order's checks: from the hasher where the validated entries are those it hashed,
    else checked now; then the files no record names."""
    base = store.order_dir(order.id)
    entries = [entry for e in order.evidence for entry in Entry.of(e)]
    hashed = entries == planned.entries
    checks = []
    for number, entry in enumerate(entries):
        if hashed:
            status, restored = results[order.id, number]
        else:
            status, restored = check_file(store, order.id, entry, progress)
        path = base / entry.stored_as
        checks.append(Check(order.id, entry.id, entry.original_name, path, status, restored))
    for path in unrecorded_files(store, order):
        checks.append(Check(order.id, "-", path.name, path, "unrecorded"))
    return checks
