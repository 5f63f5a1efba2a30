"""refundkit.wrap: widths in terminal cells, and lines that break where a reader expects, at
spaces and between CJK characters, never inside a word, with commands kept pasteable."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit import wrap


def cells(text: str) -> int:
    """The test's own wcwidth: East Asian Wide and Fullwidth take two cells."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def test_widths_count_cjk_as_two() -> None:
    assert wrap.cell_width("声悦数码 X3") == 11
    assert wrap.cell_width("（黑色）") == 8
    assert wrap.cell_width("e\u0301") == 1


@pytest.mark.parametrize("width", [6, 9, 14, 21])
def test_cjk_breaks_between_characters_but_not_before_closing_punctuation(width: int) -> None:
    text = "优品生活家居官方旗舰店（小程序），无线降噪蓝牙耳机。"
    lines = [line for line, _ in wrap.fold(text, width)]
    assert "".join(lines) == text
    assert all(cells(line) <= width for line in lines)
    assert not any(line[0] in "，。）" for line in lines[1:])
    assert not any(line[-1] == "（" for line in lines[:-1])


def test_latin_words_are_never_cut_when_they_fit_a_line() -> None:
    text = "Civil Code Art. 201: counted from the day after signing for them"
    for width in range(12, 40):
        lines = [line for line, _ in wrap.fold(text, width)]
        assert " ".join(lines) == text
        assert all(cells(line) <= width for line in lines)


def test_a_word_wider_than_the_line_is_cut_after_a_slash() -> None:
    lines = wrap.lines("/home/someone/.local/share/refundkit/orders/k3fq8m", 20)
    assert all(cells(line) <= 20 for line in lines)
    assert all(line.endswith("/") for line in lines[:-1])
    assert "".join(lines) == "/home/someone/.local/share/refundkit/orders/k3fq8m"


def test_a_command_stays_whole_or_is_continued_for_the_shell() -> None:
    command = "`refundkit log k3fq8m platform-complaint --channel wechat-pay`."
    text = f"Complain, then log it with {command}"
    assert any(command in line for line in wrap.lines(text, 80, rest="  "))
    narrow = wrap.lines(text, 30, rest="  ")
    assert all(cells(line) <= 30 for line in narrow)
    start = next(i for i, line in enumerate(narrow) if "`refundkit" in line)
    pasted = []
    for line in narrow[start:]:
        pasted.append(line.strip())
        if not line.endswith(" \\"):
            break
    # Pasted into a shell, the backslash-newline pairs join the lines into the command again.
    assert " ".join(part.removesuffix(" \\") for part in pasted) == command


def test_paragraph_lines_carry_their_lead_and_indent() -> None:
    lines = wrap.lines("the order's note is private. Describe the problem", 24, "k3f: ", "  ")
    assert lines[0].startswith("k3f: ") and all(x.startswith("  ") for x in lines[1:])
    assert all(cells(x) <= 24 for x in lines)


words = st.one_of(
    st.text(alphabet="abcdefghij-", min_size=1, max_size=8),
    st.text(alphabet="声悦数码旗舰店耳机，。（）", min_size=1, max_size=8),
    st.sampled_from(["2026-12-04", "¥399.00", "X3（黑色）"]),
)


@given(st.lists(words, min_size=1, max_size=12), st.integers(min_value=10, max_value=60))
def test_folded_lines_fit_and_lose_nothing(parts: list[str], width: int) -> None:
    text = " ".join(parts)
    lines = wrap.fold(text, width)
    assert all(size == cells(line) <= width for line, size in lines)
    position = 0  # where each line starts in the text: breaks fall at spaces or beside CJK
    for number, (line, _) in enumerate(lines):
        assert text[position : position + len(line)] == line
        position += len(line)
        if number < len(lines) - 1 and text[position] == " ":
            position += 1
        elif number < len(lines) - 1:  # no Latin word (all fit a line) is cut in two
            assert not (text[position - 1].isascii() and text[position].isascii()), lines
    assert position == len(text)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("声悦数码旗舰店 · 蓝牙耳机", 11, "声悦数码旗…"),
        ("声悦数码旗舰店 · 蓝牙耳机", 12, "声悦数码旗…"),  # a CJK character is never halved
        ("声悦数码旗舰店 · 蓝牙耳机", 26, "声悦数码旗舰店 · 蓝牙耳机"),
        ("SoundJoy · earbuds", 10, "SoundJoy…"),  # no space before the ellipsis
        ("abc", 0, "…"),
    ],
)
def test_clip_cuts_to_the_width_with_an_ellipsis(text: str, width: int, expected: str) -> None:
    assert wrap.clip(text, width) == expected


@given(st.text(), st.integers(min_value=1, max_value=40))
def test_clip_always_fits(text: str, width: int) -> None:
    clipped = wrap.clip(text, width)
    assert wrap.cell_width(clipped) <= width
    assert clipped == text or clipped.endswith("…")
