"""Output without rich, for the commands whose speed matters: status's overview, verify and
add-evidence (display.py, with rich, shows one case in full and everything else).

rich lays out every cell of a table (measure, wrap, pad, style, crop) and costs 45 ms of
imports; a table of 10,000 cases took it 15 to 30 s. Here each cell is measured once, only the
free-text columns fold when the terminal is too narrow, and the lines are written in one go.
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
import unicodedata
from typing import TYPE_CHECKING, Any

from refundkit.kinds import WindowState
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from decimal import Decimal

    from refundkit.evidence import Check
    from refundkit.models import Evidence
    from refundkit.overview import CaseSummary, MissingFile, Overview, Text
    from refundkit.rules import Window
    from refundkit.store import DamagedOrder

SYMBOLS = {"CNY": "¥", "EUR": "€", "GBP": "£", "USD": "$"}
ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
HEADERS = ("ID", "Merchant", "Amount", "Stage", "Deadline", "Left", "Missing", "Next step")
RIGHT = {2, 5}  # Amount and Left are right-aligned
# The columns that fold when the table is too wide, in the order they give way, each to
# its narrowest: the merchant first to 20 (as display.py's tables), then the next step, then
# the list of missing evidence, then the merchant further.
FOLDS = ((1, 20), (7, 14), (6, 8), (1, 10))
GAP = "  "
CAPTION = "Deadline: the best return window's last day; a case's status shows them all."
EMPTY = "No open cases. Record one with `refundkit add-order` (or try `refundkit demo`)."


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
    if window.days_left is not None and window.days_left <= 2:
        return "bold yellow"
    return "green"


def deadline_text(window: Window | None) -> str:
    """The best window's last day, compact for the overview."""
    from refundkit.i18n import _

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


# --- output --------------------------------------------------------------------------------


def print_overview(view: Overview) -> None:
    paint = painter()
    lines: list[str] = []
    if not view.cases and not view.damaged:
        lines.append(EMPTY)
    if view.cases:
        lines += table_lines(view, paint, available_width())
    for case in view.cases:
        lines += [paint(visible(f"{case.id}: {text}"), "bold yellow") for text in case.notices]
    for d in view.damaged:
        lines.append(paint(visible(f"damaged: {d.path}: {d.error}"), "bold red"))
    for missing in view.missing_files.values():
        for m in missing:
            lines.append(
                paint(
                    visible(
                        f"missing: {m.path} (evidence {m.evidence_id} of order {m.order_id}, "
                        f"{m.name}); restore it from a backup, then run `refundkit verify`"
                    ),
                    "bold red",
                )
            )
    sys.stdout.write("".join(line + "\n" for line in lines))


def print_evidence_added(added: list[Evidence]) -> None:
    paint = painter()
    for e in added:
        size = paint(f"  {human_size(e.size)}  sha256 {e.sha256[:16]}…", "dim")
        sys.stdout.write(f"Added {e.id} ({e.kind.value}): {visible(e.original_name)}{size}\n")


UNRECORDED_HINT = (
    "unrecorded: a file in an evidence folder that no record names, left by an interrupted "
    "add-evidence (the next change to that order removes it) or put there by hand"
)


def print_checks(checks: list[Check], damaged: list[DamagedOrder]) -> None:
    """verify's report: one line per stored file, then what is wrong beside the records."""
    paint = painter()
    styles = {"ok": "green", "unrecorded": "yellow"}
    width = max((len(c.status) for c in checks), default=8)
    lines = [
        paint(f"{c.status:<{width}}", styles.get(c.status, "bold red"))
        + visible(f" {c.order_id} {c.evidence_id} {c.name}")
        for c in checks
    ]
    lines += [paint(visible(f"damaged: {d.path}: {d.error}"), "bold red") for d in damaged]
    recorded = [c for c in checks if c.status != "unrecorded"]
    unrecorded = len(checks) - len(recorded)
    bad = sum(c.status != "ok" for c in recorded)
    if unrecorded:
        lines.append(paint(UNRECORDED_HINT, "dim"))
    lines.append(
        f"{len(recorded)} files checked, {bad} not ok"
        + (f", {unrecorded} unrecorded" if unrecorded else "")
        + (f", {len(damaged)} damaged orders" if damaged else "")
    )
    sys.stdout.write("".join(line + "\n" for line in lines))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def print_overview_json(view: Overview) -> None:
    output = overview_json(view) + b"\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()


def overview_json(view: Overview) -> bytes:
    """`status --json`: exactly what json.dumps(..., ensure_ascii=False, indent=2) would write,
    put together from each case's cached text (Overview.porcelain) rather than encoded again:
    encoding 10,000 cases took a quarter of the run (measured)."""
    orders = [
        with_missing_files(view.porcelain[c.id], view.missing_files.get(c.id)) for c in view.cases
    ]
    head = f'{{\n  "as_of": {json.dumps(view.as_of.isoformat())},\n  "orders": '.encode()
    body = b"[\n    " + b",\n    ".join(orders) + b"\n  ]" if orders else b"[]"
    tail = b"\n}"
    if view.damaged:
        damaged = [{"id": d.id, "path": str(d.path), "error": d.error} for d in view.damaged]
        text = nested(json.dumps(damaged, ensure_ascii=False, indent=2), 1)
        tail = f',\n  "damaged": {text}\n}}'.encode()
    return head + body + tail


def with_missing_files(porcelain: Text, missing: list[MissingFile] | None) -> Text:
    """A case's JSON text with its lost files: rare, so decoded and encoded again."""
    if not missing:
        return porcelain
    data = json.loads(bytes(porcelain))
    data["missing_files"] = [{"evidence": m.evidence_id, "path": str(m.path)} for m in missing]
    return case_json(data).encode()


def case_json(data: dict[str, Any]) -> str:
    """One case as json.dumps(indent=2) writes it two levels in, inside "orders".

    pydantic-core's encoder writes the same bytes six times faster; json.dumps is kept for
    what UTF-8 cannot hold (a lone surrogate from a file name), which it passes through.
    """
    from pydantic_core import to_json

    try:
        text = to_json(data, indent=2).decode()
    except ValueError:
        text = json.dumps(data, ensure_ascii=False, indent=2)
    return nested(text, 2)


def nested(text: str, depth: int) -> str:
    return text.replace("\n", "\n" + "  " * depth)


def table_lines(view: Overview, paint: Painter, limit: int | None) -> list[str]:
    """The table, built column by column: the inner loop of a 10,000-case listing, so each
    cell is measured once and padded once, and folding is remembered (fold is cached)."""
    columns = table_columns(view.cases)
    sizes = [[len(t) if t.isascii() else cell_width(t) for t in column] for column in columns]
    widths = fit([max(len(h), *size) for h, size in zip(HEADERS, sizes, strict=True)], limit)
    styles = table_styles(view.cases)
    extra: dict[int, dict[int, list[str]]] = {}  # row -> column -> lines after the first
    cells = [
        column_cells(i, columns[i], sizes[i], widths[i], styles[i], paint, extra)
        for i in range(len(HEADERS))
    ]
    header = GAP.join(padded(h, widths[i] - len(h), i in RIGHT) for i, h in enumerate(HEADERS))
    lines = [f"refundkit cases as of {view.as_of}", "", paint(header.rstrip(), "bold")]
    lines.append("─" * (sum(widths) + len(GAP) * (len(widths) - 1)))
    blank = [" " * width for width in widths]
    for row, parts in enumerate(zip(*cells, strict=True)):
        lines.append(GAP.join(parts).rstrip())
        if row in extra:
            lines += continuation_lines(extra[row], blank)
    lines += ["", paint(CAPTION, "dim")]
    return lines


def fit(widths: list[int], limit: int | None) -> list[int]:
    """Narrow the free-text columns (FOLDS) until the table fits the terminal, if it can."""
    fitted = list(widths)
    for column, narrowest in FOLDS:
        excess = sum(fitted) + len(GAP) * (len(fitted) - 1) - (limit or sys.maxsize)
        if excess > 0:
            fitted[column] = max(min(narrowest, fitted[column]), fitted[column] - excess)
    return fitted


def table_columns(cases: list[CaseSummary]) -> list[list[str]]:
    return [
        [shown(c.id) for c in cases],
        [shown(c.merchant) for c in cases],
        [c.amount for c in cases],
        [c.stage for c in cases],
        [c.deadline for c in cases],
        [c.left for c in cases],
        [", ".join(c.missing) or "-" for c in cases],
        [shown(c.step) for c in cases],
    ]


def table_styles(cases: list[CaseSummary]) -> list[list[str] | None]:
    """Each column's style per row; None for a column shown plain."""
    return [
        ["bold"] * len(cases),
        None,
        None,
        None,
        [c.urgency for c in cases],
        ["dim" if c.left == "-" else c.urgency for c in cases],
        None,
        None,
    ]


def column_cells(
    i: int,
    texts: list[str],
    sizes: list[int],
    width: int,
    styles: list[str] | None,
    paint: Painter,
    extra: dict[int, dict[int, list[str]]],
) -> list[str]:
    """Column i's cells padded to width; the lines of folded cells after the first go to
    extra[row][i]."""
    right = i in RIGHT
    if max(sizes) <= width:  # nothing to fold: the common case, one comprehension
        if right:
            cells = [" " * (width - n) + t for t, n in zip(texts, sizes, strict=True)]
        else:
            cells = [t + " " * (width - n) for t, n in zip(texts, sizes, strict=True)]
    else:
        cells = []
        for row, (text, size) in enumerate(zip(texts, sizes, strict=True)):
            pieces = fold(text, width) if size > width else ((text, size),)
            lines = [padded(t, width - n, right) for t, n in pieces]
            cells.append(lines[0])
            if len(lines) > 1:
                extra.setdefault(row, {})[i] = [
                    paint(x, styles[row] if styles else "") for x in lines[1:]
                ]
    if styles and paint.colour:
        cells = [paint(cell, style) for cell, style in zip(cells, styles, strict=True)]
    return cells


def continuation_lines(folded: dict[int, list[str]], blank: list[str]) -> list[str]:
    """The further lines of a row whose cells folded; other columns left blank."""
    height = max(len(lines) for lines in folded.values())
    return [
        GAP.join(
            folded[i][n] if i in folded and n < len(folded[i]) else blank[i]
            for i in range(len(blank))
        ).rstrip()
        for n in range(height)
    ]


@functools.lru_cache(maxsize=4096)
def fold(text: str, width: int) -> tuple[tuple[str, int], ...]:
    """Text in lines of at most width terminal cells (and their widths), broken at spaces
    where possible."""
    lines: list[tuple[str, int]] = []
    line, used = "", 0
    for word in text.split(" "):
        size = cell_width(word)
        space = 1 if line else 0
        if used + space + size <= width:
            line, used = (f"{line} {word}" if line else word), used + space + size
            continue
        if line:
            lines.append((line, used))
        line, used = "", 0
        for char in word:  # a word wider than the column is cut where it must be
            if used + char_width(char) > width:
                lines.append((line, used))
                line, used = "", 0
            line, used = line + char, used + char_width(char)
    return (*lines, (line, used)) if line else tuple(lines)


def padded(text: str, space: int, right: bool) -> str:
    return " " * space + text if right else text + " " * space


def cell_width(text: str) -> int:
    """Terminal cells text takes: CJK and other wide characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


@functools.cache
def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


Segments = list[tuple[str, str]]  # one printed line: (text, rich style) pieces


class BoxTable:
    """A table drawn as rich draws its default one (a heavy head, then light rules), laid out
    here. rich measures, wraps and pads every cell as an object: a timeline of 20,000 events
    took it 4 s to show, and this 0.1 s. It is a rich renderable (rich is imported only when
    it is printed), so display.py prints it among its own tables with the same console.

    Cells are shown through visible(); the columns in fold wrap (at spaces where they can)
    when the table is wider than the console, as rich's would; styles gives a style to single
    cells, by (row, column).
    """

    def __init__(
        self,
        title: str,
        headers: list[str],
        rows: list[list[str]],
        fold: tuple[int, ...] = (),
        styles: dict[tuple[int, int], str] | None = None,
    ) -> None:
        self.title = title
        self.headers = headers
        # A note's own line breaks stay line breaks in its cell, as rich would show them.
        self.rows = [[_block_cell(cell) for cell in row] for row in rows]
        self.fold = fold
        self.styles = styles or {}

    def lines(self, limit: int | None) -> list[Segments]:
        """The segments of each line, the table no wider than limit where folding allows.

        Built column by column, as table_lines is: each cell is measured once, and rows
        that need no folding or style (almost all) are joined in one go.
        """
        columns = [list(column) for column in zip(*self.rows, strict=True)] or [
            [] for _ in self.headers
        ]
        sizes = [
            [len(t) if t.isascii() and "\n" not in t else _height_width(t) for t in column]
            for column in columns
        ]
        widths = [max([len(h), *size]) for h, size in zip(self.headers, sizes, strict=True)]
        excess = sum(widths) + 3 * len(widths) + 1 - (limit or sys.maxsize)
        for column in self.fold:
            if excess > 0:
                narrower = max(min(10, widths[column]), widths[column] - excess)
                excess -= widths[column] - narrower
                widths[column] = narrower
        heavy = ["━" * (w + 2) for w in widths]
        out: list[Segments] = [[(self.title, "italic")]] if self.title else []
        out.append([("┏" + "┳".join(heavy) + "┓", "")])
        head = [(h, len(h)) for h in self.headers]
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
        from rich.segment import Segment

        plain: list[str] = []  # unstyled lines go out together: one segment, not thousands
        for line in self.lines(options.max_width):
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
