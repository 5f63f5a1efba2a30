"""Stages and the next-step advisor (ladder.py), rung by rung, with dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_order
from refundkit.kinds import Channel, EventKind, EvidenceKind, Stage
from refundkit.ladder import limitation_date, missing_evidence, next_step, stage_of
from refundkit.models import Event, Evidence, Order
from refundkit.windows import compute_windows

RECORDED = datetime(2026, 11, 1, 9, 0)


def event(kind: str, on: date, **extra: Any) -> Event:
    n = extra.pop("n", 1)
    return Event(id=f"t{n}", kind=EventKind(kind), on=on, recorded=RECORDED, **extra)


def order_with(*events: Event, **fields: Any) -> Order:
    base = {"purchased": date(2026, 11, 10), "received": date(2026, 11, 12)}
    return make_order(**{**base, **fields}, events=list(events))


def advise(order: Order, as_of: date):  # type: ignore[no-untyped-def]
    return next_step(order, compute_windows(order, as_of), as_of)


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
        (["platform-complaint", "regulator-complaint"], Stage.REGULATOR),
        (["regulator-complaint", "lawyer-consulted"], Stage.LEGAL),
        (["lawyer-consulted", "contacted-merchant"], Stage.LEGAL),
        (["platform-complaint", "closed"], Stage.CLOSED),
    ],
)
def test_stage_is_the_highest_rung(kinds: list[str], stage: Stage) -> None:
    events = [event(k, date(2026, 11, 13 + i), n=i) for i, k in enumerate(kinds)]
    assert stage_of(order_with(*events)) is stage


def test_partial_refunds_add_up_to_resolved() -> None:
    part = event("refund-received", date(2026, 11, 14), amount=Decimal("100"), n=1)
    assert stage_of(order_with(part, amount="199")) is Stage.NEGOTIATING
    rest = event("refund-received", date(2026, 11, 15), amount=Decimal("99"), n=2)
    order = order_with(part, rest, amount="199")
    assert order.refunded_total() == Decimal("199")
    assert stage_of(order) is Stage.RESOLVED
    closed = event("closed", date(2026, 11, 16), n=3)
    assert stage_of(order_with(part, rest, closed, amount="199")) is Stage.CLOSED


def test_new_with_open_window_asks_for_return_by_the_deadline() -> None:
    step = advise(order_with(), date(2026, 11, 14))
    assert step.by == date(2026, 11, 19)
    assert "return" in step.action.lower()


def test_new_not_received_waits_for_receipt() -> None:
    step = advise(order_with(received=None), date(2026, 11, 14))
    assert step.by is None and "--received" in step.action


def test_new_outside_window_defective_cites_art_24() -> None:
    step = advise(order_with(problem="defective"), date(2026, 12, 20))
    assert "Art. 24" in step.reason and step.by == date(2026, 12, 20)


def test_return_requested_gives_15_days_then_deliberate_delay() -> None:
    order = order_with(event("return-requested", date(2026, 11, 14)))
    step = advise(order, date(2026, 11, 15))
    assert step.by == date(2026, 11, 29) and "15 days" in step.reason


def test_return_delivered_refund_due_in_7_days() -> None:
    order = order_with(event("return-delivered", date(2026, 11, 20)))
    step = advise(order, date(2026, 11, 21))
    assert step.by == date(2026, 11, 27)
    assert "2026-12-05" in step.reason  # 15 days: deliberate delay


def test_refused_goes_to_the_platform_now() -> None:
    order = order_with(event("merchant-refused", date(2026, 11, 14)))
    step = advise(order, date(2026, 11, 15))
    assert step.by == date(2026, 11, 15) and "platform" in step.action.lower()


def test_wechat_pay_complaint_answer_next_day_finish_third() -> None:
    order = order_with(event("platform-complaint", date(2026, 11, 16), channel=Channel.WECHAT_PAY))
    step = advise(order, date(2026, 11, 16))
    assert step.by == date(2026, 11, 19)
    assert "2026-11-17" in step.reason and "12315" in step.action


def test_mini_program_complaint_lapses_after_48_hours() -> None:
    order = order_with(
        event("platform-complaint", date(2026, 11, 16), channel=Channel.MINI_PROGRAM)
    )
    assert advise(order, date(2026, 11, 16)).by == date(2026, 11, 18)


def test_12315_decides_in_7_working_days_across_national_day() -> None:
    order = order_with(
        event("regulator-complaint", date(2026, 9, 29)),
        purchased=date(2026, 9, 1),
        received=date(2026, 9, 3),
    )
    step = advise(order, date(2026, 9, 30))
    # 09-30, (holiday 10-01..07), 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14
    assert step.by == date(2026, 10, 14)
    assert step.notes == ()


def test_12315_past_the_known_calendar_says_so() -> None:
    order = order_with(
        event("regulator-complaint", date(2027, 1, 4)),
        purchased=date(2027, 1, 1),
        received=date(2027, 1, 2),
    )
    step = advise(order, date(2027, 1, 4))
    assert step.by == date(2027, 1, 13)
    assert any("not yet known" in n for n in step.notes)


def test_legal_step_carries_the_limitation_date() -> None:
    order = order_with(
        event("merchant-refused", date(2026, 11, 14), n=1),
        event("lawyer-consulted", date(2026, 11, 20), n=2),
    )
    assert advise(order, date(2026, 11, 21)).by == date(2029, 11, 14)


def test_limitation_restarts_with_a_later_demand() -> None:
    order = order_with(
        event("merchant-refused", date(2026, 11, 14), n=1),
        event("platform-complaint", date(2026, 11, 20), n=2),
    )
    assert limitation_date(order) == date(2029, 11, 20)
    assert limitation_date(order_with()) is None


def test_missing_evidence_is_part_of_the_advice() -> None:
    order = order_with(event("merchant-refused", date(2026, 11, 14)))
    step = advise(order, date(2026, 11, 15))
    assert step.needs_evidence == (EvidenceKind.ORDER, EvidenceKind.CHAT, EvidenceKind.PAYMENT)
    assert "add-evidence" in step.reason
    proof = [
        Evidence(
            id=f"e{i}",
            kind=k,
            original_name="x",
            stored_as="evidence/x",
            size=1,
            media_type="image/png",
            sha256="0" * 64,
            added=RECORDED,
        )
        for i, k in enumerate((EvidenceKind.ORDER, EvidenceKind.CHAT, EvidenceKind.PAYMENT))
    ]
    full = order.model_copy(update={"evidence": proof})
    assert missing_evidence(full) == []
    assert advise(full, date(2026, 11, 15)).needs_evidence == ()


def test_resolved_and_closed_have_no_deadline() -> None:
    refund = event("refund-received", date(2026, 11, 14), amount=Decimal("199"))
    assert advise(order_with(refund), date(2026, 11, 15)).by is None
    assert advise(order_with(event("closed", date(2026, 11, 14))), date(2026, 11, 15)).by is None


def test_outside_china_the_steps_cite_no_chinese_law() -> None:
    refused = order_with(event("merchant-refused", date(2026, 11, 14)), jurisdiction="eu")
    step = advise(refused, date(2026, 11, 15))
    text = step.action + step.reason
    assert "WeChat" not in text and "CPL" not in text and "platform" in step.action
    regulator = order_with(event("regulator-complaint", date(2026, 11, 14)), jurisdiction="uk")
    step = advise(regulator, date(2026, 11, 15))
    assert "12315" not in step.action and step.by == date(2026, 11, 28)


def test_us_credit_card_gets_the_billing_error_clock() -> None:
    order = order_with(jurisdiction="us", payment_method="credit-card")
    step = advise(order, date(2026, 12, 20))
    assert any("15 U.S.C. 1666" in n for n in step.notes)
    assert advise(order_with(jurisdiction="us"), date(2026, 12, 20)).notes == ()
