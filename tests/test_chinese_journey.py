"""A Chinese consumer's whole journey in Chinese: every screen, prompt and error of it carries
no English sentence (issue 12). What may stay in Latin letters: codes and commands to paste
(in backticks, or the codes of each choice), option names, ids, file names, paths, currency
and hash names, and refundkit's own name."""

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refundkit import kinds

Cli = Callable[..., Any]

TOKEN = re.compile(r"[A-Za-z0-9_']+")  # ids and hashes mix letters and digits: not words
WORD = re.compile(r"[A-Za-z']{3,}")
REMOVED = [
    re.compile(r"`[^`]*`"),  # commands to paste
    re.compile(r"[^\s,，;；()（）]*/[^\s,，;；()（）]*"),  # paths, also a path's wrapped tail
    re.compile(r"--[a-z][a-z-]*(?:[ =][A-Za-z0-9_.\-]+)?"),  # options (with a code value)
    re.compile(r"\b[\w\-]+\.(?:png|jpg|txt|pdf|json|ics|zip|md|csv|xlsx|html)\b"),  # files
    re.compile(r"\$?[A-Z_]{4,}(?:=\S*)?"),  # environment variables
    re.compile(r"https?://\S+"),
    re.compile(r"pip install \S+"),  # the export README's line to paste
]
CODE_IN_BRACKETS = re.compile(r"[(（]([a-z0-9][a-z0-9-]*)[)）]")  # 聊天记录 (chat)
ALLOWED = {
    "refundkit",
    "sha",
    "wechat",
    "alipay",
    "taobao",
    "bagit",
    "iso",
    "csv",
    "pdf",
    "png",
    "txt",
    "ics",
    "zip",
    "markdown",
    "rmb",
    "cny",
    "usd",
    "eur",
    "gbp",
    "utc",
    "rfc",
    "shell",
    "stderr",
    "stdout",
}


def codes() -> set[str]:
    """Every choice's code, which is typed as it is (`not-as-described`)."""
    found: set[str] = set()
    for value in vars(kinds).values():
        if (
            isinstance(value, type)
            and issubclass(value, kinds.StrEnum)
            and value is not kinds.StrEnum
        ):
            for member in value:
                found.add(member.value.lower())
    return found


def commands() -> set[str]:
    from refundkit.cli.helpview import ORDER

    return {*ORDER, "templates", "list", "show", "copy"}


def helped(screen: str) -> set[str]:
    """A help screen names each option's codes (`purchase（购买日）`): they are what is typed."""
    return codes() if "help" in screen else set()


def english_words(text: str, ids: set[str]) -> list[str]:
    for pattern in REMOVED:
        text = pattern.sub(" ", text)
    known = codes() | commands()
    text = CODE_IN_BRACKETS.sub(lambda m: " " if m.group(1) in known else m.group(0), text)
    # a list of codes (help's "可选值：order, chat, payment") and a hyphenated code or command
    # name anywhere: such a token is typed as it is, never prose
    code = "|".join(sorted((re.escape(c) for c in known), key=len, reverse=True))
    text = re.sub(rf"(?<![\w-])(?:{code})(?:[,，、|] ?(?:{code}))+(?![\w-])", " ", text)
    text = re.sub(rf"(?<![\w-])(?:{'|'.join(c for c in known if '-' in c)})(?![\w-])", " ", text)
    listed = "|".join(commands())  # a command as help lists it, first in its row
    text = re.sub(rf"(?m)(?:^|│)\s*(?:{listed})(?=\s)", " ", text)
    allowed = ALLOWED | {i.lower() for i in ids} | commands()
    words = [t.strip("'") for t in TOKEN.findall(text) if WORD.fullmatch(t.strip("'"))]
    return [w for w in words if w.lower() not in allowed]


@pytest.fixture
def zh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFUNDKIT_LANG", "zh")


def run_zh(cli: Cli, *args: str, ok: bool = True, **kwargs: Any) -> str:
    result = cli(*args, **kwargs)
    if ok:
        assert result.exit_code == 0, (args, result.output)
    else:
        assert result.exit_code != 0, (args, result.output)
    return str(result.stdout) + str(result.stderr)


def test_the_whole_journey_speaks_chinese(
    cli: Cli, zh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screens: dict[str, str] = {}
    proof = tmp_path / "聊天记录.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\n a chat")
    screens["help"] = run_zh(cli, "--help")
    screens["add-order help"] = run_zh(cli, "add-order", "--help")
    screens["add-order"] = out = run_zh(
        cli,
        "add-order",
        "--merchant",
        "某某服饰旗舰店",
        "--item",
        "羊毛大衣",
        "--amount",
        "599块",
        "--purchased",
        "3天前",
        "--received",
        "昨天",
        "--platform",
        "微信小程序",
        "--payment-method",
        "微信支付",
        "--problem",
        "质量问题",
    )
    order = next(p.name for p in (Path(str(tmp_path)) / "home" / "orders").iterdir())
    assert order in out
    ids = {order, "e1", "t1", "t2", "zzzzzz"}  # and the id the user mistyped
    screens["add-evidence"] = run_zh(
        cli, "add-evidence", order, str(proof), "--kind", "聊天记录", "--note", "客服拒绝退货"
    )
    screens["log asked"] = run_zh(cli, "log", order, "联系商家", "--asked", "退货")
    screens["log refused"] = run_zh(cli, "log", order, "商家拒绝", "--reason", "已拆封")
    for columns in ("60", "80", "120"):
        monkeypatch.setenv("COLUMNS", columns)
        screens[f"status {columns}"] = run_zh(cli, "status")
        screens[f"case {columns}"] = run_zh(cli, "--no-pager", "status", order)
    screens["letter"] = run_zh(cli, "--no-pager", "draft-complaint", order, "--to", "merchant")
    screens["letter to a file"] = run_zh(
        cli, "draft-complaint", order, "--to", "platform", "--out", str(tmp_path / "信.md")
    )
    screens["calendar"] = run_zh(cli, "calendar", "--out", str(tmp_path / "期限.ics"))
    bundle = tmp_path / "证据包.zip"
    screens["export"] = run_zh(cli, "export", order, "--out", str(bundle))
    with zipfile.ZipFile(bundle) as z:
        readme = next(n for n in z.namelist() if n.lower().endswith("readme.txt") or "README" in n)
        screens["bundle readme"] = z.read(readme).decode("utf-8")
    screens["verify"] = run_zh(cli, "verify")
    screens["remove"] = run_zh(cli, "remove", order, "--evidence", "e1", "--yes")
    screens["restore"] = run_zh(cli, "restore", order, "--evidence", "e1")
    screens["no such order"] = run_zh(cli, "status", "zzzzzz", ok=False)
    screens["no such file"] = run_zh(
        cli, "add-evidence", order, str(tmp_path / "没有.png"), "--kind", "chat", ok=False
    )
    screens["bad date"] = run_zh(cli, "edit", order, "--received", "下下下周", ok=False)
    screens["bad option"] = run_zh(cli, "status", "--bogus", ok=False)
    left = {name: english_words(text, ids | helped(name)) for name, text in screens.items()}
    left = {name: sorted(set(words)) for name, words in left.items() if words}
    assert not left, "\n".join(f"{name}: {' '.join(words)}" for name, words in left.items())


def test_the_check_sees_english(zh: None) -> None:
    """The check itself: an English sentence is found, codes and commands are not."""
    assert english_words("Recorded order k3f: 蓝牙耳机", {"k3f"}) == ["Recorded", "order"]
    assert english_words("用 `refundkit log k3f refused` 记录；--kind chat", {"k3f"}) == []
    assert english_words("聊天记录 (chat)、订单 (order no.)", set()) == ["order"]
    assert english_words("可选值：order, chat, payment。运行 add-order", set()) == []
    assert english_words("/tmp/x/home/\norders/k3f and more", set()) == ["and", "more"]
