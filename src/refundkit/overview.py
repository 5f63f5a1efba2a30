"""The overview `status` prints without an ORDER: one summary per case, most urgent first.

A case's summary is computed from its CaseReport (cases.py) when its order file is new or has
changed, or when the day asked lies outside the days its last computation holds for (see
dayspan.py), and otherwise taken from the status index (index.py), so listing 10,000 cases
neither validates 10,000 files nor runs the window engine 10,000 times, on the day the index
was built or on the days after. Pydantic and the rules are imported only when some summary has
to be computed: an unchanged data folder is listed with the standard library alone. Missing
evidence files are looked up every time (a stat per file), since the index vouches for order
files, not for evidence.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refundkit import dayspan
from refundkit.errors import DamagedData
from refundkit.index import Index, Stat, file_identity, vouched_light
from refundkit.store import DamagedOrder, Store

if TYPE_CHECKING:
    from refundkit.cases import CaseReport


@dataclass(frozen=True)
class CaseSummary:
    """What the overview shows of one case on one day, as plain JSON-able values."""

    id: str
    purchased: str  # ISO dates, which sort as the dates do
    by: str | None  # the next step's date
    stage: str
    merchant: str
    item: str  # what was bought: tells apart two orders of one shop
    amount: str  # formatted, e.g. ¥399.00
    deadline: str  # the best window's last day, or why there is none
    left: str  # its days left, or "-"
    urgency: str  # the style both are shown in (plain.ANSI)
    missing: list[str]  # required evidence kinds not yet attached
    step: str  # the next step in a few words
    evidence: list[list[str]]  # [evidence id, original name, stored_as] for the file check
    notices: list[str]  # what the user should set right in the record (rules' notices)

    @classmethod
    def of(cls, report: CaseReport) -> CaseSummary:
        from refundkit.plain import deadline_text, left_text, money, urgency_style
        from refundkit.words.terminal import notice_text, step_cell

        order, best, step = report.order, report.best, report.step
        return cls(
            id=order.id,
            purchased=order.purchased.isoformat(),
            by=step.by.isoformat() if step.by else None,
            stage=report.stage.value,
            merchant=order.merchant,
            item=order.item,
            amount=money(order.amount, order.currency),
            deadline=deadline_text(best),
            left=left_text(best),
            urgency=urgency_style(best),
            missing=[k.value for k in report.missing],
            step=step_cell(report.assessment),
            evidence=[[e.id, e.original_name, e.stored_as] for e in order.evidence],
            notices=[notice_text(n, order.id) for n in report.assessment.notices],
        )

    @classmethod
    def from_json(cls, data: Any) -> CaseSummary | None:
        """The summary an index entry holds, or None if it is not one (then it is recomputed)."""
        try:
            summary = cls(**data)
        except TypeError:  # not a dict, or other keys
            return None
        return summary if summary.well_formed() else None

    def well_formed(self) -> bool:
        """Every field of the type it is declared with. It runs for every case at every
        status, hence spelt out field by field rather than looped over by name."""
        if any(type(v) is not list for v in (self.missing, self.evidence, self.notices)):
            return False
        strings = (
            self.id,
            self.purchased,
            self.stage,
            self.merchant,
            self.item,
            self.amount,
            self.deadline,
            self.left,
            self.urgency,
            self.step,
            *self.missing,
            *self.notices,
        )
        parts = [part for e in self.evidence if type(e) is list and len(e) == 3 for part in e]
        return (
            set(map(type, strings)) <= {str}  # in C: a tenth of 10,000 cases' time to list
            and (self.by is None or type(self.by) is str)
            and len(parts) == 3 * len(self.evidence)
            and set(map(type, parts)) <= {str}
        )

    def sort_key(self) -> tuple[bool, str, str]:
        """Dated next steps first, soonest first; then the oldest purchase."""
        return (self.by is None, self.by or "9999-12-31", self.purchased)


@dataclass(frozen=True)
class MissingFile:
    """An evidence file recorded in an order but gone from the disk."""

    order_id: str
    evidence_id: str
    name: str
    path: Path


# A case's JSON, UTF-8, as `status --json` shows it (plain.case_json): whole, or in pieces
# to be joined with the others' (dayspan.rendered_pieces).
Text = bytes | memoryview | list[bytes | memoryview]


@dataclass(frozen=True)
class Overview:
    cases: list[CaseSummary]
    damaged: list[DamagedOrder]
    missing_files: dict[str, list[MissingFile]]  # by order id; only cases with a loss
    as_of: date
    porcelain: dict[str, Text]  # by order id, when asked for; with no file missing

    @property
    def problems(self) -> bool:
        """Damaged orders or lost files: status exits 1."""
        return bool(self.damaged or self.missing_files)


def overview(
    store: Store,
    as_of: date,
    include_closed: bool,
    porcelain: bool = False,
    today: date | None = None,
) -> Overview:
    """Every case open on as_of (or all), most urgent first; damaged files alongside; and
    with porcelain, each case's JSON text for `status --json`.

    The index is brought up to date on the way, and written only when nothing is wrong: a
    status that finds a problem exits 1, and a failed command changes nothing on disk. Its
    entries good for today are kept when as_of is another day.
    """
    from refundkit.i18n import language

    with paused_gc(), store.stat_in_orders() as stat:
        index = Index(store, language())
        order_ids = store.list_ids()
        cases: list[CaseSummary] = []
        texts: dict[str, Text] = {}
        damaged: list[DamagedOrder] = []
        for order_id in order_ids:
            try:
                case, text = _summary(store, index, stat, order_id, as_of, porcelain, today)
            except DamagedData as exc:
                index.forget(order_id)
                damaged.append(DamagedOrder.of(order_id, store.order_path(order_id), exc))
                continue
            if case is not None and (include_closed or case.stage != "closed"):
                cases.append(case)
                if text is not None:
                    texts[order_id] = text
        cases.sort(key=CaseSummary.sort_key)
        view = Overview(cases, damaged, absent_files(store, stat, cases), as_of, texts)
        index.keep_only(order_ids)
        if not view.problems:
            index.save()
    return view


def _summary(
    store: Store,
    index: Index,
    stat: Stat,
    order_id: str,
    as_of: date,
    porcelain: bool,
    today: date | None,
) -> tuple[CaseSummary | None, Text | None]:
    """The case's summary (and with porcelain its JSON text), from the index if its order
    file is unchanged and the index's entry holds for as_of; no summary if it was bought
    after as_of (not on that day's overview)."""
    entry = index.lookup(order_id, stat)
    if entry is not None and index.covers(entry, as_of.toordinal()):
        found = _from_entry(index, order_id, entry, as_of, porcelain)
        if found is not None:
            return found
    if entry is not None and bought_after(entry, as_of):
        return None, None
    order, info, data, canonical = order_to_compute(store, order_id, entry)
    # On another day than today, an entry good for today is kept (Index.remember), so the
    # case is computed for that day alone, without the tracing a kept entry would not use;
    # on today itself the entry was computed again because it is not good (or is damaged).
    keep = today.toordinal() if today is not None and today != as_of else None
    kept = (
        keep is not None
        and entry is not None
        and entry["file"] == file_identity(info)
        and index.covers(entry, keep)
    )
    span, stored, text = (_untraced if kept else computed)(order, as_of)
    if canonical:
        stored["canonical"] = True
    index.remember(order_id, info, span, stored, text, keep, data)
    if stored["case"] is None:
        return None, None
    case = CaseSummary(**dayspan.render_data(stored["case"], as_of))
    if not porcelain:
        return case, None
    return case, dayspan.render_at(text, stored.get("text_marks", []), as_of)


def bought_after(entry: dict[str, Any], as_of: date) -> bool:
    """Whether the entry's order was bought after as_of, so not on that day's overview
    (as computed says), which its purchase date tells on any day: `--as-of` a week back
    skips the week's new orders without reading them."""
    case = entry["case"]
    purchased = case.get("purchased") if type(case) is dict else None
    return type(purchased) is str and purchased > as_of.isoformat()  # ISO: sorts as dates


def enter(store: Store, order_ids: Iterable[str], today: date) -> None:
    """Index the cases of orders just written (by add-order, log, edit...), for today, so
    that the status after the command finds them ready instead of validating them.

    Their files are racy, so their entries carry a check of their bytes (index.py). A file
    that does not read (removed or damaged meanwhile) is left for status to report.
    """
    from refundkit.i18n import language

    with paused_gc(), store.stat_in_orders() as stat:
        index = Index(store, language())
        for order_id in sorted(order_ids):
            with contextlib.suppress(DamagedData):
                _summary(store, index, stat, order_id, today, False, today)
        index.save()


def order_to_compute(
    store: Store, order_id: str, entry: dict[str, Any] | None
) -> tuple[Any, os.stat_result, bytes, bool]:
    """The order to compute a case from, the identity and bytes of its file, and whether
    the file is exactly what refundkit writes for it.

    A file the index found so when it validated it, and unchanged since (the identity read
    is the entry's), is read without Pydantic (lightrecord.py); any other is validated, and
    so is one that, against all odds, no longer reads as it did.
    """
    data, info = store.read_order_bytes(order_id)
    order = vouched_light(order_id, entry, data, info)
    if order is not None:
        return order, info, data, True
    from refundkit.store import dump_order

    validated = store.validate_order(order_id, data)
    return validated, info, data, dump_order(validated) == data


def _from_entry(
    index: Index, order_id: str, entry: dict[str, Any], as_of: date, porcelain: bool
) -> tuple[CaseSummary | None, Text | None] | None:
    """What an index entry says on as_of, or None if it is not whole (then it is recomputed)."""
    data = entry["case"]
    if data is None:
        return None, None
    marks = entry.get("marks")
    if marks:  # the fields holding days left (dayspan's markers)
        if not (type(marks) is list and type(data) is dict):
            return None
        data = {**data, **{k: dayspan.render_data(data.get(k), as_of) for k in marks}}
    cached = CaseSummary.from_json(data)
    text = index.text(order_id, entry) if porcelain else None
    if cached is None or cached.id != order_id or (text is None and porcelain):
        return None
    text_marks = entry.get("text_marks")
    if text is not None and text_marks:
        pieces = dayspan.rendered_pieces(text, text_marks, as_of)
        if pieces is None:
            return None
        return cached, pieces
    return cached, text


def computed(order: Any, as_of: date) -> tuple[list[int], dict[str, Any], bytes]:
    """The case as of as_of, traced (dayspan.py): the days it holds for (as ordinals), the
    index's entry for it (its summary, and where markers stand in for days left) and its
    JSON text, both with markers; the case is None if it was bought after as_of."""
    from refundkit import cases
    from refundkit.plain import case_json

    with dayspan.tracing(as_of) as (day, span):
        if order.purchased > day:
            return [span.lo, span.hi], {"case": None}, b""
        report = cases.report(order, day)
        case = dayspan.marked(dict(vars(CaseSummary.of(report))))
        text = case_json(dayspan.marked({**report.as_json(), "missing_files": []}))
    settled = dayspan.settle_text(text)
    marks = [k for k, v in case.items() if dayspan.has_mark_chars(v)]
    try:
        case.update((k, dayspan.settled(case[k])) for k in marks)
    except ValueError:
        settled = None
    if settled is None:  # the record holds marker characters of its own
        return _untraced(order, as_of)
    encoded, text_marks = settled
    entry: dict[str, Any] = {"case": case}
    if marks:
        entry["marks"] = marks
    if text_marks:
        entry["text_marks"] = text_marks
    return [span.lo, span.hi], entry, encoded


def _untraced(order: Any, as_of: date) -> tuple[list[int], dict[str, Any], bytes]:
    """The case computed for as_of alone, without markers."""
    from refundkit import cases
    from refundkit.plain import case_json

    day = as_of.toordinal()
    if order.purchased > as_of:
        return [day, day], {"case": None}, b""
    report = cases.report(order, as_of)
    case = dict(vars(CaseSummary.of(report)))
    text = case_json({**report.as_json(), "missing_files": []})
    return [day, day], {"case": case}, text.encode()


def absent_files(
    store: Store, stat: Stat, cases: list[CaseSummary]
) -> dict[str, list[MissingFile]]:
    """Evidence files gone from the disk, by order: a stat per file, cheap at any size.

    stat is os.stat relative to the orders folder (Store.stat_in_orders), so a file counts
    as present exactly when os.path.exists would say so."""
    missing: dict[str, list[MissingFile]] = {}
    for case in cases:
        for evidence_id, name, stored_as in case.evidence:
            try:  # joined as pathlib would: an absolute stored_as stands alone
                stat(os.path.join(case.id, stored_as))
            except (OSError, ValueError):
                path = store.order_dir(case.id) / stored_as
                missing.setdefault(case.id, []).append(
                    MissingFile(case.id, evidence_id, name, path)
                )
    return missing


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while thousands of records are built and printed.

    Loading creates millions of objects and no cycles, yet each collection rescans them all:
    computing 10,000 cases took twice as long with the collector on (measured: 7.6 s, 3.7 s).
    On the way out they are frozen (gc.freeze), or the first collection after would still
    scan every one of them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
