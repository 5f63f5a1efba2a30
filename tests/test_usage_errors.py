"""A mistyped command line is one line on stderr, in the interface's language, exit 2: the
option or argument that was wrong and the help that shows the fix (cli/usage.py), never
Typer's framed English panel."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refundkit.cli import usage

Cli = Callable[..., Any]

CASES = [
    (["add-order", "--bogus"], "--bogus", "refundkit add-order --help"),
    (["log"], "ORDER", "refundkit log --help"),
    (["nosuch"], "nosuch", "refundkit --help"),
    (["stauts"], "status", "refundkit --help"),  # the command meant is offered
    (["status", "--as-of"], "--as-of", None),
    (["log", "k3f", "refused", "too", "many"], "too many", "refundkit log --help"),
    (["--home", "", "status"], "--home", "refundkit --help"),
    (["add-order", "--amount", "1", "--amount-units", "x"], "--amount-units", None),
    (["add-order", "--units", "2.5"], "--units", "refundkit add-order --help"),
    (["add-order", "--units", "0"], "--units", "refundkit add-order --help"),
]


@pytest.mark.parametrize(("args", "named", "help_command"), CASES)
def test_one_line_naming_what_was_wrong(
    cli: Cli, args: list[str], named: str, help_command: str | None
) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and named in lines[0], lines[0]
    assert "╭" not in result.stderr and "Usage:" not in result.stderr
    if help_command:
        assert f"(see `{help_command}`)" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "named", "help_command"), CASES)
def test_in_chinese(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, args: list[str], named: str, help_command: Any
) -> None:
    monkeypatch.setenv("REFUNDKIT_LANG", "zh")
    result = cli(*args)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert line.startswith("错误：") and named in line, line
    assert re.search(r"[\u4e00-\u9fff]{2}", line.split(named)[-1] + line.split(named)[0][3:]), line


def test_the_language_is_known_before_the_command_line_is_read(cli: Cli) -> None:
    """--ui-lang given before the command counts for `--help` and for a mistyped option."""
    result = cli("--ui-lang", "zh", "add-order", "--bogus")
    assert result.stderr.startswith("错误："), result.stderr
    assert "用法" in cli("--ui-lang", "zh", "status", "--help").stdout


@pytest.mark.parametrize(
    ("english", "expected"),
    [
        ("No such command 'x'.", "no such command: x"),
        ("No such command 'stat'. Did you mean 'status'?", "did you mean status?"),
        ("Got unexpected extra argument (a)", "too many arguments: a"),
        ("Got unexpected extra argument(s) (a b)", "too many arguments: a b"),
        ("Option '--x' requires an argument.", "--x needs a value after it"),
        ("Option '--x' does not take a value.", "--x takes no value"),
        ("Value 'q' is not a valid int.", "'q' is not a whole number"),
        ("Input should be a valid integer, unable to parse string", "give a whole number"),
        ("Input should be greater than or equal to 1", "give at least 1"),
        ("Input should be less than or equal to 100000", "give at most 100000"),
        ("Path 'x.csv' does not exist.", "no such file or folder: 'x.csv'"),
        ("Something click may say one day", "Something click may say one day"),
    ],
)
def test_clicks_messages_are_worded_again(english: str, expected: str) -> None:
    assert expected in usage._message(english)


def test_a_system_refusal_is_said_in_the_interface_language(cli: Any, tmp_path: Path) -> None:
    """The C library's reason is English whatever the locale: a Chinese user reads it in
    Chinese (here: the data folder's parent is a file)."""
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = cli(
        "--home",
        str(blocker / "home"),
        "--ui-lang",
        "zh",
        "add-order",
        "--merchant",
        "a",
        "--item",
        "b",
        "--amount",
        "1",
    )
    assert result.exit_code != 0
    assert "Not a directory" not in result.stderr, result.stderr
    assert "路径中有一部分是文件" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("command", "name"),
    [("draft-complaint", "x.md"), ("calendar", "x.ics"), ("export", "x.zip")],
)
def test_an_out_under_a_file_says_the_file_is_no_folder(
    cli: Any, add: Any, tmp_path: Path, command: str, name: str
) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    argv = [command, order_id] if command != "calendar" else [command]
    result = cli(*argv, "--out", str(blocker / name))
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.stderr and "does not exist" not in result.stderr
