"""The facts a dispute turns on, through the command line (cli-contract.md, "Version 2"):
what was asked and refused, compensation, complaint answers, refunds above what is owed, and
corrections and withdrawals that keep the old value in the record."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json

Cli = Callable[..., Any]
DATES = {"purchased": "2026-11-10", "received": "2026-11-12"}


def events(home: Path, order: str) -> list[dict[str, Any]]:
    data = json.loads((home / "orders" / order / "order.json").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = data["events"]
    return found


def case(cli: Cli, order: str, as_of: str = "2026-11-20") -> dict[str, Any]:
    found: dict[str, Any] = status_json(cli, "--all", "--as-of", as_of)["orders"][0]
    assert found["id"] == order
    return found


def test_log_asked_reason_refused_are_stored_and_used(cli: Cli, add: Any, home: Path) -> None:
    order = add(**DATES)
    assert (
        cli(
            "log", order, "contacted-merchant", "--on", "2026-11-13", "--asked", "exchange"
        ).exit_code
        == 0
    )
    result = cli(
        "log",
        order,
        "merchant-refused",
        "--on",
        "2026-11-14",
        "--reason",
        "opened",
        "--refused",
        "return",
    )
    assert result.exit_code == 0, result.output
    first, second = events(home, order)
    assert (first["kind"], first["asked"]) == ("contacted-merchant", "exchange")
    assert (second["reason"], second["refused"]) == ("opened", "return")
    found = case(cli, order)
    windows = {w["rule"]: w for w in found["windows"]}
    assert windows["cn-7day"]["exercised"] == "2026-11-14"  # the refusal proves the request
    assert "saic-9" in found["grounds"] and "cpl-ir-19-3" in found["grounds"]


def test_a_contact_without_asked_is_other_and_a_refusal_without_reason_is_other(
    cli: Cli, add: Any, home: Path
) -> None:
    order = add(**DATES)
    cli("log", order, "contacted-merchant", "--on", "2026-11-13")
    cli("log", order, "merchant-refused", "--on", "2026-11-14")
    first, second = events(home, order)
    assert first["asked"] == "other" and second["reason"] == "other"
    assert case(cli, order)["windows"][0]["exercised"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("contacted-merchant", "--asked", "everything"), "--asked 'everything' is not one of"),
        (("contacted-merchant", "--asked", "unknown"), "kept for old records"),
        (("merchant-replied", "--asked", "return"), "--asked goes only with contacted-merchant"),
        (("merchant-refused", "--reason", "bored"), "--reason 'bored' is not one of"),
        (("contacted-merchant", "--reason", "opened"), "--reason goes only with merchant-refused"),
        (("complaint-answered",), "needs --outcome"),
        (("complaint-answered", "--outcome", "maybe"), "--outcome 'maybe' is not one of"),
        (("compensation-received",), "needs --amount"),
        (("platform-complaint", "--outcome", "upheld"), "--outcome goes only with"),
        (("platform-complaint", "--channel", "fax"), "--channel 'fax' is not one of"),
    ],
)
def test_bad_facts_are_refused_with_one_line_and_nothing_written(
    cli: Cli, add: Any, home: Path, args: tuple[str, ...], message: str
) -> None:
    order = add(**DATES)
    before = snapshot(home)
    result = cli("log", order, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(home) == before


def test_compensation_is_kept_apart_from_refunds(cli: Cli, add: Any, home: Path) -> None:
    order = add(problem="fraud", **DATES)
    assert (
        cli("log", order, "refund-received", "--on", "2026-11-15", "--amount", "399").exit_code == 0
    )
    found = case(cli, order)
    assert found["stage"] != "resolved"  # the compensation is still owed
    assert found["demand"] == {"kind": "fraud", "price": "0.00", "compensation": "1197.00"}
    result = cli("log", order, "compensation-received", "--on", "2026-11-16", "--amount", "1197")
    assert result.exit_code == 0, result.output
    assert events(home, order)[-1]["kind"] == "compensation-received"
    found = case(cli, order)
    assert (found["refunded"], found["compensation_received"]) == ("399.00", "1197.00")
    assert found["stage"] == "resolved" and found["demand"]["kind"] == "nothing"


def test_complaint_answered_moves_the_case_to_the_next_rung(cli: Cli, add: Any, home: Path) -> None:
    order = add(mini_program="声悦数码商城", **DATES)
    cli("log", order, "merchant-refused", "--on", "2026-11-14")
    cli("log", order, "platform-complaint", "--on", "2026-11-15")
    result = cli(
        "log",
        order,
        "complaint-answered",
        "--on",
        "2026-11-17",
        "--channel",
        "wechat-pay",
        "--outcome",
        "rejected",
        "--note",
        "平台认为商家无责",
    )
    assert result.exit_code == 0, result.output
    answer = events(home, order)[-1]
    assert (answer["kind"], answer["channel"], answer["outcome"]) == (
        "complaint-answered",
        "wechat-pay",
        "rejected",
    )
    step = case(cli, order)["next_step"]
    assert step["code"] == "complain-regulator" and "12315" in step["action"]
    letter = cli("draft-complaint", order, "--to", "regulator", "--lang", "zh").stdout
    assert "未支持投诉请求" in letter


def test_a_platform_complaint_takes_its_channel_from_the_facts(
    cli: Cli, add: Any, home: Path
) -> None:
    order = add(platform="taobao", **DATES)
    cli("log", order, "merchant-refused", "--on", "2026-11-14")
    cli("log", order, "platform-complaint", "--on", "2026-11-15")
    assert events(home, order)[-1]["channel"] == "marketplace"


def test_an_answer_takes_the_channel_of_the_complaint_it_answers(
    cli: Cli, add: Any, home: Path
) -> None:
    order = add(platform="taobao", **DATES)
    cli("log", order, "merchant-refused", "--on", "2026-11-14")
    cli("log", order, "platform-complaint", "--on", "2026-11-15", "--channel", "alipay")
    cli("log", order, "complaint-answered", "--on", "2026-11-16", "--outcome", "rejected")
    assert events(home, order)[-1]["channel"] == "alipay"  # not the platform's marketplace


def test_an_answer_with_no_complaint_logged_takes_the_channel_from_the_facts(
    cli: Cli, add: Any, home: Path
) -> None:
    order = add(platform="taobao", **DATES)
    cli("log", order, "complaint-answered", "--on", "2026-11-16", "--outcome", "partial")
    assert events(home, order)[-1]["channel"] == "marketplace"


def test_a_refund_above_what_is_owed_is_refused(cli: Cli, add: Any, home: Path) -> None:
    order = add(**DATES)
    assert (
        cli("log", order, "refund-received", "--on", "2026-11-15", "--amount", "300").exit_code == 0
    )
    before = snapshot(home)
    result = cli("log", order, "refund-received", "--on", "2026-11-16", "--amount", "100")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "more than the 99.00 still owed" in lines[0], result.stderr
    assert "--amount" in lines[0] and "Traceback" not in result.output
    assert snapshot(home) == before
    assert (
        cli("log", order, "refund-received", "--on", "2026-11-16", "--amount", "99").exit_code == 0
    )
    assert case(cli, order)["stage"] == "resolved"


def test_correct_keeps_the_old_value_and_the_rules_use_the_new_one(
    cli: Cli, add: Any, home: Path
) -> None:
    order = add(**DATES)
    cli("log", order, "contacted-merchant", "--on", "2026-11-13", "--note", "问能否退")
    assert case(cli, order)["windows"][0]["exercised"] is None
    result = cli("correct", order, "t1", "--asked", "return", "--why", "聊天记录显示要求退货")
    assert result.exit_code == 0, result.output
    assert "asked other → return" in result.stdout
    (event,) = events(home, order)
    assert event["asked"] == "return"
    (correction,) = event["corrections"]
    assert (correction["field"], correction["old"], correction["new"], correction["why"]) == (
        "asked",
        "other",
        "return",
        "聊天记录显示要求退货",
    )
    assert case(cli, order)["windows"][0]["exercised"] == "2026-11-13"
    assert cli("correct", order, "t1", "--on", "2026-11-20").exit_code == 0
    (event,) = events(home, order)
    assert [c["field"] for c in event["corrections"]] == ["asked", "on"]
    assert event["corrections"][1]["old"] == "2026-11-13"
    assert case(cli, order)["windows"][0]["exercised"] is None  # now too late


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("t1",), 2, "nothing to correct"),
        (("t1", "--asked", "other"), 2, "already says that"),
        (("t9", "--asked", "return"), 2, "has no event 't9'"),
        (("t1", "--reason", "opened"), 2, "--reason goes only with merchant-refused"),
        (("t1", "--on", "2026-11-01"), 2, "before the purchase"),
    ],
)
def test_a_correction_that_cannot_apply_changes_nothing(
    cli: Cli, add: Any, home: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    order = add(**DATES)
    cli("log", order, "contacted-merchant", "--on", "2026-11-13")
    before = snapshot(home)
    result = cli("correct", order, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot(home) == before


def test_withdraw_keeps_the_event_and_the_rules_ignore_it(cli: Cli, add: Any, home: Path) -> None:
    order = add(**DATES)
    cli("log", order, "refund-received", "--on", "2026-11-15", "--amount", "399")
    assert case(cli, order)["stage"] == "resolved"
    result = cli("withdraw", order, "t1", "--why", "记错了，是别的订单的退款")
    assert result.exit_code == 0, result.output
    (event,) = events(home, order)
    assert event["amount"] == "399.00" and event["withdrawn"] is not None
    assert event["withdrawn_why"] == "记错了，是别的订单的退款"
    found = case(cli, order)
    assert found["stage"] == "new" and found["refunded"] == "0.00"
    assert found["demand"]["price"] == "399.00"
    again = cli("withdraw", order, "t1")
    assert again.exit_code == 2 and "already withdrawn" in again.stderr
    # the refund can be logged again, as it is owed again
    assert (
        cli("log", order, "refund-received", "--on", "2026-11-16", "--amount", "399").exit_code == 0
    )
    assert [e["id"] for e in events(home, order)] == ["t1", "t2"]


def test_a_withdrawn_refusal_no_longer_starts_limitation_or_counts_as_a_rung(
    cli: Cli, add: Any
) -> None:
    order = add(**DATES)
    cli("log", order, "merchant-refused", "--on", "2026-11-14")
    assert case(cli, order)["limitation"]["date"] == "2029-11-14"
    cli("withdraw", order, "t1")
    found = case(cli, order)
    assert found["stage"] == "new" and found["limitation"] is None
    shown = cli("status", order).stdout
    assert "WITHDRAWN" in shown  # still in the record, marked


def test_a_full_refund_of_a_prepaid_course_used_in_part_can_be_recorded(cli: Cli, add: Any) -> None:
    """The demand is the unused share, but a merchant that refunds the whole price did so:
    only refunds above what was paid are refused."""
    order = add(category="prepaid-service", units="10", units_used="4", amount="1000", **DATES)
    assert case(cli, order)["demand"]["price"] == "600.00"  # the unused share
    result = cli("log", order, "refund-received", "--on", "2026-11-15", "--amount", "1000")
    assert result.exit_code == 0, result.output
    assert case(cli, order)["stage"] == "resolved"
    extra = cli("log", order, "refund-received", "--on", "2026-11-15", "--amount", "1")
    assert extra.exit_code == 2


def gym(cli: Cli, used: int) -> Any:
    """Seven personal-training sessions bought for ¥700, `used` of them used."""
    return cli(
        "add-order", "--merchant", "健身房", "--item", "私教课", "--amount", "700",
        "--purchased", "2026-11-10", "--category", "prepaid-service",
        "--units", "7", "--units-used", str(used),
    )  # fmt: skip


def test_a_prepaid_service_used_up_is_not_said_to_have_been_paid_back(cli: Cli) -> None:
    result = gym(cli, used=7)
    assert result.exit_code == 0, result.output
    (order,) = status_json(cli, "--all")["orders"]
    action = order["next_step"]["action"]
    assert "Nothing is left to claim" in action and "has come back" not in action


def test_an_edit_refused_by_validation_prints_one_line_and_no_library_warning(
    cli: Cli, home: Path
) -> None:
    gym(cli, used=2)
    (order,) = status_json(cli, "--all")["orders"]
    before = snapshot(home)
    with warnings.catch_warnings():  # a real run prints a warning on stderr: none may come
        warnings.simplefilter("error")
        result = cli("edit", order["id"], "--category", "goods")
    assert result.exit_code == 2, result.output
    assert "Warning" not in result.stderr and "pydantic" not in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(home) == before


@pytest.mark.parametrize("event", ["return-shipped", "return-delivered"])
def test_goods_cannot_go_back_before_they_were_received(
    cli: Cli, add: Any, home: Path, event: str
) -> None:
    order = add(**DATES)  # received 2026-11-12
    before = snapshot(home)
    result = cli("--ui-lang", "zh", "log", order, event, "--on", "2026-11-11")
    assert result.exit_code == 2
    assert "商品于 2026-11-12 签收" in result.stderr and "--on" in result.stderr
    assert snapshot(home) == before
    assert cli("log", order, event, "--on", "2026-11-12").exit_code == 0
