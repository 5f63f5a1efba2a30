"""Letters: find the template (the user's copy first), render it safely, write md, txt or html.

This module decides nothing about the law or the wording. What the letter may say comes from
the rules (refundkit.rules.assess), formatted for the template by letter_facts.py; how it is
said is in the templates (templates/letters/, one per recipient and language, with the law's
wording in _law.<lang>.md.j2), so a user can copy and edit one without touching the law.

Facts are data, never template code: they reach Jinja as context values, and each one a template
prints is swapped for a token until the letter is converted to its format (see markup.py), so
md and txt carry every fact character for character and html escapes it. Jinja2 is imported
inside the functions that need it, so the CLI does not pay for it at start-up.
"""

from __future__ import annotations

import contextlib
import traceback
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refundkit import markup
from refundkit.cases import report
from refundkit.errors import BadFile, BadInput, DamagedData
from refundkit.i18n import _
from refundkit.kinds import Channel, Jurisdiction, Lang, LetterFormat, Recipient, Stage
from refundkit.letter_facts import Blank, format_date, format_money, letter_facts
from refundkit.store import atomic_write, make_private_dir

if TYPE_CHECKING:
    import jinja2

    from refundkit.models import Order, Profile
    from refundkit.store import Store

LETTERS_DIR = "letters"
PAGE_TEMPLATE = "letters/_page.html.j2"
DESCRIPTION_LIMIT = 300  # WeChat Pay complaint API: complaint_detail string[1,300]
__all__ = ["Blank", "format_date", "format_money"]
FACT = dict[str, Any]

NEXT_LETTER = {
    Stage.NEW: Recipient.MERCHANT,
    Stage.NEGOTIATING: Recipient.MERCHANT,
    Stage.REFUSED: Recipient.PLATFORM,
    Stage.PLATFORM: Recipient.REGULATOR,
    Stage.REGULATOR: Recipient.LAWYER,
    Stage.LEGAL: Recipient.LAWYER,
    Stage.RESOLVED: Recipient.LAWYER,
    Stage.CLOSED: Recipient.LAWYER,
}


@dataclass
class Letter:
    """A rendered letter and what the user should know about it (for stderr)."""

    text: str
    warnings: list[str]
    description: str | None = None  # the platform letter's complaint description


# --- choosing the letter ----------------------------------------------------------------


def default_recipient(stage: Stage) -> Recipient:
    """The letter for the case's next rung (cli-contract.md: draft-complaint without --to)."""
    return NEXT_LETTER[stage]


def default_lang(order: Order, profile: Profile) -> Lang:
    """The profile's language, else Chinese for a PRC case and English otherwise."""
    if profile.language is not None:
        return profile.language
    return Lang.ZH if order.jurisdiction is Jurisdiction.CN else Lang.EN


def template_name(recipient: Recipient, lang: Lang) -> str:
    return f"{LETTERS_DIR}/{recipient.value}.{lang.value}.md.j2"


def description_template(lang: Lang) -> str:
    return f"{LETTERS_DIR}/platform-description.{lang.value}.txt.j2"


# --- where templates live ---------------------------------------------------------------


def builtin_dir() -> Path:
    """The built-in templates: inside the installed package (wheel) or the checkout's templates/.

    The wheel carries templates/ as refundkit/templates (pyproject force-include); an editable
    install does not, so from a checkout the repository's top-level folder is used.
    """
    from importlib.resources import files

    packaged = Path(str(files("refundkit") / "templates"))
    if (packaged / LETTERS_DIR).is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / LETTERS_DIR).is_dir():
        return checkout
    raise DamagedData(
        _("the built-in letter templates are missing (looked in {path}): reinstall").format(
            path=packaged
        )
    )


def _names_under(root: Path) -> dict[str, Path]:
    """Template names (paths relative to root, with /) of every .j2 file under root."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*.j2"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    }


def list_templates(store: Store) -> list[tuple[str, Path | None]]:
    """Every template by name, with the user's file that wins over it, or None for built-in.

    A user's template with no built-in of that name (a new partial, say) is listed too.
    """
    builtin = _names_under(builtin_dir())
    user = _names_under(store.templates_dir)
    names = sorted(set(builtin) | set(user))
    return [(name, user.get(name)) for name in names]


def copy_template(store: Store, name: str, *, force: bool = False) -> Path:
    """Copy a built-in template into the data folder, where it then wins over the built-in.

    Only names of built-in templates are accepted, so no path can escape templates/; an
    existing copy (which may hold the user's edits) is kept unless force is given.
    """
    builtin = _names_under(builtin_dir())
    source = builtin.get(name.strip().replace("\\", "/"))
    if source is None:
        raise BadInput(
            _(
                "no built-in template named {name}: run `refundkit templates list` for the "
                "names, e.g. letters/merchant.zh.md.j2"
            ).format(name=repr(name))
        )
    target = store.templates_dir / source.relative_to(builtin_dir())
    if target.exists() and not force:
        raise BadInput(
            _(
                "{path} already exists (it may hold your edits): edit it, or add --force to "
                "replace it with the built-in"
            ).format(path=target)
        )
    if target.is_dir() or target.is_symlink():
        raise BadFile(
            _("{path} is a folder or a link, not a template file: remove it first").format(
                path=target
            )
        )
    store.ensure()  # the data folder as every command makes it (marked as refundkit's own)
    make_private_dir(target.parent)
    atomic_write(target, source.read_bytes())
    return target


# --- rendering --------------------------------------------------------------------------


class _Capture:
    """Jinja's finalize hook: every value a template prints becomes a token, its text kept.

    Template text and macro output arrive as Markup and pass through, so only data is
    tokenised; a Blank is also remembered, for the missing-fact warnings.
    """

    def __init__(self) -> None:
        self.facts: list[str] = []
        self.blanks: list[Blank] = []

    def finalize(self, value: Any) -> Any:
        from jinja2 import UndefinedError
        from markupsafe import Markup

        if isinstance(value, Markup):
            return value
        if value is None:
            raise UndefinedError(
                _("the template prints a fact that is not recorded (None): guard it with {% if %}")
            )
        if isinstance(value, Blank) and value not in self.blanks:
            self.blanks.append(value)
        self.facts.append(str(value))
        return markup.token(len(self.facts) - 1)


_CAPTURE: ContextVar[_Capture | None] = ContextVar("refundkit_letter_capture", default=None)
_ENVIRONMENTS: dict[tuple[object, ...], jinja2.Environment] = {}


def _finalize(value: Any) -> Any:
    """Hand each printed value to the render in progress (none: the html page wrapper)."""
    capture = _CAPTURE.get()
    return value if capture is None else capture.finalize(value)


def _environment(store: Store) -> jinja2.Environment:
    """The Jinja environment for this data folder, kept for the process.

    Compiling the templates is most of a letter's cost, and the platform letter, an export or
    a test renders several; the cache key includes the user's template files, so adding or
    editing one (which could shadow a built-in) gives a fresh environment.
    """
    key = (str(store.templates_dir), tuple(_fingerprint(store.templates_dir)))
    env = _ENVIRONMENTS.get(key)
    if env is None:
        _ENVIRONMENTS.clear()  # one data folder per process, in practice
        env = _ENVIRONMENTS[key] = _new_environment(store)
    return env


def _fingerprint(root: Path) -> list[tuple[str, int, int]]:
    """Each user template with its size and modification time."""
    stats = []
    for name, path in _names_under(root).items():
        with contextlib.suppress(OSError):
            info = path.stat()
            stats.append((name, info.st_size, info.st_mtime_ns))
    return stats


def _new_environment(store: Store) -> jinja2.Environment:
    """User templates first, then the built-ins, in a sandbox; strict about undefined names.

    Templates are data, not code (see sandbox.py): they run in Jinja's immutable sandbox and
    read files only from the two template folders.

    Autoescape is on for every format, but only as a marker: it makes template text and macro
    output Markup, which is how finalize tells them from facts. Facts themselves are never
    escaped in md or txt: they are tokens by the time escaping could touch them.
    """
    import jinja2

    from refundkit import sandbox

    env = sandbox.environment(
        [store.templates_dir, builtin_dir()],
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["oneline"] = _oneline
    return env


def _oneline(text: str, separator: str = "") -> Any:
    """Join a block's lines into one (`{% filter oneline %}`), e.g. for a form's text field.

    Inside a template the facts are still tokens, so only template text is joined: a fact
    keeps its own line breaks.
    """
    from markupsafe import Markup

    lines = (line.strip() for line in str(text).splitlines())
    return Markup(separator.join(line for line in lines if line))


# What a template can do wrong while it runs, besides Jinja's own errors: include or call
# itself without end, divide by zero, add a number to a word, index past a list's end.
_TEMPLATE_FAULTS = (RecursionError, ArithmeticError, TypeError, ValueError, LookupError)


def _render(
    store: Store, name: str, context: FACT, fmt: LetterFormat
) -> tuple[str, list[Blank], str]:
    """Render one template to the format; returns the text, the blanks it printed, and the
    plain-text version of its first line (an html page's title)."""
    import jinja2

    capture = _Capture()
    env = _environment(store)
    reset = _CAPTURE.set(capture)
    try:
        structure = env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        raise _template_problem(store, name, exc) from None
    except _TEMPLATE_FAULTS as exc:
        if not _template_frames(exc):
            raise  # refundkit's own fault, not the template's
        raise _template_problem(store, name, exc) from None
    finally:
        _CAPTURE.reset(reset)
    title = next((line for line in markup.to_text(structure).splitlines() if line.strip()), "")
    text = markup.render(structure, capture.facts, fmt)
    return text, capture.blanks, markup.fill(title.strip(), capture.facts, LetterFormat.TXT)


def _template_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The frames of exc's traceback that ran template code (Jinja names them by file)."""
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]


def _template_problem(store: Store, name: str, exc: Exception) -> BadFile:
    """One line naming the template file and line, whether the user's copy or a built-in."""
    import jinja2

    where = name
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = _("{file}, line {line}").format(
            file=exc.filename or exc.name or name, line=exc.lineno
        )
    else:
        frames = _template_frames(exc)
        if frames:
            where = _("{file}, line {line}").format(
                file=frames[-1].filename, line=frames[-1].lineno
            )
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    message = message.strip().removesuffix(".")
    if isinstance(exc, jinja2.TemplateNotFound):
        message = _("template {name} not found").format(name=repr(message))
    elif isinstance(exc, RecursionError):
        message = _("the template includes, imports or calls itself without end")
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        message = _("not allowed in a letter template: {problem}").format(problem=message)
    elif not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return BadFile(
        _(
            "letter template problem in {where}: {problem}; fix your copy in {folder} "
            "or delete it to use the built-in"
        ).format(where=where, problem=message, folder=store.templates_dir)
    )


def _page(store: Store, body: str, title: str, lang: Lang) -> str:
    """Wrap an html body in a minimal page (a template too, so its style can be changed)."""
    import jinja2
    from markupsafe import Markup

    env = _environment(store)
    try:
        page = env.get_template(PAGE_TEMPLATE)
        return page.render(
            title=title, body=Markup(body), lang="zh-CN" if lang is Lang.ZH else "en"
        )
    except jinja2.TemplateError as exc:
        raise _template_problem(store, PAGE_TEMPLATE, exc) from None
    except _TEMPLATE_FAULTS as exc:
        if not _template_frames(exc):
            raise
        raise _template_problem(store, PAGE_TEMPLATE, exc) from None


def render_letter(
    store: Store,
    order: Order,
    recipient: Recipient,
    lang: Lang,
    fmt: LetterFormat,
    as_of: date,
    channel: Channel | None = None,
) -> Letter:
    """The letter to one recipient, in one language and format, from the facts as of a day.

    channel (for the platform letter) overrides the complaint channel the rules chose.
    """
    if as_of < order.purchased:
        raise BadInput(
            _("as-of date {date} is before the purchase ({purchased})").format(
                date=as_of, purchased=order.purchased
            )
        )
    case = report(order, as_of)
    context = letter_facts(case, store.load_profile(), lang, _excerpts(store, case.order))
    if channel is not None:
        context["channel"] = channel.value
    warnings: list[str] = []
    blanks: list[Blank] = []
    description = None
    if recipient is Recipient.PLATFORM:
        description, blanks, shortened = _description(store, context, lang)
        warnings += _description_warnings(description, shortened, context["channel"])
    context["description"] = description
    text, letter_blanks, title = _render(store, template_name(recipient, lang), context, fmt)
    if fmt is LetterFormat.HTML:
        text = _page(store, text, title, lang)
    blanks += [b for b in letter_blanks if b not in blanks]
    from refundkit.words import terminal

    warnings = (
        [terminal.blank_warning(b.key, str(b), b.fill) for b in blanks]
        + warnings
        + terminal.letter_warnings(case.assessment, order.id, recipient.value)
    )
    return Letter(text if text.endswith("\n") else text + "\n", warnings, description)


def _excerpts(store: Store, order: Order) -> dict[str, str]:
    """The start of each evidence image's recognised text (kept by add-evidence with the OCR
    extra), for the evidence index; only text that still matches its fingerprint."""
    if not any((e.model_extra or {}).get("text_as") for e in order.evidence):
        return {}
    from refundkit.screenshots.text import evidence_excerpt

    found = {}
    for entry in order.evidence:
        text = evidence_excerpt(store, order, entry)
        if text:
            found[entry.id] = text
    return found


def _description(store: Store, context: FACT, lang: Lang) -> tuple[str, list[Blank], int]:
    """The complaint description; where the WeChat Pay form's 300 characters cannot hold it,
    the user's quoted details are shortened (ending in …) until it fits. Returns the text,
    its blanks, and how many characters of the details were left out."""
    original = context["order"]["details"] or ""
    kept = len(original)
    while True:
        text, blanks, _title = _render(store, description_template(lang), context, LetterFormat.TXT)
        text = text.strip()
        over = len(text) - DESCRIPTION_LIMIT  # code points, as the form counts
        if over <= 0 or context["channel"] != Channel.WECHAT_PAY.value or kept == 0:
            return text, blanks, len(original) - kept
        kept = max(kept - over - 1, 0)  # one more for the ellipsis
        shortened = original[:kept].rstrip() + "…" if kept else None
        context["order"] = {**context["order"], "details": shortened, "details_shortened": True}


def _description_warnings(description: str, cut: int, channel: str) -> list[str]:
    from refundkit.words import terminal

    warnings = []
    if cut:
        warnings.append(terminal.description_shortened(cut, DESCRIPTION_LIMIT))
    if channel == Channel.WECHAT_PAY.value and len(description) > DESCRIPTION_LIMIT:
        warnings.append(terminal.description_too_long(len(description), DESCRIPTION_LIMIT))
    return warnings
