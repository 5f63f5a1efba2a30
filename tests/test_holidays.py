"""Chinese working days from the maintained holiday calendar (workdays.py)."""

from __future__ import annotations

from datetime import date

from refundkit.rules.holidays import add_workdays, calendar_knows, is_statutory_holiday, is_workday


def test_national_day_2026_and_its_make_up_working_day() -> None:
    assert not is_workday(date(2026, 10, 1))  # National Day holiday
    assert is_statutory_holiday(date(2026, 10, 1))
    assert is_workday(date(2026, 9, 20))  # a Sunday worked to make up for the holiday
    assert not is_statutory_holiday(date(2026, 9, 20))


def test_counting_across_a_holiday_uses_the_make_up_day() -> None:
    # From Friday 2026-09-18: Sunday 09-20 is a make-up working day and counts; the
    # Mid-autumn holiday (Fri 09-25) does not: 20, 21, 22, 23, 24, 28, 29.
    result = add_workdays(date(2026, 9, 18), 7)
    assert result.known
    assert result.day == date(2026, 9, 29)
    # Across National Day: 09-30, then 10-01..10-07 off, then 10-08, 10-09.
    assert add_workdays(date(2026, 9, 29), 3).day == date(2026, 10, 9)
    # Saturday 10-10 is a make-up working day.
    assert add_workdays(date(2026, 10, 9), 1).day == date(2026, 10, 10)


def test_weekends_only_past_the_calendar_with_a_flag() -> None:
    assert not calendar_knows(date(2099, 1, 5))
    result = add_workdays(date(2099, 1, 2), 7)  # a Friday
    assert not result.known
    assert result.day == date(2099, 1, 13)
    assert is_statutory_holiday(date(2099, 1, 1)) is None


def test_the_start_day_is_not_counted() -> None:
    assert add_workdays(date(2026, 11, 23), 1).day == date(2026, 11, 24)
