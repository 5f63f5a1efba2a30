"""Stages, complaint channels and the next step (rules/ladder.py), rung by rung, with dates.

The step's date never moves with today: only `overdue` does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit.kinds import Channel, EvidenceKind, Stage
from rules_cases import RECEIVED, case, ev, judge

DAY = date(2026, 11, 15)


@pytest.mark.parametrize(
    ("kinds", "stage"),
    [
        ([], Stage.NEW),
        (["contacted-merchant"], Stage.NEGOTIATING),
        (["merchant-replied"], Stage.NEGOTIATING),
        (["return-requested"], Stage.NEGOTIATING),
        (["return-shipped"], Stage.NEGOTIATING),
        (["return-delivered"], Stage.NEGOTIATING),
        (["contacted-merchant", "merchant-refused"], Stage.REFUSED),
        (["merchant-refused", "contacted-merchant"], Stage.REFUSED),  # highest rung wins
        (["merchant-refused", "platform-complaint"], Stage.PLATFORM),
        (["platform-complaint", "complaint-answered"], Stage.PLATFORM),
        (["platform-complaint", "regulator-complaint"], Stage.REGULATOR),
        (["regulator-complaint", "lawyer-consulted"], Stage.LEGAL),
        (["lawyer-consulted", "contacted-merchant"], Stage.LEGAL),
        (["platform-complaint", "closed"], Stage.CLOSED),
    ],
)
def test_stage_is_the_highest_rung(kinds: list[str], stage: Stage) -> None:
    events = [
        ev(k, date(2026, 11, 13 + i), outcome="rejected" if k == "complaint-answered" else None)
        for i, k in enumerate(kinds)
    ]
    assert judge(case(*events), date(2026, 11, 30)).stage is stage


def step(*events: object, day: date = DAY, **fields: object):  # type: ignore[no-untyped-def]
    return judge(case(*events, **fields), day).step  # type: ignore[arg-type]


def test_new_with_an_open_window_asks_for_the_return_by_its_deadline() -> None:
    s = step()
    assert (s.code, s.by, s.params) == ("request-return", date(2026, 11, 19), {"rule": "cn-7day"})


def test_new_faulty_asks_for_the_remedy_by_the_defect_window() -> None:
    s = step(problem="defective", category="custom")  # no seven-day no-reason return
    assert s.code == "request-remedy" and s.by == date(2026, 11, 19)


def test_new_not_received_waits_for_receipt() -> None:
    assert (step(received=None).code, step(received=None).by) == ("record-receipt", None)


def test_new_not_delivered_demands_delivery() -> None:
    assert step(received=None, problem="not-delivered").code == "demand-delivery"


def test_new_after_the_windows_with_no_right_asks_for_goodwill() -> None:
    assert step(day=date(2026, 12, 30)).code == "ask-goodwill"


def test_new_faulty_after_the_windows_demands_in_writing() -> None:
    assert step(day=date(2026, 12, 30), problem="defective").code == "demand-in-writing"


def test_a_contact_that_exercised_nothing_still_asks_for_the_return() -> None:
    s = step(ev("contacted-merchant", date(2026, 11, 13), asked="exchange"))
    assert (s.code, s.by) == ("request-return", date(2026, 11, 19))


def test_return_requested_waits_15_days_for_the_address_then_deliberate_delay() -> None:
    s = step(ev("return-requested", date(2026, 11, 14)))
    assert (s.code, s.by, s.overdue) == ("await-return-address", date(2026, 11, 29), False)
    late = step(ev("return-requested", date(2026, 11, 14)), day=date(2026, 11, 30))
    assert (late.code, late.by, late.overdue) == ("await-return-address", date(2026, 11, 29), True)


def test_a_replied_request_waits_three_days_for_an_answer() -> None:
    asked = ev("contacted-merchant", date(2026, 11, 13), asked="return")
    replied = ev("merchant-replied", date(2026, 11, 14))
    s = step(asked, replied)
    assert (s.code, s.by) == ("await-reply", date(2026, 11, 17))


def test_return_delivered_refund_due_in_7_days() -> None:
    asked = ev("return-requested", date(2026, 11, 13))
    s = step(asked, ev("return-delivered", date(2026, 11, 20)), day=date(2026, 11, 21))
    assert (s.code, s.by, s.params) == (
        "await-refund",
        date(2026, 11, 27),
        {"since": date(2026, 11, 20)},
    )


def test_return_shipped_tracks_the_parcel() -> None:
    asked = ev("return-requested", date(2026, 11, 13))
    s = step(asked, ev("return-shipped", date(2026, 11, 14)))
    assert (s.code, s.by) == ("track-return", None)


@pytest.mark.parametrize(
    ("fields", "channel"),
    [
        ({"platform": "taobao", "payment_method": "wechat-pay"}, Channel.MARKETPLACE),
        ({"platform": "wechat-mini-program"}, Channel.WECHAT_PAY),
        ({"mini_program": True}, Channel.WECHAT_PAY),
        ({"payment_method": "wechat-pay"}, Channel.WECHAT_PAY),
        ({"payment_method": "alipay"}, Channel.ALIPAY),
        ({"payment_method": "credit-card"}, Channel.OTHER),  # a card inside China: no rule
        ({"payment_method": "credit-card", "jurisdiction": "us"}, Channel.CARD_ISSUER),
        ({"payment_method": "debit-card", "jurisdiction": "uk"}, Channel.CARD_ISSUER),
        ({}, Channel.OTHER),  # nothing assumed
    ],
)
def test_refused_goes_to_the_channel_the_facts_lead_to(
    fields: dict[str, object], channel: Channel
) -> None:
    refused = ev("merchant-refused", date(2026, 11, 14))
    a = judge(case(refused, **fields), DAY)
    assert (a.step.code, a.step.by, a.step.channel, a.channel) == (
        "complain-platform",
        None,
        channel,
        channel,
    )


def test_wechat_pay_complaint_settles_by_the_third_day() -> None:
    complaint = ev("platform-complaint", date(2026, 11, 16), channel="wechat-pay")
    s = step(complaint, day=date(2026, 11, 16))
    assert (s.code, s.by, s.channel) == ("await-platform", date(2026, 11, 19), Channel.WECHAT_PAY)
    assert s.params["clock"] == "wechat-pay-finish"


def test_mini_program_complaint_lapses_after_48_hours() -> None:
    complaint = ev("platform-complaint", date(2026, 11, 16), channel="mini-program")
    assert step(complaint, day=date(2026, 11, 16)).by == date(2026, 11, 18)


def test_a_complaint_past_its_date_is_overdue_with_the_same_date() -> None:
    complaint = ev("platform-complaint", date(2026, 12, 1), channel="wechat-pay")
    early = step(complaint, day=date(2026, 12, 2))
    late = step(complaint, day=date(2026, 12, 10))
    assert (early.code, early.by, early.overdue) == ("await-platform", date(2026, 12, 4), False)
    assert (late.code, late.by, late.overdue) == ("await-platform", date(2026, 12, 4), True)


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        ("upheld", "await-refund-upheld"),
        ("rejected", "complain-regulator"),
        ("partial", "complain-regulator"),
        ("none", "complain-regulator"),
    ],
)
def test_a_platform_answer_moves_the_step_on(outcome: str, code: str) -> None:
    complaint = ev("platform-complaint", date(2026, 11, 16), channel="wechat-pay")
    answer = ev("complaint-answered", date(2026, 11, 18), channel="wechat-pay", outcome=outcome)
    s = step(complaint, answer, day=date(2026, 11, 19))
    assert s.code == code and s.params["outcome"] == outcome


def test_12315_decides_in_7_working_days_across_national_day() -> None:
    complaint = ev("regulator-complaint", date(2026, 9, 29))
    s = step(
        complaint, day=date(2026, 9, 30), purchased=date(2026, 9, 1), received=date(2026, 9, 3)
    )
    # 09-30, (holiday 10-01..07), 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14
    assert (s.code, s.by, s.params["known"]) == ("await-regulator", date(2026, 10, 14), True)


def test_12315_past_the_known_calendar_says_so() -> None:
    complaint = ev("regulator-complaint", date(2031, 1, 6))
    s = step(complaint, day=date(2031, 1, 6), purchased=date(2031, 1, 1), received=date(2031, 1, 2))
    assert s.by == date(2031, 1, 15) and s.params["known"] is False


def test_a_regulator_answer_leaves_the_court_before_the_safe_limitation_date() -> None:
    refused = ev("merchant-refused", date(2026, 11, 14))
    complaint = ev("regulator-complaint", date(2026, 11, 20))
    answer = ev("complaint-answered", date(2026, 12, 1), outcome="rejected")
    a = judge(case(refused, complaint, answer), date(2026, 12, 2))
    assert a.step.code == "consult-lawyer"
    assert a.limitation is not None and a.step.by == a.limitation.safe == date(2029, 11, 14)


def test_the_legal_step_carries_the_safe_limitation_date_not_the_later_one() -> None:
    refused = ev("merchant-refused", date(2026, 11, 14))
    complaint = ev("regulator-complaint", date(2026, 11, 20))
    lawyer = ev("lawyer-consulted", date(2026, 11, 25))
    a = judge(case(refused, complaint, lawyer), date(2026, 11, 26))
    assert a.limitation is not None and a.limitation.later == date(2029, 11, 20)
    assert (a.step.code, a.step.by) == ("follow-lawyer", date(2029, 11, 14))


def test_missing_evidence_is_part_of_the_step_once_a_complaint_is_near() -> None:
    refused = ev("merchant-refused", date(2026, 11, 14))
    assert step(refused).needs_evidence == (
        EvidenceKind.ORDER,
        EvidenceKind.CHAT,
        EvidenceKind.PAYMENT,
    )
    proof = [(k, date(2026, 11, 14)) for k in ("order", "chat", "payment")]
    assert step(refused, evidence=proof).needs_evidence == ()
    assert step().needs_evidence == ()  # new: nothing to complain about yet


def test_resolved_and_closed_have_no_date() -> None:
    refund = ev("refund-received", date(2026, 11, 14), amount="399")
    assert (step(refund).code, step(refund).by) == ("close-case", None)
    closed = ev("closed", date(2026, 11, 14))
    assert (step(closed).code, step(closed).by) == ("none", None)


def test_recommended_evidence_follows_the_grounds() -> None:
    faulty = judge(case(problem="defective"), DAY)
    assert EvidenceKind.PHOTO in faulty.recommended_evidence
    promise = judge(case(promise_days=30), DAY)
    assert EvidenceKind.POLICY in promise.recommended_evidence
    plain = judge(case(), DAY)
    assert EvidenceKind.PHOTO not in plain.recommended_evidence
    assert EvidenceKind.POLICY not in plain.recommended_evidence


@pytest.mark.parametrize(
    ("jurisdiction", "regulator"),
    [
        ("cn", "cn-12315"),
        ("uk", "uk-citizens-advice"),
        ("eu", "eu-consumer-authority"),
        ("us", "us-attorney-general"),
    ],
)
def test_each_jurisdiction_has_its_own_regulator(jurisdiction: str, regulator: str) -> None:
    assert judge(case(jurisdiction=jurisdiction), DAY).regulator == regulator


# --- the step's date does not move with today ----------------------------------------------

KINDS = [
    "contacted-merchant",
    "merchant-replied",
    "merchant-refused",
    "return-requested",
    "return-shipped",
    "return-delivered",
    "platform-complaint",
    "regulator-complaint",
    "complaint-answered",
    "lawyer-consulted",
]


@given(
    timeline=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.sampled_from(KINDS)), max_size=5
    ),
    jurisdiction=st.sampled_from(["cn", "eu", "uk", "us"]),
    problem=st.sampled_from(["changed-mind", "defective", "not-delivered", "fraud"]),
    channel=st.sampled_from(["wechat-pay", "mini-program", "marketplace", "card-issuer"]),
    first=st.integers(min_value=31, max_value=60),
    second=st.integers(min_value=61, max_value=900),
)
def test_the_steps_date_does_not_depend_on_the_as_of_day(
    timeline: list[tuple[int, str]],
    jurisdiction: str,
    problem: str,
    channel: str,
    first: int,
    second: int,
) -> None:
    """Two as-of days after every fact: the same step and date until that date; after it,
    the same step is overdue (or a window closed and the advice moved on); `overdue` says
    whether the day is past the date."""
    events = []
    for i, (offset, kind) in enumerate(sorted(timeline)):
        extra: dict[str, object] = {}
        if kind in ("platform-complaint", "complaint-answered"):
            extra["channel"] = channel
        if kind == "complaint-answered":
            extra["outcome"] = "rejected"
        if kind == "contacted-merchant":
            extra["asked"] = "return"
        events.append(ev(kind, RECEIVED + timedelta(days=offset), f"t{i}", **extra))
    facts = case(
        *events,
        jurisdiction=jurisdiction,
        problem=problem,
        received=None if problem == "not-delivered" else RECEIVED,
    )
    later = RECEIVED + timedelta(days=second)
    one = judge(facts, RECEIVED + timedelta(days=first)).step
    two = judge(facts, later).step
    if one.by is None or later <= one.by:
        assert (one.code, one.by, one.channel) == (two.code, two.by, two.channel)
    elif two.code == one.code:  # past its date: the same step and date, overdue
        assert two.by == one.by and two.overdue
    # else a window closed on that date and the advice moved on (e.g. to a goodwill request)
    for s, offset in ((one, first), (two, second)):
        day = RECEIVED + timedelta(days=offset)
        assert s.overdue == (s.by is not None and day > s.by)


@pytest.mark.parametrize("problem", ["not-as-described", "fraud"])
def test_a_claim_about_what_the_page_said_recommends_the_page(problem: str) -> None:
    """A silk shirt that is polyester, a "Swiss" watch that is not: the product page is the
    proof of what was promised, and a photo of the goods of what came."""
    a = judge(case(problem=problem), DAY)
    assert EvidenceKind.POLICY in a.recommended_evidence
    assert EvidenceKind.PHOTO in a.recommended_evidence


@pytest.mark.parametrize(
    ("fields", "venue"),
    [
        ({"platform": "taobao"}, "platform-seller"),
        ({"mini_program": "声悦数码商城"}, "mini-program"),  # platform or "other network service"
        ({"platform": "wechat-mini-program"}, "mini-program"),
        ({"platform": "jd", "mini_program": "京东购物"}, "platform-seller"),  # JD's own
        ({"platform": "website"}, "own-site"),
        ({}, "seller"),
        ({"jurisdiction": "uk", "currency": "GBP"}, None),
    ],
)
def test_the_12315_venue_follows_complaint_measures_art_12(
    fields: dict[str, str], venue: str | None
) -> None:
    """Art. 12 para. 2: a platform's seller where it operates or the platform is domiciled;
    a seller through its own site or "other network services" where it is domiciled. Which
    one a Mini Program seller is, is unsettled: its domicile is right either way."""
    assert judge(case(**fields), date(2026, 11, 20)).regulator_venue == venue
