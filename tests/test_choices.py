"""Chinese input wherever a user types: every choice by its code, its name or a common word
(choices.py), currencies (currencies.py), and the plausibility warnings (plausible.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json
from refundkit import choices, i18n
from refundkit.currencies import ISO_4217, currency_code
from refundkit.errors import BadInput
from refundkit.plausible import phone_warning, transaction_id_warning

Cli = Callable[..., Any]


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("vocabulary", "text", "code"),
    [
        (choices.EVIDENCE_KIND, "聊天", "chat"),
        (choices.EVIDENCE_KIND, "聊天记录", "chat"),
        (choices.EVIDENCE_KIND, "订单", "order"),
        (choices.EVIDENCE_KIND, "支付凭证", "payment"),
        (choices.EVIDENCE_KIND, "付款", "payment"),
        (choices.EVIDENCE_KIND, "物流", "delivery"),
        (choices.EVIDENCE_KIND, "照片", "photo"),
        (choices.EVIDENCE_KIND, "录屏", "recording"),
        (choices.EVIDENCE_KIND, "CHAT", "chat"),
        (choices.EVIDENCE_KIND, "chat records", "chat"),  # its English name
        (choices.RECIPIENT, "商家", "merchant"),
        (choices.RECIPIENT, "平台", "platform"),
        (choices.RECIPIENT, "微信支付", "platform"),  # where a WeChat user complains
        (choices.RECIPIENT, "支付宝", "platform"),
        (choices.RECIPIENT, "淘宝", "platform"),
        (choices.RECIPIENT, "12315", "regulator"),
        (choices.RECIPIENT, "监管", "regulator"),
        (choices.RECIPIENT, "消协", "regulator"),
        (choices.RECIPIENT, "律师", "lawyer"),
        (choices.PAYMENT_METHOD, "微信支付", "wechat-pay"),
        (choices.PAYMENT_METHOD, "微信", "wechat-pay"),
        (choices.PAYMENT_METHOD, "支付宝", "alipay"),
        (choices.PAYMENT_METHOD, "信用卡", "credit-card"),
        (choices.PAYMENT_METHOD, "借记卡", "debit-card"),
        (choices.PAYMENT_METHOD, "银行转账", "bank-transfer"),
        (choices.PAYMENT_METHOD, "现金", "cash"),
        (choices.PAYMENT_METHOD, "WeChat Pay", "wechat-pay"),
        (choices.PAYMENT_METHOD, "ｗｅｃｈａｔ－ｐａｙ", "wechat-pay"),  # full width, from an IME
        (choices.PAYMENT_METHOD, "credit_card", "credit-card"),
        (choices.CATEGORY, "定制", "custom"),
        (choices.CATEGORY, "课程", "prepaid-service"),
        (choices.PROBLEM, "质量问题", "defective"),
        (choices.PROBLEM, "与描述不符", "not-as-described"),
        (choices.PROBLEM, "未发货", "not-delivered"),
        (choices.PROBLEM, "欺诈", "fraud"),
        (choices.JURISDICTION, "中国", "cn"),
        (choices.JURISDICTION, "欧盟", "eu"),
        (choices.JURISDICTION, "英国", "uk"),
        (choices.JURISDICTION, "美国", "us"),
        (choices.EVENT, "联系商家", "contacted-merchant"),
        (choices.EVENT, "商家拒绝", "merchant-refused"),
        (choices.EVENT, "退款到账", "refund-received"),
        (choices.EVENT, "投诉平台", "platform-complaint"),
        (choices.EVENT, "12315", "regulator-complaint"),
        (choices.REQUEST, "退货", "return"),
        (choices.REQUEST, "退款", "refund"),
        (choices.REASON, "已拆封", "opened"),
        (choices.REASON, "超过七天", "past-deadline"),
        (choices.OUTCOME, "驳回", "rejected"),
        (choices.CHANNEL, "小程序", "mini-program"),
        (choices.PLATFORM, "淘宝", "taobao"),
        (choices.PLATFORM, "天猫", "tmall"),
        (choices.PLATFORM, "京东", "jd"),
        (choices.PLATFORM, "拼多多", "pinduoduo"),
        (choices.PLATFORM, "抖音", "douyin"),
        (choices.PLATFORM, "快手", "kuaishou"),
        (choices.PLATFORM, "美团", "meituan"),
        (choices.PLATFORM, "闲鱼", "xianyu"),
        (choices.PLATFORM, "小程序", "wechat-mini-program"),
        (choices.PLATFORM, "微信小程序", "wechat-mini-program"),
        (choices.LETTER_FORMAT, "网页", "html"),
        (choices.LANGUAGE, "中文", "zh"),
        (choices.LANGUAGE, "英文", "en"),
    ],
)
def test_words_people_type_name_their_codes(
    english: None, vocabulary: choices.Vocabulary, text: str, code: str
) -> None:
    assert choices.parse(vocabulary, text) == code


def test_every_code_reads_as_itself_and_every_word_names_a_code_of_its_own() -> None:
    for vocabulary in choices.ALL:
        for code in vocabulary.codes:
            assert choices.parse(vocabulary, code) == code
            assert choices.parse(vocabulary, code.upper()) == code
        for word, code in vocabulary.words.items():
            assert code in vocabulary.codes, (vocabulary.option, word)
            assert choices.find(vocabulary, word) == code, (vocabulary.option, word)


def test_chinese_names_are_read_in_chinese_too() -> None:
    """A code's name in the interface's language is taken as it is shown in the lists."""
    i18n.set_language("zh")
    try:
        shown = choices.EVIDENCE_KIND.name("delivery")
        assert shown != "delivery record"  # the catalog has it in Chinese
        assert choices.parse(choices.EVIDENCE_KIND, shown) == "delivery"
    finally:
        i18n.set_language("en")


def test_an_unknown_word_lists_the_choices_by_name_in_one_line(english: None) -> None:
    with pytest.raises(BadInput) as caught:
        choices.parse(choices.EVIDENCE_KIND, "xyz")
    message = caught.value.message
    assert "\n" not in message and "Value error" not in message
    assert "--kind 'xyz'" in message
    assert "chat records (chat)" in message and "order page (order)" in message


def test_an_unknown_word_in_chinese() -> None:
    i18n.set_language("zh")
    try:
        with pytest.raises(BadInput) as caught:
            choices.parse(choices.EVIDENCE_KIND, "xyz")
        assert choices.EVIDENCE_KIND.labelled("chat") in caught.value.message  # name and code
        assert "聊天" in caught.value.message
    finally:
        i18n.set_language("en")


def test_a_word_that_could_mean_several_names_them(english: None) -> None:
    with pytest.raises(BadInput, match=r"截图.*could mean.*\(order\).*\(chat\).*\(payment\)"):
        choices.parse(choices.EVIDENCE_KIND, "截图")
    with pytest.raises(BadInput, match="credit-card, debit-card"):
        choices.parse(choices.PAYMENT_METHOD, "银行卡")


def test_platform_keeps_any_other_text() -> None:
    assert choices.platform_code("淘宝") == "taobao"
    assert choices.platform_code(" 某某商城App ") == "某某商城App"


@pytest.mark.parametrize(
    ("text", "code"),
    [("CNY", "CNY"), ("cny", "CNY"), ("RMB", "CNY"), ("rmb", "CNY"), ("人民币", "CNY"),
     ("元", "CNY"), ("EUR", "EUR"), ("gbp", "GBP"), ("美元", "USD"), ("ZWG", "ZWG")],
)  # fmt: skip
def test_currency_words_and_codes(text: str, code: str) -> None:
    assert currency_code(text) == code


@pytest.mark.parametrize("text", ["RBM", "XXX", "XTS", "ABC", "US", "euro dollars", ""])
def test_a_currency_that_is_not_iso_4217_is_refused(english: None, text: str) -> None:
    with pytest.raises(BadInput, match="ISO 4217"):
        currency_code(text)


def test_the_iso_list_is_the_active_codes() -> None:
    assert len(ISO_4217) > 170
    assert {"CNY", "HKD", "TWD", "MOP", "EUR", "VES", "SLE", "XCG"} <= ISO_4217
    assert not {"HRK", "XXX", "XTS", "RMB"} & ISO_4217


@pytest.mark.parametrize(
    ("txn", "method", "warned"),
    [
        ("4200002026112012345678901234", "wechat-pay", False),  # 28 digits
        ("1000050001202611150930001234567890ab"[:34] + "12", "wechat-pay", False),  # 36
        ("42000020261120123", "wechat-pay", True),  # 17: a copy cut short
        ("4200 0020 2611 2012 3456 7890 1234", "wechat-pay", False),  # spaces are fine
        ("2026111922001400001111000000", "alipay", False),  # 28
        ("20261119220014000011110000001111", "alipay", False),  # 32
        ("202611192200140000111", "alipay", True),
        ("SY2026", "alipay", True),  # not digits
        ("123", None, False),  # no method: nothing to compare with
        ("123", "credit-card", False),
    ],
)
def test_transaction_number_lengths(
    english: None, txn: str, method: str | None, warned: bool
) -> None:
    assert (transaction_id_warning(txn, method) is not None) == warned


@pytest.mark.parametrize(
    ("phone", "warned"),
    [
        ("13800138000", False),
        ("138 0013 8000", False),
        ("+86 138-0013-8000", False),
        ("008613800138000", False),
        ("010-62345678", False),
        ("0755-2345678", False),
        ("0755 23456789 转 123", False),
        ("12315", True),  # a hotline, not a person's number
        ("+44 20 7946 0958", False),  # another country: not checked
        ("12345", True),
        ("1380013800", True),  # 10 digits
        ("23800138000", True),
        ("phone", True),
    ],
)
def test_phone_numbers(english: None, phone: str, warned: bool) -> None:
    assert (phone_warning(phone) is not None) == warned


# --- through the CLI ----------------------------------------------------------------------


def test_chinese_values_on_add_order(cli: Cli, add: Any) -> None:
    add(
        payment_method="微信支付",
        problem="质量问题",
        category="商品",
        jurisdiction="中国",
        platform="淘宝",
        currency="RMB",
    )
    (order,) = status_json(cli)["orders"]
    assert (order["problem"], order["category"], order["currency"]) == ("defective", "goods", "CNY")


def test_an_unknown_choice_is_one_line_exit_2(cli: Cli, add: Any, home: Path) -> None:
    add()
    before = snapshot(home)
    result = cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1",
                 "--payment-method", "paypal")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Value error" not in result.stderr
    assert "wechat-pay, alipay, credit-card" in result.stderr and "╭" not in result.stderr
    assert snapshot(home) == before


def test_chinese_kind_event_and_recipient(cli: Cli, add: Any, tmp_path: Path) -> None:
    order = add()
    proof = tmp_path / "聊天.png"
    proof.write_bytes(b"chat")
    assert cli("add-evidence", order, str(proof), "--kind", "聊天记录").exit_code == 0
    done = cli("log", order, "联系商家", "--asked", "退货")
    assert done.exit_code == 0, done.output
    refused = cli("log", order, "商家拒绝", "--reason", "已拆封")
    assert refused.exit_code == 0, refused.output
    letter = cli("draft-complaint", order, "--to", "12315", "--lang", "中文", "--format", "文本")
    assert letter.exit_code == 0, letter.output
    data = json.loads(cli("status", order, "--json").stdout)["orders"][0]
    assert [e for e in data["missing_evidence"]] == ["order", "payment"]


def test_profile_language_and_phone_warning(cli: Cli) -> None:
    result = cli("profile", "--language", "中文", "--phone", "12345")
    assert result.exit_code == 0, result.output
    assert "12345" in result.stderr and "11" in result.stderr
    assert json.loads((Path(__import__("os").environ["REFUNDKIT_HOME"]) / "profile.json")
                      .read_text())["language"] == "zh"  # fmt: skip


def test_typed_transaction_number_of_the_wrong_length_warns(cli: Cli) -> None:
    args = ["add-order", "--merchant", "m", "--item", "i", "--amount", "1"]
    short = cli(*args, "--payment-method", "wechat-pay", "--transaction-id", "42000020261120")
    assert short.exit_code == 0 and "14 digits" in short.stderr
    right = cli(*args, "--payment-method", "wechat-pay",
                "--transaction-id", "4200002026112012345678901234")  # fmt: skip
    assert right.exit_code == 0 and right.stderr == ""


def test_ui_lang_takes_chinese_words_and_speaks_chinese(cli: Cli, add: Any) -> None:
    order = add()
    result = cli("--ui-lang", "中文", "log", order, "xyz")
    assert result.exit_code == 2
    assert "联系商家" in result.stderr or "联系" in result.stderr  # the events' Chinese names
    assert re.search(r"[(（]contacted-merchant[)）]", result.stderr)
    assert result.stderr.count("\n") == 1
    wrong = cli("--ui-lang", "klingon", "status")
    assert wrong.exit_code == 2 and "--ui-lang 'klingon'" in wrong.stderr
    assert wrong.stderr.count("\n") == 1 and "╭" not in wrong.stderr


def test_the_profile_language_is_the_interface_language(cli: Cli, add: Any, tmp_path: Path) -> None:
    order = add()
    proof = tmp_path / "x.png"
    proof.write_bytes(b"x")
    cli("profile", "--language", "zh")
    result = cli("add-evidence", order, str(proof))
    assert result.exit_code == 2 and "聊天" in result.stderr
    english = cli("--ui-lang", "en", "add-evidence", order, str(proof))
    assert "chat records (chat)" in english.stderr


@pytest.mark.parametrize(
    ("vocabulary", "typed", "meant"),
    [
        (choices.EVENT, "商家拒接", "merchant-refused"),  # one character off
        (choices.EVENT, "merchant-refuse", "merchant-refused"),
        (choices.CATEGORY, "good", "goods"),
    ],
)
def test_a_near_miss_is_answered_with_what_it_meant(
    vocabulary: choices.Vocabulary, typed: str, meant: str
) -> None:
    with pytest.raises(BadInput, match="did you mean") as caught:
        choices.parse(vocabulary, typed)
    assert meant in caught.value.message and "give one of" not in caught.value.message


def test_no_guess_when_nothing_is_close() -> None:
    with pytest.raises(BadInput, match="give one of") as caught:
        choices.parse(choices.EVENT, "xyz")
    assert "did you mean" not in caught.value.message


@pytest.mark.parametrize(
    ("vocabulary", "typed"),
    [(choices.REASON, "未拆封"), (choices.EVENT, "没收到退款"), (choices.OUTCOME, "非支持")],
)
def test_a_negated_word_is_never_answered_with_its_opposite(
    vocabulary: choices.Vocabulary, typed: str
) -> None:
    """未拆封 (unopened) is one stroke from 拆封 (opened): no 'did you mean opened?'."""
    with pytest.raises(BadInput) as caught:
        choices.parse(vocabulary, typed)
    assert "did you mean" not in caught.value.message


def test_an_answer_not_upheld_reads_as_rejected() -> None:
    assert choices.parse(choices.OUTCOME, "未支持") == "rejected"
    assert choices.parse(choices.OUTCOME, "未支持投诉请求") == "rejected"  # as letters say it
