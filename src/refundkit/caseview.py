"""`status ORDER` laid out for a terminal of a given width: what to do first, then the proof.

The order of the screen is the order of a person's questions. First the case in one line and
its facts, the next step with its date, and the warnings that call for action (evidence a
complaint needs, notices, lost files), bold and coloured, never dim. Then the return windows
with their law, the evidence with its notes, dates taken, bill source and recognised text,
and the case folder. The timeline comes last: it can be long.

Every line fits the width (refundkit.wrap breaks text at spaces and between CJK characters,
never inside a word; commands stay pasteable). The windows and the timeline are tables where
a table fits without folding a date, lines below that. Pure: lines of (text, style) segments,
printed by display.py. No rules live here: every date, state and step arrives computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refundkit import wrap
from refundkit.i18n import _, ngettext
from refundkit.kinds import WindowState
from refundkit.plain import BoxTable, Segments, money, urgency_style
from refundkit.sanitize import visible
from refundkit.words import names, terminal

if TYPE_CHECKING:
    from refundkit.cases import CaseReport
    from refundkit.models import Event, Evidence, Order
    from refundkit.rules import Window

INDENT = "  "
WARN = "bold yellow"  # a warning that calls for action
ALARM = "bold red"  # overdue, or proof lost
SEP = " · "


@dataclass(frozen=True)
class Extras:
    """What the case view shows beside the report, found on disk by the command."""

    folder: Path | None = None  # the case folder
    excerpts: dict[str, str] = field(default_factory=dict)  # evidence id -> recognised text
    unrecorded: tuple[Path, ...] = ()  # files in the evidence folder no record names


def case_lines(report: CaseReport, width: int, extras: Extras | None = None) -> list[Segments]:
    extras = extras or Extras()
    out: list[Segments] = []
    out += header(report, width)
    out += facts(report.order, report.stage.value, width)
    out += [[("", "")]]
    out += next_step(report, width)
    out += warnings(report, width)
    out += [[("", "")]]
    out += windows(report, width)
    out += limitation(report, width)
    out += [[("", "")]]
    out += evidence(report, extras, width)
    if extras.folder is not None:
        folder = _("Case folder: {path}").format(path=extras.folder)
        out += paragraph(visible(folder), width, keep=(visible(str(extras.folder)),))
    out += [[("", "")]]
    out += timeline(report, width)
    return out


# --- building blocks -----------------------------------------------------------------------


def paragraph(
    text: str,
    width: int,
    style: str = "",
    first: str = "",
    rest: str = INDENT,
    keep: tuple[str, ...] = (),
) -> list[Segments]:
    """text wrapped to width, each line one segment in style; the strings of keep (paths,
    file names) unbroken where they fit a line."""
    return [[(line, style)] for line in wrap.lines(text, width, first, rest, keep)]


def gap(label: str) -> str:
    """The space after a label: none after a full-width colon or bracket (Chinese), which
    carries its own."""
    return "" if label and wrap.char_width(label[-1]) == 2 else " "


def labelled(
    label: str, text: str, width: int, style: str = "", lead: str = "", rest: str = INDENT
) -> list[Segments]:
    """`label text` after lead, the label bold, the text wrapped under itself at rest."""
    lines = wrap.lines(text, width, f"{lead}{label}{gap(label)}", rest)
    head = lines[0][len(lead) + len(label) :]
    first: Segments = [(label, "bold"), (head, style)]
    return [[(lead, ""), *first] if lead else first, *([(line, style)] for line in lines[1:])]


def tabled(table: BoxTable, width: int) -> list[Segments] | None:
    """The table's lines if it fits width with its rows on two lines each, on average
    (folded deeper, a table reads worse than lines); None otherwise."""
    if table.width(width) > width or table.row_lines(width) > 2 * len(table.rows):
        return None
    return table.lines(width)


def _when(day: object, clock: object) -> str:
    return f"{day} {clock}" if clock else str(day)


def _joined(*parts: str | None) -> str:
    return SEP.join(p for p in parts if p)


# --- the case and its facts ----------------------------------------------------------------


def header(report: CaseReport, width: int) -> list[Segments]:
    o = report.order
    title = visible(_joined(o.merchant, o.item, money(o.amount, o.currency)))
    lines = wrap.lines(title, width, f"{o.id}  ", INDENT)
    return [[(o.id, "bold"), (lines[0][len(o.id) :], "bold")], *([(x, "bold")] for x in lines[1:])]


def bill_status_text(o: Order) -> str | None:
    """What the bill says of the payment, worded, with the bill's own words and amount."""
    if not o.bill_state:
        return o.bill_status
    amount = f" ({money(o.bill_refunded, o.currency)})" if o.bill_refunded else ""
    own = f" [{o.bill_status}]" if o.bill_status else ""
    return f"{names.bill_state(o.bill_state)}{amount}{own}"


def fact_rows(o: Order, stage: str) -> list[tuple[str, str]]:
    """The recorded facts, a few to a line, in words."""
    received = (
        _("received {when}").format(when=_when(o.received, o.received_time))
        if o.received
        else None  # a service has nothing to receive
        if o.category.is_service
        else _("not received yet")
    )
    rows = [
        (_("Stage"), names.stage(stage)),
        (_("Purchased"), _joined(_when(o.purchased, o.purchased_time), received)),
        (
            _("Order"),
            _joined(
                names.platform(o.platform) if o.platform else None,
                o.mini_program,
                _("order no. {number}").format(number=o.order_no) if o.order_no else None,
            ),
        ),
        (
            _("Payment"),
            _joined(
                names.payment_method(o.payment_method.value) if o.payment_method else None,
                _("transaction {number}").format(number=o.transaction_id)
                if o.transaction_id
                else None,
                _("bill status: {status}").format(status=bill_status_text(o))
                if o.bill_status or o.bill_state
                else None,
            ),
        ),
        (
            _("Case"),
            _joined(
                names.category(o.category.value),
                names.problem(o.problem.value),
                names.jurisdiction(o.jurisdiction.value),
                _("{used} of {units} used").format(used=o.units_used or 0, units=o.units)
                if o.units
                else None,
            ),
        ),
        (
            _("Merchant"),
            _joined(
                _("run by {operator}").format(operator=o.operator) if o.operator else None,
                o.merchant_address,
                _("phone {phone}").format(phone=o.merchant_phone) if o.merchant_phone else None,
            ),
        ),
        (_("Details"), o.details or ""),
        (_("Note (private)"), o.note or ""),
    ]
    return [(label, value) for label, value in rows if value]


def facts(o: Order, stage: str, width: int) -> list[Segments]:
    """The facts as label and value, the values wrapped beside their labels (under them on
    a terminal too narrow for both)."""
    rows = fact_rows(o, stage)
    column = max(wrap.cell_width(label) for label, _ in rows) + 2
    beside = width - len(INDENT) - column >= 20
    out: list[Segments] = []
    for label, value in rows:
        text = visible(value, block=True)
        if not beside:
            out.append([(INDENT + label, "dim")])
            out += paragraph(text, width, first=INDENT * 2, rest=INDENT * 2)
            continue
        lead = INDENT + label + " " * (column - wrap.cell_width(label))
        lines = wrap.lines(text, width, lead, " " * (len(INDENT) + column))
        out.append([(lead, "dim"), (lines[0][len(lead) :], "")])
        out += [[(line, "")] for line in lines[1:]]
    return out


# --- what to do ----------------------------------------------------------------------------


def next_step(report: CaseReport, width: int) -> list[Segments]:
    """The next step with its date first; its reason; its caveats as warnings."""
    a = report.assessment
    step = a.step
    action = visible(terminal.step_action(a, report.order.id))
    if step.by and step.overdue:  # the date was the last day in time: overdue from the next
        label, style = _("Next step (was due by {date}, now overdue):").format(date=step.by), ALARM
    elif step.by and step.by.isoformat() not in action:  # else the action says it already
        label, style = _("Next step (by {date}):").format(date=step.by), "bold"
    else:
        label, style = _("Next step:"), "bold"
    lines = wrap.lines(action, width, label + gap(label), INDENT)
    out: list[Segments] = [[(label, style), (lines[0][len(label) :], "")]]
    out += [[(line, "")] for line in lines[1:]]
    reason = terminal.step_reason(a)
    if reason:
        out += paragraph(visible(reason), width, first=INDENT, rest=INDENT)
    for note in terminal.step_notes(a, report.order.id):
        out += paragraph(visible(note), width, WARN, first=INDENT, rest=INDENT * 2)
    return out


def warnings(report: CaseReport, width: int) -> list[Segments]:
    """Evidence a complaint needs (unless the step already asks for it), notices about the
    record, and proof gone from the disk."""
    a, order_id = report.assessment, report.order.id
    out: list[Segments] = []
    missing = [k for k in report.missing if k not in a.step.needs_evidence]
    if missing:
        text = _(
            "Missing evidence a complaint needs: {kinds}. Add it with "
            "`refundkit add-evidence {id} --kind {kind}`, which asks for the file."
        ).format(
            kinds=listed(names.evidence_kind(k.value) for k in missing),
            id=order_id,
            kind=missing[0].value,
        )
        out += paragraph(visible(text), width, WARN)
    for note in a.notices:
        out += paragraph(visible(terminal.notice_text(note, order_id)), width, WARN)
    for check in report.files_missing or ():
        text = _(
            "missing: {path} (evidence {evidence} of order {order}, {name}); restore it from a "
            "backup, then run `refundkit verify`"
        ).format(path=check.path, evidence=check.evidence_id, order=order_id, name=check.name)
        out += paragraph(visible(text), width, ALARM, keep=(visible(str(check.path)),))
    return out


def listed(items: Any) -> str:
    # The separator of a list of names (、 in Chinese).
    return _(", ").join(items)


# --- the law -------------------------------------------------------------------------------


def windows(report: CaseReport, width: int) -> list[Segments]:
    """The return windows that apply: a table where one fits without folding a date, then
    each window's law; below that width, a heading line per window with its law under it.
    The windows that do not apply come last, each with why."""
    a, order_id = report.assessment, report.order.id
    out: list[Segments] = [[(_("Return windows"), "bold")]]
    applying = tuple(w for w in a.windows if w.applies)
    table = tabled(windows_table(applying), width) if applying else None
    fits = table is not None
    out += table or []
    indent = "" if fits else INDENT
    for w in (*applying, *(w for w in a.windows if not w.applies)):
        name = _("{rule}:").format(rule=names.rule(w.rule))
        basis = visible(terminal.window_basis(w, a.jurisdiction, order_id))
        if fits or not w.applies:  # its law beside its name (the table has its state)
            out += labelled(name, basis, width, lead=indent, rest=indent + INDENT)
        else:  # its state beside its name, its law below
            out += labelled(name, window_state(w), width, urgency_style(w), INDENT, INDENT * 2)
            out += paragraph(basis, width, first=INDENT * 2, rest=INDENT * 2)
        if fits and w.exercised and w.exercised_by:  # the table says only "exercised"
            text = _("exercised on {date} ({event})").format(date=w.exercised, event=w.exercised_by)
            out += paragraph(visible(text), width, "green", indent + INDENT, indent + INDENT)
        for note in w.notes:
            text = _("note: {note}").format(note=terminal.window_note(note))
            out += paragraph(visible(text), width, "yellow", indent + INDENT, indent + INDENT * 2)
    return out


def window_state(w: Window) -> str:
    """A window's state in a line, with its dates: open until, with the days left;
    exercised on; ended ...; and when it ran."""
    text = terminal.window_state_text(w)
    if w.state is WindowState.OPEN and w.days_left is not None and w.exercised is None:
        left = ngettext("({count} day left)", "({count} days left)", w.days_left)
        text += _(" {days_left}").format(days_left=left.format(count=w.days_left))
        if w.start:
            text += SEP + _("counted from {date}").format(date=w.start)
    elif w.start and w.deadline:
        text += SEP + _("from {start} to {end}").format(start=w.start, end=w.deadline)
    return text


def windows_table(ws: tuple[Window, ...]) -> BoxTable:
    rows, styles = [], {}
    for row, w in enumerate(ws):
        state = "exercised" if w.exercised else w.state.value
        rows.append(
            [
                names.rule(w.rule),
                names.window_state(state),
                str(w.start or "-"),
                str(w.deadline or "-"),
                "-" if w.days_left is None or w.exercised else str(w.days_left),
            ]
        )
        styles[row, 1] = urgency_style(w)
    headers = [_("Rule"), _("State"), _("From"), _("Last day"), _("Days left")]
    return BoxTable("", headers, rows, fold=(0, 1), styles=styles, right=(4,))


def limitation(report: CaseReport, width: int) -> list[Segments]:
    lim = report.assessment.limitation
    if lim is None or not (lim.safe or lim.basis != "cn-188"):
        return []
    return paragraph(visible(terminal.limitation_text(lim)), width)


# --- the proof -----------------------------------------------------------------------------


def evidence(report: CaseReport, extras: Extras, width: int) -> list[Segments]:
    """Each piece of evidence: its file, kind and dates on a line, its note, where it came
    from and the start of its recognised text below."""
    out: list[Segments] = [[(_("Evidence"), "bold")]]
    entries = report.order.evidence
    if not entries:
        out += paragraph(_("none attached yet"), width, first=INDENT)
    for e in entries:
        line = _joined(
            visible(e.original_name),
            names.evidence_kind(e.kind.value),
            _("taken {date}").format(date=e.taken) if e.taken else None,
            _("added {date}").format(date=e.added.date()),
            f"sha256\u00a0{e.sha256[:12]}",  # a no-break space: the digest stays by its name
        )
        name = (visible(e.original_name),)
        lines = wrap.lines(line, width, f"{INDENT}{e.id}  ", INDENT * 3, keep=name)
        out.append([(INDENT, ""), (e.id, "bold"), (lines[0][len(INDENT) + len(e.id) :], "")])
        out += [[(x, "")] for x in lines[1:]]
        for text in evidence_notes(e, extras):
            out += paragraph(text, width, first=INDENT * 3, rest=INDENT * 3)
    if report.recommended:
        kinds = listed(names.evidence_kind(k.value) for k in report.recommended)
        out += paragraph(_("Recommended too: {kinds}").format(kinds=kinds), width, first=INDENT)
    for path in extras.unrecorded:
        text = _(
            "unrecorded file: {path} (no record names it: left by an interrupted add-evidence, "
            "which the next change to the order removes, or put there by hand)"
        ).format(path=path)
        kept = (visible(str(path)),)
        out += paragraph(visible(text), width, WARN, first=INDENT, rest=INDENT * 2, keep=kept)
    return out


def evidence_notes(e: Evidence, extras: Extras) -> list[str]:
    notes = []
    if e.note:
        notes.append(visible(e.note, block=True))
    source = (e.model_extra or {}).get("source")
    if isinstance(source, dict) and isinstance(source.get("bill"), str):
        notes.append(visible(terminal.evidence_source(source)))
    if e.id in extras.excerpts:
        notes.append(visible(_("Recognised text: {text}").format(text=extras.excerpts[e.id])))
    return notes


# --- what happened -------------------------------------------------------------------------


def timeline(report: CaseReport, width: int) -> list[Segments]:
    """The timeline: a table where it fits, else a line per event with its details below.
    Withdrawn events stay, marked; corrections show the old value beside the new."""
    from refundkit.models import sorted_events

    o = report.order
    rows = [[str(o.purchased), "", names.event_kind("purchased"), ""]]
    if o.received:
        rows.append([str(o.received), "", names.event_kind("received"), ""])
    styles: dict[tuple[int, int], str] = {}
    for e in sorted_events(o.events):
        if e.withdrawn:
            styles[len(rows), 2] = "strike dim"
        rows.append([_when(e.on, e.at), e.id, names.event_kind(e.kind.value), details(e, o)])
    title = _("Timeline")
    heads = [_("Date"), _("ID"), _("Event"), _("Details")]
    table = tabled(BoxTable(title, heads, rows, (3, 2), styles), width)
    if table is not None:
        return table
    out: list[Segments] = [[(title, "bold")]]
    for n, (day, event_id, kind, text) in enumerate(rows):
        head = f"{INDENT}{day}  " + (f"{event_id}  " if event_id else "")
        lines = wrap.lines(kind, width, head, INDENT * 3)
        out.append([(head, ""), (lines[0][len(head) :], styles.get((n, 2), ""))])
        out += [[(x, "")] for x in lines[1:]]
        if text:
            out += paragraph(visible(text, block=True), width, first=INDENT * 3, rest=INDENT * 3)
    return out


def details(e: Event, o: Order) -> str:
    """What an event says beside its kind, in words; its corrections and withdrawal."""
    parts = [
        money(e.amount, o.currency) if e.amount else "",
        _("asked for {what}").format(what=names.request(e.asked.value)) if e.asked else "",
        _("refused {what}").format(what=names.request(e.refused.value)) if e.refused else "",
        _("because {reason}").format(reason=names.refusal_reason(e.reason.value))
        if e.reason
        else "",
        _("outcome: {outcome}").format(outcome=names.outcome(e.outcome.value)) if e.outcome else "",
        names.channel(e.channel.value) if e.channel else "",
        _("ref {ref}").format(ref=e.ref) if e.ref else "",
        e.note or "",
    ]
    parts += [
        _("corrected {date}: {field} {old} → {new}").format(
            date=f"{c.recorded:%Y-%m-%d}", field=c.field, old=c.old, new=c.new
        )
        for c in e.corrections
    ]
    if e.withdrawn:
        withdrawn = _("WITHDRAWN {date}").format(date=f"{e.withdrawn:%Y-%m-%d}")
        why = e.withdrawn_why
        parts.append(
            _("{withdrawn}: {why}").format(withdrawn=withdrawn, why=why) if why else withdrawn
        )
    return SEP.join(p for p in parts if p)
