"""The sentences a person reads in the terminal, the JSON text fields and the calendar.

They word what the rules decided (refundkit/rules/): a window's basis and notes, the next
step, notices, clocks, limitation. Nothing here decides a point of law; every citation is the
article docs/law.md gives for the code. Dates are ISO (2026-11-19) in the terminal, as the
JSON has them. Suggested commands name the real order id and real values, so they paste and
run as printed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from refundkit.i18n import _
from refundkit.kinds import Channel, Jurisdiction, WindowState
from refundkit.rules.results import Assessment, Clock, Limitation, Note, Window
from refundkit.words import names


def _d(day: Any) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


# --- windows -----------------------------------------------------------------------------


def window_basis(window: Window, jurisdiction: Jurisdiction, order_id: str) -> str:
    """Why the window exists and how it is counted, with its law; or why it does not apply."""
    if window.state is WindowState.NOT_APPLICABLE:
        return _("Not applicable: {reason}.").format(
            reason=not_applicable_reason(window, jurisdiction)
        )
    text = _basis(window, jurisdiction)
    if window.state is WindowState.NOT_STARTED:
        text += " " + _(
            "It starts when the goods arrive: record the day with "
            "`refundkit edit {id} --received today`."
        ).format(id=order_id)
    return text


def _basis(window: Window, jurisdiction: Jurisdiction) -> str:
    rule = window.rule
    if rule == "cn-7day":
        return _(
            "CPL Art. 25: goods bought online may be returned without giving a reason within "
            "seven days of receipt, counted from the day after signing for them (Civil Code "
            "Art. 201). The return request must be sent by the last day; the goods need not be "
            "back by then."
        )
    if rule == "cn-defect-7day":
        return _(
            "CPL Art. 24: goods that fail quality requirements may be returned within seven "
            "days of receipt, the merchant bearing the shipping; after that, returned promptly "
            "where the contract may be terminated by law, else replaced or repaired."
        )
    if rule == "cn-prepaid-7day":
        return _(
            "SPC Fa Shi [2025] No. 4, Art. 14: a request within seven days of payment to return "
            "the prepaid principal is to be upheld, unless the same goods or service had already "
            "been received when contracting. Counted from the day after payment."
        )
    if rule == "promise":
        return _promise_basis(window, jurisdiction)
    if rule == "eu-14day":
        return _(
            "Directive 2011/83/EU Arts. 9-11: 14 days to withdraw, counted from the day after "
            "{event}. A last day on a Saturday or Sunday is moved to the next working day, as "
            "Regulation 1182/71 provides for EU periods (that it governs this one is the usual "
            "reading, not confirmed). Sending an unequivocal withdrawal notice in time is enough."
        ).format(event=_counted_from(window.counted_from))
    if rule == "eu-guarantee":
        return _(
            "Directive (EU) 2019/771 Arts. 10-13: the seller answers for a lack of conformity "
            "that appears within two years of delivery: repair or replacement first, then a "
            "price reduction or termination. The last day is the last day on which the defect "
            "may appear, not a last day to act: national limitation law sets that."
        )
    if rule == "uk-14day":
        return _(
            "Consumer Contracts Regulations 2013 regs 29-31: 14 days to cancel, ending 14 days "
            "after the day {event}; no weekend rollover."
        ).format(event=_counted_from(window.counted_from))
    if rule == "uk-30day-reject":
        return _(
            "Consumer Rights Act 2015 ss.20-22: goods that are faulty or not as described may be "
            "rejected for a full refund within 30 days of delivery, counted from the day after."
        )
    if rule == "uk-repair-replace":
        return _(
            "Consumer Rights Act 2015 ss.19, 23-24: repair or replacement, within the 30 days or "
            "after, then a price reduction or the final right to reject. The last day is six "
            "years from delivery, the limitation period in England and Wales (Limitation Act "
            "1980 s.5) and Northern Ireland (Limitation (Northern Ireland) Order 1989 art. 4)."
        )
    return rule


def _promise_basis(window: Window, jurisdiction: Jurisdiction) -> str:
    days = window.params.get("days")
    counted = _counted_from(window.counted_from)
    if jurisdiction is Jurisdiction.CN:
        return _(
            "A return promise of {days} days from the day after {event}. A merchant's promise "
            "binds it as a term of the contract (CPL Art. 16 para. 2; Civil Code Art. 509); a "
            "platform's binds the platform (CPL Art. 44)."
        ).format(days=days, event=counted)
    if jurisdiction is Jurisdiction.US:
        return _(
            "The merchant's return policy: {days} days from the day after {event}. US law gives "
            "no general right to return an online purchase; the policy governs."
        ).format(days=days, event=counted)
    return _(
        "A return promise of {days} days from the day after {event}, binding as a term of the "
        "contract."
    ).format(days=days, event=counted)


def _counted_from(code: str | None) -> str:
    return {
        "receipt": _("the goods were received"),
        "delivery": _("delivery"),
        "purchase": _("the purchase"),
        "contract": _("the contract was concluded (the purchase)"),
    }.get(code or "", code or "")


def not_applicable_reason(window: Window, jurisdiction: Jurisdiction) -> str:
    reason = window.reason or ""
    if reason == "no-promise":
        return _("no return promise by the merchant or platform is recorded")
    if reason == "not-prepaid":
        return _("only for prepaid consumption (memberships, course packages, stored-value cards)")
    if reason == "not-faulty":
        return _("only for goods that are faulty or not as described")
    if reason == "not-goods":
        return _("only for goods, not services or digital content")
    if reason == "not-distance":
        return _(
            "only for goods bought at a distance (online, by phone or mail order), not in a shop"
        )
    if jurisdiction is Jurisdiction.CN:
        return {
            "custom": _("goods made to the consumer's order are excluded by CPL Art. 25"),
            "perishable": _("fresh and perishable goods are excluded by CPL Art. 25"),
            "digital": _(
                "digital goods downloaded online or unsealed by the consumer are excluded by "
                "CPL Art. 25"
            ),
            "periodical": _("delivered newspapers and periodicals are excluded by CPL Art. 25"),
            "non-returnable-confirmed": _(
                "the buyer confirmed at purchase that these goods, unsuitable for return by "
                "their nature, are not returnable (CPL Art. 25 para. 2)"
            ),
            "service": _("CPL Art. 25 covers goods only, not services"),
            "prepaid-service": _(
                "CPL Art. 25 covers goods only; see the prepaid rule for prepaid services"
            ),
        }.get(reason, reason)
    law = (
        _("Directive 2011/83/EU Art. 16")
        if jurisdiction is Jurisdiction.EU
        else _("Consumer Contracts Regulations 2013 reg. 28")
    )
    return {
        "custom": _("{law} excludes goods made to the consumer's specifications"),
        "perishable": _("{law} excludes goods liable to deteriorate or expire rapidly"),
        "digital": _(
            "{law} excludes sealed audio, video or software unsealed after delivery, and "
            "digital content whose supply began with the consumer's express consent and "
            "acknowledgment that the right would be lost"
        ),
        "periodical": _("{law} excludes newspapers, periodicals and magazines"),
    }.get(reason, reason).format(law=law)


def window_note(note: Note) -> str:
    p = note.params
    code = note.code
    if code == "holiday-rollover":
        return _(
            "The last day is a statutory holiday; under Civil Code Art. 203 the period may run "
            "to {date}, but whether that reaches this window is unsettled: act by the plain "
            "last day."
        ).format(date=_d(p["date"]))
    if code == "weekend-rollover":
        return _(
            "The last day falls on a weekend. Civil Code Art. 203 moves a period that ends on a "
            "statutory rest day to the next day; whether weekends count as such days is "
            "disputed, and whether the article reaches this window is unsettled, so the period "
            "may run to {date}: act by the plain last day."
        ).format(date=_d(p["date"]))
    if code == "calendar-unknown":
        return _(
            "The holiday calendar for {year} is not yet published; a holiday extension (Civil "
            "Code Art. 203) was not checked."
        ).format(year=p["year"])
    if code == "prepaid-likely":
        return _(
            "Whether this purchase is prepaid consumption (Fa Shi [2025] No. 4, Art. 1) is for "
            "a court to decide: likely."
        )
    if code == "prepaid-before-force":
        return _(
            "Paid before {date}, when the interpretation came into force; it has no "
            "transitional clause, so whether it reaches this payment is uncertain."
        ).format(date=_d(p["in_force"]))
    if code == "promise-excluded-goods":
        return _(
            "The goods are of a kind the seven-day rule excludes; a seven-day no-reason return "
            "promise on them binds the merchant that made it (SPC Fa Shi [2022] No. 8, Art. 2)."
        )
    if code == "eu-holidays":
        return _("Public holidays of the member state were not checked.")
    if code == "eu-12-months":
        return _(
            "If the trader never told you of this right, the period ends 12 months later (Art. 10)."
        )
    if code == "eu-member-state-more":
        return _(
            "Member states may give more; the defect is presumed present at delivery if it "
            "appears within one year (two in some states), Art. 11."
        )
    if code == "uk-perishable":
        return _(
            "For perishable goods the period is only as long as they can be expected to last "
            "(s.22(4))."
        )
    if code == "uk-30day-pause":
        return _(
            "While a repair or replacement is being tried, the 30 days are paused (s.22(6)-(8))."
        )
    if code == "uk-presumption":
        return _(
            "A fault that appears by {date} (six months from delivery) is presumed present at "
            "delivery (s.19(14)-(15))."
        ).format(date=_d(p["until"]))
    if code == "uk-scotland":
        return _("In Scotland the limitation period is five years, not six.")
    return code


def window_state_text(window: Window) -> str:
    """A window's state in a few words: open until, exercised on, ended, starts on ..."""
    if window.exercised is not None:
        return _("exercised on {date}").format(date=_d(window.exercised))
    if window.state is WindowState.OPEN:
        return _("open until {date}").format(date=_d(window.deadline))
    if window.state is WindowState.EXPIRED:
        return _("ended {date}").format(date=_d(window.deadline))
    if window.state is WindowState.NOT_STARTED:
        return _("starts on receipt")
    return _("not applicable")


# --- the next step -----------------------------------------------------------------------


def _regulator(a: Assessment) -> str:
    return names.regulator(a.regulator)


def _channel_name(channel: Channel | None) -> str:
    """Where to complain, for "complain to ...": the channel as a place."""
    return names.channel_target(channel.value if channel else "other")


def step_action(a: Assessment, order_id: str) -> str:
    """The next step in one sentence, with the command to run where there is one."""
    s = a.step
    by = _d(s.by) if s.by else ""
    code = s.code
    if code == "demand-delivery":
        return _("Ask the merchant in writing to deliver or refund, and keep the chat")
    if code == "request-return" and s.params.get("rule") == "cn-prepaid-7day":
        return _(
            "Send the merchant a written request by {by} to end the service and refund what "
            "you prepaid (`refundkit draft-complaint {id} --to merchant`), then log it with "
            "`refundkit log {id} contacted-merchant --asked refund`"
        ).format(by=by, id=order_id)
    if code == "request-return":
        return _(
            "Send the merchant a written return request by {by} "
            "(`refundkit draft-complaint {id} --to merchant`), then log it with "
            "`refundkit log {id} contacted-merchant --asked return`"
        ).format(by=by, id=order_id)
    if code == "request-remedy":
        return _(
            "Ask the merchant in writing by {by} to take back the faulty goods, or repair or "
            "replace them (`refundkit draft-complaint {id} --to merchant`), then log it with "
            "`refundkit log {id} contacted-merchant --asked return`"
        ).format(by=by, id=order_id)
    if code == "record-receipt":
        return _(
            "When the goods arrive, record the day with `refundkit edit {id} --received today`"
        ).format(id=order_id)
    if code == "demand-in-writing":
        return _(
            "Ask the merchant in writing for {what}, stating your grounds "
            "(`refundkit draft-complaint {id} --to merchant`)"
        ).format(what=demand_phrase(a), id=order_id)
    if code == "ask-goodwill":
        return _(
            "Ask the merchant for a refund as a goodwill gesture: refundkit found no legal right "
            "to one (`refundkit draft-complaint {id} --to merchant`)"
        ).format(id=order_id)
    if code == "await-refund":
        if s.overdue:
            return _("The refund was due by {by} and has not come: complain to {channel}").format(
                by=by, channel=_channel_name(a.channel)
            )
        if s.by:
            return _(
                "Expect the refund by {by}; log it with `refundkit log {id} refund-received "
                "--amount {amount}`"
            ).format(by=by, id=order_id, amount=_amount(a.demand.price))
        return _(
            "Expect the refund; log it with `refundkit log {id} refund-received --amount {amount}`"
        ).format(id=order_id, amount=_amount(a.demand.price))
    if code == "track-return":
        return _(
            "Track the return parcel; when the merchant signs for it, log "
            "`refundkit log {id} return-delivered`"
        ).format(id=order_id)
    if code == "await-return-address":
        if s.overdue:
            return _(
                "The merchant left the return request unhandled past {by}: complain to {channel}"
            ).format(by=by, channel=_channel_name(a.channel))
        return _(
            "Wait for the merchant's return address until {by}; then complain to {channel}"
        ).format(by=by, channel=_channel_name(a.channel))
    if code == "await-reply":
        if s.overdue:
            return _("No fair answer by {by}: complain to {channel}").format(
                by=by, channel=_channel_name(a.channel)
            )
        if s.by:
            return _("Give the merchant until {by} to answer; then complain to {channel}").format(
                by=by, channel=_channel_name(a.channel)
            )
        return _("Wait for the merchant's answer; then complain to {channel}").format(
            channel=_channel_name(a.channel)
        )
    if code == "complain-platform":
        return complain_platform_action(a, order_id)
    if code == "await-platform":
        complaint = names.channel(s.channel.value if s.channel else "other")
        if s.overdue:
            return _("No outcome of the {channel} by {by}: complain to {regulator}").format(
                channel=complaint, by=by, regulator=_regulator(a)
            )
        return _(
            "Await the outcome of the {channel} by {by}; if it fails, complain to {regulator}"
        ).format(channel=complaint, by=by, regulator=_regulator(a))
    if code == "complain-regulator":
        return _(
            "The complaint was {outcome} on {date}: complain to {regulator}, then log it with "
            "`refundkit log {id} regulator-complaint`"
        ).format(
            outcome=names.outcome(str(s.params.get("outcome", "none"))),
            date=_d(s.params.get("answered")),
            regulator=_regulator(a),
            id=order_id,
        )
    if code == "await-refund-upheld":
        return _(
            "The complaint was upheld on {date}: expect the refund and log it with "
            "`refundkit log {id} refund-received --amount {amount}`"
        ).format(date=_d(s.params.get("answered")), id=order_id, amount=_amount(a.demand.price))
    if code == "await-regulator":
        if a.jurisdiction is Jurisdiction.CN:
            if s.overdue:
                return _("No decision from 12315 by {by}: call 12315, or see a lawyer").format(
                    by=by
                )
            return _("Wait for 12315's decision to accept the complaint, due by {by}").format(by=by)
        if s.overdue:
            return _("No answer from {regulator} by {by}: follow up, or see a lawyer").format(
                regulator=_regulator(a), by=by
            )
        return _("Wait for {regulator}'s answer; follow up on {by}").format(
            regulator=_regulator(a), by=by
        )
    if code == "consult-lawyer":
        if s.by:
            return _(
                "See a lawyer about a lawsuit or arbitration, before the limitation date {by}"
            ).format(by=by)
        return _("See a lawyer about a lawsuit or arbitration")
    if code == "follow-lawyer":
        if s.by:
            return _("Follow the lawyer's advice; the limitation period ends on {by}").format(by=by)
        return _("Follow the lawyer's advice")
    if code == "close-case":
        if not (a.demand.refunded or a.demand.compensation_received):  # e.g. all units used
            return _(
                "Nothing is left to claim: close the case with `refundkit log {id} closed`"
            ).format(id=order_id)
        return _(
            "What was demanded has come back: close the case with `refundkit log {id} closed`"
        ).format(id=order_id)
    return _("Nothing to do: the case is closed")


def complain_platform_action(a: Assessment, order_id: str) -> str:
    channel = a.step.channel or a.channel
    log = f"`refundkit log {order_id} platform-complaint --channel {channel.value}`"
    if channel is Channel.WECHAT_PAY:
        text = _("Complain through WeChat Pay (微信支付 > 账单 > 投诉), then log it with {log}")
    elif channel is Channel.MINI_PROGRAM:
        text = _("Complain on the Mini Program's complaint page, then log it with {log}")
    elif channel is Channel.ALIPAY:
        text = _("Complain through Alipay (支付宝 > 账单 > 投诉), then log it with {log}")
    elif channel is Channel.MARKETPLACE:
        text = _(
            "Ask the platform to step in (its customer service or dispute process), then log it "
            "with {log}"
        )
    elif channel is Channel.CARD_ISSUER and a.ground("uk-s75") is not None:
        text = _(
            "Claim from your card issuer, who is jointly liable with the merchant (Consumer "
            "Credit Act 1974 s.75), then log it with {log}"
        )
    elif (
        channel is Channel.CARD_ISSUER
        and a.jurisdiction is Jurisdiction.US
        and (a.ground("us-fcba-1666") or a.ground("us-fcba-1666i"))
    ):
        text = _(
            "Send your card issuer a written billing-error notice or claim (Fair Credit Billing "
            "Act, 15 U.S.C. 1666, 1666i), then log it with {log}"
        )
    elif channel is Channel.CARD_ISSUER:
        text = _("Ask your card issuer for a chargeback, then log it with {log}")
    else:
        text = _(
            "Complain to the platform or payment provider you bought through, then log it with "
            "{log}"
        )
    return text.format(log=log)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def demand_phrase(a: Assessment) -> str:
    """What is asked, in a few words (the letters have their own, fuller wording)."""
    kind = a.demand.kind
    return {
        "return-refund": _("a return and refund"),
        "quality-return": _("a return and refund of the faulty goods"),
        "quality-remedy": _("a repair, replacement or refund"),
        "fraud": _("a refund and compensation"),
        "prepaid-refund": _("the prepaid money back"),
        "prepaid-breach": _("the service as agreed, or the prepaid money back"),
        "deliver-or-refund": _("delivery or a refund"),
        "refund-due": _("the refund now due"),
        "goodwill": _("a refund"),
        "nothing": _("nothing more"),
    }.get(kind, kind)


def step_short(a: Assessment) -> str:
    """The same step in a few words, for the overview table."""
    s = a.step
    code = s.code
    regulator = {"cn-12315": _("complain to 12315")}.get(a.regulator, _("complain to regulator"))
    if s.overdue and code in ("await-platform",):
        return _("overdue: {what}").format(what=regulator)
    if s.overdue and code in ("await-reply", "await-return-address", "await-refund"):
        return _("overdue: complain to platform")
    if s.overdue and code == "await-regulator":
        return _("overdue: follow up")
    return {
        "demand-delivery": _("demand delivery or refund"),
        "request-return": _("ask merchant for return"),
        "request-remedy": _("ask merchant to take back"),
        "record-receipt": _("record receipt"),
        "demand-in-writing": _("demand in writing"),
        "ask-goodwill": _("ask for goodwill refund"),
        "await-refund": _("expect refund"),
        "track-return": _("track return parcel"),
        "await-return-address": _("await return address"),
        "await-reply": _("await merchant's answer"),
        "complain-platform": _("complain to platform"),
        "await-platform": _("await complaint outcome"),
        "complain-regulator": regulator,
        "await-refund-upheld": _("expect refund"),
        "await-regulator": _("await regulator"),
        "consult-lawyer": _("see a lawyer"),
        "follow-lawyer": _("follow lawyer's advice"),
        "close-case": _("close the case"),
        "none": _("none"),
    }.get(code, code)


def step_cell(a: Assessment) -> str:
    """The step as the overview shows it: a few words and its date, or since when overdue."""
    short = step_short(a)
    if a.step.by is None:
        return short
    if a.step.overdue:
        return _("{step} (was due {date})").format(step=short, date=_d(a.step.by))
    return _("{step} by {date}").format(step=short, date=_d(a.step.by))


def step_reason(a: Assessment) -> str:
    """Why this step, with the rule behind its date."""
    s = a.step
    code = s.code
    p = s.params
    if code in ("request-return", "request-remedy") and p.get("rule") == "cn-prepaid-7day":
        window = a.window("cn-prepaid-7day")
        return _("{rule}: open until {date}; the request must be sent by then.").format(
            rule=names.rule("cn-prepaid-7day"), date=_d(window.deadline if window else s.by)
        )
    if code in ("request-return", "request-remedy"):
        window = a.window(str(p.get("rule")))
        return _(
            "{rule}: open until {date}; the request must be sent by then, and the goods need not "
            "be back by then."
        ).format(rule=names.rule(str(p.get("rule"))), date=_d(window.deadline if window else s.by))
    if code == "demand-delivery":
        return _("The goods have not arrived; a dated written demand starts the paper trail.")
    if code == "record-receipt":
        return _("The return windows start the day after you sign for the goods.")
    if code == "demand-in-writing":
        return _(
            "A dated written demand is the first rung; the letter states the grounds that apply."
        )
    if code == "ask-goodwill":
        return _("No legal right to a refund applies to this order as of {date}.").format(
            date=_d(a.as_of)
        )
    if code == "await-refund":
        return refund_due_reason(a)
    if code == "track-return":
        return _("The merchant's time to refund runs from when it gets the goods back.")
    if code == "await-return-address":
        return _(
            "Leaving a return request unhandled for over 15 days counts as deliberate delay "
            "(SAIC 2015 Measures on Penalties for Infringing Consumer Rights, Art. 9, as amended)."
        )
    if code == "await-reply":
        return (
            _(
                "No law sets a time for the merchant's answer; {by} is three days after your last "
                "contact."
            ).format(by=_d(s.by))
            if s.by
            else _("No law sets a time for the merchant's answer.")
        )
    if code == "complain-platform":
        return _("The merchant refused; the platform or payment channel is the next rung.")
    if code == "await-platform":
        return clock_text(next((c for c in a.clocks if c.code == p.get("clock")), None)) or _(
            "No rule sets a time for this answer."
        )
    if code in ("complain-regulator", "consult-lawyer"):
        return _("The complaint did not resolve the case; the next rung is {regulator}.").format(
            regulator=_regulator(a) if code == "complain-regulator" else _("a lawyer")
        )
    if code == "await-refund-upheld":
        return _(
            "No rule sets a time for the refund after an upheld complaint; log it when it comes."
        )
    if code == "await-regulator":
        clock = next((c for c in a.clocks if c.code == p.get("clock")), None)
        return clock_text(clock) or ""
    if code == "follow-lawyer":
        return limitation_text(a.limitation, uncertain=False) if a.limitation else ""
    if code == "close-case":
        return _("The money demanded has been received.")
    return _("Closed by the user.")


def step_notes(a: Assessment, order_id: str) -> list[str]:
    """Evidence still missing for the complaint, and caveats of the step's date."""
    notes = []
    if a.step.needs_evidence:
        kinds = _(", ").join(names.evidence_kind(k.value) for k in a.step.needs_evidence)
        first = a.step.needs_evidence[0].value
        notes.append(
            _(
                "Before that, attach the missing evidence ({kinds}), e.g. with "
                "`refundkit add-evidence {id} --kind {kind}`, which asks for the file (or put "
                "the file's name after the id)."
            ).format(kinds=kinds, id=order_id, kind=first)
        )
    if a.step.code == "await-regulator" and not a.step.params.get("known", True):
        notes.append(
            _(
                "The Chinese holiday calendar for that year is not yet published: weekends only "
                "were skipped."
            )
        )
    return notes


def refund_due_reason(a: Assessment) -> str:
    due = next((c for c in a.clocks if c.code == "refund-due"), None)
    if due is None:
        return _("No rule gives a date for this refund; log it when it comes.")
    return clock_text(due)


# --- clocks and limitation ---------------------------------------------------------------


def clock_text(clock: Clock | None) -> str:
    """One sentence for a dated clock: what is due by when, and the rule."""
    if clock is None:
        return ""
    day = _d(clock.day)
    code = clock.code
    if code == "wechat-pay-answer":
        return _(
            "The merchant should answer the WeChat Pay complaint by {date} (one day, by WeChat "
            "Pay's complaint rules as reported; refundkit could not confirm them)."
        ).format(date=day)
    if code == "wechat-pay-finish":
        return _(
            "The WeChat Pay complaint should be settled by {date} (three days, by WeChat Pay's "
            "complaint rules as reported; refundkit could not confirm them)."
        ).format(date=day)
    if code == "mini-program-lapse":
        return _(
            "A Mini Program complaint the merchant has not handled within 48 hours times out on "
            "{date} (rule in force since 2024-03-25); the platform may then decide it."
        ).format(date=day)
    if code == "regulator-accept":
        return _(
            "The market regulator decides whether to accept the complaint within 7 working days, "
            "by {date} (Complaint Measures 2019/2022, Art. 14; CPL Implementing Regulations "
            "Art. 46)."
        ).format(date=day)
    if code == "regulator-follow-up":
        return _(
            "No rule sets a time for the answer; {date} is two weeks after the complaint."
        ).format(date=day)
    if code == "platform-follow-up":
        return _(
            "No rule sets a time for the platform's answer; {date} is a week after the complaint."
        ).format(date=day)
    if code == "card-issuer-acknowledge":
        return _(
            "The card issuer must acknowledge a billing-error notice within 30 days, by {date} "
            "(15 U.S.C. 1666(a)(3)(A))."
        ).format(date=day)
    if code == "card-issuer-resolve":
        return _(
            "And resolve it within two billing cycles, at most 90 days: by {date} (15 U.S.C. "
            "1666(a)(3)(B))."
        ).format(date=day)
    if code == "refund-due":
        basis = clock.params.get("basis")
        if basis == "cpl-25":
            return _(
                "The merchant must refund within 7 days of getting the goods back: by {date} (CPL "
                "Art. 25)."
            ).format(date=day)
        if basis == "eu-13":
            return _(
                "The trader must refund within 14 days of your withdrawal notice, but may wait "
                "until it has the goods back or proof you sent them: by {date} (Directive "
                "2011/83/EU Art. 13)."
            ).format(date=day)
        return _(
            "The trader must refund within 14 days of getting the goods back, or of your proof of "
            "sending them: by {date} (Consumer Contracts Regulations 2013 reg. 34)."
        ).format(date=day)
    if code == "refund-deliberate-delay":
        return _(
            "The 15 days after the goods came back end on {date}; not refunding after that counts "
            "as deliberate delay (SAIC 2015 Measures Art. 9, as amended)."
        ).format(date=day)
    if code == "request-deliberate-delay":
        return _(
            "The 15 days after the return request end on {date}; leaving it unhandled after that "
            "counts as deliberate delay (SAIC 2015 Measures Art. 9, as amended)."
        ).format(date=day)
    if code == "quality-deliberate-delay":
        return _(
            "The 15 days after your request end on {date}; not taking back, replacing or "
            "repairing the faulty goods after that counts as deliberate delay (SAIC 2015 "
            "Measures Art. 8, as amended)."
        ).format(date=day)
    return f"{code} {day}"


def limitation_text(limitation: Limitation, *, uncertain: bool = True) -> str:
    """The limitation period in a sentence or two. The later date an uncertain interruption
    would give is added only where `uncertain` is true (`status ORDER`): the calendar and
    the next step carry the safe date alone (cli-contract.md, "The law of the case")."""
    basis = limitation.basis
    if basis == "cn-188":
        text = _(
            "Limitation: {date}, three years from {start} (Civil Code Art. 188; a demand to the "
            "merchant restarts it, Art. 195)."
        ).format(date=_d(limitation.safe), start=_d(limitation.starts))
        if limitation.later and uncertain:
            text += " " + _(
                "If the complaint of {on} interrupted it, which is unsettled, it would run to "
                "{date}."
            ).format(on=_d(limitation.later_from), date=_d(limitation.later))
        return text
    if basis == "uk-limitation":
        return _(
            "Limitation: six years from {start}, to {later}, in England and Wales (Limitation "
            "Act 1980 s.5) and Northern Ireland (Limitation (Northern Ireland) Order 1989 "
            "art. 4); five years in Scotland, to {date} (Prescription and Limitation (Scotland) "
            "Act 1973 s.6)."
        ).format(
            start=_d(limitation.starts), later=_d(limitation.alternative), date=_d(limitation.safe)
        )
    if basis == "eu-national":
        return _("Limitation: set by the member state's law; refundkit gives no date.")
    return _(
        "Limitation: set by state law (for sales of goods often four years from delivery, UCC "
        "2-725); refundkit gives no date."
    )


# --- notices -----------------------------------------------------------------------------


def notice_text(note: Note, order_id: str) -> str:
    p = note.params
    if note.code == "contact-asked-unknown":
        return _(
            "The contact of {on} ({event}) does not say what you asked for. If it was a return, "
            "set it with `refundkit correct {id} {event} --asked return`."
        ).format(on=_d(p["on"]), event=p["event"], id=order_id)
    if note.code == "refused-what-unknown":
        return _(
            "The refusal of {on} ({event}) does not say what was refused. If it was a return, "
            "set it with `refundkit correct {id} {event} --refused return`."
        ).format(on=_d(p["on"]), event=p["event"], id=order_id)
    if note.code == "details-missing":
        if p.get("private_note"):
            return _(
                "Letters do not say what is wrong: the order's note is private. Describe the "
                "problem for letters with `refundkit edit {id}`, which asks for it (or add "
                "--details and your words in quotes)."
            ).format(id=order_id)
        return _(
            "Letters do not say what is wrong: describe it with `refundkit edit {id}`, which "
            "asks for it (or add --details and your words in quotes)."
        ).format(id=order_id)
    if note.code == "prepaid-units-missing":
        return _(
            "The demand is the whole amount paid; if part of the service was used, record the "
            "sessions bought and used with `refundkit edit {id}`, which asks for them (or give "
            "--units and --units-used)."
        ).format(id=order_id)
    return note.code


# --- evidence ----------------------------------------------------------------------------


def evidence_source(source: dict[str, Any]) -> str:
    """Where an imported proof came from (importer.evidence_source): the bill, its line, and
    whether the file is the extract of that one row or the whole bill."""
    line = source.get("line")
    where = names.bill(str(source.get("bill")))
    text = (
        _("from the {bill}, line {line}").format(bill=where, line=line)
        if line is not None
        else _("from the {bill}").format(bill=where)
    )
    if source.get("extract"):
        text += " " + _("(an extract of that row)")
    return text


# --- letter warnings (stderr) ------------------------------------------------------------


BLANK_OPTIONS = {
    "name": "--name",
    "phone": "--phone",
    "address": "--address",
    "merchant_address": "--merchant-address",
    "merchant_phone": "--merchant-phone",
    "operator": "--operator",
    "order_no": "--order-no",
    "transaction_id": "--transaction-id",
    "received": "--received",
}


def blank_warning(key: str, shown_as: str, fill: str) -> str:
    return _(
        "missing {what}, shown as {blank}; fill it in with `{command}`, which asks for what "
        "is missing in a terminal (or give it with {option})"
    ).format(
        what=names.blank(key), blank=shown_as, command=fill, option=BLANK_OPTIONS.get(key, key)
    )


def description_shortened(cut: int, limit: int) -> str:
    return _(
        "your details were shortened by {count} characters (ending in …) so that the "
        "complaint description fits the {limit} characters of the WeChat Pay form; the full "
        "text is in the rest of the letter"
    ).format(count=cut, limit=limit)


def description_too_long(length: int, limit: int) -> str:
    return _(
        "the complaint description is {length} characters, {over} over the {limit} the WeChat "
        "Pay complaint form takes: shorten it before pasting"
    ).format(length=length, over=length - limit, limit=limit)


def letter_warnings(a: Assessment, order_id: str, recipient: str) -> list[str]:
    """Before sending: evidence still missing, no legal right found, nothing owed, and the
    notices about the record (a contact that does not say what it asked, ...)."""
    warnings = []
    if recipient != "merchant":
        for kind in a.missing_evidence:
            warnings.append(
                _(
                    "missing evidence: {what}; attach it with "
                    "`refundkit add-evidence {id} --kind {kind}`, which asks for the file (or put "
                    "the file's name after the id)"
                ).format(what=names.evidence_kind(kind.value), id=order_id, kind=kind.value)
            )
    if a.demand.kind == "goodwill":
        states = _("; ").join(
            _("{rule}: {state}").format(rule=names.rule(w.rule), state=window_state_text(w))
            for w in a.windows
            if w.applies
        )
        warnings.append(
            _(
                "no legal right to a refund was found for this order as of {date}{states}: the "
                "letter asks for a refund as a goodwill gesture, without claiming one"
            ).format(
                date=_d(a.as_of), states=_(" ({states})").format(states=states) if states else ""
            )
        )
    if a.demand.kind == "nothing":
        warnings.append(_("what was demanded has already come back: nothing is owed"))
    warnings += [notice_text(n, order_id) for n in a.notices]
    return warnings
