"""md letters are CommonMark that renders what the html letter shows, facts character for character.

Every md letter (each recipient, zh and en) is rendered by markdown-it-py, a CommonMark
implementation independent of refundkit, with facts full of what Markdown reads as markup.
The rendered page must have the html letter's structure (headings, paragraphs with their
line breaks, lists of the same kind, bold) and its text must be the txt letter's text.
"""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refundkit import letters, markup
from refundkit.kinds import Lang, LetterFormat, Recipient
from refundkit.models import Order, Profile
from refundkit.sanitize import visible
from refundkit.store import Store
from test_letters import AS_OF, EIGHT, EXAMPLE_PROFILE, event, evidence, example_order

# One line each: single-line fields.
LINES = {
    "merchant": "胶囊0.35g*60粒*1瓶/盒 <script>alert(1)</script> _x_ [a](b) # h",
    "item": "# h ** not bold ** __u__ `code` ~~del~~ &amp; &#35; \\* a\\b <http://x.y>",
    "mini_program": "1. one [ref]: /url ![img](x) <!-- c --> snake_case a & b x < 3",
    "order_no": "- 12 | a | b | \\",
    "operator": "> quoted *em* _em_ ***strong*** [商家地址][] \u202eevil\u202c",
    "merchant_address": "+86 === --- *** ___ ``` ~~~ <div> &copy; [x]: y",
    "transaction_id": "42000020261120\u200b1234 \ufeffbom",
}
# Block fields: lines that would each open a block.
NOTE = (
    "# 不是标题\n- 不是列表\n+ 也不是\n1) 不是编号\n2. 也不是\n> 不是引用\n"
    "    不是代码\n===\n---\n\n第二段 & <b>bold</b> *x*\n```\nfence\n| a | b |\n|---|---|\n"
    "[link]: http://x\n\\\n<!-- comment -->\n\u2066isolate\u2069 end"
)
HOSTILE_PROFILE = Profile(
    name="*张三* <b>", phone="+86 138-0013-8000", address="1. 上海市 # 100号_a_", language=Lang.ZH
)


def hostile_order() -> Order:
    return example_order(
        **LINES,
        note=NOTE,
        problem="defective",
        events=[
            event(1, "contacted-merchant", date(2026, 11, 13), note=NOTE),
            event(2, "merchant-refused", date(2026, 11, 14), note="- 拒绝\n1. 理由"),
            event(
                3,
                "platform-complaint",
                date(2026, 11, 15),
                ref="[2000](http://x) *1*",
                channel="wechat-pay",
            ),
            event(4, "refund-received", date(2026, 11, 15), amount=Decimal("10")),
        ],
        evidence=[
            evidence(1, "order", "订单*详情*_1_.png", "image/png", 10, note=NOTE),
            evidence(2, "chat", "# 聊天 [1](x).png", "image/png", 20, taken=date(2026, 11, 14)),
            evidence(3, "payment", "1. 账单 <b>.pdf", "application/pdf", 30),
        ],
    )


@pytest.fixture
def store(home: Path) -> Store:
    store = Store(home)
    store.save_profile(EXAMPLE_PROFILE)
    return store


def letter(store: Store, order: Order, to: Recipient, lang: Lang, fmt: LetterFormat) -> str:
    return letters.render_letter(store, order, to, lang, fmt, AS_OF).text


# --- reading html back: structure and text --------------------------------------------------

BLOCK = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "blockquote", "pre", "hr"}


class _Reader(HTMLParser):
    """Tags (with an ordered list's start) and text, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = dict(attrs).get("start") or "1"
        self.events.append(("start", f"ol start={start}" if tag == "ol" else tag))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("text", data))


def read(page: str) -> list[tuple[str, str]]:
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader.events


def structure(page: str) -> str:
    """The page as canonical markup: tags without attributes (but an ol's start), text
    re-escaped, whitespace runs made one space and dropped next to tags."""
    parts = []
    for kind, value in read(page):
        if kind == "text":
            parts.append(html.escape(value, quote=False))
        else:
            parts.append(f"<{'/' if kind == 'end' else ''}{value}>")
    joined = re.sub(r"\s+", " ", "".join(parts))
    return re.sub(r" ?(<[^>]*>) ?", r"\1", joined).strip()


def text_of(page: str) -> str:
    """The text a reader sees, with list numbers and bullets as the txt letter writes them."""
    out: list[str] = []
    numbers: list[int | None] = []
    for kind, value in read(page):
        if kind == "text":
            out.append(value)
        elif kind == "start" and value.startswith("ol"):
            numbers.append(int(value.split("=")[1]))
        elif kind == "start" and value == "ul":
            numbers.append(None)
        elif kind == "end" and value in ("ol", "ul"):
            numbers.pop()
        elif kind == "start" and value == "li":
            number = numbers[-1]
            out.append("\n- " if number is None else f"\n{number}. ")
            if number is not None:
                numbers[-1] = number + 1
        elif value in BLOCK or value == "br":
            out.append("\n")
    return "".join(out)


def words(text: str) -> str:
    return " ".join(text.split())


def body(page: str) -> str:
    return page.split("<body>", 1)[1].split("</body>", 1)[0]


def commonmark(source: str, *extensions: str) -> str:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    if extensions:
        parser.enable(list(extensions))
    return parser.render(source)


# --- the letters --------------------------------------------------------------------------------

CASES = ["example", "hostile"]


def order_for(case: str) -> Order:
    return example_order() if case == "example" else hostile_order()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_md_renders_as_the_html_letter_shows(
    store: Store, case: str, to: Recipient, lang: Lang
) -> None:
    if case == "hostile":
        store.save_profile(HOSTILE_PROFILE)
    order = order_for(case)
    md = letter(store, order, to, lang, LetterFormat.MD)
    page = letter(store, order, to, lang, LetterFormat.HTML)
    assert structure(commonmark(md)) == structure(body(page))
    # GitHub's tables and strikethrough do not get a hold either.
    assert structure(commonmark(md, "table", "strikethrough")) == structure(body(page))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_md_renders_the_txt_letters_text(
    store: Store, case: str, to: Recipient, lang: Lang
) -> None:
    if case == "hostile":
        store.save_profile(HOSTILE_PROFILE)
    order = order_for(case)
    md = letter(store, order, to, lang, LetterFormat.MD)
    txt = letter(store, order, to, lang, LetterFormat.TXT)
    shown = words(text_of(commonmark(md)))
    assert shown == words(txt)
    for fact in [*LINES.values(), NOTE] if case == "hostile" else []:
        if fact in txt or visible(fact, block=True) in txt:  # this letter prints it
            assert words(visible(fact, block=True)) in shown


@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_hostile_facts_are_printed_by_every_letter_that_names_them(
    store: Store, to: Recipient, lang: Lang
) -> None:
    """The comparison above means something only if the hostile facts are in the letters."""
    store.save_profile(HOSTILE_PROFILE)
    txt = letter(store, hostile_order(), to, lang, LetterFormat.TXT)
    assert visible(LINES["merchant"]) in txt
    if to is not Recipient.MERCHANT:
        assert visible(LINES["order_no"]) in txt


def test_line_breaks_that_matter_survive_rendering(store: Store) -> None:
    """Signature, phone and date each on their own line; the address lines too."""
    md = letter(store, example_order(), Recipient.PLATFORM, Lang.ZH, LetterFormat.MD)
    assert md.endswith("投诉人：张三  \n联系电话：13800138000  \n2026年11月16日\n")
    rendered = commonmark(md)
    assert "<p>投诉人：张三<br />\n联系电话：13800138000<br />\n2026年11月16日</p>" in rendered
    en = letter(store, example_order(), Recipient.MERCHANT, Lang.EN, LetterFormat.MD)
    assert "<p>张三<br />\n16 November 2026</p>" in commonmark(en)


def test_evidence_list_is_what_the_html_shows_not_a_numbered_list(store: Store) -> None:
    order = example_order()
    md = letter(store, order, Recipient.REGULATOR, Lang.ZH, LetterFormat.MD)
    page = body(letter(store, order, Recipient.REGULATOR, Lang.ZH, LetterFormat.HTML))
    assert "1\\. 订单截图：订单详情.png" in md
    rendered = commonmark(md)
    evidence_html = rendered.split("五、证据清单</h2>", 1)[1]
    assert evidence_html.startswith("\n<p>1. 订单截图") and "<ol>" not in evidence_html
    assert "<p>1. 订单截图" in page


def test_a_real_item_name_renders_as_itself(store: Store) -> None:
    item = "胶囊0.35g*60粒*1瓶/盒"
    order = example_order(item=item)
    md = letter(store, order, Recipient.MERCHANT, Lang.ZH, LetterFormat.MD)
    assert "胶囊0.35g\\*60粒\\*1瓶/盒" in md
    rendered = commonmark(md)
    assert item in html.unescape(rendered) and "<em>" not in rendered


@pytest.mark.parametrize("fmt", list(LetterFormat))
def test_bidi_and_format_characters_are_shown_not_written(store: Store, fmt: LetterFormat) -> None:
    order = example_order(merchant="\u202eevil\u202c shop", item="a\u200bb\ufeff")
    text = letter(store, order, Recipient.LAWYER, Lang.EN, fmt)
    for char in ("\u202e", "\u202c", "\u200b", "\ufeff"):
        assert char not in text
    shown = html.unescape(text) if fmt is LetterFormat.HTML else text
    assert "<U+202E>evil<U+202C> shop" in shown.replace("\\<", "<").replace("\\>", ">")
    assert "a<U+200B>b<U+FEFF>" in shown.replace("\\<", "<").replace("\\>", ">")


# --- the converter on its own --------------------------------------------------------------------


def md(source: str, facts: list[str] | None = None) -> str:
    return markup.render(source, facts or [], LetterFormat.MD)


def test_markdown_of_the_subset() -> None:
    source = "# Title\n\nline one\n  line two\n\n- a\n  more a\n- **b**\n\n2. x\n3. y\n"
    assert md(source) == (
        "# Title\n\nline one  \n  line two\n\n- a  \n  more a\n- **b**\n\n2. x\n3. y\n"
    )


def test_two_lists_in_a_row_stay_two_lists() -> None:
    out = md("- a\n\n- b\n\n- c\n\n1. x\n\n1. y\n")
    assert out == "- a\n\n* b\n\n- c\n\n1. x\n\n1) y\n"
    assert structure(commonmark(out)) == structure(
        markup.to_html("- a\n\n- b\n\n- c\n\n1. x\n\n1. y\n")
    )


def test_a_fact_cannot_start_a_block_wherever_it_lands() -> None:
    t = markup.token
    out = md(f"{t(0)}. after a number\n\n- {t(1)}\n\n{t(2)}\n", ["7", "1. x", "a\n- b\n\nc"])
    assert out == "7\\. after a number\n\n- 1\\. x\n\na  \n\\- b  \n&nbsp;  \nc\n"


def test_bold_that_commonmark_would_not_read_is_left_plain() -> None:
    assert md("**粗体**，后文\n") == "**粗体**，后文\n"
    assert md("前文**粗体**\n") == "前文**粗体**\n"
    assert md("前文**（粗体）**后文\n") == "前文（粗体）后文\n"
    assert "<strong>" not in commonmark(md("前文**（粗体）**后文\n"))


def test_escapes_are_kept_to_what_can_act() -> None:
    assert markup.md_escape("snake_case a & b x < 3 C:\\Users [商家地址] 3 > 2") == (
        "snake_case a & b x < 3 C:\\Users [商家地址] 3 > 2"
    )
    assert (
        markup.md_escape("_a_ &amp; <b> \\* * ` ~") == "\\_a\\_ \\&amp; \\<b> \\\\\\* \\* \\` \\~"
    )
    assert md(f"see {markup.token(0)}(x)\n", ["[a]"]) == "see [a\\](x)\n"


def test_markers_inside_a_fact_are_not_read_as_markers() -> None:
    fact = f"{markup.token(0)}{markup.START}- x"
    out = md(f"{markup.token(0)}\n", [fact])
    assert out == "&#xE000;0&#xE001;&#xE002;- x\n"
    assert html.unescape(commonmark(out)) == f"<p>{fact}</p>\n"


# --- a fact's own whitespace -----------------------------------------------------------------

INDENTED = "first line\n    indented code\n\ttab\n  - not a list\n   \n 1. not a number"


def shown(rendered: str, opening: str, closing: str) -> str:
    """The text of one rendered block, its hard breaks as line breaks; only the block's own
    tags and `<br />` are allowed in it (a fact must not have opened another block)."""
    assert rendered.startswith(opening) and rendered.endswith(closing), rendered
    inner = rendered[len(opening) : len(rendered) - len(closing)].replace("<br />\n", "\n")
    assert "<" not in inner, rendered
    return html.unescape(inner)


def test_leading_spaces_and_tabs_of_a_facts_lines_survive_rendering() -> None:
    t = markup.token
    paragraph = md(f"{t(0)}\n", [INDENTED])
    assert paragraph.startswith("first line  \n&#32;&#32;&#32;&#32;indented code  \n&#9;tab  \n")
    assert shown(commonmark(paragraph), "<p>", "</p>\n") == INDENTED
    code = md(f"{t(0)}\n", ["    not code"])
    assert code == "&#32;&#32;&#32;&#32;not code\n"
    assert commonmark(code) == "<p>    not code</p>\n"
    after_text = md(f"Details: {t(0)}\n", ["    " + INDENTED])
    assert shown(commonmark(after_text), "<p>", "</p>\n") == "Details:     " + INDENTED
    item = md(f"- {t(0)}\n", ["\t" + INDENTED])
    assert shown(commonmark(item), "<ul>\n<li>", "</li>\n</ul>\n") == "\t" + INDENTED


@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_a_multi_line_details_renders_character_for_character(
    store: Store, to: Recipient, lang: Lang
) -> None:
    """add-order --details $'first line\\n    indented code\\n\\ttab': every letter that quotes
    it shows its indentation, and none turns it into a code block."""
    order = example_order(problem="defective", details=INDENTED)
    txt = letter(store, order, to, lang, LetterFormat.TXT)
    if INDENTED not in txt:
        pytest.skip("this letter does not quote the details")
    rendered = commonmark(letter(store, order, to, lang, LetterFormat.MD))
    assert "<pre>" not in rendered and "<code>" not in rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered.replace("<br />\n", "\n")))
    assert INDENTED in text


# Lines of a fact: markup characters, letters, spaces and tabs. A line that ends in
# whitespace after its text is left out: CommonMark drops whitespace before a line break,
# and md letters do not keep it (yet).
FACT_LINE = st.text(alphabet=" \t-+=#>|:[]()!*_`~&<\\.1)a中", min_size=1, max_size=12).filter(
    lambda line: not line.strip() or line == line.rstrip()
)


@given(st.lists(FACT_LINE, min_size=1, max_size=5))
def test_any_facts_lines_render_as_themselves(lines: list[str]) -> None:
    fact = "\n".join(lines)
    t = markup.token
    assert shown(commonmark(md(f"{t(0)}\n", [fact])), "<p>", "</p>\n") == fact
    item = md(f"- {t(0)}\n", [fact])
    assert shown(commonmark(item), "<ul>\n<li>", "</li>\n</ul>\n") == fact
