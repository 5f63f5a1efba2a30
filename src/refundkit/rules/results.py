"""What the rules answer: codes, dates and amounts, never sentences.

Every code here has words in each language, in one place: refundkit/words/ for the terminal,
JSON and calendar, templates/letters/ for the letters. A test renders every code in both
languages, so an unknown id can never print an empty line. docs/law.md gives the article
behind each rule id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from refundkit.kinds import Channel, EvidenceKind, Jurisdiction, Stage, WindowState


@dataclass(frozen=True)
class Note:
    """A caveat attached to a result, with the values its words need."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """One rule's period for one order as of one day.

    `deadline` is the last day on which the user may act (inclusive); `exercised` the date of
    the first request that exercised the window in time, `exercised_by` that event's id.
    `reason` says why a window is not applicable or has not started.
    """

    rule: str
    state: WindowState
    start: date | None = None
    deadline: date | None = None
    days_left: int | None = None
    counted_from: str | None = None  # receipt, purchase, delivery, contract
    exercised: date | None = None
    exercised_by: str | None = None
    reason: str | None = None
    notes: tuple[Note, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)  # e.g. a promise's days

    @property
    def applies(self) -> bool:
        return self.state is not WindowState.NOT_APPLICABLE

    @property
    def usable(self) -> bool:
        """Open today, or exercised while it was: a window the user can rely on."""
        return self.state is WindowState.OPEN or self.exercised is not None


@dataclass(frozen=True)
class Ground:
    """A legal ground that applies to the facts (its id is a rule id of docs/law.md)."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Demand:
    """What a letter asks for, with only what is still owed.

    kind: return-refund, quality-return, quality-remedy, fraud, prepaid-refund,
    prepaid-breach, deliver-or-refund, refund-due, goodwill, nothing.
    """

    kind: str
    price: Decimal  # of the price (or the prepaid share) still owed; 0 when all came back
    compensation: Decimal | None = None  # punitive compensation still owed (cn fraud)
    compensation_total: Decimal | None = None
    refunded: Decimal = Decimal(0)
    compensation_received: Decimal = Decimal(0)
    remedy: str | None = None  # quality-remedy: repair-or-replace, replace-or-return
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Clock:
    """A date a rule puts on the case: a complaint's reply date, a refund falling due, ...

    code: wechat-pay-answer, wechat-pay-finish, mini-program-lapse, regulator-accept,
    regulator-follow-up, platform-follow-up, card-issuer-acknowledge, refund-due,
    refund-deliberate-delay, request-deliberate-delay.
    `known` is False when a working-day count passed the years the holiday calendar knows.
    """

    code: str
    day: date
    event_id: str | None = None
    known: bool = True
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Limitation:
    """When a court may refuse the claim.

    `safe` is the date to act by: the earlier reading where the law is unsettled. `later` is
    the date if an uncertain act (a complaint to a platform or regulator) interrupted the
    period: letters may mention it, as uncertain; the calendar and the next step never use
    it. `basis`: cn-188, uk-limitation, eu-national, us-state.
    """

    basis: str
    safe: date | None = None
    starts: date | None = None  # the day the period started, or last certainly restarted
    started_by: str | None = None  # refusal, demand, delivery, purchase
    first_start: date | None = None  # the first start (cn: the first refusal)
    later: date | None = None
    later_from: date | None = None  # the uncertain interruption
    alternative: date | None = None  # uk: the England/Wales/NI date beside Scotland's


@dataclass(frozen=True)
class Step:
    """The next thing to do, with a date that never moves with today.

    `by` is a legal deadline or a fixed date counted from the event that opened the step, or
    None; `overdue` once today is past it. The overview and `status ORDER` word the same step.
    """

    code: str
    by: date | None = None
    overdue: bool = False
    channel: Channel | None = None
    params: dict[str, Any] = field(default_factory=dict)
    needs_evidence: tuple[EvidenceKind, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """Everything the rules say about one case on one day."""

    as_of: date
    jurisdiction: Jurisdiction
    stage: Stage
    windows: tuple[Window, ...]
    grounds: tuple[Ground, ...]
    demand: Demand
    step: Step
    clocks: tuple[Clock, ...]
    limitation: Limitation | None
    channel: Channel  # where a complaint about this case goes (cli-contract.md)
    regulator: str  # cn-12315, uk-citizens-advice, eu-consumer-authority, us-attorney-general
    regulator_venue: (
        str | None
    )  # cn: platform-seller, mini-program, own-site or seller (Complaint Measures Art. 12)
    missing_evidence: tuple[EvidenceKind, ...]
    recommended_evidence: tuple[EvidenceKind, ...]
    notices: tuple[Note, ...]  # things the user should set right (status prints them)
    questions: tuple[Note, ...]  # points a lawyer should examine (the lawyer summary)

    @property
    def best_window(self) -> Window | None:
        return best_window(self.windows)

    def window(self, rule: str) -> Window | None:
        return next((w for w in self.windows if w.rule == rule), None)

    def ground(self, ground_id: str) -> Ground | None:
        return next((g for g in self.grounds if g.id == ground_id), None)


# Windows that only give repair or replacement (or run for years): shown after the others.
LONG_WINDOWS = frozenset(("eu-guarantee", "uk-repair-replace"))


def best_window(windows: tuple[Window, ...] | list[Window]) -> Window | None:
    """The window that gives the user most: an open one that returns the money (latest
    deadline), then an open long one, then one the user exercised in time, then not started,
    then expired."""
    open_ = [w for w in windows if w.state is WindowState.OPEN]
    short = [w for w in open_ if w.rule not in LONG_WINDOWS]
    if short or open_:
        return max(short or open_, key=lambda w: w.deadline or date.min)
    exercised = [w for w in windows if w.exercised is not None]
    if exercised:
        return min(exercised, key=lambda w: w.exercised or date.max)
    for state in (WindowState.NOT_STARTED, WindowState.EXPIRED):
        same = [w for w in windows if w.state is state]
        if same:
            return max(same, key=lambda w: w.deadline or date.min)
    return None
