"""add-order, edit, status, profile and demo through the CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json

TODAY = date.today()
Cli = Callable[..., Any]


def test_add_order_prints_id_and_window(cli: Cli) -> None:
    received = (TODAY - timedelta(days=2)).isoformat()
    result = cli(
        "add-order",
        "--merchant",
        "声悦数码旗舰店",
        "--item",
        "蓝牙耳机 🎧",
        "--amount",
        "¥1,299.00",
        "--purchased",
        "3 days ago",
        "--received",
        received,
    )
    assert result.exit_code == 0, result.output
    assert "Recorded order" in result.stdout
    assert "7-day no-reason return" in result.stdout and "5 days left" in result.stdout
    assert result.stderr == ""


def test_order_is_stored_as_readable_json_with_schema_version(
    cli: Cli, add: Any, home: Path
) -> None:
    order_id = add(note="第一次网购 😀")
    path = home / "orders" / order_id / "order.json"
    text = path.read_text(encoding="utf-8")
    assert "声悦数码旗舰店" in text and "😀" in text  # not \u-escaped
    data = json.loads(text)
    assert data["schema_version"] == 2 and data["amount"] == "399.00"


def test_status_json_has_the_contract_shape(cli: Cli, add: Any) -> None:
    order_id = add(
        received="yesterday", purchased="2 days ago", order_no="SY-1", payment_method="wechat-pay"
    )
    data = status_json(cli)
    assert data["as_of"] == TODAY.isoformat()
    (order,) = data["orders"]
    for key in (
        "id",
        "merchant",
        "item",
        "amount",
        "currency",
        "purchased",
        "received",
        "category",
        "problem",
        "stage",
        "windows",
        "missing_evidence",
        "next_step",
    ):
        assert key in order
    assert order["id"] == order_id and order["amount"] == "399.00" and order["currency"] == "CNY"
    assert order["received"] == (TODAY - timedelta(days=1)).isoformat()
    assert order["stage"] == "new"
    assert order["missing_evidence"] == ["order", "chat", "payment"]
    assert set(order["next_step"]) >= {"action", "by"}
    rules = {w["rule"]: w for w in order["windows"]}
    assert set(rules) == {"cn-7day", "cn-prepaid-7day", "promise", "cn-defect-7day"}
    seven = rules["cn-7day"]
    keys = {"rule", "state", "start", "deadline", "days_left", "basis", "exercised"}
    assert set(seven) >= keys and seven["exercised"] is None
    assert seven["state"] == "open" and seven["days_left"] == 6
    assert rules["promise"]["state"] == "not-applicable"


def test_status_as_of_leaves_out_later_facts(cli: Cli, add: Any) -> None:
    add(purchased="10 days ago", received="2 days ago")
    earlier = (TODAY - timedelta(days=5)).isoformat()
    (order,) = status_json(cli, "--as-of", earlier)["orders"]
    assert order["received"] is None
    assert {w["rule"]: w for w in order["windows"]}["cn-7day"]["state"] == "not-started"
    assert status_json(cli, "--as-of", (TODAY - timedelta(days=11)).isoformat())["orders"] == []


def test_status_single_order_by_prefix(cli: Cli, add: Any) -> None:
    order_id = add(received="today")
    result = cli("status", order_id[:3])
    assert result.exit_code == 0, result.output
    assert "Return windows" in result.stdout and "Art. 25" in result.stdout
    data = json.loads(cli("status", order_id[:4], "--json").stdout)
    assert data["orders"][0]["id"] == order_id


def test_status_table_shows_chinese_text(cli: Cli, add: Any) -> None:
    add(received="today")
    result = cli("status")
    assert result.exit_code == 0
    assert "声悦数码旗舰店" in result.stdout and "¥399.00" in result.stdout


def test_status_on_empty_folder(cli: Cli) -> None:
    result = cli("status")
    assert result.exit_code == 0 and "No open cases" in result.stdout
    assert status_json(cli) == {"as_of": TODAY.isoformat(), "orders": []}


def test_closed_cases_only_with_all(cli: Cli, add: Any) -> None:
    order_id = add()
    cli("log", order_id, "closed")
    assert status_json(cli)["orders"] == []
    assert [o["id"] for o in status_json(cli, "--all")["orders"]] == [order_id]


def test_edit_sets_received(cli: Cli, add: Any) -> None:
    order_id = add(purchased="3 days ago")
    result = cli("edit", order_id, "--received", "yesterday")
    assert result.exit_code == 0, result.output
    (order,) = status_json(cli)["orders"]
    assert order["received"] == (TODAY - timedelta(days=1)).isoformat()


def test_profile_sets_and_shows(cli: Cli) -> None:
    result = cli("profile", "--name", "张三", "--phone", "13800138000", "--language", "zh")
    assert result.exit_code == 0, result.output
    shown = cli("profile")
    assert "张三" in shown.stdout and "13800138000" in shown.stdout


def test_profile_jurisdiction_is_the_default(cli: Cli, add: Any) -> None:
    cli("profile", "--jurisdiction", "uk")
    add(received="today")
    (order,) = status_json(cli)["orders"]
    assert order["windows"][0]["rule"] == "uk-14day"


def test_promise_and_category_options(cli: Cli, add: Any) -> None:
    add(category="prepaid-service", promise_days="30", purchased="today")
    (order,) = status_json(cli)["orders"]
    rules = {w["rule"]: w for w in order["windows"]}
    assert rules["cn-prepaid-7day"]["state"] == "open"
    assert rules["promise"]["deadline"] == (TODAY + timedelta(days=30)).isoformat()
    assert rules["cn-7day"]["state"] == "not-applicable"


BAD_ADD = [
    (["--amount", "abc"], "amount"),
    (["--amount", "0"], "amount"),
    (["--amount", "-3"], "amount"),
    (["--amount", "1.999"], "amount"),
    (["--purchased", "03/04/2026"], "ambiguous"),
    (["--purchased", "2099-01-01"], "after today"),
    (["--received", "2099-01-01"], "after today"),
    (["--purchased", "2026-02-30"], "no such date"),
    (["--purchased", "today", "--received", "2 days ago"], "before the purchase"),
    (["--currency", "RBM"], "ISO 4217"),
    (["--merchant", "bad\x00name"], "control character"),
    (["--merchant", "   "], "merchant"),
]


@pytest.mark.parametrize(("extra", "word"), BAD_ADD)
def test_bad_input_is_one_line_exit_2_nothing_written(
    cli: Cli, add: Any, home: Path, extra: list[str], word: str
) -> None:
    add()
    before = snapshot(home)
    args = {"--merchant": "店", "--item": "物品", "--amount": "10"}
    for key, value in zip(extra[::2], extra[1::2], strict=True):
        args[key] = value
    flat = [x for pair in args.items() for x in pair]
    result = cli("add-order", *flat)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and word in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert snapshot(home) == before


@pytest.mark.parametrize(
    "args",
    [
        ["--category", "shoes"],
        ["--payment-method", "bitcoin"],
        ["--jurisdiction", "fr"],
        ["--promise-days", "0"],
        ["--promise-days", "x"],
    ],
)
def test_bad_choices_are_usage_errors(cli: Cli, home: Path, args: list[str]) -> None:
    result = cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1", *args)
    assert result.exit_code == 2
    assert not (home / "orders").exists() or not any((home / "orders").iterdir())


def test_missing_required_without_terminal_is_an_error(cli: Cli, home: Path) -> None:
    result = cli("add-order", "--item", "x", "--amount", "1")
    assert result.exit_code == 2
    assert "--merchant is required" in result.stderr
    assert not home.exists()


@pytest.mark.parametrize(
    "args",
    [["edit", "zzzz", "--received", "today"], ["status", "zzzz"], ["edit", "ORDER"]],
)
def test_unknown_order_is_an_error(cli: Cli, add: Any, args: list[str]) -> None:
    add()
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error:")


def test_ambiguous_prefix_lists_candidates(cli: Cli, home: Path, add: Any) -> None:
    first = add()
    second = add()
    common = os.path.commonprefix([first, second])
    result = cli("status", common) if common else None
    if result is None:  # no common prefix: rename one to force a clash
        (home / "orders" / second).rename(home / "orders" / (first[0] + "zzzzz"))
        second = first[0] + "zzzzz"
        result = cli("status", first[0])
    assert result.exit_code == 2
    assert first in result.stderr and second in result.stderr


def test_edit_to_invalid_state_changes_nothing(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(purchased="yesterday")
    before = snapshot(home)
    result = cli("edit", order_id, "--received", "3 days ago")
    assert result.exit_code == 2 and "before the purchase" in result.stderr
    assert snapshot(home) == before


def test_edit_keeps_the_timeline_in_order(cli: Cli, add: Any, home: Path) -> None:
    """Before, `edit --purchased` could move the purchase after logged events."""
    order_id = add(purchased="10 days ago", received="2 days ago")
    assert cli("log", order_id, "contacted-merchant", "--on", "6 days ago").exit_code == 0
    before = snapshot(home)
    for args in (["--purchased", "5 days ago"], ["--purchased", "3 days ago"]):
        result = cli("edit", order_id, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("\n") == 1 and "t1" in result.stderr, result.stderr
    result = cli("edit", order_id, "--received", "11 days ago")  # before the purchase
    assert result.exit_code == 2 and "before the purchase" in result.stderr
    assert snapshot(home) == before
    assert cli("edit", order_id, "--purchased", "6 days ago").exit_code == 0
    assert cli("edit", order_id, "--purchased", "20 days ago").exit_code == 0  # earlier is fine


def test_bad_as_of(cli: Cli) -> None:
    result = cli("status", "--as-of", "someday")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_data_folder_is_owner_only(add: Any, home: Path, cli: Cli) -> None:
    add()
    cli("profile", "--name", "张三")
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_damaged_order_does_not_hide_the_others(cli: Cli, add: Any, home: Path) -> None:
    good = add()
    bad = add()
    path = home / "orders" / bad / "order.json"
    path.write_text('{"schema_version": 1, "id": ', encoding="utf-8")
    before = path.read_bytes()
    result = cli("status", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [o["id"] for o in data["orders"]] == [good]
    assert data["damaged"][0]["id"] == bad and data["damaged"][0]["path"] == str(path)
    table = cli("status")
    assert table.exit_code == 1 and str(path) in table.stdout.replace("\n", "")
    assert path.read_bytes() == before


def test_newer_schema_is_refused_not_rewritten(cli: Cli, add: Any, home: Path) -> None:
    order_id = add()
    path = home / "orders" / order_id / "order.json"
    data = json.loads(path.read_text())
    data["schema_version"] = 99
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    result = cli("edit", order_id, "--note", "x")
    assert result.exit_code != 0 and "newer" in result.stderr
    assert "newer" in status_json(cli)["damaged"][0]["error"]
    assert path.read_bytes() == before


def test_demo_builds_a_case_and_shows_it(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--folder", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "声悦数码旗舰店" in result.stdout and "Next step" in result.stdout
    assert (tmp_path / "demo" / "orders").is_dir()


def test_version_and_help(cli: Cli) -> None:
    assert cli("--version").stdout.startswith("refundkit ")
    for name in ("add-order", "edit", "status", "profile", "demo"):
        result = cli(name, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout


def test_python_dash_m_and_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "REFUNDKIT_HOME": str(tmp_path / "h")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "refundkit",
            "add-order",
            "--merchant",
            "m",
            "--item",
            "i",
            "--amount",
            "abc",
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: cannot read amount 'abc': use a number like 199, 199.50 or ¥199"
    )


def test_home_that_is_a_file_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    for args in (["status"], ["add-order", "--merchant", "m", "--item", "i", "--amount", "1"]):
        result = cli("--home", str(not_a_folder), *args)
        assert result.exit_code == 2 and result.stderr.startswith("error:"), result.output
    assert not_a_folder.read_text() == "x"


def test_order_copied_to_another_folder_is_damaged_not_saved_elsewhere(
    cli: Cli, add: Any, home: Path
) -> None:
    order_id = add()
    copy = home / "orders" / "copy2"
    copy.mkdir()
    (copy / "order.json").write_bytes((home / "orders" / order_id / "order.json").read_bytes())
    data = status_json(cli)
    assert [d["id"] for d in data["damaged"]] == ["copy2"]
    assert "does not match" in data["damaged"][0]["error"]


def test_currency_sign_sets_or_contradicts_the_currency(cli: Cli, add: Any, home: Path) -> None:
    add(amount="€45")
    assert status_json(cli)["orders"][0]["currency"] == "EUR"
    before = snapshot(home)
    result = cli(
        "add-order", "--merchant", "m", "--item", "i", "--amount", "¥45", "--currency", "EUR"
    )
    assert result.exit_code == 2 and "CNY" in result.stderr
    assert snapshot(home) == before


def test_unknown_prefix_lists_the_ids(cli: Cli, add: Any) -> None:
    first, second = add(), add()
    result = cli("status", "zzzz")
    assert result.exit_code == 2 and first in result.stderr and second in result.stderr


def test_damaged_error_does_not_repeat_the_path(cli: Cli, add: Any, home: Path) -> None:
    bad = add()
    path = home / "orders" / bad / "order.json"
    path.write_text("{")
    (damaged,) = status_json(cli)["damaged"]
    assert damaged["path"] == str(path) and str(path) not in damaged["error"]


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("20 Nov 2025 3pm", "15:00:00"),
        ("2025-11-20 12am", "00:00:00"),
        ("2025-11-20 9 am", "09:00:00"),
    ],
)
def test_a_time_said_with_am_or_pm_is_kept(
    cli: Cli, add: Any, home: Path, said: str, kept: str
) -> None:
    order_id = add(purchased=said)
    order = json.loads((home / "orders" / order_id / "order.json").read_text())
    assert order["purchased"] == "2025-11-20" and order["purchased_time"] == kept


def test_an_hour_without_minutes_is_refused_not_dropped(cli: Cli, home: Path) -> None:
    args = ["--merchant", "店", "--item", "耳机", "--amount", "5", "--purchased", "2025-11-20 15"]
    result = cli("add-order", *args)
    assert result.exit_code == 2 and "no minutes" in result.stderr and "15:00" in result.stderr
    assert snapshot(home) == {}


def test_the_next_steps_date_is_said_once_and_overdue_only_after_it(cli: Any, add: Any) -> None:
    order_id = add(purchased="2026-11-10", received="2026-11-12")
    cli("log", order_id, "contacted-merchant", "--asked", "return", "--on", "2026-11-13")
    cli("log", order_id, "merchant-refused", "--on", "2026-11-14")
    cli("log", order_id, "platform-complaint", "--channel", "wechat-pay", "--on", "2026-11-15")
    waiting = cli("--no-pager", "status", order_id, "--as-of", "2026-11-16").stdout
    assert "Next step: Await the outcome" in waiting and waiting.count("2026-11-18") >= 1
    assert "Next step (by 2026-11-18)" not in waiting  # the action already says it
    late = cli("--no-pager", "status", order_id, "--as-of", "2026-11-20").stdout
    assert "Next step (was due by 2026-11-18, now overdue)" in late
    assert "overdue since" not in late


def test_an_exercised_window_counts_no_days_left(cli: Any, add: Any) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    cli("log", order_id, "contacted-merchant", "--asked", "return", "--on", "yesterday")
    shown = cli("edit", order_id, "--details", "坏了").stdout
    line = next(x for x in shown.splitlines() if "7-day no-reason return" in x)
    assert "exercised on" in line and "left" not in line
