"""The dispute's clocks and limitation (rules/deadlines.py, rules/holidays.py): each date is
counted from the event that starts it, and the safe limitation date comes first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit.rules.holidays import add_workdays, is_workday, next_workday
from rules_cases import RECEIVED, case, ev, judge

DAY = date(2026, 11, 30)


def clocks(*events: object, day: date = DAY, **fields: object) -> dict[str, date]:
    a = judge(case(*events, **fields), day)  # type: ignore[arg-type]
    return {c.code: c.day for c in a.clocks}


# --- complaint clocks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("wechat-pay", {"wechat-pay-answer": 17, "wechat-pay-finish": 19}),
        ("mini-program", {"mini-program-lapse": 18}),
        ("alipay", {"platform-follow-up": 23}),
        ("marketplace", {"platform-follow-up": 23}),
    ],
)
def test_platform_complaint_clocks_by_channel(channel: str, expected: dict[str, int]) -> None:
    complaint = ev("platform-complaint", date(2026, 11, 16), channel=channel)
    assert clocks(complaint) == {k: date(2026, 11, d) for k, d in expected.items()}


def test_a_us_card_issuer_dispute_has_the_billing_error_clocks() -> None:
    complaint = ev("platform-complaint", date(2026, 11, 16), channel="card-issuer")
    found = clocks(complaint, jurisdiction="us", currency="USD", payment_method="credit-card")
    assert found == {
        "card-issuer-acknowledge": date(2026, 12, 16),
        "card-issuer-resolve": date(2027, 2, 14),
    }
    elsewhere = clocks(complaint, jurisdiction="uk", currency="GBP", payment_method="credit-card")
    assert elsewhere == {"platform-follow-up": date(2026, 11, 23)}


def test_12315_clock_counts_working_days_outside_china_a_follow_up() -> None:
    complaint = ev("regulator-complaint", date(2026, 9, 29))
    cn = judge(case(complaint, purchased=date(2026, 9, 1), received=date(2026, 9, 3)), DAY)
    accept = next(c for c in cn.clocks if c.code == "regulator-accept")
    assert (accept.day, accept.known) == (date(2026, 10, 14), True)
    uk = clocks(complaint, jurisdiction="uk", purchased=date(2026, 9, 1), received=date(2026, 9, 3))
    assert uk == {"regulator-follow-up": date(2026, 10, 13)}


# --- refunds falling due -------------------------------------------------------------------


def test_cn_refund_due_7_days_after_the_goods_came_back_and_delay_after_15() -> None:
    asked = ev("return-requested", date(2026, 11, 13))
    back = ev("return-delivered", date(2026, 11, 18))
    found = clocks(asked, back)
    assert found["refund-due"] == date(2026, 11, 25)
    assert found["refund-deliberate-delay"] == date(2026, 12, 3)
    assert "request-deliberate-delay" not in found  # the request was handled: goods went back


def test_an_unhandled_request_has_the_15_day_clock() -> None:
    assert clocks(ev("return-requested", date(2026, 11, 13)))["request-deliberate-delay"] == date(
        2026, 11, 28
    )


def test_a_prepaid_refund_request_has_no_clock_of_the_goods_rules() -> None:
    """SAIC 2015 Measures Art. 9 and CPL Art. 25 are about goods returned without reason; a
    prepaid service's refund falls under Art. 10, whose 15 days run otherwise."""
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="refund")
    a = judge(
        case(asked, category="prepaid-service", purchased=date(2026, 11, 10), received=None),
        date(2026, 12, 1),
    )
    assert a.window("cn-prepaid-7day").exercised == date(2026, 11, 13)  # the request counts
    assert {c.code for c in a.clocks} & {"request-deliberate-delay", "refund-due"} == set()
    assert a.ground("saic-9") is None


def test_a_return_of_goods_with_no_usable_window_has_no_cpl_25_clock() -> None:
    late = ev("contacted-merchant", date(2026, 11, 25), asked="return")
    back = ev("return-delivered", date(2026, 11, 28))
    assert "refund-due" not in clocks(late, back)


def test_a_quality_request_has_the_article_8_clock() -> None:
    asked = ev("contacted-merchant", date(2027, 2, 1), asked="repair")
    found = clocks(asked, problem="defective", day=date(2027, 3, 1))
    assert found["quality-deliberate-delay"] == date(2027, 2, 16)


def test_eu_refund_due_14_days_from_withdrawal_held_until_goods_or_proof() -> None:
    notice = ev("contacted-merchant", date(2026, 11, 14), asked="return")
    shipped = ev("return-shipped", date(2026, 12, 5))
    found = judge(case(notice, shipped, jurisdiction="eu", currency="EUR"), date(2026, 12, 6))
    due = next(c for c in found.clocks if c.code == "refund-due")
    assert (due.day, due.params["basis"]) == (date(2026, 12, 5), "eu-13")
    early = ev("return-shipped", date(2026, 11, 16))
    found = judge(case(notice, early, jurisdiction="eu", currency="EUR"), date(2026, 12, 6))
    assert next(c for c in found.clocks if c.code == "refund-due").day == date(2026, 11, 28)


def test_uk_refund_due_14_days_after_goods_or_proof_of_sending() -> None:
    notice = ev("contacted-merchant", date(2026, 11, 14), asked="return")
    shipped = ev("return-shipped", date(2026, 11, 16))
    a = judge(case(notice, shipped, jurisdiction="uk", currency="GBP"), DAY)
    due = next(c for c in a.clocks if c.code == "refund-due")
    assert (due.day, due.params) == (
        date(2026, 11, 30),
        {"basis": "uk-reg-34", "proof_of_sending": True},
    )


# --- limitation ----------------------------------------------------------------------------


def test_cn_limitation_runs_three_years_from_the_first_refusal() -> None:
    a = judge(case(ev("merchant-refused", date(2026, 11, 14))), DAY)
    lim = a.limitation
    assert lim is not None
    assert (lim.basis, lim.safe, lim.starts, lim.started_by) == (
        "cn-188",
        date(2029, 11, 14),
        date(2026, 11, 14),
        "refusal",
    )
    assert lim.later is None
    assert judge(case(), DAY).limitation is None  # nothing refused yet


def test_a_demand_to_the_merchant_restarts_it() -> None:
    refused = ev("merchant-refused", date(2026, 11, 14))
    demand = ev("contacted-merchant", date(2026, 11, 20), asked="refund")
    lim = judge(case(refused, demand), DAY).limitation
    assert lim is not None and (lim.safe, lim.started_by) == (date(2029, 11, 20), "demand")


@pytest.mark.parametrize("kind", ["platform-complaint", "regulator-complaint"])
def test_a_complaint_never_moves_the_safe_date(kind: str) -> None:
    refused = ev("merchant-refused", date(2026, 11, 14))
    complaint = ev(kind, date(2026, 11, 20), channel="wechat-pay" if kind[0] == "p" else None)
    lim = judge(case(refused, complaint), DAY).limitation
    assert lim is not None and lim.safe == date(2029, 11, 14)
    if kind == "regulator-complaint":  # uncertain: shown as the later date only
        assert (lim.later, lim.later_from) == (date(2029, 11, 20), date(2026, 11, 20))
    else:  # WeChat Pay is not a body that resolves civil disputes
        assert lim.later is None


def test_uk_limitation_gives_scotlands_five_years_as_the_safe_date() -> None:
    lim = judge(case(jurisdiction="uk", currency="GBP"), DAY).limitation
    assert lim is not None
    assert (lim.basis, lim.safe, lim.alternative) == (
        "uk-limitation",
        date(2031, 11, 12),
        date(2032, 11, 12),
    )


@pytest.mark.parametrize(("jurisdiction", "basis"), [("eu", "eu-national"), ("us", "us-state")])
def test_eu_and_us_limitation_has_no_date(jurisdiction: str, basis: str) -> None:
    lim = judge(case(jurisdiction=jurisdiction), DAY).limitation
    assert lim is not None and (lim.basis, lim.safe, lim.later) == (basis, None, None)


KINDS = [
    "merchant-refused",
    "contacted-merchant",
    "platform-complaint",
    "regulator-complaint",
    "merchant-replied",
]


@given(
    timeline=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2000),
            st.sampled_from(KINDS),
            st.sampled_from(["return", "refund", "delivery", "other", "unknown", "exchange"]),
        ),
        max_size=6,
    ),
)
def test_the_safe_limitation_date_never_comes_after_the_uncertain_one(
    timeline: list[tuple[int, str, str]],
) -> None:
    events = [
        ev(
            kind,
            RECEIVED + timedelta(days=d),
            f"t{i}",
            asked=asked if kind == "contacted-merchant" else None,
        )
        for i, (d, kind, asked) in enumerate(sorted(timeline))
    ]
    a = judge(case(*events), RECEIVED + timedelta(days=2100))
    lim = a.limitation
    refusals = [e for e in events if e.kind.value == "merchant-refused"]
    assert (lim is None) == (not refusals)
    if lim is None:
        return
    assert lim.safe is not None and lim.starts is not None
    assert lim.first_start == refusals[0].on <= lim.starts
    leap_day = lim.starts.month == 2 and lim.starts.day == 29  # no 29 February three years on
    assert leap_day or lim.safe == lim.starts.replace(year=lim.starts.year + 3)
    if lim.later is not None:
        assert lim.safe <= lim.later
        assert lim.later_from is not None and lim.later_from > lim.starts


# --- working days --------------------------------------------------------------------------


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
    count=st.integers(min_value=1, max_value=20),
)
def test_add_workdays_lands_on_a_working_day_after_exactly_count_working_days(
    start: date, count: int
) -> None:
    result = add_workdays(start, count)
    assert result.day > start and is_workday(result.day)
    days = [start + timedelta(days=i) for i in range(1, (result.day - start).days + 1)]
    assert sum(is_workday(d) for d in days) == count
    assert next_workday(result.day) == result.day


@pytest.mark.parametrize(("jurisdiction", "currency"), [("uk", "GBP"), ("eu", "EUR")])
def test_refund_due_counts_from_the_goods_back_when_that_is_recorded(
    jurisdiction: str, currency: str
) -> None:
    """Sending the goods is not the same as supplying the trader with evidence of it (CCR
    reg. 34, Directive 2011/83/EU Art. 13(3)): where the day the trader got them back is
    recorded, the letter's "fell due" date is counted from it, the date nobody can dispute."""
    notice = ev("contacted-merchant", date(2026, 11, 2), asked="return")
    shipped = ev("return-shipped", date(2026, 11, 10))
    delivered = ev("return-delivered", date(2026, 11, 20))
    facts = case(notice, shipped, delivered, jurisdiction=jurisdiction, currency=currency)
    due = next(c for c in judge(facts, DAY).clocks if c.code == "refund-due")
    expected = {"uk": date(2026, 12, 4), "eu": date(2026, 11, 20)}[jurisdiction]
    assert due.day == expected
    assert due.params.get("proof_of_sending", False) is False
