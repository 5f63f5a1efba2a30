"""Reading the bills WeChat Pay and Alipay export: a file in, its transactions out. Pure.

Every parser that counted lines broke when a layout moved (16 summary lines became 17, an XLSX
sheet gained a `Column1..` row, Alipay dropped a line of its notes), so the table is found by
its header row and columns are mapped by name. The layouts the apps have exported since 2019:

- WeChat Pay CSV (UTF-8, until mid-2025): summary lines padded with commas, cells quoted or
  not, a tab or spaces after the numbers, `/` for empty; a merchant name may hold an unquoted
  comma, which splits it over two cells;
- WeChat Pay XLSX (from mid-2025; since 2026 a fourth note line and amounts as numbers);
- Alipay app CSV (GBK): the 2021 order (收/支 first, 交易时间 last), the 2023 order under a
  block of notes, the 2026 one with a note fewer; cells padded with spaces, a trailing comma,
  refunds as rows of their own numbered `<original>_<suffix>`;
- Alipay web CSV, "交易记录明细查询" (GBK, or UTF-8 with a BOM): creation and payment times,
  the refund in a column of its own, where the payment came from (淘宝 names the platform),
  cells padded with spaces and tabs, and a summary after the table.

Times in these bills are UTC+8 local times and are kept as naive datetimes. Reading is
bounded (billfile.py, xlsx.py): a file that is not a bill is refused with one line saying what
it is, long before it can cost much time or memory.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Literal, NoReturn

from refundkit import billfile
from refundkit.billfile import expected, refuse
from refundkit.errors import BadFile, BadInput
from refundkit.i18n import _
from refundkit.sanitize import visible

Direction = Literal["expense", "income", "neutral"]
Refunded = Literal["full", "partial"]
State = Literal["closed", "returned"]
Source = Literal["wechat-csv", "wechat-xlsx", "alipay-csv", "alipay-web-csv"]

MAX_ROWS = 100_000  # transactions in one bill; a heavy user's year has a few thousand
MAX_TEXT = 2_000  # characters in one cell of the table; a bill's hold a few dozen
MAX_EXTRA_CELLS = 16  # cells a row may have beyond its header (an unquoted comma or two)
HEADER_SEARCH = 200  # lines (or sheet rows) in which the table's header must appear
CENT = Decimal("0.01")
PAYMENT_METHODS: dict[str, str] = {
    "wechat-csv": "wechat-pay",
    "wechat-xlsx": "wechat-pay",
    "alipay-csv": "alipay",
    "alipay-web-csv": "alipay",
}
STATUS_COLUMNS: dict[str, str] = {
    "wechat-csv": "当前状态",
    "wechat-xlsx": "当前状态",
    "alipay-csv": "交易状态",
    "alipay-web-csv": "交易状态",
}
# 交易来源地 of Alipay's web export: the only cell in any bill that names a shopping platform.
PLATFORMS = {"淘宝": "taobao", "天猫": "tmall"}
# Titles that start each kind of bill: a file holding one but no table was cut short.
TITLES = {
    "微信支付账单明细": "wechat",
    "支付宝交易记录明细查询": "alipay-web",
    "电子客户回单": "alipay",
}


def _title_name(kind: str) -> str:
    """A kind of bill (TITLES' values) named in a sentence."""
    return {
        "wechat": _("a WeChat Pay bill"),
        "alipay-web": _("an Alipay web statement"),
        "alipay": _("an Alipay statement"),
    }[kind]


@dataclass(frozen=True)
class Layout:
    """One bill's table: which header names hold which field."""

    source: Source
    columns: dict[str, tuple[str, ...]]  # field -> the names it goes by (after NFKC, trimmed)
    required: tuple[str, ...] = (
        "time",
        "counterparty",
        "item",
        "direction",
        "amount",
        "status",
        "transaction_id",
    )

    def mapping(self, header: Sequence[str]) -> dict[str, int] | None:
        """Field -> column index, if every required field is in the header."""
        position: dict[str, int] = {}
        for index, cell in enumerate(header):
            position.setdefault(cell, index)
        found: dict[str, int] = {}
        for name, aliases in self.columns.items():
            at = next((position[a] for a in aliases if a in position), None)
            if at is not None:
                found[name] = at
        return found if all(f in found for f in self.required) else None


WECHAT = Layout(
    "wechat-csv",
    {
        "time": ("交易时间",),
        "kind": ("交易类型",),
        "counterparty": ("交易对方",),
        "item": ("商品",),
        "direction": ("收/支",),
        "amount": ("金额(元)",),
        "method": ("支付方式",),
        "status": ("当前状态",),
        "transaction_id": ("交易单号",),
        "merchant_order_no": ("商户单号",),
        "note": ("备注",),
    },
)
ALIPAY = Layout(
    "alipay-csv",
    {
        "time": ("交易时间",),
        "kind": ("交易分类",),
        "counterparty": ("交易对方",),
        "item": ("商品说明",),
        "direction": ("收/支",),
        "amount": ("金额",),
        "method": ("收/付款方式", "收付款方式"),
        "status": ("交易状态",),
        "transaction_id": ("交易订单号",),
        "merchant_order_no": ("商家订单号",),
        "note": ("备注",),
    },
)
ALIPAY_WEB = Layout(
    "alipay-web-csv",
    {
        "transaction_id": ("交易号",),
        "merchant_order_no": ("商家订单号", "商户订单号"),
        "time": ("交易创建时间",),
        "origin": ("交易来源地",),
        "kind": ("类型",),
        "counterparty": ("交易对方",),
        "item": ("商品名称",),
        "amount": ("金额(元)",),
        "direction": ("收/支",),
        "status": ("交易状态",),
        "refund": ("成功退款(元)",),
        "note": ("备注",),
    },
)
LAYOUTS = (WECHAT, ALIPAY, ALIPAY_WEB)
KNOWN_COLUMNS = frozenset(
    a for layout in LAYOUTS for names in layout.columns.values() for a in names
)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One row of a bill, with the refund it has seen (from its status, a refund row or the
    refund column) and what its status says happened to it."""

    time: datetime  # local time as printed in the bill (UTC+8), naive
    counterparty: str  # 交易对方: the merchant
    item: str  # 商品 / 商品说明 / 商品名称
    direction: Direction
    amount: Decimal
    method: str  # 支付方式 / 收/付款方式: the card or balance used
    status: str  # 当前状态 / 交易状态, as printed
    transaction_id: str  # 交易单号 / 交易订单号 / 交易号
    merchant_order_no: str  # 商户单号 / 商家订单号
    note: str
    kind: str  # 交易类型 / 交易分类 / 类型
    source: Source
    line: int  # first line (CSV) or row (XLSX) of the record in the file
    last_line: int = 0  # last line: a quoted cell may span lines
    refunded: Refunded | None = None
    refunded_amount: Decimal | None = None
    state: State | None = None
    platform: str | None = None  # only where the row names one

    @property
    def is_expense(self) -> bool:
        return self.direction == "expense"

    @property
    def pickable(self) -> bool:
        """A row can become an order only if it has an amount to claim back."""
        return self.amount > 0

    def unpickable_reason(self) -> str:
        return _(
            "the bill shows ¥{amount} for it (paid by other means, such as medical "
            "insurance): there is no amount to claim back"
        ).format(amount=f"{self.amount:.2f}")

    def describe(self) -> str:
        """One line naming the row, for lists of candidates in error messages."""
        who = self.counterparty or self.kind or "?"
        number = self.transaction_id or _("(no number)")
        return _("{number} ({time}, {who}, ¥{amount})").format(
            number=number, time=f"{self.time:%Y-%m-%d %H:%M}", who=who, amount=f"{self.amount:,.2f}"
        )

    def refund_text(self) -> str:
        """How the bill marks a refund, in words for the listing and the order."""
        if self.refunded == "full":
            return _("refunded in full")
        if self.refunded == "partial":
            if self.refunded_amount is not None:
                return _("refunded in part (¥{refunded} of ¥{amount})").format(
                    refunded=f"{self.refunded_amount:,.2f}", amount=f"{self.amount:,.2f}"
                )
            return _("refunded in part")
        return ""

    def marks(self) -> list[str]:
        """What the listing says of the row beyond its facts: status, refund, pickability."""
        shown = []
        if self.state == "closed":
            shown.append(_("closed ({status})").format(status=self.status))
        if self.state == "returned":
            shown.append(_("returned to you ({status})").format(status=self.status))
        if self.refunded:
            shown.append(self.refund_text())
        if not self.pickable:
            shown.append(_("not pickable: {reason}").format(reason=self.unpickable_reason()))
        return shown

    def status_record(self) -> dict[str, object]:
        """What the bill says happened to the payment, for the order (nothing if nothing did):
        the bill's own words (bill_status, e.g. 已退款(￥10.00)), what they mean as codes
        (bill_state: closed, returned, refunded-full, refunded-part) and the amount that came
        back (bill_refunded). Codes, so each screen and letter words them in its language."""
        states: list[str] = []
        if self.state in ("closed", "returned"):
            states.append(self.state)
        if self.refunded:
            states.append("refunded-full" if self.refunded == "full" else "refunded-part")
        if not states:
            return {}
        column = STATUS_COLUMNS[self.source]
        words = f"{column} {self.status}" if self.status else self._refund_source()
        refunded = self.refunded_total()
        return {
            "bill_status": words,
            "bill_state": " ".join(states),
            "bill_refunded": refunded if refunded else None,
        }

    def _refund_source(self) -> str:
        total = f"¥{self.refunded_amount:.2f}" if self.refunded_amount is not None else ""
        if self.source == "alipay-csv":
            return f"退款成功 {total}"
        if self.source == "alipay-web-csv":
            return f"成功退款（元） {total}"
        return f"当前状态 {self.status}"

    def refunded_total(self) -> Decimal | None:
        """The amount the bill shows coming back (a refund or a returned transfer), if known."""
        if self.state == "returned":
            return self.amount
        if self.refunded == "full":
            return self.refunded_amount if self.refunded_amount is not None else self.amount
        return self.refunded_amount if self.refunded else None


@dataclass(frozen=True)
class Listed:
    """An expense row as the listing shows it: its number there, and the row."""

    row: int
    tx: Transaction

    def describe(self) -> str:
        return _("row {row}: {payment}").format(row=self.row, payment=self.tx.describe())


@dataclass(frozen=True)
class Bill:
    """Every row of one bill file, where its table is, and a fingerprint of its bytes."""

    source: Source
    transactions: tuple[Transaction, ...]
    sha256: str
    size: int = 0
    name: str = ""
    header_line: int = 0  # the line (CSV) or row (XLSX) of the table's header
    columns: dict[str, int] = field(default_factory=dict)
    sheet: str | None = None  # the XLSX member holding the table

    @property
    def label(self) -> str:
        from refundkit.words.names import bill

        return bill(self.source)

    @property
    def payment_method(self) -> str:
        return PAYMENT_METHODS[self.source]

    @property
    def expenses(self) -> list[Transaction]:
        return [t for t in self.transactions if t.is_expense]

    @cached_property
    def listing(self) -> list[Listed]:
        """The expense rows newest first (rows of one time in file order), numbered from 1:
        the numbers --row takes."""
        ordered = sorted(self.expenses, key=lambda t: t.time, reverse=True)
        return [Listed(number, tx) for number, tx in enumerate(ordered, start=1)]

    def related(self, tx: Transaction) -> list[Transaction]:
        """The rows that belong to this payment: the refunds the bill lists apart from it."""
        if self.source == "alipay-csv" and tx.transaction_id:
            prefix = tx.transaction_id + "_"
            return [t for t in self.transactions if t.transaction_id.startswith(prefix)]
        if self.source.startswith("wechat") and tx.merchant_order_no:
            return [
                t
                for t in self.transactions
                if not t.is_expense
                and "退款" in t.kind
                and t.merchant_order_no == tx.merchant_order_no
            ]
        return []


# --- entry points --------------------------------------------------------------------------


def read_bill(path: Path) -> Bill:
    """Read and parse a bill file; anything but a regular readable bill is a BadFile."""
    with billfile.open_regular(path) as handle:
        return _read(handle, path.name)


def parse_bill(data: bytes, name: str) -> Bill:
    """The same reading, from bytes in memory."""
    if len(data) > billfile.MAX_BILL_BYTES:
        refuse(
            name,
            _("{file} is {size} bytes, too large for a bill; {expected}"),
            size=f"{len(data):,}",
            expected=expected(),
        )
    return _read(io.BytesIO(data), name)


def _read(handle: IO[bytes], name: str) -> Bill:
    head = handle.read(billfile.HEAD_BYTES)
    handle.seek(0)
    if billfile.sniff(head, name) == "zip":
        return _read_xlsx(billfile.read_capped(handle, name), name)
    return _read_text(handle, head, name)


def pick(bill: Bill, wanted: str) -> Listed:
    """The expense row a user means: an exact transaction number wins, else a unique prefix."""
    query = wanted.strip()
    if not query:
        raise _bad_input(_("empty transaction number: give one from the list, e.g. --pick 4200"))
    listed = bill.listing
    exact = [entry for entry in listed if entry.tx.transaction_id == query]
    if len(exact) == 1:
        return pickable(exact[0])
    if len(exact) > 1:
        raise _bad_input(
            _(
                "transaction number {number} appears on {count} expense rows of the bill "
                "({candidates}): pick one by its row, e.g. --row {row}"
            ).format(
                number=repr(query),
                count=len(exact),
                candidates=_candidates(exact),
                row=exact[0].row,
            )
        )
    other = [t for t in bill.transactions if t.transaction_id == query]
    if other:
        raise _bad_input(
            _(
                "transaction {number} is not an expense (收/支: {direction}): "
                "only purchases can be recorded"
            ).format(number=query, direction=other[0].direction)
        )
    matches = [entry for entry in listed if entry.tx.transaction_id.startswith(query)]
    if len(matches) == 1:
        return pickable(matches[0])
    if not matches:
        raise _bad_input(
            _(
                "no expense transaction in the bill starts with {number}: run the same "
                "import-bill command without --pick to list them"
            ).format(number=repr(query))
        )
    raise _bad_input(
        _(
            "transaction number {number} is ambiguous, it matches {candidates}: "
            "type more digits, or pick by its row, e.g. --row {row}"
        ).format(number=repr(query), candidates=_candidates(matches), row=matches[0].row)
    )


def pick_row(bill: Bill, number: int) -> Listed:
    """The expense row with this number in the listing."""
    listed = bill.listing
    if not listed:
        raise _bad_input(
            _("this {bill} lists no expense transactions: there is no row {row}").format(
                bill=bill.label, row=number
            )
        )
    if not 1 <= number <= len(listed):
        raise _bad_input(
            _(
                "row {row} is not in the listing: the bill's expense rows are numbered 1 to "
                "{count} (the same import-bill command without --row lists them)"
            ).format(row=number, count=len(listed))
        )
    return pickable(listed[number - 1])


def pickable(entry: Listed) -> Listed:
    if not entry.tx.pickable:
        raise _bad_input(
            _("{row} cannot be recorded: {reason}").format(
                row=entry.describe(), reason=entry.tx.unpickable_reason()
            )
        )
    return entry


def _bad_input(message: str) -> BadInput:
    """A refusal quoting the bill's own text (numbers, merchants), shown, never emitted."""
    return BadInput(visible(message))


def _candidates(rows: list[Listed], limit: int = 8) -> str:
    shown = _("; ").join(entry.describe() for entry in rows[:limit])
    more = len(rows) - limit
    if more <= 0:
        return shown
    return _("{rows}; and {n} more").format(rows=shown, n=more)


def bill_json(bill: Bill) -> dict[str, Any]:
    """The listing as `import-bill FILE --json` prints it (the contract's shape)."""
    return {
        "source": bill.source,
        "transactions": [
            {
                "id": entry.tx.transaction_id or None,
                "time": entry.tx.time.isoformat(),
                "amount": f"{entry.tx.amount:.2f}",
                "currency": "CNY",
                "merchant": entry.tx.counterparty or entry.tx.kind,
                "item": entry.tx.item,
                "status": entry.tx.status,
                "refunded": _money(entry.tx.refunded_total()),
                "pickable": entry.tx.pickable,
                "row": entry.row,
            }
            for entry in bill.listing
        ],
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# --- text bills ----------------------------------------------------------------------------


def _header_cells(cells: Iterable[object]) -> list[str]:
    return [unicodedata.normalize("NFKC", _text(c)).strip().strip('"').strip() for c in cells]


def _match(cells: Iterable[object]) -> tuple[Layout, dict[str, int]] | None:
    header = _header_cells(cells)
    for layout in LAYOUTS:
        mapping = layout.mapping(header)
        if mapping is not None:
            return layout, mapping
    return None


def _read_text(handle: IO[bytes], head: bytes, name: str) -> Bill:
    codec = billfile.text_encoding(head, name)
    lines = billfile.Lines(handle, codec, name)
    stream = iter(lines)
    seen: list[str] = []
    found = None
    for text in stream:
        found = _match(text.rstrip("\r\n").split(","))
        if found is not None:
            break
        seen.append(text[:400])
        if lines.number >= HEADER_SEARCH:
            break
    if found is None:
        _refuse_headless(seen, lines.at_end, name)
    layout, mapping = found
    header_line = lines.number
    lines.counting = True
    reader = csv.reader(stream)
    width = len(text.rstrip("\r\n").split(","))
    memo: dict[str, str] = {}
    rows: list[Transaction] = []
    end = header_line
    try:
        for cells in reader:
            start, end = end + 1, header_line + reader.line_num
            if cells and cells[0].strip().startswith("---"):
                lines.drain()
                break
            if not any(c.strip() for c in cells):
                continue
            fitted = _fit(cells, width, layout, mapping, name, start, lines)
            rows.append(_transaction(fitted, mapping, layout.source, start, name, memo, lines, end))
            if len(rows) > MAX_ROWS:
                _too_many(name)
        else:
            if lines.quotes % 2:
                refuse(
                    name,
                    _(
                        "{file} ends inside a quoted cell: the file is truncated; download the "
                        "bill again"
                    ),
                )
    except csv.Error as exc:
        if lines.at_end:
            refuse(
                name,
                _(
                    "{file} ends in the middle of a row ({error}): the file is truncated; "
                    "download the bill again"
                ),
                error=exc,
            )
        refuse(
            name,
            _("{file} is damaged at line {line} ({error}); download the bill again"),
            line=header_line + reader.line_num,
            error=exc,
        )
    transactions = _finish(layout.source, rows)
    return Bill(
        layout.source,
        tuple(transactions),
        lines.digest.hexdigest(),
        lines.size,
        name,
        header_line,
        mapping,
    )


def _fit(
    cells: list[str],
    width: int,
    layout: Layout,
    mapping: dict[str, int],
    name: str,
    line: int,
    lines: billfile.Lines,
) -> list[str]:
    """The row fitted to its header (`width` cells), or a refusal saying why it cannot be.

    WeChat leaves a comma inside a merchant or item name unquoted (`WALMART CO.,LIMITED`),
    splitting it over two cells: the cells are joined back where that makes the row whole.
    """
    if len(cells) < max(mapping.values()) + 1:
        if lines.at_end and not lines.final_newline:
            refuse(
                name,
                _(
                    "{file} line {line} has {cells} cells where the table has {width}: the file "
                    "is truncated; download the bill again"
                ),
                line=line,
                cells=len(cells),
                width=width,
            )
        _edited_row(name, line, len(cells), width)
    extra = len(cells) - width
    if extra <= 0 or not any(c.strip() for c in cells[width:]):
        return cells
    if extra > MAX_EXTRA_CELLS:
        refuse(
            name,
            _("{file} line {line} has {cells} cells where the table has {width}: not a bill"),
            line=line,
            cells=f"{len(cells):,}",
            width=width,
        )
    if layout is WECHAT:
        for field_name in ("counterparty", "item"):
            at = mapping[field_name]
            joined = [*cells[:at], ",".join(cells[at : at + extra + 1]), *cells[at + extra + 1 :]]
            direction = _text(joined[mapping["direction"]])
            amount = parse_bill_amount(_text(joined[mapping["amount"]]))
            if direction in ("支出", "收入", "") and amount is not None:
                return joined
    _edited_row(name, line, len(cells), width)


def _edited_row(name: str, line: int, cells: int, width: int) -> NoReturn:
    refuse(
        name,
        _(
            "{file} line {line} has {cells} cells where the table has {width}: the file was "
            "edited or is damaged; download the bill again"
        ),
        line=line,
        cells=cells,
        width=width,
    )


def _too_many(name: str) -> NoReturn:
    refuse(
        name,
        _("{file} has more than {limit} transactions: more than any bill"),
        limit=f"{MAX_ROWS:,}",
    )


def _refuse_headless(seen: list[str], at_end: bool, name: str) -> NoReturn:
    """No known header: say whether this is a cut-off bill, another layout, or not a bill."""
    text = "".join(seen)
    found = next((what for mark, what in TITLES.items() if mark in text), None)
    title = _title_name(found) if found else None
    for line in seen:
        cells = _header_cells(line.rstrip("\r\n").split(","))
        known = [c for c in cells if c in KNOWN_COLUMNS]
        if "公众账号ID" in cells or "商户号" in cells:
            refuse(
                name,
                _(
                    "{file} is a WeChat Pay merchant settlement file (商户对账单), not a personal "
                    "bill: export your own bill in WeChat (我 > 服务 > 钱包 > 账单 > 下载账单)"
                ),
            )
        if len(known) >= 3:
            kind = title or _("a WeChat Pay or Alipay bill")
            refuse(
                name,
                _(
                    "{file} looks like {kind} in a layout refundkit does not know (its columns: "
                    "{columns}): record the purchase with `refundkit add-order` instead"
                ),
                kind=kind,
                columns=", ".join(c for c in cells if c)[:200],
            )
    if title and at_end:
        refuse(
            name,
            _(
                "{file} starts like {kind} but its table is missing: the file is truncated; "
                "download the bill again"
            ),
            kind=title,
        )
    if title:
        refuse(
            name,
            _("{file} starts like {kind} but holds no table refundkit knows; {expected}"),
            kind=title,
            expected=expected(),
        )
    table = next((line for line in seen if line.count(",") >= 2 and line.strip(", \r\n")), None)
    if table is not None:
        first = ", ".join(c for c in _header_cells(table.rstrip("\r\n").split(",")) if c)[:120]
        refuse(
            name,
            _(
                "{file} is not a WeChat Pay or Alipay bill: it is a CSV table of another kind "
                "(its first row: {row}); {expected}"
            ),
            row=first,
            expected=expected(),
        )
    refuse(
        name,
        _("{file} is not a WeChat Pay or Alipay bill: it has no 交易时间 table; {expected}"),
        expected=expected(),
    )


# --- XLSX bills ----------------------------------------------------------------------------


def _read_xlsx(data: bytes, name: str) -> Bill:
    """The WeChat Pay table, on whichever sheet holds its header row."""
    import hashlib

    from refundkit import xlsx

    book = xlsx.open_workbook(data, name)
    for sheet in book.sheets:
        found = _sheet_table(book, sheet, name)
        if found is not None:
            header_row, mapping, rows = found
            return Bill(
                "wechat-xlsx",
                tuple(_finish("wechat-xlsx", rows)),
                hashlib.sha256(data).hexdigest(),
                len(data),
                name,
                header_row,
                mapping,
                sheet.member,
            )
    refuse(
        name,
        _(
            "{file} is an Excel workbook without a WeChat Pay bill table (no header row like "
            "交易时间,交易类型,交易对方,…); {expected}"
        ),
        expected=expected(),
    )


def _sheet_table(
    book: Any, sheet: Any, name: str
) -> tuple[int, dict[str, int], list[Transaction]] | None:
    from refundkit import xlsx

    rows = xlsx.rows(book, sheet)
    try:
        found = None
        for count, (number, cells) in enumerate(rows, start=1):
            found = _match(cells)
            if found is not None:
                header_row = number
                break
            if count >= HEADER_SEARCH:
                return None
        if found is None:
            return None
        layout, mapping = found
        if layout is not WECHAT:
            if layout.source.startswith("alipay"):
                saved = _(
                    "{file} is an Alipay statement saved as an Excel workbook: import the CSV "
                    "file exactly as downloaded"
                )
            else:
                saved = _(
                    "{file} is a bill saved as an Excel workbook: import the CSV file exactly "
                    "as downloaded"
                )
            refuse(name, saved)
        width = max(mapping.values()) + 1
        memo: dict[str, str] = {}
        body: list[Transaction] = []
        for number, cells in rows:
            first = _text(cells[0]) if cells else ""
            if first.startswith("---"):
                break
            if not any(_text(v) for v in cells):
                continue
            cells = cells + [None] * (width - len(cells))
            body.append(_transaction(cells, mapping, "wechat-xlsx", number, name, memo, None))
            if len(body) > MAX_ROWS:
                _too_many(name)
        return header_row, mapping, body
    finally:
        rows.close()


# --- reading a row -------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as trimmed text; `/` is how WeChat writes 'nothing'."""
    if value is None:
        return ""
    text = value.strip() if isinstance(value, str) else _number_text(value)
    return "" if text == "/" else text


def _number_text(value: object) -> str:
    text = str(getattr(value, "text", value)).strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        return text[:-2]
    return text


def _transaction(
    cells: Sequence[object],
    cols: dict[str, int],
    source: Source,
    line: int,
    name: str,
    memo: dict[str, str],
    lines: billfile.Lines | None,
    last_line: int = 0,
) -> Transaction:
    at = (_("row {n}") if source == "wechat-xlsx" else _("line {n}")).format(n=line)
    texts: dict[str, str] = {}
    for field_name, index in cols.items():
        value = _text(cells[index])
        if len(value) > MAX_TEXT:
            refuse(
                name,
                _(
                    "{file} {at} has a cell of {size} characters (a bill's hold a few dozen): "
                    "not a bill"
                ),
                at=at,
                size=f"{len(value):,}",
            )
        # the short texts that repeat row after row (a status, a shop) are stored once
        texts[field_name] = memo.setdefault(value, value) if len(value) < 40 else value
    cut = lines is not None and lines.at_end and not lines.final_newline
    amount = _amount(cells[cols["amount"]], name, at, cut)
    direction = _direction(texts["direction"])
    status = texts["status"]
    refunded: Refunded | None = None
    refunded_amount: Decimal | None = None
    if direction == "expense" and source != "alipay-csv":
        refunded, refunded_amount = _refund(source, status, texts.get("refund", ""), amount)
    return Transaction(
        time=_time(cells[cols["time"]], name, at, cut),
        counterparty=texts["counterparty"],
        item=texts["item"],
        direction=direction,
        amount=amount,
        method=texts.get("method", ""),
        status=status,
        transaction_id=texts["transaction_id"],
        merchant_order_no=texts.get("merchant_order_no", ""),
        note=texts.get("note", ""),
        kind=texts.get("kind", ""),
        source=source,
        line=line,
        last_line=last_line if last_line != line else 0,
        refunded=refunded,
        refunded_amount=refunded_amount,
        state=_state(status),
        platform=PLATFORMS.get(texts.get("origin", "")),
    )


def _refund(
    source: Source, status: str, column: str, amount: Decimal
) -> tuple[Refunded | None, Decimal | None]:
    """A refund the row itself shows: WeChat in its status, Alipay's web export in a column
    (the app's lists refunds as rows of their own, linked in _link_alipay_refunds)."""
    if source.startswith("wechat"):
        return wechat_refund(status, amount)
    back = parse_bill_amount(column)
    if not back:
        return None, None
    back = back.quantize(CENT)
    return ("full" if back >= amount else "partial"), back


def _state(status: str) -> State | None:
    if "关闭" in status:
        return "closed"
    if "已退还" in status:
        return "returned"
    return None


def _direction(text: str) -> Direction:
    if text == "支出":
        return "expense"
    if text == "收入":
        return "income"
    return "neutral"  # `/` in WeChat, 不计收支 or 其他 in Alipay, empty on the web


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def _damage(problem: str, cut: bool) -> NoReturn:
    """problem: a whole message, its values filled in; the ending says what to do."""
    if cut:
        ending = _("{problem}: the file is truncated; download the bill again")
    else:
        ending = _("{problem}: the file was edited or is damaged; download the bill again")
    raise BadFile(visible(ending.format(problem=problem)))


def _time(value: object, name: str, at: str, cut: bool = False) -> datetime:
    """A bill time: a date cell, an Excel serial number, or text as the bill prints it."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    serial = getattr(value, "text", None)
    if serial is not None:
        try:
            days = float(serial)
        except ValueError:
            days = 0.0
        if 1 < days < 2958466:
            return datetime(1899, 12, 30) + timedelta(seconds=round(days * 86400))
    text = " ".join(_text(value).split())
    if len(text) in (16, 19) and text[4:5] == "-":
        try:
            return datetime.fromisoformat(text)  # the common case, in C
        except ValueError:
            pass
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    problem = _("{file} {at} has no readable time in its time column ({text})")
    _damage(problem.format(file=name, at=at, text=repr(text[:40])), cut)


def _amount(value: object, name: str, at: str, cut: bool = False) -> Decimal:
    """`¥1,299.00`, `1299.5`, or a number cell, as an exact two-place Decimal."""
    raw = getattr(value, "text", None)
    number = _number(raw) if raw is not None else parse_bill_amount(_text(value))
    if number is None:
        problem = _("{file} {at} has no readable amount ({text})")
        _damage(problem.format(file=name, at=at, text=repr(_text(value)[:40])), cut)
    return abs(number).quantize(CENT, rounding=ROUND_HALF_UP)


def _number(text: str) -> Decimal | None:
    """A number cell's stored text (`28.16`, `7.0000000000000007E-2`), if it is a sane amount."""
    try:
        number = Decimal(text) if len(text) <= 40 else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= 10**12:
        return None
    return number


def parse_bill_amount(text: str) -> Decimal | None:
    """An amount as bills print it (currency sign, grouping commas, a sign), or None."""
    raw = unicodedata.normalize("NFKC", text)
    raw = raw.strip().replace("¥", "").replace("元", "").strip().lstrip("+-")
    if not raw or len(raw) > 40:
        return None
    if "," in raw:
        whole, _, cents = raw.partition(".")
        groups = whole.split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        raw = "".join(groups) + (f".{cents}" if cents or raw.endswith(".") else "")
    if not raw.replace(".", "", 1).isdigit() or not raw.isascii():
        return None
    if raw.startswith(".") or raw.endswith("."):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def wechat_refund(status: str, amount: Decimal) -> tuple[Refunded | None, Decimal | None]:
    """WeChat's 当前状态: 已全额退款 is full; 已退款(￥10.00) is partial unless it is all of it."""
    text = unicodedata.normalize("NFKC", status).replace(" ", "")
    if text.startswith("已全额退款"):
        return "full", amount
    if text.startswith("已退款") or "部分退款" in text:
        refunded = _first_amount(text)
        if refunded is not None:
            refunded = refunded.quantize(CENT)
            if refunded >= amount:
                return "full", refunded
        return "partial", refunded
    return None, None


def _first_amount(text: str) -> Decimal | None:
    """The first number in a status like 已退款(¥10.00)."""
    start = next((i for i, c in enumerate(text) if c.isdigit()), None)
    if start is None:
        return None
    end = start
    while end < len(text) and (text[end].isdigit() or text[end] in ".,"):
        end += 1
    return parse_bill_amount(text[start:end].rstrip(".,"))


def _finish(source: Source, rows: list[Transaction]) -> list[Transaction]:
    return _link_alipay_refunds(rows) if source == "alipay-csv" else rows


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


# --- the extract: the proof of one payment, without the others -----------------------------


@dataclass(frozen=True)
class Extract:
    """A derived file: the bill's header lines and one payment's rows, in the bill's format
    family (a CSV; the original's own bytes for a CSV bill)."""

    name: str
    data: bytes
    lines: tuple[int, ...]  # the lines (or rows) of the original it holds after the header


def location(bill: Bill, tx: Transaction) -> str:
    """Where the row is in the original: `line 18` of a CSV, `row 18` of a workbook."""
    return f"row {tx.line}" if bill.source == "wechat-xlsx" else f"line {tx.line}"


def extract(bill: Bill, path: Path, entry: Listed) -> Extract:
    """The header and this payment's rows (refund rows included), read again from the file,
    which must still be the one that was parsed (same SHA-256)."""
    rows = [entry.tx, *bill.related(entry.tx)]
    wanted: set[int] = set()
    for tx in rows:
        wanted.update(range(tx.line, max(tx.line, tx.last_line) + 1))
    stem = Path(bill.name or path.name).stem
    name = f"{stem}-extract-{location(bill, entry.tx).replace(' ', '')}.csv"
    if bill.source == "wechat-xlsx":
        data = _xlsx_extract(bill, path, wanted)
    else:
        data = _csv_extract(bill, path, wanted)
    return Extract(name, data, tuple(sorted(wanted)))


def _changed(path: Path) -> NoReturn:
    raise BadFile(
        visible(
            _(
                "{path} changed while it was being imported: nothing was recorded; run the "
                "command again"
            ).format(path=path)
        )
    )


def _csv_extract(bill: Bill, path: Path, wanted: set[int]) -> bytes:
    import hashlib

    digest = hashlib.sha256()
    kept: list[bytes] = []
    number = 0
    with billfile.open_regular(path) as handle:
        while raw := handle.readline(billfile.MAX_LINE_BYTES + 1):
            number += 1
            digest.update(raw)
            if number <= bill.header_line or number in wanted:
                kept.append(raw)
    if digest.hexdigest() != bill.sha256:
        _changed(path)
    if kept and not kept[-1].endswith(b"\n"):
        kept[-1] += b"\r\n" if kept[0].endswith(b"\r\n") else b"\n"
    return b"".join(kept)


def _xlsx_extract(bill: Bill, path: Path, wanted: set[int]) -> bytes:
    import hashlib

    from refundkit import xlsx

    with billfile.open_regular(path) as handle:
        data = billfile.read_capped(handle, path.name)
    if hashlib.sha256(data).hexdigest() != bill.sha256:
        _changed(path)
    book = xlsx.open_workbook(data, path.name)
    sheet = next(s for s in book.sheets if s.member == bill.sheet)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    time_column = bill.columns.get("time", 0)
    last = max(wanted)
    rows = xlsx.rows(book, sheet)
    try:
        for number, cells in rows:
            if number > last:
                break
            if number <= bill.header_line or number in wanted:
                writer.writerow(_extract_cells(cells, time_column, number in wanted))
    finally:
        rows.close()
    return out.getvalue().encode("utf-8-sig")


def _extract_cells(cells: list[object], time_column: int, data_row: bool) -> list[str]:
    """A workbook row as CSV cells: a time stored as a serial number is written as the time."""
    shown = []
    for index, value in enumerate(cells):
        if data_row and index == time_column and getattr(value, "text", None) is not None:
            shown.append(f"{_time(value, '', ''):%Y-%m-%d %H:%M:%S}")
        elif value is None:
            shown.append("")
        elif isinstance(value, str):
            shown.append(value)
        else:
            shown.append(_number_text(value))
    while shown and not shown[-1]:
        shown.pop()
    return shown
