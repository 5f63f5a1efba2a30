"""For which as-of days a case computed for one day holds: the day traced through the rules.

`status` shows each case as of a day, and the status index (index.py) keeps what it showed. Most
of it does not depend on the day, and what does depends on it in two ways only:
- through comparisons (a window is open while the day is on or before its deadline, a step is
  overdue once the day is past its date, an event counts once the day has reached it); each
  comparison comes out the same on a whole run of days;
- through differences (days left = deadline - day), which are shown as numbers.

Rather than list by hand the dates at which each rule changes its answer (a list the next rule
would make wrong), the case is computed with a `Day`: a date that notes every comparison made
with it, and turns every difference into an `Int` that does the same. The days on which every
comparison comes out as it did form a `Span`, and on each day of it the case reads the same
but for the differences. These are written into the case's text as markers (`marked` below)
that `render` replaces with their value on the day asked for. Any other use of the day (its
year, its hash, a sum with it, a number formatted with a width...) pins the span to that one
day: the case is then computed again for another day, never shown wrong.

The words must treat a marker as the number it stands for: no length of a sentence may decide
its wording (tests/test_cache.py renders traced cases over months of days and compares each
with a case computed for that day).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any, TypeVar

# Marker characters (private use, never printed: they are replaced before anything is shown).
IN_TEXT = "\ue000"  # a value inside a string
WHOLE = "\ue001"  # a whole JSON value (a number), quotes and all
MARK_CHARS = (IN_TEXT, WHOLE)
# d: the ISO date day + n; p: the number day + n; m: the number n - day (days as ordinals);
# u: the style of a window whose last day is n (see closeness).
VALUE = "([pmdu])(-?[0-9]+)"
MARKER = f'"{WHOLE}{VALUE}{WHOLE}"|{IN_TEXT}{VALUE}{IN_TEXT}'
# While tracing, markers carry this run's random tag, which no record can hold by chance;
# settle() checks that every marker character in a result belongs to such a marker, then
# drops the tag. A record that holds marker characters of its own is thus never rendered.
TAG = os.urandom(6).hex()
TAGGED = f"([{WHOLE}{IN_TEXT}]){TAG}{VALUE}([{WHOLE}{IN_TEXT}])"


@functools.cache
def pattern(text: str) -> re.Pattern[str]:
    """A pattern compiled on first use: `status` from the index needs few or none."""
    return re.compile(text)


@functools.cache
def bytes_pattern(text: str) -> re.Pattern[bytes]:
    return re.compile(text.encode())


class Span:
    """The days (as ordinals, lo..hi) on which every traced comparison comes out as on `day`."""

    def __init__(self, day: int) -> None:
        self.day = day
        self.lo = date.min.toordinal()
        self.hi = date.max.toordinal()

    def cut(self, k: int) -> None:
        """A comparison's outcome may differ between day k - 1 and day k."""
        if self.day < k:
            self.hi = min(self.hi, k - 1)
        else:
            self.lo = max(self.lo, k)

    def pin(self) -> None:
        """The day was used in a way not traced: the result holds for that day alone."""
        self.lo = self.hi = self.day

    @property
    def pinned(self) -> bool:
        return self.lo == self.hi


class _Tracing(threading.local):
    span: Span | None = None  # the computation being traced in this thread


_current = _Tracing()


def _pin() -> None:
    span = _current.span
    if span is not None:
        span.pin()


# Where each comparison's outcome may change: between day bound + k - 1 and bound + k.
CUTS = {"lt": (0,), "ge": (0,), "le": (1,), "gt": (1,), "eq": (0, 1), "ne": (0, 1)}


def _compared(op: str, bound: int) -> None:
    """Note that the day (as an ordinal x) was compared as `x op bound`."""
    span = _current.span
    if span is None:
        return
    for k in CUTS[op]:
        cut = bound + k
        if span.day < cut:
            if cut <= span.hi:
                span.hi = cut - 1
        elif cut > span.lo:
            span.lo = cut


FLIPPED = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}


@contextlib.contextmanager
def tracing(day: date) -> Iterator[tuple[Day, Span]]:
    """A traced stand-in for day, and the span it finds, while the block runs."""
    span = Span(day.toordinal())
    previous, _current.span = _current.span, span
    try:
        yield Day(day.year, day.month, day.day), span
    finally:
        _current.span = previous


def marker(kind: str, offset: int, whole: bool = False) -> str:
    """A traced value's marker (tagged: see settle)."""
    mark = WHOLE if whole else IN_TEXT
    return f"{mark}{TAG}{kind}{offset}{mark}"


def settle(text: str) -> str | None:
    """text with its markers untagged, or None if it holds marker characters that are not
    this run's markers (a record's own: such a result is good for its one day only)."""
    tagged = 0

    def untag(m: re.Match[str]) -> str:
        nonlocal tagged
        tagged += 1
        return f"{m[1]}{m[2]}{m[3]}{m[4]}"

    settled = pattern(TAGGED).sub(untag, text)
    chars = sum(text.count(c) for c in MARK_CHARS)
    return settled if chars == 2 * tagged else None


def settled(data: Any) -> Any:
    """A JSON value with every string settled; raises ValueError where one cannot be."""
    kind = type(data)
    if kind is str:
        if IN_TEXT not in data and WHOLE not in data:
            return data
        text = settle(data)
        if text is None:
            raise ValueError("marker characters in a record")
        return text
    if kind is list:
        return [settled(v) for v in data]
    if kind is dict:
        return {k: settled(v) for k, v in data.items()}
    return data


def _value(kind: str, offset: str, day: int) -> str:
    n = int(offset)
    if kind == "d":
        return date.fromordinal(day + n).isoformat()
    if kind == "u":
        return CLOSE if n - day <= CLOSE_WITHIN else NOT_CLOSE
    return str(day + n if kind == "p" else n - day)


# How the overview colours an open window's days left (plain.urgency_style): from two days
# before its last day on, as a warning. Only the overview shows it, so it is rendered when
# shown, like the days left themselves: a window coming close does not end the case's span,
# which would have the case computed again (a third of the cases computed again on the day
# after an index of 10,000 was built).
CLOSE_WITHIN = 2
CLOSE, NOT_CLOSE = "bold yellow", "green"


def closeness(days_left: int) -> str:
    """An open window's style by its days left; for a traced number, a marker for it."""
    if type(days_left) is Int and days_left.kind == "m":
        return marker("u", days_left.offset)
    return CLOSE if days_left <= CLOSE_WITHIN else NOT_CLOSE


def render(text: str, day: date) -> str:
    """text with its markers replaced by their values on day."""
    x = day.toordinal()

    def value(m: re.Match[str]) -> str:
        kind, offset = (m[1], m[2]) if m[1] else (m[3], m[4])
        return _value(kind, offset, x)

    return pattern(MARKER).sub(value, text)


Marks = list[list[Any]]  # [position, length, kind, offset] of each marker in a UTF-8 text


def marks_of(text: bytes) -> Marks:
    """Where a settled text's markers stand."""
    found: Marks = []
    for m in bytes_pattern(MARKER).finditer(text):
        kind, offset = (m[1], m[2]) if m[1] else (m[3], m[4])
        found.append([m.start(), m.end() - m.start(), kind.decode(), int(offset)])
    return found


def settle_text(text: str) -> tuple[bytes, Marks] | None:
    """A traced text as UTF-8 with its markers untagged, and where they stand (marks_of), in
    one pass; None if it holds marker characters of a record's own (see settle)."""
    chars = text.count(IN_TEXT) + text.count(WHOLE)
    if not chars:
        return text.encode(), []
    pieces: list[bytes] = []
    found: Marks = []
    position = last = 0
    for m in pattern(TAGGED).finditer(text):
        start, end = m.span()
        if m[1] != m[4]:
            return None
        if m[1] == WHOLE:  # a whole JSON value: its quotes are part of the marker
            if text[start - 1 : start] != '"' or text[end : end + 1] != '"':
                return None
            start, end = start - 1, end + 1
            mark = f'"{WHOLE}{m[2]}{m[3]}{WHOLE}"'.encode()
        else:
            mark = f"{IN_TEXT}{m[2]}{m[3]}{IN_TEXT}".encode()
        piece = text[last:start].encode()
        position += len(piece)
        pieces += [piece, mark]
        found.append([position, len(mark), m[2], int(m[3])])
        position += len(mark)
        last = end
    if chars != 2 * len(found):
        return None
    pieces.append(text[last:].encode())
    return b"".join(pieces), found


def render_at(text: bytes | memoryview, marks: Any, day: date) -> bytes | None:
    """text with the markers at marks (marks_of) replaced by their values on day; None if
    marks do not fit text (a damaged index: the case is computed again)."""
    pieces = rendered_pieces(text, marks, day)
    return None if pieces is None else b"".join(pieces)


def rendered_pieces(
    text: bytes | memoryview, marks: Any, day: date
) -> list[bytes | memoryview] | None:
    """render_at's text in pieces, for a caller that joins many texts at once (status
    --json: joining each of 10,000 cases' texts first copied 22 MB once more)."""
    x = day.toordinal()
    pieces: list[bytes | memoryview] = []
    last = 0
    try:
        for position, length, kind, offset in marks:
            if not (type(position) is int and type(length) is int and position >= last):
                return None
            pieces.append(text[last:position])
            pieces.append(_value(kind, str(offset), x).encode())
            last = position + length
    except (TypeError, ValueError, KeyError):
        return None
    if last > len(text):
        return None
    pieces.append(text[last:])
    return pieces


def render_data(data: Any, day: date) -> Any:
    """A JSON value with every marker in it replaced (WHOLE markers by numbers)."""
    if isinstance(data, str):
        if data.startswith(WHOLE):
            m = pattern(MARKER).fullmatch(f'"{data}"')
            if m:
                return int(_value(m[1], m[2], day.toordinal()))
        return render(data, day) if IN_TEXT in data else data
    if isinstance(data, list):
        return [render_data(v, day) for v in data]
    if isinstance(data, dict):
        return {k: render_data(v, day) for k, v in data.items()}
    return data


def marked(data: Any) -> Any:
    """A JSON value to be stored: every traced number in it becomes a WHOLE marker (a JSON
    encoder would write its value on the traced day), every other traced value pins. The
    containers that hold none are returned as they are."""
    kind = type(data)
    if kind is Int:
        return marker(data.kind, data.offset, whole=True)
    if kind is Day or kind is Delta:
        _pin()
        return data
    if kind is dict:
        items = data.items()
    elif kind is list or kind is tuple:
        items = enumerate(data)
    else:
        return data
    copy: Any = None
    for key, value in items:
        if type(value) in _WALKED and (type(value) not in _CONTAINERS or len(value)):
            new = marked(value)
            if new is not value:
                if copy is None:
                    copy = dict(data) if kind is dict else list(data)
                copy[key] = new
    return data if copy is None else copy


def has_mark_chars(data: Any) -> bool:
    """Whether a JSON value holds a marker character anywhere."""
    kind = type(data)
    if kind is str:
        return IN_TEXT in data or WHOLE in data
    if kind is list:
        return any(has_mark_chars(v) for v in data)
    if kind is dict:
        return any(has_mark_chars(v) for v in data.values())
    return False


# --- the traced values -----------------------------------------------------------------------


def _ordinal(day: date) -> int:
    return date.toordinal(day)


def _plain(day: date) -> date:
    return date.fromordinal(date.toordinal(day))


class Day(date):
    """The as-of day, noting how it is used (see the module's docstring)."""

    __slots__ = ()

    def __hash__(self) -> int:
        _pin()
        return date.__hash__(self)

    def __sub__(self, other: Any) -> Any:
        if type(other) is date:
            return Delta.of(1, -_ordinal(other))  # day - other
        if type(other) is Day:
            return timedelta(0)
        _pin()
        return _plain(self) - other

    def __rsub__(self, other: Any) -> Any:
        if type(other) is date:
            return Delta.of(-1, _ordinal(other))  # other - day
        _pin()
        return other - _plain(self)

    def __add__(self, other: Any) -> Any:
        _pin()
        return _plain(self) + other

    __radd__ = __add__

    def __str__(self) -> str:
        return marker("d", 0)

    def __format__(self, spec: str) -> str:
        if spec == "":
            return marker("d", 0)
        _pin()
        return format(_plain(self), spec)

    def __repr__(self) -> str:
        _pin()
        return repr(_plain(self))

    def __reduce__(self) -> Any:
        _pin()
        return _plain(self).__reduce__()

    def __getattribute__(self, name: str) -> Any:
        if name == "isoformat":
            return lambda: marker("d", 0)
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        _pin()  # year, month, weekday(), replace(), toordinal(), strftime()...
        return getattr(_plain(self), name)


_T = TypeVar("_T")
_TIMEDELTA_DAYS = timedelta.__dict__["days"]


def _real_days(delta: timedelta) -> int:
    days: int = _TIMEDELTA_DAYS.__get__(delta, timedelta)
    return days


def _comparisons(cls: type[_T]) -> type[_T]:
    """The six comparisons of a traced class, each through its _compare (which notes the
    comparison as a bound on the day, or pins the span)."""
    for op in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(cls, f"__{op}__", lambda self, other, op=op: self._compare(other, op))
    return cls


@_comparisons
class Delta(timedelta):
    """day - a date, or a date - day: a whole number of days that moves with the day."""

    sign: int
    offset: int

    @classmethod
    def of(cls, sign: int, offset: int) -> Delta:
        span = _current.span
        x = span.day if span is not None else 0
        delta = cls(days=sign * x + offset)
        delta.sign, delta.offset = sign, offset
        return delta

    @property
    def days(self) -> Int:
        return Int.of(self.sign, self.offset)

    def _compare(self, other: object, op: str) -> Any:
        result = getattr(timedelta, f"__{op}__")(self, other)
        if result is NotImplemented:
            return result
        if type(other) is timedelta and not (other.seconds or other.microseconds):
            getattr(self.days, f"__{op}__")(other.days)  # noted as the days' comparison
        else:
            _pin()
        return result

    def __bool__(self) -> bool:
        return bool(self.days)

    def __hash__(self) -> int:
        _pin()
        return timedelta.__hash__(self)

    def total_seconds(self) -> float:
        _pin()
        return timedelta.total_seconds(self)

    def __str__(self) -> str:
        _pin()
        return timedelta.__str__(self)

    def __repr__(self) -> str:
        _pin()
        return timedelta.__repr__(self)

    def __format__(self, spec: str) -> str:
        _pin()
        return format(timedelta(days=_real_days(self)), spec)


@_comparisons
class Int(int):
    """A number of days that moves with the day: sign * day + offset (days as ordinals)."""

    kind: str
    offset: int

    @classmethod
    def of(cls, sign: int, offset: int) -> Int:
        span = _current.span
        x = span.day if span is not None else 0
        number = cls(sign * x + offset)
        number.kind, number.offset = ("p" if sign > 0 else "m"), offset
        return number

    def _compare(self, other: object, op: str) -> Any:
        result = getattr(int, f"__{op}__")(self, other)
        if result is NotImplemented:
            return result
        if type(other) is int:
            # sign * x + offset op other  <=>  x op' bound
            if self.kind == "p":
                _compared(op, other - self.offset)
            else:
                _compared(FLIPPED[op], self.offset - other)
        else:
            _pin()
        return result

    def __bool__(self) -> bool:
        return bool(self._compare(0, "ne"))

    def __str__(self) -> str:
        return marker(self.kind, self.offset)

    def __format__(self, spec: str) -> str:
        if spec == "":
            return marker(self.kind, self.offset)
        _pin()
        return format(int.__int__(self), spec)

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__") or name in ("kind", "offset", "_compare"):
            return object.__getattribute__(self, name)
        _pin()  # real, numerator, bit_length(), to_bytes()...
        return getattr(int.__int__(self), name)


def _pinning(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def pinned(self: Any, *args: Any) -> Any:
        _pin()
        return method(
            int.__int__(self), *(int.__int__(a) if isinstance(a, Int) else a for a in args)
        )

    pinned.__name__ = name
    return pinned


# Every other use of a traced number pins the span: arithmetic, hashing, indexing, conversion.
for _name in (
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__floordiv__",
    "__rfloordiv__",
    "__truediv__",
    "__rtruediv__",
    "__mod__",
    "__rmod__",
    "__divmod__",
    "__rdivmod__",
    "__pow__",
    "__rpow__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__invert__",
    "__and__",
    "__rand__",
    "__or__",
    "__ror__",
    "__xor__",
    "__rxor__",
    "__lshift__",
    "__rlshift__",
    "__rshift__",
    "__rrshift__",
    "__hash__",
    "__index__",
    "__int__",
    "__float__",
    "__round__",
    "__trunc__",
    "__floor__",
    "__ceil__",
    "__repr__",
    "__reduce__",
    "__reduce_ex__",
    "__getnewargs__",
):
    setattr(Int, _name, _pinning(_name, getattr(int, _name)))


def _delta_pinning(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def pinned(self: Any, *args: Any) -> Any:
        _pin()
        return method(timedelta(days=_real_days(self)), *args)

    pinned.__name__ = name
    return pinned


for _name in (
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__floordiv__",
    "__truediv__",
    "__mod__",
    "__divmod__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__reduce__",
):
    setattr(Delta, _name, _delta_pinning(_name, getattr(timedelta, _name)))


def _day_comparison(op: str) -> Callable[[Day, object], Any]:
    method = getattr(date, f"__{op}__")

    def compare(self: Day, other: object) -> Any:
        result = method(self, other)
        if result is NotImplemented or type(other) is Day:
            return result  # another type, or the day with itself: nothing learnt
        if type(other) is date:
            _compared(op, _ordinal(other))
        else:
            _pin()
        return result

    compare.__name__ = f"__{op}__"
    return compare


for _op in FLIPPED:
    setattr(Day, f"__{_op}__", _day_comparison(_op))

_WALKED = frozenset((dict, list, tuple, Int, Day, Delta))
_CONTAINERS = frozenset((dict, list, tuple))
