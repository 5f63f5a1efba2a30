"""Facts that cannot be right as typed: a warning the user sees, never a refusal.

A typed transaction number whose length does not fit its payment method, or a phone number
that is neither a Chinese mobile nor a landline, is usually a digit lost or added while
copying from a phone. The value is kept (the user may know better), and a one-line warning
says what looks wrong. Only what a person typed is checked: a bill or a screenshot says what
it says (the screenshot reader has its own checks, screenshots/layouts.py). Pure.
"""

from __future__ import annotations

import re
import unicodedata

# Lengths of the transaction numbers (交易单号) each payment app gives. WeChat Pay: 28 digits
# for a payment to a merchant, 36 for a transfer or a payment to a personal QR code. Alipay: 28
# digits (its 订单号), 32 for some older and partner payments.
TRANSACTION_DIGITS = {"wechat-pay": (28, 36), "alipay": (28, 32)}


def transaction_id_warning(transaction_id: str, payment_method: str | None) -> str | None:
    """Why a typed transaction number does not look like one of its payment method, or None."""
    from refundkit.i18n import _
    from refundkit.words import names

    lengths = TRANSACTION_DIGITS.get(payment_method or "")
    if lengths is None:
        return None
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", transaction_id))
    method = names.payment_method(payment_method or "")
    expected = _("{one} or {other}").format(one=lengths[0], other=lengths[1])
    if not (digits.isascii() and digits.isdigit()):
        return _(
            "transaction number {value} is not all digits, as {method} numbers are ({expected} "
            "digits): check it against the payment's detail page"
        ).format(value=repr(transaction_id), method=method, expected=expected)
    if len(digits) not in lengths:
        return _(
            "transaction number {value} has {count} digits, where {method} numbers have "
            "{expected}: check it against the payment's detail page"
        ).format(value=repr(transaction_id), count=len(digits), method=method, expected=expected)
    return None


_SEPARATORS = re.compile(r"[\s\-()（）.]")
# A Chinese mobile: 11 digits starting with 1. A landline: 0, an area code of 2 or 3 more
# digits, and a local number of 7 or 8 digits that does not start with 0 or 1
# (010-62345678, 0755-2345678).
_MOBILE = re.compile(r"1[0-9]{10}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[2-9][0-9]{6,7}")


def phone_warning(phone: str) -> str | None:
    """Why a person's phone number does not look like a Chinese mobile or landline, or None.

    +86 (or 0086) may come first; a number with another country code is not checked, nor is
    an extension after the number (`转 123`, `ext. 12`).
    """
    from refundkit.i18n import _

    text = unicodedata.normalize("NFKC", phone).strip()
    text = re.split(r"(?:转|ext\.?|x)\s*[0-9]+$", text, flags=re.IGNORECASE)[0]
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+") and not digits.startswith("+86"):
        return None  # another country's number: its own rules
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    numeric = digits.isascii() and digits.isdigit()
    if numeric and any(p.fullmatch(digits) for p in (_MOBILE, _LANDLINE)):
        return None
    return _(
        "phone {value} does not look like a Chinese mobile number (11 digits starting with 1) "
        "or a landline with its area code (010-62345678): check it"
    ).format(value=repr(phone))
