"""--help: commands in the order of the journey, in panels; no Python types (`<bool>`,
`<list[Path]>`) as metavars; choices that wrap between words; nothing cut with `…`, Chinese
included."""

import re
from collections.abc import Callable
from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from refundkit.cli import app
from refundkit.cli.helpview import JOURNEY, RefundkitCommand, RefundkitGroup

Cli = Callable[..., Any]


def command_names() -> list[str]:
    return [name for _panel, names in JOURNEY for name in names]


def test_commands_are_listed_in_the_order_of_the_journey(cli: Cli) -> None:
    out = cli("--help").stdout
    panels = [panel for panel, _names in JOURNEY]
    titles = re.findall(r"╭─ (.+?) ─", out)
    assert titles == ["Options", *panels]
    listed = re.findall(r"^│ ([a-z-]+) ", out, re.M)
    assert [name for name in listed if not name.startswith("-")] == command_names()
    for panel, names in JOURNEY:  # each command in its own panel
        section = out.split(f"╭─ {panel} ─")[1].split("╰")[0]
        assert all(re.search(rf"^│ {name} ", section, re.M) for name in names), section


def test_every_command_is_in_a_panel() -> None:
    registered = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert registered == set(command_names())


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("command", [[], *([name] for name in command_names())])
def test_help_shows_no_python_types_and_cuts_nothing(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, command: list[str], columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not re.search(r"<(bool|str|int|path|list\[[^\]]*\])>", out), out
    assert "…" not in out, out
    assert all(len(line) <= columns for line in out.splitlines())


def test_choices_wrap_between_words(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = cli("add-order", "--help").stdout
    for choice in ("wechat-pay", "credit-card", "debit-card", "bank-transfer", "not-as-described"):
        assert re.search(rf"[ │]{choice}[,. ]", out), (choice, out)


def test_chinese_help_folds_instead_of_being_cut() -> None:
    help_text = "商家名称：请填写完整的店铺名称，例如某某数码旗舰店或某某家居官方旗舰店（小程序）。"
    small = typer.Typer(cls=RefundkitGroup)

    @small.command(cls=RefundkitCommand)
    def record(merchant: Annotated[str, typer.Option(help=help_text)] = "") -> None:
        """记录一笔购买：商家、商品、金额、下单日期和签收日期，以及出了什么问题。"""

    @small.command(cls=RefundkitCommand)
    def other() -> None:
        """另一个命令。"""

    result = CliRunner().invoke(small, ["record", "--help"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    shown = re.sub(r"[\s│╭╮╰╯─]", "", result.stdout)
    assert help_text in shown
