"""The return-window engine (windows.py): every rule, category and edge of the calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_order
from refundkit.kinds import Category, WindowState
from refundkit.windows import as_of_view, best_window, compute_windows

OPEN, EXPIRED = WindowState.OPEN, WindowState.EXPIRED
NA, NOT_STARTED = WindowState.NOT_APPLICABLE, WindowState.NOT_STARTED


def window(order_fields: dict[str, object], as_of: date, rule: str):  # type: ignore[no-untyped-def]
    order = make_order(**order_fields)
    found = {w.rule: w for w in compute_windows(as_of_view(order, as_of), as_of)}
    return found[rule]


RECEIVED = {"purchased": date(2026, 11, 10), "received": date(2026, 11, 12)}


def test_cn_7day_counts_from_the_day_after_receipt() -> None:
    w = window(RECEIVED, date(2026, 11, 12), "cn-7day")
    assert (w.state, w.start, w.deadline, w.days_left) == (
        OPEN,
        date(2026, 11, 13),
        date(2026, 11, 19),
        7,
    )
    assert "Art. 25" in w.basis


def test_first_day_last_day_and_the_day_after() -> None:
    assert window(RECEIVED, date(2026, 11, 13), "cn-7day").days_left == 6
    last = window(RECEIVED, date(2026, 11, 19), "cn-7day")
    assert (last.state, last.days_left) == (OPEN, 0)
    after = window(RECEIVED, date(2026, 11, 20), "cn-7day")
    assert (after.state, after.days_left) == (EXPIRED, -1)


def test_not_yet_received_has_not_started() -> None:
    w = window({"purchased": date(2026, 11, 10)}, date(2026, 11, 20), "cn-7day")
    assert (w.state, w.start, w.deadline, w.days_left) == (NOT_STARTED, None, None, None)


def test_as_of_before_receipt_counts_as_not_received() -> None:
    w = window(RECEIVED, date(2026, 11, 11), "cn-7day")
    assert w.state is NOT_STARTED


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (date(2026, 1, 28), date(2026, 2, 4)),  # month end
        (date(2026, 12, 28), date(2027, 1, 4)),  # year end
        (date(2028, 2, 22), date(2028, 2, 29)),  # ends on 29 February
        (date(2028, 2, 29), date(2028, 3, 7)),  # starts after 29 February
        (date(2027, 2, 22), date(2027, 3, 1)),  # no 29 February in 2027
    ],
)
def test_calendar_edges(received: date, deadline: date) -> None:
    w = window({"purchased": received, "received": received}, received, "cn-7day")
    assert w.deadline == deadline


@pytest.mark.parametrize(
    "category",
    [
        Category.CUSTOM,
        Category.PERISHABLE,
        Category.DIGITAL,
        Category.PERIODICAL,
        Category.NON_RETURNABLE_CONFIRMED,
        Category.SERVICE,
        Category.PREPAID_SERVICE,
    ],
)
def test_cn_7day_excluded_categories_say_why(category: Category) -> None:
    w = window({**RECEIVED, "category": category}, date(2026, 11, 13), "cn-7day")
    assert w.state is NA
    assert w.basis.startswith("Not applicable")
    assert w.deadline is None and w.days_left is None


def test_cn_holiday_deadline_gets_a_note_not_a_new_date() -> None:
    w = window(
        {"purchased": date(2026, 9, 20), "received": date(2026, 9, 24)},
        date(2026, 9, 25),
        "cn-7day",
    )
    assert w.deadline == date(2026, 10, 1)  # the plain date stays the deadline
    assert any("Art. 203" in n and "2026-10-08" in n for n in w.notes)


def test_prepaid_counts_from_payment_and_says_likely() -> None:
    fields = {"purchased": date(2026, 11, 10), "category": Category.PREPAID_SERVICE}
    w = window(fields, date(2026, 11, 17), "cn-prepaid-7day")
    assert (w.state, w.start, w.deadline, w.days_left) == (
        OPEN,
        date(2026, 11, 11),
        date(2026, 11, 17),
        0,
    )
    assert "likely" in w.basis and "Fa Shi [2025] No. 4" in w.basis
    assert w.notes == ()


def test_prepaid_before_the_interpretation_is_shown_with_a_caveat() -> None:
    fields = {"purchased": date(2025, 4, 28), "category": Category.PREPAID_SERVICE}
    w = window(fields, date(2025, 4, 30), "cn-prepaid-7day")
    assert w.state is OPEN and w.deadline == date(2025, 5, 5)
    assert any("2025-05-01" in n for n in w.notes)


def test_prepaid_rule_is_listed_but_not_applicable_for_goods() -> None:
    assert window(RECEIVED, date(2026, 11, 12), "cn-prepaid-7day").state is NA


def test_promise_from_receipt_for_goods_by_default() -> None:
    w = window({**RECEIVED, "promise_days": 15}, date(2026, 11, 12), "promise")
    assert (w.start, w.deadline) == (date(2026, 11, 13), date(2026, 11, 27))
    assert "Art. 44" in w.basis


def test_promise_from_purchase_for_services_by_default() -> None:
    fields = {**RECEIVED, "promise_days": 30, "category": Category.SERVICE}
    assert window(fields, date(2026, 11, 12), "promise").deadline == date(2026, 12, 10)


def test_promise_from_can_be_set() -> None:
    fields = {**RECEIVED, "promise_days": 7, "promise_from": "purchase"}
    assert window(fields, date(2026, 11, 12), "promise").deadline == date(2026, 11, 17)


def test_no_promise_is_listed_as_not_applicable() -> None:
    assert window(RECEIVED, date(2026, 11, 12), "promise").state is NA


def test_eu_deadline_on_saturday_moves_to_monday() -> None:
    # received Sat 2026-11-07 -> 14 days -> Sat 2026-11-21 -> Mon 2026-11-23
    fields = {"purchased": date(2026, 11, 1), "received": date(2026, 11, 7), "jurisdiction": "eu"}
    w = window(fields, date(2026, 11, 8), "eu-14day")
    assert w.deadline == date(2026, 11, 23)


def test_eu_deadline_on_sunday_moves_to_monday() -> None:
    fields = {"purchased": date(2026, 11, 1), "received": date(2026, 11, 8), "jurisdiction": "eu"}
    w = window(fields, date(2026, 11, 8), "eu-14day")
    assert w.deadline == date(2026, 11, 23)


def test_eu_weekday_deadline_is_not_moved() -> None:
    fields = {"purchased": date(2026, 11, 1), "received": date(2026, 11, 10), "jurisdiction": "eu"}
    assert window(fields, date(2026, 11, 10), "eu-14day").deadline == date(2026, 11, 24)


def test_eu_services_count_from_purchase() -> None:
    fields = {"purchased": date(2026, 11, 10), "jurisdiction": "eu", "category": "service"}
    assert window(fields, date(2026, 11, 10), "eu-14day").deadline == date(2026, 11, 24)


@pytest.mark.parametrize("category", ["custom", "perishable", "digital", "periodical"])
def test_eu_and_uk_exceptions(category: str) -> None:
    for jurisdiction, rule in (("eu", "eu-14day"), ("uk", "uk-14day")):
        fields = {**RECEIVED, "jurisdiction": jurisdiction, "category": category}
        w = window(fields, date(2026, 11, 12), rule)
        assert w.state is NA and ("Art. 16" in w.basis or "reg. 28" in w.basis)


def test_non_returnable_confirmed_changes_nothing_in_the_eu() -> None:
    fields = {**RECEIVED, "jurisdiction": "eu", "category": "non-returnable-confirmed"}
    assert window(fields, date(2026, 11, 12), "eu-14day").state is OPEN


def test_uk_has_no_weekend_rollover() -> None:
    fields = {"purchased": date(2026, 11, 1), "received": date(2026, 11, 7), "jurisdiction": "uk"}
    assert window(fields, date(2026, 11, 8), "uk-14day").deadline == date(2026, 11, 21)


def test_uk_30_day_reject_only_for_faulty_goods() -> None:
    fields = {**RECEIVED, "jurisdiction": "uk"}
    assert window(fields, date(2026, 11, 12), "uk-30day-reject").state is NA
    w = window({**fields, "problem": "defective"}, date(2026, 11, 12), "uk-30day-reject")
    assert w.deadline == date(2026, 12, 12) and w.state is OPEN
    w = window({**fields, "problem": "not-as-described"}, date(2026, 11, 12), "uk-30day-reject")
    assert w.state is OPEN


def test_each_jurisdiction_lists_its_rules() -> None:
    expected = {
        "cn": ["cn-7day", "cn-prepaid-7day", "promise"],
        "eu": ["eu-14day", "promise"],
        "uk": ["uk-14day", "uk-30day-reject", "promise"],
        "us": ["promise"],
    }
    for jurisdiction, rules in expected.items():
        order = make_order(**RECEIVED, jurisdiction=jurisdiction)
        assert [w.rule for w in compute_windows(order, date(2026, 11, 12))] == rules


def test_best_window_prefers_the_open_one_with_the_latest_deadline() -> None:
    order = make_order(**RECEIVED, promise_days=15)
    best = best_window(compute_windows(order, date(2026, 11, 12)))
    assert best is not None and best.rule == "promise"


@given(
    purchased=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    delay=st.integers(min_value=0, max_value=60),
    offset=st.integers(min_value=-5, max_value=80),
    jurisdiction=st.sampled_from(["cn", "eu", "uk", "us"]),
    category=st.sampled_from(list(Category)),
    promise=st.one_of(st.none(), st.integers(min_value=1, max_value=365)),
    problem=st.sampled_from(["changed-mind", "defective"]),
)
def test_window_properties(
    purchased: date,
    delay: int,
    offset: int,
    jurisdiction: str,
    category: Category,
    promise: int | None,
    problem: str,
) -> None:
    """Deadline never before start; days_left falls by exactly one per day."""
    order = make_order(
        purchased=purchased,
        received=purchased + timedelta(days=delay),
        jurisdiction=jurisdiction,
        category=category,
        promise_days=promise,
        problem=problem,
    )
    as_of = order.received + timedelta(days=offset)  # type: ignore[operator]
    today = {w.rule: w for w in compute_windows(as_of_view(order, as_of), as_of)}
    later = as_of + timedelta(days=1)
    tomorrow = {w.rule: w for w in compute_windows(as_of_view(order, later), later)}
    for rule, w in today.items():
        if w.deadline is not None and w.start is not None:
            assert w.start <= w.deadline
            nxt = tomorrow[rule]
            if nxt.days_left is not None and w.days_left is not None:
                assert nxt.days_left == w.days_left - 1
            assert (w.state is OPEN) == (w.days_left is not None and w.days_left >= 0)
