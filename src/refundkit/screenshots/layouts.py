"""Layout rules: recognised lines in, the facts of a payment or an order out. Pure functions.

The pages read are WeChat Pay's bill detail (账单详情: 商品, 商户全称, 支付时间, 支付方式,
交易单号, 商户单号 and the amount line), Alipay's (商品说明, 支付时间, 付款方式, 订单号,
商家订单号, the amount line, the payee above it) and a generic shop order page (订单编号 or
订单号, 实付款 or 实付, 下单时间 or 创建时间, the item and the shop from the product card or a
商品 row).

How a page is read: the boxes are straightened (a screenshot photographed or rotated a few
degrees gives slanted boxes), grouped into rows by their vertical overlap, and each row whose
first piece is a known label gives that label's value: the rest of the row, plus the lines
under it in the value column when a long value wraps. Amounts and dates then go through the same
parsers as typed input (refundkit.parse), so a value the command line would refuse is not
recorded either.

A fact is never recorded silently when there is reason to doubt it: each keeps the text it came
from and the engine's confidence, and a fact with low confidence, a date that does not parse, a
transaction number whose length or embedded date does not fit its page, or an order number with
characters no order number has, carries a `problem`. The command shows such facts for
correction in a terminal and leaves them out with --yes.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from refundkit.errors import BadInput
from refundkit.i18n import _
from refundkit.parse import format_money, parse_money, parse_when
from refundkit.screenshots.engine import Line

LOW_CONFIDENCE = 0.90
FACT_NAMES = (
    "merchant",
    "item",
    "amount",
    "currency",
    "purchased",
    "purchased_time",
    "transaction_id",
    "order_no",
    "payment_method",
)

# label -> fact, per page. The same word can mean different things on different pages.
WECHAT = {
    "商品": "item",
    "商户全称": "merchant",
    "支付时间": "purchased",
    "支付方式": "payment_detail",
    "交易单号": "transaction_id",
    "商户单号": "order_no",
}
ALIPAY = {
    "商品说明": "item",
    "支付时间": "purchased",
    "付款方式": "payment_detail",
    "订单号": "transaction_id",
    "商家订单号": "order_no",
    "收款方全称": "merchant",
}
ORDER = {
    "订单编号": "order_no",
    "订单号": "order_no",
    "实付款": "amount",
    "实付": "amount",
    "下单时间": "purchased",
    "创建时间": "purchased",
    "支付时间": "paid_time",
    "商品": "item",
    "商品名称": "item",
    "支付方式": "payment_detail",
    "店铺": "merchant",
    "店铺名称": "merchant",
}
# Rows that are labels too, with values nobody asked for: known so that their value is never
# taken for another field (商品总价 must not read as 商品 = 总价).
OTHER_LABELS = (
    "当前状态",
    "收单机构",
    "账单分类",
    "标签和备注",
    "商品总价",
    "商品金额",
    "运费",
    "店铺优惠",
    "优惠",
    "配送方式",
    "收款方",
    "对方账户",
    "交易对方",
    "账单服务",
    "支付奖励",
)
ALL_LABELS = sorted(
    {*WECHAT, *ALIPAY, *ORDER, *OTHER_LABELS}, key=lambda label: (-len(label), label)
)
# Labels that only one kind of page has: how the page is recognised.
MARKERS = {
    "wechat-pay": ("商户全称", "交易单号", "商户单号", "收单机构", "当前状态"),
    "alipay": ("商品说明", "付款方式", "商家订单号", "收款方全称", "账单分类", "标签和备注"),
    "order-page": ("订单编号", "实付款", "实付", "下单时间", "商品总价", "运费", "配送方式"),
}
BUTTONS = ("复制", "查看", ">", "〉", "›")

AMOUNT = re.compile(r"(?P<sign>[-+−–])?¥?(?P<n>\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2})")
PRICE = re.compile(r"-?¥\d[\d,]*(?:\.\d{1,2})?")
ORDER_NO = re.compile(r"[A-Za-z0-9_\-]{4,64}")
# Transaction numbers: how long each page's are, and where the day is written inside them.
# WeChat Pay: a merchant payment is 28 digits, 42000xxxxx + yyyymmdd + 10 digits (public API
# examples and real bills); transfers and personal QR payments are longer. Alipay's 订单号 is
# 28 or 32 digits beginning with yyyymmdd.
TXN_LENGTHS: dict[str, dict[int, int | None]] = {
    "wechat-pay": {28: 10, 36: None},
    "alipay": {28: 0, 32: 0},
}


class Said(str):
    """A problem (or a source) in English, as --json gives it whatever the interface's
    language, that can also be shown in the interface's language: its template is an English
    message of _messages() below, looked up when shown."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Said:
        said = super().__new__(cls, template.format(**values))
        said.template = template
        said.values = values
        return said

    def shown(self) -> str:
        values = {k: v.shown() if isinstance(v, Said) else v for k, v in self.values.items()}
        return _(self.template).format(**values)


def shown(text: str | None) -> str | None:
    """A fact's problem or source in the interface's language (the reader's own text, or the
    message of a parser, as it is)."""
    return text.shown() if isinstance(text, Said) else text


def _messages() -> tuple[str, ...]:
    """The templates of Said, wrapped here so the message extractor sees them (the calls that
    make a Said give the English, for --json; Said.shown looks them up)."""
    return (
        _("could not be read"),
        _("商户全称 (the registered name) was not found"),
        _("WeChat Pay bill detail (账单详情)"),
        _("Alipay bill detail (账单详情)"),
        _("the text was hard to read (confidence {confidence})"),
        _("cannot read {text} as a date"),
        _("the date {day} is after today"),
        _("cannot read {text} as an amount"),
        _("the page shows money received (+), not a payment"),
        _("a transaction number has only digits"),
        _("{count} digits where this page's transaction numbers have {expected}"),
        _("{a} or {b}"),
        _("its date part {text} is not a date: check the digits"),
        _("its date part {text} does not match the payment time {day}"),
        _("order numbers have letters, digits, - and _ only: check it"),
    )


@dataclass(frozen=True)
class Fact:
    """One value read from the page, with the text it came from and how sure we are.

    value is what would be recorded, in the contract's form (a DATE, an amount like
    "399.00"), or None when the text was found but could not be read as a value. problem
    says why the fact is uncertain; None when there is no reason to doubt it.
    """

    value: str | None
    source: str
    confidence: float
    problem: str | None = None

    @property
    def uncertain(self) -> bool:
        return self.problem is not None or self.value is None


@dataclass(frozen=True)
class Reading:
    """What one screenshot says: the kind of page, its facts and every recognised line."""

    source: str  # "wechat-pay", "alipay", "order-page" or "unknown"
    facts: dict[str, Fact]
    lines: list[str]
    details: dict[str, str] = field(default_factory=dict)  # e.g. the card paid with

    @property
    def found(self) -> bool:
        """Whether any payment or order details were read at all."""
        keys = ("amount", "transaction_id", "order_no")
        return self.source != "unknown" and any(k in self.facts for k in keys)

    def certain(self) -> dict[str, str]:
        """The facts that may be recorded as read (with --yes)."""
        return {k: f.value for k, f in self.facts.items() if not f.uncertain and f.value}

    def as_json(self) -> dict[str, Any]:
        """What `import-screenshot --json` prints: the contract's shape, exactly
        (`source`, `facts`, `lines`); a script must not meet keys it was not promised."""
        facts: dict[str, str | None] = {name: None for name in FACT_NAMES}
        for name, fact in self.facts.items():
            if name in facts:
                facts[name] = fact.value
        return {"source": self.source, "facts": facts, "lines": self.lines}

    def doubts(self) -> dict[str, str]:
        """The uncertain facts: name -> why it should be checked (for the accuracy score
        and the tests; the review and --yes say it in words)."""
        return {
            k: str(f.problem or "could not be read") for k, f in self.facts.items() if f.uncertain
        }


# --- geometry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A recognised line, straightened: axis-aligned extent, normalised text."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float

    @property
    def height(self) -> float:
        return max(1.0, self.y1 - self.y0)

    @property
    def compact(self) -> str:
        """The text as labels and numbers are matched: NFKC, without any space."""
        return re.sub(r"\s+", "", normalise(self.text))


def normalise(text: str) -> str:
    """NFKC (full-width digits, colons and ￥ become plain ones), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def skew(lines: Sequence[Line]) -> float:
    """The page's rotation, in radians: the median slope of the long boxes' top edges."""
    slopes = []
    for ln in lines:
        (x0, y0), (x1, y1) = ln.box[0], ln.box[1]
        width = math.hypot(x1 - x0, y1 - y0)
        if width > 2.5 * max(1.0, ln.bottom - ln.top - abs(y1 - y0)):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(slopes) if slopes else 0.0


def straighten(lines: Sequence[Line]) -> list[Box]:
    """Every line's corners turned back by the page's rotation, as axis-aligned boxes."""
    angle = skew(lines)
    cos, sin = math.cos(angle), math.sin(angle)
    boxes = []
    for ln in lines:
        xs = [x * cos + y * sin for x, y in ln.box]
        ys = [-x * sin + y * cos for x, y in ln.box]
        text = unicodedata.normalize("NFC", ln.text).strip()
        if text:
            boxes.append(Box(text, min(xs), min(ys), max(xs), max(ys), ln.confidence))
    return boxes


def rows_of(boxes: Sequence[Box]) -> list[list[Box]]:
    """Boxes grouped into rows (top to bottom), each row left to right."""
    rows: list[list[Box]] = []
    spans: list[tuple[float, float]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        if rows:
            top, bottom = spans[-1]
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap >= 0.5 * min(box.height, bottom - top):
                rows[-1].append(box)
                spans[-1] = (min(top, box.y0), max(bottom, box.y1))
                continue
        rows.append([box])
        spans.append((box.y0, box.y1))
    return [sorted(row, key=lambda b: b.x0) for row in rows]


def row_text(row: Sequence[Box]) -> str:
    return " ".join(b.text for b in row)


# --- labelled rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """The text after a label (and its wrapped continuation), with where it came from."""

    label: str
    text: str
    source: str
    confidence: float
    row: int


def label_of(box: Box) -> tuple[str, str] | None:
    """(label, the rest of the box) when the box starts with a known label."""
    compact = box.compact.rstrip(":")
    for label in ALL_LABELS:
        if compact == label:
            return label, ""
        if compact.startswith(label) and box.compact[len(label) : len(label) + 1] == ":":
            return label, box.compact[len(label) + 1 :]
    for label in ALL_LABELS:  # glued to its value by the reader: "交易单号4200..."
        rest = box.compact[len(label) :]
        if box.compact.startswith(label) and rest[:1].isascii() and rest[:1].isalnum():
            return label, rest
    return None


def labelled_values(rows: list[list[Box]]) -> dict[str, Value]:
    """Every labelled row's value; the first row of each label wins (the page's own, above
    any list of other transactions further down)."""
    values: dict[str, Value] = {}
    for index, row in enumerate(rows):
        found = label_of(row[0])
        if found is None:
            continue
        label, glued = found
        pieces = [p for p in [glued, *(b.text for b in row[1:])] if p]
        while pieces and pieces[-1] in BUTTONS:
            pieces.pop()
        used = list(row)
        text = " ".join(pieces)
        if not text:
            nxt = _continuation(rows, index, row[0], anywhere=True)
            if nxt is not None:
                text, used = nxt.text, [*used, nxt]
        else:
            text, used = _wrapped(rows, index, row, text, used)
        if label not in values:
            confidence = min(b.confidence for b in used)
            source = " ".join(b.text for b in used)
            values[label] = Value(label, text, source, confidence, index)
    return values


def _wrapped(
    rows: list[list[Box]], index: int, row: list[Box], text: str, used: list[Box]
) -> tuple[str, list[Box]]:
    """A long value goes on under itself, in the value column: collect those lines."""
    last = row
    for _step in range(3):
        nxt = _continuation(rows, index, row[0], after=last)
        if nxt is None:
            break
        text += nxt.text
        used.append(nxt)
        index += 1
        last = [nxt]
    return text, used


def _continuation(
    rows: list[list[Box]],
    index: int,
    label: Box,
    *,
    after: Sequence[Box] | None = None,
    anywhere: bool = False,
) -> Box | None:
    if index + 1 >= len(rows):
        return None
    nxt = rows[index + 1]
    if len(nxt) != 1 or label_of(nxt[0]) is not None:
        return None
    box = nxt[0]
    bottom = max(b.y1 for b in (after or [label]))
    if box.y0 - bottom > 0.8 * label.height:
        return None
    if not anywhere and box.x0 < label.x1:
        return None
    return box


# --- reading a page ------------------------------------------------------------------------


STATUS_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def text_rows(lines: Sequence[Line]) -> list[str]:
    """The recognised text as a person reads it: one string per row, top to bottom, without
    the phone's status-bar clock (a bare 20:15 on the first row), which says nothing."""
    rows = [row_text(row) for row in rows_of(straighten(lines))]
    if rows and STATUS_CLOCK.fullmatch(normalise(rows[0])):
        rows = rows[1:]
    return rows


def read_lines(lines: Sequence[Line], today: date) -> Reading:
    """Recognise the page and read its facts."""
    rows = rows_of(straighten(lines))
    text = text_rows(lines)
    values = labelled_values(rows)
    source = page_kind(values)
    if source == "unknown":
        return Reading("unknown", {}, text)
    reader = {"wechat-pay": _wechat, "alipay": _alipay, "order-page": _order_page}[source]
    facts, details = reader(rows, values, today)
    return Reading(source, facts, text, details)


def page_kind(values: dict[str, Value]) -> str:
    scores = {kind: sum(m in values for m in marks) for kind, marks in MARKERS.items()}
    best = max(scores.values())
    winners = [kind for kind, score in scores.items() if score == best]
    return winners[0] if best and len(winners) == 1 else "unknown"


Facts = dict[str, Fact]


def _wechat(
    rows: list[list[Box]], values: dict[str, Value], today: date
) -> tuple[Facts, dict[str, str]]:
    facts, details = _labelled(values, WECHAT, "wechat-pay", today)
    amount_row = _amount(rows, values, facts)
    if "merchant" not in facts and amount_row is not None:
        _header_merchant(
            rows, amount_row, facts, Said("商户全称 (the registered name) was not found")
        )
    facts["payment_method"] = Fact("wechat-pay", Said("WeChat Pay bill detail (账单详情)"), 1.0)
    return facts, details


def _alipay(
    rows: list[list[Box]], values: dict[str, Value], today: date
) -> tuple[Facts, dict[str, str]]:
    facts, details = _labelled(values, ALIPAY, "alipay", today)
    amount_row = _amount(rows, values, facts)
    if "merchant" not in facts and amount_row is not None:
        _header_merchant(rows, amount_row, facts)
    facts["payment_method"] = Fact("alipay", Said("Alipay bill detail (账单详情)"), 1.0)
    return facts, details


def _order_page(
    rows: list[list[Box]], values: dict[str, Value], today: date
) -> tuple[Facts, dict[str, str]]:
    facts, details = _labelled(values, ORDER, "order-page", today)
    if "purchased" not in facts and "支付时间" in values:
        _date_facts(values["支付时间"], facts, today)
    if "item" not in facts or "merchant" not in facts:
        _product_card(rows, values, facts)
    method = details.get("payment_detail")
    if method:
        code = payment_code(method)
        source = values["支付方式"].source
        if code:
            facts["payment_method"] = Fact(code, source, values["支付方式"].confidence)
    return facts, details


def _labelled(
    values: dict[str, Value], labels: dict[str, str], source: str, today: date
) -> tuple[Facts, dict[str, str]]:
    facts: Facts = {}
    details: dict[str, str] = {}
    by_fact: dict[str, Value] = {}
    for label, name in labels.items():
        if label in values and name not in by_fact:
            by_fact[name] = values[label]
    if "purchased" in by_fact:
        _date_facts(by_fact["purchased"], facts, today)
    for name, value in by_fact.items():
        if name == "purchased":
            continue
        if name in ("payment_detail", "paid_time"):
            details[name] = value.text
            continue
        if name == "amount":
            facts["amount"] = _money_fact(value.text, value.source, value.confidence)
            continue
        if name == "transaction_id":
            facts[name] = _transaction_fact(value, source, facts.get("purchased"))
            continue
        if name == "order_no":
            facts[name] = _order_no_fact(value)
            continue
        facts[name] = _checked(Fact(value.text.strip(), value.source, value.confidence))
    if "amount" in facts and facts["amount"].value:
        facts["currency"] = Fact("CNY", facts["amount"].source, facts["amount"].confidence)
    return facts, details


def _checked(fact: Fact) -> Fact:
    """A fact with low confidence is uncertain whatever its value."""
    if fact.problem is None and fact.confidence < LOW_CONFIDENCE:
        return Fact(
            fact.value,
            fact.source,
            fact.confidence,
            Said(
                "the text was hard to read (confidence {confidence})",
                confidence=f"{fact.confidence:.2f}",
            ),
        )
    return fact


# The reader often drops the space between a date and its time: 2025-09-3003:40:08.
GLUED_TIME = re.compile(r"(\d{4}([-/.])\d{2}\2\d{2})(\d{2}:\d{2}(?::\d{2})?)")


def _date_facts(value: Value, facts: Facts, today: date) -> None:
    text = GLUED_TIME.sub(r"\1 \3", re.sub(r"\s+", " ", normalise(value.text)))
    try:
        day, clock = parse_when(text, today)
    except BadInput:
        unread = Said("cannot read {text} as a date", text=repr(value.text))
        facts["purchased"] = Fact(None, value.source, value.confidence, unread)
        facts["purchased_time"] = Fact(None, value.source, value.confidence, unread)
        return
    problem = Said("the date {day} is after today", day=day.isoformat()) if day > today else None
    facts["purchased"] = _checked(Fact(day.isoformat(), value.source, value.confidence, problem))
    if clock is not None:
        facts["purchased_time"] = _checked(
            Fact(clock.strftime("%H:%M:%S"), value.source, value.confidence, problem)
        )


def _money_fact(text: str, source: str, confidence: float) -> Fact:
    compact = re.sub(r"\s+", "", normalise(text)).replace("−", "-").replace("–", "-")
    match = AMOUNT.search(compact)
    if match is None:
        return Fact(
            None, source, confidence, Said("cannot read {text} as an amount", text=repr(text))
        )
    problem = None
    if match["sign"] == "+":
        problem = Said("the page shows money received (+), not a payment")
    try:
        value = format_money(parse_money(match["n"]))
    except BadInput as exc:
        return Fact(None, source, confidence, exc.message)
    return _checked(Fact(value, source, confidence, problem))


def _transaction_fact(value: Value, source: str, purchased: Fact | None) -> Fact:
    digits = re.sub(r"\s+", "", normalise(value.text))
    fact = Fact(digits, value.source, value.confidence)
    lengths = TXN_LENGTHS.get(source, {})
    if not digits.isdigit() or not digits.isascii():
        return Fact(
            digits, fact.source, fact.confidence, Said("a transaction number has only digits")
        )
    if len(digits) not in lengths:
        counts = [str(n) for n in sorted(lengths)]
        if len(counts) == 2:
            expected: str = Said("{a} or {b}", a=counts[0], b=counts[1])
        else:
            expected = " or ".join(counts)
        return Fact(
            digits,
            fact.source,
            fact.confidence,
            Said(
                "{count} digits where this page's transaction numbers have {expected}",
                count=len(digits),
                expected=expected,
            ),
        )
    at = lengths[len(digits)]
    if at is not None:
        problem = _embedded_date(digits[at : at + 8], purchased)
        if problem:
            return Fact(digits, fact.source, fact.confidence, problem)
    return _checked(fact)


def _embedded_date(text: str, purchased: Fact | None) -> str | None:
    """The day written inside a transaction number must be the payment's (or the day
    before, for an order created just before midnight): a misread digit shows here."""
    try:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return Said("its date part {text} is not a date: check the digits", text=text)
    if purchased is None or purchased.value is None:
        return None
    paid = date.fromisoformat(purchased.value)
    if not timedelta(0) <= paid - day <= timedelta(days=1):
        return Said(
            "its date part {text} does not match the payment time {day}",
            text=text,
            day=paid.isoformat(),
        )
    return None


def _order_no_fact(value: Value) -> Fact:
    text = re.sub(r"\s+", "", normalise(value.text))
    if not ORDER_NO.fullmatch(text):
        return Fact(
            text,
            value.source,
            value.confidence,
            Said("order numbers have letters, digits, - and _ only: check it"),
        )
    return _checked(Fact(text, value.source, value.confidence))


def _amount(rows: list[list[Box]], values: dict[str, Value], facts: Facts) -> int | None:
    """The big amount line above the details (-399.00): the tallest amount-shaped line."""
    first_label = min((v.row for v in values.values()), default=len(rows))
    best: tuple[float, int, Box] | None = None
    for index, row in enumerate(rows[:first_label]):
        if len(row) != 1:
            continue
        box = row[0]
        compact = box.compact.replace("−", "-").replace("–", "-")
        if AMOUNT.fullmatch(compact) and (best is None or box.height > best[0]):
            best = (box.height, index, box)
    if best is None:
        return None
    _height, index, box = best
    facts["amount"] = _money_fact(box.text, box.text, box.confidence)
    if facts["amount"].value:
        facts["currency"] = Fact("CNY", box.text, box.confidence)
    return index


def _header_merchant(
    rows: list[list[Box]], amount_row: int, facts: Facts, problem: str | None = None
) -> None:
    """The payee's name is printed just above the amount. On WeChat Pay's page that is the
    shop's short name, not the 商户全称 the record wants: a problem says so."""
    if amount_row == 0:
        return
    row = rows[amount_row - 1]
    if len(row) != 1 or row[0].compact in ("账单详情", "账单"):
        return
    box = row[0]
    facts["merchant"] = _checked(Fact(box.text, box.text, box.confidence, problem))


def _product_card(rows: list[list[Box]], values: dict[str, Value], facts: Facts) -> None:
    """The item is the text beside the first price in the card; the shop is the line above
    it that starts further left (the shop's name over the product picture)."""
    stop = min(
        (v.row for k, v in values.items() if k in ("实付款", "实付", "商品总价")), default=len(rows)
    )
    for index, row in enumerate(rows[:stop]):
        if len(row) < 2 or not PRICE.fullmatch(row[-1].compact) or label_of(row[0]):
            continue
        first = row[0]
        if "item" not in facts:
            text, used = first.text, [first]
            for nxt in rows[index + 1 : index + 3]:
                box = nxt[0]
                if abs(box.x0 - first.x0) > first.height or _not_title(box):
                    break
                text += box.text
                used.append(box)
            confidence = min(b.confidence for b in used)
            facts["item"] = _checked(Fact(text, " ".join(b.text for b in used), confidence))
        if "merchant" not in facts:
            for above in reversed(rows[:index]):
                if above[0].x0 < first.x0 - first.height:
                    shop = above[0]
                    name = re.sub(r"\s*(?:[>〉›]|进店\S*)$", "", shop.text).strip()
                    if name:
                        facts["merchant"] = _checked(Fact(name, shop.text, shop.confidence))
                    break
        return


def _not_title(box: Box) -> bool:
    """A spec line (规格：黑色), a quantity (x1) or a price: no longer the item's title."""
    compact = box.compact
    return (
        ":" in compact or bool(PRICE.fullmatch(compact)) or bool(re.fullmatch(r"[x×]\d+", compact))
    )


def payment_code(text: str) -> str | None:
    """The contract's payment method for an order page's 支付方式 text."""
    for words, code in (
        (("微信",), "wechat-pay"),
        (("支付宝", "花呗", "余额宝"), "alipay"),
        (("信用卡",), "credit-card"),
        (("储蓄卡", "借记卡", "银行卡"), "debit-card"),
    ):
        if any(w in text for w in words):
            return code
    return None
