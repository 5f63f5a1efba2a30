"""Events proposed from a chat's recognised text: the merchant's refusal, with its reason and day.

A chat screenshot is the proof of what the merchant said. When its text holds a refusal
(已拆封不退, 拆封了不能退, 超过七天了不能退货...), refundkit proposes the `merchant-refused` event
with the reason the merchant gave, dated by the chat's own time stamps, for the user to accept.
Nothing is ever recorded from here: a suggestion is a proposal, and the user says yes to it
(or runs the printed command). Pure functions over text; no OCR is needed to test them.

The rules are deliberately plain: a line must say no to a return or refund, and the words
around the refusal decide the reason. Questions (吗, ？) are skipped, so the user asking
"拆封了就不能退吗？" is not taken for the merchant's answer.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta

REFUSAL = re.compile(
    r"不退|不能退|不可以退|不可退|无法退|不给退|不予退|不支持退|拒绝退|不接受退|不办理退"
    r"|不支持(?:七|7)天无理由|不适用(?:七|7)天无理由|不能(?:七|7)天无理由|不予受理"
)
# Reasons, most specific first: the words that give the merchant's reason for the refusal.
REASONS = (
    ("opened", re.compile(r"拆封|拆开|开封|拆了|已拆|激活|撕(?:了|掉|开)")),
    ("used", re.compile(r"使用过|用过|已使用|穿过|洗过|吃过|已经用")),
    (
        "past-deadline",
        re.compile(
            r"超过(?:了)?(?:七|7|十五|15)?天|超出.{0,6}(?:期|时间)|过了.{0,6}(?:期|天)|已过.{0,6}期"
        ),
    ),
    ("custom", re.compile(r"定制|订做|专属|刻字")),
    (
        "non-returnable",
        re.compile(r"特殊商品|不支持(?:七|7)天无理由|不适用(?:七|7)天无理由|概不退换|售出不退"),
    ),
)
QUESTION = re.compile(r"[?？吗]\s*$")

# Chat time stamps, as the apps print them between messages.
FULL_STAMP = re.compile(
    r"(?P<y>\d{4})\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*日?"
    r"\s*(?:(?P<ampm>上午|下午|晚上|凌晨|中午)\s*)?(?P<h>\d{1,2}):(?P<mi>\d{2})"
)
MONTH_STAMP = re.compile(
    r"^(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*(?:(?P<ampm>上午|下午|晚上|凌晨|中午)\s*)?"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})$"
)
DAY_STAMP = re.compile(
    r"^(?P<word>昨天|前天|星期[一二三四五六日天]|周[一二三四五六日天])?\s*"
    r"(?:(?P<ampm>上午|下午|晚上|凌晨|中午)\s*)?(?P<h>\d{1,2}):(?P<mi>\d{2})$"
)
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Suggestion:
    """A proposed event: what the chat shows, the day it was said, and the words themselves."""

    event: str
    reason: str
    on: date | None
    at: time | None
    note: str  # the merchant's words, quoted in the event's note

    def command(self, order_id: str) -> str:
        """The `refundkit log` command that records it (pasteable in a shell)."""
        when = self.on.isoformat() if self.on else "YYYY-MM-DD"
        if self.on and self.at:
            when += f" {self.at:%H:%M}"
        return (
            f"refundkit log {order_id} {self.event} --on {shlex.quote(when)} "
            f"--reason {self.reason} --note {shlex.quote(self.note)}"
        )


def suggest_events(text: str, reference: date | None = None) -> list[Suggestion]:
    """The events a chat's text suggests, in the chat's order.

    reference is the day the screenshot was taken (or added): it dates the stamps that carry
    no year (11月23日 14:05), or none at all (14:05 is that day; 昨天 the day before). Without
    it, such stamps give no date and the suggestion asks the user for one.
    """
    lines = [_clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    widest = _wrap_width(lines)
    suggestions: list[Suggestion] = []
    stamp: tuple[date | None, time | None] = (None, None)
    seen: set[tuple[str, date | None]] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        found = read_stamp(line, reference)
        if found is not None:
            stamp = found
            index += 1
            continue
        message, used = _message(lines, index, widest)
        index += used
        if QUESTION.search(message) or not REFUSAL.search(message):
            continue
        reason = next((name for name, words in REASONS if words.search(message)), "other")
        key = (reason, stamp[0])
        if key in seen:
            continue
        seen.add(key)
        suggestions.append(Suggestion("merchant-refused", reason, stamp[0], stamp[1], message))
    return suggestions


def _clean(line: str) -> str:
    return unicodedata.normalize("NFC", line).strip()


FINAL = re.compile(r"[。！？!?~～…]$")


def _wrap_width(lines: list[str]) -> int | None:
    """The width at which the chat's bubbles wrap: the longest line length, when at least
    two lines have it (a single longest line is just a long message)."""
    lengths = sorted((len(line) for line in lines), reverse=True)
    if len(lengths) >= 2 and lengths[1] >= 0.9 * lengths[0]:
        return lengths[0]
    return None


def _message(lines: list[str], index: int, widest: int | None) -> tuple[str, int]:
    """A chat bubble wraps its text: a line as wide as the wrap width, not ending a
    sentence, goes on in the next one."""
    message, used = lines[index], 1
    while (
        widest is not None
        and len(lines[index + used - 1]) >= 0.85 * widest
        and not FINAL.search(lines[index + used - 1])
        and index + used < len(lines)
        and read_stamp(lines[index + used], None) is None
    ):
        message += lines[index + used]
        used += 1
    return message, used


def read_stamp(line: str, reference: date | None) -> tuple[date | None, time | None] | None:
    """(day, time) when the line is a chat time stamp, else None."""
    compact = unicodedata.normalize("NFKC", line).strip()
    match = FULL_STAMP.fullmatch(compact)
    if match:
        day = _date(int(match["y"]), int(match["m"]), int(match["d"]))
        return (day, _time(match)) if day else None
    match = MONTH_STAMP.fullmatch(compact)
    if match:
        return _this_year(int(match["m"]), int(match["d"]), reference), _time(match)
    match = DAY_STAMP.fullmatch(compact)
    if match:
        return _named_day(match["word"], reference), _time(match)
    return None


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _time(match: re.Match[str]) -> time | None:
    hour, minute = int(match["h"]), int(match["mi"])
    if match["ampm"] in ("下午", "晚上") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _this_year(month: int, day: int, reference: date | None) -> date | None:
    """A stamp without a year is within the last twelve months of the reference day."""
    if reference is None:
        return None
    for year in (reference.year, reference.year - 1):
        found = _date(year, month, day)
        if found is not None and found <= reference:
            return found
    return None


def _named_day(word: str | None, reference: date | None) -> date | None:
    if reference is None:
        return None
    if word is None:
        return reference
    if word == "昨天":
        return reference - timedelta(days=1)
    if word == "前天":
        return reference - timedelta(days=2)
    weekday = WEEKDAYS.index(word[-1].replace("天", "日"))
    back = (reference.weekday() - weekday) % 7 or 7  # WeChat names days of the past week
    return reference - timedelta(days=back)
