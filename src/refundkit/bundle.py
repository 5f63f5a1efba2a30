"""The lawyer's bundle: one order as a BagIt bag (Library of Congress format), zipped.

A bag lists every payload file with its SHA-256 (manifest-sha256.txt), so whoever receives it
can check with `bagit.py --validate` that nothing was changed or lost on the way. The bag is
assembled in a private temporary folder from copies (the user's files are never moved or
touched), each evidence file checked against the SHA-256 recorded when it was added, then
zipped into a temp file beside --out and renamed into place. The payload holds only recorded
facts and the summaries rendered for one day, so exporting twice gives the same manifest; zip
entries are sorted with a fixed timestamp, so the same bag gives the same zip bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from refundkit.errors import BadFile, BadInput, DamagedData
from refundkit.models import Evidence, Order
from refundkit.store import Store, fsync_dir

CHUNK = 1 << 20
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bytes
ZIP64_FROM = 1 << 31
README = """\
refundkit export of order {id}: {merchant} · {item}

This folder is a BagIt bag (RFC 8493). data/ holds:
  order.json                 the order record exactly as refundkit stores it
  evidence/                  every evidence file, as added (SHA-256 also in order.json)
  timeline.md, timeline.json the dated steps of the dispute
  lawyer-summary.zh.md/.html the case summary for a lawyer, in Chinese
  lawyer-summary.en.md/.html the same in English
manifest-sha256.txt lists the SHA-256 of every file under data/. To check that nothing was
changed or lost:  pip install bagit && bagit.py --validate <this folder>
"""

# A renderer returns the lawyer summary for (lang, fmt) and the warnings it raised.
Render = Callable[[str, str], tuple[str, list[str]]]


@dataclass(frozen=True)
class Exported:
    path: Path
    files: int
    warnings: list[str]


def check_out(out: Path, force: bool) -> None:
    """--out must be a new (or, with --force, replaceable) .zip file in an existing folder."""
    if out.suffix.lower() != ".zip":
        raise BadInput(f"--out {out} must name a .zip file, e.g. --out case.zip")
    if not out.parent.is_dir():
        raise BadInput(f"folder {out.parent} does not exist: create it or choose another --out")
    if out.is_dir():
        raise BadInput(f"--out {out} is a folder: give a file name ending in .zip")
    if out.exists() and not out.is_file():
        raise BadInput(f"--out {out} is not a regular file (a FIFO or device): choose another")
    if out.exists() and not force:
        raise BadInput(f"{out} already exists: choose another name, or add --force to replace it")


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
    # The four renders report the same gaps, each in its own words: one set is enough.
    warnings = raised["en", "md"]
    with tempfile.TemporaryDirectory(prefix="refundkit-export-") as tmp:
        bag = Path(tmp) / f"refundkit-{order.id}"
        payload = build_payload(store, order, bag, summaries)
        make_bag(bag, order, as_of)
        write_zip(bag, out, force)
    return Exported(out, payload, warnings)


def letters_renderer(store: Store, order: Order, as_of: date) -> Render:
    """The lawyer summary from the letters module, in one language and format."""

    def render(lang: str, fmt: str) -> tuple[str, list[str]]:
        from refundkit.kinds import Lang, LetterFormat, Recipient
        from refundkit.letters import render_letter

        letter = render_letter(store, order, Recipient.LAWYER, Lang(lang), LetterFormat(fmt), as_of)
        return letter.text, [str(w) for w in letter.warnings]

    return render


# --- the payload ---------------------------------------------------------------------------


def build_payload(store: Store, order: Order, bag: Path, summaries: dict[str, str]) -> int:
    """Fill the folder that becomes data/; returns the number of files."""
    bag.mkdir(mode=0o700)
    source = store.order_path(order.id)
    try:
        (bag / "order.json").write_bytes(source.read_bytes())
    except OSError as exc:
        raise DamagedData(f"{source}: cannot read ({exc.strerror})") from None
    evidence = bag / "evidence"
    evidence.mkdir()
    for entry in order.evidence:
        copy_evidence(store, order, entry, evidence)
    (bag / "timeline.md").write_text(timeline_md(order), encoding="utf-8")
    (bag / "timeline.json").write_text(timeline_json(order), encoding="utf-8")
    (bag / "README.txt").write_text(
        README.format(id=order.id, merchant=order.merchant, item=order.item), encoding="utf-8"
    )
    for name, text in summaries.items():
        (bag / name).write_text(text, encoding="utf-8")
    return sum(1 for p in bag.rglob("*") if p.is_file())


def evidence_name(entry: Evidence) -> PurePosixPath:
    """Where an entry goes under data/evidence/: its stored name, never outside the folder."""
    stored = PurePosixPath(entry.stored_as.replace("\\", "/"))
    parts = stored.parts[1:] if stored.parts[:1] == ("evidence",) else stored.parts
    if not parts or stored.is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise DamagedData(
            f"evidence {entry.id} of this order is stored as {entry.stored_as!r}, outside the "
            "order's folder: the record was tampered with; run `refundkit verify`"
        )
    return PurePosixPath(*parts)


def copy_evidence(store: Store, order: Order, entry: Evidence, target: Path) -> None:
    """Copy one stored file, refusing it if it no longer matches its recorded SHA-256."""
    source = store.order_dir(order.id) / entry.stored_as
    destination = target / evidence_name(entry)
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as src, open(destination, "xb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
    except FileNotFoundError:
        raise DamagedData(
            f"evidence {entry.id} ({entry.original_name}) is missing from {source.parent}: "
            "run `refundkit verify`; nothing was exported"
        ) from None
    except OSError as exc:
        raise DamagedData(
            f"cannot copy evidence {entry.id} from {source}: {exc.strerror}"
        ) from None
    if digest.hexdigest() != entry.sha256:
        raise DamagedData(
            f"evidence {entry.id} ({entry.original_name}) was modified after it was added (its "
            "SHA-256 no longer matches the record): run `refundkit verify`; nothing was exported"
        )


def timeline_md(order: Order) -> str:
    """The dated facts and steps, oldest first; recorded facts only, nothing as of today."""
    from refundkit.models import sorted_events

    lines = [f"# Timeline: {order.merchant} · {order.item} ({order.id})", ""]
    when = order.purchased.isoformat() + (
        f" {order.purchased_time}" if order.purchased_time else ""
    )
    lines.append(f"- {when}: purchased, {order.amount:.2f} {order.currency}")
    if order.received:
        lines.append(f"- {order.received.isoformat()}: goods received")
    for event in sorted_events(order.events):
        when = event.on.isoformat() + (f" {event.at}" if event.at else "")
        details = [
            f"{event.amount:.2f} {order.currency}" if event.amount else "",
            f"channel {event.channel.value}" if event.channel else "",
            f"ref {event.ref}" if event.ref else "",
            event.note or "",
        ]
        shown = "; ".join(d for d in details if d)
        lines.append(f"- {when}: {event.kind.value}" + (f" ({shown})" if shown else ""))
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


# --- bag and zip -----------------------------------------------------------------------------


def make_bag(folder: Path, order: Order, as_of: date) -> None:
    """Turn folder into a bag in place (payload moved under data/), SHA-256 only."""
    import bagit

    from refundkit import __version__

    info = {
        "Source-Organization": "refundkit",
        "External-Identifier": f"refundkit order {order.id}",
        "External-Description": (
            f"Consumer dispute: {order.merchant} · {order.item} · "
            f"{order.amount:.2f} {order.currency}"
        ),
        "Bagging-Date": as_of.isoformat(),
        "Bag-Software-Agent": f"refundkit {__version__} with bagit.py {bagit.VERSION}",
    }
    try:
        bagit.make_bag(str(folder), bag_info=info, checksums=["sha256"])
    except (bagit.BagError, OSError, RuntimeError) as exc:
        raise BadFile(f"could not build the bag: {exc}") from None
    _sort_lines(folder / "tagmanifest-sha256.txt")


def _sort_lines(path: Path) -> None:
    """bagit lists tag files in directory order, which differs between file systems."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(f"{line}\n" for line in sorted(lines)), encoding="utf-8")


def _bag_files(folder: Path) -> Iterable[tuple[str, Path]]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    named = [(p.relative_to(folder).as_posix(), p) for p in files]
    return sorted(named)


def write_zip(folder: Path, out: Path, force: bool) -> None:
    """Zip folder (as its own top-level folder) into out, atomically, reproducibly."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, path in _bag_files(folder):
                    info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o100644 << 16
                    big = path.stat().st_size >= ZIP64_FROM
                    with open(path, "rb") as src, archive.open(info, "w", force_zip64=big) as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
            handle.flush()
            os.fsync(handle.fileno())
        _place(temp, out, force)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(out.parent)


def _place(temp: Path, out: Path, force: bool) -> None:
    """Rename into place; without --force never replace a file that appeared meanwhile."""
    if force:
        os.replace(temp, out)
        return
    try:
        os.link(temp, out)  # fails if out exists: no window in which another file is clobbered
    except FileExistsError:
        raise BadInput(f"{out} already exists: choose another name, or add --force") from None
    except OSError:  # a file system without hard links
        if out.exists():
            raise BadInput(f"{out} already exists: choose another name, or add --force") from None
        os.replace(temp, out)
        return
    temp.unlink()
