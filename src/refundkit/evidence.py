"""The evidence locker: copy proof into the order's folder, fingerprint it, and check it later.

A file is copied into a temp file beside its final place and fingerprinted on the way, the
kernel's copy, the hashing and the flush to disk overlapping (filecopy.py), so a 2 GB screen
recording costs no more memory than a screenshot and little more time than the disk needs.
The batch is committed under the order's lock: the names about to be placed are written down
(Store.begin_placing), the files renamed into place read-only, then order.json rewritten; if
anything fails first, the temps are removed and nothing is recorded, and if the command is
killed between the renames and order.json, the next change to the order takes the files back
out. Numbers are given past every number a record or a file in evidence/ already holds.

Stored files are read as untrusted: opened without following links or blocking (a FIFO, a
device or a link where a stored file belongs is reported `not a regular file`, never read).
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from refundkit import filecopy
from refundkit.errors import BadFile, BadInput, DamagedData, Duplicate, os_reason
from refundkit.filecopy import Progress
from refundkit.i18n import _
from refundkit.kinds import EvidenceKind
from refundkit.models import Evidence, Order, describe_validation_error
from refundkit.parse import parse_past
from refundkit.sanitize import is_hidden, visible
from refundkit.store import (
    EVIDENCE_MODE,
    NotRegularFile,
    Store,
    fsync_dir,
    make_private_dir,
)
from refundkit.verify import Check as Check  # where the other modules look for it
from refundkit.verify import Entry, check_file, named_files, open_stored
from refundkit.verify import unrecorded_files as unrecorded_files  # status ORDER's

STORED_MODE = EVIDENCE_MODE
MAX_NAME = 120  # characters: still readable in a listing
# File systems allow 255 bytes per name, and a Chinese character is 3 bytes in UTF-8: a
# source name that fits (85 characters) no longer fits once "e12-" is put in front of it.
MAX_NAME_BYTES = 200
STALE_SECONDS = 24 * 3600
NUMBERED = re.compile(r"e([0-9]+)-")  # how a stored file's name starts: e12-截图.png
# `%` is the one printable character a BagIt manifest must percent-encode (RFC 8493 2.1.3),
# and bagit-python 1.9 does not decode `%25` (LibraryOfCongress/bagit-python#157): an
# exported bag holding such a name fails there. The full-width ％ reads the same to a person.
PERCENT = "%"
PERCENT_STAND_IN = "\uff05"


@dataclass
class Incoming:
    """A source file copied to a temp file and hashed, waiting to be committed."""

    source: Path
    original_name: str
    temp: Path
    size: int
    sha256: str
    media_type: str


def evidence_dir(store: Store, order_id: str) -> Path:
    return store.order_dir(order_id) / "evidence"


def check_source(path: Path) -> os.stat_result:
    """Refuse anything but a regular readable file, without ever blocking on a FIFO."""
    try:
        info = os.stat(path)  # follows symlinks: a link is judged by what it points to
    except FileNotFoundError:
        raise BadFile(_("no such file: {path}").format(path=path)) from None
    except OSError as exc:
        raise BadFile(
            _("cannot read {path}: {error}").format(path=path, error=os_reason(exc))
        ) from None
    except ValueError:  # a NUL in the name: no such file can exist
        raise BadFile(
            _("no such file: {path} (a file name cannot hold a NUL)").format(path=repr(str(path)))
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise BadFile(_("{path} is a folder: give the files inside it").format(path=path))
    if not stat.S_ISREG(info.st_mode):
        raise BadFile(
            _("{path} is not a regular file (a FIFO, socket or device): give a file").format(
                path=path
            )
        )
    if not os.access(path, os.R_OK):
        raise BadFile(_("cannot read {path}: permission denied").format(path=path))
    return info


def safe_name(name: str) -> str:
    """A file name that cannot escape the folder, hide itself or carry invisible characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    # The characters sanitize.visible would escape, and private use: an emoji's joiner stays.
    kept = "".join(c for c in name if not is_hidden(c) and unicodedata.category(c) != "Co")
    kept = without_percent(kept.strip().lstrip(".").strip()) or "file"
    if len(kept) > MAX_NAME or len(kept.encode()) > MAX_NAME_BYTES:
        stem, dot, ext = kept.rpartition(".")
        ext = ext[:16] if dot else ""
        suffix = f".{ext}" if ext else ""
        stem = (stem if dot else kept)[: MAX_NAME - len(ext) - 1]
        while len((stem + suffix).encode()) > MAX_NAME_BYTES:
            stem = stem[:-1]
        kept = stem + suffix
    return kept


def without_percent(name: str) -> str:
    """name with `%` as ％, so that an exported bag validates in every BagIt tool."""
    return name.replace(PERCENT, PERCENT_STAND_IN)


def media_type(path: Path, head: bytes) -> str:
    """Sniff the common kinds of proof; fall back to the extension."""
    for magic, kind in (
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"%PDF-", "application/pdf"),
        (b"GIF8", "image/gif"),
    ):
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def copy_in(source: Path, folder: Path, progress: Progress | None = None) -> Incoming:
    """Copy source into a temp file in folder and fingerprint the copy (see filecopy.py)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        raise BadFile(
            _("cannot read {path}: {error}").format(path=source, error=os_reason(exc))
        ) from None
    handle, temp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        with (
            os.fdopen(fd, "rb", buffering=0) as src,
            os.fdopen(handle, "wb", buffering=0) as dst,
            open(temp, "rb", buffering=0) as copy,
        ):
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                raise BadFile(_("{path} is not a regular file").format(path=source))
            digest = filecopy.copy_and_hash(src.fileno(), dst.fileno(), copy, progress)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise BadFile(
            _("cannot copy {path}: {error}").format(path=source, error=os_reason(exc))
        ) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sha256 = digest.sha256.hexdigest()
    kind = media_type(source, digest.head)
    return Incoming(source, readable_name(source), temp, digest.size, sha256, kind)


def readable_name(source: Path) -> str:
    """The file's name as text: bytes that are not UTF-8 (a name made on another system)
    become U+FFFD, as a file manager shows them, so the record can be written as JSON."""
    return os.fsencode(source.name).decode("utf-8", "replace")


def add_evidence(
    store: Store,
    prefix: str,
    paths: list[Path],
    kind: EvidenceKind,
    note: str | None,
    taken: str | None,
    now: datetime,
    progress: Progress | None = None,
) -> list[Evidence]:
    """Attach files to an order: all of them, or (on any error) none."""
    order_id = store.resolve(prefix)
    order = store.load(order_id)  # a damaged order is reported before any copying
    taken_day = parse_past(taken, now.date(), "taken", now.time())[0] if taken else None
    _check_entry(kind, note, taken_day, now)
    sizes = [check_source(path).st_size for path in paths]
    _refuse_known_content(order, paths, sizes)
    folder = evidence_dir(store, order_id)
    created = not folder.exists()
    make_private_dir(folder)
    incoming: list[Incoming] = []
    try:
        for path in paths:
            incoming.append(copy_in(path, folder, progress))
        _refuse_repeats(incoming)
        return _commit(store, order_id, incoming, kind, note, taken_day, now)
    except BaseException:
        for item in incoming:
            item.temp.unlink(missing_ok=True)
        if created:  # a failed first attach leaves the order folder as it was
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        for item in incoming:
            item.temp.unlink(missing_ok=True)


def _refuse_known_content(order: Order, paths: list[Path], sizes: list[int]) -> None:
    """Catch a repeat before anything is written: only a file whose size matches another
    (already attached, or earlier in this batch) can be one, so only those are hashed here."""
    digests: dict[Path, str] = {}

    def digest(path: Path) -> str:
        if path not in digests:
            digests[path] = hash_file(path)
        return digests[path]

    seen: dict[int, list[tuple[str | Path, str]]] = {}
    for entry in order.evidence:
        seen.setdefault(entry.size, []).append((entry.sha256, entry.id))
    for path, size in zip(paths, sizes, strict=True):
        for known, where in seen.get(size, []):
            other = digest(known) if isinstance(known, Path) else known
            if digest(path) == other:
                if isinstance(known, Path):
                    same = _(
                        "{path} has the same content as {other} (same SHA-256); nothing was added"
                    )
                else:
                    same = _(
                        "{path} is already attached as {other} (same SHA-256); nothing was added"
                    )
                raise Duplicate(same.format(path=path, other=where))
        seen.setdefault(size, []).append((path, str(path)))


def _check_entry(kind: EvidenceKind, note: str | None, taken: date | None, now: datetime) -> None:
    """Validate what the user typed (the note) before a single byte is copied."""
    try:
        Evidence(
            id="e0",
            kind=kind,
            original_name="check",
            stored_as="evidence/check",
            size=0,
            media_type="application/octet-stream",
            sha256="0" * 64,
            added=now,
            taken=taken,
            note=note,
        )
    except ValidationError as exc:
        raise BadInput(describe_validation_error(exc, options=True)) from None


def _refuse_repeats(incoming: list[Incoming]) -> None:
    seen: dict[str, Path] = {}
    for item in incoming:
        if item.sha256 in seen:
            raise Duplicate(
                _("{path} has the same content as {other}").format(
                    path=item.source, other=seen[item.sha256]
                )
            )
        seen[item.sha256] = item.source


def commit(
    store: Store,
    order_id: str,
    incoming: list[Incoming],
    kind: EvidenceKind,
    note: str | None,
    taken: date | None,
    now: datetime,
    *,
    also: Callable[[Order], Order] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Evidence]:
    """Commit files already copied into the order's evidence folder (copy_in): with `also`,
    a change to the order made in the same rewrite of its record (import-bill's facts), and
    `extra` fields kept on each entry. The caller removes its temps if this fails."""
    return _commit(store, order_id, incoming, kind, note, taken, now, also, extra)


def _commit(
    store: Store,
    order_id: str,
    incoming: list[Incoming],
    kind: EvidenceKind,
    note: str | None,
    taken: date | None,
    now: datetime,
    also: Callable[[Order], Order] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Evidence]:
    added: list[Evidence] = []
    placed: list[Path] = []
    folder = evidence_dir(store, order_id)

    def attach(order: Order) -> Order:
        _sweep(folder, order)
        if also is not None:
            order = also(order)
        existing = {e.sha256: e.id for e in order.evidence}
        number = max(_last_number(order), _last_file_number(folder))
        for item in incoming:
            if item.sha256 in existing:
                raise Duplicate(
                    _(
                        "{path} is already attached as {other} (same SHA-256); nothing was added"
                    ).format(path=item.source, other=existing[item.sha256])
                )
        for item in incoming:
            number += 1
            entry_id = f"e{number}"
            stored = f"evidence/{entry_id}-{safe_name(item.original_name)}"
            added.append(
                Evidence(
                    id=entry_id,
                    kind=kind,
                    original_name=visible(item.original_name),  # the name as given, escaped
                    stored_as=stored,
                    size=item.size,
                    media_type=item.media_type,
                    sha256=item.sha256,
                    added=now,
                    taken=taken,
                    note=note,
                    **(extra or {}),
                )
            )
        store.begin_placing(order_id, [entry.stored_as for entry in added])
        for item, entry in zip(incoming, added, strict=True):
            target = store.order_dir(order_id) / entry.stored_as
            os.chmod(item.temp, STORED_MODE)
            os.replace(item.temp, target)
            placed.append(target)
        fsync_dir(folder)
        return order.model_copy(update={"evidence": [*order.evidence, *added]})

    try:
        store.update(order_id, attach)
    except BaseException:
        for target in placed:  # order.json was not rewritten: take the files back out
            target.unlink(missing_ok=True)
        raise
    return added


def _last_number(order: Order) -> int:
    """The highest number an entry has or had: a removed entry's number is never given again
    (its file may come back from the trash under it)."""
    ids = [e.id for e in order.evidence] + [e.id for e in order.removed_evidence]
    numbers = [int(i[1:]) for i in ids if i[1:].isdigit()]
    return max(numbers, default=0)


def _last_file_number(folder: Path) -> int:
    """The highest eN any file in the evidence folder is named with: a new entry never takes
    the number of a file already there, recorded or not."""
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    numbers = [int(m[1]) for m in map(NUMBERED.match, names) if m]
    return max(numbers, default=0)


def _sweep(folder: Path, order: Order) -> None:
    """Under the order's lock: remove what surely no live command will finish.

    Temp files of a copy killed long ago (a live copy's temp is always younger), and stored
    files no record names that are older still: a left-over of an interrupted commit that
    predates the placing note, named as refundkit names them (eN-...) and read-only as it
    leaves them. Anything else in the folder is reported by `verify`, never removed.
    """
    cutoff = time.time() - STALE_SECONDS
    named = named_files(order)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if info.st_mtime >= cutoff or not stat.S_ISREG(info.st_mode):
                continue
            temp = entry.name.startswith(".incoming-") and entry.name.endswith(".tmp")
            orphan = (
                NUMBERED.match(entry.name) is not None
                and f"evidence/{entry.name}" not in named
                and stat.S_IMODE(info.st_mode) == STORED_MODE
            )
            if temp or orphan:
                os.unlink(entry.path)


def verify_order(store: Store, order: Order, progress: Progress | None = None) -> list[Check]:
    """Re-hash every stored file of one order against its recorded SHA-256 and size; then
    list the files in its evidence folder that no record names ("unrecorded"). (The verify
    command hashes from the start, while it validates: verify.py.)"""
    base = store.order_dir(order.id)
    checks = []
    for entry in (e for evidence in order.evidence for e in Entry.of(evidence)):
        path = base / entry.stored_as
        status, restored = check_file(store, order.id, entry, progress)
        checks.append(Check(order.id, entry.id, entry.original_name, path, status, restored))
    for path in unrecorded_files(store, order):
        checks.append(Check(order.id, "-", path.name, path, "unrecorded"))
    return checks


def absent_files(store: Store, order: Order) -> list[Check]:
    """Evidence whose stored file is gone: a stat per file, cheap enough for every `status`.

    Losing a file is the one thing a user must hear about at once, not at the next `verify`;
    changed content is left to `verify`, which has to read every byte to see it.
    """
    base = store.order_dir(order.id)
    return [
        Check(order.id, entry.id, entry.original_name, base / entry.stored_as, "missing")
        for entry in order.evidence
        if not os.path.exists(base / entry.stored_as)
    ]


def refuse_special_files(store: Store, order: Order) -> None:
    """Raise DamagedData if a stored file of order is not a regular file inside its folder (a
    FIFO would block a reader forever, a link to /dev/zero never end, a link outside would
    pass another file off as the evidence). For commands that read every stored file."""
    for entry in order.evidence:
        try:
            os.close(open_stored(store, order.id, entry.stored_as))
        except NotRegularFile as exc:
            raise DamagedData(
                _(
                    "evidence {evidence} of order {id} ({path}) is {kind}, not a regular file, "
                    "so not the file that was stored: run `refundkit verify`; nothing was done"
                ).format(evidence=entry.id, id=order.id, path=exc.path, kind=exc.kind)
            ) from None
        except OSError:
            continue  # missing or unreadable: the reader reports it in its own words


def hash_file(path: Path, progress: Progress | None = None) -> str:
    try:
        with open(path, "rb", buffering=0) as handle:
            return filecopy.hash_file(handle, progress)
    except OSError:
        return "unreadable"
