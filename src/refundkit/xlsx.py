"""A bounded, streaming reader for the cells of an XLSX workbook: bytes in, rows out. Pure.

openpyxl trusts the workbook it opens, and a hostile one takes it apart: it sizes its work by
the sheet's declared dimension (a 1.5 KB file declaring `A1:XFD1048576` ran for an hour), it
inflates a member whole (a 2 MB file with one 2 GB cell took 52 s and 4.2 GB), and it loads
every shared string. A payment bill is small (a heavy user's year is a few MB), so this reader
holds every part of a workbook to a budget that a real bill never comes near, and checks it
while it reads, before anything grows:

- the zip itself: its size (the caller's cap), the number of entries in its directory (read
  from the end record before zipfile builds one object per entry), no encryption;
- each member it reads: the size the zip declares, and the bytes it really inflates to;
- the shared strings: how many, and how many characters in all;
- the sheets: rows and cells in all, characters per cell and in all (a shared string
  repeated in a million cells is a million times its length), nesting depth; the declared
  dimension is ignored, and cells beyond the first MAX_COLUMNS columns are skipped unread.

The XML is read with expat, fed one inflated chunk at a time, and any document type
declaration is refused: a workbook never has one, and without one there are no entities to
expand (no XXE, no billion laughs).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

from refundkit.errors import BadFile
from refundkit.i18n import _
from refundkit.sanitize import visible

MAX_ENTRIES = 1000  # a workbook has a dozen members
MAX_MEMBER_BYTES = 32 << 20  # declared and inflated size of one member
MAX_ROWS = 200_000  # rows of one sheet, empty ones included
MAX_CELLS = 3_000_000  # cells of one sheet
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_SHARED_STRINGS = 500_000
MAX_SHARED_CHARS = 16 << 20
MAX_COLUMNS = 64  # a bill has eleven; cells further right are skipped
MAX_SHEET_CHARS = 64 << 20  # characters of all cells of a sheet, shared strings repeated
MAX_DEPTH = 64  # element nesting; a worksheet's is six
CHUNK = 1 << 16

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Number:
    """A numeric cell, kept as the text the workbook stores (exact, never a float)."""

    text: str


@dataclass(frozen=True)
class Sheet:
    name: str
    member: str  # the zip member holding its XML


@dataclass
class Workbook:
    """An opened workbook: its sheets in order, and its shared strings once loaded."""

    archive: zipfile.ZipFile
    label: str  # the file's name, for messages
    sheets: list[Sheet] = field(default_factory=list)
    shared: list[str] | None = None


class _Stop(Exception):
    """Raised from a handler to end a parse early."""


def refuse(label: str, problem: str, **values: object) -> NoReturn:
    """problem: a whole message naming the file as {file}, its other values by name."""
    raise BadFile(visible(problem.format(file=label, **values)))


# --- the zip ---------------------------------------------------------------------------------


def open_workbook(data: bytes, label: str) -> Workbook:
    """Open data as a workbook, or refuse it saying what it is (truncated, encrypted, ...)."""
    entries = _directory_entries(data, label)
    if entries > MAX_ENTRIES:
        refuse(
            label,
            _(
                "{file} is a ZIP archive with {entries} entries, not a bill (a workbook has a "
                "dozen)"
            ),
            entries=entries,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        refuse(
            label,
            _(
                "{file} is a damaged ZIP/XLSX file (its directory cannot be read): download the "
                "bill again"
            ),
        )
    infos = archive.infolist()
    if any(info.flag_bits & 0x1 for info in infos):
        refuse(
            label,
            _(
                "{file} is a password-protected ZIP archive (the bill as the app sends it): unzip "
                "it with the password shown in WeChat Pay or Alipay, then import the CSV or XLSX "
                "inside"
            ),
        )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        refuse(label, _what_zip(archive, names))
    book = Workbook(archive, label)
    book.sheets = _sheets(book)
    return book


def _directory_entries(data: bytes, label: str) -> int:
    """The entry count of the zip's end record, read before zipfile builds its directory.

    A zip is read from its end; a file cut short has no end record, which is what a broken
    download looks like, and is the one case called truncated.
    """
    tail_start = max(0, len(data) - (22 + 0xFFFF))
    at = data.rfind(b"PK\x05\x06", tail_start)
    if at < 0 or len(data) - at < 22:
        refuse(
            label,
            _("{file} is a truncated ZIP/XLSX file (its end is missing): download the bill again"),
        )
    (entries,) = struct.unpack_from("<H", data, at + 10)
    if entries != 0xFFFF:
        return int(entries)
    locator = at - 20  # ZIP64: the real count is in the ZIP64 end record
    if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
        refuse(label, _("{file} is a damaged ZIP/XLSX file (its end record is inconsistent)"))
    (offset,) = struct.unpack_from("<Q", data, locator + 8)
    if offset + 56 > len(data) or data[offset : offset + 4] != b"PK\x06\x06":
        refuse(label, _("{file} is a damaged ZIP/XLSX file (its ZIP64 end record is missing)"))
    (count,) = struct.unpack_from("<Q", data, offset + 32)
    return int(count)


def _what_zip(archive: zipfile.ZipFile, names: set[str]) -> str:
    """Name the kind of ZIP that is not a workbook (a message naming the file as {file})."""
    if "word/document.xml" in names:
        return _("{file} is a Word document, not a bill; export the bill from WeChat Pay or Alipay")
    if "mimetype" in names:
        try:
            kind = archive.read("mimetype")[:100].decode("ascii", "replace")
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError):
            kind = ""
        if "opendocument.spreadsheet" in kind:
            return _(
                "{file} is an OpenDocument spreadsheet (.ods), not a bill as exported: import the "
                "CSV or XLSX file from the bill e-mail (or save it as .xlsx)"
            )
    return _(
        "{file} is a ZIP archive, not a bill: unzip it first (the password is in the WeChat Pay "
        "or Alipay message) and import the CSV or XLSX inside"
    )


def member_chunks(book: Workbook, member: str) -> Iterator[bytes]:
    """The inflated bytes of one member, a chunk at a time, within its budget."""
    try:
        info = book.archive.getinfo(member)
    except KeyError:
        refuse(
            book.label,
            _("{file} is a damaged XLSX workbook (its part {member} is missing)"),
            member=member,
        )
    if info.file_size > MAX_MEMBER_BYTES:
        refuse(
            book.label,
            _(
                "{file} declares {size} bytes for its part {member}: far more than any bill "
                "(refused above {limit} MB)"
            ),
            size=f"{info.file_size:,}",
            member=member,
            limit=MAX_MEMBER_BYTES >> 20,
        )
    total = 0
    try:
        with book.archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > MAX_MEMBER_BYTES:
                    refuse(
                        book.label,
                        _(
                            "{file} inflates its part {member} beyond {limit} MB: far more "
                            "than any bill"
                        ),
                        member=member,
                        limit=MAX_MEMBER_BYTES >> 20,
                    )
                yield chunk
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError, NotImplementedError):
        refuse(
            book.label,
            _("{file} is a damaged XLSX workbook (its part {member} cannot be read)"),
            member=member,
        )


# --- XML -------------------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parse(
    book: Workbook,
    member: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None],
) -> Iterator[None]:
    """Feed one member to expat chunk by chunk; yields after each chunk so a caller can hand
    on what the handlers collected. A DOCTYPE (and with it any entity) is refused."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_doctype(*_args: object) -> None:
        refuse(
            book.label,
            _(
                "{file} has a document type declaration in {member}: not a workbook as Excel "
                "or WeChat writes one"
            ),
            member=member,
        )

    depth = [0]

    def opened(name: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            refuse(
                book.label,
                _("{file} nests its XML deeper than {depth} levels in {member}: not a workbook"),
                depth=MAX_DEPTH,
                member=member,
            )
        start(_local(name), attrs)

    def closed(name: str) -> None:
        depth[0] -= 1
        end(_local(name))

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.ExternalEntityRefHandler = lambda *_a: 0
    parser.StartElementHandler = opened
    parser.EndElementHandler = closed
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        for chunk in member_chunks(book, member):
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
        yield
    except expat.ExpatError as exc:
        refuse(
            book.label,
            _("{file} is a damaged XLSX workbook (bad XML in {member}: {error})"),
            member=member,
            error=exc,
        )


def _attr(attrs: dict[str, str], name: str) -> str | None:
    for key, value in attrs.items():
        if _local(key) == name:
            return value
    return None


def _sheets(book: Workbook) -> list[Sheet]:
    """Sheets in workbook order, each with the member its relationship points at."""
    listed: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if name == "sheet" and len(listed) < 100:
            listed.append((attrs.get("name", "?"), _attr(attrs, "id") or ""))

    def rel(name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship" and len(targets) < 1000:
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    for _chunk in _parse(book, "xl/workbook.xml", sheet, lambda _n: None, lambda _t: None):
        pass
    if "xl/_rels/workbook.xml.rels" in book.archive.namelist():
        for _chunk in _parse(
            book, "xl/_rels/workbook.xml.rels", rel, lambda _n: None, lambda _t: None
        ):
            pass
    sheets = []
    for number, (name, rid) in enumerate(listed, start=1):
        target = targets.get(rid, f"worksheets/sheet{number}.xml")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheets.append(Sheet(name, member))
    return sheets


class _Text:
    """Character data of one cell or string, refused once longer than a cell can be."""

    def __init__(self, label: str, what: str) -> None:
        self.label, self.what = label, what  # what: "string" (shared) or "cell"
        self.parts: list[str] = []
        self.size = 0

    def add(self, data: str) -> None:
        self.size += len(data)
        if self.size > MAX_CELL_CHARS:
            if self.what == "string":
                problem = _(
                    "{file} has a shared string longer than {limit} characters (the most a cell "
                    "can hold): not a bill"
                )
            else:
                problem = _(
                    "{file} has a cell longer than {limit} characters (the most a cell can "
                    "hold): not a bill"
                )
            refuse(self.label, problem, limit=f"{MAX_CELL_CHARS:,}")
        self.parts.append(data)

    def value(self) -> str:
        return "".join(self.parts)


def shared_strings(book: Workbook) -> list[str]:
    """The workbook's shared strings, within their count and size budget."""
    if book.shared is not None:
        return book.shared
    strings: list[str] = []
    member = "xl/sharedStrings.xml"
    if member not in book.archive.namelist():
        book.shared = strings
        return strings
    state: dict[str, object] = {"si": None, "in_t": False, "phonetic": 0, "chars": 0}

    def start(name: str, _attrs: dict[str, str]) -> None:
        if name == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                refuse(
                    book.label,
                    _("{file} has more than {limit} shared strings: not a bill"),
                    limit=f"{MAX_SHARED_STRINGS:,}",
                )
            state["si"] = _Text(book.label, "string")
        elif name == "rPh":
            state["phonetic"] = int(state["phonetic"]) + 1  # type: ignore[call-overload]
        elif name == "t" and state["si"] is not None and not state["phonetic"]:
            state["in_t"] = True

    def end(name: str) -> None:
        if name == "t":
            state["in_t"] = False
        elif name == "rPh":
            state["phonetic"] = int(state["phonetic"]) - 1  # type: ignore[call-overload]
        elif name == "si" and isinstance(state["si"], _Text):
            text = state["si"].value()
            state["chars"] = int(state["chars"]) + len(text)  # type: ignore[call-overload]
            if int(state["chars"]) > MAX_SHARED_CHARS:  # type: ignore[call-overload]
                refuse(
                    book.label,
                    _(
                        "{file} has more than {limit} million characters of shared strings: "
                        "not a bill"
                    ),
                    limit=MAX_SHARED_CHARS >> 20,
                )
            strings.append(text)
            state["si"] = None

    def text(data: str) -> None:
        current = state["si"]
        if state["in_t"] and isinstance(current, _Text):
            current.add(data)

    for _chunk in _parse(book, member, start, end, text):
        pass
    book.shared = strings
    return strings


def _column(ref: str | None, previous: int) -> int:
    """Zero-based column of a cell reference like `AB12`; without one, the next column."""
    if not ref:
        return previous + 1
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > 20_000:
            break
    return number - 1 if number else previous + 1


def _row_number(ref: str | None, previous: int) -> int:
    if ref and ref.isdigit() and len(ref) < 9:
        return int(ref)
    return previous + 1


@dataclass
class _RowState:
    """Where the sheet parser is: the row being built, the cell being read."""

    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    row: list[object] | None = None
    number: int = 0
    count: int = 0
    cells: int = 0
    chars: int = 0
    col: int = -1
    kind: str | None = None
    skip: bool = False
    value: _Text | None = None
    inline: _Text | None = None


def rows(book: Workbook, sheet: Sheet) -> Generator[tuple[int, list[object]], None, None]:
    """Each row of a sheet as (row number, cells), cells being str, Number or None.

    Rows come as they are read, so a caller that has seen enough stops the reading (and the
    inflating) by closing the generator.
    """
    shared = shared_strings(book)
    s = _RowState()
    label = book.label

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            s.count += 1
            if s.count > MAX_ROWS:
                refuse(
                    label,
                    _(
                        "{file} has more than {limit} rows in sheet {sheet}: not a bill (a "
                        "heavy user's year has a few thousand)"
                    ),
                    limit=f"{MAX_ROWS:,}",
                    sheet=repr(sheet.name),
                )
            s.number = _row_number(attrs.get("r"), s.number)
            s.row, s.col = [], -1
        elif name == "c":
            s.cells += 1
            if s.cells > MAX_CELLS:
                refuse(
                    label,
                    _("{file} has more than {limit} cells in sheet {sheet}: not a bill"),
                    limit=f"{MAX_CELLS:,}",
                    sheet=repr(sheet.name),
                )
            s.col = _column(attrs.get("r"), s.col)
            s.kind = attrs.get("t")
            s.skip = s.row is None or s.col >= MAX_COLUMNS
            s.value = s.inline = None
        elif s.skip:
            return
        elif name == "v":
            s.value = _Text(label, "cell")
        elif name == "is":
            s.inline = _Text(label, "cell")

    def end(name: str) -> None:
        if name == "row" and s.row is not None:
            s.rows.append((s.number, s.row))
            s.row = None
        elif name == "c" and not s.skip and s.row is not None:
            cell = _cell(s, shared, label)
            s.chars += len(cell) if isinstance(cell, str) else 8
            if s.chars > MAX_SHEET_CHARS:
                refuse(
                    label,
                    _(
                        "{file} has more than {limit} million characters in the cells of sheet "
                        "{sheet} (shared strings repeated): not a bill"
                    ),
                    limit=MAX_SHEET_CHARS >> 20,
                    sheet=repr(sheet.name),
                )
            if cell is not None:
                s.row.extend([None] * (s.col + 1 - len(s.row)))
                s.row[s.col] = cell

    def text(data: str) -> None:
        if s.skip:
            return
        target = s.value if s.value is not None else s.inline
        if target is not None:
            target.add(data)

    for _chunk in _parse(book, sheet.member, start, end, text):
        if s.rows:
            ready, s.rows = s.rows, []
            yield from ready


def _cell(s: _RowState, shared: list[str], label: str) -> object:
    """A finished cell's value, by its type: shared string, inline string, number or text."""
    if s.kind == "inlineStr":
        return s.inline.value() if s.inline is not None else None
    if s.value is None:
        return None
    raw = s.value.value()
    if s.kind == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            refuse(
                label,
                _("{file} is a damaged XLSX workbook (a cell names shared string {index})"),
                index=repr(raw[:20]),
            )
    if s.kind in (None, "n"):
        return Number(raw.strip()) if raw.strip() else None
    return raw  # str (a formula's text), b (boolean), e (error), d (ISO date)
