"""How `--help` looks: commands in the order of the journey, in panels, through the pager.

Typer draws the help with rich; three things are set right here, in the command classes the
app uses (RefundkitGroup, RefundkitCommand), at the moment help is shown, so that starting
any other command costs nothing:
- The commands are listed in the order a case goes (record, proof, steps, letters, check and
  share), each panel in Typer's `rich_help_panel`, named in the interface's language.
- Typer shows every parameter's Python type (`<bool>` for a flag, `<list[Path]>`, `<str>`)
  unless it has a metavar. Flags get none, other options a word (TEXT, NUMBER, PATH), and an
  option with choices lists them in its help, where they wrap between words, rather than in
  the type column (`<wechat-pay|alipay|credi` / `t-card>`).
- rich cuts a word too long for its column with an ellipsis (the table's default overflow),
  and Chinese, written without spaces, is one long word to it: help text in Chinese came out
  as `2026年11月20日…`, and option names as `--merchant-addr…`. Typer passes every such text
  through rich_utils.highlighter; the texts it returns are made to fold instead (break
  between characters), never to be cut.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from refundkit.cli.coercion import lazy_coercion
from refundkit.i18n import _

# The journey: each panel's name (an English msgid, looked up when help is shown) and its
# commands in the order a case needs them. A command not listed goes to a last panel.
JOURNEY = (
    ("Record", ("add-order", "import-bill", "import-screenshot", "edit", "profile")),
    ("Proof", ("add-evidence", "verify")),
    ("Steps", ("log", "correct", "withdraw", "suggest-events")),
    ("Letters", ("draft-complaint", "templates")),
    ("Check and share", ("status", "calendar", "export")),
    ("Undo", ("remove", "restore")),
    ("Try it", ("demo",)),
)
ORDER = [name for _panel, names in JOURNEY for name in names]


def panel_names() -> dict[str, str]:
    """Each command's panel, in the interface's language."""
    names = {
        "Record": _("Record"),
        "Proof": _("Proof"),
        "Steps": _("Steps"),
        "Letters": _("Letters"),
        "Check and share": _("Check and share"),
        "Undo": _("Undo"),
        "Try it": _("Try it"),
    }
    return {command: names[panel] for panel, commands in JOURNEY for command in commands}


class RefundkitGroup(TyperGroup):
    """The app (and `templates`): commands in journey order, help laid out and paged."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        """Before click reads the command line: the interface's language, so that `--help`
        and a mistyped option, which never reach the app's callback, speak it too."""
        import sys

        from refundkit.cli import language

        words = list(sys.argv[1:] if args is None else args)
        language.choose(
            language.option_value(words, "--ui-lang"), language.option_value(words, "--home")
        )
        return super().main(args, *rest, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with said_in_one_line():
            return super().make_context(*args, **kwargs)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        lazy_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with said_in_one_line():
            return super().invoke(ctx)

    def list_commands(self, ctx: Any) -> list[str]:
        listed = super().list_commands(ctx)
        known = [name for name in ORDER if name in listed]
        return known + [name for name in listed if name not in ORDER]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        panels = panel_names()
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None:
                continue
            translate_help(command)  # the list shows each command's first line
            if self.parent_is_root(ctx):
                command.rich_help_panel = panels.get(name, _("More"))  # type: ignore[attr-defined]
        show(ctx, self, lambda: super(RefundkitGroup, self).format_help(ctx, formatter))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        write_usage(self, ctx, formatter)

    @staticmethod
    def parent_is_root(ctx: Any) -> bool:
        return ctx.parent is None

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: Any = None
    ) -> None:
        """Completing a command line (Typer's shell completion): the choices an option takes
        (its codes) are offered for it. Set up only here, so that no other run pays for it."""
        complete_choices(self)
        super()._main_shell_completion(ctx_args, prog_name, complete_var)


class RefundkitCommand(TyperCommand):
    """Every command: its help laid out and paged."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        lazy_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        show(ctx, self, lambda: super(RefundkitCommand, self).format_help(ctx, formatter))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        write_usage(self, ctx, formatter)


@contextlib.contextmanager
def said_in_one_line() -> Iterator[None]:
    """A usage error (click's, raised while the command line is read) said in one line in the
    interface's language (cli/usage.py) rather than in Typer's English panel, exit 2."""
    from refundkit.cli import usage

    click = usage.exceptions()
    try:
        yield
    except getattr(click, "NoArgsIsHelpError", ()):  # click 8.2 on; Typer shows the help
        raise
    except click.ClickException as error:
        usage.usage_error(error)
        raise typer.Exit(error.exit_code) from None


def write_usage(command: Any, ctx: Any, formatter: Any) -> None:
    """`Usage: refundkit status [OPTIONS] [order]`, its words in the interface's language."""
    command.options_metavar = _("[OPTIONS]")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = _("COMMAND [ARGS]...")
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))


def translate_help(command: Any) -> None:
    """A command's help in the interface's language. The code writes it in English (the
    docstring, help=); tools/messages.py puts those texts in the catalog, and they are
    looked up here, when help is shown, from the English kept on first use."""
    if not hasattr(command, "_refundkit_english"):
        command._refundkit_english = (command.help, command.short_help, command.epilog)
    help_text, short, epilog = command._refundkit_english
    command.help = _(help_text) if help_text else help_text
    command.short_help = _(short) if short else short
    command.epilog = _(epilog) if epilog else epilog


def complete_choices(command: Any) -> None:
    """Give each option (and the EVENT argument) that takes a fixed choice its codes to
    complete: the options take free text (Chinese words too, choices.py), so click no longer
    knows their choices."""
    from refundkit import choices

    by_name = {v.option: v for v in choices.ALL}
    by_name |= {"--lang": choices.LANGUAGE, "--ui-lang": choices.LANGUAGE}
    for param in command.params:
        names = [*getattr(param, "opts", ()), (param.name or "").upper()]
        vocabulary = next((by_name[n] for n in names if n in by_name), None)
        if vocabulary is not None:
            codes = vocabulary.codes
            param._custom_shell_complete = lambda _ctx, _param, typed, codes=codes: [
                code for code in codes if code.startswith(typed)
            ]
    for sub in getattr(command, "commands", {}).values():
        complete_choices(sub)


def show(ctx: Any, command: Any, draw: Any) -> None:
    """Draw the help with the parameters described in words, through the pager."""
    from refundkit import pager

    translate_help(command)
    for param in command.get_params(ctx):
        describe(param)
    fold_long_words()
    typer_words()
    with pager.paging(), breaking_between_cjk():
        draw()


# A "word" for line breaking: one CJK character (Chinese is written without spaces, and a
# line may break between any two of its characters) or a run of anything else, each with the
# punctuation that must stay with it (no line starts with ，。） nor ends with （).
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_OPENING = "（《「『“‘【〔"
_CLOSING = "，。、；：！？）》」』”’】〕…"
_WORD = rf"\s*[{_OPENING}]*(?:[{_CJK}]|[^\s{_CJK}]+)[{_CLOSING}]*\s*"


@contextlib.contextmanager
def breaking_between_cjk() -> Iterator[None]:
    """While help is drawn, rich wraps text between Chinese characters as between words.
    rich splits lines at spaces only (rich/_wrap.py `words`), so a Chinese sentence was one
    long word that jumped whole to the next line, leaving a short fragment behind. If a later
    rich has no such function, its own wrapping stays."""
    import re

    from rich import _wrap

    original = getattr(_wrap, "words", None)
    if original is None or not hasattr(_wrap, "re_word"):
        yield
        return
    pattern = re.compile(_WORD)

    def words(text: str) -> Iterator[tuple[int, int, str]]:
        position = 0
        match = pattern.match(text, position)
        while match is not None and match.end() > position:
            yield match.start(), match.end(), match.group(0)
            position = match.end()
            match = pattern.match(text, position)

    _wrap.words = words
    try:
        yield
    finally:
        _wrap.words = original


def describe(param: Any) -> None:
    """A parameter's metavar in words instead of its Python type, and its choices in its
    help. Done once per parameter; a metavar the code gave is kept."""
    if not hasattr(param, "type_descriptor"):
        return
    if not hasattr(param, "_refundkit_english"):
        param._refundkit_english = (param.help, param.metavar)
    english, metavar = param._refundkit_english
    param.help = _(english) if english else english
    param.metavar = metavar
    kind = param.type_descriptor
    if isinstance(param, typer.core.TyperArgument):
        # Its name says what it is; Typer would add the type (`<str>`, `<list[Path]>`).
        setattr(param, "display_type_rich", _no_type)  # noqa: B010  (an instance's, not the class's)
        return
    if param.metavar is not None:
        return
    if getattr(param, "is_flag", False) or kind.annotation is bool:
        param.metavar = ""
        return
    if kind.is_choice and kind.choices:
        param.metavar = _("CHOICE")
        values = [getattr(c, "value", str(c)) for c in kind.choices]
        if not all(value in (param.help or "") for value in values):
            choices = _("One of: {choices}.").format(choices=", ".join(values))
            param.help = f"{param.help} {choices}" if param.help else choices
        return
    if kind.is_path:
        param.metavar = _("PATH")
    elif kind.annotation is int:
        param.metavar = _("NUMBER")
        if not hasattr(param, "_refundkit_bounds"):
            param._refundkit_bounds = param._get_number_range_help_str()
            # in the help, not beside NUMBER, where it widens the narrow type column
            setattr(param, "_get_number_range_help_str", _no_type)  # noqa: B010
        bounds = param._refundkit_bounds
        if bounds:
            param.help = f"{param.help} [{bounds}]" if param.help else f"[{bounds}]"
    else:
        param.metavar = _("TEXT")


def _no_type(ctx: Any = None) -> None:
    """An argument's type column: empty (its name says what it is)."""
    return None


def typer_words() -> None:
    """The words Typer's help frames are made of, in the interface's language (Typer reads
    them from rich_utils when it draws)."""
    from typer import rich_utils

    words = {
        "ARGUMENTS_PANEL_TITLE": _("Arguments"),
        "OPTIONS_PANEL_TITLE": _("Options"),
        "COMMANDS_PANEL_TITLE": _("Commands"),
        "ERRORS_PANEL_TITLE": _("Error"),
        "DEFAULT_STRING": _("[default: {}]"),
        "REQUIRED_LONG_STRING": _("[required]"),
        "ENVVAR_STRING": _("[env var: {}]"),
        "DEPRECATED_STRING": _("(deprecated) "),
        "ABORTED_TEXT": _("Aborted."),
    }
    for name, word in words.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, word)


def fold_long_words() -> None:
    """Make the texts Typer's help is made of (help texts, option names) fold a word too long
    for its column (Chinese has no spaces) instead of cutting it with an ellipsis. Typer
    passes them all through rich_utils.highlighter; it is wrapped once per process. If a later
    Typer has no such object, its own behaviour stays."""
    from typer import rich_utils

    highlight = getattr(rich_utils, "highlighter", None)
    if highlight is None or isinstance(highlight, _Folding):
        return
    rich_utils.highlighter = _Folding(highlight)  # type: ignore[assignment]


class _Folding:
    """A highlighter whose texts fold (break between characters) rather than be cut."""

    def __init__(self, highlight: Any) -> None:
        self.highlight = highlight

    def __call__(self, text: Any) -> Any:
        shown = self.highlight(text)
        if getattr(shown, "overflow", "") is None:
            shown.overflow = "fold"
        return shown
