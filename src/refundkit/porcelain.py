"""`status --json`: one case as the contract's JSON object (cli-contract.md, "status --json").

Keys, ids, codes, dates and amounts never change with the interface's language; only the text
fields for a person (windows[].basis and notes, next_step.action, reason and notes) are
worded, by refundkit/words/, in the language in force. Anything else a person reads is given
as a code with its values (notices), and worded by `status` for the terminal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from refundkit.parse import format_money
from refundkit.words import terminal

if TYPE_CHECKING:
    from refundkit.cases import CaseReport
    from refundkit.rules import Assessment, Note, Window


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _money(value: Decimal | None) -> str | None:
    return format_money(value) if value is not None else None


def case_json(report: CaseReport) -> dict[str, Any]:
    o = report.order
    a = report.assessment
    data: dict[str, Any] = {
        "id": o.id,
        "merchant": o.merchant,
        "item": o.item,
        "amount": format_money(o.amount),
        "currency": o.currency,
        "purchased": o.purchased.isoformat(),
        "received": _day(o.received),
        "category": o.category.value,
        "problem": o.problem.value,
        "jurisdiction": o.jurisdiction.value,
        "platform": o.platform,
        "stage": a.stage.value,
        "windows": [window_json(w, a, o.id) for w in a.windows],
        "missing_evidence": [k.value for k in a.missing_evidence],
        "recommended_evidence": [k.value for k in a.recommended_evidence],
        "refunded": format_money(a.demand.refunded),
        "compensation_received": format_money(a.demand.compensation_received),
        "demand": {
            "kind": a.demand.kind,
            "price": format_money(a.demand.price),
            "compensation": _money(a.demand.compensation),
        },
        "grounds": [g.id for g in a.grounds],
        "channel": a.channel.value,
        "limitation": limitation_json(a),
        "next_step": step_json(a, o.id),
        "notices": [notice_json(n) for n in a.notices],
    }
    if report.files_missing is not None:
        data["missing_files"] = [
            {"evidence": c.evidence_id, "path": str(c.path)} for c in report.files_missing
        ]
    return data


def notice_json(note: Note) -> dict[str, Any]:
    """A notice as its code and values, e.g. {"code": "refused-what-unknown", "event": "t2",
    "on": "2026-11-20"}: the contract keeps its words out of the JSON, which never changes
    with the interface's language; `status` prints them."""
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in note.params.items()}
    return {"code": note.code, **values}


def window_json(w: Window, a: Assessment, order_id: str) -> dict[str, Any]:
    return {
        "rule": w.rule,
        "state": w.state.value,
        "start": _day(w.start),
        "deadline": _day(w.deadline),
        "days_left": w.days_left,
        "basis": terminal.window_basis(w, a.jurisdiction, order_id),
        "exercised": _day(w.exercised),
        "notes": [terminal.window_note(n) for n in w.notes],
    }


def step_json(a: Assessment, order_id: str) -> dict[str, Any]:
    s = a.step
    return {
        "code": s.code,
        "action": terminal.step_action(a, order_id),
        "by": _day(s.by),
        "overdue": s.overdue,
        "reason": terminal.step_reason(a),
        "needs_evidence": [k.value for k in s.needs_evidence],
        "notes": terminal.step_notes(a, order_id),
    }


def limitation_json(a: Assessment) -> dict[str, Any] | None:
    lim = a.limitation
    if lim is None:
        return None
    return {
        "basis": lim.basis,
        "date": _day(lim.safe),
        "later_if_interrupted": _day(lim.later),
    }
