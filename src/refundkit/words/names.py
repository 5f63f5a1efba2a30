"""Human names of refundkit's codes: rule ids, stages, kinds, channels, reasons.

The codes stay in `--json` and in the options; a person reads these names. Every code of
every vocabulary has one (tests/test_words.py renders them all in both languages).
"""

from __future__ import annotations

from collections.abc import Callable

from refundkit.i18n import _

# Each table is a function, so the names are looked up in the language in force when called.


def rule(code: str) -> str:
    return {
        "cn-7day": _("7-day no-reason return"),
        "cn-prepaid-7day": _("7 days to cancel a prepaid service"),
        "promise": _("the merchant's return promise"),
        "cn-defect-7day": _("7-day return of faulty goods"),
        "eu-14day": _("14-day right of withdrawal"),
        "eu-guarantee": _("2-year legal guarantee"),
        "uk-14day": _("14-day right to cancel"),
        "uk-30day-reject": _("30-day right to reject"),
        "uk-repair-replace": _("repair, replacement or final rejection"),
    }.get(code, code)


def stage(code: str) -> str:
    return {
        "new": _("new"),
        "negotiating": _("negotiating"),
        "refused": _("refused"),
        "platform": _("complaint to the platform"),
        "regulator": _("complaint to the regulator"),
        "legal": _("legal action"),
        "resolved": _("resolved"),
        "closed": _("closed"),
    }.get(code, code)


def window_state(code: str) -> str:
    return {
        "not-started": _("not started"),
        "open": _("open"),
        "expired": _("expired"),
        "not-applicable": _("not applicable"),
        "exercised": _("exercised"),
    }.get(code, code)


def evidence_kind(code: str) -> str:
    return {
        "order": _("order page"),
        "chat": _("chat records"),
        "payment": _("payment voucher"),
        "policy": _("return policy or product page"),
        "delivery": _("delivery record"),
        "photo": _("photos of the goods"),
        "recording": _("recording"),
        "other": _("other"),
    }.get(code, code)


def event_kind(code: str) -> str:
    return {
        "purchased": _("purchased"),
        "received": _("received"),
        "contacted-merchant": _("contacted the merchant"),
        "merchant-replied": _("merchant replied"),
        "merchant-refused": _("merchant refused"),
        "return-requested": _("asked for a return"),
        "return-shipped": _("sent the goods back"),
        "return-delivered": _("merchant got the goods back"),
        "refund-received": _("refund received"),
        "compensation-received": _("compensation received"),
        "platform-complaint": _("complained to the platform"),
        "regulator-complaint": _("complained to the regulator"),
        "complaint-answered": _("complaint answered"),
        "lawyer-consulted": _("consulted a lawyer"),
        "closed": _("closed"),
    }.get(code, code)


def category(code: str) -> str:
    return {
        "goods": _("goods"),
        "custom": _("made to order"),
        "perishable": _("perishable"),
        "digital": _("digital goods"),
        "periodical": _("newspapers or periodicals"),
        "non-returnable-confirmed": _("confirmed non-returnable at purchase"),
        "service": _("service"),
        "prepaid-service": _("prepaid service (membership, course package)"),
    }.get(code, code)


def problem(code: str) -> str:
    return {
        "changed-mind": _("changed my mind"),
        "defective": _("faulty"),
        "not-as-described": _("not as described"),
        "not-delivered": _("not delivered"),
        "fraud": _("fraud"),
        "other": _("other"),
    }.get(code, code)


def payment_method(code: str) -> str:
    return {
        "wechat-pay": _("WeChat Pay"),
        "alipay": _("Alipay"),
        "credit-card": _("credit card"),
        "debit-card": _("debit card"),
        "bank-transfer": _("bank transfer"),
        "cash": _("cash"),
        "other": _("other"),
    }.get(code, code)


def channel(code: str) -> str:
    return {
        "wechat-pay": _("WeChat Pay complaint"),
        "mini-program": _("Mini Program complaint"),
        "alipay": _("Alipay complaint"),
        "marketplace": _("platform dispute process"),  # "the" comes from the sentence
        "card-issuer": _("card issuer dispute"),
        "other": _("other channel"),
    }.get(code, code)


def channel_target(code: str) -> str:
    """A channel as the place a complaint goes ("complain to ...")."""
    return {
        "wechat-pay": _("WeChat Pay"),
        "mini-program": _("the Mini Program's complaint service"),
        "alipay": _("Alipay"),
        "marketplace": _("the platform"),
        "card-issuer": _("your card issuer"),
        "other": _("the platform or payment provider"),
    }.get(code, code)


def platform(code: str) -> str:
    """A known platform's name; any other text is the user's own and printed as given."""
    return {
        "wechat-mini-program": _("WeChat Mini Program"),
        "taobao": _("Taobao"),
        "tmall": _("Tmall"),
        "jd": _("JD.com"),
        "pinduoduo": _("Pinduoduo"),
        "douyin": _("Douyin"),
        "kuaishou": _("Kuaishou"),
        "meituan": _("Meituan"),
        "xianyu": _("Xianyu"),
        "website": _("website"),
        "app": _("app"),
        "in-store": _("in store"),
        "other": _("other"),
    }.get(code, code)


def request(code: str) -> str:
    return {
        "return": _("a return"),
        "refund": _("a refund"),
        "exchange": _("an exchange"),
        "repair": _("a repair"),
        "delivery": _("delivery of the goods"),
        "compensation": _("compensation"),
        "other": _("something else"),
        "unknown": _("not recorded"),
    }.get(code, code)


def refusal_reason(code: str) -> str:
    return {
        "opened": _("the goods were opened"),
        "used": _("the goods were used"),
        "past-deadline": _("the request came too late"),
        "non-returnable": _("the merchant's own non-returnable label"),
        "custom": _("made to order"),
        "no-reason": _("no reason given"),
        "other": _("another reason"),
    }.get(code, code)


def outcome(code: str) -> str:
    return {
        "upheld": _("upheld"),
        "rejected": _("rejected"),
        "partial": _("partly upheld"),
        "none": _("no answer"),
    }.get(code, code)


def jurisdiction(code: str) -> str:
    return {
        "cn": _("mainland China"),
        "eu": _("European Union"),
        "uk": _("United Kingdom"),
        "us": _("United States"),
    }.get(code, code)


def recipient(code: str) -> str:
    """Who a letter is for (`draft-complaint --to`)."""
    return {
        "merchant": _("the merchant"),
        "platform": _("the platform"),
        "regulator": _("12315 or the regulator"),
        "lawyer": _("a lawyer"),
    }.get(code, code)


def language(code: str) -> str:
    return {"zh": _("Chinese"), "en": _("English")}.get(code, code)


def letter_format(code: str) -> str:
    return {
        "md": _("Markdown"),
        "txt": _("plain text"),
        "html": _("web page (HTML)"),
    }.get(code, code)


def promise_from(code: str) -> str:
    return {
        "purchase": _("from the purchase"),
        "receipt": _("from receipt of the goods"),
    }.get(code, code)


def regulator(code: str) -> str:
    return {
        "cn-12315": _("12315 or the consumer association"),
        "uk-citizens-advice": _(
            "the Citizens Advice consumer service (it refers cases to Trading Standards)"
        ),
        "eu-consumer-authority": _(
            "your national consumer authority or the European Consumer Centre"
        ),
        "us-attorney-general": _(
            "your state Attorney General or the FTC (the CFPB for a card issuer)"
        ),
    }.get(code, code)


def bill(code: str) -> str:
    """A bill layout that import-bill reads (bills.Source), as the evidence's source."""
    return {
        "wechat-csv": _("WeChat Pay bill (CSV)"),
        "wechat-xlsx": _("WeChat Pay bill (XLSX)"),
        "alipay-csv": _("Alipay statement (CSV)"),
        "alipay-web-csv": _("Alipay web statement (CSV)"),
    }.get(code, code)


def blank(key: str) -> str:
    """A fact a letter needs and the record lacks (letter_facts.BLANKS), for the warning."""
    return {
        "name": _("your name"),
        "phone": _("your phone number"),
        "address": _("your postal address"),
        "merchant_address": _("the merchant's address"),
        "merchant_phone": _("the merchant's phone number"),
        "operator": _("the registered company behind the shop or Mini Program (小程序主体)"),
        "order_no": _("the order number"),
        "transaction_id": _("the payment transaction number (交易单号)"),
        "received": _("the day the goods were received"),
    }.get(key, key)


def bill_state(codes: str) -> str:
    """What a bill says happened to a payment (Order.bill_state: codes joined by spaces)."""
    words = {
        "closed": _("closed according to the bill"),
        "returned": _("returned to you according to the bill"),
        "refunded-full": _("refunded in full according to the bill"),
        "refunded-part": _("refunded in part according to the bill"),
    }
    return _("; ").join(words.get(code, code) for code in codes.split())


def shown(namer: Callable[[str], str], code: str, *, with_code: bool = True) -> str:
    """A code in a confirmation line ("Logged contacted-merchant ..."). In English the code
    itself, which reads as words and is what the options take; in Chinese its name, with the
    code beside it where the user may type it (联系商家（contacted-merchant）)."""
    from refundkit.i18n import language

    if language() == "en":
        return code
    name = namer(code)
    if name == code or not with_code:
        return name
    return _("{name} ({code})").format(name=name, code=code)
