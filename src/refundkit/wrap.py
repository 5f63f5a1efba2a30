"""Text laid out in terminal cells: how wide a string is, and where its lines may break.

Shared by the overview (plain.py, without rich), the case view (display.py) and the help.
Widths are counted as wcwidth counts them, from the standard library's unicodedata: an East
Asian Wide or Fullwidth character (CJK, most emoji) takes two cells, a combining or format
character none, anything else one.

Lines break at spaces and between CJK characters, as Chinese is set: never before closing
punctuation (，。）」 ...) nor after opening punctuation (（「 ...). A Latin word is never cut
unless it is wider than the whole line (a long path, a 28-digit transaction number), and then
after a `/`, `-` or `_` where it has one. In paragraphs (`lines`), a command quoted in backticks
is kept whole on a line where it fits; where it cannot fit, it is continued with ` \\` as a shell
continuation, so that it still pastes and runs as printed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Characters a line may not begin with, and may not end with (Chinese line-breaking rules,
# the common subset, with their ASCII counterparts).
NO_START = frozenset("，。、；：？！）」』》〉】〕］｝”’…·％,.;:?!)]}%")
NO_END = frozenset("（「『《〈【〔［｛“‘([{¥$€£￥")
SOFT_CUTS = "/-_"  # where a word wider than the line is cut, if it can be
CODE = re.compile(r"(`[^`\n]*`)")  # a command quoted in backticks
CONTINUED = " \\"  # a shell line continuation

Line = tuple[str, int]  # a line's text and its width in cells
Unit = tuple[str, str, int]  # the separator before it (" " or ""), its text, its kind:
PROSE, COMMAND, KEPT = 0, 1, 2  # breaks anywhere; continued with ` \`; kept whole if it fits


@functools.cache
def char_width(char: str) -> int:
    """Cells one character takes: 2 wide, 0 combining or format, else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Terminal cells text takes: CJK and other wide characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def clip(text: str, width: int) -> str:
    """text cut to width terminal cells, ending in "…" where it was cut: a free-text column
    that must stay on its line (a CJK character is never split in half)."""
    if cell_width(text) <= width:
        return text
    room, kept = max(0, width - 1), []
    for char in text:
        room -= char_width(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


@functools.lru_cache(maxsize=4096)
def fold(text: str, width: int) -> tuple[Line, ...]:
    """A table cell in lines of at most width cells (with their widths), broken at spaces and
    between CJK characters. Cached: a column repeats the same few texts thousands of times."""
    return tuple(_fill(_units(text), width, width))


def lines(
    text: str, width: int, first: str = "", rest: str = "", keep: tuple[str, ...] = ()
) -> list[str]:
    """A paragraph as printed: its first line led by first, the others by rest (an indent),
    each no wider than width where the text allows. Line breaks in text are kept; commands in
    backticks stay whole or are continued with ` \\`; the strings in keep (a path, a file
    name) are not broken unless wider than a line."""
    if "\n" not in text and cell_width(first) + cell_width(text) <= width:
        return [first + text]  # the common case: it fits as it is
    out: list[str] = []
    for number, paragraph in enumerate(text.split("\n")):
        lead = first if number == 0 else rest
        first_width = max(1, width - cell_width(lead))
        rest_width = max(1, width - cell_width(rest))
        units = _paragraph_units(paragraph, keep)
        filled = _fill(units, first_width, rest_width) or [("", 0)]
        out += [(lead if n == 0 else rest) + line for n, (line, _) in enumerate(filled)]
    return out


def _units(text: str) -> list[Unit]:
    """text cut at its break opportunities: spaces, and the edges of CJK characters."""
    if text.isascii():
        return [(" " if n else "", word, PROSE) for n, word in enumerate(text.split(" "))]
    units: list[Unit] = []
    sep, current, previous = "", "", ""
    for char in text:
        if char == " ":
            units.append((sep, current, PROSE))
            sep, current, previous = " ", "", ""
            continue
        if current and _breaks_between(previous, char):
            units.append((sep, current, PROSE))
            sep, current = "", ""
        current += char
        previous = char
    units.append((sep, current, PROSE))
    return units


def _breaks_between(before: str, after: str) -> bool:
    """Whether a line may break between two characters with no space between them."""
    if after in NO_START or before in NO_END or char_width(after) == 0:
        return False
    return char_width(before) == 2 or char_width(after) == 2


def _paragraph_units(text: str, keep: tuple[str, ...] = ()) -> list[Unit]:
    """Like _units, with each command in backticks and each string of keep (and what is
    glued to it) one unit."""
    pattern = CODE
    if any(keep):
        kept = "|".join(re.escape(k) for k in sorted(filter(None, keep), key=len, reverse=True))
        pattern = re.compile(f"(`[^`\n]*`|{kept})")
    units: list[Unit] = []
    kind = PROSE
    for number, part in enumerate(pattern.split(text)):
        if number % 2:  # glued to what comes right before it: (`refundkit ...`
            kind = COMMAND if CODE.fullmatch(part) else KEPT
            sep, before, _ = units[-1] if units else ("", "", kind)
            units[-1:] = [(sep, before + part, kind)]
            continue
        pieces = _units(part)
        if number:  # what comes right after is glued to it: `refundkit ...`),
            sep, before, _ = units[-1]
            units[-1] = (sep, before + pieces[0][1], kind)
            pieces = pieces[1:]
        units += pieces
    return units


def _fill(units: list[Unit], first: int, rest: int) -> list[Line]:
    """Greedy filling: each unit on the current line if it fits, else on the next; a unit
    wider than a whole line is cut (code continued with ` \\`)."""
    out: list[Line] = []
    line, used, limit = "", 0, first
    for sep, text, kind in units:
        if not text:
            continue
        size = len(text) if text.isascii() else cell_width(text)
        space = len(sep) if line else 0
        if used + space + size <= limit:
            line, used = (line + sep + text if line else text), used + space + size
            continue
        if line or (size > limit and limit < rest):  # the lead alone if nothing fits beside it
            out.append((line, used))
            line, used, limit = "", 0, rest
        if size <= limit:
            line, used = text, size
            continue
        pieces = _continued(text, limit, rest) if kind == COMMAND else _cut(text, limit, rest)
        out += pieces[:-1]
        line, used = pieces[-1]
        limit = rest
    if line:
        out.append((line, used))
    return out


def _continued(command: str, first: int, rest: int) -> list[Line]:
    """A command wider than the line, in lines ending in ` \\` (broken at its spaces)."""
    out: list[Line] = []
    line, used, limit = "", 0, first - len(CONTINUED)
    for word in command.split(" "):
        size = cell_width(word)
        if line and used + 1 + size <= limit:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if line:
            out.append((line + CONTINUED, used + len(CONTINUED)))
            limit = rest - len(CONTINUED)
        if size > limit:  # one word wider than the line: cut, nothing else can be done
            *whole, (line, used) = _cut(word, limit, rest - len(CONTINUED))
            out += whole
        else:
            line, used = word, size
    if line:
        out.append((line, used))
    return out


def _cut(word: str, first: int, rest: int) -> list[Line]:
    """A word wider than the line in pieces: after a / - or _ where one falls in the line,
    else where the line ends."""
    out: list[Line] = []
    limit = first
    while cell_width(word) > limit:
        fitting, used = "", 0
        for char in word:
            if used + char_width(char) > max(limit, char_width(char)):
                break
            fitting, used = fitting + char, used + char_width(char)
        soft = max(fitting.rfind(c) for c in SOFT_CUTS)
        if soft > 0:
            fitting = fitting[: soft + 1]
        out.append((fitting, cell_width(fitting)))
        word = word[len(fitting) :]
        limit = rest
    out.append((word, cell_width(word)))
    return out


# Runs of characters between which a line never breaks: anything but spaces and the wide
# (CJK) ranges, between whose characters it may.
UNBROKEN = re.compile(
    r"[^\s\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+"
)


def longest_word(text: str) -> int:
    """About the width of text's widest unbreakable piece, the narrowest it folds to uncut:
    its longest run outside the CJK ranges (found in C; a CJK piece takes 2 to 4 cells)."""
    runs = UNBROKEN.findall(text)
    return max((len(r) if r.isascii() else cell_width(r) for r in runs), default=2)
