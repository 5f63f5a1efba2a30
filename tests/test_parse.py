"""The input rules for dates and money (parse.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import snapshot
from refundkit.errors import BadInput
from refundkit.parse import format_money, parse_money, parse_past, parse_when

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", (date(2026, 11, 20), None)),
        ("2026/11/20", (date(2026, 11, 20), None)),
        ("2026.11.20", (date(2026, 11, 20), None)),
        ("2026年11月20日", (date(2026, 11, 20), None)),
        ("2026年1月2日", (date(2026, 1, 2), None)),
        ("2026-11-20 14:30", (date(2026, 11, 20), time(14, 30))),
        ("2026年11月20日 09:05:07", (date(2026, 11, 20), time(9, 5, 7))),
        ("today", (TODAY, None)),
        ("Today", (TODAY, None)),
        ("yesterday", (TODAY - timedelta(days=1), None)),
        ("3 days ago", (TODAY - timedelta(days=3), None)),
        ("1 day ago", (TODAY - timedelta(days=1), None)),
        ("20 Nov 2026", (date(2026, 11, 20), None)),
        ("November 20, 2026 10:00", (date(2026, 11, 20), time(10, 0))),
        ("13/04/2026", (date(2026, 4, 13), None)),
        ("04/13/2026", (date(2026, 4, 13), None)),
        ("03/03/2026", (date(2026, 3, 3), None)),
        ("2024-02-29", (date(2024, 2, 29), None)),
        ("２０２６-１１-２０", (date(2026, 11, 20), None)),
        ("2026-11-20 3pm", (date(2026, 11, 20), time(15, 0))),
        ("2026-11-20 9am", (date(2026, 11, 20), time(9, 0))),
        ("2026-11-20 12am", (date(2026, 11, 20), time(0, 0))),
        ("2026-11-20 12pm", (date(2026, 11, 20), time(12, 0))),
        ("2026-11-20 3 pm", (date(2026, 11, 20), time(15, 0))),
        ("2026-11-20 2:30pm", (date(2026, 11, 20), time(14, 30))),
        ("2026-11-20 2:30 P.M.", (date(2026, 11, 20), time(14, 30))),
        ("20 Nov 2026 3pm", (date(2026, 11, 20), time(15, 0))),
        ("20 Nov 2026 12am", (date(2026, 11, 20), time(0, 0))),
        ("20 Nov 2026 at 3 p.m.", (date(2026, 11, 20), time(15, 0))),
        ("20 Nov 2026 2:30pm", (date(2026, 11, 20), time(14, 30))),
        ("2026年11月20日3pm", (date(2026, 11, 20), time(15, 0))),
        ("yesterday 3pm", (TODAY - timedelta(days=1), time(15, 0))),
        ("today 9am", (TODAY, time(9, 0))),
        ("last friday 12pm", (date(2026, 11, 20), time(12, 0))),
        ("13/04/2026 3pm", (date(2026, 4, 13), time(15, 0))),
    ],
)
def test_date_forms(text: str, expected: tuple[date, time | None]) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昨天下午3点", (TODAY - timedelta(days=1), time(15, 0))),
        ("昨天下午三点", (TODAY - timedelta(days=1), time(15, 0))),
        ("昨天下午两点", (TODAY - timedelta(days=1), time(14, 0))),
        ("11月25日晚上8点半", (date(2026, 11, 25), time(20, 30))),
        ("前天上午10点15分", (TODAY - timedelta(days=2), time(10, 15))),
        ("2026-11-20 下午3点", (date(2026, 11, 20), time(15, 0))),
        ("三天前中午12点", (TODAY - timedelta(days=3), time(12, 0))),
        ("昨天中午1点", (TODAY - timedelta(days=1), time(13, 0))),
        ("昨天凌晨12点", (TODAY - timedelta(days=1), time(0, 0))),
        ("2026年11月20日14时30分", (date(2026, 11, 20), time(14, 30))),
    ],
)
def test_a_time_of_day_said_in_chinese(text: str, expected: tuple[date, time | None]) -> None:
    """昨天下午3点 is how a Chinese user says when the merchant refused."""
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "03/04/2026",
        "2026-02-30",
        "2025-02-29",
        "Nov 2026",
        "20 Nov",
        "",
        "  ",
        "2026-13-01",
        "2026-11-20 25:00",
        "03/04/26",
        "1e5",
        "昨天25点",
        "下午3点",  # a time alone is no date
    ],
)
def test_bad_dates_are_refused_with_the_fix(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_when(text, TODAY)
    assert "YYYY-MM-DD" in info.value.message or "HH:MM" in info.value.message


@pytest.mark.parametrize(
    "text", ["2026-11-20 15", "20 Nov 2026 15", "2026-11-20T15", "Nov 20 2026 12"]
)
def test_an_hour_alone_is_refused_not_dropped(text: str) -> None:
    """`2026-11-20 15` may be 15:00 or a slip: asked again, never recorded without its time."""
    with pytest.raises(BadInput, match="no minutes") as info:
        parse_when(text, TODAY)
    assert "HH:MM" in info.value.message and "3pm" in info.value.message


@pytest.mark.parametrize(
    "text", ["2026-11-20 13pm", "2026-11-20 0am", "2026-11-20 14:30pm", "20 Nov 2026 13pm"]
)
def test_a_twelve_hour_clock_past_twelve_is_refused(text: str) -> None:
    with pytest.raises(BadInput):
        parse_when(text, TODAY)


def test_ambiguous_date_says_so() -> None:
    with pytest.raises(BadInput, match="ambiguous"):
        parse_when("03/04/2026", TODAY)


def test_future_dates_are_refused_for_past_events() -> None:
    with pytest.raises(BadInput, match="after today"):
        parse_past("2026-11-27", TODAY, "purchase")
    assert parse_past("2026-11-26", TODAY, "purchase")[0] == TODAY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("199", "199.00"),
        ("199.5", "199.50"),
        ("199.00", "199.00"),
        ("¥199", "199.00"),
        ("￥199.00", "199.00"),
        ("199元", "199.00"),
        ("1,299.00", "1299.00"),
        ("¥1,299", "1299.00"),
        (" 0.01 ", "0.01"),
        ("￥１９９", "199.00"),
        ("12,345,678.90", "12345678.90"),
        ("¥ 199", "199.00"),
        ("199 元", "199.00"),
        ("RMB 12.50", "12.50"),
        ("$ 5", "5.00"),
    ],
)
def test_money_forms(text: str, expected: str) -> None:
    value = parse_money(text)
    assert isinstance(value, Decimal)
    assert format_money(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.00",
        "-5",
        "1.234",
        "abc",
        "1,2,3",
        "12,34.00",
        "NaN",
        "Infinity",
        "1e3",
        "",
        "¥",
        "١٢٣",
        "199.5.0",
        "10000000000",
        "12 34",  # was read as ¥1,234.00
        "1 299.00",
        "¥ 12 34",
        "12\u00a034",  # a no-break space is a space too
        "12\u300034",  # and so is a full-width one
    ],
)
def test_bad_money_is_refused(text: str) -> None:
    with pytest.raises(BadInput):
        parse_money(text)


@given(st.integers(min_value=1, max_value=10**11 - 1))
def test_money_round_trips_exactly(cents: int) -> None:
    """Any amount in cents survives every accepted spelling without float error."""
    value = Decimal(cents) / 100
    text = f"{value:.2f}"
    assert parse_money(text) == value
    assert parse_money(f"¥{value:,.2f}") == value
    assert parse_money(f"{text}元") == value


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_every_iso_and_chinese_date_reads_back(day: date) -> None:
    assert parse_when(day.isoformat(), TODAY)[0] == day
    assert parse_when(f"{day.year}年{day.month}月{day.day}日", TODAY)[0] == day
    assert parse_when(day.strftime("%Y/%m/%d"), TODAY)[0] == day


def _twelve_hour(clock: time, minutes: bool) -> str:
    """clock as people write it with am/pm: 3pm, 12am, 2:30 p.m."""
    hour = clock.hour % 12 or 12
    half = "am" if clock.hour < 12 else "pm"
    return f"{hour}:{clock.minute:02d}{half}" if minutes else f"{hour}{half}"


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.sampled_from(["{iso} {clock}", "{iso} {clock_spaced}", "{day} {clock}", "{cn}{clock}"]),
)
def test_every_time_of_day_said_with_am_or_pm_is_kept(day: date, clock: time, form: str) -> None:
    """A time said with am/pm, with or without minutes, after any date form: never dropped."""
    minutes = clock.minute != 0 or day.day % 2 == 0  # both 3pm and 3:00pm
    said = _twelve_hour(clock, minutes)
    text = form.format(
        iso=day.isoformat(),
        day=day.strftime("%d %b %Y"),
        cn=f"{day.year}年{day.month}月{day.day}日",
        clock=said,
        clock_spaced=f"{said[:-2]} {said[-2:].upper()}",  # 3 PM
    )
    assert parse_when(text, TODAY) == (day, clock)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday 14:30", (TODAY - timedelta(days=1), time(14, 30))),
        ("today 09:00", (TODAY, time(9, 0))),
        ("3 days ago 10:15", (TODAY - timedelta(days=3), time(10, 15))),
        ("昨天14:30", (TODAY - timedelta(days=1), time(14, 30))),
        ("2026年11月20日14:30", (date(2026, 11, 20), time(14, 30))),
    ],
)
def test_relative_and_chinese_dates_keep_a_time(text: str, expected: tuple[date, time]) -> None:
    assert parse_when(text, TODAY) == expected


def test_negative_amount_says_more_than_zero() -> None:
    with pytest.raises(BadInput, match="more than zero"):
        parse_money("-5")


def test_inner_space_in_an_amount_says_so() -> None:
    with pytest.raises(BadInput, match="space inside the number"):
        parse_money("12 34")


# --- dates as people say them (TODAY is Thursday 26 November 2026) ------------------------

SPOKEN = [
    ("11月25日", date(2026, 11, 25)),
    ("11月26日", date(2026, 11, 26)),
    # A month and day less than a month ahead is this year's (a past event said so is refused
    # as after today); further ahead it is the latest one not after today.
    ("11月27日", date(2026, 11, 27)),
    ("12月1号", date(2026, 12, 1)),
    ("12月27日", date(2026, 12, 27)),
    ("12月28日", date(2025, 12, 28)),
    ("明天", date(2026, 11, 27)),
    ("tomorrow", date(2026, 11, 27)),
    ("十一月二十五日", date(2026, 11, 25)),
    ("二〇二六年十一月二十日", date(2026, 11, 20)),
    ("去年11月27日", date(2025, 11, 27)),
    ("今年3月1日", date(2026, 3, 1)),
    ("2月29日", date(2024, 2, 29)),
    ("三天前", date(2026, 11, 23)),
    ("3天前", date(2026, 11, 23)),
    ("十天前", date(2026, 11, 16)),
    ("前天", date(2026, 11, 24)),
    ("大前天", date(2026, 11, 23)),
    ("今天", TODAY),
    ("昨天", date(2026, 11, 25)),
    ("两周前", date(2026, 11, 12)),
    ("2 weeks ago", date(2026, 11, 12)),
    ("一个月前", date(2026, 10, 26)),
    ("上周五", date(2026, 11, 20)),
    ("上星期一", date(2026, 11, 16)),
    ("上周日", date(2026, 11, 22)),
    ("本周一", date(2026, 11, 23)),
    ("周五", date(2026, 11, 20)),  # the latest Friday not after today
    ("星期四", TODAY),
    ("last friday", date(2026, 11, 20)),
    ("last thursday", date(2026, 11, 19)),
    ("上个月3号", date(2026, 10, 3)),
    ("上月31日", date(2026, 10, 31)),
    ("本月3号", date(2026, 11, 3)),
    ("27号", date(2026, 10, 27)),
    ("3号", date(2026, 11, 3)),
]


@pytest.mark.parametrize(
    ("text", "hint"),
    [("11月27日", True), ("十一月二十七日", True), ("12月1号", True), ("明天", False),
     ("tomorrow", False), ("今年11月27日", False)],
)  # fmt: skip
def test_a_day_ahead_said_for_a_past_event_is_refused_with_last_years_date(
    text: str, hint: bool
) -> None:
    """Never silently a year earlier: 11月27日 said on 26 November is tomorrow, and the
    message offers last year's date for a user who meant it; nobody saying 明天 or 今年 did."""
    with pytest.raises(BadInput, match="after today") as caught:
        parse_past(text, TODAY, "purchase")
    assert ("if you meant 2025-" in caught.value.message) is hint


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2026, 12, 20), "1月5日", date(2027, 1, 5)),  # the days just ahead, next year
        (date(2026, 12, 31), "1月1日", date(2027, 1, 1)),
        (date(2027, 1, 3), "12月28日", date(2026, 12, 28)),  # a few days back, last year
        (date(2026, 12, 20), "2月1日", date(2026, 2, 1)),  # further ahead: the one before
    ],
)
def test_a_month_and_day_across_the_new_year(today: date, text: str, expected: date) -> None:
    assert parse_when(text, today) == (expected, None)


@pytest.mark.parametrize(("text", "expected"), SPOKEN)
def test_dates_as_people_say_them(text: str, expected: date) -> None:
    assert parse_when(text, TODAY) == (expected, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11月25日 14:30", (date(2026, 11, 25), time(14, 30))),
        ("11月25日14:30", (date(2026, 11, 25), time(14, 30))),
        ("上周五 9:05", (date(2026, 11, 20), time(9, 5))),
        ("三天前 08:00", (date(2026, 11, 23), time(8, 0))),
    ],
)
def test_spoken_dates_keep_a_time(text: str, expected: tuple[date, time]) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2月30日", "上个月31号", "去年2月29日", "13月1日", "32号"])
def test_spoken_dates_that_do_not_exist_are_refused_with_the_forms(text: str) -> None:
    """November has 30 days: 上个月31号 said in December would exist, said now it does not."""
    with pytest.raises(BadInput) as caught:
        parse_when(text, date(2026, 12, 5) if text == "上个月31号" else TODAY)
    assert "11月20日" in caught.value.message and "\n" not in caught.value.message


def test_this_weeks_day_ahead_is_refused_for_what_already_happened() -> None:
    with pytest.raises(BadInput, match="after today"):
        parse_past("本周五", TODAY, "event")


def test_chinese_money_words() -> None:
    assert parse_money("399块") == Decimal("399.00")
    assert parse_money("399块钱") == Decimal("399.00")
    assert parse_money("人民币399") == Decimal("399.00")


# --- a time still to come today (the clock is fixed: 04:10 on TODAY) ------------------------

NOW = datetime.combine(TODAY, time(4, 10, 30))


@pytest.mark.parametrize("text", ["2026-11-26 23:59", "today 04:11", "today 9am", "今天下午3点"])
def test_a_time_later_today_is_refused_for_what_already_happened(text: str) -> None:
    with pytest.raises(BadInput, match="later than now") as info:
        parse_past(text, TODAY, "purchase", NOW.time())
    assert "04:10" in info.value.message and repr(text) in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 04:10", time(4, 10)),  # the minute it is now
        ("2026-11-26 04:10:59", time(4, 10, 59)),
        ("today 12am", time(0, 0)),
        ("yesterday 23:59", time(23, 59)),
        ("today", None),
    ],
)
def test_a_time_up_to_now_is_kept(text: str, expected: time | None) -> None:
    assert parse_past(text, TODAY, "purchase", NOW.time())[1] == expected


def test_without_the_clock_only_the_day_is_checked() -> None:
    """A bill's or a screenshot's time may be another zone's clock: not held against now."""
    assert parse_past("2026-11-26 23:59", TODAY, "purchase") == (TODAY, time(23, 59))


def test_orders_events_and_evidence_refuse_a_time_later_today(home: Path, tmp_path: Path) -> None:
    """add-order --purchased, edit --received, log --on, correct --on and add-evidence --taken
    all pass the clock: each refuses today 23:59 at 04:10 and records nothing."""
    from refundkit import cases, timeline
    from refundkit.evidence import add_evidence
    from refundkit.kinds import EvidenceKind
    from refundkit.store import Store

    store = Store(home)
    late = "2026-11-26 23:59"
    order = {"merchant": "店", "item": "耳机", "amount": "5", "purchased": "2026-11-26 01:00"}
    with pytest.raises(BadInput, match="later than now"):
        cases.add_order(store, {**order, "purchased": late}, NOW)
    order_id = cases.add_order(store, order, NOW).id
    before = snapshot(home)
    with pytest.raises(BadInput, match="later than now"):
        cases.edit_order(store, order_id, {"received": late}, NOW)
    with pytest.raises(BadInput, match="later than now"):
        timeline.log_event(store, order_id, {"event": "contacted-merchant", "on": late}, NOW)
    assert snapshot(home) == before
    contact = {"event": "contacted-merchant", "on": "today 04:00"}
    event = timeline.log_event(store, order_id, contact, NOW)
    before = snapshot(home)
    with pytest.raises(BadInput, match="later than now"):
        timeline.correct_event(store, order_id, event.id, {"on": late}, NOW)
    proof = tmp_path / "chat.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nchat")
    with pytest.raises(BadInput, match="later than now"):
        add_evidence(store, order_id, [proof], EvidenceKind.CHAT, None, late, NOW)
    assert snapshot(home) == before
