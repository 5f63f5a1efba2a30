"""Output without rich, for the commands whose speed matters: status's overview, verify and
add-evidence (display.py, with rich, shows one case in full and everything else).

rich lays out every cell of a table (measure, wrap, pad, style, crop) and costs 45 ms of
imports; a table of 10,000 cases took it 15 to 30 s. Here each cell is measured once, only the
free-text columns fold when the terminal is too narrow, and the lines are written in one go.
The overview fits the terminal (COLUMNS, else its width; a pipe takes lines of any length):
every column side by side where they fit, related values stacked in fewer columns where that
is shorter, and a list of blocks below LIST_BELOW columns. Text folds as refundkit.wrap breaks
it, at spaces and between CJK characters, never inside a word.
The look follows display.py (a bold header over a rule, urgency colours), and colour is used
only on a terminal, as rich does: NO_COLOR turns it off, FORCE_COLOR on. Every fact is shown
through sanitize.visible: a control or format character in a name never reaches the terminal.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from refundkit import dayspan, wrap
from refundkit.i18n import _, ngettext
from refundkit.kinds import WindowState
from refundkit.sanitize import visible
from refundkit.wrap import cell_width, fold

if TYPE_CHECKING:
    from decimal import Decimal

    from refundkit.evidence import Check
    from refundkit.models import Evidence
    from refundkit.overview import CaseSummary, MissingFile, Overview, Text
    from refundkit.rules import Window
    from refundkit.store import DamagedOrder

SYMBOLS = {"CNY": "¥", "EUR": "€", "GBP": "£", "USD": "$"}
ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
GAP = "  "


def money(amount: Decimal, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


def urgency_style(window: Window | None) -> str:
    if window is None or window.state is WindowState.NOT_APPLICABLE:
        return "dim"
    if window.exercised is not None:
        return "green"  # used in time: nothing urgent about it any more
    if window.state is WindowState.EXPIRED:
        return "red"
    if window.state is WindowState.NOT_STARTED:
        return "cyan"
    if window.days_left is not None:
        return dayspan.closeness(window.days_left)  # bold yellow within two days
    return "green"


def deadline_text(window: Window | None) -> str:
    """The best window's last day, compact for the overview."""
    if window is None or window.state is WindowState.NOT_APPLICABLE:
        return _("none")
    if window.exercised is not None:
        return _("used {date}").format(date=window.exercised)
    if window.state is WindowState.NOT_STARTED:
        return _("not started")
    return str(window.deadline)


def left_text(window: Window | None) -> str:
    if window is None or window.days_left is None or window.exercised is not None:
        return "-"
    return str(window.days_left)


def shown(text: str) -> str:
    """text as it may be printed (see sanitize.visible), with a check in C for the common
    case: a 10,000-row table runs this on every free-text cell."""
    return text if text.isprintable() else visible(text)


# --- the overview ---------------------------------------------------------------------------


def print_overview(view: Overview) -> None:
    lines = overview_lines(view, painter(), available_width())
    sys.stdout.write("".join(line + "\n" for line in lines))


def overview_lines(view: Overview, paint: Painter, limit: int | None) -> list[str]:
    """What `status` prints: the cases (a table, or a list on a narrow terminal), then what the
    user should set right, every line no wider than limit (None: any width) where words allow."""
    width = limit or sys.maxsize
    lines: list[str] = []
    if not view.cases and not view.damaged:
        lines += wrap.lines(
            _("No open cases. Record one with `refundkit add-order` (or try `refundkit demo`)."),
            width,
        )
    if view.cases:
        lines += [_("refundkit cases as of {date}").format(date=view.as_of), ""]
        lines += case_lines(view.cases, paint, limit)
        caption = _(
            "Deadline: the last day of the best return window. Every window of a case: "
            "`refundkit status {id}`."
        ).format(id=view.cases[0].id)
        lines += ["", *(paint(line, "dim") for line in wrap.lines(caption, width))]
    for case in view.cases:
        for text in case.notices:
            if limit is None:  # a pipe: one line each, as it is
                lead = _("{id}: ").format(id=case.id)
                lines.append(paint(visible(lead + text), "bold yellow"))
            else:
                lines += notice_lines(case.id, visible(text), width, paint)
    for d in view.damaged:
        text = _("damaged: {path}: {error}").format(path=d.path, error=d.error)
        lines += warning(visible(text), width, paint, "bold red", d.path)
    for missing in view.missing_files.values():
        for m in missing:
            text = _(
                "missing: {path} (evidence {evidence} of order {order}, {name}); restore it "
                "from a backup, then run `refundkit verify`"
            ).format(path=m.path, evidence=m.evidence_id, order=m.order_id, name=m.name)
            lines += warning(visible(text), width, paint, "bold red", m.path)
    return lines


def notice_lines(order_id: str, text: str, width: int, paint: Painter) -> list[str]:
    """A case's notice, led by its id. Thousands of cases share a few notices that differ by
    their id alone: laid out once with the id masked (by as many characters that break and
    measure as its own do), then the id put back."""
    mask = ID_MASK * len(order_id)
    laid_out = _laid_out(text.replace(order_id, mask), width, _("{id}: ").format(id=mask))
    return [paint(line.replace(mask, order_id), "bold yellow") for line in laid_out]


ID_MASK = "\ue000"  # a private-use character: one cell wide, no break beside it, as [a-z0-9]


@functools.lru_cache(maxsize=256)
def _laid_out(text: str, width: int, lead: str) -> tuple[str, ...]:
    return tuple(wrap.lines(text, width, lead, "  "))


def warning(text: str, width: int, paint: Painter, style: str, path: object) -> list[str]:
    """A sentence that calls for action about a file: wrapped to width (the path unbroken
    where it fits a line), every line in style."""
    keep = (visible(str(path)),)
    return [paint(line, style) for line in wrap.lines(text, width, rest="  ", keep=keep)]


def print_evidence_added(added: list[Evidence]) -> None:
    from refundkit.words import names

    paint = painter()
    for e in added:
        size = paint(f"  {human_size(e.size)}  sha256 {e.sha256[:16]}…", "dim")
        line = _("Added {id} ({kind}): {name}").format(
            id=e.id,
            kind=names.shown(names.evidence_kind, e.kind.value, with_code=False),
            name=visible(e.original_name),
        )
        sys.stdout.write(f"{line}{size}\n")


def unrecorded_hint() -> str:
    return _(
        "unrecorded: a file in an evidence folder that no record names, left by an interrupted "
        "add-evidence (the next change to that order removes it) or put there by hand"
    )


def check_label(status: str) -> str:
    """A verify status in the interface's language (the code itself in English)."""
    return {
        "ok": _("ok"),
        "modified": _("modified"),
        "missing": _("missing"),
        "unreadable": _("unreadable"),
        "not a regular file": _("not a regular file"),
        "unrecorded": _("unrecorded"),
    }.get(status, status)


def print_checks(checks: list[Check], damaged: list[DamagedOrder]) -> None:
    """verify's report: one line per stored file, then what is wrong beside the records."""
    paint = painter()
    styles = {"ok": "green", "unrecorded": "yellow"}
    labels = [check_label(c.status) for c in checks]
    width = max((cell_width(label) for label in labels), default=8)
    lines = [
        paint(label + " " * (width - cell_width(label)), styles.get(c.status, "bold red"))
        + visible(f" {c.order_id} {c.evidence_id} {c.name}")
        for c, label in zip(checks, labels, strict=True)
    ]
    lines += [
        paint(visible(_("damaged: {path}: {error}").format(path=d.path, error=d.error)), "bold red")
        for d in damaged
    ]
    recorded = [c for c in checks if c.status != "unrecorded"]
    unrecorded = len(checks) - len(recorded)
    bad = sum(c.status != "ok" for c in recorded)
    if unrecorded:
        lines.append(paint(unrecorded_hint(), "dim"))
    total = ngettext(
        "{n} file checked, {bad} not ok", "{n} files checked, {bad} not ok", len(recorded)
    ).format(n=len(recorded), bad=bad)
    if unrecorded:
        total += _(", {n} unrecorded").format(n=unrecorded)
    if damaged:
        total += ngettext(", {n} damaged order", ", {n} damaged orders", len(damaged)).format(
            n=len(damaged)
        )
    lines.append(total)
    sys.stdout.write("".join(line + "\n" for line in lines))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def print_overview_json(view: Overview) -> None:
    output = overview_json(view)
    sys.stdout.flush()
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()


def overview_json(view: Overview) -> bytes:
    """`status --json` and its newline: exactly what json.dumps(..., ensure_ascii=False,
    indent=2) would write, put together from each case's cached text (Overview.porcelain)
    rather than encoded again (encoding 10,000 cases took a quarter of the run, measured),
    in one join (each copy of 10,000 cases' 33 MB costs 10 ms)."""
    head = f'{{\n  "as_of": {json.dumps(view.as_of.isoformat())},\n  "orders": '.encode()
    pieces: list[bytes | memoryview] = [head, b"[\n    " if view.cases else b"[]"]
    for n, case in enumerate(view.cases):
        if n:
            pieces.append(b",\n    ")
        text = with_missing_files(view.porcelain[case.id], view.missing_files.get(case.id))
        if isinstance(text, list):
            pieces += text
        else:
            pieces.append(text)
    if view.cases:
        pieces.append(b"\n  ]")
    if view.damaged:
        damaged = [{"id": d.id, "path": str(d.path), "error": d.error} for d in view.damaged]
        listed = nested(json.dumps(damaged, ensure_ascii=False, indent=2), 1)
        pieces.append(f',\n  "damaged": {listed}'.encode())
    pieces.append(b"\n}\n")
    return b"".join(pieces)


def with_missing_files(porcelain: Text, missing: list[MissingFile] | None) -> Text:
    """A case's JSON text with its lost files: rare, so decoded and encoded again."""
    if not missing:
        return porcelain
    data = json.loads(b"".join(porcelain) if isinstance(porcelain, list) else bytes(porcelain))
    data["missing_files"] = [{"evidence": m.evidence_id, "path": str(m.path)} for m in missing]
    return case_json(data).encode()


def case_json(data: dict[str, Any]) -> str:
    """One case as json.dumps(indent=2) writes it two levels in, inside "orders".

    pydantic-core's encoder writes the same bytes seven times faster (0.006 ms a case
    against 0.043), but takes 10 ms to import: so it is used once loaded (to validate a
    record), or from the FAST_FROM-th case of a run on, and json.dumps for the few cases
    the first status of a day computes from light records. json.dumps is kept too for what
    UTF-8 cannot hold (a lone surrogate from a file name), which it passes through.
    """
    _ENCODED[0] += 1
    if "pydantic_core" in sys.modules or _ENCODED[0] >= FAST_FROM:
        from pydantic_core import to_json

        try:
            return nested(to_json(data, indent=2).decode(), 2)
        except ValueError:
            pass
    return nested(json.dumps(data, ensure_ascii=False, indent=2), 2)


FAST_FROM = 250  # cases: pydantic-core's import (10 ms) pays for itself from about here
_ENCODED = [0]  # cases written in this run


def nested(text: str, depth: int) -> str:
    return text.replace("\n", "\n" + "  " * depth)


LIST_BELOW = 60  # columns: a narrower terminal gets a list, one block per case


class Field:
    """One value of every case (their merchants, their deadlines ...), each cell measured
    once however many layouts are tried."""

    def __init__(self, header: str, texts: list[str]) -> None:
        self.header = header
        self.texts = texts
        wide: dict[str, int] = {}  # one shop's name, measured once for all its orders
        self.sizes = [
            len(t) if t.isascii() else wide[t] if t in wide else wide.setdefault(t, cell_width(t))
            for t in texts
        ]


@dataclass
class Column:
    """One column of the overview: one field, or two stacked in each cell; the narrowest it
    may fold to (0: it never folds), its alignment and its styles."""

    fields: tuple[Field, ...]
    floor: int = 0
    right: bool = False
    styles: list[str] | None = None

    def __post_init__(self) -> None:
        self.headers = [f.header for f in self.fields]
        sizes = [f.sizes for f in self.fields]
        self.sizes = sizes[0] if len(sizes) == 1 else list(map(max, *sizes))
        self.natural = max(max(map(cell_width, self.headers)), *self.sizes)

    def narrowest(self) -> int:
        """How narrow folding may make it: its floor, or its longest word (up to WORD_MAX)
        so that no word is cut, and never wider than it is."""
        if not self.floor or self.natural <= self.floor:
            return self.natural
        texts = {text for f in self.fields for text in f.texts} | set(self.headers)
        longest = max(map(wrap.longest_word, texts))
        return min(self.natural, max(self.floor, min(longest, WORD_MAX)))

    def cell_lines(self, row: int, width: int) -> list[tuple[str, int]]:
        """A cell's lines: each field's value on lines of its own, folded to width."""
        pieces: list[tuple[str, int]] = []
        for f in self.fields:
            text, size = f.texts[row], f.sizes[row]
            pieces += wrap.fold(text, width) if size > width else [(text, size)]
        return pieces


WORD_MAX = 24  # a word longer than this may be cut when a column folds


class Names:
    """The codes' names in the interface's language, each looked up once: 10,000 rows share
    a handful of stages and lists of missing evidence."""

    def __init__(self, cases: list[CaseSummary]) -> None:
        from refundkit.words import names

        self.stage = {code: names.stage(code) for code in {c.stage for c in cases}}
        # The separator of a list of names (、 in Chinese).
        sep = _(", ")
        self.kinds = {
            kinds: sep.join(map(names.evidence_kind, kinds)) or "-"
            for kinds in {tuple(c.missing) for c in cases}
        }


class Fields:
    """What the overview shows of the cases, field by field, in the interface's language."""

    def __init__(self, cases: list[CaseSummary]) -> None:
        names = Names(cases)
        self.id = Field(_("ID"), [shown(c.id) for c in cases])
        self.merchant = Field(_("Merchant"), [shown(c.merchant) for c in cases])
        self.item = Field(_("Item"), [shown(c.item) for c in cases])
        self.amount = Field(_("Amount"), [c.amount for c in cases])
        self.stage = Field(_("Stage"), [names.stage[c.stage] for c in cases])
        self.deadline = Field(_("Deadline"), [c.deadline for c in cases])
        self.left = Field(_("Left"), [c.left for c in cases])
        self.missing = Field(_("Missing"), [names.kinds[tuple(c.missing)] for c in cases])
        self.step = Field(_("Next step"), [shown(c.step) for c in cases])
        self.bold = ["bold"] * len(cases)
        self.urgency = [c.urgency for c in cases]
        self.left_styles = ["dim" if c.left == "-" else c.urgency for c in cases]


def case_lines(cases: list[CaseSummary], paint: Painter, limit: int | None) -> list[str]:
    """The cases as a table that fits limit: every column side by side where nothing has to
    fold; else the shorter of that and a table with related values stacked in one column;
    else (and always below LIST_BELOW) as a list."""
    if limit is not None and limit < LIST_BELOW:
        return list_lines(cases, Names(cases), paint, limit)
    fields = Fields(cases)
    wide = wide_columns(fields)
    widths = fit(wide, limit)
    if widths == [c.natural for c in wide]:  # nothing folds: the common case
        return table_lines(wide, widths, paint)
    stacked = stacked_columns(fields)
    tables = [(c, w) for c, w in ((wide, widths), (stacked, fit(stacked, limit))) if w]
    if not tables:
        return list_lines(cases, Names(cases), paint, limit or sys.maxsize)
    # The shorter table: a wide one whose cells fold deep reads worse than a stacked one.
    columns, widths = min(tables, key=lambda table: height(*table))
    return table_lines(columns, widths, paint)


def height(columns: list[Column], widths: list[int] | None) -> int:
    """About how many lines the table's rows take (as if folding filled each line)."""
    assert widths is not None
    rows = [1] * len(columns[0].sizes)
    for column, width in zip(columns, widths, strict=True):
        if len(column.fields) > 1 or max(column.sizes) > width:
            cells = zip(*(f.sizes for f in column.fields), strict=True)
            rows = list(map(max, rows, (sum(-(-n // width) for n in cell) for cell in cells)))
    return sum(rows)


def wide_columns(f: Fields) -> list[Column]:
    return [
        Column((f.id,), styles=f.bold),
        Column((f.merchant,), floor=12),
        Column((f.item,), floor=12),
        Column((f.amount,), right=True),
        Column((f.stage,), floor=8),
        Column((f.deadline,), floor=10, styles=f.urgency),
        Column((f.left,), right=True, styles=f.left_styles),
        Column((f.missing,), floor=12),
        Column((f.step,), floor=20),
    ]


def stacked_columns(f: Fields) -> list[Column]:
    """Fewer, taller columns for a terminal of 60 to about 100 columns: merchant over item,
    deadline over days left, stage over next step."""
    return [
        Column((f.id,), styles=f.bold),
        Column((f.merchant, f.item), floor=10),
        Column((f.amount,), right=True),
        Column((f.deadline, f.left), floor=10, right=True, styles=f.urgency),
        Column((f.stage, f.step), floor=12),
        Column((f.missing,), floor=8),
    ]


def fit(columns: list[Column], limit: int | None) -> list[int] | None:
    """Each column's width so that the table fits limit, the widest folding column giving
    way first, a cell at a time (so no column is squeezed while another stays wide); None if
    it cannot fit without cutting words."""
    widths = [c.natural for c in columns]
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - (limit or sys.maxsize)
    if excess <= 0:
        return widths
    floors = [c.narrowest() for c in columns]
    if sum(widths) - sum(floors) < excess:
        return None
    for _step in range(excess):
        widest = max(
            (i for i in range(len(widths)) if widths[i] > floors[i]), key=widths.__getitem__
        )
        widths[widest] -= 1
    return widths


def table_lines(columns: list[Column], widths: list[int], paint: Painter) -> list[str]:
    """The table: the inner loop of a 10,000-case listing. Each line of stacked cells (a
    tier: merchants, then items below them) is padded and joined column by column in one go;
    only the rows where some cell folds are laid out one by one (wrap.fold is cached)."""
    lines = []
    for depth in range(max(len(c.headers) for c in columns)):
        head = [
            padded(c.headers[depth], width - cell_width(c.headers[depth]), c.right)
            if depth < len(c.headers)
            else " " * width
            for c, width in zip(columns, widths, strict=True)
        ]
        lines.append(paint(GAP.join(head).rstrip(), "bold"))
    lines.append("─" * (sum(widths) + len(GAP) * (len(widths) - 1)))
    count = len(columns[0].sizes)
    height = max(len(c.fields) for c in columns)
    cells = [
        [tier_cells(c, depth, width, paint, count) for depth in range(height)]
        for c, width in zip(columns, widths, strict=True)
    ]  # column -> depth -> row -> the padded text
    tiers = [
        [GAP.join(parts).rstrip() for parts in zip(*(c[depth] for c in cells), strict=True)]
        for depth in range(height)
    ]
    folds = [
        {row for row, size in enumerate(c.sizes) if size > width} if max(c.sizes) > width else set()
        for c, width in zip(columns, widths, strict=True)
    ]
    folding = set().union(*folds)
    if not folding and len(tiers) == 1:  # nothing folds, nothing stacks: the lines are ready
        return lines + tiers[0]
    for row in range(count):
        if row in folding:
            lines += folded_row(columns, widths, row, paint, cells, folds)
        else:
            lines += [tier[row] for tier in tiers]
    return lines


def tier_cells(column: Column, depth: int, width: int, paint: Painter, count: int) -> list[str]:
    """The column's cells padded to width on one line of its rows: its depth-th field (blank
    where it stacks fewer), painted in their styles on a terminal."""
    if depth >= len(column.fields):
        return [" " * width] * count
    field = column.fields[depth]
    if column.right:
        cells = [" " * (width - n) + t for t, n in zip(field.texts, field.sizes, strict=True)]
    else:
        cells = [t + " " * (width - n) for t, n in zip(field.texts, field.sizes, strict=True)]
    if column.styles and paint.colour:
        cells = [paint(cell, style) for cell, style in zip(cells, column.styles, strict=True)]
    return cells


def folded_row(
    columns: list[Column],
    widths: list[int],
    row: int,
    paint: Painter,
    cells: list[list[list[str]]],
    folds: list[set[int]],
) -> list[str]:
    """A row some of whose cells fold: each cell's lines, the shorter cells left blank below.
    The cells that do not fold are the ones table_lines padded already."""
    lines = []
    for i, (column, width) in enumerate(zip(columns, widths, strict=True)):
        if row not in folds[i]:
            lines.append([tier[row] for tier in cells[i][: len(column.fields)]])
            continue
        style = column.styles[row] if column.styles else ""
        pieces = column.cell_lines(row, width)
        lines.append([paint(padded(t, width - n, column.right), style) for t, n in pieces])
    height = max(map(len, lines))
    for cell, width in zip(lines, widths, strict=True):
        cell += [" " * width] * (height - len(cell))
    return [GAP.join(parts).rstrip() for parts in zip(*lines, strict=True)]


def list_lines(cases: list[CaseSummary], names: Names, paint: Painter, width: int) -> list[str]:
    """The cases for a narrow terminal: a block of a few labelled lines each."""
    lines: list[str] = []
    for c in cases:
        if lines:
            lines.append("")
        head = wrap.lines(f"{shown(c.merchant)} · {shown(c.item)}", width, f"{c.id}  ", "  ")
        lines += [paint(c.id, "bold") + head[0][len(c.id) :], *head[1:]]
        lines += wrap.lines(f"{c.amount} · {names.stage[c.stage]}", width, "  ", "    ")
        deadline = _("Deadline: {deadline}").format(deadline=days_phrase(c.deadline, c.left))
        lines += [paint(x, c.urgency) for x in wrap.lines(deadline, width, "  ", "    ")]
        if c.missing:
            missing = _("Missing: {kinds}").format(kinds=names.kinds[tuple(c.missing)])
            lines += wrap.lines(missing, width, "  ", "    ")
        lines += wrap.lines(_("Next step: {step}").format(step=shown(c.step)), width, "  ", "    ")
    return lines


def days_phrase(deadline: str, left: str) -> str:
    """The deadline with its days left, or since when it passed, as a phrase."""
    try:
        days = int(left)
    except ValueError:
        return deadline
    if days >= 0:
        return ngettext(
            "{deadline} ({count} day left)", "{deadline} ({count} days left)", days
        ).format(deadline=deadline, count=days)
    return ngettext(
        "{deadline} (ended {count} day ago)", "{deadline} (ended {count} days ago)", -days
    ).format(deadline=deadline, count=-days)


def padded(text: str, space: int, right: bool) -> str:
    return " " * space + text if right else text + " " * space


Segments = list[tuple[str, str]]  # one printed line: (text, rich style) pieces
Layout = tuple[list[list[str]], list[list[int]], list[int]]  # cells, sizes, column widths


class BoxTable:
    """A table drawn as rich draws its default one (a heavy head, then light rules), laid out
    here. rich measures, wraps and pads every cell as an object: a timeline of 20,000 events
    took it 4 s to show, and this 0.1 s. It is a rich renderable (rich is imported only when
    it is printed), so display.py prints it among its own tables with the same console.

    Cells are shown through visible(); the columns in fold wrap (at spaces and between CJK
    characters, as refundkit.wrap breaks them) when the table is wider than the console, each
    down to its longest word, so that no word is cut; the columns in right are right-aligned;
    styles gives a style to single cells, by (row, column). `width` says how wide it will be:
    a caller can show something else where even folded it would not fit.
    """

    def __init__(
        self,
        title: str,
        headers: list[str],
        rows: list[list[str]],
        fold: tuple[int, ...] = (),
        styles: dict[tuple[int, int], str] | None = None,
        right: tuple[int, ...] = (),
    ) -> None:
        self.title = title
        self.headers = headers
        # A note's own line breaks stay line breaks in its cell, as rich would show them.
        self.rows = [[_block_cell(cell) for cell in row] for row in rows]
        self.fold = fold
        self.styles = styles or {}
        self.right = right
        self._layouts: dict[int | None, Layout] = {}

    def _layout(self, limit: int | None) -> Layout:
        """The cells by column, their widths, and each column's width within limit."""
        if limit not in self._layouts:
            self._layouts[limit] = self._lay_out(limit)
        return self._layouts[limit]

    def _lay_out(self, limit: int | None) -> Layout:
        columns = [list(column) for column in zip(*self.rows, strict=True)] or [
            [] for _ in self.headers
        ]
        sizes = [
            [len(t) if t.isascii() and "\n" not in t else _height_width(t) for t in column]
            for column in columns
        ]
        widths = [max([cell_width(h), *size]) for h, size in zip(self.headers, sizes, strict=True)]
        excess = sum(widths) + 3 * len(widths) + 1 - (limit or sys.maxsize)
        for column in self.fold:
            if excess > 0:
                floor = min(widths[column], max(10, _longest_word(columns[column])))
                narrower = max(floor, widths[column] - excess)
                excess -= widths[column] - narrower
                widths[column] = narrower
        for i in self.right:
            columns[i] = [
                " " * (widths[i] - n) + t for t, n in zip(columns[i], sizes[i], strict=True)
            ]
            sizes[i] = [max(n, widths[i]) for n in sizes[i]]
        return columns, sizes, widths

    def width(self, limit: int | None) -> int:
        """How wide the table is once folded to fit limit as far as it can."""
        widths = self._layout(limit)[2]
        return sum(widths) + 3 * len(widths) + 1

    def row_lines(self, limit: int | None) -> int:
        """About how many lines its rows take once folded (as if folding filled each line):
        to choose another layout without drawing this one."""
        _, sizes, widths = self._layout(limit)
        folding = [i for i in self.fold if max(sizes[i], default=0) > widths[i]]
        if not folding:
            return len(self.rows)
        return sum(
            max(1, *(-(-size // widths[i]) for i, size in zip(folding, row, strict=True)))
            for row in zip(*(sizes[i] for i in folding), strict=True)
        )

    def lines(self, limit: int | None) -> list[Segments]:
        """The segments of each line, the table no wider than limit where folding allows.

        Built column by column, as table_lines is: each cell is measured once, and rows
        that need no folding or style (almost all) are joined in one go.
        """
        columns, sizes, widths = self._layout(limit)
        heavy = ["━" * (w + 2) for w in widths]
        out: list[Segments] = [[(self.title, "bold")]] if self.title else []
        out.append([("┏" + "┳".join(heavy) + "┓", "")])
        head = [(h, cell_width(h)) for h in self.headers]
        out.append([("┃" + "┃".join(_cells(head, widths)) + "┃", "bold")])
        out.append([("┡" + "╇".join(heavy) + "┩", "")])
        padded = [
            [
                t + " " * (w - n) if n <= w and "\n" not in t else ""
                for t, n in zip(column, size, strict=True)
            ]
            for column, size, w in zip(columns, sizes, widths, strict=True)
        ]
        styled_rows = {row for row, _ in self.styles}
        for row, cells in enumerate(zip(*padded, strict=True)):
            if all(cells) and row not in styled_rows:  # a padded cell is never empty
                out.append([("│ " + " │ ".join(cells) + " │", "")])
                continue
            folded = [_cell_lines(columns[i][row], widths[i]) for i in range(len(widths))]
            styles = [self.styles.get((row, i), "") for i in range(len(widths))]
            for depth in range(max(len(pieces) for pieces in folded)):
                line = [pieces[depth] if depth < len(pieces) else ("", 0) for pieces in folded]
                out.append(_styled(line, widths, styles))
        out.append([("└" + "┴".join("─" * (w + 2) for w in widths) + "┘", "")])
        return out

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield from rich_segments(console, self.lines(options.max_width))


class Lines:
    """Lines already laid out, as (text, style) segments: a rich renderable."""

    def __init__(self, lines: list[Segments]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield from rich_segments(console, self.lines)


def rich_segments(console: Any, lines: list[Segments]) -> Any:
    """rich Segments for lines: the unstyled ones go out together, one segment, not
    thousands."""
    from rich.segment import Segment

    plain: list[str] = []
    for line in lines:
        if len(line) == 1 and not line[0][1]:
            plain.append(line[0][0] + "\n")
            continue
        if plain:
            yield Segment("".join(plain))
            plain = []
        for text, style in line:
            yield Segment(text, console.get_style(style) if style else None)
        yield Segment.line()
    if plain:
        yield Segment("".join(plain))


def _longest_word(cells: list[str]) -> int:
    """The widest word in any of the cells (up to WORD_MAX): a column folds no narrower."""
    longest = 0
    for cell in set(cells):
        longest = max(longest, wrap.longest_word(cell))
        if longest >= WORD_MAX:
            return WORD_MAX
    return longest


def _styled(line: list[tuple[str, int]], widths: list[int], styles: list[str]) -> Segments:
    """One line of a row whose cells may carry a style: the style covers the text only."""
    segments: Segments = []
    plain = "│"
    for (text, used), width, style in zip(line, widths, styles, strict=True):
        if style and text:
            segments += [(plain + " ", ""), (text, style)]
            plain = " " * (width - used) + " │"
        else:
            plain += f" {text}{' ' * (width - used)} │"
    return [*segments, (plain, "")]


def _block_cell(text: str) -> str:
    """A cell's text as shown: line breaks kept, tabs as spaces, everything else visible."""
    if text.isprintable():  # checked in C: almost every cell
        return text
    return visible(text, block=True).replace("\t", " ")


def _height_width(cell: str) -> int:
    """The width of a cell's widest line."""
    return max(map(cell_width, cell.split("\n")))


def _cell_lines(cell: str, width: int) -> tuple[tuple[str, int], ...]:
    """A cell's lines: its own line breaks kept, each line folded to width."""
    lines: list[tuple[str, int]] = []
    for part in cell.split("\n"):
        size = cell_width(part)
        lines += fold(part, width) if size > width else ((part, size),)
    return tuple(lines)


def _cells(line: list[tuple[str, int]], widths: list[int]) -> list[str]:
    """Each (text, its width in cells) padded to its column, with a space either side."""
    return [
        f" {text}{' ' * (width - used)} " for (text, used), width in zip(line, widths, strict=True)
    ]


# --- terminal ------------------------------------------------------------------------------


class Painter:
    """Wraps text in ANSI styles when colour is on; returns it unchanged otherwise."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        if not (style and self.colour and text.strip()):
            return text
        codes = ";".join(ANSI[word] for word in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"


def painter() -> Painter:
    env = os.environ
    if "NO_COLOR" in env or env.get("TERM") == "dumb":
        return Painter(False)
    return Painter(bool(env.get("FORCE_COLOR")) or sys.stdout.isatty())


def available_width() -> int | None:
    """COLUMNS if set, else the terminal's width; a pipe or file gets lines of any length."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None
