"""The interface's language: gettext lookups for every word refundkit prints for a person.

Messages are written in English in the code, wrapped in `_()` (or `ngettext` where a count
decides the form), and looked up in the compiled catalog of the chosen language, shipped in
the package as refundkit/locale/<lang>/LC_MESSAGES/refundkit.mo. With no catalog the English
text is used. The stdlib's gettext is enough to read catalogs; Babel extracts and compiles
them at development time only.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "refundkit"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Use language's catalog from now on ("en" needs none)."""
    global _translation, _language
    _language = language
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)
