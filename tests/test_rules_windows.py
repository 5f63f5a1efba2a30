"""Return windows (rules/windows.py): every rule, category and calendar edge, and which request
exercised each window. Plain values in, plain values out: no store, no Typer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit.kinds import Category, RequestKind, WindowState
from refundkit.rules import best_window
from refundkit.rules.facts import DEFECT_REQUESTS, RETURN_REQUESTS
from refundkit.rules.windows import DEFECT_RULES, compute_windows, remedies_of
from rules_cases import RECEIVED, case, ev, judge

OPEN, EXPIRED = WindowState.OPEN, WindowState.EXPIRED
NA, NOT_STARTED = WindowState.NOT_APPLICABLE, WindowState.NOT_STARTED


def window(day: date, rule: str, *events: object, **fields: object):  # type: ignore[no-untyped-def]
    found = judge(case(*events, **fields), day).window(rule)  # type: ignore[arg-type]
    assert found is not None, f"{rule} not listed"
    return found


# --- counting ------------------------------------------------------------------------------


def test_cn_7day_counts_from_the_day_after_receipt() -> None:
    w = window(date(2026, 11, 12), "cn-7day")
    assert (w.state, w.start, w.deadline, w.days_left) == (
        OPEN,
        date(2026, 11, 13),
        date(2026, 11, 19),
        7,
    )
    assert w.counted_from == "receipt" and w.exercised is None


def test_first_day_last_day_and_the_day_after() -> None:
    assert window(date(2026, 11, 13), "cn-7day").days_left == 6
    last = window(date(2026, 11, 19), "cn-7day")
    assert (last.state, last.days_left) == (OPEN, 0)
    after = window(date(2026, 11, 20), "cn-7day")
    assert (after.state, after.days_left) == (EXPIRED, -1)


def test_not_yet_received_has_not_started() -> None:
    w = window(date(2026, 11, 20), "cn-7day", received=None)
    assert (w.state, w.start, w.deadline, w.days_left) == (NOT_STARTED, None, None, None)
    assert w.reason == "awaiting-receipt"


def test_as_of_before_receipt_counts_as_not_received() -> None:
    assert window(date(2026, 11, 11), "cn-7day").state is NOT_STARTED


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
    w = window(received, "cn-7day", purchased=received, received=received)
    assert w.deadline == deadline


@pytest.mark.parametrize(
    "category",
    ["custom", "perishable", "digital", "periodical", "non-returnable-confirmed", "service"],
)
def test_cn_7day_excluded_categories_say_why(category: str) -> None:
    w = window(date(2026, 11, 13), "cn-7day", category=category)
    assert (w.state, w.reason, w.deadline, w.days_left) == (NA, category, None, None)


def test_cn_holiday_deadline_gets_a_note_not_a_new_date() -> None:
    w = window(
        date(2026, 9, 25), "cn-7day", purchased=date(2026, 9, 20), received=date(2026, 9, 24)
    )
    assert w.deadline == date(2026, 10, 1)  # the plain date stays the deadline (cc-203)
    assert [(n.code, n.params) for n in w.notes] == [
        ("holiday-rollover", {"date": date(2026, 10, 8)})
    ]


def test_cn_weekend_deadline_gets_a_weekend_note() -> None:
    # received Sat 2026-11-14: the seventh day is Sat 2026-11-21
    w = window(date(2026, 11, 15), "cn-7day", received=date(2026, 11, 14))
    assert w.deadline == date(2026, 11, 21)
    assert [(n.code, n.params) for n in w.notes] == [
        ("weekend-rollover", {"date": date(2026, 11, 23)})
    ]


def test_every_cn_window_ending_on_a_rest_day_gets_the_art_203_note() -> None:
    """The prepaid seven days and a merchant's promise are periods too (Civil Code Arts.
    203-204): a last day on a weekend or holiday carries the note, never a moved deadline."""

    def prepaid_paid(on: date):  # type: ignore[no-untyped-def]
        return window(
            on + timedelta(days=1),
            "cn-prepaid-7day",
            category="prepaid-service",
            purchased=on,
            received=None,
        )

    prepaid = prepaid_paid(date(2026, 11, 14))
    assert prepaid.deadline == date(2026, 11, 21)
    assert ("weekend-rollover", {"date": date(2026, 11, 23)}) in [
        (n.code, n.params) for n in prepaid.notes
    ]
    assert "prepaid-likely" in [n.code for n in prepaid.notes]
    labour_day = prepaid_paid(date(2025, 4, 25))  # the seventh day is 2 May, a holiday
    assert "holiday-rollover" in [n.code for n in labour_day.notes]
    promise = window(date(2026, 11, 20), "promise", received=date(2026, 11, 12), promise_days=30)
    assert promise.deadline == date(2026, 12, 12)
    assert [n.code for n in promise.notes] == ["weekend-rollover"]


def test_a_uk_promise_gets_no_civil_code_note() -> None:
    promise = window(
        date(2026, 11, 20),
        "promise",
        received=date(2026, 11, 12),
        promise_days=30,
        jurisdiction="uk",
        currency="GBP",
    )
    assert promise.deadline == date(2026, 12, 12) and promise.notes == ()


def test_a_year_past_the_holiday_calendar_says_it_was_not_checked() -> None:
    w = window(date(2031, 3, 3), "cn-7day", purchased=date(2031, 3, 1), received=date(2031, 3, 2))
    assert "calendar-unknown" in [n.code for n in w.notes]


def test_prepaid_counts_from_payment_and_says_likely() -> None:
    w = window(date(2026, 11, 17), "cn-prepaid-7day", category="prepaid-service", received=None)
    assert (w.state, w.start, w.deadline, w.days_left) == (
        OPEN,
        date(2026, 11, 11),
        date(2026, 11, 17),
        0,
    )
    assert [n.code for n in w.notes] == ["prepaid-likely"]


def test_prepaid_before_the_interpretation_is_shown_with_a_caveat() -> None:
    w = window(
        date(2025, 4, 30),
        "cn-prepaid-7day",
        category="prepaid-service",
        purchased=date(2025, 4, 28),
        received=None,
    )
    assert w.state is OPEN and w.deadline == date(2025, 5, 5)
    assert ("prepaid-before-force", {"in_force": date(2025, 5, 1)}) in [
        (n.code, n.params) for n in w.notes
    ]


def test_prepaid_rule_is_listed_but_not_applicable_for_goods() -> None:
    w = window(date(2026, 11, 12), "cn-prepaid-7day")
    assert (w.state, w.reason) == (NA, "not-prepaid")


def test_promise_from_receipt_for_goods_by_default() -> None:
    w = window(date(2026, 11, 12), "promise", promise_days=15)
    assert (w.start, w.deadline, w.counted_from) == (
        date(2026, 11, 13),
        date(2026, 11, 27),
        "receipt",
    )
    assert w.params == {"days": 15}


def test_promise_from_purchase_for_services_by_default() -> None:
    w = window(date(2026, 11, 12), "promise", promise_days=30, category="service")
    assert w.deadline == date(2026, 12, 10)


def test_promise_from_can_be_set() -> None:
    w = window(date(2026, 11, 12), "promise", promise_days=7, promise_from="purchase")
    assert w.deadline == date(2026, 11, 17)


def test_no_promise_is_listed_as_not_applicable() -> None:
    w = window(date(2026, 11, 12), "promise")
    assert (w.state, w.reason) == (NA, "no-promise")


@pytest.mark.parametrize(
    ("category", "days", "noted"),
    [
        ("custom", 7, True),  # Fa Shi [2022] No. 8 Art. 2: a seven-day promise on para. 1 goods
        ("perishable", 7, True),
        ("custom", 15, False),  # any other promise is a term of the contract
        ("non-returnable-confirmed", 7, False),  # para. 2 goods are not in Art. 2
        ("goods", 7, False),
    ],
)
def test_the_2022_provision_is_noted_only_for_what_it_covers(
    category: str, days: int, noted: bool
) -> None:
    w = window(date(2026, 11, 12), "promise", promise_days=days, category=category)
    assert ("promise-excluded-goods" in [n.code for n in w.notes]) is noted


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["goods", "custom", "perishable", "digital"])
def test_cn_defect_7day_covers_every_goods_category(category: str) -> None:
    w = window(date(2026, 11, 12), "cn-defect-7day", problem="defective", category=category)
    assert (w.state, w.deadline) == (OPEN, date(2026, 11, 19))


def test_cn_defect_7day_is_not_for_changed_mind_or_services() -> None:
    assert window(date(2026, 11, 12), "cn-defect-7day").reason == "not-faulty"
    w = window(date(2026, 11, 12), "cn-defect-7day", problem="defective", category="service")
    assert (w.state, w.reason) == (NA, "not-goods")


def test_eu_guarantee_runs_two_years_from_delivery() -> None:
    w = window(date(2027, 3, 1), "eu-guarantee", jurisdiction="eu", problem="defective")
    assert (w.state, w.start, w.deadline) == (OPEN, date(2026, 11, 13), date(2028, 11, 12))
    assert w.counted_from == "delivery"
    assert "eu-member-state-more" in [n.code for n in w.notes]


def test_uk_repair_replace_runs_six_years_with_a_six_month_presumption() -> None:
    w = window(date(2027, 3, 1), "uk-repair-replace", jurisdiction="uk", problem="defective")
    assert (w.state, w.deadline) == (OPEN, date(2032, 11, 12))
    notes = {n.code: n.params for n in w.notes}
    assert notes["uk-presumption"] == {"until": date(2027, 5, 12)}
    assert "uk-scotland" in notes


def test_uk_30_day_reject_only_for_faulty_goods() -> None:
    assert window(date(2026, 11, 12), "uk-30day-reject", jurisdiction="uk").state is NA
    w = window(date(2026, 11, 12), "uk-30day-reject", jurisdiction="uk", problem="defective")
    assert (w.state, w.deadline) == (OPEN, date(2026, 12, 12))
    w = window(date(2026, 11, 12), "uk-30day-reject", jurisdiction="uk", problem="not-as-described")
    assert w.state is OPEN


# --- EU and UK -----------------------------------------------------------------------------


def test_eu_deadline_on_saturday_moves_to_monday() -> None:
    # received Sat 2026-11-07 -> 14 days -> Sat 2026-11-21 -> Mon 2026-11-23
    w = window(
        date(2026, 11, 8),
        "eu-14day",
        jurisdiction="eu",
        purchased=date(2026, 11, 1),
        received=date(2026, 11, 7),
    )
    assert w.deadline == date(2026, 11, 23)


def test_eu_weekday_deadline_is_not_moved() -> None:
    w = window(date(2026, 11, 10), "eu-14day", jurisdiction="eu", received=date(2026, 11, 10))
    assert w.deadline == date(2026, 11, 24)


def test_eu_services_count_from_purchase() -> None:
    w = window(date(2026, 11, 10), "eu-14day", jurisdiction="eu", category="service", received=None)
    assert (w.deadline, w.counted_from) == (date(2026, 11, 24), "contract")


@pytest.mark.parametrize("category", ["custom", "perishable", "digital", "periodical"])
@pytest.mark.parametrize(("jurisdiction", "rule"), [("eu", "eu-14day"), ("uk", "uk-14day")])
def test_eu_and_uk_exceptions(category: str, jurisdiction: str, rule: str) -> None:
    w = window(date(2026, 11, 12), rule, jurisdiction=jurisdiction, category=category)
    assert (w.state, w.reason) == (NA, category)


def test_non_returnable_confirmed_changes_nothing_in_the_eu() -> None:
    w = window(
        date(2026, 11, 12), "eu-14day", jurisdiction="eu", category="non-returnable-confirmed"
    )
    assert w.state is OPEN


def test_uk_has_no_weekend_rollover() -> None:
    w = window(
        date(2026, 11, 8),
        "uk-14day",
        jurisdiction="uk",
        purchased=date(2026, 11, 1),
        received=date(2026, 11, 7),
    )
    assert w.deadline == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("jurisdiction", "rules"),
    [
        ("cn", ["cn-7day", "cn-prepaid-7day", "promise", "cn-defect-7day"]),
        ("eu", ["eu-14day", "eu-guarantee", "promise"]),
        ("uk", ["uk-14day", "uk-30day-reject", "uk-repair-replace", "promise"]),
        ("us", ["promise"]),
    ],
)
def test_each_jurisdiction_lists_every_rule_and_only_its_own(
    jurisdiction: str, rules: list[str]
) -> None:
    for problem in ("changed-mind", "defective"):
        found = compute_windows(case(jurisdiction=jurisdiction, problem=problem), RECEIVED)
        assert [w.rule for w in found] == rules


# --- exercising a window -------------------------------------------------------------------


def test_a_delivery_chasing_contact_before_receipt_exercises_nothing() -> None:
    chase = ev("contacted-merchant", date(2026, 11, 11), asked="delivery")
    a = judge(case(chase), date(2026, 11, 14))
    assert all(w.exercised is None for w in a.windows)


@pytest.mark.parametrize(
    ("asked", "seven", "defect"),
    [
        ("return", True, True),
        ("refund", True, True),
        ("exchange", False, True),
        ("repair", False, True),
        ("delivery", False, False),
        ("compensation", False, False),
        ("other", False, False),
        ("unknown", False, False),
    ],
)
def test_a_request_exercises_only_a_window_that_gives_what_it_asked(
    asked: str, seven: bool, defect: bool
) -> None:
    request = ev("contacted-merchant", date(2026, 11, 14), asked=asked)
    a = judge(case(request, problem="defective"), date(2026, 12, 30))
    assert (a.window("cn-7day").exercised is not None) is seven  # type: ignore[union-attr]
    assert (a.window("cn-defect-7day").exercised is not None) is defect  # type: ignore[union-attr]


def test_return_requested_is_a_return_request() -> None:
    w = window(date(2026, 12, 30), "cn-7day", ev("return-requested", date(2026, 11, 19), "t9"))
    assert (w.state, w.exercised, w.exercised_by) == (EXPIRED, date(2026, 11, 19), "t9")


def test_a_request_the_day_after_the_deadline_is_too_late() -> None:
    late = ev("contacted-merchant", date(2026, 11, 20), asked="return")
    assert window(date(2026, 11, 25), "cn-7day", late).exercised is None


def test_the_first_timely_request_is_the_one_that_counts() -> None:
    first = ev("contacted-merchant", date(2026, 11, 13), "t1", asked="exchange")
    second = ev("contacted-merchant", date(2026, 11, 15), "t2", asked="return")
    third = ev("contacted-merchant", date(2026, 11, 16), "t3", asked="refund")
    w = window(date(2026, 11, 30), "cn-7day", first, second, third)
    assert (w.exercised, w.exercised_by) == (date(2026, 11, 15), "t2")


def test_a_refusal_of_a_return_proves_the_request_but_a_bare_refusal_does_not() -> None:
    said = ev("merchant-refused", date(2026, 11, 14), "t5", refused="return")
    w = window(date(2026, 11, 30), "cn-7day", said)
    assert (w.exercised, w.exercised_by) == (date(2026, 11, 14), "t5")
    bare = ev("merchant-refused", date(2026, 11, 14), reason="opened")
    assert window(date(2026, 11, 30), "cn-7day", bare).exercised is None


def test_an_exercised_window_is_usable_after_it_ends() -> None:
    w = window(date(2026, 12, 30), "cn-7day", ev("return-requested", date(2026, 11, 19)))
    assert w.state is EXPIRED and w.usable


def test_no_window_is_exercised_by_a_request_made_after_the_as_of_day() -> None:
    w = window(date(2026, 11, 14), "cn-7day", ev("return-requested", date(2026, 11, 15)))
    assert (w.state, w.exercised) == (OPEN, None)


# --- the best window -----------------------------------------------------------------------


def test_best_window_prefers_the_open_one_with_the_latest_deadline() -> None:
    best = judge(case(promise_days=15), date(2026, 11, 12)).best_window
    assert best is not None and best.rule == "promise"


def test_best_window_prefers_a_short_money_back_window_over_the_long_ones() -> None:
    a = judge(case(jurisdiction="uk", problem="defective"), date(2026, 11, 20))
    assert a.best_window is not None and a.best_window.rule == "uk-30day-reject"


def test_best_window_after_the_end_is_the_exercised_one() -> None:
    a = judge(case(ev("return-requested", date(2026, 11, 15))), date(2026, 12, 30))
    assert a.best_window is not None and a.best_window.rule == "cn-7day"
    assert best_window(list(a.windows)) == a.best_window


# --- properties ----------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1))


@given(
    received=DAYS,
    offset=st.integers(min_value=-3, max_value=60),
    rule=st.sampled_from(["cn-7day", "cn-defect-7day", "uk-14day", "uk-30day-reject", "promise"]),
    promise=st.integers(min_value=1, max_value=365),
)
def test_an_n_day_window_after_day_d_runs_d_plus_1_to_d_plus_n(
    received: date, offset: int, rule: str, promise: int
) -> None:
    days = {"cn-7day": 7, "cn-defect-7day": 7, "uk-14day": 14, "uk-30day-reject": 30}
    n = days.get(rule, promise)
    jurisdiction = "uk" if rule.startswith("uk") else "cn"
    as_of = received + timedelta(days=offset)
    facts = case(
        jurisdiction=jurisdiction,
        problem="defective",
        purchased=received,
        received=received,
        promise_days=promise,
    )
    w = judge(facts, as_of).window(rule)
    assert w is not None
    if offset < 0:
        assert w.state is NOT_STARTED
        return
    assert (w.start, w.deadline) == (received + timedelta(days=1), received + timedelta(days=n))
    assert w.days_left == (w.deadline - as_of).days
    assert (w.state is OPEN) == (w.days_left >= 0)


@given(received=DAYS, offset=st.integers(min_value=0, max_value=40))
def test_the_eu_deadline_is_a_working_day_at_most_two_days_after_d_plus_14(
    received: date, offset: int
) -> None:
    as_of = received + timedelta(days=offset)
    w = judge(case(jurisdiction="eu", purchased=received, received=received), as_of).window(
        "eu-14day"
    )
    assert w is not None and w.deadline is not None
    plain = received + timedelta(days=14)
    assert w.deadline.weekday() < 5 and 0 <= (w.deadline - plain).days <= 2
    assert w.days_left == (w.deadline - as_of).days


REQUEST_DAYS = st.integers(min_value=-2, max_value=40)


@given(
    requests=st.lists(
        st.tuples(REQUEST_DAYS, st.sampled_from(list(RequestKind))), min_size=0, max_size=5
    ),
    problem=st.sampled_from(["changed-mind", "defective", "not-as-described"]),
    jurisdiction=st.sampled_from(["cn", "eu", "uk", "us"]),
    promise=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
)
def test_a_request_exercises_a_window_iff_timely_and_asking_a_remedy_it_gives(
    requests: list[tuple[int, RequestKind]],
    problem: str,
    jurisdiction: str,
    promise: int | None,
) -> None:
    events = [
        ev("contacted-merchant", RECEIVED + timedelta(days=d), f"t{i}", asked=k.value)
        for i, (d, k) in enumerate(sorted(requests, key=lambda r: r[0]), 1)
    ]
    facts = case(*events, jurisdiction=jurisdiction, problem=problem, promise_days=promise)
    a = judge(facts, RECEIVED + timedelta(days=60))
    for w in a.windows:
        wanted = DEFECT_REQUESTS if w.rule in DEFECT_RULES else RETURN_REQUESTS
        assert remedies_of(w.rule) == wanted
        timely = [
            e
            for e in facts.events
            if w.applies and w.deadline is not None and e.on <= w.deadline and e.asked in wanted
        ]
        assert w.exercised == (timely[0].on if timely else None), w.rule
        assert w.exercised_by == (timely[0].id if timely else None)
        if w.rule in ("cn-7day", "promise", "eu-14day", "uk-14day"):
            assert RequestKind.EXCHANGE not in wanted


def test_category_enum_is_covered_by_the_exclusion_table() -> None:
    """Every category either opens cn-7day or names itself as the reason it does not."""
    for category in Category:
        w = window(date(2026, 11, 12), "cn-7day", category=category.value)
        assert w.state is OPEN or w.reason == category.value


# --- a purchase made in a shop (review: an in-store WeChat payment got CPL Art. 25) ---------


@pytest.mark.parametrize(
    ("jurisdiction", "rule"),
    [("cn", "cn-7day"), ("eu", "eu-14day"), ("uk", "uk-14day")],
)
def test_a_purchase_in_a_shop_has_no_distance_selling_window(jurisdiction: str, rule: str) -> None:
    """CPL Art. 25, Directive 2011/83/EU and CCR 2013 give a no-reason return only for goods
    sold at a distance: a coat bought and paid for at the counter has none."""
    asked = ev("contacted-merchant", RECEIVED + timedelta(days=1), asked="return")
    day = RECEIVED + timedelta(days=2)
    w = window(day, rule, asked, jurisdiction=jurisdiction, platform="in-store")
    assert (w.state, w.reason, w.exercised) == (NA, "not-distance", None)
    online = window(day, rule, asked, jurisdiction=jurisdiction)
    assert online.state is OPEN and online.exercised == RECEIVED + timedelta(days=1)


def test_a_shop_still_owes_its_promise_the_quality_return_and_the_prepaid_seven_days() -> None:
    """Only the distance-selling windows go: CPL Art. 24, a promise and SPC Fa Shi [2025]
    No. 4 Art. 14 do not depend on how the goods were sold."""
    day = RECEIVED + timedelta(days=2)
    assert window(day, "cn-defect-7day", problem="defective", platform="in-store").state is OPEN
    assert window(day, "promise", promise_days=7, platform="in-store").state is OPEN
    prepaid = window(
        day,
        "cn-prepaid-7day",
        category="prepaid-service",
        received=None,
        purchased=RECEIVED,
        platform="in-store",
    )
    assert prepaid.state is OPEN
