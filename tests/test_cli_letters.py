"""draft-complaint and templates through the command line, and the letters from a built wheel."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot
from refundkit.kinds import Lang, Recipient
from refundkit.store import Store
from test_letters import AS_OF, EIGHT, EXAMPLE_PROFILE, SNAPSHOTS, example_order

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def example(home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The example case stored in the data folder, with 'today' pinned to AS_OF."""
    store = Store(home)
    store.save_profile(EXAMPLE_PROFILE)
    order = example_order()
    store.create(lambda _id: order)
    monkeypatch.setattr("refundkit.cli.letters.today", lambda: AS_OF)
    return order.id


@pytest.mark.parametrize(("to", "lang"), EIGHT, ids=[f"{r}.{lang}" for r, lang in EIGHT])
def test_cli_prints_the_snapshot_letter_to_stdout(
    cli: Cli, example: str, to: Recipient, lang: Lang
) -> None:
    result = cli("draft-complaint", example[:3], "--to", to.value, "--lang", lang.value)
    assert result.exit_code == 0, result.output
    expected = (SNAPSHOTS / f"{to.value}.{lang.value}.md").read_text(encoding="utf-8")
    assert result.stdout == expected
    assert result.stderr == ""


def test_without_to_the_letter_is_for_the_next_rung(cli: Cli, add: Any) -> None:
    order = add(received="today")
    assert "您好" in cli("draft-complaint", order).stdout  # new: the merchant
    cli("log", order, "merchant-refused", "--note", "不退")
    assert "# 交易投诉" in cli("draft-complaint", order).stdout  # refused: the platform
    cli("log", order, "platform-complaint")
    assert "# 消费投诉书" in cli("draft-complaint", order).stdout  # platform: 12315
    cli("log", order, "regulator-complaint")
    assert "# 案情摘要" in cli("draft-complaint", order).stdout  # regulator: a lawyer


def test_language_comes_from_the_profile_then_the_jurisdiction(cli: Cli, add: Any) -> None:
    cn = add(received="today")
    eu = add(received="today", jurisdiction="eu", currency="EUR")
    assert "您好" in cli("draft-complaint", cn).stdout
    assert cli("draft-complaint", eu).stdout.startswith("Dear ")
    cli("profile", "--language", "en")
    assert cli("draft-complaint", cn).stdout.startswith("Dear ")
    assert "您好" in cli("draft-complaint", cn, "--lang", "zh").stdout


def test_warnings_go_to_stderr_one_line_each(cli: Cli, add: Any) -> None:
    order = add(received="today")
    result = cli("draft-complaint", order, "--to", "regulator")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines)
    assert any(
        f"`refundkit edit {order}`" in line and "--merchant-address)" in line for line in lines
    )
    assert any("`refundkit profile`" in line and "--phone)" in line for line in lines)
    assert any(f"`refundkit add-evidence {order} --kind chat`" in line for line in lines)
    assert "warning" not in result.stdout
    assert "[商家地址]" in result.stdout


def test_out_writes_an_owner_only_file_and_keeps_warnings_on_stderr(
    cli: Cli, add: Any, tmp_path: Path
) -> None:
    order = add(received="today")
    out = tmp_path / "信件" / "letter.html"
    out.parent.mkdir()
    result = cli("draft-complaint", order, "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout and "<html" not in result.stdout
    assert result.stderr.startswith("warning: ")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "声悦数码旗舰店" in text
    assert [p.name for p in out.parent.iterdir()] == ["letter.html"]  # no temp file left


def test_out_replaces_an_existing_file_only_with_force(cli: Cli, add: Any, tmp_path: Path) -> None:
    order = add(received="today")
    out = tmp_path / "letter.txt"
    out.write_text("old", encoding="utf-8")
    refused = cli("draft-complaint", order, "--format", "txt", "--out", str(out))
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "old"
    args = ("draft-complaint", order, "--format", "txt", "--out", str(out), "--force")
    assert cli(*args).exit_code == 0
    assert "声悦数码旗舰店" in out.read_text(encoding="utf-8")


def test_out_dash_means_stdout(
    cli: Cli, example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out -` is stdout, as for most commands that write a file: no file named `-`."""
    work = tmp_path / "work"  # where a file named `-` would appear
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("draft-complaint", example, "--out", "-", "--format", "txt")
    assert result.exit_code == 0, result.output
    assert result.stdout == cli("draft-complaint", example, "--format", "txt").stdout
    assert "Wrote" not in result.output
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("where", ["folder", "missing-parent"])
def test_bad_out_is_an_error_and_writes_nothing(
    cli: Cli, add: Any, tmp_path: Path, home: Path, where: str
) -> None:
    order = add(received="today")
    target = tmp_path / "a-folder" if where == "folder" else tmp_path / "nope" / "x.md"
    if where == "folder":
        target.mkdir()
    before = snapshot(tmp_path)
    result = cli("draft-complaint", order, "--out", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [["nosuch"], ["{id}", "--to", "judge"], ["{id}", "--lang", "fr"], ["{id}", "--format", "pdf"]],
)
def test_bad_input_exits_2(cli: Cli, add: Any, home: Path, args: list[str]) -> None:
    order = add()
    before = snapshot(home)
    result = cli("draft-complaint", *[a.format(id=order) for a in args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert snapshot(home) == before


def test_broken_user_template_is_one_error_line(cli: Cli, add: Any, home: Path) -> None:
    order = add()
    path = home / "templates" / "letters" / "merchant.zh.md.j2"
    path.parent.mkdir(parents=True)
    path.write_text("{{ order.nope }}\n", encoding="utf-8")
    result = cli("draft-complaint", order, "--to", "merchant")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: letter template problem in ")
    assert str(path) in result.stderr and len(result.stderr.splitlines()) == 1


# --- templates list / copy --------------------------------------------------------------


def listing(cli: Cli) -> dict[str, str]:
    result = cli("templates", "list")
    assert result.exit_code == 0, result.output
    rows = [line.split(maxsplit=1) for line in result.stdout.splitlines()]
    return {name: source for name, source in rows}


def test_templates_list_names_every_template_as_built_in(cli: Cli) -> None:
    rows = listing(cli)
    assert rows["letters/merchant.zh.md.j2"] == "built-in"
    assert {f"letters/{r.value}.{lang.value}.md.j2" for r, lang in EIGHT} <= set(rows)
    assert set(rows.values()) == {"built-in"}


def test_templates_copy_then_list_shows_the_users_file_which_wins(
    cli: Cli, add: Any, home: Path
) -> None:
    result = cli("templates", "copy", "letters/merchant.zh.md.j2")
    assert result.exit_code == 0, result.output
    copy = home / "templates" / "letters" / "merchant.zh.md.j2"
    assert str(copy) in result.stdout
    assert listing(cli)["letters/merchant.zh.md.j2"] == str(copy)
    assert listing(cli)["letters/merchant.en.md.j2"] == "built-in"
    copy.write_text(copy.read_text(encoding="utf-8").replace("您好：", "您好！"), encoding="utf-8")
    order = add()
    assert "声悦数码旗舰店您好！" in cli("draft-complaint", order, "--to", "merchant").stdout


def test_templates_copy_refuses_to_overwrite_without_force(cli: Cli, home: Path) -> None:
    assert cli("templates", "copy", "letters/lawyer.en.md.j2").exit_code == 0
    copy = home / "templates" / "letters" / "lawyer.en.md.j2"
    copy.write_text("my edits\n", encoding="utf-8")
    result = cli("templates", "copy", "letters/lawyer.en.md.j2")
    assert result.exit_code == 2 and "--force" in result.stderr
    assert copy.read_text(encoding="utf-8") == "my edits\n"
    assert cli("templates", "copy", "letters/lawyer.en.md.j2", "--force").exit_code == 0
    assert copy.read_text(encoding="utf-8") != "my edits\n"


@pytest.mark.parametrize("name", ["nope.j2", "../pyproject.toml", "/etc/passwd", "letters"])
def test_templates_copy_unknown_name_is_an_error(cli: Cli, home: Path, name: str) -> None:
    result = cli("templates", "copy", name)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no built-in template named")
    assert snapshot(home) == {}


def test_help_has_examples(cli: Cli) -> None:
    for args in (["draft-complaint"], ["templates", "list"], ["templates", "copy"]):
        result = cli(*args, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout
    assert "list" in cli("templates", "--help").stdout


def test_the_cli_does_not_import_jinja2_at_start_up() -> None:
    code = "import sys, refundkit.cli; print('jinja2' in sys.modules, 'markupsafe' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"


# --- the wheel --------------------------------------------------------------------------


def run(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, **kwargs
    )


def test_wheel_ships_the_templates_and_renders_every_letter(tmp_path: Path) -> None:
    """Build the wheel, install it alone into a fresh venv, render all letters through its
    console script. Dependencies come from this environment via PYTHONPATH, which does not
    process .pth files, so the editable install cannot leak in: refundkit is the wheel's."""
    wheels = tmp_path / "wheels"
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        REPO,
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        wheels,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build the wheel here: {built.stderr.strip()[-300:]}")
    (wheel,) = wheels.glob("refundkit-*.whl")
    venv = tmp_path / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv)
    if made.returncode != 0:
        pytest.skip(f"cannot create a virtual environment: {made.stderr.strip()[-300:]}")
    python = venv / "bin" / "python"
    # This environment's pip installs into the new one (no ensurepip: faster, and offline).
    installed = run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        wheel,
    )
    assert installed.returncode == 0, installed.stderr
    home = tmp_path / "home"
    env = {
        **os.environ,
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "REFUNDKIT_HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("REFUNDKIT_DEBUG", None)
    where = run(python, "-c", "import refundkit, sys; print(refundkit.__file__)", env=env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr
    script = venv / "bin" / "refundkit"
    added = run(
        script,
        "add-order",
        "--merchant",
        "声悦数码旗舰店",
        "--item",
        "耳机",
        "--amount",
        "399",
        "--received",
        "today",
        "--order-no",
        "SY1",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    order = next((home / "orders").iterdir()).name
    for to, lang in EIGHT:
        letter = run(
            script, "draft-complaint", order, "--to", to.value, "--lang", lang.value, env=env
        )
        assert letter.returncode == 0, letter.stderr
        assert "声悦数码旗舰店" in letter.stdout and "[" in letter.stdout  # blanks for gaps
        assert all(line.startswith("warning: ") for line in letter.stderr.splitlines())
    page = run(script, "draft-complaint", order, "--format", "html", env=env)
    assert page.returncode == 0 and page.stdout.startswith("<!DOCTYPE html>"), page.stderr
    listed = run(script, "templates", "list", env=env)
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert ["letters/lawyer.zh.md.j2", "built-in"] in rows
    copied = run(script, "templates", "copy", "letters/merchant.en.md.j2", env=env)
    assert copied.returncode == 0, copied.stderr
    builtin = run(
        python, "-c", "from refundkit.letters import builtin_dir; print(builtin_dir())", env=env
    )
    assert builtin.stdout.strip().startswith(str(venv)), builtin.stdout + builtin.stderr


def test_details_that_end_a_sentence_get_no_second_stop(cli: Any, add: Any) -> None:
    order_id = add(
        problem="defective", details="左耳有电流声。", received="today", purchased="today"
    )
    for lang in ("zh", "en"):
        result = cli("draft-complaint", order_id, "--to", "merchant", "--lang", lang)
        assert result.exit_code == 0, result.output
        assert "左耳有电流声。" in result.stdout
        assert "。。" not in result.stdout and "。." not in result.stdout


def test_a_platform_recorded_only_as_other_is_not_named_in_letters(cli: Any, add: Any) -> None:
    order_id = add(platform="other", purchased="3 days ago", received="2 days ago")
    for to in ("merchant", "platform", "regulator", "lawyer"):
        for lang in ("zh", "en"):
            result = cli("draft-complaint", order_id, "--to", to, "--lang", lang, "--format", "txt")
            assert result.exit_code == 0, result.output
            text = result.stdout
            assert "：other" not in text and ": other" not in text, (to, lang, text)
            assert (
                "购买平台" not in text and "销售平台" not in text and "Bought through" not in text
            )
            assert "在向" not in text and "through ," not in text and "through  " not in text


MD_MARK = "\\[投诉人姓名]"  # a Markdown letter escapes the blank's bracket; txt does not


@pytest.mark.parametrize(
    ("name", "kind"), [("letter.html", "html"), ("letter.txt", "txt"), ("letter.md", "md")]
)
def test_without_format_the_out_files_name_decides_it(
    cli: Any, add: Any, tmp_path: Path, name: str, kind: str
) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    out = tmp_path / name
    result = cli("draft-complaint", order_id, "--lang", "zh", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") is (kind == "html")
    assert (MD_MARK in text) is (kind == "md")


def test_an_explicit_format_wins_over_the_out_files_name(
    cli: Any, add: Any, tmp_path: Path
) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    out = tmp_path / "letter.html"
    result = cli("draft-complaint", order_id, "--lang", "zh", "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert MD_MARK in out.read_text(encoding="utf-8")


FAMILY = "亲子👨\u200d👩\u200d👧店🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_emoji_joined_by_zwj_reach_the_letter_and_the_terminal_whole(
    cli: Cli, add: Any, fmt: str
) -> None:
    """A ZERO WIDTH JOINER or an emoji tag is part of the name, not a hidden character: it
    is written as it is, never as <U+200D>; a bidi override beside it is still shown."""
    order = add(merchant=FAMILY + "\u202e", item="儿童👩\u200d🍳玩具", received="today")
    letter = cli("draft-complaint", order, "--to", "merchant", "--format", fmt)
    assert letter.exit_code == 0, letter.output
    assert FAMILY in letter.stdout and "儿童👩\u200d🍳玩具" in letter.stdout
    assert "U+202E" in letter.stdout  # escaped as each format escapes `<`
    assert "U+200D" not in letter.stdout and "U+E00" not in letter.stdout
    shown = cli("status", order).stdout + cli("status").stdout
    assert FAMILY in shown and "U+200D" not in shown and "<U+202E>" in shown


@pytest.mark.parametrize("language", ["zh", "en"])
def test_templates_list_says_built_in_in_every_language(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    """`built-in` is the contract's token, read by scripts: never translated (not 内置)."""
    monkeypatch.setenv("REFUNDKIT_LANG", language)
    assert cli("templates", "copy", "letters/merchant.zh.md.j2").exit_code == 0
    rows = listing(cli)
    assert rows["letters/merchant.zh.md.j2"] == str(home / "templates/letters/merchant.zh.md.j2")
    assert {source for name, source in rows.items() if "merchant.zh" not in name} == {"built-in"}
    assert "内置" not in cli("--ui-lang", language, "templates", "list").stdout


def test_a_letter_shown_in_a_terminal_is_plain_text(
    cli: Any, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read on screen and pasted into WeChat: no Markdown escapes. Piped, it stays md."""
    order_id = add(purchased="3 days ago", received="2 days ago")
    piped = cli("draft-complaint", order_id, "--lang", "zh")
    assert MD_MARK in piped.stdout
    monkeypatch.setattr("refundkit.pager.stdout_is_terminal", lambda: True)
    shown = cli("--no-pager", "draft-complaint", order_id, "--lang", "zh")
    assert shown.exit_code == 0, shown.output
    assert MD_MARK not in shown.stdout and "[投诉人姓名]" in shown.stdout
    chosen = cli("--no-pager", "draft-complaint", order_id, "--lang", "zh", "--format", "md")
    assert MD_MARK in chosen.stdout


def test_to_a_complaint_desk_by_name_picks_its_channel(cli: Any, add: Any) -> None:
    """Bought on Taobao, paid by WeChat Pay: --to 支付宝 is Alipay's complaint, not the
    marketplace's; --to 平台 keeps the case's own channel."""
    order_id = add(
        purchased="3 days ago", received="2 days ago", platform="taobao",
        payment_method="wechat-pay",
    )  # fmt: skip
    alipay = cli("draft-complaint", order_id, "--to", "支付宝", "--format", "txt").stdout
    assert "支付宝投诉" in alipay
    plain = cli("draft-complaint", order_id, "--to", "平台", "--format", "txt").stdout
    assert "支付宝投诉" not in plain
    clash = cli("draft-complaint", order_id, "--to", "支付宝", "--channel", "wechat-pay")
    assert clash.exit_code == 2 and "--channel" in clash.stderr
