"""Grounds and the demand (rules/remedies.py): which law applies to the facts, and what is
still owed. Plain values in, plain values out."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit.kinds import Stage
from refundkit.rules.remedies import fraud_compensation, owed, price_target
from rules_cases import RECEIVED, case, ev, judge

DAY = date(2026, 11, 14)
LATER = date(2027, 3, 1)


def ids(facts: object, day: date = DAY) -> list[str]:
    return [g.id for g in judge(facts, day).grounds]  # type: ignore[arg-type]


# --- which grounds -------------------------------------------------------------------------


def test_an_open_seven_days_is_the_ground_and_the_demand_a_return() -> None:
    a = judge(case(), DAY)
    assert [g.id for g in a.grounds] == ["cn-7day"]
    assert a.ground("cn-7day").params["status"] == "open"  # type: ignore[union-attr]
    assert (a.demand.kind, a.demand.price) == ("return-refund", Decimal("399"))


def test_after_the_seven_days_with_no_timely_request_no_right_is_claimed() -> None:
    a = judge(case(ev("contacted-merchant", date(2026, 11, 25), asked="return")), date(2026, 12, 1))
    assert a.grounds == () and a.demand.kind == "goodwill"
    assert "no-ground" in [q.code for q in a.questions]


def test_a_timely_request_keeps_the_ground_after_the_window_ends() -> None:
    a = judge(case(ev("contacted-merchant", date(2026, 11, 15), asked="return")), LATER)
    g = a.ground("cn-7day")
    assert g is not None and g.params["status"] == "exercised"
    assert g.params["exercised"] == date(2026, 11, 15) and g.params["by_refusal"] is False


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("opened", {"cpl-ir-19-3", "saic-9"}),
        # "Used" may mean more than the reasonable trial Art. 19 para. 3 allows; the contract
        # cites these rules for opened, non-returnable and delay only.
        ("used", set()),
        ("non-returnable", {"cpl-ir-19-2", "saic-9", "cpl-26"}),
        ("past-deadline", set()),
        ("custom", set()),
        ("no-reason", set()),
        ("other", set()),
    ],
)
def test_the_refusal_rules_are_cited_only_for_the_reasons_they_cover(
    reason: str, expected: set[str]
) -> None:
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="return")
    refused = ev("merchant-refused", date(2026, 11, 14), reason=reason)
    found = set(ids(case(asked, refused), date(2026, 11, 15)))
    assert found & {"cpl-ir-19-3", "cpl-ir-19-2", "saic-9", "cpl-26"} == expected
    assert "cn-7day" in found


def test_saic_9_triggers_name_what_happened() -> None:
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="return")
    refused = ev("merchant-refused", date(2026, 11, 14), reason="opened")
    g = judge(case(asked, refused), date(2026, 11, 15)).ground("saic-9")
    assert g is not None and g.params["triggers"] == [{"code": "opened"}]


def test_an_unhandled_return_request_triggers_saic_9_after_15_days() -> None:
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="return")
    assert judge(case(asked), date(2026, 11, 28)).ground("saic-9") is None
    g = judge(case(asked), date(2026, 11, 29)).ground("saic-9")
    assert g is not None
    assert g.params["triggers"] == [{"code": "request-unhandled", "since": date(2026, 11, 28)}]


def test_a_refusal_after_the_seven_days_cites_no_seven_day_rule() -> None:
    late = ev("contacted-merchant", date(2026, 11, 25), asked="return")
    refused = ev("merchant-refused", date(2026, 11, 25), reason="opened")
    assert ids(case(late, refused), date(2026, 11, 26)) == []


def test_goods_already_back_owe_the_refund_by_a_date() -> None:
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="return")
    back = ev("return-delivered", date(2026, 11, 18))
    a = judge(case(asked, back), date(2026, 11, 20))
    g = a.ground("refund-due")
    assert g is not None
    assert g.params["due"] == date(2026, 11, 25) and g.params["basis"] == "cpl-25"
    assert g.params["delay_from"] == date(2026, 12, 3)
    assert a.demand.kind == "refund-due"
    assert judge(case(asked, back), date(2026, 12, 4)).ground("saic-9").params["triggers"] == [  # type: ignore[union-attr]
        {"code": "refund-delayed", "since": date(2026, 12, 3)}
    ]


@pytest.mark.parametrize("problem", ["defective", "not-as-described"])
def test_faulty_goods_in_seven_days_are_a_quality_return(problem: str) -> None:
    a = judge(case(problem=problem), DAY)
    assert "cn-defect-7day" in [g.id for g in a.grounds]
    assert a.demand.kind == "quality-return"


def test_faulty_goods_after_seven_days_get_article_24_and_a_remedy() -> None:
    a = judge(case(problem="defective"), LATER)
    g = a.ground("cpl-24")
    assert g is not None and g.params == {"service": False, "remedy": "repair-or-replace"}
    assert (a.demand.kind, a.demand.remedy) == ("quality-remedy", "repair-or-replace")
    assert "cn-7day" not in [x.id for x in a.grounds]


def test_not_as_described_never_asks_for_a_repair() -> None:
    a = judge(case(problem="not-as-described"), LATER)
    assert "cpl-23-2" in [g.id for g in a.grounds]
    assert a.ground("cpl-24").params["remedy"] == "replace-or-return"  # type: ignore[union-attr]
    assert a.demand.remedy == "replace-or-return"
    uk = judge(case(problem="not-as-described", jurisdiction="uk", currency="GBP"), LATER)
    assert uk.demand.remedy == "replace-or-return"


@pytest.mark.parametrize(
    ("jurisdiction", "ground"),
    [("eu", "eu-guarantee"), ("uk", "uk-repair-replace"), ("us", "us-implied-warranty")],
)
def test_a_defect_found_months_later_has_a_ground_in_every_jurisdiction(
    jurisdiction: str, ground: str
) -> None:
    a = judge(case(jurisdiction=jurisdiction, problem="defective"), RECEIVED + timedelta(days=200))
    assert ground in [g.id for g in a.grounds]
    assert a.demand.kind == "quality-remedy"
    assert not any(g.id.startswith(("cn-", "cpl", "saic", "cc-", "ecl")) for g in a.grounds)


def test_non_delivery_cites_the_e_commerce_law_and_the_civil_code() -> None:
    a = judge(case(problem="not-delivered", received=None), date(2026, 11, 30))
    assert [g.id for g in a.grounds] == ["ecl-20", "cc-563-566", "cc-577"]
    assert a.demand.kind == "deliver-or-refund"
    service = judge(case(problem="not-delivered", category="service", received=None), DAY)
    assert [g.id for g in service.grounds] == ["cc-563-566", "cc-577"]


def test_a_promise_is_a_ground_of_its_own() -> None:
    a = judge(case(promise_days=30), date(2026, 11, 30))
    g = a.ground("promise")
    assert g is not None and g.params["days"] == 30
    assert "cpl-44" not in [x.id for x in a.grounds]


def test_a_us_credit_card_purchase_gets_the_card_dispute_grounds() -> None:
    facts = case(
        jurisdiction="us",
        currency="USD",
        amount="80",
        problem="not-as-described",
        payment_method="credit-card",
    )
    a = judge(facts, LATER)
    assert {"us-implied-warranty", "us-fcba-1666", "us-fcba-1666i"} <= set(ids(facts, LATER))
    assert a.ground("us-fcba-1666i").params == {"over_minimum": True}  # type: ignore[union-attr]
    assert a.channel.value == "card-issuer"
    debit = case(
        jurisdiction="us", currency="USD", problem="defective", payment_method="debit-card"
    )
    assert not {"us-fcba-1666", "us-fcba-1666i"} & set(ids(debit, LATER))


@pytest.mark.parametrize(
    ("amount", "currency", "cited", "over"),
    [
        ("50", "USD", False, None),  # not "more than USD 50"
        ("50.01", "USD", True, True),
        ("20", "EUR", True, False),  # another currency: cited, the threshold flagged
    ],
)
def test_1666i_is_cited_only_where_the_purchase_may_be_over_usd_50(
    amount: str, currency: str, cited: bool, over: bool | None
) -> None:
    facts = case(
        jurisdiction="us",
        currency=currency,
        amount=amount,
        problem="defective",
        payment_method="credit-card",
    )
    ground = judge(facts, LATER).ground("us-fcba-1666i")
    assert (ground is not None) is cited
    if ground is not None:
        assert ground.params["over_minimum"] is over


@pytest.mark.parametrize(
    ("amount", "method", "s75"),
    [
        ("100", "credit-card", False),  # over GBP 100, not at it
        ("100.01", "credit-card", True),
        ("30000", "credit-card", True),
        ("30000.01", "credit-card", False),
        ("500", "debit-card", False),
    ],
)
def test_uk_section_75_thresholds(amount: str, method: str, s75: bool) -> None:
    facts = case(
        jurisdiction="uk", currency="GBP", amount=amount, payment_method=method, problem="defective"
    )
    assert ("uk-s75" in ids(facts, LATER)) is s75


def test_prepaid_used_in_part_demands_the_unused_share() -> None:
    facts = case(
        category="prepaid-service",
        received=None,
        units=10,
        units_used=3,
        amount="1000",
        problem="other",
    )
    a = judge(facts, date(2026, 12, 30))
    assert a.demand.price == Decimal("700.00")
    assert a.demand.params == {"units": 10, "used": 3, "of": Decimal("1000")}
    g = a.ground("spc-2025-4-15")
    assert g is not None and g.params == {"units": 10, "used": 3, "before_force": False}


def test_prepaid_within_seven_days_of_payment() -> None:
    a = judge(case(category="prepaid-service", received=None), date(2026, 11, 15))
    assert a.ground("cn-prepaid-7day") is not None and a.demand.kind == "prepaid-refund"


# --- fraud and what is still owed ----------------------------------------------------------


@pytest.mark.parametrize(("amount", "compensation"), [("100", "500"), ("399", "1197")])
def test_fraud_compensation_is_three_times_at_least_500_yuan(
    amount: str, compensation: str
) -> None:
    a = judge(case(problem="fraud", amount=amount), DAY)
    assert a.demand.kind == "fraud" and a.demand.compensation == Decimal(compensation)
    assert "cpl-55" in [g.id for g in a.grounds]


def test_fraud_after_the_price_is_refunded_still_owes_the_compensation() -> None:
    refund = ev("refund-received", date(2026, 11, 20), amount="399")
    a = judge(case(refund, problem="fraud"), date(2026, 11, 21))
    assert a.stage is not Stage.RESOLVED
    assert a.demand.kind == "fraud"
    assert (a.demand.price, a.demand.compensation) == (Decimal(0), Decimal(1197))
    part = ev("compensation-received", date(2026, 11, 22), amount="197")
    a = judge(case(refund, part, problem="fraud"), date(2026, 11, 23))
    assert a.demand.compensation == Decimal(1000) and a.stage is not Stage.RESOLVED
    rest = ev("compensation-received", date(2026, 11, 24), amount="1000")
    a = judge(case(refund, part, rest, problem="fraud"), date(2026, 11, 25))
    assert a.demand.kind == "nothing" and a.stage is Stage.RESOLVED


def test_compensation_is_stated_only_for_yuan_in_china() -> None:
    assert fraud_compensation(case(problem="fraud", currency="USD")) is None
    assert fraud_compensation(case(problem="fraud", jurisdiction="eu")) is None


def test_refunds_add_up_and_the_demand_is_the_rest() -> None:
    part = ev("refund-received", date(2026, 11, 14), amount="100")
    a = judge(case(part), date(2026, 11, 15))
    assert a.demand.price == Decimal(299) and a.demand.refunded == Decimal(100)
    assert a.stage is Stage.NEGOTIATING
    rest = ev("refund-received", date(2026, 11, 15), amount="299")
    assert judge(case(part, rest), date(2026, 11, 16)).stage is Stage.RESOLVED


# --- properties ----------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


@given(amount=AMOUNTS, units=st.integers(min_value=1, max_value=500), data=st.data())
def test_the_unused_share_is_amount_times_n_minus_k_over_n(
    amount: Decimal, units: int, data: st.DataObject
) -> None:
    used = data.draw(st.integers(min_value=0, max_value=units))
    facts = case(
        category="prepaid-service", received=None, amount=amount, units=units, units_used=used
    )
    share = price_target(facts)
    expected = (amount * (units - used) / units).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert share == expected
    assert Decimal(0) <= share <= amount
    if used == 0:
        assert share == amount
    if used == units:
        assert share == 0
    assert judge(facts, date(2026, 12, 30)).demand.price == share


MONEY_EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["refund-received", "compensation-received"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=2),
    ),
    max_size=4,
)


@given(
    amount=AMOUNTS,
    problem=st.sampled_from(["changed-mind", "defective", "fraud", "not-delivered"]),
    money=MONEY_EVENTS,
    closed=st.booleans(),
)
def test_the_demand_never_asks_more_than_is_owed_nor_nothing_while_unresolved(
    amount: Decimal, problem: str, money: list[tuple[str, Decimal]], closed: bool
) -> None:
    events = [
        ev(kind, RECEIVED + timedelta(days=i + 1), amount=value)
        for i, (kind, value) in enumerate(money)
    ]
    if closed:
        events.append(ev("closed", RECEIVED + timedelta(days=10)))
    facts = case(*events, amount=amount, problem=problem)
    a = judge(facts, RECEIVED + timedelta(days=20))
    price, compensation = owed(facts)
    refunded = sum((v for k, v in money if k == "refund-received"), Decimal(0))
    assert a.demand.price == max(amount - refunded, Decimal(0)) == price
    assert a.demand.price <= amount
    assert a.demand.compensation == compensation
    total = fraud_compensation(facts)
    if compensation is not None:
        assert total is not None and Decimal(0) <= compensation <= total
    settled = price <= 0 and not compensation
    assert (a.demand.kind == "nothing") is settled
    if not closed:
        assert (a.stage is Stage.RESOLVED) is settled
    else:
        assert a.stage is Stage.CLOSED


# --- review of the letters (phase 2) -------------------------------------------------------


def test_a_shop_refusing_a_return_is_no_unreasonable_refusal_of_a_distance_sale() -> None:
    """SAIC 2015 Measures Art. 9 and CPL IR Art. 19 are about distance selling; a shop's
    refusal of a return it never owed cites neither, and the letter asks for goodwill."""
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="return")
    refused = ev("merchant-refused", date(2026, 11, 13), reason="opened")
    a = judge(case(asked, refused, platform="in-store"), DAY)
    assert a.grounds == () and a.demand.kind == "goodwill"
    promised = judge(case(asked, refused, platform="in-store", promise_days=7), DAY)
    assert [g.id for g in promised.grounds] == ["promise"]  # binds, but no Art. 9


def test_goods_bought_in_a_shop_and_never_delivered_cite_no_e_commerce_law() -> None:
    a = judge(case(problem="not-delivered", received=None, platform="in-store"), DAY)
    assert [g.id for g in a.grounds] == ["cc-563-566", "cc-577"]
    assert "courier-choice" not in [q.code for q in a.questions]


def test_a_prepaid_used_part_paid_before_the_interpretation_says_so() -> None:
    """Fa Shi [2025] No. 4 came into force on 2025-05-01 without a transitional clause: the
    Art. 15 ground of an earlier payment carries that uncertainty to the letters."""
    fields = {
        "category": "prepaid-service",
        "received": None,
        "units": 48,
        "units_used": 12,
        "problem": "not-delivered",
    }
    early = judge(case(purchased=date(2025, 4, 20), **fields), DAY).ground("spc-2025-4-15")
    late = judge(case(**fields), DAY).ground("spc-2025-4-15")
    assert early is not None and early.params["before_force"] is True
    assert late is not None and late.params["before_force"] is False
