"""The dispute ladder: which rung a case has reached, and what to do next by when.

Pure: order, windows and as-of date in, advice out. The stage is derived from the timeline
every time, never stored, so it cannot disagree with the events the user logged. The ladder
follows CPL Art. 39 (negotiate, platform, consumer association or regulator, court) and the
clocks listed in shared/product/return-rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta

from refundkit.clocks import (
    DELIBERATE_DELAY_DAYS,
    REFUND_DUE_DAYS,
    mini_program_lapse,
    regulator_decision,
    wechat_pay_reply,
)
from refundkit.kinds import (
    Category,
    Channel,
    EventKind,
    EvidenceKind,
    Jurisdiction,
    PaymentMethod,
    Problem,
    Stage,
)
from refundkit.kinds import WindowState as WS
from refundkit.models import Event, Order
from refundkit.windows import Window, best_window

REQUIRED_EVIDENCE = (EvidenceKind.ORDER, EvidenceKind.CHAT, EvidenceKind.PAYMENT)
RECOMMENDED_EVIDENCE = (EvidenceKind.POLICY, EvidenceKind.DELIVERY)

RUNG = {
    EventKind.CONTACTED_MERCHANT: Stage.NEGOTIATING,
    EventKind.MERCHANT_REPLIED: Stage.NEGOTIATING,
    EventKind.RETURN_REQUESTED: Stage.NEGOTIATING,
    EventKind.RETURN_SHIPPED: Stage.NEGOTIATING,
    EventKind.RETURN_DELIVERED: Stage.NEGOTIATING,
    EventKind.REFUND_RECEIVED: Stage.NEGOTIATING,
    EventKind.MERCHANT_REFUSED: Stage.REFUSED,
    EventKind.PLATFORM_COMPLAINT: Stage.PLATFORM,
    EventKind.REGULATOR_COMPLAINT: Stage.REGULATOR,
    EventKind.LAWYER_CONSULTED: Stage.LEGAL,
}
LADDER = [Stage.NEW, Stage.NEGOTIATING, Stage.REFUSED, Stage.PLATFORM, Stage.REGULATOR, Stage.LEGAL]
COMPLAINT_STAGES = {Stage.NEGOTIATING, Stage.REFUSED, Stage.PLATFORM, Stage.REGULATOR, Stage.LEGAL}
# A written demand interrupts the limitation period (Civil Code Art. 195).
DEMANDS = {
    EventKind.CONTACTED_MERCHANT,
    EventKind.RETURN_REQUESTED,
    EventKind.PLATFORM_COMPLAINT,
    EventKind.REGULATOR_COMPLAINT,
}


@dataclass(frozen=True)
class NextStep:
    action: str
    by: date | None
    reason: str
    needs_evidence: tuple[EvidenceKind, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    short: str = ""  # a few words for the overview table

    def as_json(self) -> dict[str, object]:
        return {
            "action": self.action,
            "by": self.by.isoformat() if self.by else None,
            "reason": self.reason,
            "needs_evidence": [k.value for k in self.needs_evidence],
            "notes": list(self.notes),
        }


def sorted_events(events: list[Event]) -> list[Event]:
    """Date order, time of day where known, then the order they were logged."""
    return sorted(events, key=lambda e: (e.on, e.at or time.min, e.recorded))


def stage_of(order: Order) -> Stage:
    """The highest rung reached; resolved once refunds cover the amount; closed beats all."""
    kinds = {e.kind for e in order.events}
    if EventKind.CLOSED in kinds:
        return Stage.CLOSED
    if order.refunded_total() >= order.amount:
        return Stage.RESOLVED
    reached = [RUNG[k] for k in kinds if k in RUNG]
    return max(reached, key=LADDER.index, default=Stage.NEW)


def missing_evidence(order: Order) -> list[EvidenceKind]:
    """Required kinds (order, chat, payment) not yet attached: a complaint needs all three."""
    have = {e.kind for e in order.evidence}
    return [k for k in REQUIRED_EVIDENCE if k not in have]


def missing_recommended(order: Order) -> list[EvidenceKind]:
    have = {e.kind for e in order.evidence}
    delivered = order.received is not None and not order.category.is_service
    wanted = [k for k in RECOMMENDED_EVIDENCE if k is not EvidenceKind.DELIVERY or delivered]
    return [k for k in wanted if k not in have]


def limitation_date(order: Order) -> date | None:
    """Three years from the refusal (Civil Code Art. 188), restarted by each later demand."""
    events = sorted_events(order.events)
    refusals = [e.on for e in events if e.kind is EventKind.MERCHANT_REFUSED]
    if not refusals:
        return None
    start = refusals[0]
    for event in events:
        if event.kind in DEMANDS | {EventKind.MERCHANT_REFUSED} and event.on > start:
            start = event.on
    return start + relativedelta(years=3)


def last(order: Order, *kinds: EventKind) -> Event | None:
    matching = [e for e in sorted_events(order.events) if e.kind in kinds]
    return matching[-1] if matching else None


def next_step(order: Order, windows: list[Window], as_of: date) -> NextStep:
    """One action, its date and why, for the case as it stands on as_of."""
    stage = stage_of(order)
    step = _ADVISORS[stage](order, windows, as_of)
    if "ORDER" in step.action:  # name the real id so the command can be pasted as is
        step = replace(step, action=step.action.replace("ORDER", order.id))
    if stage in (Stage.CLOSED, Stage.RESOLVED):
        return step
    needs = tuple(missing_evidence(order)) if stage in COMPLAINT_STAGES else ()
    if needs and not step.needs_evidence:
        names = ", ".join(k.value for k in needs)
        step = NextStep(
            step.action,
            step.by,
            step.reason + f" Before that, attach the missing evidence ({names}) with "
            "`refundkit add-evidence`.",
            needs,
            step.notes,
            step.short,
        )
    return step


def _new(order: Order, windows: list[Window], as_of: date) -> NextStep:
    if order.problem is Problem.NOT_DELIVERED and order.received is None:
        return NextStep(
            "Ask the merchant in writing to deliver or refund, and keep the chat",
            as_of,
            "The goods have not arrived; a dated written demand starts the paper trail.",
            short="demand delivery or refund",
        )
    best = best_window(windows)
    if best and best.state is WS.OPEN:
        return NextStep(
            "Ask the merchant in writing for a return and refund (no reason needed)",
            best.deadline,
            f"The {best.rule} window is open until {best.deadline}; the request must be sent "
            "inside it, the goods need not arrive back by then.",
            short="ask merchant for return",
        )
    if best and best.state is WS.NOT_STARTED:
        return NextStep(
            "When the goods arrive, record the day with `refundkit edit ORDER --received DATE`",
            None,
            "The return window starts the day after you sign for the goods.",
            short="record receipt",
        )
    return _no_window_step(order, as_of)


def _no_window_step(order: Order, as_of: date) -> NextStep:
    grounds = {
        Problem.DEFECTIVE: "CPL Art. 24 lets goods that fail quality requirements be returned, "
        "replaced or repaired",
        Problem.NOT_AS_DESCRIBED: "CPL Art. 24 covers goods that are not as agreed",
        Problem.FRAUD: "CPL Art. 55 gives three times the price (at least 500 yuan) for fraud",
        Problem.NOT_DELIVERED: "the merchant must deliver what was paid for",
    }
    if order.jurisdiction is not Jurisdiction.CN:
        return NextStep(
            "Ask the merchant in writing for a refund, stating your grounds",
            as_of,
            "No no-reason return window is open; a dated written demand is the first step.",
            notes=_card_notes(order),
            short="demand refund in writing",
        )
    if order.category is Category.PREPAID_SERVICE:
        reason = "CPL Art. 53: prepaid services not provided as agreed must be refunded"
    else:
        reason = grounds.get(order.problem, "no no-reason return window is open")
    return NextStep(
        "Ask the merchant in writing for a refund, stating your grounds",
        as_of,
        f"{reason[0].upper()}{reason[1:]}; a dated written demand is the first rung (CPL Art. 39).",
        short="demand refund in writing",
    )


def _card_notes(order: Order) -> tuple[str, ...]:
    """US card payments have a clock of their own (return-rules.md, Other jurisdictions)."""
    if order.jurisdiction is Jurisdiction.US and order.payment_method is PaymentMethod.CREDIT_CARD:
        return (
            "A billing-error notice must reach your card issuer within 60 days after the first "
            "statement showing the charge was sent (Fair Credit Billing Act, 15 U.S.C. 1666).",
        )
    return ()


def _negotiating(order: Order, windows: list[Window], as_of: date) -> NextStep:
    delivered = last(order, EventKind.RETURN_DELIVERED)
    if delivered:
        return NextStep(
            "Expect the refund; if none arrives, complain to the platform",
            delivered.on + timedelta(days=REFUND_DUE_DAYS),
            "The merchant must refund within 7 days of receiving the goods back (CPL Art. 25); "
            f"after {delivered.on + timedelta(days=DELIBERATE_DELAY_DAYS)} (15 days) the delay "
            "counts as deliberate (SAIC 2015 Measures Art. 9).",
            short="expect refund",
        )
    shipped = last(order, EventKind.RETURN_SHIPPED)
    if shipped:
        return NextStep(
            "Track the return parcel and log `return-delivered` when the merchant signs for it",
            None,
            "The merchant's 7 days to refund start when it receives the goods back.",
            short="track return parcel",
        )
    requested = last(order, EventKind.RETURN_REQUESTED)
    if requested:
        return NextStep(
            "Wait for the merchant's return address; if none comes, complain to the platform",
            requested.on + timedelta(days=DELIBERATE_DELAY_DAYS),
            "Leaving a return request unhandled for over 15 days is deliberate delay "
            "(SAIC 2015 Measures on Penalties for Infringing Consumer Rights, Art. 9).",
            short="await return address",
        )
    best = best_window(windows)
    if best and best.state is WS.OPEN:
        return NextStep(
            "Send the merchant a written return request (`refundkit draft-complaint --to "
            "merchant`) and log it as `return-requested`",
            best.deadline,
            f"The {best.rule} window ends on {best.deadline}: the request, not the goods, must "
            "reach the merchant by then.",
            short="send return request",
        )
    contact = last(order, EventKind.CONTACTED_MERCHANT, EventKind.MERCHANT_REPLIED)
    by = (contact.on if contact else as_of) + timedelta(days=3)
    return NextStep(
        "If the merchant has not agreed to refund, complain to the platform",
        max(by, as_of),
        "Negotiation is the first rung (CPL Art. 39); a few days without a fair answer is "
        "enough to go to the platform.",
        short="complain to platform",
    )


def _refused(order: Order, windows: list[Window], as_of: date) -> NextStep:
    if order.jurisdiction is not Jurisdiction.CN:
        return NextStep(
            "Complain to the platform or marketplace you bought through, or dispute the "
            "charge with your card issuer or payment provider",
            as_of,
            "The merchant refused; the platform or the payment provider is the next step.",
            notes=_card_notes(order),
            short="complain to platform",
        )
    notes: tuple[str, ...] = ()
    if order.category not in (Category.NON_RETURNABLE_CONFIRMED,):
        notes = (
            "Refusing on a 'non-returnable' label you never confirmed, or because the package "
            "was opened for inspection, is unreasonable refusal (SAIC 2015 Measures Art. 9).",
        )
    return NextStep(
        "Complain to the platform: the WeChat Pay complaint (微信支付 > 账单 > 投诉) or the Mini "
        "Program's complaint page",
        as_of,
        "The merchant refused; the platform is the next rung (CPL Art. 39, Art. 44 makes the "
        "platform answer for a seller it cannot identify).",
        notes=notes,
        short="complain to platform",
    )


def _platform(order: Order, windows: list[Window], as_of: date) -> NextStep:
    complaint = last(order, EventKind.PLATFORM_COMPLAINT)
    assert complaint is not None
    channel = complaint.channel or Channel.WECHAT_PAY
    if channel is Channel.WECHAT_PAY:
        reply = wechat_pay_reply(complaint.on)
        answer, finish = reply.answer_by, reply.finish_by
        return NextStep(
            "If the WeChat Pay complaint is not resolved, complain to 12315 or the consumer "
            "association",
            finish,
            f"The merchant should answer a WeChat Pay complaint by {answer} and finish it by "
            f"{finish} (WeChat Pay merchant complaint rules).",
            short="await WeChat Pay outcome",
        )
    if channel is Channel.MINI_PROGRAM:
        lapse = mini_program_lapse(complaint.on)
        return NextStep(
            "If the merchant has not settled, ask the platform to decide the Mini Program "
            "complaint; if that fails, complain to 12315",
            lapse,
            "Since 2024-03-25 a Mini Program complaint awaiting the merchant lapses to the "
            f"platform after 48 hours ({lapse}).",
            short="await Mini Program outcome",
        )
    return NextStep(
        "If the platform has not resolved it, complain to 12315 or the consumer association",
        complaint.on + timedelta(days=7),
        "Give the platform a week; then the regulator is the next rung (CPL Art. 39).",
        short="await platform outcome",
    )


def _regulator(order: Order, windows: list[Window], as_of: date) -> NextStep:
    complaint = last(order, EventKind.REGULATOR_COMPLAINT)
    assert complaint is not None
    if order.jurisdiction is not Jurisdiction.CN:
        return NextStep(
            "Wait for the consumer authority's or dispute-resolution body's answer; if none "
            "comes, see a lawyer",
            complaint.on + timedelta(days=14),
            "refundkit knows no legal deadline for this body's answer outside China; two weeks "
            "is a reasonable time to follow up.",
            short="await regulator",
        )
    decided = regulator_decision(complaint.on)
    notes: tuple[str, ...] = ()
    if not decided.known:
        notes = (
            f"The Chinese holiday calendar for {decided.day.year} is not yet known; counted "
            "weekends only.",
        )
    return NextStep(
        "Wait for 12315's decision to accept; if none, call 12315 or see a lawyer",
        decided.day,
        "The market regulator decides whether to accept within 7 working days (Complaint "
        "Measures 2019/2022, Art. 14); mediation ends without agreement after 45 working days "
        "(Art. 21).",
        notes=notes,
        short="await 12315 decision",
    )


def _legal(order: Order, windows: list[Window], as_of: date) -> NextStep:
    limit = limitation_date(order)
    return NextStep(
        "Follow the lawyer's advice on a lawsuit or arbitration",
        limit,
        "A lawsuit is the last rung (CPL Art. 39); the three-year limitation period (Civil Code "
        "Art. 188) runs from the refusal and restarts with each written demand (Art. 195).",
        short="follow lawyer's advice",
    )


def _resolved(order: Order, windows: list[Window], as_of: date) -> NextStep:
    return NextStep(
        "Refund received in full: close the case with `refundkit log ORDER closed`",
        None,
        "The refunds logged add up to the amount paid.",
        short="close the case",
    )


def _closed(order: Order, windows: list[Window], as_of: date) -> NextStep:
    return NextStep("Nothing to do: the case is closed", None, "Closed by the user.", short="none")


_ADVISORS = {
    Stage.NEW: _new,
    Stage.NEGOTIATING: _negotiating,
    Stage.REFUSED: _refused,
    Stage.PLATFORM: _platform,
    Stage.REGULATOR: _regulator,
    Stage.LEGAL: _legal,
    Stage.RESOLVED: _resolved,
    Stage.CLOSED: _closed,
}
