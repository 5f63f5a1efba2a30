"""The dispute ladder: which rung a case has reached, where to complain, and the next step.

The stage is derived from the timeline every time, never stored. The next step carries a date
that never moves with today: a legal deadline, or a fixed day counted from the event that
opened the step, or none; once today is past it, the step is overdue. CPL Art. 39 gives the
rungs for `cn` (negotiate, platform, consumer association or regulator, court); other
jurisdictions have their own routes (cli-contract.md, "The law of the case").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from refundkit.kinds import (
    MARKETPLACES,
    Channel,
    EventKind,
    EvidenceKind,
    Jurisdiction,
    Outcome,
    PaymentMethod,
    Platform,
    Problem,
    Stage,
)
from refundkit.kinds import WindowState as WS
from refundkit.rules.facts import CaseFacts, EventFacts
from refundkit.rules.results import Clock, Demand, Ground, Limitation, Step, Window, best_window

REQUIRED_EVIDENCE = (EvidenceKind.ORDER, EvidenceKind.CHAT, EvidenceKind.PAYMENT)
RUNG = {
    EventKind.CONTACTED_MERCHANT: Stage.NEGOTIATING,
    EventKind.MERCHANT_REPLIED: Stage.NEGOTIATING,
    EventKind.RETURN_REQUESTED: Stage.NEGOTIATING,
    EventKind.RETURN_SHIPPED: Stage.NEGOTIATING,
    EventKind.RETURN_DELIVERED: Stage.NEGOTIATING,
    EventKind.REFUND_RECEIVED: Stage.NEGOTIATING,
    EventKind.COMPENSATION_RECEIVED: Stage.NEGOTIATING,
    EventKind.MERCHANT_REFUSED: Stage.REFUSED,
    EventKind.PLATFORM_COMPLAINT: Stage.PLATFORM,
    EventKind.REGULATOR_COMPLAINT: Stage.REGULATOR,
    EventKind.LAWYER_CONSULTED: Stage.LEGAL,
}
LADDER = (Stage.NEW, Stage.NEGOTIATING, Stage.REFUSED, Stage.PLATFORM, Stage.REGULATOR, Stage.LEGAL)
COMPLAINT_STAGES = frozenset(
    (Stage.NEGOTIATING, Stage.REFUSED, Stage.PLATFORM, Stage.REGULATOR, Stage.LEGAL)
)
REPLY_DAYS = 3  # no legal deadline: a fixed day, counted from the contact, to follow up
DEFECT_WINDOWS = frozenset(
    ("cn-defect-7day", "uk-30day-reject", "eu-guarantee", "uk-repair-replace")
)
REGULATOR = {
    Jurisdiction.CN: "cn-12315",
    Jurisdiction.UK: "uk-citizens-advice",
    Jurisdiction.EU: "eu-consumer-authority",
    Jurisdiction.US: "us-attorney-general",
}


def stage_of(facts: CaseFacts, demand: Demand) -> Stage:
    """The highest rung reached; resolved once what was demanded came back; closed beats all."""
    kinds = {e.kind for e in facts.events}
    if EventKind.CLOSED in kinds:
        return Stage.CLOSED
    if demand.kind == "nothing":
        return Stage.RESOLVED
    reached = [RUNG[k] for k in kinds if k in RUNG]
    return max(reached, key=LADDER.index, default=Stage.NEW)


def complaint_channel(facts: CaseFacts) -> Channel:
    """Where a complaint goes when the user did not say (cli-contract.md): the first that
    fits of a marketplace, WeChat (a Mini Program or a WeChat Pay payment), Alipay, a card
    outside China, otherwise other."""
    if facts.platform in MARKETPLACES:
        return Channel.MARKETPLACE
    if facts.platform == Platform.WECHAT_MINI_PROGRAM or facts.mini_program:
        return Channel.WECHAT_PAY
    if facts.payment_method is PaymentMethod.WECHAT_PAY:
        return Channel.WECHAT_PAY
    if facts.payment_method is PaymentMethod.ALIPAY:
        return Channel.ALIPAY
    card = (PaymentMethod.CREDIT_CARD, PaymentMethod.DEBIT_CARD)
    if facts.payment_method in card and facts.jurisdiction is not Jurisdiction.CN:
        return Channel.CARD_ISSUER
    return Channel.OTHER


def regulator_of(facts: CaseFacts) -> str:
    return REGULATOR[facts.jurisdiction]


OWN_SITES = frozenset((Platform.WEBSITE, Platform.APP))
NOT_PLATFORMS = OWN_SITES | {Platform.IN_STORE, Platform.OTHER}


def regulator_venue(facts: CaseFacts) -> str | None:
    """Which county-level market regulator handles a `cn` complaint (Complaint Measures
    2019/2022, Art. 12): for a seller on a platform, where it operates or where the platform
    operator is domiciled; for a seller's own website or app, or one selling through "other
    network services", where it is domiciled; otherwise where it operates or is domiciled.
    A Mini Program seller is either of the first two, unsettled ("mini-program"): its domicile
    is right on both readings, the platform's only on one."""
    if facts.jurisdiction is not Jurisdiction.CN:
        return None
    mini = facts.mini_program or facts.platform == Platform.WECHAT_MINI_PROGRAM
    marketplace = facts.platform not in (None, Platform.WECHAT_MINI_PROGRAM, *NOT_PLATFORMS)
    if marketplace:
        return "platform-seller"  # a marketplace, even where its own Mini Program was used
    if mini:
        return "mini-program"
    if facts.platform in OWN_SITES:
        return "own-site"
    return "seller"


def missing_evidence(facts: CaseFacts) -> tuple[EvidenceKind, ...]:
    """Required kinds (order, chat, payment) not yet attached: a complaint needs all three."""
    have = {kind for kind, _ in facts.evidence}
    return tuple(k for k in REQUIRED_EVIDENCE if k not in have)


def recommended_evidence(facts: CaseFacts, grounds: tuple[Ground, ...]) -> tuple[EvidenceKind, ...]:
    """Evidence the grounds lean on: the delivery record for received goods, photos of a
    defect or of goods not as described, the product page for a promise, a non-returnable
    label or a description the goods did not match."""
    have = {kind for kind, _ in facts.evidence}
    ids = {g.id for g in grounds}
    wanted: list[EvidenceKind] = []
    # The product page proves what was promised: a return promise, a label, or the
    # description the goods did not match (a "silk" shirt, a "Swiss" movement).
    page_claims = (Problem.NOT_AS_DESCRIBED, Problem.FRAUD)
    if ids & {"promise", "cpl-26"} or facts.promise_days or facts.problem in page_claims:
        wanted.append(EvidenceKind.POLICY)
    if facts.problem in (Problem.DEFECTIVE, *page_claims):
        wanted.append(EvidenceKind.PHOTO)
    if facts.received is not None and facts.category.is_goods:
        wanted.append(EvidenceKind.DELIVERY)
    return tuple(k for k in wanted if k not in have)


@dataclass(frozen=True)
class Case:
    """What the advisor reads: the facts and everything the other rules already decided."""

    facts: CaseFacts
    windows: tuple[Window, ...]
    grounds: tuple[Ground, ...]
    demand: Demand
    clocks: tuple[Clock, ...]
    limitation: Limitation | None


def next_step(case: Case, stage: Stage, as_of: date) -> Step:
    """One action and its fixed date for the case as it stands on as_of."""
    step = _ADVISORS[stage](case)
    if step.by is not None and as_of > step.by:
        step = replace(step, overdue=True)
    if stage in COMPLAINT_STAGES:
        step = replace(step, needs_evidence=missing_evidence(case.facts))
    return step


def _clock(clocks: tuple[Clock, ...], code: str, event: EventFacts | None = None) -> Clock | None:
    for clock in reversed(clocks):
        if clock.code == code and (event is None or clock.event_id == event.id):
            return clock
    return None


def _opening(case: Case) -> Step:
    """Before the merchant was asked: the request the case's best window calls for."""
    facts, windows = case.facts, case.windows
    goods_missing = facts.received is None and facts.category.is_goods
    if facts.problem is Problem.NOT_DELIVERED and (goods_missing or facts.category.is_service):
        return Step("demand-delivery")
    best = best_window(windows)
    if best is not None and best.state is WS.OPEN and best.exercised is None:
        code = "request-remedy" if best.rule in DEFECT_WINDOWS else "request-return"
        return Step(code, best.deadline, params={"rule": best.rule})
    if best is not None and best.state is WS.NOT_STARTED and goods_missing:
        return Step("record-receipt")
    if case.demand.kind == "goodwill":
        return Step("ask-goodwill")
    return Step("demand-in-writing")


def _new(case: Case) -> Step:
    return _opening(case)


def _negotiating(case: Case) -> Step:
    facts, clocks = case.facts, case.clocks
    delivered = facts.last(EventKind.RETURN_DELIVERED)
    if delivered is not None:
        due = _clock(clocks, "refund-due")
        return Step("await-refund", due.day if due else None, params={"since": delivered.on})
    shipped = facts.last(EventKind.RETURN_SHIPPED)
    if shipped is not None:
        return Step("track-return", params={"since": shipped.on})
    opening = _opening(case)
    if opening.code in ("request-return", "request-remedy", "record-receipt"):
        return opening  # the contact so far did not exercise the window: ask properly
    delay = _clock(clocks, "request-deliberate-delay")
    if delay is not None:
        request = next(e for e in facts.events if e.id == delay.event_id)
        return Step("await-return-address", delay.day, params={"since": request.on})
    last = facts.last(
        EventKind.CONTACTED_MERCHANT, EventKind.RETURN_REQUESTED, EventKind.MERCHANT_REPLIED
    )
    by = last.on + timedelta(days=REPLY_DAYS) if last else None
    return Step("await-reply", by, params={"since": last.on if last else None})


def _refused(case: Case) -> Step:
    return Step("complain-platform", channel=complaint_channel(case.facts))


def _platform(case: Case) -> Step:
    facts = case.facts
    complaint = facts.last(EventKind.PLATFORM_COMPLAINT)
    assert complaint is not None
    channel = complaint.channel or Channel.WECHAT_PAY
    answered = _answer_after(facts, complaint)
    if answered is not None:
        return _after_answer(case, answered, channel)
    for code in PLATFORM_CLOCKS:
        clock = _clock(case.clocks, code, complaint)
        if clock is not None:
            params = {"since": complaint.on, "clock": code}
            return Step("await-platform", clock.day, channel=channel, params=params)
    return Step("await-platform", channel=channel, params={"since": complaint.on})


PLATFORM_CLOCKS = (
    "wechat-pay-finish",
    "mini-program-lapse",
    "card-issuer-resolve",
    "platform-follow-up",
)


def _answer_after(facts: CaseFacts, complaint: EventFacts) -> EventFacts | None:
    """The latest answer logged for this complaint (same channel, or none given)."""
    answers = [
        e
        for e in facts.of_kind(EventKind.COMPLAINT_ANSWERED)
        if e.on >= complaint.on
        and (
            e.channel is None
            or e.channel == complaint.channel
            or complaint.kind is EventKind.REGULATOR_COMPLAINT
        )
    ]
    return answers[-1] if answers else None


def _after_answer(case: Case, answer: EventFacts, channel: Channel | None) -> Step:
    params = {"answered": answer.on, "outcome": (answer.outcome or Outcome.NONE).value}
    if answer.outcome is Outcome.UPHELD:
        return Step("await-refund-upheld", channel=channel, params=params)
    if channel is None:  # the regulator's answer: the court is what is left
        safe = case.limitation.safe if case.limitation else None
        return Step("consult-lawyer", safe, params=params)
    return Step("complain-regulator", channel=channel, params=params)


def _regulator(case: Case) -> Step:
    complaint = case.facts.last(EventKind.REGULATOR_COMPLAINT)
    assert complaint is not None
    answered = _answer_after(case.facts, complaint)
    if answered is not None:
        return _after_answer(case, answered, None)
    for code in ("regulator-accept", "regulator-follow-up"):
        clock = _clock(case.clocks, code, complaint)
        if clock is not None:
            params = {"since": complaint.on, "known": clock.known, "clock": code}
            return Step("await-regulator", clock.day, params=params)
    return Step("await-regulator", params={"since": complaint.on, "known": True})


def _legal(case: Case) -> Step:
    return Step("follow-lawyer", case.limitation.safe if case.limitation else None)


def _resolved(case: Case) -> Step:
    return Step("close-case")


def _closed(case: Case) -> Step:
    return Step("none")


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
