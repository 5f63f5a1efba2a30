"""Commands that meet the user's own files: import-bill, export, calendar."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from refundkit.cli import command, get_store, interactive, today
from refundkit.errors import BadInput, RefundkitError
from refundkit.kinds import Category

if TYPE_CHECKING:
    from refundkit.bills import Bill, Transaction


@command("import-bill")
def import_bill(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The WeChat Pay (CSV or XLSX) or Alipay (CSV) bill file.")
    ],
    pick: Annotated[
        str | None,
        typer.Option(help="Transaction number (交易单号) to record, or a unique prefix of it."),
    ] = None,
    category: Annotated[
        Category | None, typer.Option(help="Kind of purchase (default: goods).")
    ] = None,
    received: Annotated[
        str | None, typer.Option(help="Day the goods were signed for; omit if not yet received.")
    ] = None,
) -> None:
    """List a payment bill's expenses, or record one as an order with the bill as proof.

    Without --pick and without a terminal, prints the expense transactions and records nothing.
    Example: refundkit import-bill 微信支付账单.csv --pick 4200001234 --received 2026-11-22
    """
    from refundkit import bills, cases, display, importer

    bill = bills.read_bill(file)
    if pick is None:
        if not bill.expenses:
            typer.echo(f"No expense transactions in this {bill.label}: nothing to record.")
            return
        typer.echo("\n".join(bill_lines(bill)))
        if not interactive():
            typer.echo(f"Record one with: refundkit import-bill {_quoted(file)} --pick TXN")
            return
        tx = _ask(bill)
    else:
        tx = bills.pick(bill, pick)
    options = {"category": category.value if category else None, "received": received}
    done = importer.import_transaction(get_store(ctx), bill, file, tx, options, datetime.now())
    display.print_added(cases.report(done.order, today()))
    if done.order.bill_status:
        typer.echo(f"Note: {done.order.bill_status}")
    typer.echo(f"Attached the bill as payment evidence {done.evidence.id}: {file.name}")


def _ask(bill: Bill) -> Transaction:
    """Prompt until the user names one expense row (Ctrl-C to give up)."""
    from refundkit.bills import pick

    while True:
        answer = typer.prompt("Transaction number (or a unique prefix)")
        try:
            return pick(bill, answer)
        except RefundkitError as exc:
            typer.echo(f"error: {exc.message}", err=True)


def bill_lines(bill: Bill) -> list[str]:
    """The expense rows, newest first: fixed columns first, free text last, so that the
    transaction number is never cut or wrapped, in a terminal or a pipe."""
    rows = sorted(bill.expenses, key=lambda t: t.time, reverse=True)
    ids = [t.transaction_id or "-" for t in rows]
    amounts = [f"¥{t.amount:,.2f}" for t in rows]
    id_width = max(len("Transaction no."), *map(len, ids))
    amount_width = max(len("Amount"), *map(len, amounts))
    lines = [
        f"{bill.label}: {len(rows)} expense transactions, newest first",
        f"{'Transaction no.':<{id_width}}  {'Time':<16}  {'Amount':>{amount_width}}  "
        "Merchant · item",
    ]
    for tx, tx_id, amount in zip(rows, ids, amounts, strict=True):
        what = " · ".join(p for p in (tx.counterparty or tx.kind, tx.item) if p)
        refund = f"  [{tx.refund_text()}]" if tx.refunded else ""
        lines.append(
            f"{tx_id:<{id_width}}  {tx.time:%Y-%m-%d %H:%M}  {amount:>{amount_width}}  "
            f"{what}{refund}"
        )
    return lines


def _quoted(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


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

    done = bundle.export_order(get_store(ctx), order, out, force=force, as_of=today())
    for warning in done.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(
        f"Exported {done.files} files to {done.path} (a BagIt 1.0 bag, without your private "
        "note); check it with: unzip it, then bagit.py --validate <folder>"
    )


@command("calendar")
def calendar(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="The .ics file to write (default: stdout).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Leave out deadlines before this date.")
    ] = None,
) -> None:
    """Every open deadline of every open case as calendar events, with a reminder a day before.

    Example: refundkit calendar --out refundkit.ics   (then import it into your calendar app)
    """
    from refundkit import ical
    from refundkit.parse import parse_day
    from refundkit.store import atomic_write

    if out is not None:
        _check_ics(out)
    day = parse_day(as_of, today()) if as_of else today()
    orders, damaged = get_store(ctx).load_all()
    deadlines = ical.all_deadlines(orders, day)
    data = ical.to_ical(deadlines, datetime.now(timezone.utc).replace(microsecond=0))
    if out is None:
        typer.echo(data, nl=False)
        if not deadlines:
            typer.echo(f"note: no open deadlines on or after {day}", err=True)
    else:
        atomic_write(out, data)
        cases = len({d.order_id for d in deadlines})
        typer.echo(f"Wrote {len(deadlines)} deadlines of {cases} open cases to {out}")
    for bad in damaged:
        typer.echo(f"damaged: {bad.path}: {bad.error}", err=True)
    if damaged:
        raise typer.Exit(1)


def _check_ics(out: Path) -> None:
    if out.suffix.lower() != ".ics":
        raise BadInput(f"--out {out} must name an .ics file, e.g. --out refundkit.ics")
    if not out.parent.is_dir():
        raise BadInput(f"folder {out.parent} does not exist: create it or choose another --out")
    if out.is_dir():
        raise BadInput(f"--out {out} is a folder: give a file name ending in .ics")
    if out.exists() and not out.is_file():
        raise BadInput(f"--out {out} is not a regular file (a FIFO or device): choose another")
