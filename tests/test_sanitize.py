"""The one sanitiser: control and format characters are shown, never emitted."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit.sanitize import has_hidden, visible


def test_escape_sequences_are_shown_not_emitted() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"


def test_bidi_override_and_zero_width_are_named() -> None:
    assert visible("abc\u202edcba") == "abc<U+202E>dcba"
    assert visible("a\u200bb") == "a<U+200B>b"


def test_newline_is_shown_in_a_line_and_kept_in_a_block() -> None:
    assert visible("ok\ncontract.pdf") == "ok\\x0acontract.pdf"
    assert visible("line one\nline two\tend", block=True) == "line one\nline two\tend"


def test_chinese_and_emoji_pass_untouched() -> None:
    text = "声悦数码旗舰店 🎧 ¥399"
    assert visible(text) == text
    assert not has_hidden(text)


FAMILY = "👨\u200d👩\u200d👧"  # three emoji joined by ZERO WIDTH JOINER
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # tag characters
PERSIAN = "می\u200cخواهم"  # ZERO WIDTH NON-JOINER, as Persian spells it


@pytest.mark.parametrize("text", [FAMILY, ENGLAND, PERSIAN, f"亲子店 {FAMILY} 🇨🇳"])
def test_joiners_and_emoji_tags_are_kept(text: str) -> None:
    """They are part of the text (one emoji, one flag, one word), never a hidden trick."""
    assert visible(text) == text
    assert visible(text, block=True) == text
    assert not has_hidden(text)


def test_bidi_controls_and_other_format_characters_are_still_shown() -> None:
    bidi = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    assert visible(FAMILY + bidi) == FAMILY + "".join(f"<U+{ord(c):04X}>" for c in bidi)
    assert visible("\ufeff\u200b\u2060\U000e0001") == "<U+FEFF><U+200B><U+2060><U+E0001>"


KEPT = {"\u200c", "\u200d", *map(chr, range(0xE0020, 0xE0080))}


@given(st.text())
def test_output_never_holds_a_control_or_format_character(text: str) -> None:
    import unicodedata

    shown = visible(text)
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") or c in KEPT for c in shown)
