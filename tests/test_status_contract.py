"""`status --json` against the contract (cli-contract.md, "status --json" and "Version 2"), and
the overview and `status ORDER` telling the same next step."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from conftest import status_json
from refundkit import plain
from refundkit.rules import assess
from rules_cases import case, ev

Cli = Callable[..., Any]
RULES = {
    "cn": ["cn-7day", "cn-prepaid-7day", "promise", "cn-defect-7day"],
    "eu": ["eu-14day", "eu-guarantee", "promise"],
    "uk": ["uk-14day", "uk-30day-reject", "uk-repair-replace", "promise"],
    "us": ["promise"],
}
WINDOW_KEYS = {"rule", "state", "start", "deadline", "days_left", "basis", "exercised"}
ORDER_KEYS = {
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
}
DATES = {"purchased": "2026-11-10", "received": "2026-11-12"}


@pytest.mark.parametrize("jurisdiction", list(RULES))
@pytest.mark.parametrize("problem", ["changed-mind", "defective"])
def test_every_rule_of_the_jurisdiction_is_listed_and_every_window_has_exercised(
    cli: Cli, add: Any, jurisdiction: str, problem: str
) -> None:
    add(jurisdiction=jurisdiction, problem=problem, **DATES)
    data = status_json(cli, "--as-of", "2026-11-14")
    (found,) = data["orders"]
    assert set(found) >= ORDER_KEYS
    assert [w["rule"] for w in found["windows"]] == RULES[jurisdiction]
    for w in found["windows"]:
        assert set(w) >= WINDOW_KEYS, w
        assert w["exercised"] is None
        assert w["state"] in ("not-started", "open", "expired", "not-applicable")
        assert isinstance(w["basis"], str) and w["basis"]
        if w["deadline"] is not None:
            assert w["days_left"] == (date.fromisoformat(w["deadline"]) - date(2026, 11, 14)).days
    assert set(found["next_step"]) >= {"action", "by"}


def test_exercised_is_the_date_of_the_first_timely_request(cli: Cli, add: Any) -> None:
    order = add(**DATES)
    cli("log", order, "contacted-merchant", "--on", "2026-11-11", "--asked", "delivery")
    cli("log", order, "contacted-merchant", "--on", "2026-11-15", "--asked", "return")
    windows = {
        w["rule"]: w for w in status_json(cli, "--as-of", "2026-11-25")["orders"][0]["windows"]
    }
    assert windows["cn-7day"]["exercised"] == "2026-11-15"
    assert windows["cn-7day"]["state"] == "expired"
    assert windows["promise"]["exercised"] is None


def test_overview_and_status_order_give_the_same_step_after_a_wechat_pay_complaint(
    cli: Cli, add: Any
) -> None:
    order = add(mini_program="声悦数码商城", **DATES)
    assert cli("log", order, "merchant-refused", "--on", "2026-11-14").exit_code == 0
    assert cli("log", order, "platform-complaint", "--on", "2026-11-30").exit_code == 0
    overview = status_json(cli, "--as-of", "2026-12-10")["orders"][0]["next_step"]
    single = json.loads(cli("status", order, "--json", "--as-of", "2026-12-10").stdout)
    single_step = (single["orders"][0] if "orders" in single else single)["next_step"]
    assert overview == single_step
    assert (overview["code"], overview["by"], overview["overdue"]) == (
        "await-platform",
        "2026-12-03",
        True,
    )
    table = cli("status", "--as-of", "2026-12-10").stdout
    full = cli("status", order, "--as-of", "2026-12-10").stdout
    for text in (table, full):
        assert "2026-12-03" in text and "12315" in text, text
        assert "await WeChat Pay outcome by" not in text


def test_a_step_past_its_date_is_overdue(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that the step's cell does not fold
    order = add(**DATES)
    cli("log", order, "return-requested", "--on", "2026-11-13")
    before = status_json(cli, "--as-of", "2026-11-28")["orders"][0]["next_step"]
    after = status_json(cli, "--as-of", "2026-11-29")["orders"][0]["next_step"]
    late = status_json(cli, "--as-of", "2026-11-30")["orders"][0]["next_step"]
    assert before["by"] == after["by"] == late["by"] == "2026-11-28"
    assert (before["overdue"], after["overdue"], late["overdue"]) == (False, True, True)
    assert "was due 2026-11-28" in cli("status", "--as-of", "2026-11-30").stdout


def test_an_exercised_window_is_not_shown_as_a_red_expired_one(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = add(**DATES)
    cli("log", order, "contacted-merchant", "--on", "2026-11-15", "--asked", "return")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    shown = cli("status", "--as-of", "2026-12-10").stdout
    assert "used 2026-11-15" in shown
    red = "\x1b[31m"
    assert not any(red in line and order in line for line in shown.splitlines()), shown
    a = assess(
        case(ev("contacted-merchant", date(2026, 11, 15), asked="return")), date(2026, 12, 10)
    )
    best = a.best_window
    assert best is not None and best.state.value == "expired"
    assert plain.urgency_style(best) != "red"
    assert plain.deadline_text(best) == "used 2026-11-15"
    expired = assess(case(), date(2026, 12, 10)).best_window
    assert plain.urgency_style(expired) == "red"  # an unused, ended window stays red
    full = cli("status", order, "--as-of", "2026-12-10").stdout
    assert "exercised on 2026-11-15" in full


# Only these fields hold words for a person and follow the interface's language.
WORDED = {"windows": ("basis", "notes"), "next_step": ("action", "reason", "notes")}


def _unworded(data: dict[str, Any]) -> dict[str, Any]:
    """data without the fields the contract lets follow the language."""
    orders = []
    for order in data["orders"]:
        order = {**order, "next_step": dict(order["next_step"]), "windows": list(order["windows"])}
        for key in WORDED["next_step"]:
            order["next_step"].pop(key, None)
        order["windows"] = [
            {k: v for k, v in w.items() if k not in WORDED["windows"]} for w in order["windows"]
        ]
        orders.append(order)
    damaged = [{k: v for k, v in d.items() if k != "error"} for d in data.get("damaged", [])]
    return {**data, "orders": orders, "damaged": damaged}


def test_json_never_changes_with_the_language(cli: Cli, add: Any, home: Any) -> None:
    """Every key and value but the contract's worded fields is the same in English and Chinese,
    for cases with every kind of notice and for a damaged file; the notices are codes there,
    and their words are printed by `status` alone."""
    defective = add(problem="defective", **DATES)  # details-missing
    assert cli("log", defective, "merchant-refused", "--on", "2026-11-14").exit_code == 0
    prepaid = add(category="prepaid-service", purchased="2026-11-10")  # prepaid-units-missing
    add(jurisdiction="eu", currency="EUR", problem="not-as-described", **DATES)
    broken = add(**DATES)
    (home / "orders" / broken / "order.json").write_text("{", encoding="utf-8")
    for args in [(), (defective,), (prepaid,)]:
        shown = {
            language: cli("--ui-lang", language, "status", *args, "--json", "--as-of", "2026-11-20")
            for language in ("en", "zh")
        }
        assert {r.exit_code for r in shown.values()} <= {0, 1}
        en, zh = (json.loads(shown[language].stdout) for language in ("en", "zh"))
        assert _unworded(en) == _unworded(zh)
    notices = {o["id"]: o["notices"] for o in status_json(cli, "--as-of", "2026-11-20")["orders"]}
    assert notices[defective] == [
        {"code": "refused-what-unknown", "event": "t1", "on": "2026-11-14"},
        {"code": "details-missing", "private_note": False},
    ]
    assert notices[prepaid] == [{"code": "prepaid-units-missing"}]
    table = cli("--ui-lang", "zh", "status", "--as-of", "2026-11-20").stdout
    assert f"refundkit correct {defective} t1 --refused return" in table  # words: the table's
