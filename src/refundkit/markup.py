"""The small Markdown subset letter templates are written in, turned into md, txt or html.

Letters are rendered in two steps: the template runs with every fact replaced by a placeholder
token, the result (template text plus tokens) is converted to the output format here, and only
then are the facts put back. So nothing a fact contains (`**`, `# `, `<script>`, `{{ }}`) is ever
read as markup.

The subset: `# `/`## `/`### ` headings, `- ` and `1. ` list items (lines indented under an item
continue it), `**bold**`, and paragraphs separated by blank lines, whose line breaks are kept.
It is parsed once into blocks (`blocks`), and each format is written from the same blocks:

- txt: the template text with heading and bold marks dropped; facts character for character,
  for pasting into a chat or a web form.
- html: every block as its element; template text and facts escaped.
- md: valid CommonMark that shows what the html shows. Every character Markdown would read as
  markup (`*`, `_`, `<`, `[`, a `#` or `1.` that starts a line, and the rest) is escaped with a
  backslash, in facts and template text alike; the kept line breaks are hard breaks (two spaces
  at the end of the line); a fact's spaces and tabs at the start of a line are character
  references (`&#32;`, `&#9;`), which CommonMark neither strips nor reads as an indented code
  block; lists stay the lists the html has, and nothing else becomes one.

In all three, control and format characters in facts (ESC, bidi overrides such as U+202E) are
shown visibly rather than written (sanitize.visible).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from refundkit.kinds import LetterFormat
from refundkit.sanitize import visible

OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: never produced by template text
START = "\ue002"  # md only: where a line's content starts, until the facts are in
BREAK = "\ue003"  # md only: a hard break's two spaces, until the line starts are done
TOKEN = re.compile(f"{OPEN}(\\d+){CLOSE}")
HEADING = re.compile(r"(#{1,3}) +(.*)")
BULLET = re.compile(r"[-*] +(.*)")
NUMBERED = re.compile(r"(\d+)\. +(.*)")
BOLD = re.compile(r"\*\*(.+?)\*\*")

# What CommonMark (and GitHub's `~` strikethrough) could read as inline markup, and when:
# `*` and backticks always; `\\` before ASCII punctuation (an escape) or a line's end (a
# hard break); `<` before a letter, `/`, `!` or `?` (raw html, an autolink); `&` before `#`
# or a letter (a character reference); `_` unless between two letters or digits. `[` is left
# alone: a link also needs `](` or `][`, whose `]` is escaped over the whole letter at the
# end (and a link definition starts a line: see MD_LINE_START). A character
# that could act on whatever follows a fact or a stretch of template text is escaped at its
# end too, since what follows is not known there.
MD_ALWAYS = frozenset("`*~")
ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Where a line's content starts: its leading spaces and tabs (a fact's own), then what else
# can open a block (heading, list, quote, setext underline, link definition, a table's
# delimiter row), an ordered-list marker (`1.`, `2)`), or the line's end.
MD_LINE_START = re.compile(
    f"{START}(?P<lead>[ \\t]*)"
    "(?:(?P<mark>[-+=#>|:\\[])"
    "|(?P<num>\\d{1,9})(?P<dot>[.)])(?=[ \\t\\n]|$)"
    f"|(?P<empty>)(?={BREAK}|\\n|$))?"
)
# Leading whitespace as character references: they render as themselves (CommonMark strips
# a line's leading whitespace), and a line that starts with `&` is never an indented code
# block, nor anything but text.
LEAD_REFERENCES = {" ": "&#32;", "\t": "&#9;"}
LINK_CLOSE = re.compile(r"(?<!\\)((?:\\\\)*)\](?=[(\[])")  # an unescaped ] before ( or [
HARD_BREAK = BREAK + "\n"


def token(index: int) -> str:
    """The placeholder for the index-th fact printed by a template."""
    return f"{OPEN}{index}{CLOSE}"


def render(text: str, facts: list[str], fmt: LetterFormat) -> str:
    """Template output (facts as tokens) to the finished letter body in the given format."""
    return fill(convert(text, fmt), facts, fmt)


def convert(text: str, fmt: LetterFormat) -> str:
    """Turn template output (facts still tokens) into the body of the given format."""
    text = tidy(text)
    if fmt is LetterFormat.MD:
        return to_markdown(text)
    if fmt is LetterFormat.TXT:
        return to_text(text)
    return to_html(text)


def tidy(text: str) -> str:
    """Template text only: no trailing spaces, no runs of blank lines, one final newline.

    Facts are tokens at this point, so a fact's own blank lines and spaces are untouched.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


# --- putting the facts back ----------------------------------------------------------------


def fill(text: str, facts: list[str], fmt: LetterFormat) -> str:
    """Put the facts back in place of their tokens, made safe for the format.

    One pass of re.sub: a fact that happens to contain a token-like string is never rescanned.
    Every format shows control and format characters visibly; html escapes the fact, md
    escapes what Markdown would read in it and keeps its line breaks as hard breaks.
    """

    def fact(match: re.Match[str]) -> str:
        index = int(match[1])
        if index >= len(facts):
            return match[0]  # not a token of this render (a template wrote it): left as it is
        value = visible(facts[index], block=True)
        if fmt is LetterFormat.HTML:
            return _html_fact(value)
        if fmt is LetterFormat.MD:
            return _md_fact(value, *_md_place(text, match.start()))
        return value

    filled = TOKEN.sub(fact, text)
    if fmt is not LetterFormat.MD:
        return filled
    return LINK_CLOSE.sub(r"\1\\]", _md_line_starts(filled)).replace(BREAK, "  ")


def _html_fact(fact: str) -> str:
    return html.escape(fact, quote=True).replace("\n", "<br>\n")


def _md_place(text: str, at: int) -> tuple[bool, int]:
    """Where a token sits in md output: in a heading, else how far its lines are indented."""
    line = text[text.rfind("\n", 0, at) + 1 : at]
    if line.startswith("#"):
        return True, 0
    return False, max(line.find(START), 0)


def _md_fact(fact: str, heading: bool, indent: int) -> str:
    """A fact for CommonMark: escaped, its line breaks hard (a heading has none: spaces).

    The private-use characters this module uses as markers become character references,
    which render as themselves, so a fact can never pass for a token or a line start."""
    lines = [_references(md_escape(line, heading=heading)) for line in fact.split("\n")]
    return " ".join(lines) if heading else (HARD_BREAK + " " * indent + START).join(lines)


def _references(text: str) -> str:
    for marker in (OPEN, CLOSE, START, BREAK):
        text = text.replace(marker, f"&#x{ord(marker):X};")
    return text


def md_escape(text: str, *, heading: bool = False) -> str:
    """Backslash-escape what CommonMark would read as inline markup in text (see MD_ALWAYS),
    and `#` too in a heading (a trailing `#` would be taken for a closing sequence).

    Escapes are kept to the characters that can act, so that the raw text stays readable:
    `snake_case`, `a & b`, `x < 3`, `C:\\Users` and `[商家地址]` are left as they are. What
    starts a block is escaped later, where a line's content starts (_md_line_starts)."""
    out = []
    for i, char in enumerate(text):
        after = text[i + 1 : i + 2]
        if (
            char in MD_ALWAYS
            or (heading and char == "#")
            or (char == "\\" and (not after or after in ASCII_PUNCTUATION))
            or (char == "<" and (not after or after in "/!?" or _ascii_letter(after)))
            or (char == "&" and (not after or after == "#" or _ascii_letter(after)))
            or (char == "_" and not (i and text[i - 1].isalnum() and after.isalnum()))
        ):
            out.append("\\")
        out.append(char)
    return "".join(out)


def _ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _md_line_starts(text: str) -> str:
    """Escape whatever would open a block where a line's content starts, now that the facts
    are in: `# `, `- `, `+ `, `=`, `1.` (a fact `1` then template text `. ` is one too).

    Leading spaces and tabs (only a fact brings them: template lines are stripped) would be
    dropped by CommonMark, or start an indented code block: they become character references,
    after which nothing opens a block. A content line left empty (a blank line inside a fact)
    would end the paragraph: it holds a no-break space instead, so the line stays and renders
    empty. (Hard breaks are still BREAK here, so a line's whitespace is only its own.)
    """

    def escape(match: re.Match[str]) -> str:
        if match["lead"]:
            rest = match["mark"] or (match["num"] or "") + (match["dot"] or "")
            return "".join(LEAD_REFERENCES[c] for c in match["lead"]) + rest
        if match["mark"]:
            return "\\" + match["mark"]
        if match["num"]:
            return f"{match['num']}\\{match['dot']}"
        if match["empty"] is not None:
            return "&nbsp;"
        return ""

    return MD_LINE_START.sub(escape, text)


# --- the subset's blocks ---------------------------------------------------------------------


@dataclass
class Block:
    """A heading (level 1-3), a paragraph ("p"), or a list ("ul"/"ol", with its first number).

    lines: a heading's one line, a paragraph's lines (as written, indentation kept), or one
    list of lines per list item.
    """

    kind: str
    level: int = 0
    start: int = 1
    lines: list[str] = field(default_factory=list)
    items: list[list[str]] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    """Parse the subset line by line: headings, paragraphs, bulleted and numbered lists."""
    found: list[Block] = []
    current: Block | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        heading = HEADING.fullmatch(line)
        if heading:
            found.append(Block("h", level=len(heading[1]), lines=[heading[2].strip()]))
            current = None
            continue
        item = _item(line)
        if item is not None:
            kind, start, content = item
            if current is None or current.kind != kind:
                current = Block(kind, start=start)
                found.append(current)
            current.items.append([content])
            continue
        if current is not None and current.kind in ("ul", "ol") and line[:1].isspace():
            current.items[-1].append(stripped)  # continuation of the list item
            continue
        if current is None or current.kind != "p":
            current = Block("p")
            found.append(current)
        current.lines.append(line.rstrip())
    return found


def _item(line: str) -> tuple[str, int, str] | None:
    bullet = BULLET.fullmatch(line)
    if bullet:
        return "ul", 1, bullet[1]
    numbered = NUMBERED.fullmatch(line)
    if numbered:
        return "ol", int(numbered[1]), numbered[2]
    return None


# --- txt ---------------------------------------------------------------------------------------


def to_text(text: str) -> str:
    """Plain text: drop the heading marks and the bold marks, keep everything else."""
    lines = []
    for line in text.split("\n"):
        heading = HEADING.fullmatch(line)
        if heading:
            line = heading[2]
        lines.append(BOLD.sub(r"\1", line))
    return "\n".join(lines)


# --- html --------------------------------------------------------------------------------------


def to_html(text: str) -> str:
    """HTML for the subset; template text is escaped too, since templates are Markdown."""
    out: list[str] = []
    for block in blocks(text):
        if block.kind == "h":
            out.append(f"<h{block.level}>{_inline(block.lines[0])}</h{block.level}>")
        elif block.kind == "p":
            out.append("<p>" + "<br>\n".join(_inline(x.strip()) for x in block.lines) + "</p>")
        else:
            first = f' start="{block.start}"' if block.kind == "ol" and block.start != 1 else ""
            out.append(f"<{block.kind}{first}>")
            for item in block.items:
                out.append("<li>" + "<br>\n".join(_inline(x) for x in item) + "</li>")
            out.append(f"</{block.kind}>")
    return "\n".join(out) + "\n"


def _inline(text: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


# --- md ----------------------------------------------------------------------------------------


def to_markdown(text: str) -> str:
    """CommonMark for the subset, facts still tokens (fill escapes them and the line starts).

    Blocks are separated by a blank line. Two lists of one kind in a row (the html has two)
    take alternate markers, `-`/`*` or `1.`/`1)`, since CommonMark would join them into one.
    """
    out: list[str] = []
    previous = ""
    alternate = False
    for block in blocks(text):
        alternate = block.kind == previous and not alternate
        previous = block.kind
        if block.kind == "h":
            out.append("#" * block.level + " " + _md_inline(block.lines[0], heading=True))
        elif block.kind == "p":
            out.append(_md_paragraph(block.lines))
        else:
            out.append(_md_list(block, alternate))
    return "\n\n".join(out) + "\n"


def _md_paragraph(lines: list[str]) -> str:
    """A paragraph's lines, joined by hard breaks. Continuation lines keep their indentation
    (CommonMark ignores it there) so that the raw text reads as the template laid it out."""
    first, *rest = lines
    written = [START + _md_inline(first.strip())]
    for line in rest:
        stripped = line.lstrip()
        written.append(line[: len(line) - len(stripped)] + START + _md_inline(stripped))
    return HARD_BREAK.join(written)


def _md_list(block: Block, alternate: bool) -> str:
    """One list item per line, continuation lines indented to the item's content."""
    written = []
    for number, item in enumerate(block.items, block.start):
        if block.kind == "ul":
            marker = "*" if alternate else "-"
        else:
            marker = f"{number}{')' if alternate else '.'}"
        indent = " " * (len(marker) + 1)
        lines = [START + _md_inline(line) for line in item]
        written.append(marker + " " + (HARD_BREAK + indent).join(lines))
    return "\n".join(written)


def _md_inline(text: str, *, heading: bool = False) -> str:
    """Template text of one line: escaped like a fact, except `**bold**` where CommonMark will
    read it as bold; elsewhere (`前文**（粗体）**后文`) it would show its stars, so it is left
    plain there."""
    out: list[str] = []
    end = 0
    for match in BOLD.finditer(text):
        out.append(md_escape(text[end : match.start()], heading=heading))
        inner = md_escape(match[1], heading=heading)
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        bold = _flanks(before, match[1][0]) and _flanks(after, match[1][-1])
        out.append(f"**{inner}**" if bold else inner)
        end = match.end()
    out.append(md_escape(text[end:], heading=heading))
    return "".join(out)


def _flanks(outside: str, inside: str) -> bool:
    """Whether `**` between outside and inside (the characters on either side of it, "" for
    the line's start or end) can open (or close) emphasis in CommonMark.

    The rule: not next to whitespace on the inside, and if punctuation is on the inside then
    whitespace or punctuation on the outside. A fact's token stands for a character not yet
    known, so it must not matter there."""
    if inside in (OPEN, CLOSE):
        return outside not in (OPEN, CLOSE) and _space_or_punctuation(outside)
    if inside.isspace():
        return False
    if _space_or_punctuation(inside):
        return outside not in (OPEN, CLOSE) and _space_or_punctuation(outside)
    return True


def _space_or_punctuation(char: str) -> bool:
    """CommonMark's Unicode whitespace or punctuation (categories P and S), or a line end."""
    return not char or char.isspace() or unicodedata.category(char)[0] in "PS"
