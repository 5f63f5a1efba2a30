"""The guided journey: what add-order, edit, add-evidence, log and profile ask in a terminal.

Each question comes with an example and a default to accept with Enter, and each answer is
read by the same parsers as the options (parse.py, choices.py, cases.order_fields), so what
works on the command line works here, and a wrong answer is caught at once and asked again.
Only what the command line left out is asked. The answers are returned as the raw option
strings the command would have had, so the core records them exactly as from options.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refundkit.cli import ask

if TYPE_CHECKING:
    from refundkit.models import Order, Profile


def _checker(field: str, given: dict[str, Any], now: datetime) -> Any:
    """A check for one answer: the order's parsers and its field's own rules (a time still
    to come today is refused here, as the command would refuse it)."""
    from refundkit import cases

    def check(answer: str) -> None:
        cases.order_fields({**given, field: answer}, now.date(), now.time())
        if field in cases.TEXT_FIELDS:
            cases.check_value(field, answer.strip())

    return check


SERVICES = ("service", "prepaid-service")


def order_answers(raw: dict[str, Any], now: datetime) -> None:
    """add-order: ask for every fact that matters and was not given, in raw's own terms."""
    from refundkit import choices
    from refundkit.i18n import _

    def given() -> dict[str, Any]:
        return {k: v for k, v in raw.items() if v is not None}

    with ask.session():
        for field, label, example in (
            ("merchant", _("Shop or merchant name"), _("SoundJoy Official Store")),
            ("item", _("Item"), _("wireless earbuds")),
            ("amount", _("Amount paid"), "399, ¥399.00, 399元"),
        ):
            if not _blank(raw.get(field)):
                continue
            raw[field] = ask.text(
                label, example=example, required=True, check=_checker(field, given(), now)
            )
        if raw.get("purchased") is None:
            raw["purchased"] = ask.text(
                _("Purchase date"),
                example=_("2026-11-20, 20 Nov 2026, 3 days ago"),
                default_label=_("today"),
                check=_checker("purchased", given(), now),
            )
        if raw.get("category") is None:
            raw["category"] = ask.choice(_("What was bought"), choices.CATEGORY, default="goods")
        service = choices.find(choices.CATEGORY, str(raw["category"])) in SERVICES
        if raw.get("received") is None and not service:  # a service has nothing to sign for
            raw["received"] = ask.value(
                _("Day the goods were signed for"),
                example=_("yesterday, 2026-11-22"),
                default_label=_("not yet received"),
                read=lambda answer: _received(answer, given(), now),
            )
        if raw.get("problem") is None:
            raw["problem"] = ask.choice(_("What is wrong"), choices.PROBLEM, default="changed-mind")
        if raw.get("details") is None:
            raw["details"] = ask.text(
                _("What is wrong, in your own words (quoted in letters)"),
                example=_("the left earbud crackles; refused because the box was opened"),
                check=_checker("details", given(), now),
            )
        if raw.get("platform") is None and raw.get("mini_program") is None:
            raw["platform"] = ask.choice(
                _("Where it was bought"),
                choices.PLATFORM,
                default_label=_("not recorded"),
                other_text=True,
            )
        if raw.get("payment_method") is None:
            raw["payment_method"] = ask.choice(
                _("How it was paid"), choices.PAYMENT_METHOD, default_label=_("not recorded")
            )
        _ask_numbers(raw, given(), now)


def _ask_numbers(raw: dict[str, Any], given: dict[str, Any], now: datetime) -> None:
    """The numbers a complaint is filed under: WeChat Pay's and Alipay's forms ask for the
    payment's transaction number, a platform's for its order number. Asked where they exist."""
    from refundkit import choices
    from refundkit.i18n import _
    from refundkit.plausible import transaction_id_warning

    method = choices.find(choices.PAYMENT_METHOD, str(raw.get("payment_method") or ""))
    if raw.get("transaction_id") is None and method in ("wechat-pay", "alipay"):
        raw["transaction_id"] = ask.text(
            _("Payment transaction number (交易单号, in the payment's details)"),
            example="4200001234202611201234567890",
            check=_checker("transaction_id", given, now),
            caution=lambda answer: transaction_id_warning(answer, method),
        )
    if raw.get("order_no") is None and (raw.get("platform") or raw.get("mini_program")):
        raw["order_no"] = ask.text(
            _("The merchant's order number"),
            example="SY202611200001",
            check=_checker("order_no", given, now),
        )


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def _received(answer: str, given: dict[str, Any], now: datetime) -> str:
    """The receipt date, checked against the purchase date already given."""
    from refundkit import cases
    from refundkit.errors import BadInput
    from refundkit.i18n import _

    fields = cases.order_fields({**given, "received": answer}, now.date(), now.time())
    purchased = fields.get("purchased", now.date())
    if fields["received"] < purchased:
        raise BadInput(
            _("the goods cannot arrive ({received}) before the purchase ({purchased})").format(
                received=fields["received"].isoformat(), purchased=purchased.isoformat()
            )
        )
    return answer


# What `edit ORDER` asks in a terminal when no option is given: the facts still missing that
# letters and the rules use, in the order a person finds them.
EDIT_FIELDS = (
    "received",
    "details",
    "payment_method",
    "platform",
    "transaction_id",
    "order_no",
    "merchant_address",
    "merchant_phone",
    "operator",
    "units",
    "units_used",
)


def edit_answers(order: Order, now: datetime) -> dict[str, Any]:
    """edit ORDER with no option: ask for each fact the order still lacks; Enter skips one."""
    from refundkit import choices
    from refundkit.i18n import _

    answers: dict[str, Any] = {}
    base = {"purchased": order.purchased.isoformat()}
    labels = {
        "transaction_id": (
            _("Payment transaction number (交易单号)"),
            "4200001234202611201234567890",
        ),
        "order_no": (_("The merchant's order number"), "SY202611200001"),
        "merchant_address": (_("Merchant's postal address"), "广东省深圳市南山区科技园路1号"),
        "merchant_phone": (_("Merchant's customer-service phone"), "0755-12345678"),
        "operator": (
            _("Registered company behind the shop or Mini Program (小程序主体)"),
            "深圳市某某科技有限公司",
        ),
        "details": (
            _("What is wrong, in your own words (quoted in letters)"),
            "左耳有电流声，客服以已拆封为由拒绝退货",
        ),
    }
    missing = [f for f in EDIT_FIELDS if getattr(order, f) is None and _asked_for(order, f)]
    if not missing:
        return answers
    with ask.session():
        for field in missing:
            if field == "received":
                answers[field] = ask.value(
                    _("Day the goods were signed for"),
                    example=_("yesterday, 2026-11-22"),
                    default_label=_("not yet received"),
                    read=lambda answer: _received(answer, base, now),
                )
            elif field == "payment_method":
                answers[field] = ask.choice(
                    _("How it was paid"), choices.PAYMENT_METHOD, default_label=_("skip")
                )
            elif field == "platform":
                answers[field] = ask.choice(
                    _("Where it was bought"),
                    choices.PLATFORM,
                    default_label=_("skip"),
                    other_text=True,
                )
            elif field in ("units", "units_used"):
                answers[field] = ask.value(
                    _("Sessions bought") if field == "units" else _("Sessions used"),
                    example="10" if field == "units" else "3",
                    read=_count,
                )
            else:
                label, example = labels[field]
                answers[field] = ask.text(
                    label,
                    example=example,
                    check=_checker(field, base, now),
                    caution=_caution(field, answers.get("payment_method") or order.payment_method),
                )
    return answers


def _caution(field: str, method: Any) -> Any:
    """The doubt worth saying at once about an answer: a transaction number whose length
    does not fit the payment method (the number that files a WeChat Pay complaint)."""
    if field != "transaction_id":
        return None
    from refundkit.plausible import transaction_id_warning

    code = getattr(method, "value", method)
    return lambda answer: transaction_id_warning(answer, code)


def _asked_for(order: Order, field: str) -> bool:
    """Sessions bought and used only for a prepaid service."""
    if field in ("units", "units_used"):
        return order.category.value == "prepaid-service"
    return True


def _count(answer: str) -> int:
    from refundkit.errors import BadInput
    from refundkit.i18n import _

    if not (answer.isascii() and answer.isdigit()) or not 0 <= int(answer) <= 100000:
        raise BadInput(
            _("{value} is not a number of sessions: give a whole number, like 10").format(
                value=repr(answer)
            )
        )
    return int(answer)


def evidence_answers(
    files: list[Path], kind: str | None, note: str | None
) -> tuple[list[Path], str, str | None]:
    """add-evidence without FILE or --kind: ask for the file(s), then what they show."""
    from refundkit import choices
    from refundkit.i18n import _

    with ask.session():
        if not files:
            files = (
                ask.value(
                    _("File to attach (you can drag it into this window)"),
                    example=_("~/Downloads/chat.png"),
                    read=_paths,
                    required=True,
                )
                or []
            )
        if kind is None:
            kind = ask.required_choice(_("What does it show"), choices.EVIDENCE_KIND)
            if note is None:
                note = ask.text(
                    _("What it proves"),
                    example=_("the shop refused the return because the box was opened"),
                )
    return files, kind, note


def _paths(answer: str) -> list[Path]:
    """File names as typed or dropped into a terminal: quoted, or with escaped spaces."""
    import shlex

    from refundkit.errors import BadFile
    from refundkit.evidence import check_source
    from refundkit.i18n import _

    try:
        words = shlex.split(answer)
    except ValueError:
        words = [answer]
    if not words:
        raise BadFile(_("give the file's name"))
    paths = [Path(word).expanduser() for word in words]
    for path in paths:
        check_source(path)
    return paths


def event_answers(raw: dict[str, Any], order: Order, now: datetime) -> None:
    """log: ask for the event if it is missing, then for what that event needs."""
    from refundkit import choices
    from refundkit.i18n import _

    guided = raw.get("event") is None  # all of it asked: the date and note too
    with ask.session():
        if guided:
            raw["event"] = ask.required_choice(_("What happened"), choices.EVENT)
        event = choices.parse(choices.EVENT, raw["event"])
        if event == "contacted-merchant" and raw.get("asked") is None:
            raw["asked"] = ask.choice(_("What did you ask for"), choices.REQUEST, default="other")
        if event == "merchant-refused" and raw.get("reason") is None:
            raw["reason"] = ask.choice(
                _("What reason did the merchant give"), choices.REASON, default="other"
            )
        if event in ("refund-received", "compensation-received") and raw.get("amount") is None:
            raw["amount"] = ask.text(
                _("Amount received"), example="399", required=True, check=_money
            )
        if event == "complaint-answered" and raw.get("outcome") is None:
            raw["outcome"] = ask.required_choice(_("What was the answer"), choices.OUTCOME)
        if guided and raw.get("on") is None:
            raw["on"] = ask.text(
                _("When"),
                example=_("2026-11-20, yesterday, 2026-11-20 14:30"),
                default_label=_("today"),
                check=lambda answer: _event_day(answer, order, now),
            )
        if guided and raw.get("note") is None:
            raw["note"] = ask.text(
                _("What was said or done (may be quoted in letters)"),
                example=_("support said opened goods cannot be returned"),
            )


def _money(answer: str) -> None:
    from refundkit.parse import parse_money

    parse_money(answer)


def _event_day(answer: str, order: Order, now: datetime) -> None:
    from refundkit.errors import BadInput
    from refundkit.i18n import _
    from refundkit.parse import parse_past

    day = parse_past(answer, now.date(), "event", now.time())[0]
    if day < order.purchased:
        raise BadInput(
            _("{day} is before the purchase ({purchased}): give a later day").format(
                day=day.isoformat(), purchased=order.purchased.isoformat()
            )
        )


def profile_answers(profile: Profile) -> dict[str, Any]:
    """profile with no option, in a terminal: ask for what letters need and it lacks."""
    from refundkit.i18n import _
    from refundkit.plausible import phone_warning

    answers: dict[str, Any] = {}
    questions = (
        ("name", _("Your name, as on your ID"), _("Jane Smith")),
        ("phone", _("Your phone number"), "13800138000"),
        ("address", _("Your postal address"), _("1 High Street, Anytown")),
    )
    missing = [q for q in questions if getattr(profile, q[0]) is None]
    if not missing:
        return answers
    with ask.session():
        for field, label, example in missing:
            caution = phone_warning if field == "phone" else None
            answers[field] = ask.text(
                label, example=example, check=_profile_check(field), caution=caution
            )
    return {k: v for k, v in answers.items() if v is not None}


def _profile_check(field: str) -> Any:
    from refundkit import cases

    return lambda answer: cases.check_value(field, answer.strip(), "profile")
