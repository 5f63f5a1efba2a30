"""What people type for each fixed choice, mapped to the codes the record and `--json` keep.

A person in China types `--kind 聊天记录`, `--to 12315`, `--payment-method 微信支付`, or the
event `退款到账`; a script types the codes (`chat`, `regulator`, `wechat-pay`,
`refund-received`). Both are read here, for every vocabulary of kinds.py, so that every
command and every prompt of the guided journey accepts the same words. Matching ignores case,
width (full-width letters from a Chinese input method), spaces, hyphens and underscores; it
also takes the human name of a code in the interface's language (words/names.py).

A word that could mean two codes (`截图`: an order page, a chat or a payment?) is refused with
the codes it could mean. An unknown word is refused in one line that lists the choices by
their names, with the code beside each. Pure: no Typer, no Pydantic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from refundkit import kinds
from refundkit.errors import BadInput


@dataclass(frozen=True)
class Vocabulary:
    """One fixed choice: its option, its codes and the words that also name them."""

    option: str  # as the user types it, for messages: "--kind"
    codes: tuple[str, ...]
    namer: str  # the words.names function that names a code ("evidence_kind")
    words: Mapping[str, str] = field(default_factory=dict)  # word -> code
    ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # word -> codes

    def name(self, code: str) -> str:
        """The code's human name in the interface's language."""
        from refundkit.words import names

        namer: Callable[[str], str] = getattr(names, self.namer)
        return namer(code)

    def labelled(self, code: str) -> str:
        """How a choice is listed for a person: its name, with the code to type beside it."""
        from refundkit.i18n import _

        name = self.name(code)
        return (
            code if _key(name) == _key(code) else _("{name} ({code})").format(name=name, code=code)
        )

    def listing(self) -> str:
        from refundkit.i18n import _

        return _(", ").join(self.labelled(code) for code in self.codes)


def _key(text: str) -> str:
    """What a word is compared by: full-width folded, case-folded, without spaces, hyphens,
    underscores, dots and brackets (`WeChat Pay`, `wechat-pay` and `ＷＥＣＨＡＴ ＰＡＹ` meet)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _IGNORED.sub("", folded)


_IGNORED = re.compile(r"[\s\-_·.'’()（）「」“”\"]+")


def meanings(vocabulary: Vocabulary, text: str) -> tuple[str, ...]:
    """The codes a word could mean when it names several (截图: order page, chat or payment)."""
    wanted = _key(text)
    return next((codes for word, codes in vocabulary.ambiguous.items() if _key(word) == wanted), ())


def parse(vocabulary: Vocabulary, text: str) -> str:
    """The code text names, or BadInput in one line naming the choices."""
    code = find(vocabulary, text)
    if code is not None:
        return code
    from refundkit.i18n import _

    wanted = _key(text)
    if not wanted:
        raise BadInput(
            _("{option} is empty: give one of: {choices}").format(
                option=vocabulary.option, choices=vocabulary.listing()
            )
        )
    for word, codes in vocabulary.ambiguous.items():
        if _key(word) == wanted:
            options = _(", ").join(vocabulary.labelled(code) for code in codes)
            raise BadInput(
                _("{option} {value} could mean several things: give one of: {choices}").format(
                    option=vocabulary.option, value=repr(text.strip()), choices=options
                )
            )
    close = closest(vocabulary, text)
    if close is not None:
        raise BadInput(
            _("{option} {value} is not one of the choices: did you mean {choice}?").format(
                option=vocabulary.option,
                value=repr(text.strip()),
                choice=vocabulary.labelled(close),
            )
        )
    raise BadInput(
        _("{option} {value} is not one of the choices: give one of: {choices}").format(
            option=vocabulary.option, value=repr(text.strip()), choices=vocabulary.listing()
        )
    )


def closest(vocabulary: Vocabulary, text: str) -> str | None:
    """The code a near miss meant (商家拒接 for 商家拒绝, merchant-refuse): one typo away from
    a code, a word or a name, and only one code that close."""
    import difflib

    said: dict[str, str] = {_key(code): code for code in vocabulary.codes}
    said |= {_key(vocabulary.name(code)): code for code in vocabulary.codes}
    said |= {_key(word): code for word, code in vocabulary.words.items()}
    wanted = _key(text)
    if _NEGATED.search(text.casefold()):
        return None  # 未支持 is one stroke from 支持 and means its opposite: no guess
    scores: dict[str, float] = {}
    for word, code in said.items():
        score = difflib.SequenceMatcher(None, wanted, word).ratio()
        scores[code] = max(score, scores.get(code, 0.0))
    ranked = sorted(scores.values(), reverse=True)
    best = max(scores, key=lambda code: scores[code]) if scores else None
    if best is None or ranked[0] < 0.75 or (len(ranked) > 1 and ranked[0] - ranked[1] < 0.1):
        return None  # nothing close, or two codes about as close: no guess
    return best


_NEGATED = re.compile(r"[未没不非无]|\bnot?\b|\bun|n't")


def find(vocabulary: Vocabulary, text: str) -> str | None:
    """The code text names, or None: a code, a listed word, or a code's human name."""
    wanted = _key(text)
    if not wanted:
        return None
    for code in vocabulary.codes:
        if _key(code) == wanted:
            return code
    for word, code in vocabulary.words.items():
        if _key(word) == wanted:
            return code
    for code in vocabulary.codes:
        if _key(vocabulary.name(code)) == wanted:
            return code
    return None


def _words(table: Mapping[str, str]) -> dict[str, str]:
    """word -> code, from code -> its words separated by |."""
    return {word: code for code, words in table.items() for word in words.split("|")}


def _codes(enum: type[kinds.StrEnum], leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(member.value for member in enum if member.value not in leave_out)


EVIDENCE_KIND = Vocabulary(
    "--kind",
    _codes(kinds.EvidenceKind),
    "evidence_kind",
    _words(
        {
            "order": (
                "订单|订单截图|订单页面|订单页|订单详情|下单截图|订单信息|order page|"
                "order screenshot"
            ),
            "chat": (
                "聊天|聊天记录|聊天截图|客服聊天|客服记录|沟通记录|对话|chat records|chat log|"
                "conversation|messages"
            ),
            "payment": (
                "支付|支付凭证|付款|付款凭证|付款截图|支付截图|支付记录|付款记录|账单|账单详情|"
                "转账记录|收据|发票|payment voucher|receipt|invoice|bill"
            ),
            "policy": (
                "退货政策|退换货政策|售后政策|商品页|商品页面|商品详情|商品详情页|宣传页|承诺|规则|"
                "return policy|product page"
            ),
            "delivery": (
                "物流|物流记录|物流信息|快递|快递单|运单|签收|签收记录|delivery record|tracking"
            ),
            "photo": "照片|图片|实物照片|实拍|实拍图|实物图|商品照片|拍照|photos|picture",
            "recording": "录屏|录像|录音|视频|屏幕录制|录制|video|screen recording|audio",
            "other": "其他|其它",
        }
    ),
    {
        "截图": ("order", "chat", "payment"),
        "截屏": ("order", "chat", "payment"),
        "screenshot": ("order", "chat", "payment"),
    },
)

RECIPIENT = Vocabulary(
    "--to",
    _codes(kinds.Recipient),
    "recipient",
    _words(
        {
            "merchant": "商家|卖家|店铺|商户|客服|店家|seller|shop",
            # Where the complaint goes, said by its name: the platform letter (its channel
            # still follows the case, or --channel).
            "platform": (
                "平台|投诉平台|电商平台|微信支付|微信|小程序|支付宝|淘宝|天猫|京东|拼多多|抖音"
                "|快手|美团|闲鱼|发卡行|银行|wechat|alipay|card-issuer|bank"
            ),
            "regulator": (
                "12315|监管|监管部门|市场监管|市场监管局|市监局|工商|消协|消费者协会|消保委"
            ),
            "lawyer": "律师|法律|法院|起诉|court",
        }
    ),
)

PAYMENT_METHOD = Vocabulary(
    "--payment-method",
    _codes(kinds.PaymentMethod),
    "payment_method",
    _words(
        {
            "wechat-pay": "微信支付|微信|wechat|weixin|财付通|零钱",
            "alipay": "支付宝|花呗|zhifubao",
            "credit-card": "信用卡|credit",
            "debit-card": "借记卡|储蓄卡|debit",
            "bank-transfer": "银行转账|转账|汇款|银行汇款|网银|transfer",
            "cash": "现金",
            "other": "其他|其它",
        }
    ),
    {
        "银行卡": ("credit-card", "debit-card"),
        "卡": ("credit-card", "debit-card"),
        "card": ("credit-card", "debit-card"),
    },
)

LANGUAGE = Vocabulary(
    "--language",
    _codes(kinds.Lang),
    "language",
    _words(
        {
            "zh": "中文|汉语|漢語|简体中文|中|chinese|zh-cn|zh-hans|普通话",
            "en": "英文|英语|英|english|en-gb|en-us",
        }
    ),
)

JURISDICTION = Vocabulary(
    "--jurisdiction",
    _codes(kinds.Jurisdiction),
    "jurisdiction",
    _words(
        {
            "cn": "中国|中国大陆|大陆|内地|china|prc|mainland",
            "eu": "欧盟|欧洲|europe|european union",
            "uk": "英国|britain|great britain|gb|england|united kingdom",
            "us": "美国|usa|america|united states",
        }
    ),
)

CATEGORY = Vocabulary(
    "--category",
    _codes(kinds.Category),
    "category",
    _words(
        {
            "goods": "商品|实物|货物|普通商品|实物商品",
            "custom": "定制|定做|订制|定制商品|made to order",
            "perishable": "生鲜|鲜活|易腐|鲜活易腐|鲜花",
            "digital": "数字商品|数字|虚拟商品|软件|数字化商品|在线下载",
            "periodical": "报纸|期刊|杂志|报刊",
            "non-returnable-confirmed": "不宜退货|确认不退|确认不宜退货",
            "service": "服务",
            "prepaid-service": (
                "预付|预付式|预付费|预付式消费|预付消费|预付卡|会员|会员卡|课程|课程包|储值卡|充值卡|"
                "健身卡|私教课|prepaid|"
                "membership"
            ),
        }
    ),
)

PROBLEM = Vocabulary(
    "--problem",
    _codes(kinds.Problem),
    "problem",
    _words(
        {
            "changed-mind": (
                "不想要了|不要了|七天无理由|7天无理由|无理由|无理由退货|后悔|不喜欢|改变主意"
            ),
            "defective": "质量问题|有质量问题|坏了|故障|瑕疵|损坏|次品|残次品|broken|faulty",
            "not-as-described": "与描述不符|描述不符|货不对板|图文不符|不符|与宣传不符",
            "not-delivered": "未发货|没发货|不发货|未收到|没收到|未送达|丢件|undelivered",
            "fraud": "欺诈|诈骗|假货|假冒|骗子|scam|fake",
            "other": "其他|其它",
        }
    ),
)

PROMISE_FROM = Vocabulary(
    "--promise-from",
    _codes(kinds.PromiseFrom),
    "promise_from",
    _words(
        {
            "purchase": "购买|下单|付款|购买日",
            "receipt": "签收|收货|收到|签收日",
        }
    ),
)

EVENT = Vocabulary(
    "EVENT",
    _codes(kinds.EventKind),
    "event_kind",
    _words(
        {
            "contacted-merchant": "联系商家|联系客服|找客服|联系了商家|联系|咨询客服|contacted",
            "merchant-replied": "商家回复|客服回复|回复|replied",
            "merchant-refused": "商家拒绝|拒绝|拒绝退货|拒绝退款|被拒|被拒绝|refused",
            "return-requested": "申请退货|退货申请|要求退货",
            "return-shipped": "寄回|已寄回|退货寄出|寄出退货|发回|退回商品",
            "return-delivered": "商家签收|商家收到退货|退货签收|退货送达",
            "refund-received": "退款到账|收到退款|已退款|退款|refunded",
            "compensation-received": "收到赔偿|赔偿到账|赔偿",
            "platform-complaint": "投诉平台|平台投诉|投诉微信|微信支付投诉|投诉支付宝|小程序投诉",
            "regulator-complaint": (
                "投诉12315|12315|12315投诉|向12315投诉|投诉消协|消协投诉|监管投诉"
            ),
            "complaint-answered": "投诉回复|投诉结果|投诉处理结果|处理结果|平台回复",
            "lawyer-consulted": "咨询律师|找律师|律师",
            "closed": "结案|关闭|了结|完结|结束|close",
        }
    ),
    {"投诉": ("platform-complaint", "regulator-complaint")},
)

REQUEST = Vocabulary(
    "--asked",
    _codes(kinds.RequestKind, leave_out=("unknown",)),
    "request",
    _words(
        {
            "return": "退货|退货退款|退回",
            "refund": "退款|仅退款|退钱",
            "exchange": "换货|更换|换",
            "repair": "维修|修理|返修|保修",
            "delivery": "发货|送货|催发货|配送",
            "compensation": "赔偿|赔付|补偿",
            "other": "其他|其它",
        }
    ),
)

REASON = Vocabulary(
    "--reason",
    _codes(kinds.RefusalReason),
    "refusal_reason",
    _words(
        {
            "opened": "已拆封|拆封|拆封了|开封|已开封|拆封不退|已拆|unsealed",
            "used": "已使用|使用过|用过|用过了",
            "past-deadline": "超过期限|超时|过了七天|超过七天|逾期|过期|too late",
            "non-returnable": (
                "不支持退货|不可退|不退不换|特殊商品|不支持七天无理由|不支持7天无理由"
            ),
            "custom": "定制|定制商品|定做",
            "no-reason": "无理由|没有理由|没说理由|未说明理由|不说理由|无故拒绝",
            "other": "其他|其它",
        }
    ),
)

REFUSED = Vocabulary("--refused", REQUEST.codes, REQUEST.namer, REQUEST.words)

OUTCOME = Vocabulary(
    "--outcome",
    _codes(kinds.Outcome),
    "outcome",
    _words(
        {
            "upheld": "支持|成立|投诉成立|已解决|获支持|胜诉",
            "rejected": (
                "驳回|不支持|未支持|没支持|未获支持|未支持投诉请求|不成立|未成立|投诉不成立|拒绝"
                "|败诉"
            ),
            "partial": "部分支持|部分|部分成立",
            "none": "无回复|没回复|未回复|无结果|没有结果|不了了之",
        }
    ),
)

CHANNEL = Vocabulary(
    "--channel",
    _codes(kinds.Channel),
    "channel",
    _words(
        {
            "wechat-pay": "微信支付|微信支付投诉|微信|wechat",
            "mini-program": "小程序|小程序投诉|微信小程序",
            "alipay": "支付宝|支付宝投诉",
            "marketplace": "平台|电商平台|平台客服|淘宝|天猫|京东|拼多多|抖音|快手|美团|闲鱼",
            "card-issuer": "银行|发卡行|信用卡|拒付|chargeback|bank",
            "other": "其他|其它",
        }
    ),
)

PLATFORM = Vocabulary(
    "--platform",
    _codes(kinds.Platform),
    "platform",
    _words(
        {
            "wechat-mini-program": "小程序|微信小程序|微信|mini program|wechat",
            "taobao": "淘宝|淘宝网",
            "tmall": "天猫|天猫商城",
            "jd": "京东|京东商城|jd.com|jingdong",
            "pinduoduo": "拼多多|pdd",
            "douyin": "抖音|抖音商城|抖店",
            "kuaishou": "快手|快手小店",
            "meituan": "美团|美团外卖",
            "xianyu": "闲鱼",
            "website": "网站|官网|网页",
            "app": "应用|手机应用",
            "in-store": "实体店|门店|线下|店内|线下门店",
            "other": "其他|其它",
        }
    ),
)

LETTER_FORMAT = Vocabulary(
    "--format",
    _codes(kinds.LetterFormat),
    "letter_format",
    _words(
        {
            "md": "markdown",
            "txt": "文本|纯文本|text|plain",
            "html": "网页|web",
        }
    ),
)

ALL = (
    EVIDENCE_KIND,
    RECIPIENT,
    PAYMENT_METHOD,
    LANGUAGE,
    JURISDICTION,
    CATEGORY,
    PROBLEM,
    PROMISE_FROM,
    EVENT,
    REQUEST,
    REASON,
    REFUSED,
    OUTCOME,
    CHANNEL,
    PLATFORM,
    LETTER_FORMAT,
)


def platform_code(text: str) -> str:
    """A known platform's code (its code, name or a common word for it), else the text as
    given: `--platform` takes any other text too (cli-contract.md)."""
    code = find(PLATFORM, text)
    return code if code is not None else text.strip()


def language_code(text: str, option: str = "--language") -> str:
    """zh or en from what a person types (`中文`, `English`, `zh_CN.UTF-8`); an error names
    option, the one the language was given with (`--lang`, `--ui-lang`, `--language`)."""
    from dataclasses import replace

    from refundkit.i18n import normalise

    code = find(LANGUAGE, text) or normalise(text)
    return code if code is not None else parse(replace(LANGUAGE, option=option), text)
