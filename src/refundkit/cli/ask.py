"""Questions in a terminal: one fact at a time, with an example and a default, asked again
until the answer can be used.

A wrong answer never ends the session: its one-line error is shown and the question asked
again, with every earlier answer kept. Ctrl-C or the end of input leaves without writing
anything (exit 130 or 1), since the commands record nothing until the last answer is in.

Lines are read with input(), made editable by the standard library's readline where there is
one (arrow keys, history, and Chinese characters erased whole, as the terminal's locale says).
Off a terminal nothing here is used: the commands stay scriptable and fail with a message.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

import typer

from refundkit.errors import RefundkitError
from refundkit.sanitize import visible

if TYPE_CHECKING:
    from refundkit.choices import Vocabulary

T = TypeVar("T")
_editing = False


def _line_editing() -> None:
    """Import readline once: from then on input() edits lines (not on every platform)."""
    global _editing
    if _editing:
        return
    _editing = True
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it is what turns on line editing)


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Around a run of questions: Ctrl-C and the end of input leave cleanly, nothing written."""
    from refundkit.i18n import _

    _line_editing()
    try:
        yield
    except KeyboardInterrupt:
        typer.echo("", err=True)
        typer.echo(_("interrupted: nothing was recorded"), err=True)
        raise typer.Exit(130) from None
    except EOFError:
        typer.echo("", err=True)
        typer.echo(_("no answer (end of input): nothing was recorded"), err=True)
        raise typer.Exit(1) from None


def _read(prompt: str) -> str:
    sys.stdout.flush()
    return input(visible(prompt)).strip()


def text(
    label: str,
    *,
    example: str | None = None,
    default: str | None = None,
    default_label: str | None = None,
    required: bool = False,
    check: Callable[[str], object] | None = None,
    caution: Callable[[str], str | None] | None = None,
) -> str | None:
    """Ask for one line of text; Enter gives default (None: not given). check(answer) raises
    a RefundkitError for an answer that cannot be used, and the question is asked again.
    caution(answer) is a doubt about an answer that can be used (a transaction number of the
    wrong length): said at once, and the answer kept only if the user says so."""
    from refundkit.i18n import _

    def read(answer: str) -> str:
        if check is not None:
            check(answer)
        doubt = caution(answer) if caution is not None else None
        if doubt is not None:
            warn(doubt)
            if not confirm(_("Keep it as typed?")):
                raise _AskAgain(answer)
        return answer

    return value(
        label,
        example=example,
        default=default,
        default_label=default_label,
        required=required,
        read=read,
    )


def value(
    label: str,
    *,
    read: Callable[[str], T],
    example: str | None = None,
    default: T | None = None,
    default_label: str | None = None,
    required: bool = False,
) -> T | None:
    """Ask until read(answer) gives a value; Enter gives default."""
    from refundkit.i18n import _

    prompt = _prompt(label, example, default_label, required)
    while True:
        answer = _read(prompt)
        if not answer:
            if required and default is None:
                say(_("an answer is needed here"))
                continue
            return default
        try:
            return read(answer)
        except _AskAgain:
            continue  # the user said so: the question again, with no error to read
        except RefundkitError as exc:
            say(exc.message)


def choice(
    label: str,
    vocabulary: Vocabulary,
    *,
    default: str | None = None,
    default_label: str | None = None,
    codes: tuple[str, ...] | None = None,
    other_text: bool = False,
    required: bool = False,
) -> str | None:
    """Ask for one of a vocabulary's codes: the choices are listed by their names, numbered;
    a number, a name, a code or a common word is taken. With other_text, any other text is
    kept as typed (the platform). Enter gives default (None: not given)."""
    from refundkit import choices
    from refundkit.i18n import _

    listed = codes or vocabulary.codes
    for line in menu(vocabulary, listed, shutil.get_terminal_size().columns):
        typer.echo(visible(line))
    if default is not None and default_label is None:
        default_label = vocabulary.name(default)

    def read(answer: str) -> str:
        if answer.isdigit():
            index = int(answer)
            if 1 <= index <= len(listed):
                return listed[index - 1]
            raise RefundkitError(
                _("{number} is not on the list: give a number from 1 to {last}").format(
                    number=answer, last=len(listed)
                )
            )
        code = choices.find(vocabulary, answer)
        if other_text:
            return code or answer
        if code is not None and code in listed:
            return code
        # An answer, not an option: the message names neither --category nor the codes.
        several = [c for c in choices.meanings(vocabulary, answer) if c in listed]
        if several:
            numbers = _(", ").join(str(listed.index(c) + 1) for c in several)
            raise RefundkitError(
                _("{value} could mean several things: give one of the numbers {numbers}").format(
                    value=repr(answer), numbers=numbers
                )
            )
        raise RefundkitError(
            _("{value} is not on the list: give a number from 1 to {last}, or a name on it").format(
                value=repr(answer), last=len(listed)
            )
        )

    return value(
        _("{label} (number or name)").format(label=label),
        read=read,
        default=default,
        default_label=default_label,
        required=required,
    )


def menu(vocabulary: Vocabulary, codes: tuple[str, ...], width: int) -> list[str]:
    """The numbered choices: each name, and the code to type in a column beside it where the
    terminal is wide enough (a name with its own brackets then never gets a second pair).
    A narrow terminal shows the names alone: a number or a name is the answer asked for, and
    the codes are in the command's --help."""
    from refundkit.wrap import cell_width

    names = [vocabulary.name(code) for code in codes]
    shown = [code if vocabulary.labelled(code) != code else "" for code in codes]
    column = max(cell_width(name) for name in names)
    if 6 + column + 2 + max(len(code) for code in shown) > width:
        return [f"  {n:>2}  {name}" for n, name in enumerate(names, start=1)]
    return [
        f"  {n:>2}  {name}{' ' * (column - cell_width(name) + 2)}{code}".rstrip()
        for n, (name, code) in enumerate(zip(names, shown, strict=True), start=1)
    ]


def required_choice(label: str, vocabulary: Vocabulary) -> str:
    """choice() with no default and no skipping: Enter asks again."""
    answer = choice(label, vocabulary, required=True)
    if answer is None:  # value() gives None only where an answer may be skipped
        raise RuntimeError("a required question was skipped")
    return answer


class _AskAgain(RefundkitError):
    """The user chose to type an answer again: not an error."""


def line(label: str, *, default_label: str | None = None) -> str:
    """One raw answer to a question in the journey's style, for a caller that weighs an empty
    answer or a "-" itself (the screenshot review: keep, correct or leave out)."""
    return _read(_prompt(label, None, default_label, required=True))


def confirm(question: str) -> bool:
    """Yes or no; Enter is no (nothing is removed unless the user says so)."""
    from refundkit.i18n import _

    yes = {"y", "yes", "是", "是的", "好", "确定", "确认", "对"}
    no = {"n", "no", "否", "不", "不是", "取消"}
    while True:
        answer = _read(_("{question} [y/N] ").format(question=question)).lower()
        if answer in yes:
            return True
        if not answer or answer in no:
            return False
        say(_("answer y (yes) or n (no)"))


def say(message: str) -> None:
    """One line on stderr: what was wrong with the answer, before the question comes again."""
    from refundkit.i18n import _

    typer.echo(visible(_("error: {message}").format(message=message)), err=True)


def warn(message: str) -> None:
    """One line on stderr: a fact that looks wrong but was kept."""
    from refundkit.i18n import _

    typer.echo(visible(_("warning: {message}").format(message=message)), err=True)


def _prompt(label: str, example: str | None, default_label: str | None, required: bool) -> str:
    from refundkit.i18n import _

    prompt = label
    if example:  # each part brings its own spacing: Chinese brackets take none
        prompt += _(" (e.g. {example})").format(example=example)
    if default_label:
        prompt += _(" [Enter: {default}]").format(default=default_label)
    elif not required:
        prompt += _(" [Enter: skip]")
    return _("{question}: ").format(question=prompt)
