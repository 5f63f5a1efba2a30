"""One sanitiser for every character refundkit shows a person: terminal output and letters.

Facts come from people and from files (a merchant name typed by hand, a bill cell, an evidence
file name), and a control or format character in one of them can do harm once printed: an ESC
sequence clears the screen or retitles the window, a newline forges a line of `verify`'s
report, a right-to-left override (U+202E) makes a letter read differently from what it says.
Such characters are never emitted: each is shown visibly instead, as `\\x1b` for the C0/C1
controls and as `<U+202E>` for format characters, so the user sees that something is there and
what it is. Newlines and tabs are kept where the text is a block (a note) and shown otherwise.

Three kinds of format character are part of ordinary text and are kept as they are: the zero
width joiner (U+200D), which joins emoji into one ("👨‍👩‍👧"), the zero width non-joiner
(U+200C), which Persian and Indic scripts need, and the tag characters (U+E0020-U+E007F),
which spell a subdivision flag. None of them moves, hides or reorders other text; escaping
them would mangle a merchant's name on its way to the terminal or a letter.
"""

from __future__ import annotations

import unicodedata

# Categories never written raw: controls, format characters (bidi controls, zero-width
# space, BOM), surrogates (undecodable bytes); private use is left alone.
HIDDEN = frozenset(("Cc", "Cf", "Cs"))
BLOCK_KEPT = frozenset("\n\t")
JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
TAGS = range(0xE0020, 0xE0080)  # emoji tag characters: subdivision flags


def is_hidden(char: str) -> bool:
    """Whether char is never written raw: a control, surrogate or format character, except
    the joiners and emoji tags that text needs (see the module's docstring)."""
    if unicodedata.category(char) not in HIDDEN:
        return False
    return char not in JOINERS and ord(char) not in TAGS


def visible(text: str, *, block: bool = False) -> str:
    """text with every control and format character shown as an escape, never emitted.

    block=True keeps newlines and tabs (a note, a letter paragraph); otherwise they are
    shown too, so a single-line field stays on one line.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    out: list[str] = []
    for char in text:
        if block and char in BLOCK_KEPT:
            out.append(char)
        elif is_hidden(char):
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def has_hidden(text: str, *, block: bool = False) -> bool:
    """Whether visible() would change text."""
    return visible(text, block=block) != text
