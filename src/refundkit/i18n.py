"""The interface's language: gettext lookups for every word refundkit prints for a person.

Messages are written in English in the code, wrapped in `_()` (or `ngettext` where a count
decides the form), and looked up in the compiled catalog of the chosen language, shipped in
the package as refundkit/locale/<lang>/LC_MESSAGES/refundkit.mo. With no catalog the English
text is used. The stdlib's gettext is enough to read catalogs; Babel extracts and compiles
them at development time only.
"""

from __future__ import annotations

import gettext
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "refundkit"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
ENV_LANG = "REFUNDKIT_LANG"

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


def normalise(text: str | None) -> str | None:
    """zh or en from what a person or a locale says: zh, zh_CN.UTF-8, 中文, en-GB, English."""
    if not text:
        return None
    value = text.strip().lower().replace("_", "-")
    if value in ("中文", "汉语", "漢語", "简体中文", "chinese") or value.startswith("zh"):
        return "zh"
    if value in ("英文", "英语", "english") or value.startswith("en"):
        return "en"
    return None


def choose(option: str | None, env: Mapping[str, str], profile: Path | None) -> str:
    """The interface's language (cli-contract.md, "The interface's language"): --ui-lang, else
    REFUNDKIT_LANG, else the profile's language, else the locale (LC_ALL, LC_MESSAGES, LANG:
    zh* means Chinese), else English."""
    for candidate in (option, env.get(ENV_LANG)):
        chosen = normalise(candidate)
        if chosen:
            return chosen
    chosen = normalise(_profile_language(profile))
    if chosen:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:  # the first one set decides, as the C library does
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _profile_language(profile: Path | None) -> str | None:
    """The profile's language, read without validating the whole profile (start-up speed):
    a missing or damaged profile simply has none; the commands that use it report damage.
    Opened as store.open_regular opens files: never through a link, never waiting on a FIFO."""
    if profile is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(profile, flags)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = json.loads(os.read(fd, 1 << 16))
    except (OSError, ValueError, RecursionError):  # a hostile profile: the commands report it
        return None
    finally:
        os.close(fd)
    value = data.get("language") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def setup(option: str | None, profile: Path | None) -> str:
    """Choose and set the language for this run; returns it."""
    language = choose(option, os.environ, profile)
    set_language(language)
    return language
