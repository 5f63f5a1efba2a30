"""The interface's language: every message has its Chinese, and the catalogs shipped are current."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from refundkit import i18n

babel = pytest.importorskip("babel", reason="Babel is a development tool (the test extra)")

PACKAGE = Path(i18n.__file__).parent
PO = PACKAGE / "locale" / "zh" / "LC_MESSAGES" / "refundkit.po"
MO = PO.with_suffix(".mo")


def extracted() -> set[str]:
    """Every message the code wraps in _() or ngettext(), as Babel extracts it."""
    from babel.messages.extract import extract_from_dir

    keywords = {"_": None, "ngettext": (1, 2)}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog():  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    with open(PO, "rb") as handle:
        return read_po(handle)


def test_every_message_has_its_chinese() -> None:
    translations = catalog()
    missing = sorted(
        message
        for message in extracted()
        if not (
            (entry := translations.get(message)) is not None
            and not entry.fuzzy
            and all(entry.string if isinstance(entry.string, tuple) else [entry.string])
        )
    )
    assert not missing, (
        f"{len(missing)} messages lack their Chinese (run tools/messages.py, translate the "
        f"new entries in {PO.name}, run it again), e.g. {missing[:5]}"
    )


def test_the_shipped_catalog_is_compiled_from_the_po() -> None:
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, catalog())
    assert MO.read_bytes() == compiled.getvalue(), "run tools/messages.py to compile the .mo"


def test_placeholders_survive_translation() -> None:
    """A translation keeps every {name} of its message, so .format() never fails or loses a
    fact in one language."""
    import re

    field = re.compile(r"{(\w*)}")
    for entry in catalog():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(field.findall(ids[-1]))
        for text in strings:
            assert set(field.findall(text)) == wanted, entry.id


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        ("zh", {"LANG": "en_US.UTF-8"}, "zh"),
        (None, {"REFUNDKIT_LANG": "中文", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "zh_TW.UTF-8"}, "zh"),
        (None, {}, "en"),
        ("english", {"LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_the_language_is_chosen_in_the_contracts_order(
    option: str | None, env: dict[str, str], expected: str
) -> None:
    assert i18n.choose(option, env, None) == expected


def test_the_profiles_language_comes_before_the_locale(tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text('{"schema_version": 2, "language": "zh"}', encoding="utf-8")
    assert i18n.choose(None, {"LANG": "en_US.UTF-8"}, profile) == "zh"
    assert i18n.choose(None, {"REFUNDKIT_LANG": "en"}, profile) == "en"
    profile.write_text("{damaged", encoding="utf-8")
    assert i18n.choose(None, {"LANG": "zh_CN.UTF-8"}, profile) == "zh"
