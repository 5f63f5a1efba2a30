"""The fixed vocabularies of the contract, as plain enums.

Kept apart from the Pydantic models so that the CLI can offer these choices in ``--help``
without paying for importing Pydantic at start-up.
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """A str-valued enum that prints as its value (Python 3.10 has no enum.StrEnum)."""

    def __str__(self) -> str:
        return str(self.value)


class Category(StrEnum):
    GOODS = "goods"
    CUSTOM = "custom"
    PERISHABLE = "perishable"
    DIGITAL = "digital"
    PERIODICAL = "periodical"
    NON_RETURNABLE_CONFIRMED = "non-returnable-confirmed"
    SERVICE = "service"
    PREPAID_SERVICE = "prepaid-service"

    @property
    def is_service(self) -> bool:
        return self in (Category.SERVICE, Category.PREPAID_SERVICE)

    @property
    def is_goods(self) -> bool:
        """Every goods category: the no-reason exclusions do not limit the quality remedies."""
        return not self.is_service


class Problem(StrEnum):
    CHANGED_MIND = "changed-mind"
    DEFECTIVE = "defective"
    NOT_AS_DESCRIBED = "not-as-described"
    NOT_DELIVERED = "not-delivered"
    FRAUD = "fraud"
    OTHER = "other"


class PaymentMethod(StrEnum):
    WECHAT_PAY = "wechat-pay"
    ALIPAY = "alipay"
    CREDIT_CARD = "credit-card"
    DEBIT_CARD = "debit-card"
    BANK_TRANSFER = "bank-transfer"
    CASH = "cash"
    OTHER = "other"


class PromiseFrom(StrEnum):
    PURCHASE = "purchase"
    RECEIPT = "receipt"


class Jurisdiction(StrEnum):
    CN = "cn"
    EU = "eu"
    UK = "uk"
    US = "us"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


class EvidenceKind(StrEnum):
    ORDER = "order"
    CHAT = "chat"
    PAYMENT = "payment"
    POLICY = "policy"
    DELIVERY = "delivery"
    PHOTO = "photo"
    RECORDING = "recording"
    OTHER = "other"


class EventKind(StrEnum):
    CONTACTED_MERCHANT = "contacted-merchant"
    MERCHANT_REPLIED = "merchant-replied"
    MERCHANT_REFUSED = "merchant-refused"
    RETURN_REQUESTED = "return-requested"
    RETURN_SHIPPED = "return-shipped"
    RETURN_DELIVERED = "return-delivered"
    REFUND_RECEIVED = "refund-received"
    COMPENSATION_RECEIVED = "compensation-received"
    PLATFORM_COMPLAINT = "platform-complaint"
    REGULATOR_COMPLAINT = "regulator-complaint"
    COMPLAINT_ANSWERED = "complaint-answered"
    LAWYER_CONSULTED = "lawyer-consulted"
    CLOSED = "closed"


class Channel(StrEnum):
    """Where a complaint is filed (cli-contract.md, "Where it was bought, where to complain")."""

    WECHAT_PAY = "wechat-pay"
    MINI_PROGRAM = "mini-program"
    ALIPAY = "alipay"
    MARKETPLACE = "marketplace"
    CARD_ISSUER = "card-issuer"
    OTHER = "other"


class Platform(StrEnum):
    """The platforms refundkit knows by name; any other text is kept as the user gave it."""

    WECHAT_MINI_PROGRAM = "wechat-mini-program"
    TAOBAO = "taobao"
    TMALL = "tmall"
    JD = "jd"
    PINDUODUO = "pinduoduo"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    MEITUAN = "meituan"
    XIANYU = "xianyu"
    WEBSITE = "website"
    APP = "app"
    IN_STORE = "in-store"
    OTHER = "other"


MARKETPLACES = frozenset(
    (
        Platform.TAOBAO,
        Platform.TMALL,
        Platform.JD,
        Platform.PINDUODUO,
        Platform.DOUYIN,
        Platform.KUAISHOU,
        Platform.MEITUAN,
        Platform.XIANYU,
    )
)


class RequestKind(StrEnum):
    """What the consumer asked the merchant for (`log ... --asked`, `--refused`)."""

    RETURN = "return"
    REFUND = "refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    DELIVERY = "delivery"
    COMPENSATION = "compensation"
    OTHER = "other"
    UNKNOWN = "unknown"  # a version-1 contact, until the user says what it asked


class RefusalReason(StrEnum):
    """Why the merchant refused (`log ... merchant-refused --reason`)."""

    OPENED = "opened"
    USED = "used"
    PAST_DEADLINE = "past-deadline"
    NON_RETURNABLE = "non-returnable"
    CUSTOM = "custom"
    NO_REASON = "no-reason"
    OTHER = "other"


class Outcome(StrEnum):
    """A platform's or regulator's answer to a complaint (`log ... complaint-answered`)."""

    UPHELD = "upheld"
    REJECTED = "rejected"
    PARTIAL = "partial"
    NONE = "none"


class Stage(StrEnum):
    NEW = "new"
    NEGOTIATING = "negotiating"
    REFUSED = "refused"
    PLATFORM = "platform"
    REGULATOR = "regulator"
    LEGAL = "legal"
    RESOLVED = "resolved"
    CLOSED = "closed"


class WindowState(StrEnum):
    NOT_STARTED = "not-started"
    OPEN = "open"
    EXPIRED = "expired"
    NOT_APPLICABLE = "not-applicable"


class Recipient(StrEnum):
    MERCHANT = "merchant"
    PLATFORM = "platform"
    REGULATOR = "regulator"
    LAWYER = "lawyer"


class LetterFormat(StrEnum):
    MD = "md"
    TXT = "txt"
    HTML = "html"
