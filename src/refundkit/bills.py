"""Reading the bills WeChat Pay and Alipay export: bytes in, transactions out. Pure.

Every parser that counted lines broke when the layout moved (16 summary lines became 17, an
XLSX sheet gained a `Column1..` row), so the table is found by its header row and columns are
mapped by name. Three layouts are known: WeChat Pay CSV (UTF-8, until mid-2025), WeChat Pay
XLSX (from mid-2025; amounts as numbers, times possibly as date cells) and Alipay CSV (GBK,
cells padded with spaces, a trailing comma). Times in these bills are UTC+8 local times and are
kept as naive datetimes. A file that is none of these, cut short or in the wrong encoding is
refused with one line saying what it is not and what is expected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, NoReturn

from refundkit.errors import BadFile, BadInput, RefundkitError

Direction = Literal["expense", "income", "neutral"]
Refunded = Literal["full", "partial"]
Source = Literal["wechat-csv", "wechat-xlsx", "alipay-csv"]

MAX_BILL_BYTES = 64 << 20  # a year of bills is a few hundred KB; anything this big is not one
CENT = Decimal("0.01")
EXPECTED = (
    "expected the CSV or XLSX file from a WeChat Pay bill (微信支付账单) or the CSV of an "
    "Alipay statement (支付宝交易明细)"
)
SOURCE_LABELS: dict[str, str] = {
    "wechat-csv": "WeChat Pay bill (CSV)",
    "wechat-xlsx": "WeChat Pay bill (XLSX)",
    "alipay-csv": "Alipay statement (CSV)",
}
PAYMENT_METHODS: dict[str, str] = {
    "wechat-csv": "wechat-pay",
    "wechat-xlsx": "wechat-pay",
    "alipay-csv": "alipay",
}

# The word every header starts with, in each encoding a bill may arrive in: it tells which
# encoding the file really is, independently of what a decoder would accept.
_MARK = "交易时间"
_MARK_UTF8 = _MARK.encode("utf-8")
_MARK_GBK = _MARK.encode("gb18030")
_MARK_UTF16 = (_MARK.encode("utf-16-le"), _MARK.encode("utf-16-be"))


@dataclass(frozen=True)
class Layout:
    """One bill's table: which header names hold which field."""

    source: Source
    columns: dict[str, str]  # field -> header name (after NFKC and trimming)
    required: tuple[str, ...]

    def matches(self, header: Sequence[str]) -> bool:
        names = set(header)
        return all(self.columns[field] in names for field in self.required)


_COMMON_REQUIRED = ("time", "counterparty", "direction", "amount", "status", "transaction_id")
WECHAT = Layout(
    "wechat-csv",
    {
        "time": "交易时间",
        "kind": "交易类型",
        "counterparty": "交易对方",
        "item": "商品",
        "direction": "收/支",
        "amount": "金额(元)",
        "method": "支付方式",
        "status": "当前状态",
        "transaction_id": "交易单号",
        "merchant_order_no": "商户单号",
        "note": "备注",
    },
    (*_COMMON_REQUIRED, "item"),
)
ALIPAY = Layout(
    "alipay-csv",
    {
        "time": "交易时间",
        "kind": "交易分类",
        "counterparty": "交易对方",
        "item": "商品说明",
        "direction": "收/支",
        "amount": "金额",
        "method": "收/付款方式",
        "status": "交易状态",
        "transaction_id": "交易订单号",
        "merchant_order_no": "商家订单号",
        "note": "备注",
    },
    (*_COMMON_REQUIRED, "item"),
)
LAYOUTS = (WECHAT, ALIPAY)


@dataclass(frozen=True)
class Transaction:
    """One row of a bill, with the refund it has seen (from its status or a refund row)."""

    time: datetime  # local time as printed in the bill (UTC+8), naive
    counterparty: str  # 交易对方: the merchant
    item: str  # 商品 / 商品说明
    direction: Direction
    amount: Decimal
    method: str  # 支付方式 / 收/付款方式: the card or balance used
    status: str  # 当前状态 / 交易状态, as printed
    transaction_id: str  # 交易单号 / 交易订单号
    merchant_order_no: str  # 商户单号 / 商家订单号
    note: str
    kind: str  # 交易类型 / 交易分类
    source: Source
    line: int  # row number in the file, for messages
    refunded: Refunded | None = None
    refunded_amount: Decimal | None = None

    @property
    def is_expense(self) -> bool:
        return self.direction == "expense"

    def describe(self) -> str:
        """One line naming the row, for lists of candidates in error messages."""
        who = self.counterparty or self.kind or "?"
        return f"{self.transaction_id} ({self.time:%Y-%m-%d %H:%M}, {who}, ¥{self.amount:,.2f})"

    def refund_text(self) -> str:
        """How the bill marks a refund, in words for the table and the order."""
        if self.refunded == "full":
            return "refunded in full"
        if self.refunded == "partial":
            if self.refunded_amount is not None:
                return f"refunded in part (¥{self.refunded_amount:,.2f} of ¥{self.amount:,.2f})"
            return "refunded in part"
        return ""

    def refund_mark(self) -> str:
        """The refund and where the bill shows it, for the order's bill_status."""
        if not self.refunded:
            return ""
        if self.source == "alipay-csv":
            total = f"¥{self.refunded_amount:.2f}" if self.refunded_amount is not None else ""
            return f"{self.refund_text()} according to the bill (退款成功 refund rows, {total})"
        return f"{self.refund_text()} according to the bill (当前状态 {self.status})"


@dataclass(frozen=True)
class Bill:
    """Every row of one bill file, and a fingerprint of the bytes they were read from."""

    source: Source
    transactions: tuple[Transaction, ...]
    sha256: str

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def payment_method(self) -> str:
        return PAYMENT_METHODS[self.source]

    @property
    def expenses(self) -> list[Transaction]:
        return [t for t in self.transactions if t.is_expense]


# --- entry points --------------------------------------------------------------------------


def read_bill(path: Path) -> Bill:
    """Read and parse a bill file; anything but a regular readable bill is a BadFile."""
    return parse_bill(read_regular_file(path), path.name)


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file, refusing folders, FIFOs (never blocking on one) and giants."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise BadFile(f"no such file: {path}") from None
    except OSError as exc:
        raise BadFile(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise BadFile(f"{path} is a folder, not a bill: give the CSV or XLSX file inside it")
    if not stat.S_ISREG(info.st_mode):
        raise BadFile(f"{path} is not a regular file (a FIFO, socket or device); {EXPECTED}")
    if info.st_size > MAX_BILL_BYTES:
        raise BadFile(f"{path} is {info.st_size} bytes, too large for a bill; {EXPECTED}")
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BILL_BYTES + 1)
    except OSError as exc:
        raise BadFile(f"cannot read {path}: {exc.strerror}") from None


def parse_bill(data: bytes, name: str) -> Bill:
    """Recognise the file by its content (never its extension) and read its table."""
    digest = hashlib.sha256(data).hexdigest()
    source, rows = _table(data, name)
    transactions = [_transaction(cells, cols, source, line, name) for line, cells, cols in rows]
    if source == "alipay-csv":
        transactions = _link_alipay_refunds(transactions)
    return Bill(source, tuple(transactions), digest)


def pick(bill: Bill, wanted: str) -> Transaction:
    """The expense row a user means: an exact transaction number wins, else a unique prefix."""
    query = wanted.strip()
    if not query:
        raise BadInput("empty transaction number: give one from the list, e.g. --pick 4200")
    expenses = bill.expenses
    exact = [t for t in expenses if t.transaction_id == query]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise BadInput(
            f"transaction number {query!r} appears on {len(exact)} expense rows of the bill "
            f"({_candidates(exact)}): refundkit cannot tell them apart; record it with "
            "`refundkit add-order` instead"
        )
    other = [t for t in bill.transactions if t.transaction_id == query]
    if other:
        raise BadInput(
            f"transaction {query} is not an expense (收/支: {other[0].direction}): "
            "only purchases can be recorded"
        )
    matches = [t for t in expenses if t.transaction_id.startswith(query)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise BadInput(
            f"no expense transaction in the bill starts with {query!r}: run "
            "`refundkit import-bill FILE` without --pick to list them"
        )
    raise BadInput(
        f"transaction number {query!r} is ambiguous, it matches {_candidates(matches)}: "
        "type more digits"
    )


def _candidates(rows: list[Transaction], limit: int = 8) -> str:
    shown = "; ".join(t.describe() for t in rows[:limit])
    more = len(rows) - limit
    return shown + (f"; and {more} more" if more > 0 else "")


# --- recognising the file ------------------------------------------------------------------

Row = tuple[int, list[object], dict[str, int]]


def _table(data: bytes, name: str) -> tuple[Source, list[Row]]:
    """The layout and the data rows of the bill, whatever container and encoding it has."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise BadFile(f"{name} is empty; {EXPECTED}")
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _xlsx_table(data, name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile(
            f"{name} is an old Excel .xls workbook, not a bill as exported: import the CSV or "
            "XLSX file from the bill e-mail (or save it as .xlsx)"
        )
    if head.startswith(b"%PDF"):
        raise BadFile(
            f"{name} is a PDF (a 交易流水证明 is for printing, not importing); {EXPECTED}"
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or any(m in data for m in _MARK_UTF16):
        raise BadFile(
            f"{name} is UTF-16 text (the wrong encoding): a WeChat Pay CSV is UTF-8 and an "
            "Alipay CSV is GBK; import the file exactly as downloaded, or save it as CSV UTF-8"
        )
    if b"\x00" in data[:8192]:
        raise BadFile(f"{name} is a binary file, not a CSV or XLSX bill; {EXPECTED}")
    text = _decode(data, name)
    return _csv_table(text, name)


def _decode(data: bytes, name: str) -> str:
    """Decode by the encoding the header word is actually written in (UTF-8, else GBK)."""
    if _MARK_UTF8 in data:
        encoding, label = "utf-8-sig", "UTF-8"
    elif _MARK_GBK in data:
        encoding, label = "gb18030", "GBK"
    else:
        _refuse_unrecognised_text(data, name)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if "end of data" in exc.reason or "incomplete" in exc.reason:
            raise BadFile(
                f"{name} ends in the middle of a character: the file is truncated; "
                "download the bill again"
            ) from None
        line = data[: exc.start].count(b"\n") + 1
        raise BadFile(
            f"{name} is not valid {label} text at line {line} (byte {exc.start}): part of it is "
            "in another encoding; import the bill exactly as downloaded"
        ) from None


def _refuse_unrecognised_text(data: bytes, name: str) -> NoReturn:
    """No header word in any encoding: garbled by a wrong re-save, cut short, or not a bill."""
    text = data.decode("utf-8", errors="ignore")
    for wrong in ("latin-1", "cp1252", "gb18030"):
        try:
            raw = text.encode(wrong)
        except UnicodeEncodeError:
            continue
        if _MARK_UTF8 in raw or _MARK_GBK in raw:
            raise BadFile(
                f"{name} was saved with the wrong text encoding (its Chinese text is garbled): "
                "download the bill again and import the file as it came"
            )
    _refuse_headless(text, name)
    _refuse_headless(data.decode("gb18030", errors="ignore"), name)
    raise BadFile(
        f"{name} is not a WeChat Pay or Alipay bill: it has no 交易时间 table; {EXPECTED}"
    )


def _refuse_headless(text: str, name: str) -> None:
    """A bill's title without its table is a file cut short, not a file of another kind."""
    if "微信支付账单明细" in text or ("支付宝" in text and "交易" in text):
        raise BadFile(
            f"{name} starts like a bill but its table is missing: the file is truncated; "
            "download the bill again"
        )


def _header_cells(cells: Iterable[object]) -> list[str]:
    return [unicodedata.normalize("NFKC", _text(c)).strip().strip('"').strip() for c in cells]


def _layout_of(header: Sequence[str]) -> Layout | None:
    return next((layout for layout in LAYOUTS if layout.matches(header)), None)


def _columns(layout: Layout, header: Sequence[str]) -> dict[str, int]:
    position: dict[str, int] = {}
    for index, cell in enumerate(header):
        position.setdefault(cell, index)
    return {f: position[n] for f, n in layout.columns.items() if n in position}


def _find_header(lines: list[str]) -> tuple[int, Layout] | None:
    """The first line that reads as a known table header (header cells hold no commas)."""
    for index, line in enumerate(lines):
        layout = _layout_of(_header_cells(line.rstrip("\r\n").split(",")))
        if layout is not None:
            return index, layout
    return None


def _csv_table(text: str, name: str) -> tuple[Source, list[Row]]:
    lines = text.splitlines(keepends=True)
    found = _find_header(lines)
    if found is None:
        _refuse_headless(text, name)
        raise BadFile(
            f"{name} is not a WeChat Pay or Alipay bill: no header row like "
            f"交易时间,交易类型,交易对方,… was found; {EXPECTED}"
        )
    index, layout = found
    body = "".join(lines[index:])
    if body.count('"') % 2:
        raise BadFile(
            f"{name} ends inside a quoted cell: the file is truncated; download the bill again"
        )
    reader = csv.reader(io.StringIO(body))
    cols = _columns(layout, _header_cells(next(reader)))
    rows: list[Row] = []
    for cells in _data_rows(reader, cols, name, index):
        values: list[object] = list(cells)
        rows.append((index + reader.line_num, values, cols))
    return layout.source, rows


def _data_rows(
    reader: Iterator[list[str]], cols: dict[str, int], name: str, offset: int
) -> Iterator[list[str]]:
    """Rows up to the end of the table (a dashed line), skipping blank ones."""
    width = max(cols.values()) + 1
    try:
        for cells in reader:
            first = cells[0].strip() if cells else ""
            if first.startswith("---"):
                return
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < width:
                line = offset + getattr(reader, "line_num", 0)
                raise BadFile(
                    f"{name}: line {line} has {len(cells)} cells where the table has {width}: "
                    "the file is truncated or damaged; download the bill again"
                )
            yield cells
    except csv.Error as exc:
        raise BadFile(f"{name} is damaged ({exc}); download the bill again") from None


def _xlsx_table(data: bytes, name: str) -> tuple[Source, list[Row]]:
    """The WeChat Pay table on whichever sheet holds its header row."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise BadFile(
            f"{name} is a damaged or truncated ZIP/XLSX file: download the bill again"
        ) from None
    if "xl/workbook.xml" not in names:
        raise BadFile(
            f"{name} is a ZIP archive, not a bill: unzip it first (the password is in the "
            "WeChat Pay or Alipay message) and import the CSV or XLSX inside"
        )
    try:
        return _xlsx_rows(data, name)
    except RefundkitError:
        raise
    except Exception as exc:  # openpyxl reports damage with many exception types
        raise BadFile(
            f"{name} is a damaged or truncated XLSX workbook ({type(exc).__name__}): "
            "download the bill again"
        ) from None


def _xlsx_rows(data: bytes, name: str) -> tuple[Source, list[Row]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            found = _sheet_rows(sheet.iter_rows(values_only=True), name)
            if found is not None:
                return found
    finally:
        book.close()
    raise BadFile(
        f"{name} is an Excel workbook without a WeChat Pay bill table (no header row like "
        f"交易时间,交易类型,交易对方,…); {EXPECTED}"
    )


def _sheet_rows(rows: Iterator[tuple[object, ...]], name: str) -> tuple[Source, list[Row]] | None:
    for number, cells in enumerate(rows, start=1):
        header = _header_cells(cells)
        if WECHAT.matches(header):
            cols = _columns(WECHAT, header)
            body: list[Row] = []
            for offset, row in enumerate(rows, start=number + 1):
                values = list(row)
                first = _text(values[0]) if values else ""
                if first.startswith("---"):
                    break
                if not any(_text(v) for v in values):
                    continue
                values += [None] * (max(cols.values()) + 1 - len(values))
                body.append((offset, values, cols))
            return "wechat-xlsx", body
    return None


# --- reading a row ---------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as trimmed text; `/` is how WeChat writes 'nothing'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return "" if text == "/" else text


def _transaction(
    cells: Sequence[object], cols: dict[str, int], source: Source, line: int, name: str
) -> Transaction:
    def cell(field: str) -> object:
        return cells[cols[field]] if field in cols else None

    amount = _amount(cell("amount"), name, line)
    direction = _direction(_text(cell("direction")))
    status = _text(cell("status"))
    tx = Transaction(
        time=_time(cell("time"), name, line),
        counterparty=_text(cell("counterparty")),
        item=_text(cell("item")),
        direction=direction,
        amount=amount,
        method=_text(cell("method")),
        status=status,
        transaction_id=_text(cell("transaction_id")),
        merchant_order_no=_text(cell("merchant_order_no")),
        note=_text(cell("note")),
        kind=_text(cell("kind")),
        source=source,
        line=line,
    )
    if direction == "expense" and source != "alipay-csv":
        refunded, refunded_amount = wechat_refund(status, amount)
        tx = replace(tx, refunded=refunded, refunded_amount=refunded_amount)
    return tx


def _direction(text: str) -> Direction:
    if text == "支出":
        return "expense"
    if text == "收入":
        return "income"
    return "neutral"  # `/` in WeChat, 不计收支 in Alipay


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def _time(value: object, name: str, line: int) -> datetime:
    """A bill time: a date cell, an Excel serial number, or text as the bill prints it."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value < 2958466:
        return (datetime(1899, 12, 30) + timedelta(days=float(value))).replace(microsecond=0)
    text = " ".join(_text(value).split())
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    raise BadFile(
        f"{name}: line {line} has no readable time in 交易时间 ({text!r}): the file is "
        "truncated or damaged; download the bill again"
    )


_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)


def _amount(value: object, name: str, line: int) -> Decimal:
    """`¥1,299.00`, `1299.5`, or a number cell, as an exact two-place Decimal."""
    number: Decimal | None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        number = parse_bill_amount(_text(value))
        if number is None:
            raise BadFile(
                f"{name}: line {line} has no readable amount ({_text(value)!r}): the file is "
                "truncated or damaged; download the bill again"
            )
    return abs(number).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_bill_amount(text: str) -> Decimal | None:
    """An amount as bills print it (currency sign, grouping commas, a sign), or None."""
    raw = unicodedata.normalize("NFKC", text)
    raw = raw.replace(" ", "").replace("¥", "").replace("元", "").lstrip("+-")
    if _GROUPED.fullmatch(raw):
        raw = raw.replace(",", "")
    if not _PLAIN.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


_REFUND_AMOUNT = re.compile(r"¥?\s*(\d[\d,]*(?:\.\d+)?)")


def wechat_refund(status: str, amount: Decimal) -> tuple[Refunded | None, Decimal | None]:
    """WeChat's 当前状态: 已全额退款 is full; 已退款(￥10.00) is partial unless it is all of it."""
    text = unicodedata.normalize("NFKC", status).replace(" ", "")
    if text.startswith("已全额退款"):
        return "full", amount
    if text.startswith("已退款") or "部分退款" in text:
        found = _REFUND_AMOUNT.search(text)
        refunded = parse_bill_amount(found.group(1)) if found else None
        if refunded is not None:
            refunded = refunded.quantize(CENT)
            if refunded >= amount:
                return "full", refunded
        return "partial", refunded
    return None, None


def _link_alipay_refunds(rows: list[Transaction]) -> list[Transaction]:
    """Alipay lists a refund as its own 退款成功 row numbered `<original>_<suffix>`."""
    originals = {t.transaction_id: t for t in rows if t.is_expense and t.transaction_id}
    refunds: dict[str, Decimal] = {}
    for row in rows:
        if row.is_expense or "退款" not in row.status + row.kind:
            continue
        if row.status and row.status != "退款成功":
            continue
        original = _refunded_original(row.transaction_id, originals)
        if original is not None:
            refunds[original] = refunds.get(original, Decimal("0")) + row.amount
    linked = []
    for row in rows:
        total = refunds.get(row.transaction_id) if row.is_expense else None
        if total is not None:
            state: Refunded = "full" if total >= row.amount else "partial"
            row = replace(row, refunded=state, refunded_amount=total)
        linked.append(row)
    return linked


def _refunded_original(refund_id: str, originals: dict[str, Transaction]) -> str | None:
    for index, char in enumerate(refund_id):
        if char == "_" and refund_id[:index] in originals:
            return refund_id[:index]
    return None
