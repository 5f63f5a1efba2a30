"""A mistyped command line, said in one line in the interface's language.

Typer reports click's usage errors (an unknown option, a missing argument, a bad value) as a
usage line, a hint and a framed panel, all in English. refundkit says them as it says every
other error: one line on stderr, `error: ` and what was wrong, with the command whose help
shows how to fix it, then exit 2. click writes its messages in English without gettext, so
each kind of error is recognised by its class and, for the plain UsageError, by the English
text click gives it, and worded again here.
"""

import re
from typing import Any

from refundkit.i18n import _
from refundkit.sanitize import visible


def usage_error(error: Any) -> None:
    import typer

    if type(error).__name__ == "NoArgsIsHelpError":  # the help is shown instead: nothing to say
        return
    ctx = getattr(error, "ctx", None)
    message = describe(error)
    if ctx is not None:
        message = _("{message} (see `{command}`)").format(
            message=message, command=f"{ctx.command_path} --help"
        )
    line = _("error: {message}").format(message=message)
    typer.echo(visible(line), err=True)


def describe(error: Any) -> str:
    """What was wrong, in the interface's language."""
    click = exceptions()
    if isinstance(error, click.NoSuchOption):
        said = _("no such option: {option}").format(option=error.option_name)
        if error.possibilities:
            said += _("; did you mean {options}?").format(
                options=_(", ").join(sorted(error.possibilities))
            )
        return said
    if isinstance(error, click.MissingParameter):
        return _missing(error)
    if isinstance(error, click.BadParameter):
        hint = _hint(error)
        message = _message(error.message)
        return _("{option}: {message}").format(option=hint, message=message) if hint else message
    if isinstance(error, click.BadOptionUsage):
        return _message(error.message, option=error.option_name)
    return _message(error.format_message())


def exceptions() -> Any:
    """click's exception classes: Typer carries its own copy of click since 0.20."""
    try:
        from typer._click import exceptions
    except ImportError:  # an older Typer, on click itself
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def _hint(error: Any) -> str:
    hint = error.param_hint
    if hint is None and error.param is not None:
        hint = error.param.get_error_hint()
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return str(hint or "").replace("'", "").replace('"', "")


def _arguments() -> dict[str, str]:
    """What each command's arguments stand for, in words (their names are in capitals)."""
    return {
        "order": _("the order's id, or a part of the merchant's or item's name"),
        "event": _("what happened (e.g. merchant-refused)"),
        "event-id": _("the event's id (t1, t2...)"),
        "evidence": _("the evidence id (e1, e2...)"),
        "files": _("the file"),
        "file": _("the file"),
        "name": _("the template's name"),
    }


def _missing(error: Any) -> str:
    hint = _hint(error)
    if error.param is not None and getattr(error.param, "param_type_name", "") == "argument":
        command = getattr(getattr(error.ctx, "command", None), "name", "")
        name = error.param.name or ""
        if name == "event" and command in ("correct", "withdraw"):
            name = "event-id"
        what = _arguments().get(name)
        if what is None:
            return _("{argument} is missing: give it after the command").format(
                argument=hint.upper()
            )
        return _("{argument} is missing: give {what} after the command").format(
            argument=hint.upper(), what=what
        )
    return _("{option} is required").format(option=hint)


# click's own English messages (typer._click: core, parser, _coercion), each with its wording.
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    return [
        (
            re.compile(r"No such command '(?P<name>.*?)'\.(?: Did you mean (?P<like>.*)\?)?$"),
            "command",
        ),
        (re.compile(r"Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)$"), "extra"),
        (re.compile(r"Option '(?P<option>.*?)' requires an argument\.?$"), "needs-value"),
        (re.compile(r"Option '(?P<option>.*?)' does not take a value\.?$"), "no-value"),
        (re.compile(r"Value (?P<value>.*) is not a valid (?P<kind>\w+)\.?$"), "not-valid"),
        # Pydantic's, through which Typer coerces option values
        (re.compile(r"Input should be a valid integer"), "integer"),
        (re.compile(r"Input should be a valid (?:number|decimal)"), "number"),
        (re.compile(r"Input should be greater than or equal to (?P<n>\S+)$"), "at-least"),
        (re.compile(r"Input should be less than or equal to (?P<n>\S+)$"), "at-most"),
        (re.compile(r"Input should be greater than (?P<n>\S+)$"), "more-than"),
        (re.compile(r"Input should be less than (?P<n>\S+)$"), "less-than"),
        (re.compile(r"(?:File|Directory|Path) (?P<path>.*) does not exist\.$"), "no-path"),
    ]


_BOUNDS = ("integer", "number", "at-least", "at-most", "more-than", "less-than")


def _bounds() -> dict[str, str]:
    return {
        "integer": _("give a whole number"),
        "number": _("give a number"),
        "at-least": _("give at least {n}"),
        "at-most": _("give at most {n}"),
        "more-than": _("give more than {n}"),
        "less-than": _("give less than {n}"),
    }


def _message(text: str, option: str | None = None) -> str:
    """click's English message worded in the interface's language; one it does not know is
    kept as it is (it still names what was wrong)."""
    for pattern, kind in _patterns():
        found = pattern.match(text.strip())
        if found is None:
            continue
        parts = found.groupdict()
        if kind == "command":
            said = _("no such command: {name}").format(name=parts["name"])
            if parts.get("like"):
                said += _("; did you mean {commands}?").format(
                    commands=parts["like"].replace("'", "")
                )
            return said
        if kind == "extra":
            return _("too many arguments: {arguments}").format(arguments=parts["args"])
        if kind == "needs-value":
            return _("{option} needs a value after it").format(option=parts["option"])
        if kind == "no-value":
            return _("{option} takes no value").format(option=parts["option"])
        if kind in _BOUNDS:
            return _bounds()[kind].format(n=parts.get("n"))
        if kind == "no-path":
            return _("no such file or folder: {path}").format(path=parts["path"])
        if kind == "not-valid":
            number = {"int": _("a whole number"), "float": _("a number")}
            return _("{value} is not {kind}").format(
                value=parts["value"], kind=number.get(parts["kind"], parts["kind"])
            )
    return text
