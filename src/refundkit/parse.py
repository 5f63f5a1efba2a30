"""The input rules of the contract: dates, money and order-id prefixes. Pure functions.

Every parser raises BadInput with a message that repeats the wrong value and shows a form
that works, because the message is all the user sees.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from refundkit.errors import BadInput

DATE_HINT = "use YYYY-MM-DD, for example 2026-11-20"

_TIME = r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
_ISOLIKE = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME, re.ASCII)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})" + _TIME, re.ASCII)
_CHINESE = re.compile(  # 2026年11月20日14:30 is common: the time may follow directly
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?",
    re.ASCII,
)
_NUMERIC_SHORT = re.compile(
    r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{2,4})" + _TIME, re.ASCII
)
_RELATIVE = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1, "前天": 2}
# `yesterday 14:30`, `3 days ago 09:00`, `昨天14:30`: a relative day with an optional time.
_RELATIVE_WHEN = re.compile(
    r"(?:(?P<word>today|yesterday|今天|昨天|前天)|(?P<n>\d{1,5})\s*(?:days?\s+ago|天前))"
    r"(?:[ T]*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?",
    re.ASCII,
)


# Far enough apart for any real purchase or "what if" day, and far enough from date.min and
# date.max that every deadline computed from such a day (years of limitation, a 3650-day
# promise) is still a date instead of an OverflowError.
FIRST_YEAR, LAST_YEAR = 1900, 9000


def parse_when(text: str, today: date) -> tuple[date, time | None]:
    """Read a date in any form the contract allows, with the time of day if one was given."""
    day, clock = _parse_when(text, today)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(f"date {text!r} is out of range ({FIRST_YEAR} to {LAST_YEAR}); {DATE_HINT}")
    return day, clock


def _parse_when(text: str, today: date) -> tuple[date, time | None]:
    raw = unicodedata.normalize("NFKC", text).strip()  # full-width digits from a Chinese IME
    lowered = " ".join(raw.lower().split())
    if not lowered:
        raise BadInput(f"empty date: {DATE_HINT}")
    relative = _RELATIVE_WHEN.fullmatch(lowered)
    if relative:
        back = _RELATIVE[relative["word"]] if relative["word"] else int(relative["n"])
        return today - timedelta(days=back), _clock(raw, relative)
    for pattern in (_ISOLIKE, _CHINESE, _COMPACT):
        match = pattern.fullmatch(lowered)
        if match:
            return _build(raw, int(match["y"]), int(match["m"]), int(match["d"]), match)
    short = _NUMERIC_SHORT.fullmatch(lowered)
    if short:
        return _numeric_short(raw, short)
    return _dateutil(raw)


def parse_past(text: str, today: date, what: str) -> tuple[date, time | None]:
    """Read the date of something that already happened; the future is refused."""
    day, clock = parse_when(text, today)
    if day > today:
        raise BadInput(
            f"{what} date {text!r} is after today ({today.isoformat()}): "
            "give the day it actually happened"
        )
    return day, clock


def parse_day(text: str, today: date) -> date:
    """Read a date and drop any time of day (for --as-of and the like)."""
    return parse_when(text, today)[0]


def _build(raw: str, y: int, m: int, d: int, match: re.Match[str]) -> tuple[date, time | None]:
    try:
        day = date(y, m, d)
    except ValueError:
        raise BadInput(f"no such date: {raw!r}; {DATE_HINT}") from None
    return day, _clock(raw, match)


def _clock(raw: str, match: re.Match[str]) -> time | None:
    if match["h"] is None:
        return None
    try:
        return time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
    except ValueError:
        raise BadInput(f"no such time of day in {raw!r}; use HH:MM") from None


def _numeric_short(raw: str, match: re.Match[str]) -> tuple[date, time | None]:
    a, b = int(match["a"]), int(match["b"])
    if len(match["y"]) != 4:
        raise BadInput(f"two-digit year in {raw!r}; {DATE_HINT}")
    if a <= 12 and b <= 12 and a != b:
        raise BadInput(f"ambiguous date {raw!r}: day and month could be swapped; {DATE_HINT}")
    day_, month = (a, b) if a > 12 else (b, a)
    return _build(raw, int(match["y"]), month, day_, match)


def _dateutil(raw: str) -> tuple[date, time | None]:
    """Fall back to dateutil, accepting only what it reads the same way whatever it assumes."""
    from dateutil import parser

    try:
        first = parser.parse(raw, default=datetime(1900, 1, 1), dayfirst=False)
        second = parser.parse(raw, default=datetime(1904, 2, 2, 1, 1), dayfirst=True)
    except (ValueError, OverflowError, parser.ParserError):
        raise BadInput(f"cannot read date {raw!r}; {DATE_HINT}") from None
    if first.date() != second.date():
        raise BadInput(f"incomplete or ambiguous date {raw!r}; {DATE_HINT}")
    if first.tzinfo is not None:
        raise BadInput(f"time zones are not supported in {raw!r}; give the local time")
    has_time = first.time() == second.time()
    return first.date(), (first.time().replace(microsecond=0) if has_time else None)


_CURRENCY_MARKS = re.compile(r"^(?:¥|￥|RMB|CNY|€|£|\$)?\s*(?P<n>.*?)\s*(?:元|RMB|CNY)?$")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
MAX_AMOUNT = Decimal("1000000000")


def parse_money(text: str) -> Decimal:
    """Read an amount like 199, ¥199.00, 199元 or 1,299.00 into an exact two-place Decimal."""
    raw = unicodedata.normalize("NFKC", text).strip()
    # Spaces may stand beside a sign (`¥ 199`, `199 元`), never inside the number: `12 34`
    # is two numbers, or a typo, not ¥1,234.
    match = _CURRENCY_MARKS.fullmatch(raw.upper())
    number = match["n"] if match else ""
    if any(char.isspace() for char in number):
        raise BadInput(f"cannot read amount {text!r}: a space inside the number; use 1234 or 1,234")
    if _GROUPED.fullmatch(number):
        number = number.replace(",", "")
    if number.startswith("-") and _PLAIN.fullmatch(number[1:].replace(",", "")):
        raise BadInput(f"amount {text!r} must be more than zero")
    if not _PLAIN.fullmatch(number):
        raise BadInput(f"cannot read amount {text!r}: use a number like 199 or 199.50")
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise BadInput(f"cannot read amount {text!r}: use a number like 199.50") from None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BadInput(
            f"amount {text!r} has more than two decimals: give cents at most, like 199.99"
        )
    if value <= 0:
        raise BadInput(f"amount {text!r} must be more than zero")
    if value >= MAX_AMOUNT:
        raise BadInput(f"amount {text!r} is too large")
    return value.quantize(Decimal("0.01"))


_SIGNS = {"¥": "CNY", "元": "CNY", "RMB": "CNY", "CNY": "CNY", "€": "EUR", "£": "GBP", "$": "USD"}


def currency_of(text: str) -> str | None:
    """The currency an amount's own sign names (¥199 is CNY, €45 is EUR), if it has one."""
    raw = unicodedata.normalize("NFKC", text).strip().upper()
    for sign, code in _SIGNS.items():
        if raw.startswith(sign) or raw.endswith(sign):
            return code
    return None


def format_money(value: Decimal) -> str:
    """The contract's money string: two decimals, no symbol, no grouping."""
    return f"{value:.2f}"
