"""The status index: what `status` shows of each case, kept so that 10,000 cases list at once.

The order files are the only truth. The index is derived from them and may be deleted at any
time: two files in the data folder (index_file() and texts_file(), beside profile.json, so
they can never be taken for an order) holding a summary of each case and its `status --json`
text, next to the identity of the order.json they were computed from: device, inode, size,
mtime_ns and ctime_ns. An entry is used only while its file still has exactly that identity,
so an order edited, replaced, added or deleted, by refundkit or by hand, is read afresh. The
ctime is what makes this safe against hand edits: tools that copy time stamps (`cp -p`,
rsync, tar) can set mtime back, not ctime.

An entry also holds the as-of days it is good for (its span, found by dayspan.py): on any of
them the case reads the same but for its days left, which the texts hold as markers rendered
for the day asked. So the index outlives midnight, and serves `--as-of` a week back or ahead
for every case no date of which lies in between. The whole index is dropped when the code
that computed it changes (the files of refundkit and of the packages its rules depend on); it
is kept per interface language (a Chinese run never reads the English index's words).

A file changed in the last few seconds could, on a file system with a coarse clock, be
edited again and get the very same time stamps (git calls such entries "racily clean"). Its
entry therefore also holds a SHA-256 of the bytes it was computed from, and is used only while
the file still holds them; once the file has settled, the next status drops the check. That
lets refundkit's own commands index the orders they write (overview.enter), so the status
after them finds every case ready. A missing, unreadable or malformed index is ignored and
rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import stat
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from refundkit.errors import DamagedData
from refundkit.store import ORDER_FILE, NotRegularFile, Store, TooLarge, read_regular

INDEX_FILE = "status-index.json"  # for English; other languages: index_file()
TEXTS_FILE = "status-index.texts"  # the texts beside it (texts_file())
MAX_INDEX_BYTES = 1 << 30  # 10,000 cases: 8 MB of index, 33 MB of texts; more is not refundkit's
FORMAT = 6  # bump when the layout changes
RACY_NS = 3_000_000_000  # FAT keeps mtime to 2 s; ext4 to a clock tick
Stat = Callable[[str], os.stat_result]  # os.stat relative to the orders folder
# Packages whose code the summaries are computed by (windows, ladder, holidays, validation).
DEPENDENCIES = ("refundkit", "chinese_calendar", "pydantic", "pydantic_core", "dateutil")


def clock_ns() -> int:
    return time.time_ns()


def index_file(language: str) -> str:
    """The index's file name for an interface language: its texts are worded in it."""
    return INDEX_FILE if language == "en" else f"status-index.{language}.json"


def texts_file(language: str) -> str:
    """The file of the index's texts for an interface language, beside the index."""
    return TEXTS_FILE if language == "en" else f"status-index.{language}.texts"


def file_identity(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def vouched_light(
    order_id: str, entry: dict[str, Any] | None, data: bytes, info: os.stat_result
) -> Any | None:
    """The order in data read without Pydantic (lightrecord.py), if the index vouches for
    it: its entry found the file exactly what refundkit writes when it validated it
    ("canonical"), the file (info, the identity data was read with) is unchanged since, and
    a racy entry's bytes are these. None otherwise, or if it no longer reads as it did:
    then it is to be validated."""
    if not (
        isinstance(entry, dict)
        and entry.get("canonical") is True
        and entry.get("file") == file_identity(info)
        and ("sum" not in entry or entry["sum"] == content_sum(data))
    ):
        return None
    from refundkit.lightrecord import light_order

    with contextlib.suppress(ValueError, RecursionError):
        order = light_order(json.loads(data))
        if order is not None and vars(order)["id"] == order_id:
            return order
    return None


def content_sum(data: bytes) -> str:
    """What a racy entry holds of its file's bytes."""
    return hashlib.sha256(data).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """A digest of the name, size and mtime of every module the summaries depend on.

    An upgrade or an edit of refundkit, its holiday calendar or its validator changes it, and
    with it every cached summary is recomputed. Costs a few hundred stat calls, under 1 ms.
    """
    parts = [f"{FORMAT} {sys.version}"]
    for package in DEPENDENCIES:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            parts += sorted(_file_stamps(package, Path(folder), package == "refundkit"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _file_stamps(package: str, folder: Path, deep: bool) -> list[str]:
    """Stamps of the files in folder, and with deep in its subfolders too (refundkit's rules,
    words and message catalogs live in subpackages)."""
    stamps = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file():
                info = entry.stat()
                stamps.append(f"{package}/{entry.name} {info.st_size} {info.st_mtime_ns}")
            elif deep and entry.is_dir() and entry.name != "__pycache__":
                stamps += _file_stamps(f"{package}/{entry.name}", Path(entry.path), deep)
    return stamps


class Index:
    """The index of one data folder in one language; every entry is checked before use.

    Two files: the index proper, JSON (what the table needs of each case, one case to a
    line: encode_head), and beside it the texts (texts_file), the text each case shows in
    `status --json`, one after another, whose size and CRC the index holds. The table never
    reads the texts; `--json` copies from them without decoding them.

    A save after a few cases changed (the first status of a day) keeps the lines and texts
    of the others as they are: the new texts are appended to the texts file (the CRC carried
    on over them), and only the changed cases' lines are encoded, so the 33 MB of texts of
    10,000 cases are neither read nor written again. The texts no case uses any more are
    counted (`garbage`), and once they outweigh the rest both files are written afresh.
    """

    def __init__(self, store: Store, language: str) -> None:
        self.store = store
        self.path = store.home / index_file(language)
        self.texts_path = store.home / texts_file(language)
        self.header = {"format": FORMAT, "code": code_fingerprint(), "language": language}
        self.entries: dict[str, Any] = {}
        self.blob_size = 0  # of the texts file, as the index says: bytes past it are not its
        self.blob_crc: Any = None
        self._blob: memoryview | None = None  # the texts, read on first use
        self.blob_intact: bool | None = None  # checked on first use
        self.texts: dict[str, bytes] = {}  # texts computed in this run
        self.changed = False
        self.lines: dict[str, bytes] = {}  # each read entry's line, for a save to keep
        self.garbage = 0  # bytes of the texts no entry uses
        self.settled_before = clock_ns() - RACY_NS  # files changed later are not indexed
        self._read()

    def _read(self) -> None:
        try:  # never through a link, never blocking on a FIFO put in its place
            raw, _ = read_regular(self.path, MAX_INDEX_BYTES)
        except (OSError, NotRegularFile, TooLarge):  # absent or unreadable: start afresh
            return
        try:
            data, head = decode_index(raw)
        except (ValueError, RecursionError):  # torn, not JSON, or nested past any parser
            return
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self.header.items()):
            return
        entries, size, crc = data.get("cases"), data.get("blob_size"), data.get("blob_crc")
        if isinstance(entries, dict) and type(size) is int and size >= 0 and type(crc) is int:
            self.entries, self.blob_size, self.blob_crc = entries, size, crc
            garbage = data.get("garbage")
            self.garbage = garbage if type(garbage) is int and 0 <= garbage <= size else size
            lines = head.split(b"\n")[1:-2]  # one per entry, in their order (encode_head)
            if len(lines) == len(entries):
                self.lines = dict(zip(entries, lines, strict=True))

    @property
    def blob(self) -> memoryview:
        """The texts the index holds (its size of the texts file); empty if unreadable."""
        if self._blob is None:
            self._blob = memoryview(b"")
            with contextlib.suppress(OSError, NotRegularFile, TooLarge):
                raw, _ = read_regular(self.texts_path, MAX_INDEX_BYTES)
                if len(raw) >= self.blob_size:
                    self._blob = memoryview(raw)[: self.blob_size]
        return self._blob

    def lookup(self, order_id: str, stat: Stat) -> dict[str, Any] | None:
        """The entry ({"file", "span", "case", ...}) if order.json is still the file it was
        computed from (see covers for the days it holds for).

        stat is os.stat relative to the orders folder (Store.stat_in_orders)."""
        entry = self.entries.get(order_id)
        if not (isinstance(entry, dict) and "file" in entry and "case" in entry):
            return None
        try:
            info = stat(f"{order_id}/{ORDER_FILE}")
        except OSError:
            return None
        if entry["file"] != file_identity(info):
            return None
        return entry if "sum" not in entry or self._same_bytes(order_id, entry) else None

    def _same_bytes(self, order_id: str, entry: dict[str, Any]) -> bool:
        """Whether the file of an entry made while it was racy still holds the bytes the
        entry was computed from; if so and it has settled since, the check is dropped."""
        try:
            data, info = self.store.read_order_bytes(order_id)
        except DamagedData:
            return False
        if entry["file"] != file_identity(info) or entry["sum"] != content_sum(data):
            return False
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.settled_before:
            del entry["sum"]
            if order_id in self.lines:  # its text stays where it is
                self.lines[order_id] = _encoded({order_id: entry}, False)[1:-1]
            self.changed = True
        return True

    @staticmethod
    def covers(entry: dict[str, Any], day: int) -> bool:
        """Whether day (an ordinal) lies in the entry's span."""
        span = entry.get("span")
        if type(span) is not list or len(span) != 2:
            return False
        lo, hi = span
        return type(lo) is int and type(hi) is int and lo <= day <= hi

    def text(self, order_id: str, entry: dict[str, Any]) -> bytes | memoryview | None:
        """The entry's text, if the index holds it intact."""
        if order_id in self.texts:
            return self.texts[order_id]
        span = entry.get("text")
        if not (isinstance(span, list) and len(span) == 2 and all(type(n) is int for n in span)):
            return None
        start, length = span
        if start < 0 or length < 0 or start + length > len(self.blob) or not self._intact():
            return None
        return self.blob[start : start + length]

    def _intact(self) -> bool:
        if self.blob_intact is None:
            blob = self.blob
            self.blob_intact = len(blob) == self.blob_size and zlib.crc32(blob) == self.blob_crc
        return self.blob_intact

    def remember(
        self,
        order_id: str,
        info: os.stat_result,
        span: list[int],
        entry: dict[str, Any],
        text: bytes,
        today: int | None = None,
        data: bytes | None = None,
    ) -> None:
        """Keep what was computed from the file with identity info for the days of span.
        entry holds "case" and what else dayspan needs. A file too recent to be vouched for
        by its identity alone is kept with the SHA-256 of data, its bytes (not at all if
        they are not given).

        An entry of the same file good for today (an ordinal, given only when the day asked
        is another) is kept instead: a look at another day (`--as-of`) must not cost the
        next plain status the cases it would have found ready."""
        racy = max(info.st_mtime_ns, info.st_ctime_ns) >= self.settled_before
        if racy and data is None:
            self.forget(order_id)
            return
        old = self.entries.get(order_id)
        if (
            today is not None
            and isinstance(old, dict)
            and old.get("file") == file_identity(info)
            and self.covers(old, today)
        ):
            return
        self._drop(order_id)
        self.entries[order_id] = {"file": file_identity(info), "span": span, **entry}
        if racy and data is not None:
            self.entries[order_id]["sum"] = content_sum(data)
        self.texts[order_id] = text
        self.changed = True

    def forget(self, order_id: str) -> None:
        if self._drop(order_id):
            self.changed = True

    def _drop(self, order_id: str) -> bool:
        """Take out an entry (its line, and its text as garbage); whether there was one."""
        old = self.entries.pop(order_id, None)
        self.texts.pop(order_id, None)
        if self.lines.pop(order_id, None) is not None and isinstance(old, dict):
            span = old.get("text")
            if type(span) is list and len(span) == 2 and type(span[1]) is int:
                self.garbage += span[1]
        return old is not None

    def keep_only(self, order_ids: list[str]) -> None:
        """Drop the entries of orders that are gone."""
        for order_id in self.entries.keys() - set(order_ids):
            self.forget(order_id)

    def save(self) -> None:
        """Write the index if it changed; a data folder that cannot take it is left alone.

        An entry whose text is not at hand (the old texts damaged) is left out, to be
        computed again next time.
        """
        if not self.changed or not self.store.orders_dir.is_dir():
            return
        with contextlib.suppress(OSError):  # read-only or full: status still answers
            if not (self._worth_keeping() and self._add()):
                self._write_afresh()

    def _worth_keeping(self) -> bool:
        """Whether the texts file is kept, the new texts added to it: while what no entry
        uses of it is less than half of it, and every entry read is still whole (its line
        known) and its texts not found damaged."""
        return (
            self.garbage < self.blob_size - self.garbage
            and self.blob_intact is not False
            and all(order_id in self.lines or order_id in self.texts for order_id in self.entries)
        )

    def _add(self) -> bool:
        """Append the new texts to the texts file and write the index: the cases read keep
        their lines, the new ones get theirs, the CRC carried on over the new texts. False
        (nothing written) if the texts file is not the size the index says."""
        lines: list[bytes] = []
        texts: list[bytes] = []
        crc, position = self.blob_crc, self.blob_size
        fast = len(self.texts) >= FAST_FROM
        for order_id, entry in self.entries.items():
            line = self.lines.get(order_id)
            if line is None:
                text = self.texts[order_id]
                entry = {**entry, "text": [position, len(text)]}
                line = _encoded({order_id: entry}, fast)[1:-1]
                texts.append(text)
                crc = zlib.crc32(text, crc)
                position += len(text)
            lines.append(line.rstrip(b","))
        if not append_to(self.texts_path, self.blob_size, texts):
            return False
        header = {**self.header, "blob_size": position, "blob_crc": crc}
        write_derived(self.path, encode_head({**header, "garbage": self.garbage}, lines))
        return True

    def _write_afresh(self) -> None:
        """Both files written anew, every text in order. An entry whose text is not at hand
        (the old texts damaged) is left out, to be computed again next time."""
        lines: list[bytes] = []
        texts: list[bytes | memoryview] = []
        position = crc = 0
        fast = len(self.entries) >= FAST_FROM
        for order_id, entry in self.entries.items():
            text = self.text(order_id, entry)
            if text is None:
                continue
            entry = {**entry, "text": [position, len(text)]}
            lines.append(_encoded({order_id: entry}, fast)[1:-1])
            texts.append(text)
            crc = zlib.crc32(text, crc)
            position += len(text)
        header = {**self.header, "blob_size": position, "blob_crc": crc, "garbage": 0}
        write_derived(self.texts_path, texts)
        write_derived(self.path, encode_head(header, lines))


def append_to(path: Path, size: int, texts: list[bytes]) -> bool:
    """Add texts at the end of the texts file, if it is a regular file (no link followed)
    of exactly size bytes; whether it was. A crash or another status appending at the same
    time leaves bytes the index does not count: its CRC and size keep them out, and the
    next save writes afresh."""
    if not texts:
        return True
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    with os.fdopen(fd, "ab") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return False
        handle.writelines(texts)
    return True


END = b"\n}}\n"  # the header's last line: "cases" and the header closed


def encode_head(header: dict[str, Any], lines: list[bytes]) -> list[bytes]:
    """The header's bytes: its fields on the first line, then one line per case ("id":
    {entry}, compact JSON, which holds no newline), then END. JSON whole, and each case's
    line can be kept as it is by the next save."""
    first = _encoded(header, fast=False)[:-1] + b',"cases":{\n'
    return [first, b",\n".join(lines), END] if lines else [first, END[1:]]


def encode_index(header: dict[str, Any]) -> bytes:
    """An index file from its header (with "cases"): for tests that write one."""
    fields = {k: v for k, v in header.items() if k != "cases"}
    lines = [_encoded({k: v})[1:-1] for k, v in header.get("cases", {}).items()]
    return b"".join(encode_head(fields, lines))


def decode_index(raw: bytes) -> tuple[Any, bytes]:
    """An index file's header (parsed) and its bytes; ValueError if it is not whole. Compact
    JSON holds no newline, so the first line that is END's ends it."""
    if not raw.endswith(END) or raw.find(END) != len(raw) - len(END):
        raise ValueError("not an index")
    if len(raw) >= FAST_PARSE_FROM:
        from pydantic_core import from_json

        with contextlib.suppress(ValueError):  # json.loads reads what it cannot (\ud800)
            return from_json(raw), raw
    return json.loads(raw), raw


def write_derived(path: Path, pieces: Sequence[bytes | memoryview]) -> None:
    """Write a file derived from others whole: readers see the old one, the new one or none.

    Not flushed to disk: a crash may leave the index empty or torn, which its checks (the
    index's JSON, the texts' size and CRC) catch, and then it is rebuilt. And the old file is
    removed before the new one is renamed into place, because ext4 (auto_da_alloc) starts
    writing a file renamed over another to disk at once, to keep a replaced file's data
    through a crash: 40-90 ms for the 40 MB of 10,000 cases, which need no such care. A status
    reading in between finds no index (or texts that do not match it) and computes again.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(pieces)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.rename(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


FAST_PARSE_FROM = 1 << 20  # bytes of index: pydantic-core's parser pays for its import
FAST_FROM = 1000  # entries: pydantic-core's encoder is worth its import from about here


def _encoded(data: dict[str, Any], fast: bool = True) -> bytes:
    """data as compact JSON. pydantic-core's encoder is three times faster than json.dumps
    (10,000 entries: 0.03 s against 0.10 s), but takes 10 ms to import, which a run that
    validated nothing has not paid: so it is used when loaded, or when fast says there is
    much to encode. What UTF-8 cannot hold (a lone surrogate) is written escaped (\\udcff),
    as json.dumps writes it in ASCII."""
    if fast or "pydantic_core" in sys.modules:
        from pydantic_core import to_json

        with contextlib.suppress(ValueError):
            return to_json(data)
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()
