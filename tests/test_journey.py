"""The guided journey in a terminal (cli/ask.py, cli/journey.py): add-order, edit, profile,
add-evidence and log ask for what they need; a bad answer is asked again; Ctrl-C and the end
of input leave without writing anything. Driven through CliRunner with `input=`, the terminal
check patched (a pty test at the end drives the real prompt, line editing included)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY, snapshot, status_json

Cli = Callable[..., Any]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("refundkit.cli.interactive", lambda: True)


def lines(*answers: str) -> str:
    return "".join(f"{a}\n" for a in answers)


def only_order(cli: Cli) -> dict[str, Any]:
    (order,) = status_json(cli, "--all")["orders"]
    return order


def test_add_order_asks_every_fact_with_defaults(cli: Cli, terminal: None, home: Path) -> None:
    result = cli(
        "add-order",
        input=lines(
            "声悦数码旗舰店",  # merchant
            "蓝牙耳机",  # item
            "399块",  # amount, as people write it
            "三天前",  # purchased
            "",  # category: Enter keeps goods
            "昨天",  # received (asked for goods, not for a service)
            "质量问题",  # problem, by its Chinese name
            "左耳有电流声",  # details
            "淘宝",  # platform
            "2",  # payment method, by its number (alipay)
            "",  # its transaction number (asked for WeChat Pay and Alipay): skipped
            "TB20261120001",  # the platform's order number
        ),
    )
    assert result.exit_code == 0, result.output
    order = only_order(cli)
    assert (order["merchant"], order["item"], order["amount"]) == (
        "声悦数码旗舰店",
        "蓝牙耳机",
        "399.00",
    )
    assert order["purchased"] == (TODAY - timedelta(days=3)).isoformat()
    assert order["received"] == (TODAY - timedelta(days=1)).isoformat()
    assert (order["category"], order["problem"]) == ("goods", "defective")
    record = json.loads(next((home / "orders").glob("*/order.json")).read_text())
    assert record["order_no"] == "TB20261120001" and record.get("transaction_id") is None
    assert "Payment transaction number" in result.stdout
    assert "e.g." in result.stdout and "[Enter: today]" in result.stdout
    assert re.search(r" 2  Alipay\n", result.stdout)  # numbered, named; the code is the name
    assert re.search(r" 4  JD\.com +jd\n", result.stdout)  # else the code beside it


def test_a_service_is_not_asked_when_it_was_signed_for(cli: Cli, terminal: None) -> None:
    result = cli(
        "add-order", input=lines("健身房", "私教课", "3000", "昨天", "预付式消费", *[""] * 5)
    )
    assert result.exit_code == 0, result.output
    assert "signed for" not in result.stdout
    assert only_order(cli)["category"] == "prepaid-service"


def test_enter_accepts_every_default(cli: Cli, terminal: None, home: Path) -> None:
    result = cli("add-order", input=lines("店", "物品", "10", *[""] * 7))
    assert result.exit_code == 0, result.output
    order = only_order(cli)
    assert order["purchased"] == TODAY.isoformat() and order["received"] is None
    assert (order["category"], order["problem"]) == ("goods", "changed-mind")
    record = json.loads(next((home / "orders").glob("*/order.json")).read_text())
    assert record["platform"] is None and record["payment_method"] is None


def test_a_bad_answer_is_asked_again_and_nothing_is_lost(cli: Cli, terminal: None) -> None:
    result = cli(
        "add-order",
        input=lines(
            "店",
            "物品",
            "abc",
            "399元",  # a bad amount, then a good one
            "2099-01-01",
            "",  # a future purchase, then today
            "xyz",
            "1",  # an unknown category, then goods by number
            "",  # not received yet
            "99",
            "欺诈",  # a number not on the list, then a name
            "",
            "",
            "",
        ),  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4, result.stderr
    assert "cannot read amount 'abc'" in errors[0] and "after today" in errors[1]
    assert "'xyz' is not on the list" in errors[2] and "1 to" in errors[3]
    assert "--category" not in result.stderr  # an answer to a question, not an option
    order = only_order(cli)
    assert (order["amount"], order["problem"]) == ("399.00", "fraud")


def test_a_receipt_before_the_purchase_is_asked_again(cli: Cli, terminal: None) -> None:
    result = cli(
        "add-order", input=lines("店", "物品", "10", "昨天", "", "三天前", "今天", *[""] * 4)
    )
    assert result.exit_code == 0, result.output
    assert "before the purchase" in result.stderr
    assert only_order(cli)["received"] == TODAY.isoformat()


def test_options_given_are_not_asked(cli: Cli, terminal: None) -> None:
    result = cli(
        "add-order", "--merchant", "店", "--problem", "defective", "--platform", "jd",
        "--payment-method", "alipay", "--received", "today", "--details", "坏了",
        input=lines("物品", "10", "", "", "", ""),  # then the transaction and order numbers
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Merchant" not in result.stdout and "What is wrong" not in result.stdout
    assert only_order(cli)["problem"] == "defective"


def test_all_required_given_asks_nothing(cli: Cli, terminal: None) -> None:
    result = cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1", input="")
    assert result.exit_code == 0, result.output
    assert "[Enter" not in result.stdout


def test_end_of_input_leaves_without_writing(cli: Cli, terminal: None, home: Path) -> None:
    before = snapshot(home)
    result = cli("add-order", input=lines("店", "物品"))
    assert result.exit_code == 1
    assert "nothing was recorded" in result.stderr
    assert snapshot(home) == before


def test_ctrl_c_leaves_with_130_without_writing(
    cli: Cli, terminal: None, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["店", "物品"])

    def typed(prompt: str = "") -> str:
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr("builtins.input", typed)
    before = snapshot(home)
    result = cli("add-order")
    assert result.exit_code == 130
    assert "interrupted: nothing was recorded" in result.stderr
    assert snapshot(home) == before


def test_without_a_terminal_nothing_is_asked(cli: Cli) -> None:
    result = cli("add-order", "--merchant", "m", input=lines("i", "1"))
    assert result.exit_code == 2
    assert "--item is required (no terminal to ask in)" in result.stderr


# --- add-evidence and log -------------------------------------------------------------------


def test_add_evidence_asks_for_the_file_and_kind(
    cli: Cli, add: Any, terminal: None, tmp_path: Path
) -> None:
    order = add()
    proof = tmp_path / "聊天 记录.png"
    proof.write_bytes(b"chat")
    result = cli(
        "add-evidence",
        order,
        input=lines(
            str(tmp_path / "nothing.png"), f"'{proof}'", "", "截图", "聊天记录", "客服拒绝"
        ),
    )
    assert result.exit_code == 0, result.output
    assert "no such file" in result.stderr and "could mean" in result.stderr
    assert "an answer is needed here" in result.stderr  # the kind cannot be skipped
    assert re.search(r" 2  chat records +chat\n", result.stdout)  # numbered, by name
    case = json.loads(cli("status", order, "--json").stdout)["orders"][0]
    assert "chat" not in case["missing_evidence"]


def test_a_file_that_is_not_there_is_said_before_any_question(
    cli: Cli, add: Any, terminal: None, tmp_path: Path
) -> None:
    order = add()
    result = cli("add-evidence", order, str(tmp_path / "没有.png"), input=lines("chat", "x"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no such file")
    assert "What does it show" not in result.stdout + result.stderr


def test_add_evidence_without_a_terminal_names_what_is_missing(
    cli: Cli, add: Any, tmp_path: Path
) -> None:
    order = add()
    proof = tmp_path / "x.png"
    proof.write_bytes(b"x")
    no_file = cli("add-evidence", order, "--kind", "chat")
    assert no_file.exit_code == 2 and "give the file(s)" in no_file.stderr
    no_kind = cli("add-evidence", order, str(proof))
    assert no_kind.exit_code == 2 and "chat records (chat)" in no_kind.stderr
    assert no_kind.stderr.count("\n") == 1


def test_log_asks_for_the_event_and_what_it_needs(cli: Cli, add: Any, terminal: None) -> None:
    order = add(purchased="3 days ago")
    result = cli("log", order, input=lines("联系商家", "退货", "昨天", "申请退货"))
    assert result.exit_code == 0, result.output
    refused = cli("log", order, "merchant-refused", input=lines("已拆封"))
    assert refused.exit_code == 0, refused.output
    refund = cli("log", order, input=lines("退款到账", "abc", "100", "", ""))
    assert refund.exit_code == 0, refund.output
    assert "cannot read amount" in refund.stderr
    data = json.loads(cli("status", order, "--json").stdout)["orders"][0]
    assert data["stage"] == "refused"
    record = next(Path(os.environ["REFUNDKIT_HOME"]).glob("orders/*/order.json"))
    events = json.loads(record.read_text())["events"]
    assert [(e["kind"], e.get("asked"), e.get("reason")) for e in events] == [
        ("contacted-merchant", "return", None),
        ("merchant-refused", None, "opened"),
        ("refund-received", None, None),
    ]
    assert events[0]["on"] == (TODAY - timedelta(days=1)).isoformat()


def test_log_without_event_and_no_terminal_lists_the_events(cli: Cli, add: Any) -> None:
    result = cli("log", add())
    assert result.exit_code == 2
    assert "contacted the merchant (contacted-merchant)" in result.stderr


# --- edit and profile fill in what is missing ------------------------------------------------


def test_edit_with_no_option_asks_for_what_is_missing(
    cli: Cli, add: Any, terminal: None, home: Path
) -> None:
    order = add(payment_method="alipay", purchased="3 days ago")
    answers = ("昨天", "左耳有电流声", "", "", "", "深圳市南山区", "", "")
    result = cli("edit", order, input=lines(*answers))
    assert result.exit_code == 0, result.output
    record = json.loads((home / "orders" / order / "order.json").read_text())
    assert record["received"] == (TODAY - timedelta(days=1)).isoformat()
    assert record["details"] == "左耳有电流声"
    assert record["merchant_address"] == "深圳市南山区" and record["order_no"] is None
    assert "How it was paid" not in result.stdout  # recorded already: not asked


def test_edit_with_nothing_entered_changes_nothing(
    cli: Cli, add: Any, terminal: None, home: Path
) -> None:
    order = add()
    before = snapshot(home)
    result = cli("edit", order, input=lines(*[""] * 12))
    assert result.exit_code == 0 and "Nothing changed." in result.stdout
    assert snapshot(home) == before


def test_profile_asks_for_the_missing_name_phone_and_address(cli: Cli, terminal: None) -> None:
    result = cli("profile", input=lines("张三", "12345", "y", "上海"))  # y: keep the doubtful
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "12345" in result.stderr
    again = cli("profile", input="")
    assert again.exit_code == 0 and "张三" in again.stdout and "[Enter" not in again.stdout


# --- a real terminal ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_a_real_terminal_edits_chinese_and_records(tmp_path: Path, home: Path) -> None:
    """The prompt through a pty, with readline: a Chinese character typed and erased with
    one backspace, the session ended by the last answer."""
    import pty
    import select
    import subprocess

    primary, secondary = pty.openpty()
    env = {**os.environ, "REFUNDKIT_HOME": str(home), "LANG": "C.UTF-8", "TERM": "dumb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "refundkit", "add-order", "--merchant", "店", "--item", "物",
         "--received", "today", "--details", "x", "--platform", "jd",
         "--payment-method", "alipay", "--category", "goods", "--problem", "fraud",
         "--purchased", "today", "--order-no", "JD1", "--transaction-id", "T1"],
        stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            ready, _, _ = select.select([primary], [], [], 30)
            assert ready, seen.decode(errors="replace")
            seen += os.read(primary, 4096)

    try:
        # --amount is missing: the journey asks for it alone (everything else was given).
        read_until(b"Amount paid")
        os.write(primary, "39元9\x7f\x7f9\r".encode())  # 39元9, two backspaces, 9: 399
        assert process.wait(timeout=60) == 0
        read_until(b"Recorded order")
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
    record = json.loads(next((home / "orders").glob("*/order.json")).read_text())
    assert record["amount"] == "399.00"


def test_the_menu_puts_each_code_in_a_column_beside_its_name() -> None:
    """Chinese names are two columns a character: the codes still line up, and a name with
    its own brackets gets no second pair."""
    from refundkit import choices, i18n
    from refundkit.cli.ask import menu
    from refundkit.wrap import cell_width

    i18n.set_language("zh")
    try:
        shown = menu(choices.CATEGORY, choices.CATEGORY.codes, 80)
    finally:
        i18n.set_language("en")
    assert shown[7].startswith("   8  预付式消费（会员、课程包等）") and shown[7].endswith(
        "  prepaid-service"
    )
    assert "（prepaid-service）" not in shown[7]
    starts = {cell_width(line) - len(line.split()[-1]) for line in shown}
    assert len(starts) == 1, shown


def test_the_menu_leaves_out_a_code_its_name_already_is() -> None:
    from refundkit import choices, i18n
    from refundkit.cli.ask import menu

    i18n.set_language("en")
    shown = menu(choices.PROBLEM, choices.PROBLEM.codes, 80)
    assert shown[0].split() == ["1", "changed", "my", "mind", "changed-mind"]
    assert shown[2].split() == ["3", "not", "as", "described"]


def test_a_narrow_terminal_lists_the_names_alone() -> None:
    from refundkit import choices, i18n
    from refundkit.cli.ask import menu

    i18n.set_language("en")
    shown = menu(choices.CATEGORY, choices.CATEGORY.codes, 60)
    assert shown[7] == "   8  prepaid service (membership, course package)"
    assert all(len(line) <= 60 for line in shown)


@pytest.mark.parametrize(
    ("language", "example", "foreign"),
    [("en", "3 days ago", "三天前"), ("zh", "三天前", "3 days ago")],
)
def test_examples_in_questions_are_in_the_interface_language(
    cli: Cli, terminal: None, language: str, example: str, foreign: str
) -> None:
    result = cli("--ui-lang", language, "add-order", input=lines("Acme", "Phone", "9"))
    assert example in result.output and foreign not in result.output


def test_a_doubtful_transaction_number_is_said_at_once_and_can_be_typed_again(
    cli: Cli, terminal: None, home: Path
) -> None:
    """27 digits for WeChat Pay: the warning comes right after the answer, not after every
    other question; Enter (no) asks again, and the right number is kept."""
    result = cli(
        "add-order", "--merchant", "店", "--item", "物",
        "--payment-method", "wechat-pay", "--platform", "jd", "--received", "today",
        "--details", "坏了",
        input=lines("9", "", "", "",  # amount; purchased, category, problem: Enter
                    "420000202611201234567890123", "",  # 27 digits; keep it? Enter: no
                    "4200002026112012345678901234", ""),  # typed again; no order number
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.count("27 digits") == 1, result.stderr  # once, when typed
    assert "error:" not in result.stderr  # choosing to type it again is no mistake
    record = json.loads(next((home / "orders").glob("*/order.json")).read_text())
    assert record["transaction_id"] == "4200002026112012345678901234"


def test_a_doubtful_phone_number_can_be_kept(cli: Cli, terminal: None, home: Path) -> None:
    result = cli("profile", input=lines("张三", "12345", "y", "上海市"))
    assert result.exit_code == 0, result.output
    assert "12345" in result.stderr
    assert json.loads((home / "profile.json").read_text())["phone"] == "12345"
