"""What a letter template receives: the recorded facts and the rules' answer, formatted.

Nothing here decides a point of law: which windows, grounds, demand, clocks and limitation
apply comes from refundkit.rules.assess; this module only formats them for one language
(dates as 2026年11月16日 or 16 November 2026, money as ¥399.00) and marks what the record
lacks. A missing fact becomes a Blank: it prints as a marked blank like `[商家地址]`, is false
in `{% if %}`, and every blank a letter prints turns into a warning naming the command that
fills it. templates/README.md lists every name a template receives.

The order's private `note` never reaches a template: letters quote `details` (what is wrong,
in the user's words) and each event's own note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from refundkit.kinds import EventKind, Jurisdiction, Lang, Problem

if TYPE_CHECKING:
    from refundkit.cases import CaseReport
    from refundkit.models import Event, Evidence, Order, Profile
    from refundkit.rules import Assessment

FACT = dict[str, Any]
REPLY_DAYS = 3  # days a merchant letter gives for an answer
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SENTENCE_ENDS = frozenset("。．.!！?？…")

# Missing facts: the blank each letter language prints, and the command that fills it. What
# the fact is, for the warning on stderr, is worded in the interface's language by
# refundkit.words.names.blank.
BLANKS: dict[str, tuple[str, str, str]] = {
    # The command that fills a blank runs as printed: in a terminal, `profile` and `edit ORDER`
    # without options ask for what is missing (words.terminal.blank_warning names the option).
    "name": ("[投诉人姓名]", "[your name]", "refundkit profile"),
    "phone": ("[联系电话]", "[your phone number]", "refundkit profile"),
    "address": ("[通讯地址]", "[your postal address]", "refundkit profile"),
    "merchant_address": ("[商家地址]", "[merchant's address]", "refundkit edit {id}"),
    "merchant_phone": ("[商家电话]", "[merchant's phone number]", "refundkit edit {id}"),
    "operator": ("[经营者名称]", "[registered company behind the shop]", "refundkit edit {id}"),
    "order_no": ("[订单号]", "[order number]", "refundkit edit {id}"),
    "transaction_id": ("[交易单号]", "[transaction number]", "refundkit edit {id}"),
    "received": ("[签收日期]", "[date received]", "refundkit edit {id}"),
}


class Blank(str):
    """A missing fact: prints as its marked blank, and is false in a template's `{% if %}`."""

    key: str
    fill: str

    def __new__(cls, label: str, key: str, fill: str) -> Blank:
        blank = super().__new__(cls, label)
        blank.key = key
        blank.fill = fill
        return blank

    def __bool__(self) -> bool:
        return False


def format_date(day: date, lang: Lang, clock: time | None = None) -> str:
    """2026年11月20日 or 20 November 2026, with the time of day where one was recorded."""
    if lang is Lang.ZH:
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{text} {clock:%H:%M}" if clock else text


def format_money(amount: Decimal, currency: str) -> str:
    """¥199.00, €45.00; other currencies as 199.00 CHF (the same form as the terminal's)."""
    from refundkit.plain import money

    return money(amount, currency)


@dataclass
class _Formatter:
    lang: Lang
    currency: str

    def day(self, day: date | None, clock: time | None = None) -> str | None:
        return format_date(day, self.lang, clock) if day else None

    def money(self, amount: Decimal | None) -> str | None:
        """Money in the letter's form; None for nothing owed, so no letter asks for ¥0.00."""
        if amount is None or amount <= 0:
            return None
        return format_money(amount, self.currency)

    def value(self, value: Any) -> Any:
        """A rule's parameter as a letter shows it: dates and money formatted, the rest kept."""
        if isinstance(value, date):
            return self.day(value)
        if isinstance(value, Decimal):
            return self.money(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value


def letter_facts(
    case: CaseReport, profile: Profile, lang: Lang, excerpts: dict[str, str] | None = None
) -> FACT:
    """Everything the templates receive, formatted for the language; missing facts as Blanks.

    excerpts: the start of each evidence image's recognised text, by evidence id."""
    return _Builder(case, profile, lang, excerpts or {}).build()


class _Builder:
    def __init__(
        self, case: CaseReport, profile: Profile, lang: Lang, excerpts: dict[str, str]
    ) -> None:
        self.excerpts = excerpts
        self.order: Order = case.order
        self.a: Assessment = case.assessment
        self.profile = profile
        self.lang = lang
        self.f = _Formatter(lang, case.order.currency)
        from refundkit.models import sorted_events
        from refundkit.rules import facts_of

        self.events = [e for e in sorted_events(case.order.events) if e.withdrawn is None]
        self.facts = facts_of(case.order)
        self.requests = {e.id: e.request for e in self.facts.events if e.request is not None}

    def blank(self, key: str) -> Blank:
        zh, en, fill = BLANKS[key]
        return Blank(zh if self.lang is Lang.ZH else en, key, fill.format(id=self.order.id))

    def or_blank(self, value: str | None, key: str) -> str:
        return value if value else self.blank(key)

    def build(self) -> FACT:
        a, f = self.a, self.f
        requests = [self.event(e) for e in self.events if e.id in self.requests]
        refusals = [self.event(e) for e in self.events if e.kind is EventKind.MERCHANT_REFUSED]
        return {
            "lang": self.lang.value,
            "jurisdiction": self.order.jurisdiction.value,
            "today": f.day(a.as_of),
            "stage": a.stage.value,
            "complainant": self.complainant(),
            "order": self.order_facts(),
            "windows": [self.window(w) for w in a.windows],
            "chronology": self.chronology(),
            "events": [self.event(e) for e in self.events],
            "first_request": requests[0] if requests else None,
            "requests": requests,
            "exercised": self.exercised(),
            "refusal": refusals[0] if refusals else None,
            "refusals": refusals,
            "returned": self.returned(),
            "answers": [
                self.event(e) for e in self.events if e.kind is EventKind.COMPLAINT_ANSWERED
            ],
            "complaints": [
                self.event(e)
                for e in self.events
                if e.kind in (EventKind.PLATFORM_COMPLAINT, EventKind.REGULATOR_COMPLAINT)
            ],
            "evidence": [self.evidence(i, e) for i, e in enumerate(self.order.evidence, 1)],
            "missing_evidence": [k.value for k in a.missing_evidence],
            "recommended_evidence": [k.value for k in a.recommended_evidence],
            "grounds": [{"id": g.id, **f.value(g.params)} for g in a.grounds],
            "ground_ids": [g.id for g in a.grounds],
            "demand": self.demand(),
            "limitation": self.limitation(),
            "clocks": [self.clock(c) for c in a.clocks],
            "channel": a.channel.value,
            "regulator": a.regulator,
            "regulator_venue": a.regulator_venue,
            "questions": [{"id": q.code, **f.value(q.params)} for q in a.questions],
            "description": None,
        }

    # parties and order

    def complainant(self) -> FACT:
        p = self.profile
        return {
            "name": self.or_blank(p.name, "name"),
            "phone": self.or_blank(p.phone, "phone"),
            "address": self.or_blank(p.address, "address"),
            "email": p.email or None,
        }

    def order_facts(self) -> FACT:
        o, f = self.order, self.f
        received: str | None = f.day(o.received, o.received_time)
        received_date: str | None = f.day(o.received)
        if o.received is None and o.category.is_goods:
            not_delivered = o.problem is Problem.NOT_DELIVERED
            received = received_date = None if not_delivered else self.blank("received")
        cn = o.jurisdiction is Jurisdiction.CN
        return {
            "id": o.id,
            "merchant": o.merchant,
            "item": o.item,
            "amount": f.money(o.amount),
            "currency": o.currency,
            "purchased": f.day(o.purchased, o.purchased_time),
            "purchased_date": f.day(o.purchased),
            "received": received,
            "received_date": received_date,
            # The regulator's respondent and its address matter only where a letter asks for
            # them (cn: Complaint Measures Art. 9); elsewhere a missing one is simply left out.
            "merchant_address": self.or_blank(o.merchant_address, "merchant_address")
            if cn
            else o.merchant_address,
            "merchant_phone": o.merchant_phone or None,
            "operator": self.or_blank(o.operator, "operator") if cn else o.operator,
            "platform": o.platform,
            "mini_program": o.mini_program or None,
            "order_no": self.or_blank(o.order_no, "order_no"),
            "transaction_id": o.transaction_id or None,
            "transaction_id_or_blank": self.or_blank(o.transaction_id, "transaction_id"),
            "payment_method": o.payment_method.value if o.payment_method else None,
            "category": o.category.value,
            "is_service": o.category.is_service,
            "problem": o.problem.value,
            "details": o.details or None,
            # Details that already end a sentence get no second full stop in a letter.
            "details_ends_sentence": (o.details or "x").rstrip()[-1:] in SENTENCE_ENDS,
            "details_shortened": False,  # letters.py sets it where "…" cut the details
            "promise_days": o.promise_days,
            "promise_from": o.effective_promise_from.value if o.promise_days else None,
            "units": o.units,
            "units_used": o.units_used,
        }

    # timeline

    def event(self, e: Event) -> FACT:
        f = self.f
        request = self.requests.get(e.id)
        return {
            "id": e.id,
            "kind": e.kind.value,
            "on": f.day(e.on, e.at),
            "date": f.day(e.on),
            "note": e.note or None,
            "note_ends_sentence": (e.note or "x").rstrip()[-1:] in SENTENCE_ENDS,
            "ref": e.ref or None,
            "amount": f.money(e.amount),
            "channel": e.channel.value if e.channel else None,
            "asked": request.value if request else None,
            "reason": e.reason.value if e.reason else None,
            "refused": self.refused(e),
            "outcome": e.outcome.value if e.outcome else None,
            "clocks": [self.clock(c) for c in self.a.clocks if c.event_id == e.id],
        }

    def refused(self, e: Event) -> str | None:
        """What a refusal refused: as logged, else what the latest request before it asked."""
        if e.kind is not EventKind.MERCHANT_REFUSED:
            return None
        refusal = next(x for x in self.facts.events if x.id == e.id)
        what = self.facts.refused_what(refusal)
        return what.value if what else None

    def chronology(self) -> list[FACT]:
        """Purchase, receipt and every logged event, in date order."""
        o = self.order
        items: list[tuple[date, time, int, FACT]] = [
            (
                o.purchased,
                o.purchased_time or time.min,
                0,
                self.pseudo("purchased", o.purchased, o.purchased_time),
            )
        ]
        if o.received:
            receipt = self.pseudo("received", o.received, o.received_time)
            items.append((o.received, o.received_time or time.min, 1, receipt))
        for n, e in enumerate(self.events, 2):
            items.append((e.on, e.at or time.min, n, self.event(e)))
        return [item[3] for item in sorted(items, key=lambda x: x[:3])]

    def pseudo(self, kind: str, day: date, clock: time | None = None) -> FACT:
        f = self.f
        return {
            "id": None,
            "kind": kind,
            "on": f.day(day, clock),
            "date": f.day(day),
            "note": None,
            "note_ends_sentence": False,
            "ref": None,
            "amount": f.money(self.order.amount) if kind == "purchased" else None,
            "channel": None,
            "asked": None,
            "reason": None,
            "refused": None,
            "outcome": None,
            "clocks": [],
        }

    def exercised(self) -> FACT | None:
        """The first window the user exercised in time, with the request that did it."""
        for w in self.a.windows:
            if w.exercised is not None:
                return {"rule": w.rule, "date": self.f.day(w.exercised), "event": w.exercised_by}
        return None

    def returned(self) -> FACT | None:
        shipped = _last(self.events, EventKind.RETURN_SHIPPED)
        delivered = _last(self.events, EventKind.RETURN_DELIVERED)
        if shipped is None and delivered is None:
            return None
        return {
            "shipped": self.f.day(shipped.on) if shipped else None,
            "shipped_ref": shipped.ref if shipped else None,
            "delivered": self.f.day(delivered.on) if delivered else None,
        }

    # evidence

    def evidence(self, n: int, e: Evidence) -> FACT:
        return {
            "n": n,
            "id": e.id,
            "kind": e.kind.value,
            "file": e.original_name,
            "media_type": e.media_type,
            "size": f"{e.size:,}",
            "taken": self.f.day(e.taken),
            "added": self.f.day(e.added.date()),
            "note": e.note or None,
            "sha256": e.sha256,
            "source": _source(e),
            "excerpt": self.excerpts.get(e.id),
        }

    # windows and the law

    def window(self, w: Any) -> FACT:
        f = self.f
        return {
            "rule": w.rule,
            "state": w.state.value,
            "start": f.day(w.start),
            "deadline": f.day(w.deadline),
            "days_left": w.days_left,
            "counted_from": w.counted_from,
            "exercised": f.day(w.exercised),
            "reason": w.reason,
            "days": w.params.get("days"),
            "notes": [{"id": n.code, **f.value(n.params)} for n in w.notes],
        }

    def demand(self) -> FACT:
        d, f = self.a.demand, self.f
        return {
            "kind": d.kind,
            "amount": f.money(d.price),  # None when nothing of the price is owed
            "compensation": f.money(d.compensation),
            "compensation_total": f.money(d.compensation_total),
            "refunded": f.money(d.refunded),
            "compensation_received": f.money(d.compensation_received),
            "remedy": d.remedy,
            "units": d.params.get("units"),
            "used": d.params.get("used"),
            "reply_by": f.day(self.a.as_of + timedelta(days=REPLY_DAYS)),
            "due": f.day(d.params.get("due")),  # refund-due: the law's date, and whether past
            "overdue": bool(d.params.get("overdue")),
        }

    def limitation(self) -> FACT | None:
        lim = self.a.limitation
        if lim is None:
            return None
        f = self.f
        return {
            "basis": lim.basis,
            "safe": f.day(lim.safe),
            "starts": f.day(lim.starts),
            "started_by": lim.started_by,
            "first_start": f.day(lim.first_start),
            "later": f.day(lim.later),
            "later_from": f.day(lim.later_from),
            "alternative": f.day(lim.alternative),
        }

    def clock(self, c: Any) -> FACT:
        return {
            "code": c.code,
            "date": self.f.day(c.day),
            "passed": c.day < self.a.as_of,  # for the tense: "fell due" or "falls due"
            "known": c.known,
            "event": c.event_id,
            **self.f.value(c.params),
        }


def _source(e: Evidence) -> FACT | None:
    """Where an imported proof came from ({bill, line, extract}), as the importer recorded it."""
    source = (e.model_extra or {}).get("source")
    if not isinstance(source, dict) or not isinstance(source.get("bill"), str):
        return None
    return {
        "bill": source["bill"],
        "line": source.get("line"),
        "extract": bool(source.get("extract")),
    }


def _last(events: list[Event], kind: EventKind) -> Event | None:
    found = [e for e in events if e.kind is kind]
    return found[-1] if found else None
