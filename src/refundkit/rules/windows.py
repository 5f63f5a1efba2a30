"""Return windows: which periods an order has, how long each runs, and whether the user used it.

Counting follows Civil Code Art. 201 (the day of the event is not counted): an N-day window
after an event on day D runs from D+1 to D+N inclusive and has 0 days left on its last day.
Every rule of the order's jurisdiction is returned, the inapplicable ones with a reason code,
so a user sees why a window is missing. A window is `exercised` by the first request, made on
or before its deadline, that asked for a remedy the window gives (docs/law.md, "Exercising a
window"): asking about delivery or a size is a contact, not a return notice.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from refundkit.kinds import Category, EventKind, Jurisdiction, Problem, PromiseFrom, RequestKind
from refundkit.kinds import WindowState as WS
from refundkit.rules.facts import DEFECT_REQUESTS, RETURN_REQUESTS, CaseFacts, EventFacts
from refundkit.rules.results import Note, Window

PREPAID_IN_FORCE = date(2025, 5, 1)  # SPC Fa Shi [2025] No. 4
EXCLUDED_FROM_NO_REASON = frozenset(
    (
        Category.CUSTOM,
        Category.PERISHABLE,
        Category.DIGITAL,
        Category.PERIODICAL,
        Category.NON_RETURNABLE_CONFIRMED,
    )
)
PARA_1_EXCLUDED = EXCLUDED_FROM_NO_REASON - {Category.NON_RETURNABLE_CONFIRMED}
# Directive 2011/83/EU Art. 16 and CCR 2013 reg. 28; `non-returnable-confirmed` is a PRC notion.
EU_UK_EXCLUDED = frozenset(
    (Category.CUSTOM, Category.PERISHABLE, Category.DIGITAL, Category.PERIODICAL)
)
QUALITY_PROBLEMS = frozenset((Problem.DEFECTIVE, Problem.NOT_AS_DESCRIBED))
NO_REASON_RULES = frozenset(("cn-7day", "cn-prepaid-7day", "promise", "eu-14day", "uk-14day"))
DEFECT_RULES = frozenset(("cn-defect-7day", "uk-30day-reject", "uk-repair-replace", "eu-guarantee"))
UK_PRESUMPTION_MONTHS = 6  # CRA 2015 s.19(14)-(15)


def compute_windows(facts: CaseFacts, as_of: date) -> tuple[Window, ...]:
    """Every window of the order's jurisdiction as of a day; pass rules.facts.as_of first."""
    rules = {
        Jurisdiction.CN: (_cn_7day, _cn_prepaid, _promise, _cn_defect),
        Jurisdiction.EU: (_eu_14day, _eu_guarantee, _promise),
        Jurisdiction.UK: (_uk_14day, _uk_30day, _uk_repair_replace, _promise),
        Jurisdiction.US: (_promise,),
    }[facts.jurisdiction]
    return tuple(_exercise(rule(facts, as_of), facts) for rule in rules)


def remedies_of(rule: str) -> frozenset[RequestKind]:
    """The requests that exercise a window of this rule."""
    return DEFECT_REQUESTS if rule in DEFECT_RULES else RETURN_REQUESTS


def exercising_request(window: Window, facts: CaseFacts) -> EventFacts | None:
    """The first request that exercised the window: made by its deadline, asking for a remedy
    it gives. A refusal that says it refused such a request (`--refused return`) proves one
    was made by that day."""
    if window.deadline is None or not window.applies:
        return None
    wanted = remedies_of(window.rule)
    for event in facts.events:
        if event.on > window.deadline:
            break
        asked = event.request
        if event.kind is EventKind.MERCHANT_REFUSED:
            asked = event.refused  # only an explicit --refused proves what was asked
        if asked in wanted:
            return event
    return None


def _exercise(window: Window, facts: CaseFacts) -> Window:
    request = exercising_request(window, facts)
    if request is None:
        return window
    return _with(window, exercised=request.on, exercised_by=request.id)


def _with(window: Window, **changes: object) -> Window:
    from dataclasses import replace

    return replace(window, **changes)  # type: ignore[arg-type]


# --- building blocks ---------------------------------------------------------------------


def span(
    rule: str,
    event: date | None,
    days: int,
    as_of: date,
    counted_from: str,
    *,
    roll_weekend: bool = False,
    notes: tuple[Note, ...] = (),
) -> Window:
    """A window of `days` days counted from the day after `event` (Civil Code Art. 201)."""
    if event is None:
        return Window(
            rule,
            WS.NOT_STARTED,
            counted_from=counted_from,
            reason="awaiting-" + counted_from,
            notes=notes,
        )
    deadline = event + timedelta(days=days)
    if roll_weekend:
        while deadline.weekday() >= 5:
            deadline += timedelta(days=1)
    return _dated(rule, event + timedelta(days=1), deadline, as_of, counted_from, notes)


def _dated(
    rule: str, start: date, deadline: date, as_of: date, counted_from: str, notes: tuple[Note, ...]
) -> Window:
    state = WS.OPEN if as_of <= deadline else WS.EXPIRED
    return Window(rule, state, start, deadline, (deadline - as_of).days, counted_from, notes=notes)


def not_applicable(rule: str, reason: str) -> Window:
    return Window(rule, WS.NOT_APPLICABLE, reason=reason)


def holiday_notes(deadline: date | None) -> tuple[Note, ...]:
    """Civil Code Art. 203 moves a period whose last day is a statutory rest day (法定休假日) to
    the day after it. Whether weekends count as such days is disputed, and whether the article
    reaches a return window at all is unsettled, so the deadline stays the plain date and the
    possible later day is a note (docs/law.md, cc-203)."""
    if deadline is None:
        return ()
    from refundkit.rules.holidays import calendar_knows, is_statutory_holiday, next_workday

    notes: list[Note] = []
    if not calendar_knows(deadline):
        notes.append(Note("calendar-unknown", {"year": deadline.year}))
    rolled = next_workday(deadline)
    if rolled != deadline:
        code = "holiday-rollover" if is_statutory_holiday(deadline) else "weekend-rollover"
        notes.append(Note(code, {"date": rolled}))
    return tuple(notes)


# --- PRC ---------------------------------------------------------------------------------


def _cn_7day(facts: CaseFacts, as_of: date) -> Window:
    """CPL Art. 25: goods bought at a distance, seven days from receipt, no reason needed;
    a purchase in the merchant's shop has no such right."""
    rule = "cn-7day"
    if facts.category.is_service or facts.category in EXCLUDED_FROM_NO_REASON:
        return not_applicable(rule, facts.category.value)
    if facts.in_store:
        return not_applicable(rule, "not-distance")
    window = span(rule, facts.received, 7, as_of, "receipt")
    return _with(window, notes=holiday_notes(window.deadline))


def _cn_defect(facts: CaseFacts, as_of: date) -> Window:
    """CPL Art. 24: goods that fail quality requirements may be returned within seven days of
    receipt; every goods category, since the Art. 25 exclusions do not limit it."""
    rule = "cn-defect-7day"
    if facts.problem not in QUALITY_PROBLEMS:
        return not_applicable(rule, "not-faulty")
    if not facts.category.is_goods:
        return not_applicable(rule, "not-goods")
    window = span(rule, facts.received, 7, as_of, "receipt")
    return _with(window, notes=holiday_notes(window.deadline))


def _cn_prepaid(facts: CaseFacts, as_of: date) -> Window:
    """SPC Fa Shi [2025] No. 4: seven days from payment to ask for the prepaid principal."""
    rule = "cn-prepaid-7day"
    if facts.category is not Category.PREPAID_SERVICE:
        return not_applicable(rule, "not-prepaid")
    notes = [Note("prepaid-likely")]
    if facts.purchased < PREPAID_IN_FORCE:
        notes.append(Note("prepaid-before-force", {"in_force": PREPAID_IN_FORCE}))
    window = span(rule, facts.purchased, 7, as_of, "purchase")
    return _with(window, notes=(*notes, *holiday_notes(window.deadline)))


def promise_on_excluded_goods(facts: CaseFacts) -> bool:
    """Whether SPC Fa Shi [2022] No. 8 Art. 2 backs the promise: only a seven-day promise on
    the four kinds CPL Art. 25 para. 1 excludes; any other promise binds as a term of the
    contract (docs/law.md, promise)."""
    return (
        facts.jurisdiction is Jurisdiction.CN
        and facts.category in PARA_1_EXCLUDED
        and facts.promise_days == 7
    )


def _promise(facts: CaseFacts, as_of: date) -> Window:
    """A return promise by the merchant or platform binds whoever made it."""
    rule = "promise"
    if not facts.promise_days:
        return not_applicable(rule, "no-promise")
    counted = facts.effective_promise_from
    event = facts.purchased if counted is PromiseFrom.PURCHASE else facts.received
    notes: tuple[Note, ...] = ()
    if promise_on_excluded_goods(facts):
        notes = (Note("promise-excluded-goods", {"category": facts.category.value}),)
    window = span(rule, event, facts.promise_days, as_of, counted.value)
    if facts.jurisdiction is Jurisdiction.CN:  # a period under a contract: Art. 203 too (Art. 204)
        notes = (*notes, *holiday_notes(window.deadline))
    return _with(window, notes=notes, params={"days": facts.promise_days})


# --- EU ----------------------------------------------------------------------------------


def _eu_uk_event(facts: CaseFacts) -> tuple[date | None, str]:
    if facts.category.is_service:
        return facts.purchased, "contract"
    return facts.received, "receipt"


def _eu_14day(facts: CaseFacts, as_of: date) -> Window:
    """Directive 2011/83/EU Arts. 9-10: 14 days to withdraw; Regulation 1182/71 rolls a
    deadline on a weekend to the next working day."""
    rule = "eu-14day"
    if facts.category in EU_UK_EXCLUDED:
        return not_applicable(rule, facts.category.value)
    if facts.in_store:
        return not_applicable(rule, "not-distance")
    event, counted = _eu_uk_event(facts)
    notes = (Note("eu-holidays"), Note("eu-12-months"))
    return span(rule, event, 14, as_of, counted, roll_weekend=True, notes=notes)


def _eu_guarantee(facts: CaseFacts, as_of: date) -> Window:
    """Directive (EU) 2019/771 Art. 10: the seller answers for a lack of conformity that
    appears within two years of delivery. The deadline is the last day a defect may appear,
    not a last day to act (national limitation law sets that)."""
    rule = "eu-guarantee"
    if facts.problem not in QUALITY_PROBLEMS:
        return not_applicable(rule, "not-faulty")
    if not facts.category.is_goods:
        return not_applicable(rule, "not-goods")
    notes = (Note("eu-member-state-more"),)
    if facts.received is None:
        return span(rule, None, 0, as_of, "delivery", notes=notes)
    deadline = facts.received + relativedelta(years=2)
    return _dated(rule, facts.received + timedelta(days=1), deadline, as_of, "delivery", notes)


# --- UK ----------------------------------------------------------------------------------


def _uk_14day(facts: CaseFacts, as_of: date) -> Window:
    """CCR 2013 regs 29-31: ends 14 days after the day of the event; no weekend rollover."""
    rule = "uk-14day"
    if facts.category in EU_UK_EXCLUDED:
        return not_applicable(rule, facts.category.value)
    if facts.in_store:
        return not_applicable(rule, "not-distance")
    event, counted = _eu_uk_event(facts)
    return span(rule, event, 14, as_of, counted)


def _uk_goods_fault(facts: CaseFacts, rule: str) -> Window | None:
    if facts.problem not in QUALITY_PROBLEMS:
        return not_applicable(rule, "not-faulty")
    if facts.category.is_service or facts.category is Category.DIGITAL:
        return not_applicable(rule, "not-goods")
    return None


def _uk_30day(facts: CaseFacts, as_of: date) -> Window:
    """CRA 2015 ss.20-22: goods that do not conform may be rejected within 30 days of
    delivery (from the day after)."""
    rule = "uk-30day-reject"
    refused = _uk_goods_fault(facts, rule)
    if refused is not None:
        return refused
    notes = (Note("uk-perishable"),) if facts.category is Category.PERISHABLE else ()
    return span(
        rule, facts.received, 30, as_of, "delivery", notes=notes + (Note("uk-30day-pause"),)
    )


def _uk_repair_replace(facts: CaseFacts, as_of: date) -> Window:
    """CRA 2015 ss.23-24: repair or replacement, then a price reduction or the final right to
    reject; runs to the limitation period (Limitation Act 1980 s.5: six years from delivery;
    five in Scotland)."""
    rule = "uk-repair-replace"
    refused = _uk_goods_fault(facts, rule)
    if refused is not None:
        return refused
    if facts.received is None:
        return span(rule, None, 0, as_of, "delivery", notes=(Note("uk-scotland"),))
    presumed = facts.received + relativedelta(months=UK_PRESUMPTION_MONTHS)
    notes = (Note("uk-presumption", {"until": presumed}), Note("uk-scotland"))
    deadline = facts.received + relativedelta(years=6)
    return _dated(rule, facts.received + timedelta(days=1), deadline, as_of, "delivery", notes)
