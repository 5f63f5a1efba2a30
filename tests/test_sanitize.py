"""The one sanitiser: control and format characters are shown, never emitted."""

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


@given(st.text())
def test_output_never_holds_a_control_or_format_character(text: str) -> None:
    import unicodedata

    shown = visible(text)
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") for c in shown)
