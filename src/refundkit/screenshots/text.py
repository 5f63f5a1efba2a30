"""The recognised text of an evidence image, kept beside the file and fingerprinted like it.

With the OCR extra installed, a chat, order or payment image attached to a case also gets its
text stored as `evidence/<stored name>.txt`: read-only (0400, like the evidence), written
atomically, and its SHA-256 recorded in the evidence entry (`text_sha256`, with `text_as` the
file's path), so that what is quoted later (by `status ORDER`, the lawyer summary, the event
suggestions) is provably what was read from that very file. A text file that no longer matches
its fingerprint is never quoted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from refundkit.i18n import _
from refundkit.kinds import EvidenceKind
from refundkit.store import Store, atomic_write

if TYPE_CHECKING:
    from refundkit.models import Evidence, Order
    from refundkit.screenshots.engine import Engine

TEXT_KINDS = (EvidenceKind.CHAT, EvidenceKind.ORDER, EvidenceKind.PAYMENT)
TEXT_MODE = 0o400
EXCERPT = 120  # characters: enough to recognise a message, short enough for a table or index


def wants_text(entry: Evidence) -> bool:
    """Whether this evidence is an image whose words are worth keeping."""
    return entry.kind in TEXT_KINDS and entry.media_type.startswith("image/")


def text_name(entry: Evidence) -> str:
    return f"{entry.stored_as}.txt"


def text_bytes(lines: Sequence[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def keep_text(store: Store, order_id: str, entry: Evidence, lines: Sequence[str]) -> Evidence:
    """Store the text beside the evidence file and fingerprint it in the entry.

    The file is in place (read-only) before order.json names it, as for evidence itself; if
    recording the fingerprint fails, the file is taken back out.
    """
    from refundkit.models import Evidence

    data = text_bytes(lines)
    target = store.order_dir(order_id) / text_name(entry)
    atomic_write(target, data, mode=TEXT_MODE)
    digest = hashlib.sha256(data).hexdigest()
    updated: list[Evidence] = []

    def record(order: Order) -> Order:
        entries = []
        for item in order.evidence:
            if item.id == entry.id:
                item = Evidence.model_validate(
                    {**item.model_dump(), "text_as": text_name(entry), "text_sha256": digest}
                )
                updated.append(item)
            entries.append(item)
        return order.model_copy(update={"evidence": entries})

    try:
        store.update(order_id, record)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return updated[0] if updated else entry


def recognise_new(
    store: Store,
    order_id: str,
    entries: Sequence[Evidence],
    engine: Engine | None = None,
    *,
    every_kind: bool = False,
    needed: bool = False,
) -> list[str]:
    """Read and keep the text of the images just attached; warnings for those that failed.

    Without the OCR extra this does nothing: the evidence is attached either way, and a
    command that attached it must not fail over an optional extra. An extra installed but
    broken (its import fails on the first image) is one warning, and the other files are not
    tried: they would fail the same way. Only where the text is what the command is for
    (`needed`, suggest-events) is that an error. A file whose bytes are no decodable image
    (the sniffed type can be wrong) is skipped quietly.
    """
    from refundkit.errors import BadFile, os_reason
    from refundkit.screenshots import engine as ocr
    from refundkit.screenshots.layouts import text_rows

    wanted = [
        e for e in entries if wants_text(e) or (every_kind and e.media_type.startswith("image/"))
    ]
    if not wanted or (engine is None and not ocr.available()):
        return []
    warnings = []
    for entry in wanted:
        try:
            data = (store.order_dir(order_id) / entry.stored_as).read_bytes()
            reader = engine or ocr.get_engine(_("reading the evidence's text"))
            lines = text_rows(reader.recognise(data))
        except ocr.MissingExtra as exc:
            if needed:
                raise
            warnings.append(
                _("the evidence is attached, without its recognised text: {error}").format(
                    error=exc.message
                )
            )
            break
        except BadFile:
            continue
        except OSError as exc:
            warnings.append(
                _("could not read the text of {id}: {error}").format(
                    id=entry.id, error=os_reason(exc)
                )
            )
            continue
        if lines:
            keep_text(store, order_id, entry, lines)
    return warnings


def recognised_text(store: Store, order: Order, entry: Evidence) -> str | None:
    """The kept text of an evidence entry, only if it still matches its fingerprint."""
    extra = entry.model_extra or {}
    name, digest = extra.get("text_as"), extra.get("text_sha256")
    if not isinstance(name, str) or not isinstance(digest, str):
        return None
    base = store.order_dir(order.id).resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        return None  # a record pointing outside its folder has been tampered with
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    return data.decode("utf-8", "replace")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The text on one line, cut at `limit` characters with an ellipsis."""
    flat = re.sub(r"\s*\n\s*", " / ", text.strip())
    flat = re.sub(r"[ \t]+", " ", flat)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip(" /") + "…"


def evidence_excerpt(
    store: Store, order: Order, entry: Evidence, limit: int = EXCERPT
) -> str | None:
    """For letters, the lawyer summary and `status ORDER`: the first ~120 characters of the
    evidence's recognised text, or None when it has none (or its text was changed since)."""
    text = recognised_text(store, order, entry)
    return excerpt(text, limit) if text else None
