"""Letters: the facts each complaint letter needs, and the Jinja2 templates that phrase them.

This module decides *what* a letter may say: which recorded facts, which legal grounds actually
apply to the order as of a day (from shared/product/return-rules.md), what is demanded, and which
facts are missing. The templates in templates/letters/ decide *how* to say it, per language, so a
user can copy and edit one without touching the law. A missing fact becomes a Blank: it prints as
a marked blank like `[商家地址]`, tests false in `{% if %}`, and every blank a letter prints turns
into a warning naming the command that fills it.

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
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from refundkit import markup
from refundkit.cases import CaseReport, report
from refundkit.clocks import mini_program_lapse, regulator_decision, wechat_pay_reply
from refundkit.errors import BadFile, BadInput, DamagedData
from refundkit.kinds import (
    Category,
    Channel,
    EventKind,
    Jurisdiction,
    Lang,
    LetterFormat,
    PaymentMethod,
    Problem,
    Recipient,
    Stage,
    WindowState,
)
from refundkit.ladder import limitation_date, sorted_events
from refundkit.store import atomic_write, make_private_dir
from refundkit.windows import PREPAID_IN_FORCE, Window

DEFAULT_PLATFORM = "WeChat Mini Program"

if TYPE_CHECKING:
    import jinja2

    from refundkit.models import Event, Evidence, Order, Profile
    from refundkit.store import Store

LETTERS_DIR = "letters"
PAGE_TEMPLATE = "letters/_page.html.j2"
DESCRIPTION_LIMIT = 300  # WeChat Pay complaint API: complaint_detail string[1,300]
REPLY_DAYS = 3  # days the merchant letter gives for an answer before the next rung
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
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Events that show the consumer raised the matter with the merchant (the first one dates it).
RAISED = {
    EventKind.CONTACTED_MERCHANT,
    EventKind.RETURN_REQUESTED,
    EventKind.MERCHANT_REFUSED,
    EventKind.PLATFORM_COMPLAINT,
    EventKind.REGULATOR_COMPLAINT,
}
# Events that restart the limitation period (Civil Code Art. 195), as ladder.limitation_date.
DEMANDS = RAISED - {EventKind.MERCHANT_REFUSED}
QUALITY = (Problem.DEFECTIVE, Problem.NOT_AS_DESCRIBED)
RETURN_GROUNDS = {"cn-7day", "promise", "eu-14day", "uk-14day"}

# Missing facts: the blank each language prints, what it is, and the command that fills it.
BLANKS: dict[str, tuple[str, str, str, str]] = {
    "name": ("[投诉人姓名]", "[your name]", "your name", "refundkit profile --name NAME"),
    "phone": (
        "[联系电话]",
        "[your phone number]",
        "your phone number",
        "refundkit profile --phone PHONE",
    ),
    "address": (
        "[通讯地址]",
        "[your postal address]",
        "your postal address",
        "refundkit profile --address ADDRESS",
    ),
    "merchant_address": (
        "[商家地址]",
        "[merchant's address]",
        "the merchant's address",
        "refundkit edit {id} --merchant-address ADDRESS",
    ),
    "merchant_phone": (
        "[商家电话]",
        "[merchant's phone number]",
        "the merchant's phone number",
        "refundkit edit {id} --merchant-phone PHONE",
    ),
    "operator": (
        "[经营者（小程序主体）名称]",
        "[registered company behind the shop]",
        "the company behind the shop or Mini Program (小程序主体)",
        "refundkit edit {id} --operator COMPANY",
    ),
    "order_no": (
        "[订单号]",
        "[order number]",
        "the order number",
        "refundkit edit {id} --order-no NUMBER",
    ),
    "transaction_id": (
        "[交易单号]",
        "[transaction number]",
        "the payment transaction number (交易单号)",
        "refundkit edit {id} --transaction-id NUMBER",
    ),
    "mini_program": (
        "[小程序名称]",
        "[Mini Program name]",
        "the Mini Program's name",
        "refundkit edit {id} --mini-program NAME",
    ),
    "received": (
        "[签收日期]",
        "[date received]",
        "the day the goods were received",
        "refundkit edit {id} --received DATE",
    ),
}
NO_CLOCKS = {
    "answer_by": None,
    "finish_by": None,
    "lapse_on": None,
    "accept_by": None,
    "calendar_known": True,
}
EVIDENCE_FOR = {  # for the missing-evidence warning
    "order": "the order page or screenshot",
    "chat": "the chat records with the merchant",
    "payment": "the payment voucher",
}


@dataclass
class Letter:
    """A rendered letter and what the user should know about it (for stderr)."""

    text: str
    warnings: list[str]
    description: str | None = None  # the platform letter's complaint description


class Blank(str):
    """A missing fact: prints as its marked blank, and is false in a template's `{% if %}`."""

    what: str
    fill: str

    def __new__(cls, label: str, what: str, fill: str) -> Blank:
        blank = super().__new__(cls, label)
        blank.what = what
        blank.fill = fill
        return blank

    def __bool__(self) -> bool:
        return False

    def warning(self) -> str:
        return f"missing {self.what}, shown as {str(self)}; fill it in with: {self.fill}"


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
        f"the built-in letter templates are missing (looked in {packaged}): reinstall"
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
            f"no built-in template named {name!r}: run `refundkit templates list` for the names, "
            "e.g. letters/merchant.zh.md.j2"
        )
    target = store.templates_dir / source.relative_to(builtin_dir())
    if target.exists() and not force:
        raise BadInput(
            f"{target} already exists (it may hold your edits): edit it, or add --force to "
            "replace it with the built-in"
        )
    if target.is_dir() or target.is_symlink():
        raise BadFile(f"{target} is a folder or a link, not a template file: remove it first")
    make_private_dir(store.home)
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
                "the template prints a fact that is not recorded (None): guard it with {% if %}"
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
        where = f"{exc.filename or exc.name or name}, line {exc.lineno}"
    else:
        frames = _template_frames(exc)
        if frames:
            where = f"{frames[-1].filename}, line {frames[-1].lineno}"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    message = message.strip().removesuffix(".")
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template {message!r} not found"
    elif isinstance(exc, RecursionError):
        message = "the template includes, imports or calls itself without end"
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        message = f"not allowed in a letter template: {message}"
    elif not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return BadFile(
        f"letter template problem in {where}: {message}; fix your copy in {store.templates_dir} "
        "or delete it to use the built-in"
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
    store: Store, order: Order, recipient: Recipient, lang: Lang, fmt: LetterFormat, as_of: date
) -> Letter:
    """The letter to one recipient, in one language and format, from the facts as of a day."""
    if as_of < order.purchased:
        raise BadInput(f"as-of date {as_of} is before the purchase ({order.purchased})")
    case = report(order, as_of)
    context = letter_facts(case, store.load_profile(), lang)
    warnings: list[str] = []
    blanks: list[Blank] = []
    description = None
    if recipient is Recipient.PLATFORM:
        description, blanks, _ = _render(
            store, description_template(lang), context, LetterFormat.TXT
        )
        description = description.strip()
        warnings += _length_warning(description)
    context["description"] = description
    text, letter_blanks, title = _render(store, template_name(recipient, lang), context, fmt)
    if fmt is LetterFormat.HTML:
        text = _page(store, text, title, lang)
    blanks += [b for b in letter_blanks if b not in blanks]
    warnings = [b.warning() for b in blanks] + warnings + _case_warnings(case, context, recipient)
    return Letter(text if text.endswith("\n") else text + "\n", warnings, description)


def _length_warning(description: str) -> list[str]:
    length = len(description)  # code points, as the WeChat Pay form counts
    if length <= DESCRIPTION_LIMIT:
        return []
    return [
        f"the complaint description is {length} characters, {length - DESCRIPTION_LIMIT} over "
        f"the {DESCRIPTION_LIMIT} the WeChat Pay complaint form takes: shorten it before pasting"
    ]


def _case_warnings(case: CaseReport, context: FACT, recipient: Recipient) -> list[str]:
    """Missing evidence, no legal ground, money already back: things to know before sending."""
    order = case.order
    warnings = []
    if recipient is not Recipient.MERCHANT:
        for kind in case.missing:
            warnings.append(
                f"missing evidence: {EVIDENCE_FOR.get(kind.value, kind.value)}; attach it with "
                f"refundkit add-evidence {order.id} FILE --kind {kind.value}"
            )
    if context["demand"]["kind"] == "goodwill":
        states = ", ".join(
            f"{w.rule} {_state_phrase(w, order.id)}"
            for w in case.windows
            if w.state is not WindowState.NOT_APPLICABLE
        )
        warnings.append(
            f"no legal right to a refund was found for this order as of {case.as_of}"
            + (f" ({states})" if states else "")
            + ": the letter asks for a refund without claiming one"
        )
    if order.refunded_total() >= order.amount:
        warnings.append("the refunds logged already add up to the amount paid")
    return warnings


def _state_phrase(window: Window, order_id: str) -> str:
    if window.state is WindowState.EXPIRED:
        return f"ended on {window.deadline}"
    if window.state is WindowState.NOT_STARTED:
        return (
            "has not started: the goods' receipt is not recorded; once they arrive, "
            f"refundkit edit {order_id} --received DATE"
        )
    return f"open until {window.deadline}"


# --- formatting -------------------------------------------------------------------------


def format_date(day: date, lang: Lang, clock: time | None = None) -> str:
    """2026年11月20日 or 20 November 2026, with the time of day where one was recorded."""
    if lang is Lang.ZH:
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{text} {clock:%H:%M}" if clock else text


def format_money(amount: Decimal, currency: str) -> str:
    """¥199.00, €45.00; other currencies as 199.00 CHF (the same form as the terminal's)."""
    from refundkit.plain import money

    return money(amount, currency)


# --- the facts --------------------------------------------------------------------------


class _Facts:
    """Builds the template context for one case in one language."""

    def __init__(self, case: CaseReport, profile: Profile, lang: Lang) -> None:
        self.case = case
        self.order = case.order
        self.profile = profile
        self.lang = lang
        self.events = sorted_events(case.order.events)

    def day(self, day: date | None, clock: time | None = None) -> str | None:
        return format_date(day, self.lang, clock) if day else None

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.order.currency)

    def blank(self, key: str) -> Blank:
        zh, en, what, fill = BLANKS[key]
        return Blank(zh if self.lang is Lang.ZH else en, what, fill.format(id=self.order.id))

    def or_blank(self, value: str | None, key: str) -> str:
        return value if value else self.blank(key)

    def build(self) -> FACT:
        order_facts = self.order_facts()
        windows = [self.window(w) for w in self.case.windows]
        first = self.first_raised()
        grounds = self.grounds(first)
        limitation = self.limitation()
        contact = self.first_contact()
        return {
            "lang": self.lang.value,
            "jurisdiction": self.order.jurisdiction.value,
            "today": self.day(self.case.as_of),
            "stage": self.case.stage.value,
            "complainant": self.complainant(),
            "order": order_facts,
            "windows": windows,
            "chronology": self.chronology(),
            "events": [self.event(e) for e in self.events],
            "first_contact": self.event(contact) if contact else None,
            "refusal": self.first_refusal(),
            "evidence": [self.evidence(i, e) for i, e in enumerate(self.order.evidence, 1)],
            "missing_evidence": [k.value for k in self.case.missing],
            "grounds": grounds,
            "demand": self.demand(grounds),
            "limitation": limitation,
            "questions": self.questions(grounds, contact, limitation),
            "description": None,
        }

    # parties and order

    def complainant(self) -> FACT:
        p = self.profile
        return {
            "name": self.or_blank(p.name, "name"),
            "phone": self.or_blank(p.phone, "phone"),
            "address": self.or_blank(p.address, "address"),
            "email": p.email or None,
        }

    def platform_name(self, platform: str) -> str:
        """The default platform in the letter's language; a user's own wording is kept."""
        if self.lang is Lang.ZH and platform == DEFAULT_PLATFORM:
            return "微信小程序"
        return platform

    def order_facts(self) -> FACT:
        o = self.order
        refunded = o.refunded_total()
        received: str | None = self.day(o.received, o.received_time)
        received_date: str | None = self.day(o.received)
        if o.received is None and not o.category.is_service:
            not_delivered = o.problem is Problem.NOT_DELIVERED
            received = received_date = None if not_delivered else self.blank("received")
        platform = o.platform or ""
        mini = (
            o.mini_program is not None or "mini program" in platform.lower() or "小程序" in platform
        )
        return {
            "id": o.id,
            "merchant": o.merchant,
            "item": o.item,
            "amount": self.money(o.amount),
            "currency": o.currency,
            "purchased": self.day(o.purchased, o.purchased_time),
            "purchased_date": self.day(o.purchased),
            "received": received,
            "received_date": received_date,
            "merchant_address": self.or_blank(o.merchant_address, "merchant_address"),
            "merchant_phone": self.or_blank(o.merchant_phone, "merchant_phone"),
            "operator": self.or_blank(o.operator, "operator"),
            "platform": self.platform_name(o.platform),
            "mini_program": self.or_blank(o.mini_program, "mini_program") if mini else None,
            "order_no": self.or_blank(o.order_no, "order_no"),
            "transaction_id": self.or_blank(o.transaction_id, "transaction_id"),
            "payment_method": o.payment_method.value if o.payment_method else None,
            "category": o.category.value,
            "is_service": o.category.is_service,
            "problem": o.problem.value,
            "note": o.note or None,
            # A note that already ends a sentence gets no second full stop in a letter.
            "note_ends_sentence": (o.note or "x").rstrip()[-1:] in set("。．.!！?？…"),
            "refunded": self.money(refunded) if refunded else None,
            "outstanding": self.money(max(o.amount - refunded, Decimal("0"))),
            "promise_days": o.promise_days,
            "promise_from": o.effective_promise_from.value if o.promise_days else None,
        }

    # timeline

    def event(self, e: Event) -> FACT:
        facts: FACT = {
            "kind": e.kind.value,
            "on": self.day(e.on, e.at),
            "date": self.day(e.on),
            "note": e.note or None,
            "ref": e.ref or None,
            "amount": self.money(e.amount) if e.amount else None,
            "channel": e.channel.value if e.channel else None,
        }
        facts.update(NO_CLOCKS)
        facts.update(self.clocks(e))
        return facts

    def clocks(self, e: Event) -> FACT:
        """The dates a complaint should be answered by, as return-rules.md gives them."""
        if e.kind is EventKind.PLATFORM_COMPLAINT:
            channel = e.channel or Channel.WECHAT_PAY
            reply = wechat_pay_reply(e.on) if channel is Channel.WECHAT_PAY else None
            lapse = mini_program_lapse(e.on) if channel is Channel.MINI_PROGRAM else None
            return {
                "answer_by": self.day(reply.answer_by) if reply else None,
                "finish_by": self.day(reply.finish_by) if reply else None,
                "lapse_on": self.day(lapse),
            }
        if e.kind is EventKind.REGULATOR_COMPLAINT:
            decided = regulator_decision(e.on)
            return {"accept_by": self.day(decided.day), "calendar_known": decided.known}
        return {}

    def chronology(self) -> list[FACT]:
        """Purchase, receipt and every logged event, in date order."""
        o = self.order
        purchase = self.pseudo("purchased", o.purchased, o.purchased_time)
        items: list[tuple[date, time, int, FACT]] = [
            (o.purchased, o.purchased_time or time.min, 0, purchase)
        ]
        if o.received:
            receipt = self.pseudo("received", o.received, o.received_time)
            items.append((o.received, o.received_time or time.min, 1, receipt))
        for n, e in enumerate(self.events, 2):
            items.append((e.on, e.at or time.min, n, self.event(e)))
        return [item[3] for item in sorted(items, key=lambda x: x[:3])]

    def pseudo(self, kind: str, day: date, clock: time | None = None) -> FACT:
        return {
            "kind": kind,
            "on": self.day(day, clock),
            "date": self.day(day),
            "note": None,
            "ref": None,
            "amount": self.money(self.order.amount) if kind == "purchased" else None,
            "channel": None,
            **NO_CLOCKS,
        }

    def first_raised(self) -> Event | None:
        """The first event showing the matter was raised with the merchant (a refusal does)."""
        return next((e for e in self.events if e.kind in RAISED), None)

    def first_contact(self) -> Event | None:
        """The first step the consumer took towards the merchant or a complaint."""
        return next((e for e in self.events if e.kind in DEMANDS), None)

    def first_refusal(self) -> FACT | None:
        refusal = next((e for e in self.events if e.kind is EventKind.MERCHANT_REFUSED), None)
        return self.event(refusal) if refusal else None

    # evidence

    def evidence(self, n: int, e: Evidence) -> FACT:
        return {
            "n": n,
            "id": e.id,
            "kind": e.kind.value,
            "file": e.original_name,
            "media_type": e.media_type,
            "size": f"{e.size:,}",
            "taken": self.day(e.taken),
            "added": self.day(e.added.date()),
            "note": e.note or None,
            "sha256": e.sha256,
        }

    # windows and the law

    def window(self, w: Window) -> FACT:
        applicable = w.state is not WindowState.NOT_APPLICABLE
        return {
            "rule": w.rule,
            "state": w.state.value,
            "start": self.day(w.start),
            "deadline": self.day(w.deadline),
            "days_left": w.days_left,
            "reason": None if applicable else self.not_applicable_reason(w.rule),
            "notes": self.window_notes(w) if applicable else [],
        }

    def not_applicable_reason(self, rule: str) -> str:
        """A key the templates phrase: the category, or why the rule does not reach the order."""
        if rule == "cn-prepaid-7day":
            return "not-prepaid"
        if rule == "promise":
            return "no-promise"
        if rule == "uk-30day-reject":
            return "not-faulty" if self.order.problem not in QUALITY else "not-goods"
        return self.order.category.value

    def window_notes(self, w: Window) -> list[FACT]:
        """The caveats return-rules.md requires a letter to state, as keys plus their values."""
        notes: list[FACT] = []
        if w.rule == "cn-7day" and w.deadline:
            from refundkit.workdays import is_statutory_holiday, next_workday_after_holiday

            holiday = is_statutory_holiday(w.deadline)
            if holiday:
                rolled = next_workday_after_holiday(w.deadline)
                notes.append({"id": "holiday-rollover", "date": self.day(rolled)})
            elif holiday is None:
                notes.append({"id": "calendar-unknown", "year": w.deadline.year})
        if w.rule == "cn-prepaid-7day":
            notes.append({"id": "prepaid-likely"})
            if self.order.purchased < PREPAID_IN_FORCE:
                notes.append({"id": "prepaid-before-force"})
        if w.rule == "eu-14day":
            notes.append({"id": "eu-holidays"})
        if w.rule == "uk-30day-reject" and self.order.category is Category.PERISHABLE:
            notes.append({"id": "uk-perishable"})
        return notes

    def claim(self, rule: str, first: Event | None) -> FACT | None:
        """A window the consumer can rely on: open today, or the matter raised inside it."""
        window = next((w for w in self.case.windows if w.rule == rule), None)
        if window is None or window.deadline is None:
            return None
        timely = first is not None and first.on <= window.deadline
        if window.state is not WindowState.OPEN and not timely:
            return None
        return {
            "id": rule,
            "status": "open" if window.state is WindowState.OPEN else "raised-in-time",
            "start": self.day(window.start),
            "deadline": self.day(window.deadline),
            "days_left": window.days_left,
            "raised": self.day(first.on) if first and timely else None,
            "raised_by_refusal": first is not None and first.kind is EventKind.MERCHANT_REFUSED,
            "notes": self.window_notes(window),
        }

    def grounds(self, first: Event | None) -> list[FACT]:
        """The legal grounds that apply to this order as of the day, strongest first."""
        o = self.order
        rules = {
            Jurisdiction.CN: self.cn_grounds,
            Jurisdiction.EU: self.eu_grounds,
            Jurisdiction.UK: self.uk_grounds,
            Jurisdiction.US: self.us_grounds,
        }
        grounds = rules[o.jurisdiction](first)
        promise = self.claim("promise", first)
        if promise:
            promise.update(days=o.promise_days, counted_from=o.effective_promise_from.value)
            grounds.append(promise)
        refused = any(e.kind is EventKind.MERCHANT_REFUSED for e in self.events)
        if o.jurisdiction is Jurisdiction.CN and refused and _ids(grounds) & {"cn-7day", "promise"}:
            grounds.append({"id": "cpl-26"})  # a "no returns" term cannot take the right away
        return grounds

    def cn_grounds(self, first: Event | None) -> list[FACT]:
        o = self.order
        refused = any(e.kind is EventKind.MERCHANT_REFUSED for e in self.events)
        grounds: list[FACT] = []
        if o.problem is Problem.FRAUD:
            grounds.append({"id": "cpl-55", "compensation": self.fraud_compensation()})
        if o.problem in QUALITY:
            grounds.append(self.quality_ground(first))
        seven_day = self.claim("cn-7day", first)
        if seven_day:
            seven_day["received"] = self.day(o.received)
            grounds += [seven_day, {"id": "intact"}]
            if refused:
                grounds.append({"id": "saic-9"})
        prepaid = self.claim("cn-prepaid-7day", first)
        if prepaid:
            prepaid["paid"] = self.day(o.purchased)
            prepaid["before_force"] = o.purchased < PREPAID_IN_FORCE
            grounds.append(prepaid)
        if o.category is Category.PREPAID_SERVICE and o.problem is not Problem.CHANGED_MIND:
            grounds.append({"id": "cpl-53"})
        return grounds

    def quality_ground(self, first: Event | None) -> FACT:
        """CPL Art. 24: return within seven days of receipt; after that, only on termination
        grounds, else replacement or repair. Services: as state rules or the agreement say."""
        o = self.order
        deadline = (
            o.received + timedelta(days=7) if o.received and not o.category.is_service else None
        )
        within = deadline is not None and (
            self.case.as_of <= deadline or (first is not None and first.on <= deadline)
        )
        return {
            "id": "cpl-24",
            "within": within,
            "deadline": self.day(deadline),
            "service": o.category.is_service,
        }

    def fraud_compensation(self) -> str | None:
        """CPL Art. 55: three times the price, at least 500 yuan (stated for yuan only)."""
        if self.order.currency != "CNY":
            return None
        return self.money(max(self.order.amount * 3, Decimal("500")))

    def eu_grounds(self, first: Event | None) -> list[FACT]:
        return self.cancellation(["eu-14day"], first)

    def uk_grounds(self, first: Event | None) -> list[FACT]:
        return self.cancellation(["uk-30day-reject", "uk-14day"], first)

    def cancellation(self, rules: list[str], first: Event | None) -> list[FACT]:
        """EU/UK windows: goods count from possession, services from the contract."""
        counted_from = "purchase" if self.order.category.is_service else "receipt"
        grounds = [self.claim(rule, first) for rule in rules]
        return [{**g, "counted_from": counted_from} for g in grounds if g]

    def us_grounds(self, first: Event | None) -> list[FACT]:
        return []

    def demand(self, grounds: list[FACT]) -> FACT:
        """What the letter asks for, following the strongest ground."""
        ids = _ids(grounds)
        quality = next((g for g in grounds if g["id"] == "cpl-24"), None)
        if "cpl-55" in ids:
            kind = "fraud"
        elif (quality and quality["within"]) or "uk-30day-reject" in ids:
            kind = "quality-return"
        elif ids & RETURN_GROUNDS:
            kind = "return-refund"
        elif quality:
            kind = "quality-repair"
        elif "cn-prepaid-7day" in ids:
            kind = "prepaid-refund"
        elif "cpl-53" in ids:
            kind = "prepaid-breach"
        elif self.order.problem is Problem.NOT_DELIVERED:
            kind = "deliver-or-refund"
        else:
            kind = "goodwill"
        compensation = next((g["compensation"] for g in grounds if g["id"] == "cpl-55"), None)
        return {
            "kind": kind,
            "amount": self.order_amount_outstanding(),
            "compensation": compensation,
            "reply_by": self.day(self.case.as_of + timedelta(days=REPLY_DAYS)),
        }

    def questions(
        self, grounds: list[FACT], contact: Event | None, limitation: FACT | None
    ) -> list[FACT]:
        """What a lawyer should check: the doubts return-rules.md flags, and gaps in the record."""
        return self.law_questions(grounds, contact) + self.record_questions(grounds, limitation)

    def law_questions(self, grounds: list[FACT], contact: Event | None) -> list[FACT]:
        """Points of law the rules file leaves open for this order."""
        o = self.order
        ids = _ids(grounds)
        questions: list[FACT] = []
        window = next((g for g in grounds if g.get("raised")), None)
        contacted = contact is not None and contact.kind is EventKind.CONTACTED_MERCHANT
        if window and not window["raised_by_refusal"] and contacted:
            questions.append({"id": "raised-what", "date": window["raised"]})
        if "cn-7day" in ids:
            questions.append({"id": "intact"})
            seven_day = next(g for g in grounds if g["id"] == "cn-7day")
            for note in seven_day["notes"]:
                if note["id"] == "holiday-rollover":
                    questions.append({"id": "holiday", "date": note["date"]})
        if o.category is Category.PREPAID_SERVICE and o.jurisdiction is Jurisdiction.CN:
            questions.append({"id": "prepaid-class"})
            if o.purchased < PREPAID_IN_FORCE:
                questions.append({"id": "prepaid-before-force"})
        quality = next((g for g in grounds if g["id"] == "cpl-24"), None)
        if quality and not quality["within"]:
            questions.append({"id": "termination"})
        if "cpl-55" in ids:
            questions.append({"id": "fraud-proof"})
        if o.jurisdiction is Jurisdiction.US and o.payment_method is PaymentMethod.CREDIT_CARD:
            questions.append({"id": "fcba"})
        if not grounds and o.problem is not Problem.NOT_DELIVERED:
            questions.append({"id": "no-ground"})
        return questions

    def record_questions(self, grounds: list[FACT], limitation: FACT | None) -> list[FACT]:
        """Gaps in the record a lawyer would ask about."""
        o = self.order
        questions: list[FACT] = []
        if o.jurisdiction is Jurisdiction.CN and self._needs_receipt():
            questions.append({"id": "receipt-unknown"})
        if o.jurisdiction is Jurisdiction.CN and not (o.operator and o.merchant_address):
            questions.append({"id": "operator-unknown"})
        if limitation and limitation["last_demand"]:
            questions.append({"id": "limitation-interruption", "date": limitation["last_demand"]})
        if self.case.missing:
            kinds = [k.value for k in self.case.missing]
            questions.append({"id": "missing-evidence", "kinds": kinds})
        return questions

    def _needs_receipt(self) -> bool:
        o = self.order
        return (
            o.received is None
            and not o.category.is_service
            and o.problem is not Problem.NOT_DELIVERED
        )

    def order_amount_outstanding(self) -> str:
        o = self.order
        return self.money(max(o.amount - o.refunded_total(), Decimal("0")))

    def limitation(self) -> FACT | None:
        """Civil Code Arts. 188 and 195: three years from the refusal, restarted by a demand.

        Both ends are given: from the first refusal (the safe date) and from the last later
        demand (if that demand interrupted the period, which is for a lawyer to confirm).
        """
        refusals = [e for e in self.events if e.kind is EventKind.MERCHANT_REFUSED]
        latest = limitation_date(self.order)
        if not refusals or latest is None:
            return None
        refused = refusals[0].on
        demands = [e.on for e in self.events if e.kind in DEMANDS and e.on > refused]
        last_demand = max(demands, default=None)
        return {
            "refused": self.day(refused),
            "earliest": self.day(refused + relativedelta(years=3)),
            "last_demand": self.day(last_demand),
            "latest": self.day(latest),
        }


def _ids(grounds: list[FACT]) -> set[str]:
    return {str(g["id"]) for g in grounds}


def letter_facts(case: CaseReport, profile: Profile, lang: Lang) -> FACT:
    """Everything the templates receive, formatted for the language; missing facts as Blanks."""
    return _Facts(case, profile, lang).build()
