"""`refundkit demo`: an example whose facts agree with each other, in one folder that each run
rebuilds (and removes only when it is surely the demo's), with its path and how to remove it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def test_the_demo_facts_agree(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "demo"
    assert cli("demo", "--folder", str(home)).exit_code == 0
    (folder,) = (home / "orders").iterdir()
    order = json.loads((folder / "order.json").read_text())
    purchased = date.fromisoformat(order["purchased"])
    stamp = f"{purchased:%Y%m%d}"
    assert order["order_no"] == f"SY{stamp}0001"
    assert len(order["transaction_id"]) == 28 and stamp in order["transaction_id"]
    chat = next((folder / "evidence").glob("e2-*")).read_text()
    voucher = next((folder / "evidence").glob("e3-*")).read_text()
    assert order["order_no"] in chat and order["transaction_id"] in voucher
    asked, refused = (e["on"] for e in order["events"])
    assert asked in chat and refused in chat
    assert order["received"] >= order["purchased"] and order["details"]
    assert [e["asked"] for e in order["events"]][:1] == ["return"]


def test_each_run_rebuilds_one_folder_and_says_how_to_remove_it(cli: Cli, temp: Path) -> None:
    first = cli("demo")
    second = cli("demo")
    assert first.exit_code == 0 and second.exit_code == 0
    (folder,) = temp.iterdir()
    assert folder.name.startswith("refundkit-demo")
    assert len(list((folder / "orders").iterdir())) == 1  # rebuilt, not added to
    assert f"rm -rf {folder}" in second.stdout
    assert f"refundkit --home {folder} status" in second.stdout


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="owner check")
def test_a_folder_that_is_not_the_demos_is_never_removed(cli: Cli, temp: Path) -> None:
    taken = temp / f"refundkit-demo-{os.getuid()}"
    taken.mkdir()
    (taken / "mine.txt").write_text("not the demo's")
    result = cli("demo")
    assert result.exit_code == 0
    assert (taken / "mine.txt").read_text() == "not the demo's"
    shown = re.search(r"Example data folder: (\S+)", result.stdout)
    assert shown and Path(shown[1]) != taken and Path(shown[1]).parent == temp
