"""The law of a case, decided once: facts and an as-of date in, codes, dates and amounts out.

    facts.py      the case as the rules see it (no Pydantic, no store, no words)
    windows.py    return windows and the request that exercised each
    remedies.py   the grounds that apply to the facts, and the demand still owed
    deadlines.py  the clocks (refund due, complaint replies) and limitation
    ladder.py     stage, complaint channel, next step with its fixed date
    holidays.py   Chinese working days
    results.py    the result types

Nothing outside this package decides a point of law: the terminal, the JSON, the calendar and
the letters only word what `assess` returns (refundkit/words/, templates/letters/). Each rule
id is described, with its article and source, in docs/law.md.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from refundkit.kinds import Category, EventKind, Jurisdiction, PaymentMethod, Problem, RequestKind
from refundkit.rules import deadlines, ladder, remedies, windows
from refundkit.rules.facts import CaseFacts, as_of, facts_of
from refundkit.rules.results import (
    Assessment,
    Clock,
    Demand,
    Ground,
    Limitation,
    Note,
    Step,
    Window,
    best_window,
)

__all__ = [
    "Assessment",
    "CaseFacts",
    "Clock",
    "Demand",
    "Ground",
    "Limitation",
    "Note",
    "Step",
    "Window",
    "as_of",
    "assess",
    "best_window",
    "facts_of",
]


def assess(facts: CaseFacts, day: date) -> Assessment:
    """Everything the rules say about the case as it stood on `day`."""
    facts = as_of(facts, day)
    found_windows = windows.compute_windows(facts, day)
    clocks = tuple(
        sorted(
            deadlines.complaint_clocks(facts) + deadlines.return_clocks(facts, found_windows),
            key=lambda c: (c.day, c.code),
        )
    )
    grounds = remedies.grounds(facts, found_windows, clocks, day)
    demand = remedies.demand(facts, grounds)
    stage = ladder.stage_of(facts, demand)
    limitation = deadlines.limitation(facts)
    case = ladder.Case(facts, found_windows, grounds, demand, clocks, limitation)
    step = ladder.next_step(case, stage, day)
    missing = ladder.missing_evidence(facts)
    return Assessment(
        as_of=day,
        jurisdiction=facts.jurisdiction,
        stage=stage,
        windows=found_windows,
        grounds=grounds,
        demand=demand,
        step=step,
        clocks=clocks,
        limitation=limitation,
        channel=ladder.complaint_channel(facts),
        regulator=ladder.regulator_of(facts),
        regulator_venue=ladder.regulator_venue(facts),
        missing_evidence=missing,
        recommended_evidence=ladder.recommended_evidence(facts, grounds),
        notices=notices(facts),
        questions=questions(facts, found_windows, grounds, demand, limitation, missing, day),
    )


def notices(facts: CaseFacts) -> tuple[Note, ...]:
    """What the user should set right in the record for the rules to answer fully."""
    found: list[Note] = []
    for event in facts.events:
        if event.kind is EventKind.CONTACTED_MERCHANT and event.asked is RequestKind.UNKNOWN:
            found.append(Note("contact-asked-unknown", {"event": event.id, "on": event.on}))
    for refusal in facts.of_kind(EventKind.MERCHANT_REFUSED):
        if facts.refused_what(refusal) is None:
            found.append(Note("refused-what-unknown", {"event": refusal.id, "on": refusal.on}))
    if facts.problem is not Problem.CHANGED_MIND and not facts.has_details:
        found.append(Note("details-missing", {"private_note": facts.has_note}))
    if facts.category is Category.PREPAID_SERVICE and facts.units is None:
        found.append(Note("prepaid-units-missing"))
    return tuple(found)


def questions(
    facts: CaseFacts,
    found_windows: tuple[Window, ...],
    grounds: tuple[Ground, ...],
    demand: Demand,
    limitation: Limitation | None,
    missing: tuple[object, ...],
    day: date,
) -> tuple[Note, ...]:
    """Points the rules leave open for this case, for a lawyer to examine."""
    ids = {g.id for g in grounds}
    found: list[Note] = []
    cn = facts.jurisdiction is Jurisdiction.CN
    for event in facts.events:
        if event.kind is EventKind.CONTACTED_MERCHANT and event.asked is RequestKind.UNKNOWN:
            found.append(Note("contact-unknown", {"on": event.on}))
    for window in found_windows:
        rolled = next(
            (n.params["date"] for n in window.notes if n.code.endswith("-rollover")), None
        )
        late = [
            e
            for e in facts.requests()
            if window.deadline
            and rolled
            and window.deadline < e.on <= rolled
            and e.request in windows.remedies_of(window.rule)
        ]
        if window.exercised is None and late:
            found.append(
                Note("rollover-request", {"rule": window.rule, "on": late[0].on, "date": rolled})
            )
    if "cpl-ir-19-3" in ids:
        found.append(Note("intact"))
    if "spc-2025-4-15" in ids:
        found.append(Note("prepaid-used-price"))
    if cn and facts.category is Category.PREPAID_SERVICE:
        found.append(Note("prepaid-class"))
        if facts.purchased < windows.PREPAID_IN_FORCE:
            found.append(Note("prepaid-before-force"))
        if facts.units is None:
            found.append(Note("prepaid-used-part"))
    if "cpl-24" in ids and facts.problem is Problem.DEFECTIVE and not facts.category.is_service:
        found.append(Note("termination"))
    received = facts.received
    if cn and facts.problem is Problem.DEFECTIVE and received is not None:
        found += [Note("durable-goods")] if day <= received + relativedelta(months=6) else []
    if cn and facts.category is Category.PERISHABLE and facts.problem in windows.QUALITY_PROBLEMS:
        found.append(Note("food-safety"))
    if "cpl-55" in ids:
        found.append(Note("fraud-proof"))
        found.append(Note("fraud-revocation"))
    if "ecl-20" in ids:
        found.append(Note("courier-choice"))
    if (
        cn
        and facts.received is None
        and facts.category.is_goods
        and (facts.problem is not Problem.NOT_DELIVERED)
    ):
        found.append(Note("receipt-unknown"))
    if limitation is not None and limitation.later is not None:
        found.append(
            Note("limitation-interruption", {"on": limitation.later_from, "date": limitation.later})
        )
    if facts.jurisdiction is Jurisdiction.EU:
        found.append(Note("eu-national-law"))
    if facts.jurisdiction is Jurisdiction.US:
        found.append(Note("us-state-law"))
        if facts.payment_method is PaymentMethod.CREDIT_CARD:
            found.append(Note("fcba"))
    if missing:
        found.append(Note("missing-evidence", {"kinds": [str(k) for k in missing]}))
    if demand.kind == "goodwill":
        found.append(Note("no-ground", {"as_of": day}))
    return tuple(found)
