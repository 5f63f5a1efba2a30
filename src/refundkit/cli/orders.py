"""Commands that record orders and report on them: add-order, edit, status, profile, demo."""

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from refundkit import cli
from refundkit.cli import command, get_store, today
from refundkit.errors import BadInput
from refundkit.kinds import Category, Jurisdiction, PaymentMethod, Problem, PromiseFrom, StrEnum

if TYPE_CHECKING:
    from refundkit.caseview import Extras
    from refundkit.models import Order
    from refundkit.store import Store

Merchant = Annotated[str | None, typer.Option(help="Shop or merchant name, e.g. 某某数码旗舰店.")]
Item = Annotated[str | None, typer.Option(help="What was bought.")]
Amount = Annotated[str | None, typer.Option(help="Amount paid: 199, ¥199.00, 199元, 1,299.00.")]
Currency = Annotated[str | None, typer.Option(help="ISO currency code (default: CNY).")]
Purchased = Annotated[
    str | None, typer.Option(help="Purchase date: 2026-11-20, 2026年11月20日, today, 3 days ago.")
]
Received = Annotated[
    str | None, typer.Option(help="Day the goods were signed for; omit if not yet received.")
]
Address = Annotated[
    str | None, typer.Option(help="Merchant's postal address (the respondent's, for 12315).")
]
Phone = Annotated[str | None, typer.Option(help="Merchant's customer-service phone.")]
Note = Annotated[
    str | None,
    typer.Option(help="A private note: shown by `status ORDER`, never in a letter or export."),
]
Details = Annotated[
    str | None,
    typer.Option(help="What is wrong, in your own words: quoted in letters."),
]
Units = Annotated[
    int | None,
    typer.Option(min=1, max=100000, help="prepaid-service: sessions, lessons or months bought."),
]
UnitsUsed = Annotated[
    int | None,
    typer.Option(min=0, max=100000, help="prepaid-service: how many of them were used."),
]
MiniProgram = Annotated[str | None, typer.Option(help="Mini Program name.")]
OrderNo = Annotated[str | None, typer.Option(help="The merchant's order number.")]
TransactionId = Annotated[str | None, typer.Option(help="Payment transaction number (交易单号).")]
Operator = Annotated[
    str | None,
    typer.Option(help="Registered company behind the shop or Mini Program (小程序主体)."),
]
Platform = Annotated[
    str | None,
    typer.Option(
        help="Where it was bought: wechat-mini-program, taobao, tmall, jd, pinduoduo, douyin, "
        "kuaishou, meituan, xianyu, website, app, in-store, other, or any text "
        "(--mini-program implies wechat-mini-program)."
    ),
]


def codes(enum: type[StrEnum]) -> str:
    """The codes an option takes, for its help (Chinese names are taken too: choices.py)."""
    return ", ".join(member.value for member in enum)


Payment = Annotated[
    str | None,
    typer.Option(help=f"How it was paid: {codes(PaymentMethod)} (or 微信支付, 支付宝...)."),
]
CategoryOpt = Annotated[
    str | None,
    typer.Option(help=f"Kind of purchase: {codes(Category)} (default: goods)."),
]
ProblemOpt = Annotated[
    str | None,
    typer.Option(
        help=f"What went wrong: {codes(Problem)} (or 质量问题, 与描述不符...; "
        "default: changed-mind)."
    ),
]
PromiseDays = Annotated[
    int | None, typer.Option(min=1, max=3650, help="Return promise by the merchant, in days.")
]
PromiseFromOpt = Annotated[
    str | None,
    typer.Option(
        help=f"Promise counts from {codes(PromiseFrom).replace(', ', ' or ')} "
        "(default: receipt for goods)."
    ),
]
JurisdictionOpt = Annotated[
    str | None,
    typer.Option(
        help=f"Whose law applies: {codes(Jurisdiction)} (or 中国, 欧盟, 英国, 美国; "
        "default: the profile's, else cn)."
    ),
]

REQUIRED = ("merchant", "item", "amount")


@command("add-order")
def add_order(
    ctx: typer.Context,
    merchant: Merchant = None,
    item: Item = None,
    amount: Amount = None,
    currency: Currency = None,
    purchased: Purchased = None,
    received: Received = None,
    merchant_address: Address = None,
    merchant_phone: Phone = None,
    operator: Operator = None,
    platform: Platform = None,
    mini_program: Annotated[str | None, typer.Option(help="Mini Program name.")] = None,
    order_no: Annotated[str | None, typer.Option(help="The merchant's order number.")] = None,
    transaction_id: Annotated[
        str | None, typer.Option(help="Payment transaction number (交易单号).")
    ] = None,
    payment_method: Payment = None,
    category: CategoryOpt = None,
    problem: ProblemOpt = None,
    promise_days: PromiseDays = None,
    promise_from: PromiseFromOpt = None,
    jurisdiction: JurisdictionOpt = None,
    details: Details = None,
    note: Note = None,
    units: Units = None,
    units_used: UnitsUsed = None,
) -> None:
    """Record a purchase and show its return windows.

    Example: refundkit add-order --merchant 某某数码店 --item 耳机 --amount 399 --received 昨天
    """
    raw: dict[str, Any] = dict(locals())  # first: the options only
    raw.pop("ctx")
    from refundkit import cases, display

    store = get_store(ctx)
    typed = raw.get("transaction_id")  # an answer to a question was weighed when given
    _ask_missing(raw)
    order = cases.add_order(store, raw, datetime.now())
    display.print_added(cases.report(order, today()))
    if typed is not None:
        _warn_transaction_id(raw, order.transaction_id, order.payment_method)


def _ask_missing(raw: dict[str, Any]) -> None:
    """In a terminal, a missing merchant, item or amount starts the guided journey, which
    asks for every fact not given; without one, the missing option is named."""
    from refundkit.i18n import _

    missing = [name for name in REQUIRED if raw.get(name) is None or not str(raw[name]).strip()]
    if not missing:
        return
    if not cli.interactive():
        raise BadInput(
            _("--{option} is required (no terminal to ask in): {example}").format(
                option=missing[0],
                example="refundkit add-order --merchant 声悦数码 --item 蓝牙耳机 --amount 399",
            )
        )
    from refundkit.cli import journey

    journey.order_answers(raw, datetime.now())


def _warn_transaction_id(raw: dict[str, Any], recorded: str | None, method: Any) -> None:
    """A typed --transaction-id whose length does not fit the payment method: a warning."""
    from refundkit.cli import ask
    from refundkit.i18n import _
    from refundkit.plausible import transaction_id_warning

    if raw.get("transaction_id") is None or recorded is None:
        return
    warning = transaction_id_warning(recorded, method.value if method else None)
    if warning:
        ask.warn(warning + _("; it was kept as given"))


@command("edit")
def edit(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order id or a unique prefix of it.")],
    merchant: Merchant = None,
    item: Item = None,
    amount: Amount = None,
    currency: Currency = None,
    purchased: Purchased = None,
    received: Received = None,
    merchant_address: Address = None,
    merchant_phone: Phone = None,
    operator: Operator = None,
    platform: Platform = None,
    mini_program: MiniProgram = None,
    order_no: OrderNo = None,
    transaction_id: TransactionId = None,
    payment_method: Payment = None,
    category: CategoryOpt = None,
    problem: ProblemOpt = None,
    promise_days: PromiseDays = None,
    promise_from: PromiseFromOpt = None,
    jurisdiction: JurisdictionOpt = None,
    details: Details = None,
    note: Note = None,
    units: Units = None,
    units_used: UnitsUsed = None,
) -> None:
    """Change recorded facts, typically the receipt date once the goods arrive.

    Example: refundkit edit k3f --received today
    """
    raw: dict[str, Any] = dict(locals())  # first: the options only
    prefix = raw.pop("order")
    raw.pop("ctx")
    from refundkit import cases, display
    from refundkit.i18n import _

    store = get_store(ctx)
    asked = all(value is None for value in raw.values()) and cli.interactive()
    if asked:
        from refundkit.cli import journey

        raw = journey.edit_answers(store.load(store.resolve(prefix)), datetime.now())
        if not any(value is not None for value in raw.values()):
            typer.echo(_("Nothing changed."))
            return
    updated = cases.edit_order(store, prefix, raw, datetime.now())
    display.print_added(cases.report(updated, today()), verb="Updated")
    if not asked:  # an answer to a question was weighed when given
        _warn_transaction_id(raw, updated.transaction_id, updated.payment_method)


@command("status")
def status(
    ctx: typer.Context,
    order: Annotated[str | None, typer.Argument(help="Show one case in full.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Answer as if today were this date.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include closed cases.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show open cases with their windows, stage, missing evidence and next step.

    Example: refundkit status --as-of 2026-11-25
    """
    day = _as_of_day(as_of) if as_of else today()
    store = get_store(ctx)
    if order is not None:
        _show_case(store, order, day, json_)
        return
    # The overview imports neither Pydantic nor rich unless some case has to be recomputed
    # (see overview.py and plain.py), which keeps a listing of thousands of cases fast.
    from refundkit import overview, plain

    with overview.paused_gc():
        view = overview.overview(store, day, all_, porcelain=json_, today=today())
        if json_:
            plain.print_overview_json(view)
        else:
            plain.print_overview(view)
    if all_ and not json_:
        from refundkit.cli.trash import trash_lines

        removed = trash_lines(store)
        if removed:
            typer.echo("\n" + "\n".join(removed))
    if view.problems:
        raise typer.Exit(1)


def _as_of_day(text: str) -> date:
    from refundkit.parse import parse_day

    return parse_day(text, today())


def _show_case(store: "Store", prefix: str, day: date, json_: bool) -> None:
    """One case in full; exit 1 if some of its evidence files are gone. Files in its evidence
    folder that no record names are listed too (in the JSON as "unrecorded_files"), without
    changing the exit code: the recorded evidence is all there."""
    from refundkit import cases, display
    from refundkit.evidence import unrecorded_files

    order = store.load(store.resolve(prefix))
    report = cases.with_files_checked(store, cases.report(order, day))
    unrecorded = unrecorded_files(store, order)
    if json_:
        data = report.as_json()
        if unrecorded:
            data["unrecorded_files"] = [str(path) for path in unrecorded]
        display.print_json({"as_of": day.isoformat(), "orders": [data]})
    else:
        from refundkit import pager

        with pager.paging():
            display.print_case(report, _extras(store, order, tuple(unrecorded)))
    if report.files_missing:
        raise typer.Exit(1)


def _extras(store: "Store", order: "Order", unrecorded: "tuple[Path, ...]") -> "Extras":
    """What `status ORDER` shows beside the report: the case folder, the start of each
    evidence's recognised text, the files no record names."""
    from refundkit.caseview import Extras
    from refundkit.screenshots.text import evidence_excerpt

    excerpts = {}
    for entry in order.evidence:
        text = evidence_excerpt(store, order, entry)
        if text:
            excerpts[entry.id] = text
    return Extras(store.order_dir(order.id), excerpts, unrecorded)


@command("profile")
def profile(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="Your name, as on your ID.")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number for the complaint.")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    address: Annotated[str | None, typer.Option(help="Postal address.")] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language of letters and of the interface: zh or en (or 中文, 英文)."),
    ] = None,
    jurisdiction: JurisdictionOpt = None,
) -> None:
    """Show or set the complainant's details used in letters.

    In a terminal, with no option, it asks for your name, phone and address if they are
    missing. Example: refundkit profile --name 张三 --phone 13800138000 --language zh
    """
    from refundkit import cases, display

    store = get_store(ctx)
    changes = {
        "name": name,
        "phone": phone,
        "email": email,
        "address": address,
        "language": language,
        "jurisdiction": jurisdiction,
    }
    if not any(v is not None for v in changes.values()) and cli.interactive():
        from refundkit.cli import journey

        changes = journey.profile_answers(store.load_profile())
    if any(v is not None for v in changes.values()):
        display.print_profile(cases.update_profile(store, changes))
        if phone is not None:
            _warn_phone(phone)
    else:
        display.print_profile(store.load_profile())


def _warn_phone(phone: str) -> None:
    from refundkit.cli import ask
    from refundkit.i18n import _
    from refundkit.plausible import phone_warning

    warning = phone_warning(phone)
    if warning:
        ask.warn(warning + _("; it was kept as given"))


@command("demo")
def demo(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--folder",
            help="Where to build the example (default: refundkit-demo-UID in the temp folder, "
            "rebuilt each time).",
        ),
    ] = None,
) -> None:
    """Fill a throw-away data folder with a realistic example case and show its status.

    Example: refundkit demo
    """
    import shlex

    from refundkit import cases, display
    from refundkit import demo as demo_case
    from refundkit.cli import notice
    from refundkit.i18n import _
    from refundkit.store import Store

    if folder is not None:
        _refuse_used_folder(folder)
    store = Store(folder or demo_case.temp_home(), notice=notice)
    order = demo_case.build(store, datetime.now())
    from refundkit import pager

    with pager.paging():
        display.print_case(cases.report(store.load(order.id), today()), _extras(store, order, ()))
        home = shlex.quote(str(store.home))
        typer.echo("")
        display.print_wrapped(
            _(
                "Example data folder: {folder} (each `refundkit demo` rebuilds it; remove it with "
                "`rm -rf {folder}`)"
            ).format(folder=home)
        )
        typer.echo(_("Try: refundkit --home {folder} status").format(folder=home))
        typer.echo(
            _("     refundkit --home {folder} draft-complaint {id}").format(
                folder=home, id=order.id
            )
        )
        display.print_wrapped(
            _(
                "The commands refundkit suggests name no folder: to paste them as printed, first "
                "run `export REFUNDKIT_HOME={folder}` (and `unset REFUNDKIT_HOME` to go back to "
                "your own data)."
            ).format(folder=home)
        )


def _refuse_used_folder(folder: Path) -> None:
    """The example goes only into a new or empty folder: never over anyone's data (an existing
    data folder's profile would get the example's name, phone and address)."""
    import os

    from refundkit.errors import BadFile
    from refundkit.i18n import _

    if not os.path.lexists(folder):
        return
    if not folder.is_dir() or folder.is_symlink():
        raise BadFile(
            _("--folder {folder} is not a folder: give a new or empty folder").format(folder=folder)
        )
    with os.scandir(folder) as entries:
        if next(iter(entries), None) is not None:
            raise BadFile(
                _(
                    "--folder {folder} is not empty: the demo builds its example only in a new "
                    "or empty folder, so that no data of yours is touched"
                ).format(folder=folder)
            )
