"""Chinese working days and statutory holidays, from the maintained `chinesecalendar` package.

The State Council announces each year's holidays and make-up working days late in the year
before, so the package knows only the years announced so far. Past those, weekends are the
only days off and the caller is told so (known=False), never left to trust a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache


@dataclass(frozen=True)
class CountResult:
    day: date
    known: bool  # False when some counted year is past the holiday calendar's range


@lru_cache(maxsize=1)
def _calendar_range() -> tuple[int, int]:
    import chinese_calendar

    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


def calendar_knows(day: date) -> bool:
    first, last = _calendar_range()
    return first <= day.year <= last


def is_workday(day: date) -> bool:
    """Working day by the State Council's calendar where known, else Monday to Friday."""
    if not calendar_knows(day):
        return day.weekday() < 5
    import chinese_calendar

    return bool(chinese_calendar.is_workday(day))


def is_statutory_holiday(day: date) -> bool | None:
    """True on a statutory holiday day off; None where the calendar does not know the year."""
    if not calendar_knows(day):
        return None
    import chinese_calendar

    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return bool(on_holiday and name is not None)


def add_workdays(start: date, count: int) -> CountResult:
    """The count-th working day after start (start itself is not counted, Civil Code Art. 201)."""
    day = start
    known = calendar_knows(day)
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        known = known and calendar_knows(day)
        if is_workday(day):
            remaining -= 1
    return CountResult(day, known)


def next_workday(day: date) -> date:
    """day itself if it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def next_workday_after_holiday(day: date) -> date:
    """The first day after a run of statutory holidays (Civil Code Art. 203 rollover)."""
    while is_statutory_holiday(day):
        day += timedelta(days=1)
    return day
