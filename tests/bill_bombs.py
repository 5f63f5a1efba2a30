"""Hostile bills, built on the spot and cheaply: tests/test_bill_bombs.py checks that each is
refused (exit 2), benchmarks/bench.py times the refusals.

A zip member that inflates to 2 GB is built without ever holding or compressing 2 GB: one
megabyte of zeros is deflated once by a fresh compressor and ended with a full flush, which
leaves a byte-aligned stream with no reference to anything before it; repeating those bytes
2048 times is a valid deflate stream of 2 GB of zeros. The zip itself is written by hand
(local headers, central directory, end record) so that sizes and CRCs can be declared as a
hostile file would declare them.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bill_fixtures import HEADER, NOTES

MB = 1 << 20
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS} {RELS_NS}>'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types '
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


@dataclass
class Member:
    """A zip member as stored: its deflated bytes and what the zip declares about it."""

    name: str
    deflated: bytes
    size: int  # declared uncompressed size
    crc: int
    flags: int = 0  # general purpose bits (bit 0: encrypted)


def deflate(*parts: bytes | tuple[bytes, int]) -> tuple[bytes, int, int]:
    """Raw deflate of the parts in order, a (chunk, n) part being chunk repeated n times
    (compressed once). Returns the stream, the inflated size and its CRC-32 (the CRC of a
    repeated chunk is computed by feeding it n times, as cheap as inflating is not)."""
    out, size, crc = [], 0, 0
    for part in parts:
        chunk, times = part if isinstance(part, tuple) else (part, 1)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        segment = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
        out.append(segment * times)
        size += len(chunk) * times
        for _ in range(times if times <= 64 else 0):
            crc = zlib.crc32(chunk, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    out.append(final.flush(zlib.Z_FINISH))
    return b"".join(out), size, crc


def member(name: str, *parts: bytes | tuple[bytes, int], declare: int | None = None) -> Member:
    data, size, crc = deflate(*parts)
    return Member(name, data, size if declare is None else declare, crc)


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip written by hand, declaring for each member what it says (sizes, CRC)."""
    with open(path, "wb") as out:
        central = []
        for item in members:
            offset = out.tell()
            name = item.name.encode()
            size = min(item.size, 0xFFFFFFFF)
            header = struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 20, item.flags, 8, 0, 0x21, item.crc,
                len(item.deflated), size, len(name), 0,
            )  # fmt: skip
            out.write(header + name + item.deflated)
            fields = (20, 20, item.flags, 8, 0, 0x21, item.crc, len(item.deflated), size)
            rest = (len(name), 0, 0, 0, 0, 0o100644 << 16, offset)
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", *fields, *rest) + name)
        start = out.tell()
        for entry in central:
            out.write(entry)
        length = out.tell() - start
        out.write(
            struct.pack(
                "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), length, start, 0
            )  # fmt: skip
        )
    return path


def workbook(
    path: Path,
    sheet: list[bytes | tuple[bytes, int]],
    extra: tuple[Member, ...] = (),
    declare: int | None = None,
) -> Path:
    """A minimal workbook whose sheet1.xml is the given parts (declaring `declare` bytes if
    given), with the extra members added."""
    members = [
        member("[Content_Types].xml", TYPES.encode()),
        member("xl/workbook.xml", WORKBOOK.encode()),
        member("xl/_rels/workbook.xml.rels", RELS.encode()),
        member("xl/worksheets/sheet1.xml", *sheet, declare=declare),
        *extra,
    ]
    return write_zip(path, members)


def inline_row(number: int, cells: list[str]) -> bytes:
    inner = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(cells)
    )
    return f'<row r="{number}">{inner}</row>'.encode()


def bill_head() -> bytes:
    """A WeChat Pay bill's title, notes and header row, as sheet rows 1 to N."""
    lines = [
        "微信支付账单明细",
        *NOTES,
        "----------------------微信支付账单明细列表--------------------",
    ]
    rows = [inline_row(i, [t]) for i, t in enumerate(lines, start=1)]
    rows.append(inline_row(len(lines) + 1, HEADER))
    return f"<worksheet {NS}><sheetData>".encode() + b"".join(rows)


TAIL = b"</sheetData></worksheet>"
DATA_ROW = ["2026-01-05 10:20:30", "商户消费", "声悦数码旗舰店"]


# --- the bombs -----------------------------------------------------------------------------


def huge_cell(path: Path, gigabytes: int = 2, declare: int | None = None) -> Path:
    """A 2 MB workbook whose one item cell inflates to 2 GB of zeros."""
    head = bill_head() + b'<row r="30"><c r="A30" t="inlineStr"><is><t>2026-01-05 10:20:30'
    head += b'</t></is></c><c r="D30" t="inlineStr"><is><t>'
    zeros = (b"0" * MB, gigabytes * 1024)
    return workbook(path, [head, zeros, b"</t></is></c></row>" + TAIL], declare=declare)


def huge_cell_lying(path: Path) -> Path:
    """The 2 GB cell, its member declaring 64 KB: inflating must stop where it says."""
    return huge_cell(path, declare=64 << 10)


def long_cell_under_the_cap(path: Path) -> Path:
    """A 20 MB cell: within the member's budget, far beyond what a cell may hold."""
    head = bill_head() + b'<row r="30"><c r="D30" t="inlineStr"><is><t>'
    return workbook(path, [head, (b"x" * MB, 20), b"</t></is></c></row>" + TAIL])


def shared_strings_bomb(path: Path) -> Path:
    """One 30,000-character shared string, repeated in 30 cells of each of 45,000 rows: 1.35
    million cells, 40 billion characters once resolved, from a 2 MB file."""
    strings = member(
        "xl/sharedStrings.xml",
        f'<sst {NS} count="1" uniqueCount="1"><si><t>'.encode()
        + b"z" * 30_000
        + b"</t></si></sst>",
    )
    cells = b"".join(b'<c t="s"><v>0</v></c>' for _ in range(30))
    sheet = [f"<worksheet {NS}><sheetData>".encode(), (b"<row>" + cells + b"</row>", 45_000), TAIL]
    return workbook(path, sheet, (strings,))


def many_shared_strings(path: Path) -> Path:
    """600,000 empty shared strings."""
    strings = member(
        "xl/sharedStrings.xml", f"<sst {NS}>".encode(), (b"<si><t></t></si>", 600_000), b"</sst>"
    )
    return workbook(path, [bill_head(), TAIL], (strings,))


def declared_dimension(path: Path, with_bill: bool = False) -> Path:
    """A sheet declaring A1:XFD1048576 (openpyxl sized its work by that: an hour)."""
    start = f'<worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData>'.encode()
    if not with_bill:
        return workbook(path, [start, inline_row(1, ["hello"]), TAIL])
    body = bill_head().split(b"<sheetData>", 1)[1]
    row = inline_row(
        40,
        ["2026-01-05 10:20:30", "商户消费", "声悦数码旗舰店", "耳机", "支出", "¥1,288.00",
         "零钱", "支付成功", "4200001111202601010000000001", "SY-X2-0001", "/"],
    )  # fmt: skip
    return workbook(path, [start + body, row, TAIL])


def million_rows(path: Path) -> Path:
    """A bill's header, then 1,048,576 empty rows."""
    return workbook(path, [bill_head(), (b"<row/>", 1 << 20), TAIL])


def deep_nesting(path: Path) -> Path:
    """XML elements nested five million deep."""
    return workbook(path, [f"<worksheet {NS}>".encode(), (b"<a>", 5_000_000)])


def billion_laughs(path: Path) -> Path:
    """The classic entity expansion, in the workbook part."""
    doc = (
        '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY l0 "ha">'
        + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        + f']><workbook {NS}><sheets><sheet name="&l9;" sheetId="1"/></sheets></workbook>'
    )
    members = [
        member("[Content_Types].xml", TYPES.encode()),
        member("xl/workbook.xml", doc.encode()),
    ]
    return write_zip(path, members)


def external_entity(path: Path) -> Path:
    """An XXE: the workbook names /etc/passwd as an entity."""
    doc = (
        '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<workbook {NS}><sheets><sheet name="&x;" sheetId="1"/></sheets></workbook>'
    )
    members = [
        member("[Content_Types].xml", TYPES.encode()),
        member("xl/workbook.xml", doc.encode()),
    ]
    return write_zip(path, members)


def many_entries(path: Path) -> Path:
    """A zip whose directory lists 5,000 entries."""
    members = [member("xl/workbook.xml", WORKBOOK.encode())]
    members += [member(f"x/{i}.xml", b"") for i in range(5000)]
    return write_zip(path, members)


def huge_line(path: Path, megabytes: int = 60) -> Path:
    """A 60 MB CSV whose second line never ends."""
    with open(path, "wb") as out:
        out.write("微信支付账单明细,,,,,,,,,,\n交易时间,".encode())
        piece = b"x" * MB
        for _ in range(megabytes):
            out.write(piece)
    return path


def too_many_rows(path: Path, rows: int = 250_000) -> Path:
    """A WeChat CSV with a quarter of a million one-fen rows."""
    line = "2026-01-05 10:20:30,商户消费,店,货,支出,¥0.01,零钱,支付成功,42{:026d}\t,M\t,/\n"
    with open(path, "wb") as out:
        out.write(("微信支付账单明细\n" + ",".join(HEADER) + "\n").encode())
        for number in range(rows):
            out.write(line.format(number).encode())
    return path


def oversized(path: Path) -> Path:
    """A 65 MB file (sparse: it costs no disk)."""
    with open(path, "wb") as out:
        out.write("微信支付账单明细\n".encode())
        out.truncate(65 * MB)
    return path


def wide_rows(path: Path) -> Path:
    """Rows of 30,000 cells each, 1,000 of them."""
    row = "2026-01-05 10:20:30,商户消费,店,货,支出,¥1.00,零钱,支付成功,42,M,/" + "," * 30_000
    with open(path, "wb") as out:
        out.write(("微信支付账单明细\n" + ",".join(HEADER) + "\n").encode())
        for _ in range(1000):
            out.write(row.encode() + b"x\n")
    return path


def endless_quote(path: Path) -> Path:
    """A quoted cell that runs on over 400,000 lines."""
    with open(path, "wb") as out:
        out.write(("微信支付账单明细\n" + ",".join(HEADER) + "\n").encode())
        out.write('2026-01-05 10:20:30,商户消费,"店'.encode())
        out.write(b"\nline" * 400_000)
    return path


BOMBS: dict[str, Callable[[Path], Path]] = {
    "2 GB cell (XLSX)": huge_cell,
    "2 GB cell, size declared as 64 KB (XLSX)": huge_cell_lying,
    "20 MB cell (XLSX)": long_cell_under_the_cap,
    "shared string repeated in a million cells (XLSX)": shared_strings_bomb,
    "600,000 shared strings (XLSX)": many_shared_strings,
    "A1:XFD1048576 dimension (XLSX)": declared_dimension,
    "1,048,576 rows (XLSX)": million_rows,
    "5 million nested elements (XLSX)": deep_nesting,
    "billion laughs (XLSX)": billion_laughs,
    "external entity (XLSX)": external_entity,
    "5,000 zip entries": many_entries,
    "60 MB line (CSV)": huge_line,
    "250,000 rows (CSV)": too_many_rows,
    "65 MB file (CSV)": oversized,
    "30,000 cells a row (CSV)": wide_rows,
    "quoted cell over 400,000 lines (CSV)": endless_quote,
}
SUFFIX = {name: (".xlsx" if "XLSX" in name or "zip" in name else ".csv") for name in BOMBS}


# --- files that are not bills, for the refusal tests ---------------------------------------


def encrypted_zip(path: Path) -> Path:
    """A password-protected ZIP, as the apps e-mail the bill."""
    secret = member("微信支付账单(20260101-20260131).csv", b"not really encrypted")
    secret.flags = 1
    return write_zip(path, [secret])


def zip_of(path: Path, names: dict[str, bytes]) -> Path:
    return write_zip(path, [member(name, data) for name, data in names.items()])
