"""Commands that meet the user's own files: import-bill, export, calendar."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from refundkit.cli import (
    command,
    file_or_stdout,
    get_store,
    interactive,
    refuse_overwrite,
    today,
    write_out,
)
from refundkit.errors import BadInput
from refundkit.i18n import _, ngettext
from refundkit.kinds import Category
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from refundkit.bills import Bill, Listed
    from refundkit.store import Store


@command("import-bill")
def import_bill(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="The WeChat Pay (CSV or XLSX) or Alipay (app or web CSV) bill file."),
    ],
    pick: Annotated[
        str | None,
        typer.Option(help="Transaction number (交易单号) to record, or a unique prefix of it."),
    ] = None,
    row: Annotated[
        int | None, typer.Option("--row", help="Number of the row in the listing to record.")
    ] = None,
    order: Annotated[
        str | None,
        typer.Option(help="Add the bill's facts and proof to this existing order instead."),
    ] = None,
    whole_bill: Annotated[
        bool,
        typer.Option(
            "--whole-bill",
            help="Attach the whole bill, every payment of its period (default: an extract "
            "with its header and this payment only).",
        ),
    ] = False,
    keep_recorded: Annotated[
        bool,
        typer.Option(
            "--keep-recorded",
            help="With --order: where the bill disagrees with the order, keep the order's value.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the listing as JSON; records nothing.")
    ] = False,
    category: Annotated[
        str | None,
        typer.Option(
            help="Kind of purchase: " + ", ".join(c.value for c in Category) + " (default: goods)."
        ),
    ] = None,
    received: Annotated[
        str | None, typer.Option(help="Day the goods were signed for; omit if not yet received.")
    ] = None,
) -> None:
    """List a payment bill's expenses, or record one as an order with its proof.

    Without --pick or --row, and without a terminal, prints the expense transactions and
    records nothing. The proof attached is an extract of the bill (its header and this
    payment's rows, with the original's SHA-256); --whole-bill attaches the original.
    Example: refundkit import-bill 微信支付账单.csv --row 3 --received 2026-11-22
    """
    from refundkit import bills

    if pick is not None and row is not None:
        raise BadInput(_("give --pick or --row, not both"))
    if as_json and (pick is not None or row is not None or order is not None):
        raise BadInput(
            _("--json lists the bill and records nothing: leave out --pick, --row and --order")
        )
    bill = bills.read_bill(file)
    if as_json:
        typer.echo(json.dumps(bills.bill_json(bill), ensure_ascii=False, indent=2))
        return
    if pick is not None:
        entry = bills.pick(bill, pick)
    elif row is not None:
        entry = bills.pick_row(bill, row)
    else:
        from refundkit.plain import available_width

        width = available_width()
        typer.echo("\n".join(bill_lines(bill, width)))
        if not bill.listing:
            return
        if not interactive():
            again = f"refundkit import-bill {_quoted(file)}"
            where = f" --order {_quoted(Path(order))}" if order else ""
            first = next((e.row for e in bill.listing if e.tx.pickable), bill.listing[0].row)
            command = f"{again} --row {first}{where}"
            hint = _(
                "Record one by its row number (1 to {count}), e.g.: `{command}` "
                "(or by its transaction number, with --pick)"
            ).format(count=len(bill.listing), command=command)
            typer.echo("\n".join(_fitted(hint, width, whole=f"`{command}`")))
            return
        entry = _ask(bill)
    options = {"category": category, "received": received}
    _record(ctx, bill, file, entry, options, order, whole_bill, keep_recorded)


def _record(
    ctx: typer.Context,
    bill: Bill,
    file: Path,
    entry: Listed,
    options: dict[str, str | None],
    order: str | None,
    whole: bool,
    keep_recorded: bool,
) -> None:
    from refundkit import cases, display, importer
    from refundkit.sanitize import visible

    store = get_store(ctx)
    now = datetime.now()
    if order is None:
        if keep_recorded:
            raise BadInput(_("--keep-recorded goes with --order: a new order has nothing recorded"))
        done = importer.import_new(store, bill, file, entry, options, now, whole=whole)
    else:
        choices = _settle(store, bill, file, entry, options, order, now, keep_recorded)
        done = importer.import_into(
            store, bill, file, entry, order, options, now, whole=whole, choices=choices
        )
    order_id = done.order.id
    if not done.created:
        filled = _(", ").join(importer.label(f) for f in done.filled) or _("nothing new")
        typer.echo(
            _(
                "Added the payment in row {row} of the {bill} ({payment}) to order {id}; "
                "filled in: {filled}"
            ).format(
                row=entry.row,
                bill=bill.label,
                payment=visible(entry.tx.describe()),
                id=order_id,
                filled=filled,
            )
        )
    display.print_added(
        cases.report(done.order, today()), "Recorded" if done.created else "Updated"
    )
    if done.order.bill_state:
        from refundkit.caseview import bill_status_text

        typer.echo(_("Note: {text}").format(text=visible(bill_status_text(done.order) or "")))
    evidence = done.evidence
    if whole:
        name = visible(evidence.original_name)
        typer.echo(
            _("Attached the bill as payment evidence {id}: {name}").format(
                id=evidence.id, name=name
            )
        )
        return
    typer.echo(
        _(
            "Attached an extract of the bill (its header and this payment) as payment evidence "
            "{id}: {name}"
        ).format(id=evidence.id, name=visible(evidence.original_name))
    )
    typer.echo(
        _(
            "Keep the original, {name} (SHA-256 {sha}…, recorded with the extract). "
            "To attach it whole: {command}"
        ).format(
            name=visible(bill.name),
            sha=bill.sha256[:16],
            command=f"refundkit import-bill {_quoted(file)} --row {entry.row} "
            f"--order {order_id} --whole-bill",
        )
    )


def _settle(
    store: Store,
    bill: Bill,
    file: Path,
    entry: Listed,
    options: dict[str, str | None],
    order: str,
    now: datetime,
    keep_recorded: bool,
) -> dict[str, str]:
    """How each fact the bill states otherwise than the order is settled: kept by
    --keep-recorded, asked in a terminal, else an error naming both values."""
    from refundkit import importer
    from refundkit.sanitize import visible

    order_id, found = importer.preview(store, order, bill, entry, options, now)
    if not found:
        return {}
    if keep_recorded:
        return {c.field: "order" for c in found}
    if not interactive():
        hint = _(
            "keep the order's values with --keep-recorded, or change them first with "
            "`{edit}`, then run: {command}"
        ).format(
            edit=f"refundkit edit {order_id}",
            command=f"refundkit import-bill {_quoted(file)} --row {entry.row} --order {order_id}",
        )
        raise BadInput(visible(importer.conflict_message(order_id, found, hint)))
    from refundkit.cli import ask

    choices = {}
    with ask.session():
        for conflict in found:
            question = _("{conflict}. Keep the order's (o) or take the bill's (b)?").format(
                conflict=visible(conflict.describe())
            )
            answer = ""
            while answer not in ("o", "b"):
                answer = (ask.line(question, default_label="o") or "o").lower()[:1]
            choices[conflict.field] = "bill" if answer == "b" else "order"
    return choices


def _ask(bill: Bill) -> Listed:
    """Prompt until the user names one expense row (Ctrl-C to give up)."""
    from refundkit.bills import pick, pick_row
    from refundkit.cli import ask

    count = len(bill.listing)

    def read(answer: str) -> Listed:
        if answer.lstrip("#").isdigit() and len(answer.lstrip("#")) <= len(str(count)):
            return pick_row(bill, int(answer.lstrip("#")))
        return pick(bill, answer)

    with ask.session():
        label = _("Row number (1-{count}) or transaction number").format(count=count)
        listed = ask.value(label, read=read, required=True)
    assert listed is not None  # required: asked until an answer reads
    return listed


MIN_TEXT = 12  # the narrowest free-text column a table keeps; narrower: a list


def bill_lines(bill: Bill, width: int | None = None) -> list[str]:
    """The expense rows, newest first and numbered: fixed columns first, free text last, so
    that the transaction number is never cut or wrapped, in a terminal or a pipe.

    With a width (COLUMNS, else the terminal's) every line fits it, as every table does: the
    merchant and item are cut with "…", the row's marks go on lines of their own; where not
    even the fixed columns leave room, each row is a block of its own (a list). A pipe (no
    width) gets each row on one line, whole."""
    listed = bill.listing
    if not listed:
        return [
            _("No expense transactions in this {bill}: nothing to record.").format(bill=bill.label)
        ]
    title = ngettext(
        "{bill}: {n} expense transaction, newest first",
        "{bill}: {n} expense transactions, newest first",
        len(listed),
    ).format(bill=bill.label, n=len(listed))
    title = "\n".join(_fitted(title, width))
    rows = [_bill_row(entry) for entry in listed]
    columns = _bill_columns(rows, len(listed))
    fixed = sum(columns) + 2 * len(columns)
    if width is not None and width - fixed < MIN_TEXT:
        return [title, *(line for row in rows for line in _bill_block(row, columns[0], width))]
    head = (_("Transaction no."), _("Time"), _("Amount"), _("Merchant · item"))
    lines = [title, _bill_line(("#", head[0], head[1], head[2]), head[3], columns)]
    for row in rows:
        lines += _bill_row_lines(row, columns, width and width - fixed)
    return lines


class BillRow(NamedTuple):
    """A listed row's cells: four fixed (its number, the transaction number, the time, the
    amount), then the free text and the marks (refunded, closed, not pickable)."""

    number: str
    tx_id: str
    time: str
    amount: str
    what: str
    marks: list[str]

    @property
    def fixed(self) -> tuple[str, str, str, str]:
        return self.number, self.tx_id, self.time, self.amount


def _bill_row(entry: Listed) -> BillRow:
    """One listed row's cells, every fact shown through visible()."""
    tx = entry.tx
    what = visible(" · ".join(p for p in (tx.counterparty or tx.kind, tx.item) if p))
    marks = [f"[{visible(m)}]" for m in tx.marks()]
    tx_id = visible(tx.transaction_id) or "-"
    time, amount = f"{tx.time:%Y-%m-%d %H:%M}", f"¥{tx.amount:,.2f}"
    return BillRow(str(entry.row), tx_id, time, amount, what, marks)


def _bill_columns(rows: list[BillRow], count: int) -> list[int]:
    """The widths of the fixed columns (#, number, time, amount), headings included."""
    from refundkit.wrap import cell_width

    heads = ("#", _("Transaction no."), _("Time"), _("Amount"))
    return [
        max(cell_width(head), *(cell_width(row.fixed[n]) for row in rows))
        for n, head in enumerate(heads)
    ]


def _bill_line(cells: tuple[str, ...], text: str, columns: list[int]) -> str:
    """The fixed cells padded to their columns (the number and the amount to the right),
    then the free text."""
    row, tx_id, time, amount = cells
    return (
        f"{_pad(row, columns[0], right=True)}  {_pad(tx_id, columns[1])}  "
        f"{_pad(time, columns[2])}  {_pad(amount, columns[3], right=True)}  {text}"
    ).rstrip()


def _bill_row_lines(row: BillRow, columns: list[int], room: int | None) -> list[str]:
    """A table row: on one line when it fits (or no width is known), else the merchant and
    item cut to the room left and the marks on lines below, under the transaction number."""
    from refundkit.wrap import cell_width, clip

    whole = "  ".join((row.what, *row.marks))
    if room is None or cell_width(whole) <= room:
        return [_bill_line(row.fixed, whole, columns)]
    out = [_bill_line(row.fixed, clip(row.what, room), columns)]
    indent = " " * (columns[0] + 2)
    width = sum(columns) + 2 * len(columns) + room
    return out + _marks_lines(row, indent, width)


def _bill_block(row: BillRow, number_width: int, width: int) -> list[str]:
    """A row as a list entry, on a terminal too narrow for the table: the number and the
    transaction number (never cut, even if wider than the line), then the time and amount,
    the merchant and item cut to the line, and the marks."""
    from refundkit.wrap import clip

    indent = " " * (number_width + 2)
    room = max(1, width - len(indent))
    out = [f"{_pad(row.number, number_width, right=True)}  {row.tx_id}"]
    out.append(f"{indent}{row.time}  {row.amount}")
    out.append(indent + clip(row.what, room))
    return out + _marks_lines(row, indent, width)


def _marks_lines(row: BillRow, indent: str, width: int) -> list[str]:
    """A row's marks below it, indented, broken to width (amounts are never split)."""
    from refundkit.wrap import lines

    if not row.marks:
        return []
    return lines("  ".join(row.marks), width, first=indent, rest=indent)


def _fitted(text: str, width: int | None, whole: str = "") -> list[str]:
    """A line of text broken to width at spaces and between CJK characters; on one line
    where no width is known. whole (a command to paste, in text) is never broken: it takes a
    line of its own where it does not fit, and may overflow it, as a transaction number may."""
    from refundkit.wrap import cell_width, lines

    if width is None or cell_width(text) <= width:
        return [text]
    before, found, after = text.partition(whole) if whole else (text, "", "")
    out = lines(before.rstrip(), width) if before.strip() else []
    if found:
        out.append(found)
    return out + (lines(after.strip(), width) if after.strip() else [])


def _pad(text: str, width: int, right: bool = False) -> str:
    """text filled to width terminal columns (a CJK character takes two)."""
    from refundkit.wrap import cell_width

    fill = " " * max(0, width - cell_width(text))
    return fill + text if right else text + fill


def _quoted(path: Path) -> str:
    import shlex

    from refundkit.sanitize import visible

    return visible(shlex.quote(str(path)))


@command("export")
def export(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")],
    out: Annotated[Path, typer.Option("--out", help="The .zip file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Package a case for a lawyer or a platform: a zipped BagIt 1.0 bag with SHA-256 manifests.

    The order's private note is left out. Example: refundkit export k3f --out 声悦数码-k3f.zip
    """
    from refundkit import bundle
    from refundkit.evidence import refuse_special_files

    store = get_store(ctx)
    refuse_special_files(store, store.load(store.resolve(order)))
    done = bundle.export_order(store, order, out, force=force, as_of=today())
    for warning in done.warnings:
        typer.echo(visible(_("warning: {message}").format(message=warning)), err=True)
    typer.echo(
        ngettext(
            "Exported {n} file to {path} (a BagIt 1.0 bag, without your private note); anyone "
            "can check nothing in it was changed: unzip it, then run a BagIt validator on the "
            "folder (its README.txt says how)",
            "Exported {n} files to {path} (a BagIt 1.0 bag, without your private note); anyone "
            "can check nothing in it was changed: unzip it, then run a BagIt validator on the "
            "folder (its README.txt says how)",
            done.files,
        ).format(n=done.files, path=done.path)
    )


@command("calendar")
def calendar(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The .ics file to write (default, or -: stdout)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Leave out deadlines before this date.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Every open deadline of every open case as calendar events, with a reminder a day before.

    Example: refundkit calendar --out refundkit.ics

    Then open the file with your calendar app to import it.
    """
    from refundkit import ical
    from refundkit.parse import parse_day

    out = file_or_stdout(out)
    if out is not None:
        _check_ics(out)
        refuse_overwrite(out, force)
    day = parse_day(as_of, today()) if as_of else today()
    orders, damaged = get_store(ctx).load_all()
    deadlines = ical.all_deadlines(orders, day)
    data = _visible_lines(
        ical.to_ical(deadlines, datetime.now(timezone.utc).replace(microsecond=0))
    )
    from refundkit.pager import stdout_is_terminal

    if out is None:
        typer.echo(data, nl=False)
        if not deadlines:
            typer.echo(_("note: no open deadlines on or after {day}").format(day=day), err=True)
        elif stdout_is_terminal():  # calendar text on a screen helps nobody: say what to do
            typer.echo(
                _(
                    "tip: save it with `refundkit calendar --out refundkit.ics`, then open that "
                    "file with your calendar app"
                ),
                err=True,
            )
    else:
        write_out(out, data, force)
        cases = len({d.order_id for d in deadlines})
        open_cases = ngettext("{n} open case", "{n} open cases", cases).format(n=cases)
        wrote = ngettext(
            "Wrote {n} deadline of {cases} to {path}",
            "Wrote {n} deadlines of {cases} to {path}",
            len(deadlines),
        )
        typer.echo(wrote.format(n=len(deadlines), cases=open_cases, path=out))
    for bad in damaged:
        typer.echo(
            visible(_("damaged: {path}: {error}").format(path=bad.path, error=bad.error)), err=True
        )
    if damaged:
        raise typer.Exit(1)


def _visible_lines(data: bytes) -> bytes:
    """The calendar with every control or format character in a fact shown, not emitted: it
    goes to a terminal as often as to a calendar app. Lines keep their CRLF ends."""
    text = data.decode("utf-8", "replace")
    return "\r\n".join(visible(line) for line in text.split("\r\n")).encode()


def _check_ics(out: Path) -> None:
    if out.suffix.lower() != ".ics":
        raise BadInput(
            _("--out {path} must name an .ics file, e.g. --out refundkit.ics").format(path=out)
        )
    if out.parent.exists() and not out.parent.is_dir():
        raise BadInput(
            _("--out {path}: {folder} is a file, not a folder").format(path=out, folder=out.parent)
        )
    if not out.parent.is_dir():
        raise BadInput(
            _("folder {path} does not exist: create it or choose another --out").format(
                path=out.parent
            )
        )
    if out.is_dir():
        raise BadInput(
            _("--out {path} is a folder: give a file name ending in .ics").format(path=out)
        )
    if out.exists() and not out.is_file():
        raise BadInput(
            _("--out {path} is not a regular file (a FIFO or device): choose another").format(
                path=out
            )
        )
