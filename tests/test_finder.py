"""Finding a case (finder.py): id, id prefix, or a unique part of the merchant's or item's
name; closed cases never make an open one ambiguous; an unknown id lists the open cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refundkit import finder
from refundkit.errors import NotFound
from refundkit.store import Store

Cli = Callable[..., Any]


def rename(home: Path, old: str, new: str) -> str:
    """Give an order a chosen id (folder and record), to make prefixes meet."""
    import json

    folder = home / "orders" / old
    record = json.loads((folder / "order.json").read_text())
    record["id"] = new
    (folder / "order.json").write_text(json.dumps(record, ensure_ascii=False))
    folder.rename(home / "orders" / new)
    return new


def close(cli: Cli, order: str) -> None:
    assert cli("log", order, "closed").exit_code == 0


def test_a_unique_part_of_the_merchant_or_item_finds_the_case(cli: Cli, add: Any) -> None:
    first = add(merchant="声悦数码旗舰店", item="蓝牙耳机")
    add(merchant="Acme Kitchen", item="Kettle")
    for text in ("声悦", "耳机", "蓝牙耳机"):
        result = cli("status", text, "--json")
        assert result.exit_code == 0, result.output
        assert f'"id": "{first}"' in result.stdout
    assert cli("status", "kettle").exit_code == 0  # case-insensitive
    assert cli("edit", "声悦", "--received", "today").exit_code == 0


def test_an_id_prefix_wins_over_a_name(cli: Cli, add: Any, home: Path) -> None:
    named = add(merchant="abc店")
    other = rename(home, add(merchant="其他"), "abc999")
    assert other != named
    result = cli("status", "abc", "--json")
    assert result.exit_code == 0 and '"id": "abc999"' in result.stdout


def test_a_closed_case_never_makes_a_prefix_ambiguous(cli: Cli, add: Any, home: Path) -> None:
    open_ = rename(home, add(merchant="开"), "kkk222")
    closed = rename(home, add(merchant="关"), "kkk333")
    close(cli, closed)
    result = cli("status", "kkk", "--json")
    assert result.exit_code == 0 and '"id": "kkk222"' in result.stdout
    exact = cli("status", closed, "--json")  # an exact id finds the closed case
    assert exact.exit_code == 0 and '"id": "kkk333"' in exact.stdout
    assert open_ == "kkk222"


def test_a_closed_case_never_makes_a_name_ambiguous(cli: Cli, add: Any) -> None:
    open_ = add(merchant="声悦数码", item="耳机 二代")
    close(cli, add(merchant="声悦数码", item="耳机 一代"))
    result = cli("status", "声悦", "--json")
    assert result.exit_code == 0 and f'"id": "{open_}"' in result.stdout
    only_closed = cli("status", "一代", "--json")  # a name only a closed case has
    assert only_closed.exit_code == 0


def test_ambiguous_names_list_the_open_cases(cli: Cli, add: Any) -> None:
    first = add(merchant="声悦数码", item="耳机", amount="399")
    second = add(merchant="声悦数码", item="音箱", amount="199")
    result = cli("status", "声悦")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{first} 声悦数码 · 耳机 · ¥399.00" in result.stderr
    assert f"{second} 声悦数码 · 音箱 · ¥199.00" in result.stderr


def test_an_unknown_id_lists_the_open_cases_only(cli: Cli, add: Any) -> None:
    open_ = add(merchant="声悦数码", item="耳机", amount="399")
    closed = add(merchant="旧店", item="旧物")
    close(cli, closed)
    result = cli("status", "zzzz")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{open_} 声悦数码 · 耳机 · ¥399.00" in result.stderr
    assert closed not in result.stderr and "旧店" not in result.stderr


def test_at_most_ten_cases_are_listed(home: Path, add: Any) -> None:
    for n in range(12):
        add(merchant=f"店{n}")
    with pytest.raises(NotFound) as caught:
        finder.resolve(Store(home), "zzzz")
    assert caught.value.message.count(" · ") == 20 and caught.value.message.endswith("…")


def test_no_orders_and_no_open_orders_say_so(cli: Cli, add: Any) -> None:
    assert "no orders yet" in cli("status", "zzzz").stderr
    close(cli, add())
    assert "status --all" in cli("status", "zzzz").stderr


def test_the_id_path_reads_no_order_file(
    home: Path, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`status ORDER` with an id or a unique prefix stays as fast as before: no order read."""
    order = add()
    add()
    monkeypatch.setattr(finder, "glance", lambda *args: pytest.fail("read an order"))
    assert finder.resolve(Store(home), order) == order
