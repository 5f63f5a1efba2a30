"""Letter commands: draft-complaint, and `templates list` / `templates copy` for the templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from refundkit.cli import (
    app,
    command,
    file_or_stdout,
    get_store,
    guarded,
    refuse_overwrite,
    today,
    write_out,
)
from refundkit.cli.helpview import RefundkitCommand, RefundkitGroup
from refundkit.errors import BadFile, BadInput
from refundkit.kinds import Channel, Lang, LetterFormat, Recipient
from refundkit.sanitize import visible

templates_app = typer.Typer(
    help="List the letter templates and copy one into your data folder to edit.",
    no_args_is_help=True,
    cls=RefundkitGroup,
)
app.add_typer(templates_app, name="templates")


@command("draft-complaint")
def draft_complaint(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")],
    to: Annotated[
        str | None,
        typer.Option(
            help="Who the letter is for: merchant, platform, regulator, lawyer (or 商家, 平台, "
            "12315, 律师; default: the case's next step)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="Letter language: zh or en (or 中文, 英文; default: the profile's, else zh for "
            "cn cases)."
        ),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="md, plain txt, or an html page (default: txt in a terminal, else md, or what "
            "--out's name ends in: .txt, .html).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the letter to this file instead of stdout (owner-only; - is stdout)."
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            help="With --to platform: where the complaint goes: "
            + ", ".join(c.value for c in Channel)
            + " (default: from the platform and payment method)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Write the letter for a case from its recorded facts; warnings go to stderr.

    Example: refundkit draft-complaint k3f --to platform --lang zh
    """
    from refundkit import cases, choices, letters
    from refundkit.cli.ask import warn
    from refundkit.i18n import _
    from refundkit.words import names

    wanted_to = Recipient(choices.parse(choices.RECIPIENT, to)) if to is not None else None
    wanted_lang = Lang(choices.language_code(lang, "--lang")) if lang is not None else None
    wanted_channel = Channel(choices.parse(choices.CHANNEL, channel)) if channel else None
    wanted_channel = _channel_named(to, wanted_channel)
    out = file_or_stdout(out)
    letter_format = (
        LetterFormat(choices.parse(choices.LETTER_FORMAT, format_))
        if format_ is not None
        else _format_of(out)
    )
    store = get_store(ctx)
    record = store.load(store.resolve(order))
    as_of = today()
    if out is not None:
        _check_out(out)
        refuse_overwrite(out, force)
    recipient = wanted_to or letters.default_recipient(cases.report(record, as_of).stage)
    language = wanted_lang or letters.default_lang(record, store.load_profile())
    letter = letters.render_letter(
        store, record, recipient, language, letter_format, as_of, wanted_channel
    )
    if out is None:
        from refundkit import pager

        pager.page(letter.text)  # through the pager in a terminal, as is where piped
    else:
        write_out(out, letter.text.encode("utf-8"), force)
        typer.echo(
            _("Wrote the {recipient} letter ({language}, {format}) to {path}").format(
                recipient=names.shown(names.recipient, recipient.value, with_code=False),
                language=names.shown(names.language, language.value, with_code=False),
                format=names.shown(names.letter_format, letter_format.value, with_code=False),
                path=out,
            )
        )
    for warning in letter.warnings:
        warn(warning)


GENERIC_PLATFORM_WORDS = ("platform", "平台", "投诉平台", "电商平台")


def _channel_named(to: str | None, channel: Channel | None) -> Channel | None:
    """`--to 支付宝` asks for the Alipay complaint, `--to 淘宝` for the marketplace's: the word
    names the channel too, unless it is just "platform". A --channel saying otherwise is a
    contradiction the user must settle."""
    from refundkit import choices
    from refundkit.i18n import _

    if to is None or to.strip().casefold() in GENERIC_PLATFORM_WORDS:
        return channel
    if choices.find(choices.RECIPIENT, to) != Recipient.PLATFORM.value:
        return channel
    code = choices.find(choices.CHANNEL, to)
    if code is None:
        return channel
    if channel is not None and channel.value != code:
        raise BadInput(
            _("--to {to} names the {named} complaint, --channel another: give one of them").format(
                to=to, named=code
            )
        )
    return Channel(code)


def _format_of(out: Path | None) -> LetterFormat:
    """Without --format, a file named letter.html gets html and letter.txt plain text: a
    Markdown letter under either name would open as a page of markup. A letter shown in a
    terminal is plain text too: it is read there and pasted into a chat or a complaint form,
    where Markdown's escapes (\\[, 1\\.) would be sent as they are. Piped, it stays md."""
    from refundkit.pager import stdout_is_terminal

    if out is None and stdout_is_terminal():
        return LetterFormat.TXT
    suffix = out.suffix.lower() if out is not None else ""
    if suffix in (".html", ".htm"):
        return LetterFormat.HTML
    if suffix == ".txt":
        return LetterFormat.TXT
    return LetterFormat.MD


def _check_out(path: Path) -> None:
    """Refuse an --out that cannot become a regular file, before anything is rendered."""
    from refundkit.i18n import _

    if path.is_dir():
        raise BadFile(
            _("--out {path} is a folder: give a file name, e.g. {example}").format(
                path=path, example=path / "letter.md"
            )
        )
    if path.exists() and not path.is_file():
        raise BadFile(
            _("--out {path} is not a regular file: choose another name").format(path=path)
        )
    if path.parent.exists() and not path.parent.is_dir():
        raise BadFile(
            _("--out {path}: {folder} is a file, not a folder").format(
                path=path, folder=path.parent
            )
        )
    if not path.parent.is_dir():
        raise BadFile(
            _("--out {path}: the folder {folder} does not exist").format(
                path=path, folder=path.parent
            )
        )


def _list(ctx: typer.Context) -> None:
    """Show every letter template and where it comes from (built-in or your file).

    Example: refundkit templates list
    """
    from refundkit import letters

    rows = letters.list_templates(get_store(ctx))
    width = max((len(name) for name, _file in rows), default=0)
    for name, user_file in rows:
        typer.echo(visible(f"{name.ljust(width)}  {user_file or BUILT_IN}"))


# The contract's token for a template that is not overridden: scripts read it, so it is the
# same in every interface language (like a code in --json), never translated.
BUILT_IN = "built-in"


def _copy(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Template name as `templates list` shows it.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace your existing copy with the built-in.")
    ] = False,
) -> None:
    """Copy a built-in template into your data folder, where it then wins; edit it there.

    Example: refundkit templates copy letters/merchant.zh.md.j2
    """
    from refundkit import letters
    from refundkit.i18n import _

    target = letters.copy_template(get_store(ctx), name, force=force)
    typer.echo(
        _("Copied {name} to {path}; edit it there (it now wins over the built-in).").format(
            name=name, path=target
        )
    )


templates_app.command("list", cls=RefundkitCommand)(guarded(_list))
templates_app.command("copy", cls=RefundkitCommand)(guarded(_copy))
