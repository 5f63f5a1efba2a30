"""The letters core: the facts and legal grounds each letter gets, the templates, the formats.

The eight letters of one rich example case are compared with reviewed snapshots in
tests/snapshots/letters/. After a deliberate change, regenerate them with
REFUNDKIT_UPDATE_SNAPSHOTS=1 and read every changed line before committing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from refundkit import letters, markup
from refundkit.errors import BadFile, BadInput
from refundkit.kinds import Lang, LetterFormat, Recipient, Stage
from refundkit.models import Event, Evidence, Order, Profile
from refundkit.store import Store

SNAPSHOTS = Path(__file__).parent / "snapshots" / "letters"
AS_OF = date(2026, 11, 16)
RECIPIENTS = list(Recipient)
LANGS = list(Lang)
EIGHT = [(r, lang) for r in RECIPIENTS for lang in LANGS]
RECORDED = datetime(2026, 11, 15, 20, 0)


# --- the example case -------------------------------------------------------------------


def event(n: int, kind: str, on: date, **fields: Any) -> Event:
    return Event(id=f"t{n}", kind=kind, on=on, recorded=RECORDED, **fields)


def evidence(n: int, kind: str, name: str, media_type: str, size: int, **fields: Any) -> Evidence:
    return Evidence(
        id=f"e{n}",
        kind=kind,
        original_name=name,
        stored_as=f"evidence/{n:03d}-{name}",
        size=size,
        media_type=media_type,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        added=RECORDED,
        **fields,
    )


def example_order(**changes: Any) -> Order:
    """Chinese merchant, goods inside the seven days, refused, WeChat Pay complaint filed,
    three kinds of evidence; every date fixed so the letters are the same on any day."""
    fields: dict[str, Any] = {
        "id": "k3fq8m",
        "merchant": "声悦数码旗舰店",
        "item": "无线降噪蓝牙耳机 X3（黑色）",
        "amount": Decimal("399.00"),
        "purchased": date(2026, 11, 10),
        "purchased_time": time(21, 14),
        "received": date(2026, 11, 12),
        "received_time": time(18, 30),
        "merchant_address": "广东省深圳市南山区科技园路1号",
        "merchant_phone": "0755-12345678",
        "operator": "深圳市声悦电子科技有限公司",
        "mini_program": "声悦数码商城",
        "platform": "wechat-mini-program",
        "order_no": "SY202611100001",
        "transaction_id": "4200002026111012345678901234",
        "payment_method": "wechat-pay",
        "created": datetime(2026, 11, 10, 21, 30),
        "events": [
            event(
                1,
                "contacted-merchant",
                date(2026, 11, 13),
                asked="return",
                note="在小程序客服中申请七天无理由退货",
            ),
            event(
                2,
                "merchant-refused",
                date(2026, 11, 14),
                reason="opened",
                note="客服：商品已拆封，不支持退货",
            ),
            event(
                3,
                "platform-complaint",
                date(2026, 11, 15),
                ref="200002026111501234567",
                channel="wechat-pay",
            ),
        ],
        "evidence": [
            evidence(1, "order", "订单详情.png", "image/png", 183204, taken=date(2026, 11, 10)),
            evidence(
                2,
                "chat",
                "客服聊天记录.png",
                "image/png",
                251877,
                taken=date(2026, 11, 14),
                note="客服以“已拆封”为由拒绝退货",
            ),
            evidence(3, "payment", "微信支付账单.pdf", "application/pdf", 48213),
        ],
    }
    fields.update(changes)
    return Order(**fields)


EXAMPLE_PROFILE = Profile(
    name="张三", phone="13800138000", address="上海市浦东新区世纪大道100号", language=Lang.ZH
)


@pytest.fixture
def store(home: Path) -> Store:
    """A data folder with the example complainant's profile."""
    store = Store(home)
    store.save_profile(EXAMPLE_PROFILE)
    return store


def render(
    store: Store,
    order: Order,
    to: Recipient,
    lang: Lang = Lang.ZH,
    fmt: LetterFormat = LetterFormat.MD,
    as_of: date = AS_OF,
) -> letters.Letter:
    return letters.render_letter(store, order, to, lang, fmt, as_of)


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("REFUNDKIT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with REFUNDKIT_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


# --- snapshots --------------------------------------------------------------------------


@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_example_letters_match_the_reviewed_snapshots(
    store: Store, to: Recipient, lang: Lang
) -> None:
    letter = render(store, example_order(), to, lang)
    check_snapshot(f"{to.value}.{lang.value}.md", letter.text)
    assert letter.warnings == []  # every fact and the three required kinds of evidence are there


@pytest.mark.parametrize("fmt", [LetterFormat.TXT, LetterFormat.HTML])
def test_example_platform_letter_in_txt_and_html(store: Store, fmt: LetterFormat) -> None:
    letter = render(store, example_order(), Recipient.PLATFORM, Lang.ZH, fmt)
    check_snapshot(f"platform.zh.{fmt.value}", letter.text)


@pytest.mark.parametrize("lang", LANGS)
def test_example_platform_description_fits_300_code_points(store: Store, lang: Lang) -> None:
    letter = render(store, example_order(), Recipient.PLATFORM, lang)
    assert letter.description is not None
    assert 0 < len(letter.description) <= 300
    assert letter.description in letter.text
    assert "\n" not in letter.description


@pytest.mark.parametrize("lang", LANGS)
def test_over_long_description_is_warned_with_the_excess(store: Store, lang: Lang) -> None:
    long_item = "超长商品名称" * 50
    letter = render(store, example_order(item=long_item), Recipient.PLATFORM, lang)
    assert letter.description is not None
    length = len(letter.description)
    assert length > 300
    assert long_item in letter.description  # the fact is never cut
    expected = f"the complaint description is {length} characters, {length - 300} over the 300"
    assert any(w.startswith(expected) for w in letter.warnings), letter.warnings


def test_length_is_counted_in_code_points_not_bytes(store: Store) -> None:
    base = render(store, example_order(item="X"), Recipient.PLATFORM).description
    assert base is not None
    emoji = "🎧" * (300 - len(base) + 1)  # one code point each, four bytes in UTF-8
    fits = render(store, example_order(item=emoji), Recipient.PLATFORM)
    over = render(store, example_order(item=emoji + "🎧"), Recipient.PLATFORM)
    assert fits.description is not None and len(fits.description) == 300
    assert not any("complaint description" in w for w in fits.warnings)
    assert any(", 1 over the 300" in w for w in over.warnings)


# --- the right legal basis and not the wrong one ----------------------------------------


def grounds(order: Order, as_of: date = AS_OF, profile: Profile = EXAMPLE_PROFILE) -> set[str]:
    from refundkit.cases import report

    facts = letters.letter_facts(report(order, as_of), profile, Lang.ZH)
    return {g["id"] for g in facts["grounds"]}


def plain(**fields: Any) -> Order:
    """A fresh order: no events, no evidence; bought 2026-11-01."""
    base: dict[str, Any] = {"events": [], "evidence": [], "purchased": date(2026, 11, 1)}
    return example_order(**{**base, **fields})


def both_merchant_letters(store: Store, order: Order) -> str:
    return "\n".join(render(store, order, Recipient.MERCHANT, lang).text for lang in LANGS)


def test_outside_the_window_no_article_25_and_a_warning(store: Store) -> None:
    order = plain(received=date(2026, 11, 2))  # seven days ended 2026-11-09
    assert "cn-7day" not in grounds(order)
    text = both_merchant_letters(store, order)
    assert "第二十五条" not in text and "Art. 25" not in text
    letter = render(store, order, Recipient.MERCHANT)
    assert any(
        "no legal right to a refund" in w and "7-day no-reason return: ended 2026-11-09" in w
        for w in letter.warnings
    )


def test_request_made_inside_the_window_still_counts_after_it_ends(store: Store) -> None:
    order = example_order()
    late = date(2026, 12, 1)  # the window ended 2026-11-19; the contact was on 2026-11-13
    assert "cn-7day" in grounds(order, late)
    text = render(store, order, Recipient.REGULATOR, as_of=late).text
    assert "期限至2026年11月19日届满；消费者已于2026年11月13日，即期限内，提出退货要求" in text


def test_service_gets_neither_article_25_nor_the_prepaid_rule(store: Store) -> None:
    order = plain(category="service", received=None, item="上门清洗空调服务")
    assert grounds(order) == set()
    text = both_merchant_letters(store, order)
    assert "第二十五条" not in text and "Art. 25" not in text
    assert "法释〔2025〕4号" not in text and "Fa Shi [2025]" not in text
    # No right applies: a goodwill request, with no threat of complaints.
    assert "恳请贵店考虑退还已付款项¥399.00" in text and "退货" not in text.split("您好")[1]
    assert "投诉" not in text and "complain" not in text


def test_prepaid_membership_gets_the_2025_interpretation_marked_likely(store: Store) -> None:
    order = plain(
        category="prepaid-service", purchased=date(2026, 11, 12), received=None, item="健身房年卡"
    )
    assert grounds(order) == {"cn-prepaid-7day"}
    zh = render(store, order, Recipient.MERCHANT).text
    en = render(store, order, Recipient.MERCHANT, Lang.EN).text
    assert "法释〔2025〕4号第十四条" in zh and "可能属于" in zh and "由法院认定" in zh
    assert "Fa Shi [2025] No. 4, Art. 14" in en and "likely" in en
    assert "第二十五条" not in zh and "Art. 25" not in en
    assert "请返还预付款本金¥399.00" in zh
    lawyer = render(store, order, Recipient.LAWYER).text
    assert "第十四条但书" in lawyer  # the "already received the same service" exception


def test_prepaid_paid_before_the_interpretation_says_it_is_uncertain(store: Store) -> None:
    order = plain(
        category="prepaid-service",
        purchased=date(2025, 4, 28),
        received=None,
        created=datetime(2025, 4, 28, 12, 0),
    )
    as_of = date(2025, 4, 30)
    assert "cn-prepaid-7day" in grounds(order, as_of)
    zh = render(store, order, Recipient.PLATFORM, as_of=as_of).text
    en = render(store, order, Recipient.PLATFORM, Lang.EN, as_of=as_of).text
    assert "未设过渡条款" in zh and "尚不确定" in zh
    assert "no transitional clause" in en and "uncertain" in en


def test_prepaid_not_provided_gets_article_53(store: Store) -> None:
    order = plain(category="prepaid-service", problem="not-delivered", received=None)
    assert grounds(order) == {"cpl-53"}
    assert "第五十三条" in render(store, order, Recipient.MERCHANT).text


def test_defective_after_seven_days_gets_article_24_not_25(store: Store) -> None:
    order = plain(received=date(2026, 11, 2), problem="defective", details="左耳没有声音")
    assert grounds(order) == {"cpl-24"}
    zh = render(store, order, Recipient.MERCHANT).text
    en = render(store, order, Recipient.MERCHANT, Lang.EN).text
    assert "第二十四条" in zh and "更换或者修理" in zh and "左耳没有声音" in zh
    assert "第二十五条" not in zh
    assert "Art. 24" in en and "Art. 25" not in en
    assert "法定解除合同条件" in render(store, order, Recipient.LAWYER).text


def test_defective_inside_seven_days_returns_at_the_merchants_cost(store: Store) -> None:
    order = plain(received=date(2026, 11, 12), problem="defective")
    assert {"cn-defect-7day", "cn-7day"} <= grounds(order)
    zh = render(store, order, Recipient.MERCHANT).text
    assert "第二十四条" in zh and "请为我办理退货、承担退货运费" in zh


def test_fraud_asks_for_three_times_at_least_500_yuan(store: Store) -> None:
    cheap = plain(received=date(2026, 11, 2), problem="fraud", amount=Decimal("100"))
    dear = plain(received=date(2026, 11, 2), problem="fraud", amount=Decimal("399"))
    assert "cpl-55" in grounds(cheap)
    assert "增加赔偿¥500.00" in render(store, cheap, Recipient.MERCHANT).text
    assert "增加赔偿¥1,197.00" in render(store, dear, Recipient.MERCHANT).text


def test_merchant_promise_binds_as_a_term_of_the_contract(store: Store) -> None:
    order = plain(received=date(2026, 11, 2), promise_days=30)
    assert grounds(order) == {"promise"}
    zh = render(store, order, Recipient.MERCHANT).text
    assert "30天内可退货；自签收次日起算，期限至2026年12月2日届满" in zh
    # The merchant's own promise: CPL Art. 16 para. 2 and Civil Code Art. 509, not Art. 44
    # (the platform's promises) nor Fa Shi [2022] No. 8 Art. 2 (seven-day promises on the
    # goods Art. 25 excludes).
    assert "第十六条第二款" in zh and "第五百零九条" in zh
    assert "第四十四条" not in zh and "法释〔2022〕8号第二条" not in zh


def test_refusal_adds_the_unreasonable_refusal_rule_only_when_refused(store: Store) -> None:
    assert "saic-9" in grounds(example_order())
    assert "saic-9" not in grounds(plain(received=date(2026, 11, 12)))


def test_eu_order_gets_the_directive_not_chinese_law(store: Store) -> None:
    order = plain(received=date(2026, 11, 12), jurisdiction="eu", currency="EUR")
    assert grounds(order) == {"eu-14day"}
    text = render(store, order, Recipient.MERCHANT, Lang.EN).text
    assert "Directive 2011/83/EU" in text and "€399.00" in text and "CPL" not in text


def test_holiday_rollover_is_a_note_never_the_deadline(store: Store) -> None:
    # Received 2026-09-24: the seventh day is 2026-10-01, National Day.
    order = plain(
        received=date(2026, 9, 24),
        purchased=date(2026, 9, 20),
        created=datetime(2026, 9, 20, 12, 0),
    )
    text = render(store, order, Recipient.LAWYER, as_of=date(2026, 9, 26)).text
    assert "至2026年10月1日届满" in text
    assert "可能顺延至2026年10月8日" in text and "尚无定论" in text
    assert "法定节假日" in text  # the day itself; the article's own word is 法定休假日


# --- facts, blanks and warnings ---------------------------------------------------------


def test_missing_facts_are_marked_blanks_with_the_command_that_fills_them(home: Path) -> None:
    store = Store(home)  # no profile at all
    order = plain(merchant_address=None, operator=None, transaction_id=None)
    letter = render(store, order, Recipient.REGULATOR)
    for blank in (
        "[投诉人姓名]",
        "[联系电话]",
        "[通讯地址]",
        "[商家地址]",
        "[经营者名称]",
    ):
        assert blank in letter.text
    fills = "\n".join(letter.warnings)
    for command in (
        "`refundkit profile`, which asks for what is missing in a terminal (or give it with "
        "--name)",
        "(or give it with --phone)",
        "(or give it with --address)",
        "`refundkit edit k3fq8m`, which asks for what is missing in a terminal (or give it with "
        "--merchant-address)",
        "(or give it with --operator)",
    ):
        assert command in fills
    assert "`refundkit add-evidence k3fq8m --kind chat`" in fills
    en = render(store, order, Recipient.REGULATOR, Lang.EN)
    assert "[merchant's address]" in en.text and "[your phone number]" in en.text


def test_only_blanks_a_letter_prints_are_warned(home: Path) -> None:
    store = Store(home)
    store.save_profile(Profile(name="张三"))  # no phone, no address
    merchant = render(store, plain(merchant_address=None), Recipient.MERCHANT)
    assert not any("--merchant-address" in w or "--phone" in w for w in merchant.warnings)
    assert "[" not in merchant.text


def test_receipt_date_missing_is_a_blank_in_complaints(store: Store) -> None:
    letter = render(store, plain(received=None), Recipient.PLATFORM)
    assert "签收时间：[签收日期]" in letter.text
    assert any(
        "`refundkit edit k3fq8m`" in w and "--received" in w and "DATE" not in w
        for w in letter.warnings
    )


def test_as_of_leaves_out_later_events(store: Store) -> None:
    text = render(store, example_order(), Recipient.LAWYER, as_of=date(2026, 11, 13)).text
    assert "商家拒绝退货退款" not in text and "向平台投诉（" not in text
    assert "联系商家" in text


def test_dates_and_money_are_formatted_for_the_language() -> None:
    assert letters.format_date(date(2026, 11, 20), Lang.ZH) == "2026年11月20日"
    assert letters.format_date(date(2026, 11, 20), Lang.EN) == "20 November 2026"
    assert letters.format_date(date(2026, 1, 2), Lang.EN, time(9, 5)) == "2 January 2026 09:05"
    assert letters.format_money(Decimal("199"), "CNY") == "¥199.00"
    assert letters.format_money(Decimal("1299.5"), "CNY") == "¥1,299.50"
    assert letters.format_money(Decimal("12"), "CHF") == "12.00 CHF"


@pytest.mark.parametrize(
    ("stage", "recipient"),
    [
        (Stage.NEW, Recipient.MERCHANT),
        (Stage.NEGOTIATING, Recipient.MERCHANT),
        (Stage.REFUSED, Recipient.PLATFORM),
        (Stage.PLATFORM, Recipient.REGULATOR),
        (Stage.REGULATOR, Recipient.LAWYER),
        (Stage.LEGAL, Recipient.LAWYER),
        (Stage.RESOLVED, Recipient.LAWYER),
        (Stage.CLOSED, Recipient.LAWYER),
    ],
)
def test_default_recipient_follows_the_ladder(stage: Stage, recipient: Recipient) -> None:
    assert letters.default_recipient(stage) is recipient


def test_default_language() -> None:
    cn, eu = plain(), plain(jurisdiction="eu")
    assert letters.default_lang(cn, Profile()) is Lang.ZH
    assert letters.default_lang(eu, Profile()) is Lang.EN
    assert letters.default_lang(cn, Profile(language=Lang.EN)) is Lang.EN


def test_as_of_before_the_purchase_is_refused(store: Store) -> None:
    with pytest.raises(BadInput):
        render(store, example_order(), Recipient.MERCHANT, as_of=date(2026, 11, 1))


# --- facts are data, never template code or markup --------------------------------------

HOSTILE = {
    "merchant": "{{ 7*7 }} & {% raw %}",
    "item": "<script>alert('x')</script> **不是粗体** {#注释#}",
    "details": "# 不是标题\n- 不是列表\n\n第二段 & <b>",
    "mini_program": "{{ order.id }}\ue0000\ue001",
}


def hostile_order() -> Order:
    order = plain(received=date(2026, 11, 12), problem="defective", **HOSTILE)
    refused = event(1, "merchant-refused", date(2026, 11, 13), note="{% include 'x' %} </p>")
    return order.model_copy(update={"events": [refused]})


@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_txt_carries_hostile_facts_character_for_character(
    store: Store, to: Recipient, lang: Lang
) -> None:
    """md escapes them for CommonMark: tests/test_markdown.py renders it and compares."""
    text = render(store, hostile_order(), to, lang, LetterFormat.TXT).text
    assert HOSTILE["merchant"] in text and HOSTILE["item"] in text
    assert "&amp;" not in text and "&lt;" not in text


@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_html_escapes_every_fact(store: Store, to: Recipient, lang: Lang) -> None:
    text = render(store, hostile_order(), to, lang, LetterFormat.HTML).text
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "{{ 7*7 }} &amp; {% raw %}" in text
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_hostile_note_lines_are_not_turned_into_markup(store: Store) -> None:
    order = hostile_order()
    txt = render(store, order, Recipient.LAWYER, Lang.ZH, LetterFormat.TXT).text
    assert "# 不是标题\n- 不是列表\n\n第二段 & <b>" in txt
    assert "**不是粗体**" in txt
    html = render(store, order, Recipient.LAWYER, Lang.ZH, LetterFormat.HTML).text
    assert "<h1># 不是标题" not in html and "<strong>不是粗体" not in html
    assert "**不是粗体**" in html
    assert "{{ order.id }}\ue0000\ue001" in html  # a token-like fact stays as it was


def test_the_txt_format_drops_only_template_markup(store: Store) -> None:
    md = render(store, example_order(), Recipient.LAWYER, Lang.EN).text
    txt = render(store, example_order(), Recipient.LAWYER, Lang.EN, LetterFormat.TXT).text
    assert "## 1. Parties" in md and "**Order screenshot**" in md
    assert "\n1. Parties\n" in txt and "1. Order screenshot" in txt
    assert "**" not in txt and "\n#" not in txt


# --- the markup converter ---------------------------------------------------------------


def test_markup_to_html_structure() -> None:
    source = "# Title\n\nline one\nline two\n\n- a\n  more a\n- **b**\n\n2. x\n3. y\n"
    assert markup.to_html(source) == (
        "<h1>Title</h1>\n<p>line one<br>\nline two</p>\n<ul>\n<li>a<br>\nmore a</li>\n"
        '<li><strong>b</strong></li>\n</ul>\n<ol start="2">\n<li>x</li>\n<li>y</li>\n</ol>\n'
    )


def test_markup_escapes_template_text_in_html() -> None:
    assert markup.to_html("a < b & c\n") == "<p>a &lt; b &amp; c</p>\n"


def test_markup_fill_is_one_pass() -> None:
    facts = [markup.token(1), "<x>"]
    assert markup.fill(markup.token(0), facts, LetterFormat.TXT) == markup.token(1)
    assert markup.fill(markup.token(1), facts, LetterFormat.HTML) == "&lt;x&gt;"


def test_markup_tidy_collapses_blank_lines_of_template_text_only() -> None:
    assert markup.tidy("\n\na  \n\n\n\nb\n\n") == "a\n\nb\n"


# --- templates: where they live, overrides, copies --------------------------------------


def test_builtin_templates_come_from_the_checkout_in_an_editable_install() -> None:
    assert letters.builtin_dir() == Path(__file__).resolve().parents[1] / "templates"


def test_every_letter_has_a_template_in_each_language() -> None:
    names = {name for name, _ in letters.list_templates(Store(Path("/nonexistent")))}
    for to, lang in EIGHT:
        assert letters.template_name(to, lang) in names
    assert {"letters/_parts.zh.md.j2", "letters/_law.en.md.j2", "letters/_page.html.j2"} <= names


def test_user_template_wins_and_can_use_the_shared_parts(store: Store) -> None:
    user = store.templates_dir / "letters" / "merchant.zh.md.j2"
    user.parent.mkdir(parents=True)
    user.write_text(
        '{% import "letters/_law.zh.md.j2" as law with context %}'
        "自定义：{{ order.merchant }}，{{ law.demand_short() }}，{{ complainant.phone }}\n",
        encoding="utf-8",
    )
    letter = render(store, example_order(), Recipient.MERCHANT)
    assert letter.text == "自定义：声悦数码旗舰店，办理退货并退还货款¥399.00，13800138000\n"
    listed = dict(letters.list_templates(store))
    assert listed["letters/merchant.zh.md.j2"] == user
    assert listed["letters/merchant.en.md.j2"] is None


def test_user_partial_override_changes_every_letter_that_uses_it(store: Store) -> None:
    path = letters.copy_template(store, "letters/_parts.zh.md.j2")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '"chat": "与商家的聊天记录"', '"chat": "聊天截图"'
        ),
        encoding="utf-8",
    )
    for to in (Recipient.PLATFORM, Recipient.REGULATOR, Recipient.LAWYER):
        assert "聊天截图" in render(store, example_order(), to).text


def test_broken_user_template_names_the_file_and_line(store: Store) -> None:
    user = store.templates_dir / "letters" / "lawyer.en.md.j2"
    user.parent.mkdir(parents=True)
    user.write_text("line one\n{{ order.no_such_fact }}\n", encoding="utf-8")
    with pytest.raises(BadFile) as caught:
        render(store, example_order(), Recipient.LAWYER, Lang.EN)
    assert str(user) in caught.value.message and "line 2" in caught.value.message
    user.write_text("{% if %}\n", encoding="utf-8")
    with pytest.raises(BadFile) as caught:
        render(store, example_order(), Recipient.LAWYER, Lang.EN)
    assert "line 1" in caught.value.message


def test_printing_an_unrecorded_fact_is_an_error_not_none(store: Store) -> None:
    user = store.templates_dir / "letters" / "merchant.en.md.j2"
    user.parent.mkdir(parents=True)
    user.write_text("{{ order.details }}\n", encoding="utf-8")
    with pytest.raises(BadFile, match="not recorded"):
        render(store, plain(), Recipient.MERCHANT, Lang.EN)


def test_copy_template_refuses_unknown_names_and_paths(store: Store) -> None:
    for name in ("../pyproject.toml", "letters/../../x.j2", "/etc/passwd", "letters/nope.j2"):
        with pytest.raises(BadInput):
            letters.copy_template(store, name)
    assert not store.templates_dir.exists()


def test_copy_template_keeps_the_users_copy_unless_forced(store: Store) -> None:
    path = letters.copy_template(store, "letters/merchant.en.md.j2")
    assert path == store.templates_dir / "letters" / "merchant.en.md.j2"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    path.write_text("mine\n", encoding="utf-8")
    with pytest.raises(BadInput, match="--force"):
        letters.copy_template(store, "letters/merchant.en.md.j2")
    assert path.read_text(encoding="utf-8") == "mine\n"
    letters.copy_template(store, "letters/merchant.en.md.j2", force=True)
    builtin = letters.builtin_dir() / "letters" / "merchant.en.md.j2"
    assert path.read_bytes() == builtin.read_bytes()


def test_letters_core_does_not_import_typer_or_rich() -> None:
    code = (
        "import sys, refundkit.letters, refundkit.markup; "
        "print(sorted(m for m in ('typer', 'rich', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- what the merchant letter says of steps already taken, money already back -------------


def test_a_prepaid_customer_who_just_wants_out_gets_no_article_53(store: Store) -> None:
    """Art. 53 is for a service not provided as agreed; a gym that keeps its doors open has
    not breached it because the member moved away."""
    order = plain(
        category="prepaid-service",
        problem="other",
        received=None,
        units=12,
        units_used=3,
        details="因工作调动要求退还剩余课时费用",
    )
    assert "cpl-53" not in grounds(order)
    text = both_merchant_letters(store, order)
    assert "第五十三条" not in text and "Art. 53" not in text
    assert "第十八条" not in text and "Arts. 18-19" not in text  # the merchant's argument
    lawyer = render(store, order, Recipient.LAWYER).text
    assert "第十八条、第十九条" in lawyer  # stays in the lawyer's summary


def test_a_refund_already_received_is_said_and_not_called_unresolved(store: Store) -> None:
    order = plain(
        problem="fraud",
        amount=Decimal("99.00"),
        events=[
            event(1, "contacted-merchant", date(2026, 11, 3), asked="refund"),
            event(2, "refund-received", date(2026, 11, 5), amount=Decimal("99.00")),
        ],
    )
    zh = render(store, order, Recipient.MERCHANT).text
    en = render(store, order, Recipient.MERCHANT, Lang.EN).text
    assert "至今未获解决" not in zh and "贵店已退还¥99.00" in zh
    assert "has not been resolved" not in en and "You have refunded ¥99.00" in en


def test_a_step_already_taken_is_not_threatened_again(store: Store) -> None:
    """After a WeChat Pay complaint the next rung is the regulator; after the regulator, court."""
    complained = plain(
        received=date(2026, 11, 12),
        events=[
            event(1, "contacted-merchant", date(2026, 11, 13), asked="return"),
            event(2, "merchant-refused", date(2026, 11, 14), reason="opened"),
            event(3, "platform-complaint", date(2026, 11, 15), channel="wechat-pay"),
        ],
    )
    for lang in LANGS:
        text = render(store, complained, Recipient.MERCHANT, lang).text
        assert "通过微信支付投诉" not in text and "complain through WeChat Pay" not in text
        assert "12315" in text
    at_regulator = complained.model_copy(
        update={
            "events": [
                *complained.events,
                event(4, "regulator-complaint", date(2026, 11, 16)),
            ]
        }
    )
    zh = render(store, at_regulator, Recipient.MERCHANT).text
    assert "诉讼或者仲裁" in zh and "向市场监督管理部门（12315）" not in zh.split("请于")[-1]


def test_a_refund_not_yet_due_asks_no_earlier_reply(store: Store) -> None:
    order = plain(
        received=date(2026, 11, 3),
        events=[
            event(1, "contacted-merchant", date(2026, 11, 4), asked="return"),
            event(2, "return-shipped", date(2026, 11, 10)),
            event(3, "return-delivered", date(2026, 11, 13)),
        ],
    )  # due 2026-11-20; the letter is written on 2026-11-16
    zh = render(store, order, Recipient.MERCHANT).text
    en = render(store, order, Recipient.MERCHANT, Lang.EN).text
    assert "最迟于2026年11月20日退还" in zh and "前答复" not in zh
    assert "by 20 November 2026" in en and "Please reply by" not in en
    txt = render(store, order, Recipient.MERCHANT, Lang.EN, LetterFormat.TXT).text
    assert "by 20 November 2026. Otherwise" in txt and ".  " not in txt  # one space


def test_an_earlier_request_is_never_said_to_have_cited_the_law(store: Store) -> None:
    """The record shows that a return was asked for, not what the consumer said: the letter
    says which right that request exercised, never that it invoked an article."""
    zh = render(store, example_order(), Recipient.MERCHANT).text
    assert "即期限内，要求退货退款，行使了《消费者权益保护法》第二十五条" in zh
    assert "即期限内，依据" not in zh


def test_a_refusal_note_is_not_quoted_as_the_shops_own_words(store: Store) -> None:
    for lang in LANGS:
        text = render(store, example_order(), Recipient.MERCHANT, lang).text
        assert "客服：商品已拆封，不支持退货" in text
        assert "“客服" not in text and '("客服' not in text
