"""Currency codes: what a person types for one (`RMB`, `人民币`, `元`), read as its ISO 4217 code.

A code that is not an active ISO 4217 code is refused: a record in `RBM` or `US` would print
an amount nobody can read and a letter no one can act on. The list is shipped here (no network).
"""

from __future__ import annotations

import unicodedata

from refundkit.errors import BadInput

# Active ISO 4217 alphabetic codes: ISO 4217 Table A.1, "Current currency & funds code list",
# as published by SIX Group, the standard's maintenance agency
# (https://www.six-group.com/en/products-services/financial-information/data-standards.html),
# list of 1 January 2025, with the later additions XCG (Caribbean guilder, from March 2025) and
# ZWG (Zimbabwe Gold, 2024). Codes withdrawn not long ago (ANG, CUC, SLL, ZWL) are kept, since
# old records and bills may carry them. XTS (testing) and XXX (no currency) are left out: they
# are never what was paid.
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER
    ZAR ZMW ZWG ZWL
    """.split()  # noqa: SIM905  (a table as ISO prints it reads better than 180 quoted codes)
)

# What people write for a currency instead of its code.
WORDS = {
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "块": "CNY",
    "¥": "CNY",
    "YUAN": "CNY",
    "RENMINBI": "CNY",
    "€": "EUR",
    "欧元": "EUR",
    "£": "GBP",
    "英镑": "GBP",
    "$": "USD",
    "美元": "USD",
    "港币": "HKD",
    "港元": "HKD",
    "日元": "JPY",
}


def currency_code(text: str) -> str:
    """The ISO 4217 code text names (`cny`, `RMB`, `人民币`), or BadInput saying how to fix it."""
    from refundkit.i18n import _

    raw = unicodedata.normalize("NFKC", text).strip().upper()
    code = WORDS.get(raw, raw)
    if code in ISO_4217:
        return code
    raise BadInput(
        _(
            "currency {value} is not an ISO 4217 currency code: give one like CNY (人民币), "
            "EUR, GBP or USD"
        ).format(value=repr(text))
    )
