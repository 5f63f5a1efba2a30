"""`refundkit log` through the CLI: every event, partial refunds, and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json

Cli = Callable[..., Any]
TODAY = date.today()
EVENTS = [
    "contacted-merchant",
    "merchant-replied",
    "merchant-refused",
    "return-requested",
    "return-shipped",
    "return-delivered",
    "platform-complaint",
    "regulator-complaint",
    "lawyer-consulted",
    "closed",
]


def events(home: Path, order_id: str) -> list[dict[str, Any]]:
    data = json.loads((home / "orders" / order_id / "order.json").read_text())
    result: list[dict[str, Any]] = data["events"]
    return result


@pytest.mark.parametrize("kind", EVENTS)
def test_each_event_is_recorded(cli: Cli, add: Any, home: Path, kind: str) -> None:
    order_id = add(purchased="5 days ago")
    result = cli("log", order_id, kind, "--on", "yesterday", "--note", "备注 ✓", "--ref", "R-1")
    assert result.exit_code == 0, result.output
    (event,) = events(home, order_id)
    assert event["kind"] == kind and event["on"] == (TODAY - timedelta(days=1)).isoformat()
    assert event["note"] == "备注 ✓" and event["ref"] == "R-1"


def test_events_are_kept_in_date_order(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(purchased="10 days ago")
    cli("log", order_id, "merchant-refused", "--on", "2 days ago")
    cli("log", order_id, "contacted-merchant", "--on", "5 days ago")
    assert [e["kind"] for e in events(home, order_id)] == ["contacted-merchant", "merchant-refused"]
    assert status_json(cli)["orders"][0]["stage"] == "refused"


def test_partial_refunds_add_up(cli: Cli, add: Any) -> None:
    order_id = add(amount="199")
    cli("log", order_id, "refund-received", "--amount", "100")
    assert status_json(cli)["orders"][0]["stage"] == "negotiating"
    cli("log", order_id, "refund-received", "--amount", "¥99.00")
    assert status_json(cli)["orders"][0]["stage"] == "resolved"


def test_platform_complaint_channel_follows_platform_and_payment(
    cli: Cli, add: Any, home: Path
) -> None:
    order_id = add(payment_method="wechat-pay")
    cli("log", order_id, "platform-complaint")
    assert events(home, order_id)[0]["channel"] == "wechat-pay"
    nothing_known = add()
    cli("log", nothing_known, "platform-complaint")
    assert events(home, nothing_known)[0]["channel"] == "other"  # nothing assumed
    taobao = add(platform="taobao", payment_method="alipay")
    cli("log", taobao, "platform-complaint")
    assert events(home, taobao)[0]["channel"] == "marketplace"
    step = next(o for o in status_json(cli)["orders"] if o["id"] == order_id)["next_step"]
    assert step["by"] == (TODAY + timedelta(days=3)).isoformat()
    other = add()
    cli("log", other, "platform-complaint", "--channel", "mini-program")
    assert events(home, other)[0]["channel"] == "mini-program"


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["merchant-refused", "--on", "2099-01-01"], "after today"),
        (["merchant-refused", "--on", "20 days ago"], "before the purchase"),
        (["refund-received"], "--amount"),
        (["refund-received", "--amount", "abc"], "amount"),
        (["merchant-refused", "--amount", "10"], "--amount"),
        (["merchant-refused", "--channel", "wechat-pay"], "--channel"),
        (["merchant-refused", "--on", "03/04/2026"], "ambiguous"),
    ],
)
def test_bad_events_are_refused(cli: Cli, add: Any, home: Path, args: list[str], word: str) -> None:
    order_id = add(purchased="3 days ago")
    before = snapshot(home)
    result = cli("log", order_id, *args)
    assert result.exit_code == 2, result.output
    assert word in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(home) == before


def test_unknown_event_is_a_usage_error(cli: Cli, add: Any, home: Path) -> None:
    order_id = add()
    before = snapshot(home)
    assert cli("log", order_id, "sued").exit_code == 2
    assert snapshot(home) == before


def test_status_detail_shows_timeline_and_next_step(cli: Cli, add: Any) -> None:
    order_id = add(received="yesterday", purchased="2 days ago")
    cli("log", order_id, "merchant-refused", "--note", "已拆封不退")
    result = cli("status", order_id)
    assert "merchant refused" in result.stdout and "已拆封不退" in result.stdout
    assert "Next step" in result.stdout and "platform" in result.stdout


def test_an_event_is_found_by_its_number_and_the_list_names_the_events(
    cli: Any, add: Any, home: Path
) -> None:
    order_id = add(purchased="2026-11-10", received="2026-11-12")
    cli("log", order_id, "contacted-merchant", "--asked", "return", "--on", "2026-11-13")
    assert cli("withdraw", order_id, "1").exit_code == 0  # 1 is t1
    missing = cli("--ui-lang", "zh", "withdraw", order_id, "t9")
    assert missing.exit_code == 2
    assert "t1（联系商家" in missing.stderr and "contacted-merchant" not in missing.stderr
