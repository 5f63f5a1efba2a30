"""plain.py: the overview table without rich fits the terminal, measures wide characters, uses
colour only where rich would, and `status --json` is the same bytes whichever encoder wrote it."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from refundkit import cases, plain
from refundkit.store import Store

Cli = Callable[..., Any]


def test_cell_width_counts_wide_and_zero_width_characters() -> None:
    assert plain.cell_width("abc") == 3
    assert plain.cell_width("声悦数码") == 8
    assert plain.cell_width("e\u0301") == 1  # e + combining acute
    assert plain.cell_width("a\u200bb") == 2  # zero-width space
    assert plain.cell_width("🎧") == 2


@pytest.mark.parametrize("width", [14, 20, 33])
def test_fold_breaks_at_spaces_and_cuts_long_words(width: int) -> None:
    text = "ask the merchant for a return 声悦数码旗舰店声悦数码旗舰店声悦数码旗舰店 by 2026-12-01"
    lines = plain.fold(text, width)
    assert all(size == plain.cell_width(line) <= width for line, size in lines)
    assert "".join(line.replace(" ", "") for line, _ in lines) == text.replace(" ", "")


def test_table_fits_the_terminal(cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    add(merchant="声悦数码旗舰店声悦数码旗舰店声悦数码旗舰店", received="today")
    add(merchant="Acme", purchased="9 days ago")
    for columns in (80, 100, 200):
        monkeypatch.setenv("COLUMNS", str(columns))
        result = cli("status")
        assert result.exit_code == 0
        table = result.stdout.splitlines()
        assert all(plain.cell_width(line) <= columns for line in table), result.stdout
        assert "声悦数码旗" in result.stdout and "Acme" in result.stdout


@pytest.mark.parametrize("columns", [120, 80, 60, 44])
def test_the_item_tells_two_orders_of_one_shop_apart(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    first = add(merchant="优品生活家居官方旗舰店（小程序）", item="真丝衬衫", amount="399")
    second = add(merchant="优品生活家居官方旗舰店（小程序）", item="羊毛围巾", amount="399")
    monkeypatch.setenv("COLUMNS", str(columns))
    out = cli("status").stdout
    assert all(plain.cell_width(line) <= columns for line in out.splitlines()), out
    lines = out.splitlines()
    starts = sorted(i for i, line in enumerate(lines) if line.startswith((first, second)))
    for order, item in ((first, "真丝衬衫"), (second, "羊毛围巾")):
        start = next(i for i in starts if lines[i].startswith(order))
        end = min([i for i in starts if i > start] + [len(lines)])
        assert item in "".join(lines[start:end]), out  # in the case's own row or block


@pytest.mark.parametrize(("columns", "layout"), [(160, "wide"), (80, "stacked"), (59, "list")])
def test_the_layout_follows_the_width(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch, columns: int, layout: str
) -> None:
    """Every column side by side, then merchant over item (and stage over next step) in fewer
    columns, then below about 60 columns one block per case."""
    order = add(merchant="Acme Kitchen", item="Electric kettle", received="today")
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = cli("status").stdout.splitlines()
    header = next((line for line in lines if line.startswith("ID")), "")
    row = next(i for i, line in enumerate(lines) if line.startswith(order))
    if layout == "wide":
        assert "Item" in header and "Acme Kitchen" in lines[row] and "Electric" in lines[row]
    elif layout == "stacked":
        assert "Item" in lines[lines.index(header) + 1]
        assert "Acme Kitchen" in lines[row] and "Electric kettle" in lines[row + 1]
    else:
        assert not header and lines[row] == f"{order}  Acme Kitchen · Electric kettle"
        assert lines[row + 3].strip().startswith("Next step:") or "Missing:" in lines[row + 3]


def test_colour_only_on_a_terminal_or_when_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert plain.painter()("x", "red") == "x"  # stdout is not a terminal under pytest
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain.painter()("x", "bold red") == "\x1b[1;31mx\x1b[0m"
    monkeypatch.setenv("NO_COLOR", "1")
    assert plain.painter()("x", "red") == "x"


def test_json_is_byte_for_byte_what_json_dumps_writes(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    """The JSON is put together from cached text: it must be what encoding the reports writes,
    with a lost evidence file, a damaged order, and text that needs escaping."""
    first = add(merchant='引号"\\反斜杠 \u2028 🎧', note="tab\there", received="today")
    add(merchant="Acme", purchased="3 days ago")
    proof = tmp_path / "chat.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nchat")
    assert cli("add-evidence", first, str(proof), "--kind", "chat").exit_code == 0
    for stored in (home / "orders" / first / "evidence").iterdir():
        stored.unlink()
    broken = add()
    (home / "orders" / broken / "order.json").write_text("{")
    for args in [(), ("--all",), ("--as-of", "2000-01-01")]:
        out = cli("status", "--json", *args).stdout
        data = json.loads(out)
        assert out == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        store = Store(home)
        as_of = date.fromisoformat(data["as_of"])
        for shown in data["orders"]:
            order = store.load(shown["id"])
            report = cases.with_files_checked(store, cases.report(order, as_of))
            assert shown == report.as_json()


def test_empty_json(cli: Cli) -> None:
    out = cli("status", "--json").stdout
    assert out == json.dumps({"as_of": date.today().isoformat(), "orders": []}, indent=2) + "\n"
