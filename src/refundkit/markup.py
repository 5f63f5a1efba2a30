"""The small Markdown subset letter templates are written in, turned into md, txt or html.

Letters are rendered in two steps: the template runs with every fact replaced by a placeholder
token, the result (template text plus tokens) is converted to the output format here, and only
then are the facts put back. So nothing a fact contains (`**`, `# `, `<script>`, `{{ }}`) is ever
read as markup: md and txt get every fact character for character, html gets it escaped.

The subset: `# `/`## `/`### ` headings, `- ` and `1. ` list items (lines indented under an item
continue it), `**bold**`, and paragraphs separated by blank lines, whose line breaks are kept.
"""

from __future__ import annotations

import html
import re

from refundkit.kinds import LetterFormat

OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: never produced by template text
TOKEN = re.compile(f"{OPEN}(\\d+){CLOSE}")
HEADING = re.compile(r"(#{1,3}) +(.*)")
BULLET = re.compile(r"[-*] +(.*)")
NUMBERED = re.compile(r"(\d+)\. +(.*)")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def token(index: int) -> str:
    """The placeholder for the index-th fact printed by a template."""
    return f"{OPEN}{index}{CLOSE}"


def convert(text: str, fmt: LetterFormat) -> str:
    """Turn template output (facts still tokens) into the body of the given format."""
    text = tidy(text)
    if fmt is LetterFormat.MD:
        return text
    if fmt is LetterFormat.TXT:
        return to_text(text)
    return to_html(text)


def render(text: str, facts: list[str], fmt: LetterFormat) -> str:
    """Template output (facts as tokens) to the finished letter body in the given format."""
    return fill(convert(text, fmt), facts, fmt)


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


def fill(text: str, facts: list[str], fmt: LetterFormat) -> str:
    """Put the facts back in place of their tokens, escaped for html and untouched otherwise.

    One pass of re.sub: a fact that happens to contain a token-like string is never rescanned.
    """
    if fmt is LetterFormat.HTML:
        return TOKEN.sub(lambda m: _html_fact(facts[int(m[1])]), text)
    return TOKEN.sub(lambda m: facts[int(m[1])], text)


def _html_fact(fact: str) -> str:
    return html.escape(fact, quote=True).replace("\n", "<br>\n")


def to_text(text: str) -> str:
    """Plain text: drop the heading marks and the bold marks, keep everything else."""
    lines = []
    for line in text.split("\n"):
        heading = HEADING.fullmatch(line)
        if heading:
            line = heading[2]
        lines.append(BOLD.sub(r"\1", line))
    return "\n".join(lines)


def to_html(text: str) -> str:
    """HTML for the subset; template text is escaped too, since templates are Markdown."""
    writer = _HtmlWriter()
    for line in text.split("\n"):
        writer.feed(line)
    writer.close()
    return "\n".join(writer.out) + "\n"


def _inline(text: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


class _HtmlWriter:
    """A line-by-line state machine: paragraph, bulleted list or numbered list."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.block: str | None = None  # "p", "ul" or "ol"
        self.lines: list[str] = []  # the open paragraph's or list item's lines

    def feed(self, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.close()
            return
        heading = HEADING.fullmatch(line)
        if heading:
            self.close()
            level = len(heading[1])
            self.out.append(f"<h{level}>{_inline(heading[2].strip())}</h{level}>")
            return
        item = self._item(line)
        if item is not None:
            kind, start, content = item
            self._start_item(kind, start)
            self.lines = [content]
            return
        if self.block in ("ul", "ol") and line[:1].isspace():
            self.lines.append(stripped)  # continuation of the list item
            return
        if self.block != "p":
            self.close()
            self.block = "p"
        self.lines.append(stripped)

    @staticmethod
    def _item(line: str) -> tuple[str, int, str] | None:
        bullet = BULLET.fullmatch(line)
        if bullet:
            return "ul", 1, bullet[1]
        numbered = NUMBERED.fullmatch(line)
        if numbered:
            return "ol", int(numbered[1]), numbered[2]
        return None

    def _start_item(self, kind: str, start: int) -> None:
        if self.block == kind:
            self._flush_item()
            return
        self.close()
        self.block = kind
        first = f' start="{start}"' if kind == "ol" and start != 1 else ""
        self.out.append(f"<{kind}{first}>")

    def _flush_item(self) -> None:
        if self.lines:
            self.out.append("<li>" + "<br>\n".join(_inline(x) for x in self.lines) + "</li>")
        self.lines = []

    def close(self) -> None:
        """End whatever block is open."""
        if self.block == "p":
            self.out.append("<p>" + "<br>\n".join(_inline(x) for x in self.lines) + "</p>")
        elif self.block in ("ul", "ol"):
            self._flush_item()
            self.out.append(f"</{self.block}>")
        self.block = None
        self.lines = []
