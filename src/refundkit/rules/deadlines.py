"""The dispute's clocks: reply dates of complaints, refunds falling due, and limitation.

Each date is counted from the event that starts it, never from today, so a date shown once is
the date shown every day after. The advisor, the calendar and the letters all read these.
"""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from refundkit.kinds import Channel, EventKind, Jurisdiction, Problem, RequestKind
from refundkit.rules.facts import DEFECT_REQUESTS, PERFORMANCE_REQUESTS, CaseFacts, EventFacts
from refundkit.rules.results import Clock, Limitation, Window

WECHAT_PAY_ANSWER_DAYS = 1  # WeChat Pay merchant complaint handling: answer within one day
WECHAT_PAY_FINISH_DAYS = 3  # and finish within three
MINI_PROGRAM_LAPSE_DAYS = 2  # Mini Program transaction complaints, from 2024-03-25: 48 hours
REGULATOR_ACCEPT_WORKDAYS = 7  # Complaint Measures 2019/2022 Art. 14
FOLLOW_UP_DAYS = 7  # no legal deadline: a fixed day, counted from the complaint, to follow up
FOREIGN_REGULATOR_FOLLOW_UP_DAYS = 14
CARD_ACKNOWLEDGE_DAYS = 30  # 15 U.S.C. 1666(a)(3)(A)
CARD_RESOLVE_DAYS = 90  # 15 U.S.C. 1666(a)(3)(B): two billing cycles, at most 90 days
CN_REFUND_DAYS = 7  # CPL Art. 25 para. 3: refund within 7 days of getting the goods back
CN_DELIBERATE_DELAY_DAYS = 15  # SAIC 2015 Measures Arts. 8 and 9
EU_REFUND_DAYS = 14  # Directive 2011/83/EU Art. 13
UK_REFUND_DAYS = 14  # CCR 2013 reg. 34; CRA 2015 s.20(15)
CN_LIMITATION_YEARS = 3  # Civil Code Art. 188
UK_LIMITATION_YEARS = 6  # Limitation Act 1980 s.5 (England, Wales, Northern Ireland)
SCOTLAND_LIMITATION_YEARS = 5  # Prescription and Limitation (Scotland) Act 1973 s.6
NO_REASON_RULES = ("cn-7day", "promise", "cn-prepaid-7day")
QUALITY_PROBLEMS = (Problem.DEFECTIVE, Problem.NOT_AS_DESCRIBED)


def complaint_channel(event: EventFacts) -> Channel:
    return event.channel or Channel.WECHAT_PAY


def complaint_clocks(facts: CaseFacts) -> list[Clock]:
    """Reply dates of every complaint filed, by channel and jurisdiction."""
    clocks: list[Clock] = []
    for event in facts.of_kind(EventKind.PLATFORM_COMPLAINT):
        clocks += _platform_clocks(facts, event)
    for event in facts.of_kind(EventKind.REGULATOR_COMPLAINT):
        if facts.jurisdiction is Jurisdiction.CN:
            from refundkit.rules.holidays import add_workdays

            decided = add_workdays(event.on, REGULATOR_ACCEPT_WORKDAYS)
            clocks.append(Clock("regulator-accept", decided.day, event.id, decided.known))
        else:
            day = event.on + timedelta(days=FOREIGN_REGULATOR_FOLLOW_UP_DAYS)
            clocks.append(Clock("regulator-follow-up", day, event.id))
    return clocks


def _platform_clocks(facts: CaseFacts, event: EventFacts) -> list[Clock]:
    channel = complaint_channel(event)
    on = event.on
    if channel is Channel.WECHAT_PAY:
        return [
            Clock("wechat-pay-answer", on + timedelta(days=WECHAT_PAY_ANSWER_DAYS), event.id),
            Clock("wechat-pay-finish", on + timedelta(days=WECHAT_PAY_FINISH_DAYS), event.id),
        ]
    if channel is Channel.MINI_PROGRAM:
        return [Clock("mini-program-lapse", on + timedelta(days=MINI_PROGRAM_LAPSE_DAYS), event.id)]
    if channel is Channel.CARD_ISSUER and facts.jurisdiction is Jurisdiction.US:
        return [
            Clock("card-issuer-acknowledge", on + timedelta(days=CARD_ACKNOWLEDGE_DAYS), event.id),
            Clock("card-issuer-resolve", on + timedelta(days=CARD_RESOLVE_DAYS), event.id),
        ]
    return [Clock("platform-follow-up", on + timedelta(days=FOLLOW_UP_DAYS), event.id)]


def return_clocks(facts: CaseFacts, windows: tuple[Window, ...]) -> list[Clock]:
    """When the refund falls due once the goods are on their way back or back, under the
    case's own law, and (cn) the 15-day points of SAIC 2015 Measures Art. 9."""
    usable = {w.rule: w for w in windows if w.usable}
    delivered = facts.last(EventKind.RETURN_DELIVERED)
    shipped = facts.last(EventKind.RETURN_SHIPPED)
    clocks: list[Clock] = []
    if facts.jurisdiction is Jurisdiction.CN:
        # CPL Art. 25 and SAIC 2015 Measures Art. 9 are about goods returned without reason;
        # a prepaid service has Art. 10 of the Measures instead, whose 15 days run otherwise.
        goods_return = facts.category.is_goods and any(r in usable for r in NO_REASON_RULES)
        request = _first_return_request(facts)
        if request is not None and not _handled_after(facts, request) and goods_return:
            day = request.on + timedelta(days=CN_DELIBERATE_DELAY_DAYS)
            clocks.append(Clock("request-deliberate-delay", day, request.id))
        if delivered is not None and goods_return:
            clocks.append(
                Clock(
                    "refund-due",
                    delivered.on + timedelta(days=CN_REFUND_DAYS),
                    delivered.id,
                    params={"basis": "cpl-25"},
                )
            )
            day = delivered.on + timedelta(days=CN_DELIBERATE_DELAY_DAYS)
            clocks.append(Clock("refund-deliberate-delay", day, delivered.id))
        quality = _first_defect_request(facts)
        if quality is not None and facts.problem in QUALITY_PROBLEMS:
            day = quality.on + timedelta(days=CN_DELIBERATE_DELAY_DAYS)
            clocks.append(Clock("quality-deliberate-delay", day, quality.id))
    elif facts.jurisdiction is Jurisdiction.EU:
        withdrawal = usable.get("eu-14day")
        back = _goods_back(delivered, shipped)
        if withdrawal is not None and withdrawal.exercised and back is not None:
            due = max(withdrawal.exercised + timedelta(days=EU_REFUND_DAYS), back.on)
            clocks.append(
                Clock("refund-due", due, withdrawal.exercised_by, params={"basis": "eu-13"})
            )
    elif facts.jurisdiction is Jurisdiction.UK and "uk-14day" in usable:
        back = _goods_back(delivered, shipped)
        if back is not None:
            clocks.append(
                Clock(
                    "refund-due",
                    back.on + timedelta(days=UK_REFUND_DAYS),
                    back.id,
                    params={"basis": "uk-reg-34", "proof_of_sending": back is shipped},
                )
            )
    return clocks


def _goods_back(delivered: EventFacts | None, shipped: EventFacts | None) -> EventFacts | None:
    """What the refund is counted from outside China: the trader getting the goods back, or
    only where that is not recorded, their sending. The law also counts from the consumer
    supplying evidence of sending (CCR reg. 34, Directive 2011/83/EU Art. 13(3)), but a logged
    shipment does not show the trader was given that evidence: the date a letter calls the
    refund's due date must be one the trader cannot dispute."""
    return delivered if delivered is not None else shipped


def _handled_after(facts: CaseFacts, request: EventFacts) -> bool:
    """Whether the merchant answered, refused or the goods went back after the request."""
    handled = (
        EventKind.MERCHANT_REPLIED,
        EventKind.MERCHANT_REFUSED,
        EventKind.RETURN_SHIPPED,
        EventKind.RETURN_DELIVERED,
        EventKind.REFUND_RECEIVED,
    )
    return any(e.kind in handled and e.on >= request.on for e in facts.events)


def _first_defect_request(facts: CaseFacts) -> EventFacts | None:
    return next((e for e in facts.events if e.request in DEFECT_REQUESTS), None)


def _first_return_request(facts: CaseFacts) -> EventFacts | None:
    return next(
        (e for e in facts.events if e.request in (RequestKind.RETURN, RequestKind.REFUND)), None
    )


def limitation(facts: CaseFacts) -> Limitation | None:
    """The limitation period of the case's own law (docs/law.md, Limitation)."""
    if facts.jurisdiction is Jurisdiction.CN:
        return _cn_limitation(facts)
    if facts.jurisdiction is Jurisdiction.UK:
        start = facts.received or facts.purchased
        return Limitation(
            "uk-limitation",
            safe=start + relativedelta(years=SCOTLAND_LIMITATION_YEARS),
            starts=start,
            started_by="delivery" if facts.received else "purchase",
            alternative=start + relativedelta(years=UK_LIMITATION_YEARS),
        )
    basis = "eu-national" if facts.jurisdiction is Jurisdiction.EU else "us-state"
    return Limitation(basis)


def _cn_limitation(facts: CaseFacts) -> Limitation | None:
    """Civil Code Art. 188: three years from when the consumer knew of the harm: the first
    refusal. Art. 195(1): a demand to the merchant interrupts it and it starts again. Whether
    a complaint to a platform, 12315 or a consumer association does is argued: the safe date
    ignores them; `later` is the date if they did (docs/law.md, cn-limitation-interruption)."""
    refusal = facts.first(EventKind.MERCHANT_REFUSED)
    if refusal is None:
        return None
    certain = [e for e in facts.events if e.on > refusal.on and e.request in PERFORMANCE_REQUESTS]
    # A complaint to 12315 or a consumer association probably interrupts (SPC limitation
    # provisions Art. 12); a contact that did not say what it asked may have been a demand. A
    # complaint to WeChat Pay, Alipay or a marketplace is not such a body: it does not count.
    uncertain = [
        e
        for e in facts.events
        if e.on > refusal.on
        and (
            e.kind is EventKind.REGULATOR_COMPLAINT
            or e.request in (RequestKind.OTHER, RequestKind.UNKNOWN)
        )
    ]
    start = certain[-1].on if certain else refusal.on
    safe = start + relativedelta(years=CN_LIMITATION_YEARS)
    later_from = max((e.on for e in uncertain if e.on > start), default=None)
    return Limitation(
        "cn-188",
        safe=safe,
        starts=start,
        started_by="demand" if certain else "refusal",
        first_start=refusal.on,
        later=later_from + relativedelta(years=CN_LIMITATION_YEARS) if later_from else None,
        later_from=later_from,
    )
