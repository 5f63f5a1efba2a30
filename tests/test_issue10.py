"""Issue 10's list of things the letters said that were not so: one test per statement, named
after it, on the rules' answer and, where the statement is about letters, on the letter text.

Each test builds the case the issue describes with plain values (for the rules) or as a stored
order (for the letters, through refundkit.letters.render_letter and the real templates).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from refundkit import ical
from refundkit.kinds import Channel, EvidenceKind, Stage
from refundkit.rules import facts_of
from rules_cases import all_letters, case, ev, judge, letter, order

Events = tuple[tuple[str, date, dict[str, Any]], ...]
PRC_ONLY = (
    "CPL",
    "Consumer Rights Protection Law",
    "消费者权益保护法",
    "民法典",
    "Civil Code",
    "SAIC",
    "SAMR",
    "Measures on Penalties",
    "侵害消费者权益行为处罚办法",
    "市场监督管理",
    "12315",
    "Fa Shi",
    "法释",
    "E-Commerce Law",
    "电子商务法",
)
WECHAT = ("WeChat", "微信", "Mini Program", "小程序")


def texts(home: Path, the_order: Any, as_of: date) -> dict[str, str]:
    """Every letter in both languages, and both complaint descriptions."""
    found = all_letters(home, the_order, as_of)
    for lang in ("zh", "en"):
        found[f"description.{lang}"] = letter(home, the_order, "platform", lang, as_of).description
    return found


def merchant(home: Path, the_order: Any, as_of: date, lang: str = "zh") -> str:
    text: str = letter(home, the_order, "merchant", lang, as_of).text
    return text


# --- "Any earlier contact counts as a timely return request." ------------------------------


def test_any_earlier_contact_counts_as_a_timely_return_request(home: Path) -> None:
    chase = ("contacted-merchant", date(2026, 11, 11), {"asked": "delivery", "note": "催发货"})
    size = ("contacted-merchant", date(2026, 11, 13), {"asked": "exchange", "note": "问能否换尺码"})
    facts = case(
        ev("contacted-merchant", date(2026, 11, 11), asked="delivery"),
        ev("contacted-merchant", date(2026, 11, 13), asked="exchange"),
    )
    a = judge(facts, date(2026, 11, 14))
    assert all(w.exercised is None for w in a.windows)
    assert a.ground("cn-7day").params["status"] == "open"  # type: ignore[union-attr]
    the_order = order(chase, size)
    for name, text in texts(home, the_order, date(2026, 11, 14)).items():
        assert "即期限内" not in text and "在期限内提出" not in text, name
        assert ", within it" not in text and "within the period, I" not in text, name
        assert "in time" not in text and "made within it" not in text, name
    # The letter exercises the right now, plainly, instead of pretending it was done.
    assert "我在此明确" in merchant(home, the_order, date(2026, 11, 14))
    assert "I hereby" in merchant(home, the_order, date(2026, 11, 14), "en")
    # After the window, such contacts leave no right to claim: a goodwill request.
    late = judge(facts, date(2026, 11, 25))
    assert late.grounds == () and late.demand.kind == "goodwill"


def test_any_earlier_contact_counts_as_a_timely_return_request_even_a_repair(home: Path) -> None:
    """A timely repair request exercises the defect window, and the letters say it was a
    repair request, never a return request."""
    asked = ("contacted-merchant", date(2026, 11, 13), {"asked": "repair"})
    refused = ("merchant-refused", date(2026, 11, 14), {})
    a = judge(
        case(
            ev("contacted-merchant", date(2026, 11, 13), asked="repair"),
            ev("merchant-refused", date(2026, 11, 14)),
            problem="defective",
        ),
        date(2026, 11, 20),
    )
    g = a.ground("cn-defect-7day")
    assert g is not None and (g.params["exercised"], g.params["asked"]) == (
        date(2026, 11, 13),
        "repair",
    )
    assert a.window("cn-7day").exercised is None  # type: ignore[union-attr]
    pieces = texts(home, order(asked, refused, problem="defective"), date(2026, 11, 20))
    for name, text in pieces.items():
        assert "提出退货" not in text and "要求退货退款，现再次确认" not in text, name
        assert "I returned the goods" not in text and "Return asked" not in text, name
        assert "Refund asked" not in text, name
    assert "要求贵店维修" in pieces["merchant.zh"] and "提出维修要求" in pieces["merchant.zh"]
    assert "I asked you for a repair" in pieces["merchant.en"]
    assert "提出维修" in pieces["description.zh"] and "Repair asked" in pieces["description.en"]


# --- "Returned goods are ignored." ---------------------------------------------------------

RETURNED: Events = (
    ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
    ("return-shipped", date(2026, 11, 14), {"ref": "SF100"}),
    ("return-delivered", date(2026, 11, 16), {}),
)


def test_returned_goods_are_ignored(home: Path) -> None:
    a = judge(
        case(
            ev("contacted-merchant", date(2026, 11, 13), asked="return"),
            ev("return-shipped", date(2026, 11, 14)),
            ev("return-delivered", date(2026, 11, 16)),
        ),
        date(2026, 12, 5),
    )
    due = a.ground("refund-due")
    assert due is not None and due.params["due"] == date(2026, 11, 23)
    assert due.params["delay_from"] == date(2026, 12, 1)
    assert a.demand.kind == "refund-due"
    the_order = order(*RETURNED)
    letters = texts(home, the_order, date(2026, 12, 5))
    for name, text in letters.items():
        assert "退货地址" not in text and "return address" not in text, name
    zh, en = letters["merchant.zh"], letters["merchant.en"]
    assert "请立即退还货款¥399.00" in zh
    assert "2026年11月23日" in zh  # fell due: 7 days after the goods came back (CPL Art. 25)
    assert "第九条" in zh and "2026年12月1日" in zh  # the 15-day point of SAIC Art. 9
    assert "23 November 2026" in en and "1 December 2026" in en and "Art. 9" in en
    assert (
        "2026年11月23日" in letters["platform.zh"] and "2026年11月23日" in letters["regulator.zh"]
    )


def test_returned_goods_before_the_15_day_point_do_not_claim_it_has_passed(home: Path) -> None:
    zh = merchant(home, order(*RETURNED), date(2026, 11, 20))
    # The fifteenth day is still ahead; only after it is the delay deemed deliberate.
    assert "2026年11月23日" in zh and "2026年12月1日后仍未退款的" in zh
    assert "收到退回商品超过十五日未退款，视为故意拖延" not in zh  # not yet the Art. 9 fact


# --- "Every refusal reads 'refused the return and refund'." --------------------------------


def refusal_order(reason: str, refused: str | None = None, asked: str = "return") -> Any:
    extra = {"reason": reason, **({"refused": refused} if refused else {})}
    return order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": asked}),
        ("merchant-refused", date(2026, 11, 14), extra),
    )


def test_every_refusal_reads_refused_the_return_and_refund(home: Path) -> None:
    as_of = date(2026, 11, 15)
    exchange = texts(home, refusal_order("past-deadline", asked="exchange"), as_of)
    assert "以超过退货期限为由，拒绝了我的换货要求" in exchange["merchant.zh"]
    assert "拒绝了我的退货退款要求" not in exchange["merchant.zh"]
    assert (
        "you refused an exchange, saying that the request came too late" in exchange["merchant.en"]
    )
    assert "refused the return" not in exchange["merchant.en"]
    for name, text in exchange.items():
        assert "第九条" not in text and "Art. 9" not in text, name  # no SAIC Art. 9 for it
    opened = texts(home, refusal_order("opened"), as_of)
    assert "以商品已拆封为由" in opened["merchant.zh"]
    for name in ("merchant.zh", "platform.zh", "regulator.zh", "lawyer.zh"):
        assert "《侵害消费者权益行为处罚办法》第九条" in opened[name], name
    for name in ("merchant.en", "platform.en", "regulator.en", "lawyer.en"):
        assert "Art. 9" in opened[name], name


@pytest.mark.parametrize("reason", ["past-deadline", "used", "custom", "no-reason", "other"])
def test_saic_article_9_is_cited_only_for_the_refusals_it_covers(home: Path, reason: str) -> None:
    assert judge_refusal(reason).ground("saic-9") is None
    for name, text in texts(home, refusal_order(reason), date(2026, 11, 15)).items():
        assert (
            "处罚办法》第九条" not in text
            and "Penalties for Infringing Consumer Rights (2015, as amended) Art. 9" not in text
        ), name


def judge_refusal(reason: str) -> Any:
    return judge(
        case(
            ev("contacted-merchant", date(2026, 11, 13), asked="return"),
            ev("merchant-refused", date(2026, 11, 14), reason=reason),
        ),
        date(2026, 11, 15),
    )


# --- "Fraud counts as resolved once the price comes back." ---------------------------------


def test_fraud_counts_as_resolved_once_the_price_comes_back(home: Path) -> None:
    facts = case(ev("refund-received", date(2026, 11, 20), amount="399"), problem="fraud")
    a = judge(facts, date(2026, 11, 21))
    assert a.stage is not Stage.RESOLVED and a.demand.kind == "fraud"
    assert a.demand.compensation == 1197 and a.demand.price == 0
    the_order = order(
        ("refund-received", date(2026, 11, 20), {"amount": "399"}),
        problem="fraud",
        details="标称纯银，实为镀银",
    )
    for name, text in texts(home, the_order, date(2026, 11, 21)).items():
        assert "0.00" not in text.replace("¥1,197.00", "").replace("¥399.00", ""), name
        if not name.startswith("lawyer"):
            assert "1,197.00" in text, name


# --- "EU, UK and US cases get PRC law and WeChat channels." --------------------------------


def foreign_order(jurisdiction: str, **fields: Any) -> Any:
    currency = {"eu": "EUR", "uk": "GBP", "us": "USD"}[jurisdiction]
    return order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
        ("merchant-refused", date(2026, 11, 14), {"reason": "opened"}),
        ("platform-complaint", date(2026, 11, 16), {"channel": "other"}),
        jurisdiction=jurisdiction,
        currency=currency,
        merchant="Acme Kitchen",
        item="Kettle",
        amount="145",
        **fields,
    )


@pytest.mark.parametrize("jurisdiction", ["eu", "uk", "us"])
@pytest.mark.parametrize("problem", ["changed-mind", "defective", "not-delivered", "fraud"])
def test_eu_uk_and_us_cases_get_prc_law_and_wechat_channels(
    home: Path, jurisdiction: str, problem: str
) -> None:
    the_order = foreign_order(jurisdiction, problem=problem, payment_method="credit-card")
    as_of = date(2026, 11, 20)
    pieces = texts(home, the_order, as_of)
    calendar = ical.to_ical(ical.case_deadlines(the_order, as_of), ical.datetime(2026, 11, 20))
    pieces["calendar"] = calendar.decode("utf-8")
    for name, text in pieces.items():
        for word in PRC_ONLY + WECHAT:
            assert word not in text, (name, word)


def test_a_foreign_case_bought_through_wechat_may_name_wechat_but_no_prc_law(home: Path) -> None:
    the_order = foreign_order("uk", payment_method="wechat-pay", mini_program="Acme Shop")
    pieces = texts(home, the_order, date(2026, 11, 20))
    assert any("WeChat" in text for text in pieces.values())
    for name, text in pieces.items():
        for word in PRC_ONLY:
            assert word not in text, (name, word)


@pytest.mark.parametrize(
    ("jurisdiction", "ground", "zh", "en"),
    [
        ("eu", "eu-guarantee", "2019/771", "2019/771"),
        ("uk", "uk-repair-replace", "第23条", "ss.19, 23 and 24"),
        ("us", "us-implied-warranty", "2-314", "2-314"),
    ],
)
def test_a_defect_found_months_after_purchase_finds_no_legal_right(
    home: Path, jurisdiction: str, ground: str, zh: str, en: str
) -> None:
    the_order = foreign_order(jurisdiction, problem="defective")
    as_of = date(2027, 5, 20)
    a = judge(case(jurisdiction=jurisdiction, problem="defective"), as_of)
    assert a.ground(ground) is not None and a.demand.kind == "quality-remedy"
    assert "no legal right" not in " ".join(
        letter(home, the_order, "merchant", "en", as_of).warnings
    )
    assert zh in letter(home, the_order, "regulator", "zh", as_of).text
    assert en in letter(home, the_order, "regulator", "en", as_of).text


def test_a_us_card_purchase_never_gets_a_card_dispute(home: Path) -> None:
    facts = case(
        ev("merchant-refused", date(2026, 11, 14)),
        jurisdiction="us",
        currency="USD",
        amount="145",
        problem="not-as-described",
        payment_method="credit-card",
    )
    a = judge(facts, date(2026, 11, 20))
    assert a.channel is Channel.CARD_ISSUER and a.step.channel is Channel.CARD_ISSUER
    assert {"us-fcba-1666", "us-fcba-1666i"} <= {g.id for g in a.grounds}
    the_order = order(
        ("merchant-refused", date(2026, 11, 14), {}),
        jurisdiction="us",
        currency="USD",
        amount="145",
        problem="not-as-described",
        payment_method="credit-card",
        merchant="Acme",
        item="Kettle",
    )
    text = letter(home, the_order, "platform", "en", date(2026, 11, 20)).text
    assert "1666" in text and "card issuer" in text.lower()


# --- "The private order note is quoted in complaints." -------------------------------------


def test_the_private_order_note_is_quoted_in_complaints(home: Path) -> None:
    the_order = order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
        ("merchant-refused", date(2026, 11, 14), {"reason": "opened"}),
        problem="defective",
        note="其实是在别家看到便宜",
        details="左耳有电流声",
    )
    for name, text in texts(home, the_order, date(2026, 11, 15)).items():
        assert "别家看到便宜" not in text, name
        assert "左耳有电流声" in text, name


# --- "Non-delivery cites no law." ----------------------------------------------------------


def test_non_delivery_cites_no_law(home: Path) -> None:
    the_order = order(
        ("contacted-merchant", date(2026, 11, 15), {"asked": "delivery"}),
        problem="not-delivered",
        received=None,
    )
    pieces = texts(home, the_order, date(2026, 11, 25))
    for name in ("platform.zh", "regulator.zh", "lawyer.zh"):
        assert "《电子商务法》第二十条" in pieces[name] and "第五百六十三条" in pieces[name], name
    for name in ("platform.en", "regulator.en", "lawyer.en"):
        assert "E-Commerce Law" in pieces[name] and "Art. 20" in pieces[name], name
        assert "563" in pieces[name], name
    assert "第五百六十三条" in pieces["merchant.zh"]
    assert "签收时间：[签收日期]" not in pieces["regulator.zh"]  # never received: no blank


# --- "A prepaid course used in part demands the full price." -------------------------------


def test_a_prepaid_course_used_in_part_demands_the_full_price(home: Path) -> None:
    a = judge(
        case(category="prepaid-service", received=None, amount="1000", units=10, units_used=3),
        date(2026, 11, 14),
    )
    assert a.demand.price == 700
    the_order = order(
        category="prepaid-service",
        received=None,
        amount="1000",
        units=10,
        units_used=3,
        item="英语课程包",
        problem="other",
        details="机构停课",
    )
    for name, text in texts(home, the_order, date(2026, 11, 14)).items():
        assert "700.00" in text, name
    zh = merchant(home, the_order, date(2026, 11, 14))
    assert "共购买10次，已使用3次" in zh
    assert "返还预付款本金¥1,000.00" not in zh and "退还货款¥1,000.00" not in zh


# --- "The calendar and the next step use the later, uncertain limitation date." ------------


def test_the_calendar_and_the_next_step_use_the_later_uncertain_limitation_date() -> None:
    the_order = order(
        ("merchant-refused", date(2026, 11, 14), {}),
        ("regulator-complaint", date(2026, 11, 20), {}),
        ("lawyer-consulted", date(2026, 11, 25), {}),
    )
    as_of = date(2026, 11, 26)
    a = judge(
        case(
            ev("merchant-refused", date(2026, 11, 14)),
            ev("regulator-complaint", date(2026, 11, 20)),
            ev("lawyer-consulted", date(2026, 11, 25)),
        ),
        as_of,
    )
    assert a.limitation is not None
    assert (a.limitation.safe, a.limitation.later) == (date(2029, 11, 14), date(2029, 11, 20))
    assert a.step.by == date(2029, 11, 14)
    deadlines = ical.case_deadlines(the_order, as_of)
    days = {d.day for d in deadlines}
    assert date(2029, 11, 14) in days and date(2029, 11, 20) not in days
    text = ical.to_ical(deadlines, ical.datetime(2026, 11, 26)).decode()
    assert "2029-11-20" not in text and "20291120" not in text
    from refundkit.words import terminal

    assert "2029-11-20" not in terminal.step_reason(a) + terminal.step_action(a, "abc234")


# --- Smaller faults ------------------------------------------------------------------------


def test_a_merchants_promise_is_grounded_on_cpl_article_44(home: Path) -> None:
    the_order = order(
        ("contacted-merchant", date(2026, 11, 25), {"asked": "return"}),
        promise_days=30,
    )
    pieces = texts(home, the_order, date(2026, 11, 26))
    for name in ("merchant.zh", "platform.zh", "regulator.zh", "lawyer.zh"):
        assert "第十六条第二款" in pieces[name] and "第五百零九条" in pieces[name], name
    for name in ("merchant.en", "platform.en", "regulator.en", "lawyer.en"):
        assert "Art. 16" in pieces[name] and "Art. 509" in pieces[name], name
    assert "第四十四条" not in pieces["merchant.zh"]
    for name, text in pieces.items():  # a 30-day promise on ordinary goods: not Art. 2 of 2022
        assert "8号第二条" not in text and "No. 8, Art. 2" not in text, name


@pytest.mark.parametrize(
    ("category", "days", "cited"),
    [("custom", 7, True), ("custom", 15, False), ("non-returnable-confirmed", 7, False)],
)
def test_the_2022_provision_backs_only_a_seven_day_promise_on_the_four_excluded_kinds(
    home: Path, category: str, days: int, cited: bool
) -> None:
    the_order = order(category=category, promise_days=days)
    zh = letter(home, the_order, "lawyer", "zh", date(2026, 11, 14)).text
    en = letter(home, the_order, "lawyer", "en", date(2026, 11, 14)).text
    assert ("8号第二条" in zh) is cited and ("No. 8, Art. 2" in en) is cited


SENTENCE = re.compile(r"[。；\n]|(?<!No)(?<!Art)(?<!para)(?<!s)\. ")
BRACKETS = re.compile(r"（[^（）]*）|\([^()]*\)")


def clauses(text: str) -> list[str]:
    """Clauses with their citations: a bracket's own ; does not split it from its clause."""
    joined = BRACKETS.sub(lambda m: m.group(0).replace("；", "、").replace("; ", ", "), text)
    return SENTENCE.split(joined)


def test_reasonable_trial_is_attributed_to_fa_shi_2022_no_8(home: Path) -> None:
    the_order = refusal_order("opened")
    for name, text in texts(home, the_order, date(2026, 11, 15)).items():
        assert "合理试用" not in text and "reasonable trial" not in text, name
        for sentence in clauses(text):
            if "8号第三条" in sentence or "No. 8, Art. 3" in sentence:
                assert "调试" not in sentence and "adjustment" not in sentence, (name, sentence)


def test_article_203_is_given_as_statutory_holidays(home: Path) -> None:
    """The article's own word is 法定休假日; 法定节假日 may name the day (National Day is
    one), never what Art. 203 says."""
    national_day = order(purchased=date(2026, 9, 20), received=date(2026, 9, 24))
    weekend = order(received=date(2026, 11, 14))
    for the_order, as_of in ((national_day, date(2026, 9, 25)), (weekend, date(2026, 11, 15))):
        zh = letter(home, the_order, "lawyer", "zh", as_of).text
        assert "第二百零三条" in zh
        assert not re.search(r"第二百零三条[^。]*[“\"]法定节假日", zh), zh
        assert not re.search(r"第二百零三条规定[^。]*法定节假日", zh), zh
    assert "“法定休假日”" in letter(home, weekend, "lawyer", "zh", date(2026, 11, 15)).text
    en = letter(home, weekend, "lawyer", "en", date(2026, 11, 15)).text
    assert "statutory rest days" in en and "statutory holidays" not in en


def test_the_12315_letter_names_no_addressee_and_has_no_declaration(home: Path) -> None:
    on_platform = order(("merchant-refused", date(2026, 11, 14), {}), mini_program="声悦商城")
    own_site = order(("merchant-refused", date(2026, 11, 14), {}), platform="website")
    zh = letter(home, on_platform, "regulator", "zh", date(2026, 11, 15)).text
    assert "《市场监督管理投诉举报处理暂行办法》第十二条" in zh
    assert "实际经营地或者平台经营者住所地" in zh and "第十条" not in zh
    assert "未经人民法院、仲裁机构" in zh
    en = letter(home, on_platform, "regulator", "en", date(2026, 11, 15)).text
    assert "Art. 12" in en and "no court, arbitration body" in en
    site = letter(home, own_site, "regulator", "zh", date(2026, 11, 15)).text
    assert "致：被投诉人住所地" in site  # Art. 12 para. 2: an own website, its domicile
    unknown = order(("merchant-refused", date(2026, 11, 14), {}))
    text = letter(home, unknown, "regulator", "zh", date(2026, 11, 15)).text
    assert "致：被投诉人实际经营地或者住所地" in text  # para. 1, nothing assumed


def test_a_not_as_described_silk_shirt_gets_a_repair_demand(home: Path) -> None:
    the_order = order(
        ("contacted-merchant", date(2026, 12, 20), {"asked": "return"}),
        item="真丝衬衫",
        problem="not-as-described",
        details="标称100%桑蚕丝，实为涤纶",
    )
    as_of = date(2026, 12, 21)
    assert judge(case(problem="not-as-described"), as_of).demand.remedy == "replace-or-return"
    zh = merchant(home, the_order, as_of)
    demand = zh.split("请于")[0].rsplit("\n\n", 1)[-1]
    assert "修理" not in demand and "维修" not in demand and "更换与描述相符的商品" in demand
    regulator = letter(home, the_order, "regulator", "zh", as_of).text
    asked = regulator.split("## 三、投诉请求")[1].split("##")[0]
    assert "修理" not in asked and "维修" not in asked
    en = merchant(home, the_order, as_of, "en")
    assert "repair" not in en.split("Please reply")[0].rsplit("\n\n", 1)[-1].lower()
    description = letter(home, the_order, "platform", "zh", as_of).description
    assert "修理" not in description


def test_letters_without_a_legal_ground_still_threaten_complaints(home: Path) -> None:
    late = order(("contacted-merchant", date(2026, 11, 25), {"asked": "return"}))
    as_of = date(2026, 11, 26)
    assert judge(case(), as_of).demand.kind == "goodwill"
    zh = merchant(home, late, as_of).replace("[投诉人姓名]", "")
    en = merchant(home, late, as_of, "en")
    assert "投诉" not in zh and "12315" not in zh and "我将" not in zh
    assert "complain" not in en.lower() and "otherwise" not in en.lower()
    assert "恳请" in zh


WINDOW_CASES = {
    "cn-7day": {},
    "cn-defect-7day": {"problem": "defective", "category": "custom"},
    "cn-prepaid-7day": {"category": "prepaid-service", "received": None},
    "promise": {"promise_days": 30, "category": "custom"},
    "eu-14day": {"jurisdiction": "eu", "currency": "EUR"},
    "uk-14day": {"jurisdiction": "uk", "currency": "GBP"},
    "uk-30day-reject": {"jurisdiction": "uk", "currency": "GBP", "problem": "defective"},
    "eu-guarantee": {"jurisdiction": "eu", "currency": "EUR", "problem": "defective"},
    "uk-repair-replace": {"jurisdiction": "uk", "currency": "GBP", "problem": "defective"},
}


@pytest.mark.parametrize("rule", list(WINDOW_CASES))
def test_no_letter_states_the_users_exercise_of_the_right_unequivocally(
    home: Path, rule: str
) -> None:
    fields = WINDOW_CASES[rule]
    as_of = (
        date(2026, 11, 14)
        if rule not in ("eu-guarantee", "uk-repair-replace")
        else date(2027, 3, 1)
    )
    plain = {k: v for k, v in fields.items() if k != "currency"}
    a = judge(case(**plain), as_of)
    assert a.ground(rule) is not None and a.ground(rule).params["status"] == "open"  # type: ignore[union-attr]
    the_order = order(**fields)
    zh = merchant(home, the_order, as_of)
    en = merchant(home, the_order, as_of, "en")
    assert "我在此明确" in zh, zh
    assert "I hereby" in en, en


def test_defect_photos_are_never_suggested_for_defective_goods(cli: Any, add: Any) -> None:
    assert (
        EvidenceKind.PHOTO
        in judge(case(problem="defective"), date(2026, 11, 14)).recommended_evidence
    )
    promise = judge(case(promise_days=30), date(2026, 11, 14))
    assert EvidenceKind.POLICY in promise.recommended_evidence
    faulty = add(received="today", problem="defective", details="屏幕有坏点")
    shown = cli("status", faulty)
    assert "photo" in shown.stdout
    import json

    data = json.loads(cli("status", "--json").stdout)
    assert "photo" in data["orders"][0]["recommended_evidence"]


def test_the_evidence_index_has_no_source_column_and_doubled_numbering(home: Path) -> None:
    from test_letters import example_order

    text = letter(home, example_order(), "lawyer", "zh", date(2026, 11, 16)).text
    index = text.split("证据目录")[1]
    assert "来源：" in index and "证明内容：" in index and "SHA-256" in index
    assert not re.search(r"\d+\\?\. \**证据\s*\d", index)
    numbers = re.findall(r"^(\d+)\\?\. ", index, flags=re.M)  # md escapes "1." as "1\."
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and numbers
    for name in ("platform.zh", "regulator.zh"):
        body = all_letters(home, example_order(), date(2026, 11, 16))[name]
        assert not re.search(r"\d+\\?\. \**证据\s*\d", body), name


LONG = "左耳有持续的电流声，音量调到一半以上时尤其明显，" * 20


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("details", [None, "屏幕有坏点", LONG, "x" * 2000])
@pytest.mark.parametrize("problem", ["defective", "not-as-described", "fraud"])
def test_english_descriptions_run_past_the_300_characters_they_claim_to_fit(
    home: Path, lang: str, details: str | None, problem: str
) -> None:
    from test_letters import example_order

    the_order = example_order(problem=problem, details=details)
    made = letter(home, the_order, "platform", lang, date(2026, 11, 16))
    assert len(made.description) <= 300, len(made.description)
    defect = {
        ("zh", "defective"): "质量问题",
        ("zh", "not-as-described"): "与描述不符",
        ("zh", "fraud"): "欺诈",
        ("en", "defective"): "ault",
        ("en", "not-as-described"): "described",
        ("en", "fraud"): "raud",
    }[(lang, problem)]
    assert defect in made.description
    if details:  # the user's words are quoted, shortened to fit, or the user is told
        shortened = any("shortened" in w for w in made.warnings)
        assert details[:4] in made.description or shortened
        assert shortened or details in made.description


def test_the_zh_letters_slip_into_the_third_person(home: Path) -> None:
    cases = [
        order(*RETURNED),
        refusal_order("opened"),
        order(
            ("contacted-merchant", date(2026, 11, 13), {"asked": "exchange"}), problem="defective"
        ),
        order(("contacted-merchant", date(2026, 11, 25), {"asked": "return"})),
        order(problem="not-delivered", received=None),
        order(
            ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
            jurisdiction="eu",
            currency="EUR",
        ),
        order(
            ("merchant-refused", date(2026, 11, 14), {"refused": "return"}),
            jurisdiction="uk",
            currency="GBP",
            problem="defective",
        ),
    ]
    for the_order in cases:
        zh = merchant(home, the_order, date(2026, 11, 26))
        assert "本人" not in zh and "联系商家" not in zh, zh
        assert "商家已于" not in zh and "商家于" not in zh and "消费者已于" not in zh, zh
        assert "贵店" in zh and "我" in zh
        en = merchant(home, the_order, date(2026, 11, 26), "en")
        assert "the merchant received" not in en.lower() and "reached it" not in en, en


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("jurisdiction", ["cn", "eu", "uk", "us"])
@pytest.mark.parametrize("problem", ["changed-mind", "defective", "not-as-described", "fraud"])
@pytest.mark.parametrize("returned", [False, True])
def test_descriptions_fit_in_every_jurisdiction_with_long_names(
    home: Path, lang: str, jurisdiction: str, problem: str, returned: bool
) -> None:
    """The example's long item name and order number, paid by WeChat Pay: the fixed part of
    the description leaves room under 300 code points whatever happened."""
    events: list[tuple[str, date, dict[str, Any]]] = [
        ("contacted-merchant", date(2026, 11, 13), {"asked": "exchange"}),
        ("merchant-refused", date(2026, 11, 14), {"reason": "non-returnable"}),
    ]
    if returned:
        events = [
            ("return-requested", date(2026, 11, 13), {}),
            ("return-shipped", date(2026, 11, 14), {"ref": "SF1234567890"}),
            ("return-delivered", date(2026, 11, 15), {}),
        ]
    currency = {"cn": "CNY", "eu": "EUR", "uk": "GBP", "us": "USD"}[jurisdiction]
    the_order = order(
        *events,
        jurisdiction=jurisdiction,
        currency=currency,
        problem=problem,
        payment_method="wechat-pay",
        item="无线降噪蓝牙耳机 X3（黑色）",
        order_no="SY202611100001",
        mini_program="声悦数码商城",
    )
    for as_of in (date(2026, 11, 16), date(2027, 3, 1)):
        made = letter(home, the_order, "platform", lang, as_of, channel="wechat-pay")
        assert len(made.description) <= 300, (len(made.description), made.description)
        assert not any("over the 300" in w for w in made.warnings)


# --- Review of the letters, read as their recipients would (phase 2) -----------------------
#
# Each test names a sentence a careful lawyer found false, wrong in law or unclear in the
# letters of about twenty realistic cases, and checks it is gone.


def test_a_delivery_question_about_goods_that_came_is_not_an_unresolved_matter(
    home: Path,
) -> None:
    """ "我已于11月15日就此联系贵店，要求发货，至今未获解决" about gloves that arrived on the
    20th: the merchant's chat shows the question was answered by the delivery."""
    chase = order(("contacted-merchant", date(2026, 11, 11), {"asked": "delivery"}))
    as_of = date(2026, 11, 30)  # the seven days ran out; nothing else was asked
    zh, en = merchant(home, chase, as_of), merchant(home, chase, as_of, "en")
    assert "就此联系" not in zh and "至今未获解决" not in zh
    assert "contacted you about this" not in en
    missing = order(
        ("contacted-merchant", date(2026, 11, 11), {"asked": "delivery"}),
        problem="not-delivered",
        received=None,
    )
    assert "就此联系贵店，要求发货" in merchant(home, missing, as_of)


GOODWILL: Events = (
    ("contacted-merchant", date(2026, 11, 25), {"asked": "return"}),
    ("merchant-refused", date(2026, 11, 26), {"reason": "past-deadline"}),
)


def test_a_goodwill_request_compels_no_one_and_offers_the_goods_back(home: Path) -> None:
    """ "I ask that the merchant be required to refund ¥399.00 as a gesture of goodwill":
    nothing is owed, so nobody can be required; and keeping the goods while asking for the
    money back asks for more than a return would give."""
    letters = texts(home, order(*GOODWILL), date(2026, 11, 30))
    assert "be required" not in letters["platform.en"]
    assert "督促" not in letters["platform.zh"] and "拒不处理" not in letters["platform.zh"]
    assert "恳请贵店考虑同意退货，并退还货款¥399.00" in letters["merchant.zh"]
    assert "accept the goods back and refund ¥399.00" in letters["merchant.en"]
    assert "同意退货" in letters["description.zh"] and "goods back" in letters["description.en"]


def test_a_platform_letter_without_grounds_numbers_its_sections_in_order(home: Path) -> None:
    letters = texts(home, order(*GOODWILL), date(2026, 11, 30))
    assert "## 五、证据清单" in letters["platform.zh"] and "六、" not in letters["platform.zh"]
    assert "## 5. Evidence" in letters["platform.en"] and "## 6." not in letters["platform.en"]


def test_the_fifteen_day_points_are_not_a_day_early(home: Path) -> None:
    """SAIC 2015 Measures Arts. 8-9 deem delay after *more than* fifteen days: counted from the
    day after the event (Civil Code Art. 201), the fifteenth day is not yet late."""
    late = date(2026, 12, 5)
    letters = texts(home, order(*RETURNED), late)
    for name, text in letters.items():
        assert "自2026年12月1日起" not in text and "from 1 December 2026" not in text, name
        assert "since 1 December 2026" not in text, name
    assert "十五日已于2026年12月1日届满" in letters["merchant.zh"]
    assert "the 15 days ended on 1 December 2026" in letters["merchant.en"]
    lawyer = letters["lawyer.zh"]
    assert "2026年12月1日后仍未退款的" in lawyer or "十五日已于2026年12月1日届满" in lawyer


def test_the_refund_delay_is_cited_once(home: Path) -> None:
    letters = texts(home, order(*RETURNED), date(2026, 12, 5))
    assert letters["merchant.zh"].count("视为故意拖延") == 1
    assert letters["merchant.en"].count("deemed") == 1


def test_asking_to_return_faulty_goods_is_not_having_returned_them(home: Path) -> None:
    faulty = order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
        problem="defective",
        details="左耳没有声音",
    )
    en = merchant(home, faulty, date(2026, 11, 15), "en")
    assert "I returned the goods" not in en and "I hereby return" not in en
    assert "exercised my right under the PRC Consumer Rights Protection Law, Art. 24" in en
    # The period still runs on the letter's day: it is not said to have run.
    assert "ran to" not in en and "last day: 19 November 2026" in en


def test_letters_to_others_never_call_the_merchants_website_yours(home: Path) -> None:
    asked = ("contacted-merchant", date(2026, 11, 13), {"asked": "return"})
    on_site = order(asked, platform="website")
    letters = texts(home, on_site, date(2026, 11, 15))
    for name, text in letters.items():
        if name != "merchant.en":
            assert "your website" not in text, name
    assert "through your website" in letters["merchant.en"]
    assert "在贵店的网站购买了" in letters["merchant.zh"]
    assert "“声悦数码旗舰店”的网站购买" in letters["regulator.zh"]


def test_a_service_not_provided_is_neither_goods_nor_a_price_of_goods(home: Path) -> None:
    cleaning = order(
        ("contacted-merchant", date(2026, 11, 15), {"asked": "refund"}),
        category="service",
        problem="not-delivered",
        received=None,
        item="上门深度保洁",
        details="预约11月15日上门，未到也未联系",
        platform="meituan",
    )
    letters = texts(home, cleaning, date(2026, 11, 20))
    for name, text in letters.items():
        if name.endswith("zh"):
            assert "未收到商品" not in text and "货款" not in text, name
            assert "预约11月15日上门" in text, name  # what happened, in every letter
        assert "电子商务法" not in text and "E-Commerce Law" not in text, name  # not a ground
    assert "Not provided as agreed" in letters["platform.en"]


def test_cpl_article_44_is_cited_only_for_a_purchase_on_a_platform(home: Path) -> None:
    """Art. 44 is about online trading platforms: a gym paid at its counter with WeChat Pay,
    or a shop's own website, has no platform to answer for it."""
    for platform in ("in-store", "website"):
        gym = order(
            ("contacted-merchant", date(2026, 11, 13), {"asked": "refund"}),
            ("merchant-refused", date(2026, 11, 14), {}),
            category="prepaid-service",
            problem="not-delivered",
            received=None,
            platform=platform,
            payment_method="wechat-pay",
        )
        for name, text in texts(home, gym, date(2026, 11, 20)).items():
            assert "第四十四条" not in text and "Art. 44" not in text, (platform, name)
    on_taobao = order(*GOODWILL[:1], platform="taobao", problem="defective")
    assert "第四十四条" in all_letters(home, on_taobao, date(2026, 11, 14))["platform.zh"]


def test_a_purchase_in_a_shop_is_never_said_to_have_a_seven_day_return(home: Path) -> None:
    coat = order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
        ("merchant-refused", date(2026, 11, 13), {"reason": "no-reason"}),
        platform="in-store",
        payment_method="wechat-pay",
    )
    letters = texts(home, coat, date(2026, 11, 14))
    for name, text in letters.items():
        if not name.startswith("lawyer"):  # the summary lists the window, not applicable
            assert "第二十五条" not in text and "Art. 25" not in text, name
        assert "退货地址" not in text and "return address" not in text, name
    assert "不适用于在实体店购买的商品" in letters["lawyer.zh"]
    assert "在贵店的门店购买了" in letters["merchant.zh"]
    assert "恳请贵店考虑同意退货" in letters["merchant.zh"]


def test_fraud_hands_the_goods_back_with_the_price(home: Path) -> None:
    watch = order(problem="fraud", details="页面宣称瑞士机芯，实为国产机芯")
    letters = texts(home, watch, date(2026, 11, 14))
    assert "请为我办理退货，退还货款¥399.00" in letters["merchant.zh"]
    assert "take the goods back, refund ¥399.00" in letters["merchant.en"]
    # Said once: "经营者涉嫌欺诈：……商家涉嫌欺诈（第五十五条）" read as a stammer.
    assert letters["description.zh"].count("涉嫌欺诈") == 1


def test_the_uk_six_month_presumption_says_it_can_be_rebutted(home: Path) -> None:
    mixer = order(
        ("contacted-merchant", date(2026, 11, 25), {"asked": "repair"}),
        jurisdiction="uk",
        currency="GBP",
        problem="defective",
        purchased=date(2026, 9, 25),
        received=date(2026, 9, 28),
    )
    letters = texts(home, mixer, date(2026, 11, 30))
    assert "unless the trader shows otherwise" in letters["merchant.en"]
    assert "除非商家证明并非如此" in letters["merchant.zh"]
    assert "full refund" not in letters["merchant.en"] and "全额退款" not in letters["merchant.zh"]


def test_uk_letters_date_the_refund_from_the_goods_back(home: Path) -> None:
    lamp = order(
        ("contacted-merchant", date(2026, 11, 2), {"asked": "return"}),
        ("return-shipped", date(2026, 11, 3), {"ref": "RM1"}),
        ("return-delivered", date(2026, 11, 6), {}),
        jurisdiction="uk",
        currency="GBP",
        purchased=date(2026, 10, 25),
        received=date(2026, 10, 28),
    )
    en = merchant(home, lamp, date(2026, 11, 30), "en")
    assert "the refund fell due on 20 November 2026" in en and "17 November" not in en


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "due"),
    [("cn", "CNY", date(2026, 11, 23)), ("uk", "GBP", date(2026, 11, 30))],
)
def test_a_refund_not_yet_due_is_never_called_overdue(
    home: Path, jurisdiction: str, currency: str, due: date
) -> None:
    """Goods back on 16 November: the refund falls due on the law's day (cn 7 days, uk 14).
    Up to that day, inclusive, every letter says it falls due; from the next day, overdue."""
    the_order = order(*RETURNED, jurisdiction=jurisdiction, currency=currency)
    for as_of, overdue in (
        (due - timedelta(days=3), False),
        (due, False),
        (due + timedelta(days=1), True),
    ):
        a = judge(facts_of(the_order), as_of)
        assert a.ground("refund-due").params["overdue"] is overdue
        assert a.demand.params["overdue"] is overdue
        letters = texts(home, the_order, as_of)
        every = "\n".join(letters.values())
        said_overdue = any(
            w in every
            for w in (
                "fell due",
                "now overdue",
                "逾期未退",
                "现已逾期",
                "without further delay",
                "请立即",
            )
        )
        assert said_overdue is overdue, (as_of, every)
        if not overdue:
            assert "falls due on" in letters["merchant.en"], letters["merchant.en"]
            assert "最迟于" in letters["merchant.zh"], letters["merchant.zh"]


def test_a_return_request_is_not_said_twice_in_the_chronology(home: Path) -> None:
    asked = order(("return-requested", date(2026, 11, 13), {}))
    letters = texts(home, asked, date(2026, 11, 14))
    assert "申请退货，要求退货退款" not in letters["lawyer.zh"]
    assert "Asked for a return, asking for" not in letters["lawyer.en"]


def test_a_shortened_description_still_ends_its_sentence(home: Path) -> None:
    long = "收到后左耳完全无声，右耳有持续电流杂音，已重置三次并更换手机测试，问题依旧。" * 6
    faulty = order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
        problem="defective",
        details=long,
        mini_program="声悦数码商城",
        payment_method="wechat-pay",
    )
    made = letter(home, faulty, "platform", "zh", date(2026, 11, 14))
    assert "…。" in made.description and len(made.description) <= 300


def test_a_prepaid_course_used_in_part_is_not_its_principal_and_says_when_paid_early(
    home: Path,
) -> None:
    course = order(
        ("contacted-merchant", date(2025, 4, 22), {"asked": "refund"}),
        category="prepaid-service",
        received=None,
        purchased=date(2025, 4, 20),
        units=20,
        units_used=2,
        amount="3000",
        problem="not-delivered",
    )
    letters = texts(home, course, date(2026, 11, 30))
    for name in ("merchant.zh", "platform.zh", "regulator.zh"):
        assert "预付款本金¥2,700.00" not in letters[name], name
        assert "未设过渡条款" in letters[name], name  # Fa Shi [2025] No. 4 Art. 15 too
    assert "no transitional clause" in letters["merchant.en"]
    fresh = order(
        ("contacted-merchant", date(2026, 11, 12), {"asked": "refund"}),
        category="prepaid-service",
        received=None,
        units=20,
        units_used=2,
        amount="3000",
    )
    zh = merchant(home, fresh, date(2026, 11, 14))
    assert "请返还预付款中未使用部分对应的价款¥2,700.00" in zh


def test_the_lawyer_summary_suggests_the_evidence_the_claim_leans_on(home: Path) -> None:
    shirt = order(problem="not-as-described", details="页面标明100%桑蚕丝，实为聚酯纤维")
    letters = texts(home, shirt, date(2026, 11, 14))
    assert "建议补充的证据：商品页面或退货规则" in letters["lawyer.zh"]
    assert "商品照片" in letters["lawyer.zh"].split("建议补充的证据")[1]
    assert "Evidence worth adding: Product page or return policy" in letters["lawyer.en"]
    assert "第二十三条第二款" in letters["description.zh"]  # the description's ground too


def test_the_merchant_hears_of_the_2022_provision_for_its_promise_on_excluded_goods(
    home: Path,
) -> None:
    grapes = order(
        ("contacted-merchant", date(2026, 11, 13), {"asked": "return"}),
        category="perishable",
        promise_days=7,
    )
    zh = merchant(home, grapes, date(2026, 11, 14))
    assert "法释〔2022〕8号第二条" in zh
    assert "Fa Shi [2022] No. 8, Art. 2" in merchant(home, grapes, date(2026, 11, 14), "en")


def test_a_card_issuer_is_asked_for_the_money_not_to_take_the_goods_back(home: Path) -> None:
    """Under s.75 the issuer answers for the claim: it refunds; it does not collect goods."""
    kettle = order(
        ("contacted-merchant", date(2026, 11, 20), {"asked": "refund"}),
        ("merchant-refused", date(2026, 11, 22), {}),
        jurisdiction="uk",
        currency="GBP",
        amount="250",
        payment_method="credit-card",
        problem="defective",
        purchased=date(2026, 11, 10),
        received=date(2026, 11, 12),
    )
    letters = texts(home, kettle, date(2026, 11, 30))
    en, zh = letters["platform.en"], letters["platform.zh"]
    assert "to refund £250.00 to my account" in en and "take the goods back" not in en
    assert "向我的账户退还£250.00" in zh
