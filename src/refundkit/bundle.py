"""The lawyer's bundle: one order as a BagIt 1.0 bag (RFC 8493), streamed into a zip.

A bag lists every payload file with its SHA-256 (manifest-sha256.txt), so whoever receives it
can check that nothing was changed or lost on the way. The bag is written straight into the
zip, with no copy of the case anywhere else: the summaries and the timeline are made in
memory, and each evidence file is read once, in 1 MiB pieces, hashed and checked against the
SHA-256 recorded when it was added while it goes into the zip. The few tag files (bagit.txt,
bag-info.txt, the manifests) are written here rather than by the `bagit` library, which
writes version 0.97 and builds a bag from a folder on disk; `bagit` is used by the tests to
validate what this writes.

The zip is a temp file beside --out, renamed into place whole; any failure, Ctrl-C or SIGTERM
removes it, and one left by a killed export is swept by the next export into that folder.
The payload holds only recorded facts and the summaries for one day, with entries in sorted
order and a fixed time stamp, so exporting the same case twice on one day gives the same bytes.
The order's private `note` is left out of the bag.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import signal
import stat
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import IO, Any

from refundkit.errors import BadInput, DamagedData, os_reason
from refundkit.i18n import _
from refundkit.models import Evidence, Order
from refundkit.sanitize import visible
from refundkit.store import Store, fsync_dir

CHUNK = 1 << 20
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bytes
ZIP64_FROM = 1 << 31
ENTRY_MODE = 0o100600  # a regular file readable by its owner only, once unzipped
FOLDER_MODE = 0o40700
UNIX = 3  # zip "made by" system: Unix, so that unzip applies ENTRY_MODE
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
# The user's own note on the order stays at home, and so do the evidence entries the user
# removed (a file attached by mistake: its name is nobody else's business).
PRIVATE_FIELDS = ("note", "removed_evidence")
STALE_PARTIAL_SECONDS = 60
# Evidence that is text compresses; photos, recordings and PDFs already are compressed, and
# deflating a 1 GB video would take about 20 s for nothing, so they are stored as they are.
COMPRESSED_MEDIA = ("text/", "application/json", "application/xml", "application/csv")

# A renderer returns the lawyer summary for (lang, fmt) and the warnings it raised.
Render = Callable[[str, str], tuple[str, list[str]]]


@dataclass(frozen=True)
class Exported:
    path: Path
    files: int
    warnings: list[str]


@dataclass(frozen=True)
class Part:
    """One payload file: its path under data/, and its bytes or the evidence it copies."""

    name: str
    data: bytes | None = None
    source: Path | None = None
    entry: Evidence | None = None

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.entry is not None
        return self.entry.size


class Terminated(BaseException):
    """SIGTERM arrived while the zip was being written (raised so the temp file goes)."""


def readme(order: Order) -> str:
    """README.txt of the bag, in the interface's language (the one who exports reads it
    first; the lawyer summaries beside it come in both languages)."""
    return _(
        "refundkit export of order {id}: {merchant} · {item}\n"
        "\n"
        "This folder is a BagIt 1.0 bag (RFC 8493). data/ holds:\n"
        "  order.json                 the order record (without the owner's private note)\n"
        "  evidence/                  every evidence file, as added (SHA-256 also in order.json)\n"
        "  timeline.md, timeline.json the dated steps of the dispute\n"
        "  lawyer-summary.zh.md/.html the case summary for a lawyer, in Chinese\n"
        "  lawyer-summary.en.md/.html the same in English\n"
        "manifest-sha256.txt lists the SHA-256 of every file under data/. To check that nothing "
        "was\n"
        "changed or lost:  pip install bagit && bagit.py --validate <this folder>\n"
    ).format(id=order.id, merchant=order.merchant, item=order.item)


def check_out(out: Path, force: bool) -> None:
    """--out must be a new (or, with --force, replaceable) .zip file in an existing folder.

    Not `-`, stdout for other commands: a bag is a file to hand over, and it is written
    whole or not at all (a zip streamed to a pipe could not be taken back on a failure)."""
    if str(out) == "-":
        raise BadInput(
            _(
                "export writes a zip file, not to stdout (--out -): give a file name "
                "ending in .zip, e.g. --out case.zip"
            )
        )
    if out.suffix.lower() != ".zip":
        raise BadInput(
            _("--out {path} must name a .zip file, e.g. --out case.zip").format(path=out)
        )
    if out.parent.exists() and not out.parent.is_dir():
        raise BadInput(
            _("--out {path}: {folder} is a file, not a folder").format(path=out, folder=out.parent)
        )
    if not out.parent.is_dir():
        raise BadInput(
            _("folder {path} does not exist: create it or choose another --out").format(
                path=out.parent
            )
        )
    if out.is_dir():
        raise BadInput(
            _("--out {path} is a folder: give a file name ending in .zip").format(path=out)
        )
    if out.exists() and not out.is_file():
        raise BadInput(
            _("--out {path} is not a regular file (a FIFO or device): choose another").format(
                path=out
            )
        )
    if out.exists() and not force:
        raise BadInput(
            _("{path} already exists: choose another name, or add --force to replace it").format(
                path=out
            )
        )


def export_order(
    store: Store, prefix: str, out: Path, *, force: bool, as_of: date, render: Render | None = None
) -> Exported:
    """Write the order's bag to out; nothing is written if any check fails."""
    check_out(out, force)
    order_id = store.resolve(prefix)
    order = store.load(order_id)
    renderer = render or letters_renderer(store, order, as_of)
    summaries: dict[str, str] = {}
    raised: dict[tuple[str, str], list[str]] = {}
    for lang in ("zh", "en"):
        for fmt in ("md", "html"):
            summaries[f"lawyer-summary.{lang}.{fmt}"], raised[lang, fmt] = renderer(lang, fmt)
    # The four renders report the same gaps, each in its own words: one set is enough, the
    # one whose blanks ([你的姓名] or [your name]) are in the interface's language.
    from refundkit.i18n import language

    warnings = raised["zh" if language() == "zh" else "en", "md"]
    parts = payload(store, order, summaries)
    write_bag(out, force, f"refundkit-{order.id}", parts, bag_info(order, as_of, parts))
    return Exported(out, len(parts), warnings)


def letters_renderer(store: Store, order: Order, as_of: date) -> Render:
    """The lawyer summary from the letters module, in one language and format."""

    def render(lang: str, fmt: str) -> tuple[str, list[str]]:
        from refundkit.kinds import Lang, LetterFormat, Recipient
        from refundkit.letters import render_letter

        letter = render_letter(store, order, Recipient.LAWYER, Lang(lang), LetterFormat(fmt), as_of)
        return letter.text, [str(w) for w in letter.warnings]

    return render


# --- the payload ---------------------------------------------------------------------------


def payload(store: Store, order: Order, summaries: dict[str, str]) -> list[Part]:
    """Every file of data/, sorted by name; evidence is only named here, read when zipped."""
    texts = {
        "order.json": order_json(as_bagged(order)),
        "timeline.md": timeline_md(order),
        "timeline.json": timeline_json(order),
        "README.txt": readme(order),
        **summaries,
    }
    parts = [Part(name, text.encode("utf-8")) for name, text in texts.items()]
    folder = store.order_dir(order.id)
    for entry in order.evidence:
        name = f"evidence/{evidence_name(entry)}"
        parts.append(Part(name, source=folder / entry.stored_as, entry=entry))
        parts += recognised_text_part(store, order, entry, name)
    names = [p.name for p in parts]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DamagedData(
            _(
                "two evidence records of order {id} are stored as {name}: "
                "the record was edited by hand; run `refundkit verify`"
            ).format(id=order.id, name=visible(repeated[0]))
        )
    return sorted(parts, key=lambda p: p.name)


def recognised_text_part(store: Store, order: Order, entry: Evidence, name: str) -> list[Part]:
    """The text recognised in a screenshot, beside it as `NAME.txt`, if it still matches its
    fingerprint (a changed or missing one is what `refundkit verify` reports, not exported)."""
    from refundkit.screenshots.text import recognised_text

    text = recognised_text(store, order, entry)
    return [] if text is None else [Part(f"{name}.txt", text.encode("utf-8"))]


def as_bagged(order: Order) -> Order:
    """The order with each evidence entry's stored_as (and text_as) naming its file where
    the bag has it: not always where it is at home (see evidence_name), and whoever reads
    data/order.json must find the files it names."""
    entries = []
    for entry in order.evidence:
        stored = f"evidence/{evidence_name(entry)}"
        if stored != entry.stored_as:
            renamed: dict[str, Any] = {"stored_as": stored}
            if isinstance((entry.model_extra or {}).get("text_as"), str):
                renamed["text_as"] = f"{stored}.txt"  # where recognised_text_part puts it
            entry = Evidence.model_validate({**entry.model_dump(), **renamed})
        entries.append(entry)
    return order.model_copy(update={"evidence": entries})


def order_json(order: Order) -> str:
    """The order as refundkit records it, fields it does not know included, less the
    owner's private note (PRIVATE_FIELDS): the bag is for someone else to read."""
    data: dict[str, Any] = order.model_dump(mode="json")
    for key in PRIVATE_FIELDS:
        data.pop(key, None)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def evidence_name(entry: Evidence) -> PurePosixPath:
    """Where an entry goes under data/evidence/: its stored name, never outside the folder.

    A `%` in a name stored before add-evidence replaced it becomes ％, as add-evidence now
    does (evidence.without_percent): a manifest would write it %25, which bagit-python does
    not decode, and the bag must validate in every BagIt tool."""
    from refundkit.evidence import without_percent

    stored = PurePosixPath(entry.stored_as.replace("\\", "/"))
    parts = stored.parts[1:] if stored.parts[:1] == ("evidence",) else stored.parts
    if not parts or stored.is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise DamagedData(
            _(
                "evidence {id} of this order is stored as {name}, outside the order's folder: "
                "the record was tampered with; run `refundkit verify`"
            ).format(id=entry.id, name=visible(repr(entry.stored_as)))
        )
    return PurePosixPath(*(without_percent(part) for part in parts))


def timeline_md(order: Order) -> str:
    """The dated facts and steps, oldest first; recorded facts only, nothing as of today."""
    from refundkit.models import sorted_events
    from refundkit.words import names

    lines = [
        _("# Timeline: {merchant} · {item} ({id})").format(
            merchant=order.merchant, item=order.item, id=order.id
        ),
        "",
    ]
    when = order.purchased.isoformat() + (
        f" {order.purchased_time}" if order.purchased_time else ""
    )
    lines.append(
        _("- {when}: purchased, {amount} {currency}").format(
            when=when, amount=f"{order.amount:.2f}", currency=order.currency
        )
    )
    if order.received:
        lines.append(_("- {when}: goods received").format(when=order.received.isoformat()))
    for event in sorted_events(order.events):
        when = event.on.isoformat() + (f" {event.at}" if event.at else "")
        details = [
            f"{event.amount:.2f} {order.currency}" if event.amount else "",
            _("channel {channel}").format(channel=names.shown(names.channel, event.channel.value))
            if event.channel
            else "",
            _("ref {ref}").format(ref=event.ref) if event.ref else "",
            event.note or "",
        ]
        shown = _("; ").join(d for d in details if d)
        kind = names.shown(names.event_kind, event.kind.value)  # the code in English
        lines.append(f"- {when}: {kind}" + (f" ({shown})" if shown else ""))
    return "\n".join(lines) + "\n"


def timeline_json(order: Order) -> str:
    from refundkit.models import sorted_events

    data = {
        "order": order.id,
        "purchased": order.purchased.isoformat(),
        "purchased_time": order.purchased_time.isoformat() if order.purchased_time else None,
        "received": order.received.isoformat() if order.received else None,
        "events": [e.model_dump(mode="json") for e in sorted_events(order.events)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- the bag's tag files ---------------------------------------------------------------------


def bag_info(order: Order, as_of: date, parts: list[Part]) -> bytes:
    """bag-info.txt: who made the bag, when, of what, and the Payload-Oxum (bytes.files).

    Values are one line each: any control character in a fact is shown, never written."""
    from refundkit import __version__

    info = [
        ("Source-Organization", "refundkit"),
        ("Bagging-Date", as_of.isoformat()),
        ("External-Identifier", f"refundkit order {order.id}"),
        (
            "External-Description",
            f"Consumer dispute: {order.merchant} · {order.item} · "
            f"{order.amount:.2f} {order.currency}",
        ),
        ("Bag-Software-Agent", f"refundkit {__version__}"),
        ("Payload-Oxum", f"{sum(p.size for p in parts)}.{len(parts)}"),
    ]
    return "".join(f"{label}: {visible(value)}\n" for label, value in info).encode("utf-8")


def bag_path(name: str) -> str:
    """A path as a manifest writes it (RFC 8493 2.1.3): `%`, CR and LF percent-encoded."""
    return name.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def manifest(hashes: list[tuple[str, str]]) -> bytes:
    """Manifest lines `<sha256>  <path>`, sorted by path, for (path, sha256) pairs."""
    lines = sorted((bag_path(path), digest) for path, digest in hashes)
    return "".join(f"{digest}  {path}\n" for path, digest in lines).encode("utf-8")


# --- writing the zip -------------------------------------------------------------------------


def write_bag(out: Path, force: bool, bag: str, parts: list[Part], info: bytes) -> None:
    """Stream the bag into a temp file beside out, then rename it into place atomically."""
    try:
        with _sigterm_raises():
            sweep_partials(out)
            fd, temp_name = tempfile.mkstemp(
                prefix=f".{out.name}.{os.getpid()}.", suffix=".part", dir=out.parent
            )
            temp = Path(temp_name)
            try:
                with os.fdopen(fd, "wb") as handle:
                    _write_zip(handle, bag, parts, info)
                    handle.flush()
                    os.fsync(handle.fileno())
                _place(temp, out, force)
            except BaseException:
                with contextlib.suppress(OSError):
                    temp.unlink()
                raise
    except Terminated:
        _pass_on_sigterm()
        raise
    fsync_dir(out.parent)


def _write_zip(handle: IO[bytes], bag: str, parts: list[Part], info: bytes) -> None:
    """Everything in sorted order: the bag's folder, bag-info.txt, bagit.txt, data/ (each
    folder just before its first file), the manifest, the tag manifest."""
    tags: list[tuple[str, str]] = []
    folders: set[str] = set()
    with zipfile.ZipFile(handle, "w") as archive:

        def folder(name: str) -> None:
            steps = name.split("/")[:-1]
            for depth in range(1, len(steps) + 1):
                path = "/".join(steps[:depth]) + "/"
                if path not in folders:
                    folders.add(path)
                    archive.writestr(_folder_entry(path), b"")

        def tag(name: str, data: bytes) -> None:
            archive.writestr(_entry(f"{bag}/{name}", compress=True), data)
            tags.append((name, hashlib.sha256(data).hexdigest()))

        folder(f"{bag}/")
        tag("bag-info.txt", info)
        tag("bagit.txt", BAGIT_TXT)
        hashes = []
        for part in parts:
            folder(f"{bag}/data/{part.name}")
            hashes.append((f"data/{part.name}", _write_part(archive, f"{bag}/data/", part)))
        tag("manifest-sha256.txt", manifest(hashes))
        archive.writestr(_entry(f"{bag}/tagmanifest-sha256.txt", compress=True), manifest(tags))


def _folder_entry(name: str) -> zipfile.ZipInfo:
    """A folder, owner-only once unzipped (unzip would otherwise make it by the umask)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.create_system = UNIX
    info.external_attr = FOLDER_MODE << 16 | 0x10  # 0x10: the MS-DOS directory flag
    return info


def _entry(name: str, *, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.create_system = UNIX
    info.external_attr = ENTRY_MODE << 16
    return info


def _write_part(archive: zipfile.ZipFile, folder: str, part: Part) -> str:
    """Put one payload file in the zip under folder; returns its SHA-256."""
    name = folder + part.name
    if part.data is not None:
        archive.writestr(_entry(name, compress=True), part.data)
        return hashlib.sha256(part.data).hexdigest()
    assert part.entry is not None and part.source is not None
    entry = part.entry
    compress = entry.media_type.startswith(COMPRESSED_MEDIA)
    with (
        _open_evidence(part.source, entry) as source,
        archive.open(
            _entry(name, compress=compress), "w", force_zip64=entry.size >= ZIP64_FROM
        ) as target,
    ):
        digest, size = _copy(source, target, entry.size)
    if size != entry.size or digest != entry.sha256:
        raise DamagedData(
            _(
                "evidence {id} ({name}) was modified after it was added (its SHA-256 no longer "
                "matches the record): run `refundkit verify`; nothing was exported"
            ).format(id=entry.id, name=visible(entry.original_name))
        )
    return digest


def _copy(source: io.RawIOBase, target: IO[bytes], expected: int) -> tuple[str, int]:
    """Copy in CHUNK pieces, hashing as it goes; stops one byte past the expected size (a
    file that grew is modified, and /dev/zero behind a link would never end)."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    total = 0
    while total <= expected:
        count = source.readinto(buffer)
        if not count:
            break
        total += count
        digest.update(view[:count])
        target.write(view[:count])
    return digest.hexdigest(), total


@contextlib.contextmanager
def _open_evidence(path: Path, entry: Evidence) -> Iterator[io.RawIOBase]:
    """The stored file, only if it is a regular file: a link, FIFO or device is refused
    (O_NOFOLLOW, O_NONBLOCK, then fstat), never followed or waited on."""
    name = _("evidence {id} ({name})").format(id=entry.id, name=visible(entry.original_name))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DamagedData(
            _("{what} is missing from {path}: run `refundkit verify`; nothing was exported").format(
                what=name, path=path.parent
            )
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _not_regular(name, path) from None
        raise DamagedData(
            _(
                "cannot read {what} at {path}: {error} (the file is unreadable, not "
                "modified: check its permissions); nothing was exported"
            ).format(what=name, path=path, error=os_reason(exc))
        ) from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _not_regular(name, path)
        yield handle


def _not_regular(name: str, path: Path) -> DamagedData:
    return DamagedData(
        _(
            "{what} at {path} is not a regular file (a link, FIFO or device): run "
            "`refundkit verify`; nothing was exported"
        ).format(what=name, path=path)
    )


def _exists(out: Path) -> str:
    return _("{path} already exists: choose another name, or add --force").format(path=out)


def _place(temp: Path, out: Path, force: bool) -> None:
    """Rename into place; without --force never replace a file that appeared meanwhile."""
    if force:
        os.replace(temp, out)
        return
    try:
        os.link(temp, out)  # fails if out exists: no window in which another file is clobbered
    except FileExistsError:
        raise BadInput(_exists(out)) from None
    except OSError:  # a file system without hard links
        if out.exists():
            raise BadInput(_exists(out)) from None
        os.replace(temp, out)
        return
    temp.unlink()


# --- interruptions ---------------------------------------------------------------------------


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the zip is written, SIGTERM raises Terminated, so the temp file is removed
    (Python's default would end the process on the spot). Only the main thread gets
    signals, and a SIGTERM the process ignores stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, previous)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _pass_on_sigterm() -> None:
    """After the clean-up, let SIGTERM do what it would have done (by default, end the
    process by the signal); if the process is still here, exit as terminated."""
    os.kill(os.getpid(), signal.SIGTERM)
    raise SystemExit(128 + signal.SIGTERM)


def sweep_partials(out: Path) -> None:
    """Remove partial zips a killed export (SIGKILL, a power cut) left beside out: ours, named
    after out, written by a process that no longer runs, untouched for a minute."""
    prefix = f".{out.name}."
    with contextlib.suppress(OSError):
        for path in out.parent.iterdir():
            name = path.name
            if not (name.startswith(prefix) and name.endswith(".part")):
                continue
            pid = name[len(prefix) :].split(".", 1)[0]
            with contextlib.suppress(OSError, ValueError):
                info = path.lstat()
                stale = time.time() - info.st_mtime > STALE_PARTIAL_SECONDS
                owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
                ours = stat.S_ISREG(info.st_mode) and info.st_uid == owner
                if stale and ours and not _running(int(pid)):
                    path.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
