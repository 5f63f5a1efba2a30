"""import-screenshot, suggest-events and the recognised text kept with evidence, through the CLI.

The engine is a FakeEngine answering with what the real engine read from each fixture (see
screenshot_fixtures.py), so these tests are fast and run without the OCR extra; the real
engine is exercised in test_screenshot_engine.py.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json
from refundkit.screenshots import engine as ocr
from refundkit.screenshots.engine import FakeEngine, Line
from refundkit.screenshots.text import evidence_excerpt
from refundkit.store import Store
from screenshot_fixtures import HERE, fake_engine, replay

Cli = Callable[..., Any]
WECHAT = HERE / "wechat-1080x2340.png"
WECHAT_TXN = "4200024827202503197755436868"
ORDER_PAGE = HERE / "order-1080x2340.png"
CHAT = HERE / "chat-opened.png"


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """The OCR extra, as if installed, answering from the fixtures' replays."""
    fake = fake_engine()
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "get_engine", lambda what: fake)
    return fake


def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import refundkit.cli.screenshots as commands

    monkeypatch.setattr(commands, "interactive", lambda: True)


def order_json(home: Path) -> dict[str, Any]:
    (folder,) = (home / "orders").iterdir()
    data: dict[str, Any] = json.loads((folder / "order.json").read_text())
    return data


# --- import-screenshot ---------------------------------------------------------------------


def test_json_prints_what_was_read_and_records_nothing(cli: Cli, home: Path, engine: Any) -> None:
    result = cli("import-screenshot", str(WECHAT), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["source", "facts", "lines"]  # the contract's shape, exactly
    assert data["source"] == "wechat-pay"
    assert data["facts"] == {
        "merchant": "义乌市衣见倾心服饰有限公司",
        "item": "保温杯500ml",  # the reader drops the space; the review is where to restore it
        "amount": "2484.58",
        "currency": "CNY",
        "purchased": "2025-03-19",
        "purchased_time": "17:56:56",
        "transaction_id": WECHAT_TXN,
        "order_no": "JD20250319395958",
        "payment_method": "wechat-pay",
    }
    assert f"交易单号 {WECHAT_TXN}" in data["lines"]
    assert not home.exists()


def test_yes_records_the_order_with_the_screenshot_as_payment_evidence(
    cli: Cli, home: Path, engine: Any
) -> None:
    result = cli("import-screenshot", str(WECHAT), "--yes")
    assert result.exit_code == 0, result.output
    assert "Attached the screenshot as payment evidence e1" in result.stdout
    order = order_json(home)
    assert order["merchant"] == "义乌市衣见倾心服饰有限公司"
    assert order["amount"] == "2484.58" and order["purchased"] == "2025-03-19"
    assert order["purchased_time"] == "17:56:56"
    assert order["transaction_id"] == WECHAT_TXN
    assert order["order_no"] == "JD20250319395958"
    assert order["payment_method"] == "wechat-pay"
    (entry,) = order["evidence"]
    assert entry["kind"] == "payment" and "支付方式" in entry["note"]
    folder = home / "orders" / order["id"]
    text = folder / entry["text_as"]
    assert stat.S_IMODE(text.stat().st_mode) == 0o400
    assert entry["text_sha256"] == __import__("hashlib").sha256(text.read_bytes()).hexdigest()
    assert WECHAT_TXN in text.read_text()


def test_an_order_page_is_attached_as_order_evidence(cli: Cli, home: Path, engine: Any) -> None:
    result = cli("import-screenshot", str(ORDER_PAGE), "--yes")
    assert result.exit_code == 0, result.output
    order = order_json(home)
    assert order["evidence"][0]["kind"] == "order"
    assert (order["merchant"], order["order_no"]) == ("声悦数码旗舰店", "SY1683108161331679")
    assert order["payment_method"] == "alipay" and order.get("transaction_id") is None


def test_without_a_terminal_or_yes_it_says_what_to_add(cli: Cli, home: Path, engine: Any) -> None:
    result = cli("import-screenshot", str(WECHAT))
    assert result.exit_code == 2
    assert "--yes" in result.stderr and "--json" in result.stderr
    assert engine.calls == 0  # refused before reading
    assert not home.exists()


@pytest.mark.parametrize("flag", ["--yes", "--json"])
def test_a_file_that_is_not_an_image_is_refused(
    cli: Cli, home: Path, engine: Any, flag: str
) -> None:
    result = cli("import-screenshot", str(HERE / "not-an-image.png"), flag)
    assert result.exit_code == 2
    assert "not an image" in result.stderr and result.stdout == ""
    assert not home.exists()


def test_an_image_that_does_not_decode_is_refused(cli: Cli, tmp_path: Path, engine: Any) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    result = cli("import-screenshot", str(broken), "--yes")
    assert result.exit_code == 2 and "not an image Pillow can read" in result.stderr


def test_an_image_without_details_is_refused(cli: Cli, home: Path, engine: Any) -> None:
    result = cli("import-screenshot", str(HERE / "no-text.jpg"), "--yes")
    assert result.exit_code == 2
    assert "no payment or order details found" in result.stderr
    assert not home.exists()


def test_json_of_an_image_without_details_shows_unknown_and_exits_2(cli: Cli, engine: Any) -> None:
    result = cli("import-screenshot", str(CHAT), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert list(data) == ["source", "facts", "lines"]
    assert data["source"] == "unknown" and set(data["facts"].values()) == {None}
    assert "你好，耳机昨天收到了，想申请七天" in data["lines"]


def test_missing_extra_names_the_install_command(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import of the OCR package fails, as where the extra is not installed."""
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    ocr.default_engine.cache_clear()
    result = cli("import-screenshot", str(WECHAT), "--yes")
    assert result.exit_code == 2
    assert 'pip install "refundkit[ocr]"' in result.stderr
    assert "Traceback" not in result.output
    assert not home.exists()


def test_yes_leaves_out_an_uncertain_fact_and_warns(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        ln if ln.text != WECHAT_TXN else Line(WECHAT_TXN[:-1], ln.box, ln.confidence)
        for ln in replay(WECHAT.name)
    ]
    shot = tmp_path / "shot.png"
    shutil.copy(WECHAT, shot)
    fake = FakeEngine({shot.read_bytes(): lines})
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "get_engine", lambda what: fake)
    result = cli("import-screenshot", str(shot), "--yes")
    assert result.exit_code == 0, result.output
    assert "left out the transaction no." in result.stderr and "27 digits" in result.stderr
    assert order_json(home).get("transaction_id") is None


def test_yes_refuses_when_a_required_fact_is_uncertain(cli: Cli, home: Path, engine: Any) -> None:
    """The cut screenshot lost 商户全称: the shop name above the amount is only a guess."""
    result = cli("import-screenshot", str(HERE / "wechat-cut-1080x2340.png"), "--yes")
    assert result.exit_code == 2
    assert "no certain merchant" in result.stderr and "nothing was recorded" in result.stderr
    assert not (home / "orders").exists() or not any((home / "orders").iterdir())


def test_the_same_payment_twice_is_refused(cli: Cli, home: Path, engine: Any) -> None:
    assert cli("import-screenshot", str(WECHAT), "--yes").exit_code == 0
    before = snapshot(home)
    result = cli("import-screenshot", str(WECHAT), "--yes")
    assert result.exit_code == 2 and "already recorded as order" in result.stderr
    assert snapshot(home) == before


def test_in_a_terminal_each_fact_is_shown_and_can_be_corrected(
    cli: Cli, home: Path, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch)
    # merchant: keep; item: correct; amount: a bad correction, asked again, then a good one;
    # purchased, transaction: keep; order no.: leave out; payment: keep.
    answers = ["", "保温杯（蓝色）", "lots", "2,484.50", "", "", "-", ""]
    result = cli("import-screenshot", str(WECHAT), input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "read from: 商户全称 义乌市衣见倾心服饰有限公司" in result.stdout
    assert "cannot read amount 'lots'" in result.stderr
    order = order_json(home)
    assert (order["item"], order["amount"]) == ("保温杯（蓝色）", "2484.50")
    assert order.get("order_no") is None and order["transaction_id"] == WECHAT_TXN


def test_the_review_asks_in_the_journeys_words_in_chinese(
    cli: Cli, home: Path, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each question as add-order asks: Enter keeps what was read, said in Chinese; the
    payment method and the evidence kind are named, not given as codes."""
    terminal(monkeypatch)
    result = cli("--ui-lang", "zh", "import-screenshot", str(WECHAT), input="\n" * 7)
    assert result.exit_code == 0, result.output
    assert "商家（如有误，请输入正确的值） [回车：保留]：" in result.stdout
    assert "订单号（如有误，请输入正确的值；输入 - 表示不填） [回车：保留]：" in result.stdout
    assert "支付：微信支付（wechat-pay）" in result.stdout
    assert "已把截图作为支付凭证附上（证据 e1）" in result.stdout
    assert "]:" not in result.stdout  # no prompt in Typer's own style
    assert order_json(home)["transaction_id"] == WECHAT_TXN


def test_in_a_terminal_an_uncertain_fact_says_what_to_check(
    cli: Cli, home: Path, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch)
    answers = ["义乌市衣见倾心服饰有限公司", "", "", "", "", "", ""]
    result = cli(
        "import-screenshot", str(HERE / "wechat-cut-1080x2340.png"), input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "check this: 商户全称 (the registered name) was not found" in result.stdout
    assert order_json(home)["merchant"] == "义乌市衣见倾心服饰有限公司"


def test_order_fills_what_the_order_lacks_and_keeps_what_it_has(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = add(merchant="衣见倾心", item="保温杯", amount="2484.58", purchased="2025-03-19")
    result = cli("import-screenshot", str(WECHAT), "--order", order_id, "--yes")
    assert result.exit_code == 0, result.output
    assert "kept the order's merchant 衣见倾心" in result.stderr
    order = order_json(home)
    assert order["merchant"] == "衣见倾心" and order["item"] == "保温杯"
    assert order["transaction_id"] == WECHAT_TXN and order["purchased_time"] == "17:56:56"
    assert order["evidence"][0]["kind"] == "payment"
    assert (
        "filled in the purchase date, transaction no., order no., payment method" in result.stdout
    )


def test_order_in_a_terminal_asks_before_replacing(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = add(merchant="衣见倾心", item="保温杯", amount="99", purchased="2025-03-19")
    terminal(monkeypatch)
    answers = [""] * 7 + ["y", "n", "n"]  # keep what was read; replace the merchant only
    result = cli(
        "import-screenshot", str(WECHAT), "--order", order_id, input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output
    order = order_json(home)
    assert order["merchant"] == "义乌市衣见倾心服饰有限公司" and order["amount"] == "99.00"
    assert order["item"] == "保温杯"


def test_order_refuses_a_screenshot_already_attached(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = add(purchased="2025-03-19", amount="2484.58")
    assert cli("import-screenshot", str(WECHAT), "--order", order_id, "--yes").exit_code == 0
    before = snapshot(home)
    result = cli("import-screenshot", str(WECHAT), "--order", order_id, "--yes")
    assert result.exit_code == 2 and "already attached" in result.stderr
    assert snapshot(home) == before


# --- add-evidence keeps the text, status shows it, suggest-events proposes -----------------


def chat_case(cli: Cli, add: Callable[..., str]) -> str:
    order_id = add(purchased="2025-11-20", received="2025-11-21")
    result = cli("add-evidence", order_id, str(CHAT), "--kind", "chat", "--taken", "2025-11-25")
    assert result.exit_code == 0, result.output
    return order_id


def test_add_evidence_keeps_a_chat_images_text(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = chat_case(cli, add)
    (entry,) = order_json(home)["evidence"]
    text = home / "orders" / order_id / entry["text_as"]
    assert text.name == "e1-chat-opened.png.txt"
    assert stat.S_IMODE(text.stat().st_mode) == 0o400
    assert "已拆封不退" in text.read_text() and "20:15" not in text.read_text()
    assert cli("verify").exit_code == 0


@pytest.mark.parametrize(
    ("name", "kind"), [("chat-opened.png", "photo"), ("not-an-image.png", "chat")]
)
def test_add_evidence_keeps_no_text_for_other_kinds_or_non_images(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any, name: str, kind: str
) -> None:
    order_id = add()
    result = cli("add-evidence", order_id, str(HERE / name), "--kind", kind)
    assert result.exit_code == 0 and result.stderr == ""  # a .png that is no image: quiet
    assert "text_as" not in order_json(home)["evidence"][0]
    assert engine.calls == (kind == "chat")


def test_add_evidence_without_the_extra_keeps_the_file_only(
    cli: Cli, home: Path, add: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    order_id = add()
    result = cli("add-evidence", order_id, str(CHAT), "--kind", "chat")
    assert result.exit_code == 0 and result.stderr == ""
    assert "text_as" not in order_json(home)["evidence"][0]


class BrokenExtra:
    """The OCR extra installed but broken: its import fails on the first image, as in
    RapidOcrEngine._ocr."""

    def __init__(self) -> None:
        self.calls = 0

    def recognise(self, image: bytes) -> list[Line]:
        self.calls += 1
        raise ocr.MissingExtra("reading images (its import failed: libGL.so.1)")


def test_add_evidence_with_a_broken_extra_attaches_and_warns_once(
    cli: Cli, home: Path, add: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text is an extra: a broken OCR install is one warning, the evidence stays
    attached (exit 0), and the other images are not tried."""
    broken = BrokenExtra()
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "get_engine", lambda what: broken)
    order_id = add()
    result = cli("add-evidence", order_id, str(CHAT), str(ORDER_PAGE), "--kind", "chat")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning:") == 1, result.stderr
    assert 'pip install "refundkit[ocr]"' in result.stderr
    evidence = order_json(home)["evidence"]
    assert [e["id"] for e in evidence] == ["e1", "e2"]
    assert not any("text_as" in e for e in evidence)
    assert broken.calls == 1
    assert cli("verify").exit_code == 0


def test_suggest_events_with_a_broken_extra_names_the_install_command(
    cli: Cli, home: Path, add: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the text is what the command is for, the broken extra is its error."""
    order_id = add()
    assert cli("add-evidence", order_id, str(CHAT), "--kind", "photo").exit_code == 0
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "get_engine", lambda what: BrokenExtra())
    before = snapshot(home)
    result = cli("suggest-events", order_id, "e1")
    assert result.exit_code == 2 and 'pip install "refundkit[ocr]"' in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(home) == before


def test_status_shows_an_excerpt_of_the_text(
    cli: Cli, add: Callable[..., str], engine: Any
) -> None:
    order_id = chat_case(cli, add)
    result = cli("status", order_id)
    assert result.exit_code == 0, result.output
    entry = result.stdout.split("  e1  chat-opened.png")[1]  # shown under its evidence entry
    assert "Recognised text: 声悦数码旗舰店 / 2025年11月22日09:41 /" in entry.split("Timeline")[0]
    assert "recognised" not in json.dumps(status_json(cli, order_id))


def test_the_excerpt_for_letters_is_short_and_only_from_an_unchanged_text(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = chat_case(cli, add)
    store = Store(home)
    order = store.load(order_id)
    shown = evidence_excerpt(store, order, order.evidence[0])
    assert shown is not None and len(shown) <= 120 and shown.startswith("声悦数码旗舰店")
    text = home / "orders" / order_id / order.evidence[0].stored_as
    path = text.with_name(text.name + ".txt")
    os.chmod(path, 0o600)
    path.write_text("商家同意退货")  # changed after it was fingerprinted: never quoted
    assert evidence_excerpt(store, order, order.evidence[0]) is None


def test_suggest_events_without_a_terminal_prints_the_commands(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = chat_case(cli, add)
    before = snapshot(home)
    result = cli("suggest-events", order_id, "e1")
    assert result.exit_code == 0, result.output
    assert (
        f"refundkit log {order_id} merchant-refused --on '2025-11-23 14:05' --reason opened "
        "--note '亲，已拆封的商品不支持七天无理由退货哦，已拆封不退'"
    ) in result.stdout
    assert snapshot(home) == before  # nothing recorded


def test_suggest_events_logs_only_on_yes(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = chat_case(cli, add)
    terminal(monkeypatch)
    declined = cli("suggest-events", order_id, "e1", input="n\n")
    assert declined.exit_code == 0 and order_json(home)["events"] == []
    accepted = cli("suggest-events", order_id, "e1", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    (event,) = order_json(home)["events"]
    assert (event["kind"], event["on"], event["at"]) == (
        "merchant-refused",
        "2025-11-23",
        "14:05:00",
    )
    assert "已拆封不退" in event["note"]
    again = cli("suggest-events", order_id, "e1")
    assert "No new events" in again.stdout  # already logged on that day


def test_suggest_events_names_the_event_and_reason_in_chinese(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = chat_case(cli, add)
    terminal(monkeypatch)
    result = cli("--ui-lang", "zh", "suggest-events", order_id, "e1", input="y\n")
    assert result.exit_code == 0, result.output
    assert "商家拒绝（原因：商品已拆封），2025-11-23" in result.stdout, result.stdout
    assert "已记录事件 商家拒绝（merchant-refused）" in result.stdout, result.stdout


def test_suggest_events_reads_an_image_added_before_the_extra(
    cli: Cli, home: Path, add: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = add(purchased="2025-11-20")
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    assert cli("add-evidence", order_id, str(CHAT), "--kind", "photo").exit_code == 0
    missing = cli("suggest-events", order_id, "e1")
    assert missing.exit_code == 2 and 'pip install "refundkit[ocr]"' in missing.stderr
    monkeypatch.delitem(sys.modules, "rapidocr_onnxruntime")
    fake = fake_engine()
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "get_engine", lambda what: fake)
    result = cli("suggest-events", order_id, "e1")
    assert result.exit_code == 0, result.output
    assert "--reason opened" in result.stdout
    assert "text_sha256" in order_json(home)["evidence"][0]


@pytest.mark.parametrize(
    ("evidence", "message"), [("e9", "has no evidence 'e9'"), ("e1", "not an image")]
)
def test_suggest_events_refuses_what_it_cannot_read(
    cli: Cli, add: Callable[..., str], tmp_path: Path, engine: Any, evidence: str, message: str
) -> None:
    order_id = add()
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4 return policy")
    assert cli("add-evidence", order_id, str(policy), "--kind", "policy").exit_code == 0
    result = cli("suggest-events", order_id, evidence)
    assert result.exit_code == 2 and message in result.stderr


def test_suggestion_dates_before_the_purchase_are_refused_and_asked_again(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = add(purchased="2025-11-24")  # after the chat's 2025-11-23
    assert cli("add-evidence", order_id, str(CHAT), "--kind", "chat").exit_code == 0
    terminal(monkeypatch)
    result = cli("suggest-events", order_id, "e1", input="y\n2025-11-25\n")
    assert result.exit_code == 0, result.output
    assert "before the purchase" in result.stderr
    assert order_json(home)["events"][0]["on"] == "2025-11-25"
    assert date.fromisoformat(order_json(home)["events"][0]["on"]) > date(2025, 11, 24)


def test_order_refuses_a_payment_recorded_on_another_order(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    assert cli("import-screenshot", str(WECHAT), "--yes").exit_code == 0
    other = add(purchased="2025-03-19", amount="2484.58")
    before = snapshot(home)
    result = cli("import-screenshot", str(WECHAT), "--order", other, "--yes")
    assert result.exit_code == 2 and "already recorded as order" in result.stderr
    assert snapshot(home) == before


def test_yes_refuses_a_screenshot_of_another_purchase(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = add(merchant="衣见倾心", item="保温杯", amount="99", purchased="2025-03-19")
    before = snapshot(home)
    result = cli("import-screenshot", str(WECHAT), "--order", order_id, "--yes")
    assert result.exit_code == 2
    assert "the amount 99.00 where the screenshot says 2484.58" in result.stderr
    assert "another purchase" in result.stderr and "merchant" not in result.stderr
    assert snapshot(home) == before


def test_the_lawyer_summary_quotes_the_start_of_a_chats_text_with_its_hash(
    cli: Cli, home: Path, add: Callable[..., str], engine: Any
) -> None:
    order_id = chat_case(cli, add)
    (entry,) = order_json(home)["evidence"]
    for lang, label in (("zh", "识别文字（节选）："), ("en", "Recognised text (start): ")):
        result = cli(
            "draft-complaint", order_id, "--to", "lawyer", "--lang", lang, "--format", "txt"
        )
        assert result.exit_code == 0, result.output
        quoted = result.stdout.split(label)[1].splitlines()[0]
        assert "耳机昨天收到了" in quoted and len(quoted) <= 122  # the start, on one line
        assert entry["sha256"] in result.stdout
    # A text changed since it was read is never quoted.
    text = home / "orders" / order_id / entry["text_as"]
    text.chmod(0o600)
    text.write_text("改过的文字\n", encoding="utf-8")
    result = cli("draft-complaint", order_id, "--to", "lawyer", "--lang", "zh")
    assert "识别文字" not in result.stdout and "改过的文字" not in result.stdout
