"""Commands that read screenshots: import-screenshot and suggest-events.

Reading needs the optional extra refundkit[ocr]; everything it imports is imported inside
these commands, so the other commands and --help never pay for it.
"""

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from refundkit.cli import command, get_store, interactive, today
from refundkit.errors import BadFile, BadInput, RefundkitError
from refundkit.i18n import _

if TYPE_CHECKING:
    from refundkit.models import Evidence, Order
    from refundkit.screenshots.chat import Suggestion
    from refundkit.screenshots.layouts import Fact
    from refundkit.screenshots.record import Recorded
    from refundkit.store import Store


@command("import-screenshot")
def import_screenshot(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A screenshot of a payment's 账单详情 or an order page.")
    ],
    order: Annotated[
        str | None,
        typer.Option(help="Fill the facts this order lacks and attach the screenshot to it."),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print what was read as JSON; record nothing.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", help="Record what was read without asking (doubtful facts are left out)."
        ),
    ] = False,
) -> None:
    """Read a WeChat Pay or Alipay bill detail, or a shop's order page, into a case (offline).

    Example: refundkit import-screenshot 支付截图.png --yes
    """
    from refundkit.sanitize import visible
    from refundkit.screenshots import record
    from refundkit.words import names

    if not (json_ or yes or interactive()):
        raise BadInput(
            _(
                "import-screenshot shows what it read for you to check, which needs a terminal: "
                "add --yes to record it as read, or --json to see it"
            )
        )
    if not json_ and not yes:
        typer.echo(_("Reading the screenshot (offline, a few seconds)..."), err=True)
    data, reading = record.read_screenshot(file, today())
    if json_:
        from refundkit.display import print_json

        print_json(reading.as_json())
    if not reading.found:
        raise BadFile(
            _(
                "no payment or order details found in {path}: give a screenshot of a WeChat Pay "
                "or Alipay bill detail (账单详情) or of a shop's order page"
            ).format(path=file)
        )
    if json_:
        return
    facts = record.reviewable(reading)
    label = record.page_label(reading.source)
    if yes:
        values, warnings = record.as_read(facts)
        for warning in warnings:
            typer.echo(_("warning: {message}").format(message=visible(warning)), err=True)
    else:
        typer.echo(
            _("Read a {page} from {name}. Check each fact:").format(
                page=label, name=visible(file.name)
            )
        )
        values = _review(facts, new=order is None)
    store = get_store(ctx)
    now = datetime.now()
    if order is None:
        done = record.import_new(store, file, data, reading, values, now)
        from refundkit import cases, display

        display.print_added(cases.report(done.order, today()))
    else:
        current = store.load(store.resolve(order))
        clashing = record.conflicts(current, values)
        if yes:
            _refuse_another_purchase(current.id, clashing, file)
        replace = _replacements(clashing, asking=not yes)
        done = record.fill_order(store, order, file, data, reading, values, replace, now)
        _print_filled(done)
    typer.echo(
        _("Attached the screenshot as {kind} evidence {id}: {name}").format(
            kind=names.shown(names.evidence_kind, done.evidence.kind.value, with_code=False),
            id=done.evidence.id,
            name=visible(file.name),
        )
    )


def _review(facts: "dict[str, Fact]", new: bool) -> dict[str, str]:
    """Show each fact with the text it came from; Enter keeps it, a correction replaces it,
    '-' leaves it out. A correction that does not read is asked again, never dropped."""
    from refundkit.cli import ask
    from refundkit.screenshots import record

    values: dict[str, str] = {}
    with ask.session():
        for name in record.REVIEWED:
            fact = facts.get(name)
            _show_fact(name, fact)
            answer = _corrected(name, fact, required=new and name in record.REQUIRED)
            if answer is not None:
                values[name] = answer
    return values


def _show_fact(name: str, fact: "Fact | None") -> None:
    from refundkit.sanitize import visible
    from refundkit.screenshots import record
    from refundkit.screenshots.layouts import shown as said
    from refundkit.words import names

    label = record.label(name)
    if fact is None:
        typer.echo(_("{fact}: not on the screenshot").format(fact=label))
        return
    value = visible(fact.value) if fact.value else _("(unreadable)")
    if name == "payment_method" and fact.value:  # a code: named, with the code to type
        value = names.shown(names.payment_method, fact.value)
    typer.echo(_("{fact}: {value}").format(fact=label, value=value))
    typer.echo(
        _("  read from: {source} (confidence {confidence})").format(
            source=visible(said(fact.source) or ""), confidence=f"{fact.confidence:.2f}"
        )
    )
    if fact.uncertain:
        problem = said(fact.problem) or _("it could not be read")
        typer.echo(_("  check this: {problem}").format(problem=visible(problem)))


def _corrected(name: str, fact: "Fact | None", required: bool) -> str | None:
    """The fact as kept or corrected, checked; None when left out. Enter keeps what was
    read (or leaves an unread fact out), '-' leaves out a fact that may be missing."""
    from refundkit.cli import ask
    from refundkit.screenshots import record

    label = record.label(name)
    read = fact.value if fact and fact.value else None
    question: str
    enter: str | None
    if read is not None:
        how = (
            _("{fact}, or type the right one")
            if required
            else _("{fact}, or type the right one, - to leave out")
        )
        question, enter = how.format(fact=label), _("keep")
    elif required:
        question, enter = _("{fact} (type it)").format(fact=label), None
    else:
        question, enter = label, _("leave out")
    while True:
        answer = ask.line(question, default_label=enter) or read
        if answer is None and required:
            ask.say(_("an answer is needed here"))
            continue
        if answer is None or (answer == "-" and not required):
            return None
        try:
            return record.check_value(name, answer, today())
        except RefundkitError as exc:
            ask.say(exc.message)


def _refuse_another_purchase(
    order_id: str, clashing: dict[str, tuple[str, str]], file: Path
) -> None:
    """--yes never attaches a screenshot whose amount, number or day says it is another
    purchase: that is a question for the user, in a terminal."""
    from refundkit.sanitize import visible
    from refundkit.screenshots.record import another_purchase, noun

    names = another_purchase(clashing)
    if not names:
        return
    differ = _("; ").join(
        _("the {fact} {recorded} where the screenshot says {read}").format(
            fact=noun(n), recorded=clashing[n][0], read=clashing[n][1]
        )
        for n in names
    )
    raise BadInput(
        visible(
            _(
                "order {id} records {differences}: is the screenshot of another purchase? "
                "Nothing was recorded; run {command} in a terminal to choose, or leave out "
                "--order to record it as a new order"
            ).format(
                id=order_id,
                differences=differ,
                command=f"refundkit import-screenshot {file} --order {order_id}",
            )
        )
    )


def _replacements(clashing: dict[str, tuple[str, str]], asking: bool) -> set[str]:
    """Which recorded facts to replace with the screenshot's: asked one by one in a
    terminal; with --yes none, and a warning names each one kept."""
    from refundkit.cli import ask
    from refundkit.sanitize import visible
    from refundkit.screenshots.record import noun

    replace = set()
    with ask.session():
        for name, (recorded, read) in clashing.items():
            label = noun(name)
            if asking and ask.confirm(
                _(
                    "The order's {fact} is {recorded}; the screenshot says {read}. Replace it?"
                ).format(fact=label, recorded=visible(recorded), read=visible(read))
            ):
                replace.add(name)
            elif not asking:
                typer.echo(
                    _(
                        "warning: kept the order's {fact} {recorded} (the screenshot says {read})"
                    ).format(fact=label, recorded=visible(recorded), read=visible(read)),
                    err=True,
                )
    return replace


def _print_filled(done: "Recorded") -> None:
    from refundkit.screenshots.record import noun

    if done.filled:
        names = _(", ").join(noun(n) for n in done.filled)
        typer.echo(_("Order {id}: filled in the {facts}").format(id=done.order.id, facts=names))
    else:
        typer.echo(
            _("Order {id}: nothing to fill in, it already had every fact read").format(
                id=done.order.id
            )
        )


@command("suggest-events")
def suggest_events(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")],
    evidence: Annotated[str, typer.Argument(help="The evidence id of a chat screenshot, e.g. e2.")],
) -> None:
    """Propose timeline events from a chat screenshot's text, and log those you accept.

    In a terminal each suggestion is asked about; otherwise the `refundkit log` commands
    are printed for you to run. Nothing is recorded without your yes.
    Example: refundkit suggest-events k3f e2
    """
    from refundkit.sanitize import visible
    from refundkit.screenshots.chat import suggest_events as suggest

    store = get_store(ctx)
    order_id = store.resolve(order)
    current = store.load(order_id)
    entry = next((e for e in current.evidence if e.id == evidence), None)
    if entry is None:
        known = ", ".join(e.id for e in current.evidence) or _("none yet")
        raise BadInput(
            _("order {id} has no evidence {evidence} (it has: {known})").format(
                id=order_id, evidence=repr(evidence), known=known
            )
        )
    text = _evidence_text(store, current, entry)
    reference = entry.taken or entry.added.date()
    logged = {(e.kind.value, e.on) for e in current.events}
    found = [s for s in suggest(text, reference) if (s.event, s.on) not in logged]
    if not found:
        typer.echo(
            _("No new events suggested by the text of {evidence} ({name}).").format(
                evidence=entry.id, name=visible(entry.original_name)
            )
        )
        return
    if not interactive():
        typer.echo(
            _("Suggested by the text of {evidence}; run what is right:").format(evidence=entry.id)
        )
        for item in found:
            typer.echo(f"  {visible(item.command(order_id))}")
        return
    from refundkit.cli import ask

    with ask.session():
        for item in found:
            _offer(store, order_id, item)


def _offer(store: "Store", order_id: str, item: "Suggestion") -> None:
    """Ask about one suggestion; log it only on yes (with a date, asked for if the chat
    did not show one)."""
    from refundkit import timeline
    from refundkit.cli import ask
    from refundkit.sanitize import visible
    from refundkit.words import names

    if item.on:
        said = _("{event} (reason: {reason}) on {day}: “{note}”")
    else:
        said = _("{event} (reason: {reason}): “{note}”")
    # Answered with y or n, so the names alone: no code is typed here.
    event_name = names.shown(names.event_kind, item.event, with_code=False)
    reason = names.shown(names.refusal_reason, item.reason, with_code=False)
    typer.echo(said.format(event=event_name, reason=reason, day=item.on, note=visible(item.note)))
    if not ask.confirm(_("Log this event?")):
        return
    on = _day(item.on, item.at)
    while True:
        raw = {"event": item.event, "on": on, "note": item.note, "reason": item.reason}
        try:
            event = timeline.log_event(store, order_id, raw, datetime.now())
            break
        except RefundkitError as exc:
            ask.say(exc.message)
            on = _when_said()
    typer.echo(
        _("Logged {event} on {day} ({id})").format(
            event=names.shown(names.event_kind, event.kind.value), day=event.on, id=event.id
        )
    )


def _day(on: date | None, at: object) -> str:
    if on is None:
        return _when_said()
    return f"{on.isoformat()} {at:%H:%M}" if at else on.isoformat()


def _when_said() -> str:
    from refundkit.cli import ask

    answer = ask.text(_("When was it said"), example=_("2026-11-20, yesterday"), required=True)
    return answer or ""


def _evidence_text(store: "Store", order: "Order", entry: "Evidence") -> str:
    """The kept text, or (for an image added before the extra was installed) read now."""
    from refundkit.screenshots import engine, text

    found = text.recognised_text(store, order, entry)
    if found is not None:
        return found
    if not entry.media_type.startswith("image/"):
        raise BadInput(
            _("evidence {id} is not an image: there is no text to read").format(id=entry.id)
        )
    if not engine.available():
        raise engine.MissingExtra("suggest-events")
    for warning in text.recognise_new(store, order.id, [entry], every_kind=True, needed=True):
        typer.echo(_("warning: {message}").format(message=warning), err=True)
    again = next(e for e in store.load(order.id).evidence if e.id == entry.id)
    found = text.recognised_text(store, order, again)
    if found is None:
        raise BadInput(
            _("no text was found in evidence {id} ({name})").format(
                id=entry.id, name=entry.original_name
            )
        )
    return found
