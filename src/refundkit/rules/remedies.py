"""The legal grounds that apply to a case's facts, and what may be demanded.

A ground is listed only where the facts meet it on the day asked: the seven-day return only
while it is open or after the user exercised it in time; SAIC 2015 Measures Art. 9 only for
the refusals it covers (goods opened, the merchant's own non-returnable label, delay); the
law of the case's jurisdiction and no other. The demand asks for what is still owed, never
for an amount already received (docs/law.md gives each ground id's article).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from refundkit.kinds import (
    Category,
    EventKind,
    Jurisdiction,
    PaymentMethod,
    Problem,
    RefusalReason,
)
from refundkit.rules.facts import CaseFacts
from refundkit.rules.results import Clock, Demand, Ground, Window
from refundkit.rules.windows import (
    PREPAID_IN_FORCE,
    QUALITY_PROBLEMS,
    promise_on_excluded_goods,
)

FRAUD_MULTIPLE = 3  # CPL Art. 55
FRAUD_MINIMUM = Decimal(500)  # yuan
UK_S75_MIN = Decimal(100)  # Consumer Credit Act 1974 s.75: cash price over GBP 100
UK_S75_MAX = Decimal(30000)  # and up to GBP 30,000
US_1666I_MIN = Decimal(50)  # 15 U.S.C. 1666i: more than USD 50
CENT = Decimal("0.01")
RETURNED = (EventKind.RETURN_SHIPPED, EventKind.RETURN_DELIVERED)


def price_target(facts: CaseFacts) -> Decimal:
    """The part of the price a demand can ask back: the unused share of a prepaid service
    used in part (amount x (N - K) / N, to the cent), else the whole amount."""
    if facts.units and facts.units_used is not None:
        share = facts.amount * (facts.units - facts.units_used) / facts.units
        return share.quantize(CENT, rounding=ROUND_HALF_UP)
    return facts.amount


def fraud_compensation(facts: CaseFacts) -> Decimal | None:
    """CPL Art. 55: three times the price, at least 500 yuan; only stated for yuan."""
    if facts.jurisdiction is not Jurisdiction.CN or facts.problem is not Problem.FRAUD:
        return None
    if facts.currency != "CNY":
        return None
    return max(facts.amount * FRAUD_MULTIPLE, FRAUD_MINIMUM)


def owed(facts: CaseFacts) -> tuple[Decimal, Decimal | None]:
    """What is still owed of the price and of the compensation (never below zero)."""
    price = max(price_target(facts) - facts.total(EventKind.REFUND_RECEIVED), Decimal(0))
    total = fraud_compensation(facts)
    if total is None:
        return price, None
    return price, max(total - facts.total(EventKind.COMPENSATION_RECEIVED), Decimal(0))


def grounds(
    facts: CaseFacts, windows: tuple[Window, ...], clocks: tuple[Clock, ...], as_of: date
) -> tuple[Ground, ...]:
    """The grounds of the case's jurisdiction that apply to its facts, strongest first."""
    build = {
        Jurisdiction.CN: _cn,
        Jurisdiction.EU: _eu,
        Jurisdiction.UK: _uk,
        Jurisdiction.US: _us,
    }[facts.jurisdiction]
    return tuple(build(facts, {w.rule: w for w in windows}, clocks, as_of))


def _window_ground(facts: CaseFacts, window: Window | None, **params: object) -> Ground | None:
    """A window as a ground: only while open, or after the user exercised it in time.

    by_refusal: the exercise is known only from the merchant's refusal of it (the request
    itself was made by that day). asked: what that request asked for (return, refund,
    exchange, repair), so a letter never words a repair request as a return."""
    if window is None or not window.usable:
        return None
    refusals = {e.id for e in facts.of_kind(EventKind.MERCHANT_REFUSED)}
    request = next((e for e in facts.events if e.id == window.exercised_by), None)
    asked = None
    if request is not None:
        asked = request.refused if request.id in refusals else request.request
    return Ground(
        window.rule,
        {
            "start": window.start,
            "deadline": window.deadline,
            "exercised": window.exercised,
            "asked": asked.value if asked else None,
            "by_refusal": window.exercised_by in refusals,
            "status": "exercised" if window.exercised else "open",
            "counted_from": window.counted_from,
            **params,
        },
    )


def _refusal_reasons(facts: CaseFacts) -> set[RefusalReason]:
    return {e.reason or RefusalReason.OTHER for e in facts.of_kind(EventKind.MERCHANT_REFUSED)}


def _cn(
    facts: CaseFacts, windows: dict[str, Window], clocks: tuple[Clock, ...], as_of: date
) -> list[Ground]:
    found: list[Ground] = []
    compensation = fraud_compensation(facts)
    if facts.problem is Problem.FRAUD:
        found.append(Ground("cpl-55", {"compensation": compensation}))
    found += _cn_quality(facts, windows)
    seven = _window_ground(facts, windows.get("cn-7day"), received=facts.received)
    promise = _window_ground(
        facts,
        windows.get("promise"),
        days=facts.promise_days,
        excluded_goods=promise_on_excluded_goods(facts),
    )
    reasons = _refusal_reasons(facts)
    if seven:
        found.append(seven)
        # Opening to inspect (and a reasonable trial) only: cited for the reason it covers,
        # never for "used", which the merchant may mean as more than a trial.
        if RefusalReason.OPENED in reasons:
            found.append(Ground("cpl-ir-19-3"))
        if (
            RefusalReason.NON_RETURNABLE in reasons
            and facts.category is not Category.NON_RETURNABLE_CONFIRMED
        ):
            found.append(Ground("cpl-ir-19-2"))  # a label the consumer never confirmed
    if promise:
        found.append(promise)
    # Art. 9 is about distance selling: a shop's own promise binds it, but not under Art. 9.
    distance = (seven or promise) and not facts.in_store
    saic = _saic_9_triggers(facts, reasons, clocks, as_of) if distance else []
    if saic:
        found.append(Ground("saic-9", {"triggers": saic}))
    if (seven or promise) and RefusalReason.NON_RETURNABLE in reasons:
        found.append(Ground("cpl-26"))
    quality_delay = next((c for c in clocks if c.code == "quality-deliberate-delay"), None)
    if quality_delay and as_of > quality_delay.day and owed(facts)[0] > 0 and _resisted(facts):
        found.append(Ground("saic-8", {"since": quality_delay.day}))
    found += _cn_prepaid(facts, windows)
    found += _cn_not_delivered(facts)
    due = _refund_due(facts, clocks, as_of)
    if due:
        found.append(due)
    return found


def _cn_quality(facts: CaseFacts, windows: dict[str, Window]) -> list[Ground]:
    if facts.problem not in QUALITY_PROBLEMS:
        return []
    found: list[Ground] = []
    if facts.problem is Problem.NOT_AS_DESCRIBED:
        found.append(Ground("cpl-23-2"))
    short = _window_ground(facts, windows.get("cn-defect-7day"), received=facts.received)
    if short:
        found.append(short)
    elif facts.category.is_service or facts.received is not None:
        found.append(
            Ground(
                "cpl-24",
                {
                    "service": facts.category.is_service,
                    "remedy": _quality_remedy(facts),
                },
            )
        )
    return found


def _resisted(facts: CaseFacts) -> bool:
    """No refund, return or agreed remedy has happened since the request (a refusal, or
    silence)."""
    return not facts.of_kind(*RETURNED, EventKind.REFUND_RECEIVED)


def _quality_remedy(facts: CaseFacts) -> str:
    """Goods not as described want the right thing, not a repair (a silk shirt that is not
    silk cannot be mended into one): return or replacement. A defect: repair or replacement,
    or return where the contract may be terminated."""
    return "replace-or-return" if facts.problem is Problem.NOT_AS_DESCRIBED else "repair-or-replace"


def _saic_9_triggers(
    facts: CaseFacts, reasons: set[RefusalReason], clocks: tuple[Clock, ...], as_of: date
) -> list[dict[str, object]]:
    """SAIC 2015 Measures Art. 9 (as amended): deliberate delay or unreasonable refusal of a
    no-reason return, for exactly the triggers it lists."""
    triggers: list[dict[str, object]] = []
    if RefusalReason.OPENED in reasons:
        triggers.append({"code": "opened"})
    if (
        RefusalReason.NON_RETURNABLE in reasons
        and facts.category is not Category.NON_RETURNABLE_CONFIRMED
    ):
        triggers.append({"code": "non-returnable"})
    by_code = {c.code: c for c in clocks}
    request_delay = by_code.get("request-deliberate-delay")  # only while unhandled
    if request_delay and as_of > request_delay.day:
        triggers.append({"code": "request-unhandled", "since": request_delay.day})
    refund_delay = by_code.get("refund-deliberate-delay")
    if refund_delay and as_of > refund_delay.day and owed(facts)[0] > 0:
        triggers.append({"code": "refund-delayed", "since": refund_delay.day})
    return triggers


def _cn_prepaid(facts: CaseFacts, windows: dict[str, Window]) -> list[Ground]:
    if facts.category is not Category.PREPAID_SERVICE:
        return []
    found: list[Ground] = []
    window = _window_ground(
        facts,
        windows.get("cn-prepaid-7day"),
        paid=facts.purchased,
        before_force=facts.purchased < PREPAID_IN_FORCE,
    )
    if window:
        found.append(window)
    # Art. 53 is for a service not provided as agreed: not a consumer who simply wants out.
    if facts.problem in (Problem.NOT_DELIVERED, *QUALITY_PROBLEMS):
        found.append(Ground("cpl-53"))
    if facts.units and facts.units_used:
        # Fa Shi [2025] No. 4 Art. 15: what is returned is the prepayment less what was used.
        found.append(
            Ground(
                "spc-2025-4-15",
                {
                    "units": facts.units,
                    "used": facts.units_used,
                    "before_force": facts.purchased < PREPAID_IN_FORCE,
                },
            )
        )
    return found


def _cn_not_delivered(facts: CaseFacts) -> list[Ground]:
    """E-Commerce Law Art. 20 and Civil Code Arts. 563, 566, 577 for what never came (a
    prepaid service not provided has CPL Art. 53 instead); the E-Commerce Law only where the
    goods were not bought in the merchant's shop."""
    if facts.problem is not Problem.NOT_DELIVERED or facts.category is Category.PREPAID_SERVICE:
        return []
    if facts.category.is_goods and facts.received is not None:
        return []
    found = [Ground("ecl-20")] if facts.category.is_goods and not facts.in_store else []
    return [*found, Ground("cc-563-566"), Ground("cc-577")]


def _refund_due(facts: CaseFacts, clocks: tuple[Clock, ...], as_of: date) -> Ground | None:
    """Goods already back: the refund falls due on a date the case's law sets, and is
    overdue only once that day (the last one on which paying is in time) has passed."""
    if not facts.of_kind(*RETURNED) or owed(facts)[0] <= 0:
        return None
    due = next((c for c in clocks if c.code == "refund-due"), None)
    delay = next((c for c in clocks if c.code == "refund-deliberate-delay"), None)
    delivered = facts.last(EventKind.RETURN_DELIVERED)
    shipped = facts.last(EventKind.RETURN_SHIPPED)
    return Ground(
        "refund-due",
        {
            "basis": due.params.get("basis") if due else None,
            "due": due.day if due else None,
            "overdue": due is not None and as_of > due.day,
            "delay_from": delay.day if delay else None,
            "delivered": delivered.on if delivered else None,
            "shipped": shipped.on if shipped else None,
        },
    )


def _eu(
    facts: CaseFacts, windows: dict[str, Window], clocks: tuple[Clock, ...], as_of: date
) -> list[Ground]:
    found = [
        g
        for g in (
            _window_ground(facts, windows.get("eu-14day")),
            _window_ground(facts, windows.get("eu-guarantee"), delivered=facts.received),
            _window_ground(facts, windows.get("promise"), days=facts.promise_days),
        )
        if g
    ]
    due = _refund_due(facts, clocks, as_of)
    return [*found, due] if due else found


def _uk(
    facts: CaseFacts, windows: dict[str, Window], clocks: tuple[Clock, ...], as_of: date
) -> list[Ground]:
    repair = windows.get("uk-repair-replace")
    presumed = (
        next((n.params["until"] for n in repair.notes if n.code == "uk-presumption"), None)
        if repair
        else None
    )
    found = [
        g
        for g in (
            _window_ground(facts, windows.get("uk-30day-reject")),
            _window_ground(facts, windows.get("uk-14day")),
            _window_ground(facts, repair, presumed_until=presumed, remedy=_quality_remedy(facts)),
            _window_ground(facts, windows.get("promise"), days=facts.promise_days),
        )
        if g
    ]
    if (
        facts.payment_method is PaymentMethod.CREDIT_CARD
        and facts.currency == "GBP"
        and UK_S75_MIN < facts.amount <= UK_S75_MAX
    ):
        found.append(Ground("uk-s75"))
    due = _refund_due(facts, clocks, as_of)
    return [*found, due] if due else found


def _us(
    facts: CaseFacts, windows: dict[str, Window], clocks: tuple[Clock, ...], as_of: date
) -> list[Ground]:
    found = [
        g for g in (_window_ground(facts, windows.get("promise"), days=facts.promise_days),) if g
    ]
    if facts.problem in QUALITY_PROBLEMS and facts.category.is_goods:
        found.append(Ground("us-implied-warranty"))
    if facts.payment_method is PaymentMethod.CREDIT_CARD:
        if facts.problem in (Problem.NOT_DELIVERED, Problem.NOT_AS_DESCRIBED):
            found.append(Ground("us-fcba-1666"))
        in_usd = facts.currency == "USD"
        # Known to be USD 50 or less: the section does not reach it. In another currency the
        # threshold is for the letter to flag, not for refundkit to guess at a rate.
        if facts.problem in QUALITY_PROBLEMS and not (in_usd and facts.amount <= US_1666I_MIN):
            found.append(Ground("us-fcba-1666i", {"over_minimum": in_usd}))
    return found


# --- the demand --------------------------------------------------------------------------


def demand(facts: CaseFacts, found: tuple[Ground, ...]) -> Demand:
    """What a letter asks for: the strongest remedy the grounds give, for what is still owed."""
    price, compensation = owed(facts)
    ids = {g.id for g in found}
    base = {
        "price": price,
        "compensation": compensation,
        "compensation_total": fraud_compensation(facts),
        "refunded": facts.total(EventKind.REFUND_RECEIVED),
        "compensation_received": facts.total(EventKind.COMPENSATION_RECEIVED),
    }
    params: dict[str, object] = {}
    if facts.units and facts.units_used is not None:
        params = {"units": facts.units, "used": facts.units_used, "of": facts.amount}
    if price <= 0 and not compensation:
        return Demand("nothing", params=params, **base)  # type: ignore[arg-type]
    kind, remedy = _demand_kind(facts, ids)
    if kind == "refund-due":
        due = next((g for g in found if g.id == "refund-due"), None)
        if due is not None:
            params = {**params, "due": due.params["due"], "overdue": due.params["overdue"]}
    return Demand(kind, remedy=remedy, params=params, **base)  # type: ignore[arg-type]


def _demand_kind(facts: CaseFacts, ids: set[str]) -> tuple[str, str | None]:
    if "cpl-55" in ids:
        return "fraud", None
    if "refund-due" in ids or (facts.of_kind(*RETURNED) and ids & _RETURN_IDS):
        return "refund-due", None
    if ids & {"cn-defect-7day", "uk-30day-reject"}:
        return "quality-return", None
    if ids & {"cn-7day", "promise", "eu-14day", "uk-14day"}:
        return "return-refund", None
    if "cn-prepaid-7day" in ids:
        return "prepaid-refund", None
    quality = ids & {"cpl-24", "eu-guarantee", "uk-repair-replace", "us-implied-warranty"}
    if quality:
        return "quality-remedy", _quality_remedy(facts)
    if "cpl-53" in ids:
        return "prepaid-breach", None
    if ids & {"ecl-20", "cc-563-566", "us-fcba-1666"} or facts.problem is Problem.NOT_DELIVERED:
        return "deliver-or-refund", None
    return "goodwill", None


_RETURN_IDS = frozenset(
    ("cn-7day", "promise", "eu-14day", "uk-14day", "cn-defect-7day", "uk-30day-reject")
)
