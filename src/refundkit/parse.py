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


def date_hint() -> str:
    """How to give a date, in the interface's language: the end of every date error."""
    from refundkit.i18n import _

    return _("use YYYY-MM-DD (2026-11-20), 11月20日, 昨天, 三天前 or 3 days ago")


# A time of day: 14:30, 14:30:05, 2:30pm, 3pm, 3 p.m. (the text is lowercased first). An hour
# alone (2026-11-20 15) is not one: it could be a typo as well as a time.
_CLOCK = (
    r"(?:(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\s*(?P<ap>[ap])\.?m\.?)?"
    r"|(?P<h12>\d{1,2})\s*(?P<ap12>[ap])\.?m\.?)"
)
_TIME = r"(?:[ T]+" + _CLOCK + r")?"
# In Chinese the time often follows the date directly: 11月20日14:30, 昨天14:30.
_TIME_CN = r"(?:[ T]*" + _CLOCK + r")?"
_ISOLIKE = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME, re.ASCII)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})" + _TIME, re.ASCII)
_CHINESE = re.compile(  # 2026年11月20日14:30 is common: the time may follow directly
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*" + _CLOCK + r")?",
    re.ASCII,
)
_NUMERIC_SHORT = re.compile(
    r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{2,4})" + _TIME, re.ASCII
)
_RELATIVE = {
    "today": 0,
    "今天": 0,
    "今日": 0,
    "yesterday": 1,
    "昨天": 1,
    "昨日": 1,
    "前天": 2,
    "大前天": 3,
    # Days ahead: read, so that a past event said "tomorrow" is refused as after today,
    # not as a word refundkit does not know; an --as-of may well be tomorrow.
    "tomorrow": -1,
    "明天": -1,
    "明日": -1,
    "后天": -2,
}
# `yesterday 14:30`, `3 days ago 09:00`, `三天前`, `2 weeks ago`, `一个月前`: a day counted
# back from today, with an optional time.
_RELATIVE_WHEN = re.compile(
    r"(?:(?P<word>today|yesterday|tomorrow|今天|今日|昨天|昨日|大前天|前天|明天|明日|后天)"
    r"|(?P<n>\d{1,5})\s*(?:days?\s+ago|天前|日前)"
    r"|(?P<weeks>\d{1,3})\s*(?:weeks?\s+ago|周前|个?星期前|个?礼拜前)"
    r"|(?P<months>\d{1,3})\s*(?:months?\s+ago|个月前|月前))" + _TIME_CN,
    re.ASCII,
)
# 上周五 (Friday of last week), 本周一 / 这周一 (this week's), 周五 / 星期五 (the latest
# Friday not after today); last friday (the latest Friday before today).
_WEEKDAY_CN = re.compile(
    r"(?P<which>上个?|本|这个?)?(?:周|星期|礼拜)(?P<wd>[1-7日天])" + _TIME_CN, re.ASCII
)
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_EN = re.compile(r"last\s+(?P<wd>" + "|".join(_WEEKDAYS_EN) + r")" + _TIME, re.ASCII)
# 11月25日 (the latest 25 November not after today), 去年11月25日, 今年3月1日.
_MONTH_DAY = re.compile(
    r"(?P<rel>去年|今年|前年)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?" + _TIME_CN,
    re.ASCII,
)
# 上个月3号, 本月3日, 3号 (the latest 3rd not after today).
_DAY_OF_MONTH = re.compile(
    r"(?P<rel>上个?月|本月|这个?月)?(?P<d>\d{1,2})\s*[日号]" + _TIME_CN, re.ASCII
)


# Far enough apart for any real purchase or "what if" day, and far enough from date.min and
# date.max that every deadline computed from such a day (years of limitation, a 3650-day
# promise) is still a date instead of an OverflowError.
FIRST_YEAR, LAST_YEAR = 1900, 9000


def parse_when(text: str, today: date) -> tuple[date, time | None]:
    """Read a date in any form the contract allows, with the time of day if one was given."""
    from refundkit.i18n import _

    day, clock = _parse_when(text, today)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(
            _("date {value} is out of range ({first} to {last}); {hint}").format(
                value=repr(text), first=FIRST_YEAR, last=LAST_YEAR, hint=date_hint()
            )
        )
    return day, clock


def _parse_when(text: str, today: date) -> tuple[date, time | None]:
    from refundkit.i18n import _

    raw = unicodedata.normalize("NFKC", text).strip()  # full-width digits from a Chinese IME
    lowered = _chinese_clock(_chinese_numbers(" ".join(raw.lower().split())))
    if not lowered:
        raise BadInput(_("empty date: {hint}").format(hint=date_hint()))
    spoken = _spoken(raw, lowered, today)
    if spoken is not None:
        return spoken
    for pattern in (_ISOLIKE, _CHINESE, _COMPACT):
        match = pattern.fullmatch(lowered)
        if match:
            return _build(raw, int(match["y"]), int(match["m"]), int(match["d"]), match)
    short = _NUMERIC_SHORT.fullmatch(lowered)
    if short:
        return _numeric_short(raw, short)
    return _dateutil(raw)


def _spoken(raw: str, lowered: str, today: date) -> tuple[date, time | None] | None:
    """A date said the way people say it: counted back from today, a weekday, or a day and
    month without a year. None if lowered is none of these."""
    relative = _RELATIVE_WHEN.fullmatch(lowered)
    if relative:
        return _counted_back(relative, today), _clock(raw, relative)
    weekday = _WEEKDAY_CN.fullmatch(lowered)
    if weekday:
        return _weekday_cn(weekday, today), _clock(raw, weekday)
    weekday = _WEEKDAY_EN.fullmatch(lowered)
    if weekday:
        back = (today.weekday() - _WEEKDAYS_EN.index(weekday["wd"])) % 7 or 7
        return today - timedelta(days=back), _clock(raw, weekday)
    month_day = _MONTH_DAY.fullmatch(lowered)
    if month_day:
        return _month_day(raw, month_day, today), _clock(raw, month_day)
    day_of_month = _DAY_OF_MONTH.fullmatch(lowered)
    if day_of_month:
        return _day_of_month(raw, day_of_month, today), _clock(raw, day_of_month)
    return None


def _counted_back(match: re.Match[str], today: date) -> date:
    if match["word"]:
        return today - timedelta(days=_RELATIVE[match["word"]])
    if match["n"]:
        return today - timedelta(days=int(match["n"]))
    if match["weeks"]:
        return today - timedelta(weeks=int(match["weeks"]))
    return _months_back(today, int(match["months"]))


def _months_back(today: date, months: int) -> date:
    """The same day of the month, months earlier; the month's last day where it is shorter."""
    import calendar

    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _weekday_cn(match: re.Match[str], today: date) -> date:
    wanted = 6 if match["wd"] in ("日", "天", "7") else int(match["wd"]) - 1
    monday = today - timedelta(days=today.weekday())
    which = match["which"] or ""
    if which.startswith("上"):
        return monday - timedelta(days=7) + timedelta(days=wanted)
    if which:  # 本周, 这周: this week's, which may still be ahead (refused for past events)
        return monday + timedelta(days=wanted)
    return today - timedelta(days=(today.weekday() - wanted) % 7)


def _month_day(raw: str, match: re.Match[str], today: date) -> date:
    """11月25日: in the year said (去年, 今年), else the latest one not after today."""
    from refundkit.i18n import _

    month, day_ = int(match["m"]), int(match["d"])
    relative = {"去年": 1, "前年": 2, "今年": 0}
    if match["rel"]:
        year = today.year - relative[match["rel"]]
        try:
            return date(year, month, day_)
        except ValueError:
            raise BadInput(
                _("no such date: {value}; {hint}").format(value=repr(raw), hint=date_hint())
            ) from None
    for ahead in (_in_year(today.year, month, day_), _in_year(today.year + 1, month, day_)):
        if ahead is not None and today < ahead <= today + timedelta(days=NEAR_AHEAD_DAYS):
            # 12月2日 said on 1 December (or 1月5日 on 20 December) means the days just ahead,
            # not a year back: a past event said so is refused as after today (parse_past),
            # and an --as-of gets the day meant.
            return ahead
    for back in range(9):  # 2月29日 may lie up to 8 years back
        try:
            candidate = date(today.year - back, month, day_)
        except ValueError:
            if not (month == 2 and day_ == 29):
                break
            continue
        if candidate <= today:
            return candidate
    raise BadInput(_("no such date: {value}; {hint}").format(value=repr(raw), hint=date_hint()))


def _yearless_month_day(text: str) -> bool:
    """12月20日 or 十二月二十日, with no year and no 今年/去年: the form that may mean last year."""
    said = _chinese_numbers(unicodedata.normalize("NFKC", text))
    return "年" not in said and re.search(r"\d{1,2}\s*月\s*\d{1,2}", said) is not None


NEAR_AHEAD_DAYS = 31  # a month and day this close ahead is this year's, not last year's


def _in_year(year: int, month: int, day_: int) -> date | None:
    try:
        return date(year, month, day_)
    except ValueError:
        return None


def _day_of_month(raw: str, match: re.Match[str], today: date) -> date:
    """上个月3号, 本月3日; 3号 alone is the latest 3rd not after today."""
    from refundkit.i18n import _

    day_ = int(match["d"])
    rel = match["rel"] or ""
    if rel.startswith("上"):
        months = [1]
    elif rel:
        months = [0]
    else:
        months = [0, 1, 2]  # a 31st may lie two months back
    for back in months:
        first = _months_back(today.replace(day=1), back)
        try:
            candidate = first.replace(day=day_)
        except ValueError:
            continue
        if rel or candidate <= today:
            return candidate
    raise BadInput(_("no such date: {value}; {hint}").format(value=repr(raw), hint=date_hint()))


_CHINESE_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CHINESE_RUN = re.compile("[零〇一二两三四五六七八九十]+")


def _chinese_numbers(text: str) -> str:
    """Chinese numerals as digits, for dates only: 三天前 → 3天前, 十一月二十五日 → 11月25日,
    二〇二六年 → 2026年, 上周五 → 上周5. A run that is no number (十十) is left as it is."""

    def digits(match: re.Match[str]) -> str:
        run = match.group()
        if "十" not in run:
            return "".join(str(_CHINESE_DIGITS[c]) for c in run)
        tens, _, units = run.partition("十")
        if len(tens) > 1 or len(units) > 1 or "十" in units:
            return run
        value = (_CHINESE_DIGITS[tens] if tens else 1) * 10
        return str(value + (_CHINESE_DIGITS[units] if units else 0))

    return _CHINESE_RUN.sub(digits, text)


_CLOCK_CN = re.compile(
    r"\s*(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?\s*(?P<h>\d{1,2})\s*[点點时]"
    r"(?:\s*(?P<half>半)|\s*(?P<mi>\d{1,2})\s*分?)?\s*$"
)
_AFTERNOON = ("下午", "傍晚", "晚上", "夜里")


def _chinese_clock(text: str) -> str:
    """A time of day said in Chinese after the date, as HH:MM: 昨天下午3点 → 昨天 15:00,
    11月25日晚上8点半 → 11月25日 20:30, 前天上午10点15分 → 前天 10:15. An hour that is
    not one (25点) is left as it is, for the date's reader to refuse."""
    found = _CLOCK_CN.search(text)
    if found is None or found.start() == 0:  # a time alone is not a date
        return text
    hour, part = int(found["h"]), found["part"]
    minute = 30 if found["half"] else int(found["mi"] or 0)
    if (part in _AFTERNOON and hour < 12) or (part == "中午" and hour < 11):
        hour += 12
    elif part == "凌晨" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return text
    return f"{text[: found.start()]} {hour:02d}:{minute:02d}"


def parse_past(
    text: str, today: date, what: str, now: time | None = None
) -> tuple[date, time | None]:
    """Read the date of something that already happened; the future is refused.

    now is the time of day when today is the real today: then a time later than now on
    today's date is refused too (a purchase "today 23:59" recorded at 04:10 has not happened).
    It is left out where the time read may be another zone's clock (a bill, a screenshot).
    """
    from refundkit.i18n import _

    day, clock = parse_when(text, today)
    _not_after_now(text, day, clock, today, now, what)
    if day > today and text.strip() == day.isoformat():  # said as a date: no need to repeat it
        raise BadInput(
            _(
                "{what} date {value} is after today ({today}): give the day it actually happened"
            ).format(what=_what(what), value=repr(text), today=today.isoformat())
        )
    if day > today:
        message = _(
            "{what} date {value} is {day}, after today ({today}): give the day it actually happened"
        ).format(what=_what(what), value=repr(text), day=day.isoformat(), today=today.isoformat())
        last_year = _in_year(day.year - 1, day.month, day.day)
        if _yearless_month_day(text) and last_year is not None:  # 12月20日, no year said
            message += _(" (if you meant {date}, write it so)").format(date=last_year.isoformat())
        raise BadInput(message)
    return day, clock


def _not_after_now(
    text: str, day: date, clock: time | None, today: date, now: time | None, what: str
) -> None:
    """Refuse today's date with a time still to come, to the minute (a time typed to the
    minute is not refused in the minute it names)."""
    from refundkit.i18n import _

    if day != today or clock is None or now is None:
        return
    if (clock.hour, clock.minute) > (now.hour, now.minute):
        raise BadInput(
            _(
                "{what} time {value} is later than now ({now}): give the time it actually happened"
            ).format(what=_what(what), value=repr(text), now=now.strftime("%H:%M"))
        )


def _what(key: str) -> str:
    """The thing a date is of, in the interface's language (parse_past's what)."""
    from refundkit.i18n import _

    return {
        "purchase": _("purchase"),
        "receipt": _("receipt"),
        "event": _("event"),
        "taken": _("taken"),
    }.get(key, key)


def parse_day(text: str, today: date) -> date:
    """Read a date and drop any time of day (for --as-of and the like)."""
    return parse_when(text, today)[0]


def _build(raw: str, y: int, m: int, d: int, match: re.Match[str]) -> tuple[date, time | None]:
    from refundkit.i18n import _

    try:
        day = date(y, m, d)
    except ValueError:
        raise BadInput(
            _("no such date: {value}; {hint}").format(value=repr(raw), hint=date_hint())
        ) from None
    return day, _clock(raw, match)


def _clock(raw: str, match: re.Match[str]) -> time | None:
    """The time of day a date's match holds (_CLOCK), or None if it holds none."""
    found = match.groupdict()
    if found.get("h12"):
        hour, minute, second, half = int(found["h12"]), 0, 0, found["ap12"]
    elif found.get("h"):
        hour, minute, second = int(found["h"]), int(found["mi"]), int(found["s"] or 0)
        half = found.get("ap")
    else:
        return None
    return _time_of_day(raw, hour, minute, second, half)


def _time_of_day(raw: str, hour: int, minute: int, second: int, half: str | None) -> time:
    """A time from its parts; half is "a" or "p" after a 12-hour clock (12am is midnight)."""
    from refundkit.i18n import _

    try:
        if half is not None:
            if not 1 <= hour <= 12:
                raise ValueError(hour)
            hour = hour % 12 + (12 if half == "p" else 0)
        return time(hour, minute, second)
    except ValueError:
        raise BadInput(
            _("no such time of day in {value}; use HH:MM, like 14:30").format(value=repr(raw))
        ) from None


def _numeric_short(raw: str, match: re.Match[str]) -> tuple[date, time | None]:
    from refundkit.i18n import _

    a, b = int(match["a"]), int(match["b"])
    if len(match["y"]) != 4:
        raise BadInput(
            _("two-digit year in {value}; {hint}").format(value=repr(raw), hint=date_hint())
        )
    if a <= 12 and b <= 12 and a != b:
        raise BadInput(
            _("ambiguous date {value}: day and month could be swapped; {hint}").format(
                value=repr(raw), hint=date_hint()
            )
        )
    day_, month = (a, b) if a > 12 else (b, a)
    return _build(raw, int(match["y"]), month, day_, match)


def _dateutil(raw: str) -> tuple[date, time | None]:
    """Fall back to dateutil, accepting only what it reads the same way whatever it assumes."""
    from dateutil import parser

    from refundkit.i18n import _

    try:
        first = parser.parse(raw, default=datetime(1900, 1, 1), dayfirst=False)
        second = parser.parse(raw, default=datetime(1904, 2, 2, 1, 1), dayfirst=True)
    except (ValueError, OverflowError, parser.ParserError):
        raise BadInput(
            _("cannot read date {value}; {hint}").format(value=repr(raw), hint=date_hint())
        ) from None
    if first.date() != second.date():
        raise BadInput(
            _("incomplete or ambiguous date {value}; {hint}").format(
                value=repr(raw), hint=date_hint()
            )
        )
    if first.tzinfo is not None:
        raise BadInput(
            _("time zones are not supported in {value}; give the local time").format(
                value=repr(raw)
            )
        )
    return first.date(), _dateutil_clock(raw, first, second)


_HALF_DAY = re.compile(r"\d\s*[ap]\.?m\b", re.IGNORECASE | re.ASCII)


def _dateutil_clock(raw: str, first: datetime, second: datetime) -> time | None:
    """The time of day dateutil read, from two readings with different default hours and
    minutes: a field the text gave is the same in both. `3pm` gives the hour alone, so the
    minutes are :00; a bare hour (`20 Nov 2026 15`) may be a slip as well as a time: refused."""
    from refundkit.i18n import _

    if first.hour != second.hour:
        return None  # no time of day given
    if first.minute == second.minute:
        return first.time().replace(microsecond=0)
    if _HALF_DAY.search(raw):
        return time(first.hour)
    raise BadInput(
        _(
            "time of day in {value} has an hour but no minutes; write it as HH:MM, like 15:00, "
            "or with am/pm, like 3pm"
        ).format(value=repr(raw))
    )


# Signs and words for the currency around an amount: ¥199, 199元, 399块, 人民币399, RMB 399.
_CURRENCY_MARKS = re.compile(
    r"^(?:¥|￥|RMB|CNY|人民币|€|£|\$)?\s*(?P<n>.*?)\s*(?:元|块钱|块|RMB|CNY|人民币)?$"
)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
MAX_AMOUNT = Decimal("1000000000")


def parse_money(text: str) -> Decimal:
    """Read an amount like 199, ¥199.00, 199元, 399块 or 1,299.00 into an exact two-place
    Decimal."""
    from refundkit.i18n import _

    raw = unicodedata.normalize("NFKC", text).strip()
    # Spaces may stand beside a sign (`¥ 199`, `199 元`), never inside the number: `12 34`
    # is two numbers, or a typo, not ¥1,234.
    match = _CURRENCY_MARKS.fullmatch(raw.upper())
    number = match["n"] if match else ""
    value_ = repr(text)
    if any(char.isspace() for char in number):
        raise BadInput(
            _("cannot read amount {value}: a space inside the number; use 1234 or 1,234").format(
                value=value_
            )
        )
    if _GROUPED.fullmatch(number):
        number = number.replace(",", "")
    if number.startswith("-") and _PLAIN.fullmatch(number[1:].replace(",", "")):
        raise BadInput(_("amount {value} must be more than zero").format(value=value_))
    if not _PLAIN.fullmatch(number):
        raise BadInput(
            _("cannot read amount {value}: use a number like 199, 199.50 or ¥199").format(
                value=value_
            )
        )
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise BadInput(
            _("cannot read amount {value}: use a number like 199, 199.50 or ¥199").format(
                value=value_
            )
        ) from None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BadInput(
            _("amount {value} has more than two decimals: give cents at most, like 199.99").format(
                value=value_
            )
        )
    if value <= 0:
        raise BadInput(_("amount {value} must be more than zero").format(value=value_))
    if value >= MAX_AMOUNT:
        raise BadInput(
            _("amount {value} is too large: refundkit takes amounts below 1,000,000,000").format(
                value=value_
            )
        )
    return value.quantize(Decimal("0.01"))


_SIGNS = {
    "¥": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "块钱": "CNY",
    "块": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "€": "EUR",
    "£": "GBP",
    "$": "USD",
}


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
