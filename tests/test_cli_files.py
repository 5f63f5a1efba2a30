"""import-bill, export and calendar through the CLI, and the bag and calendar they write."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bill_fixtures import (
    ALIPAY_2026,
    ALIPAY_CSV,
    ALIPAY_WEB_GBK,
    ALIPAY_WEB_UTF8,
    EXAMPLE_ALIPAY_CSV,
    EXAMPLE_WECHAT_CSV,
    EXAMPLE_WECHAT_XLSX,
    NOT_A_BILL,
    WECHAT_2019,
    WECHAT_2022,
    WECHAT_CSV,
    write_wechat_xlsx,
)
from conftest import make_order, snapshot
from refundkit.store import Store

Cli = Callable[..., Any]
TODAY = date.today()


def orders_in(home: Path) -> list[dict[str, Any]]:
    folder = home / "orders"
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/order.json"))]


def recorded_id(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout.split("Recorded order ")[1].split(":")[0].strip())


# --- import-bill: listing ------------------------------------------------------------------


def test_list_without_terminal_records_nothing(cli: Cli, home: Path) -> None:
    result = cli("import-bill", str(WECHAT_CSV))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "WeChat Pay bill (CSV): 4 expense transactions" in out
    assert "1  4200009901202501201234567890" in out and "¥1,299.00" in out
    assert "声悦数码旗舰店 · 蓝牙耳机 Pro" in out
    assert "[refunded in part (¥10.00 of ¥39.90)]" in out and "[refunded in full]" in out
    assert "1000039901202501110000" not in out  # income is not listed
    assert f"refundkit import-bill {WECHAT_CSV} --row 1" in out and "--pick" in out
    assert "--row N" not in out and "TXN" not in out  # no placeholder to paste
    assert orders_in(home) == [] and snapshot(home) == {}


def test_list_keeps_long_numbers_whole_on_a_narrow_terminal(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    result = cli("import-bill", str(ALIPAY_CSV))
    assert result.exit_code == 0
    assert "1  2025101922001400001111\n" in result.stdout  # a list: the number on its line
    assert "[refunded in part (¥100.00 of\n   ¥2,399.00)]" in result.stdout  # amounts whole


def test_a_pipe_gets_each_row_on_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS")  # CliRunner's stdout is no terminal: no width to fit
    result = cli("import-bill", str(ALIPAY_CSV))
    assert "2025101922001400001111  " in result.stdout
    assert "  [refunded in part (¥100.00 of ¥2,399.00)]\n" in result.stdout


BILLS = [WECHAT_CSV, WECHAT_2019, ALIPAY_CSV, ALIPAY_2026, ALIPAY_WEB_GBK, EXAMPLE_WECHAT_XLSX]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("columns", [50, 60, 80, 100])
@pytest.mark.parametrize("bill", BILLS, ids=[b.name for b in BILLS])
def test_the_listing_fits_the_terminal(
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    bill: Path,
    columns: int,
    language: str,
) -> None:
    """Every line fits COLUMNS (a CJK character is two columns): the merchant and item are
    cut with "…", marks and the hint broken; only a transaction number wider than the line
    may overflow it, never cut. The heading is in the interface's language."""
    from refundkit.wrap import cell_width

    monkeypatch.chdir(tmp_path)  # a short path in the hint's command, wherever the tests run
    local = Path(bill.name)
    local.write_bytes(bill.read_bytes())
    ids = {
        t["id"] for t in json.loads(cli("import-bill", bill.name, "--json").stdout)["transactions"]
    }
    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli("--ui-lang", language, "import-bill", bill.name)
    assert result.exit_code == 0, result.output
    for line in result.stdout.splitlines():
        if cell_width(line) > columns:  # a transaction number, or the command to paste
            whole_id = line.split()[-1] in ids and len(line.split()) == 2
            assert whole_id or line == f"`refundkit import-bill {bill.name} --row 1`", line
    for tx_id in ids:
        assert tx_id in result.stdout.split()  # never cut
    heading = "商家 · 商品" if language == "zh" else "Merchant · item"
    if columns >= 80 and bill not in (WECHAT_2019, EXAMPLE_WECHAT_XLSX):  # a table
        assert heading in result.stdout
        assert ("…" in result.stdout) is (columns == 80)  # at 100, every name fits
    if language == "zh":
        assert "Merchant" not in result.stdout


def test_singular_and_an_empty_bill(cli: Cli, tmp_path: Path) -> None:
    data = WECHAT_CSV.read_bytes()
    one = tmp_path / "one.csv"
    one.write_bytes(data[: data.index(b"\n2025-03-18") + 1])
    result = cli("import-bill", str(one))
    assert result.exit_code == 0, result.output
    assert "WeChat Pay bill (CSV): 1 expense transaction, newest first" in result.stdout
    none = tmp_path / "none.csv"
    none.write_bytes(data[: data.index(b"\n2025-03-20") + 1])
    result = cli("import-bill", str(none))
    assert result.exit_code == 0
    assert "No expense transactions in this WeChat Pay bill (CSV)" in result.stdout


def test_statuses_are_shown_and_zero_rows_not_pickable(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS")  # a pipe: each row on one line
    out = cli("import-bill", str(WECHAT_2019)).stdout
    assert "[returned to you (对方已退还)]" in out
    assert "[not pickable: the bill shows ¥0.00 for it (paid by other means" in out
    alipay = cli("import-bill", str(ALIPAY_WEB_GBK)).stdout
    assert "木语家居旗舰店 · 实木书架 五层  [closed (交易关闭)]  [refunded in full]" in alipay
    zero = cli("import-bill", str(WECHAT_2019), "--row", "5")
    assert zero.exit_code == 2
    assert "row 5: 4200000477201909302111091357" in zero.stderr
    assert "cannot be recorded: the bill shows ¥0.00" in zero.stderr
    assert cli("import-bill", str(WECHAT_2019), "--pick", "4200000477").exit_code == 2
    assert orders_in(home) == []


def test_json_listing(cli: Cli, home: Path) -> None:
    result = cli("import-bill", str(WECHAT_2019), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "wechat-csv"
    rows = data["transactions"]
    assert [r["row"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert set(rows[0]) == {
        "id", "time", "amount", "currency", "merchant", "item", "status", "refunded",
        "pickable", "row",
    }  # fmt: skip
    assert rows[0] == {
        "id": "4200000412201910281538274613",
        "time": "2019-10-28T19:42:10",
        "amount": "129.00",
        "currency": "CNY",
        "merchant": "晨光数码专营店",
        "item": "无线鼠标 M2",
        "status": "支付成功",
        "refunded": None,
        "pickable": True,
        "row": 1,
    }
    by_row = {r["row"]: r for r in rows}
    assert by_row[3]["status"] == "对方已退还" and by_row[3]["refunded"] == "200.00"
    assert by_row[4]["status"] == "已全额退款" and by_row[4]["refunded"] == "58.80"
    assert by_row[5]["amount"] == "0.00" and by_row[5]["pickable"] is False
    partial = json.loads(cli("import-bill", str(WECHAT_2022), "--json").stdout)
    assert partial["transactions"][1]["refunded"] == "20.00"
    assert snapshot(home) == {}


def test_json_keeps_duplicate_rows(cli: Cli) -> None:
    rows = json.loads(cli("import-bill", str(EXAMPLE_WECHAT_CSV), "--json").stdout)["transactions"]
    ids = [r["id"] for r in rows]
    assert len(rows) == 11 and ids.count("3985734") == 5
    assert ids.count("4200002168202406076349888061") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--json", "--row", "1"], "--json lists the bill and records nothing"),
        (["--pick", "42", "--row", "1"], "give --pick or --row, not both"),
        (
            ["--row", "9"],
            "row 9 is not in the listing: the bill's expense rows are numbered 1 to 4",
        ),
        (["--row", "0"], "row 0 is not in the listing"),
        (["--row", "1", "--keep-recorded"], "--keep-recorded goes with --order"),
    ],
)
def test_bad_option_combinations(cli: Cli, home: Path, args: list[str], message: str) -> None:
    result = cli("import-bill", str(WECHAT_CSV), *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert snapshot(home) == {}


# --- import-bill: recording ----------------------------------------------------------------


def stored_evidence(home: Path, order: dict[str, Any], number: int = 0) -> Path:
    return home / "orders" / order["id"] / order["evidence"][number]["stored_as"]


def test_pick_records_order_and_attaches_an_extract(cli: Cli, home: Path) -> None:
    before = WECHAT_CSV.read_bytes()
    result = cli(
        "import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012", "--received",
        "2025-03-22", "--category", "goods",
    )  # fmt: skip
    order_id = recorded_id(result)
    assert "Attached an extract of the bill (its header and this payment) as payment " in (
        result.stdout
    )
    assert "e1: wechat-2025-extract-line18.csv" in result.stdout
    assert f"--row 1 --order {order_id} --whole-bill" in result.stdout
    (order,) = orders_in(home)
    assert order["id"] == order_id
    assert order["merchant"] == "声悦数码旗舰店" and order["item"] == "蓝牙耳机 Pro"
    assert order["amount"] == "1299.00" and order["currency"] == "CNY"
    assert order["purchased"] == "2025-03-20" and order["purchased_time"] == "14:30:05"
    assert order["received"] == "2025-03-22" and order["category"] == "goods"
    assert order["transaction_id"] == "4200009901202501201234567890"
    assert order["order_no"] == "SY202501200001"
    assert (
        order["payment_method"] == "wechat-pay"
        and order["bill_status"] is None
        and order["bill_state"] is None
    )
    assert order["note"] is None
    (evidence,) = order["evidence"]
    assert evidence["source"] == {"bill": "wechat-csv", "line": 18, "extract": True}
    assert evidence["kind"] == "payment" and evidence["media_type"] == "text/csv"
    assert evidence["original_name"] == "wechat-2025-extract-line18.csv"
    assert evidence["extract_of"] == {
        "name": "wechat-2025.csv",
        "size": len(before),
        "sha256": hashlib.sha256(before).hexdigest(),
        "lines": [18],
    }
    stored = stored_evidence(home, order).read_bytes()
    assert evidence["sha256"] == hashlib.sha256(stored).hexdigest()
    lines = before.splitlines(keepends=True)
    assert stored == b"".join(lines[:17]) + lines[17]  # the header, and line 18 only
    assert b"4200009901202501181111111111" not in stored  # no other payment
    assert WECHAT_CSV.read_bytes() == before


def test_the_extract_is_a_bill_holding_just_that_payment(cli: Cli, home: Path) -> None:
    from refundkit.bills import read_bill

    recorded_id(cli("import-bill", str(ALIPAY_CSV), "--pick", "2025101922001400001111"))
    (order,) = orders_in(home)
    extract = read_bill(stored_evidence(home, order))
    assert extract.source == "alipay-csv"
    ids = [t.transaction_id for t in extract.transactions]
    assert ids == ["2025101922001400001111", "2025101922001400001111_1120090000"]  # its refund
    assert order["evidence"][0]["extract_of"]["lines"] == [20, 21]


def test_whole_bill_attaches_the_original(cli: Cli, home: Path) -> None:
    before = WECHAT_CSV.read_bytes()
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--whole-bill")
    recorded_id(result)
    assert "Attached the bill as payment evidence e1: wechat-2025.csv" in result.stdout
    (order,) = orders_in(home)
    (evidence,) = order["evidence"]
    assert evidence["source"] == {"bill": "wechat-csv", "line": 18, "extract": False}
    assert "extract_of" not in evidence
    assert evidence["sha256"] == hashlib.sha256(before).hexdigest()
    assert stored_evidence(home, order).read_bytes() == before


def test_xlsx_extract_is_a_csv_of_that_payment(cli: Cli, home: Path, tmp_path: Path) -> None:
    from refundkit.bills import read_bill

    bill = write_wechat_xlsx(tmp_path / "微信支付账单.xlsx", "2026")
    recorded_id(cli("import-bill", str(bill), "--row", "2"))
    (order,) = orders_in(home)
    (evidence,) = order["evidence"]
    assert evidence["original_name"] == "微信支付账单-extract-row20.csv"
    assert evidence["source"] == {"bill": "wechat-xlsx", "line": 20, "extract": True}
    extract = read_bill(stored_evidence(home, order))
    assert extract.source == "wechat-csv"
    (tx,) = extract.transactions
    assert tx.transaction_id == order["transaction_id"] and f"{tx.amount}" == order["amount"]
    assert tx.time.isoformat() == f"{order['purchased']}T{order['purchased_time']}"


def test_row_picks_by_the_listing_number(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(WECHAT_CSV), "--row", "3"))
    (order,) = orders_in(home)
    assert order["merchant"] == "书虫文具" and order["bill_state"] == "refunded-full"
    assert order["bill_refunded"] == "25.00" and order["bill_status"] == "当前状态 已全额退款"


def test_refunded_transaction_is_marked_on_the_order(cli: Cli, home: Path) -> None:
    result = cli("import-bill", str(WECHAT_CSV), "--pick", "4200009901202501181111111111")
    recorded_id(result)
    (order,) = orders_in(home)
    assert order["bill_state"] == "refunded-part" and order["bill_refunded"] == "10.00"
    assert "Note: refunded in part" in result.stdout


def test_closed_and_returned_are_marked_on_the_order(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(WECHAT_2019), "--row", "3"))
    recorded_id(cli("import-bill", str(ALIPAY_WEB_GBK), "--row", "4"))
    returned, closed = sorted(orders_in(home), key=lambda o: o["merchant"] != "王阿姨")
    assert returned["bill_state"] == "returned" and returned["bill_status"] == "当前状态 对方已退还"
    assert closed["bill_state"] == "closed" and closed["bill_status"] == "交易状态 交易关闭"


def test_a_bill_import_passes_no_platform() -> None:
    """What the importer hands to the order: no platform unless the row names one."""
    from refundkit.bills import read_bill
    from refundkit.importer import order_raw

    for path in (WECHAT_CSV, ALIPAY_CSV, ALIPAY_WEB_UTF8):
        bill = read_bill(path)
        for entry in bill.listing:
            raw = order_raw(bill, entry.tx, {})
            if path == ALIPAY_WEB_UTF8 and entry.tx.merchant_order_no.startswith("T200P"):
                assert raw["platform"] == "taobao"  # 交易来源地 淘宝 names it
            else:
                assert "platform" not in raw, (path, entry)


@pytest.mark.parametrize("bill", ["wechat", "alipay"])
def test_recorded_order_names_no_platform(cli: Cli, home: Path, bill: str) -> None:
    path = WECHAT_CSV if bill == "wechat" else ALIPAY_CSV
    recorded_id(cli("import-bill", str(path), "--row", "1"))
    (order,) = orders_in(home)
    assert order.get("platform") in (None, "")


def test_alipay_import(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(ALIPAY_CSV), "--pick", "2025101722001400002222"))
    (order,) = orders_in(home)
    assert order["merchant"] == "衣见倾心女装店" and order["amount"] == "68.00"
    assert order["payment_method"] == "alipay"
    assert order.get("platform") not in ("Alipay", "alipay")
    assert order["order_no"] == "YJ0002" and order["purchased_time"] == "12:00:00"
    assert order["bill_state"] == "closed refunded-full"
    assert order["bill_status"] == "交易状态 交易关闭"
    assert order["evidence"][0]["source"] == {"bill": "alipay-csv", "line": 22, "extract": True}


def test_alipay_web_import_names_taobao(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(ALIPAY_WEB_GBK), "--row", "1"))
    (order,) = orders_in(home)
    assert order["platform"] == "taobao" and order["payment_method"] == "alipay"
    assert order["order_no"] == "T200P560011223344"
    assert order["bill_state"] == "refunded-part" and order["bill_refunded"] == "100.00"
    assert order["evidence"][0]["source"] == {
        "bill": "alipay-web-csv",
        "line": 6,
        "extract": True,
    }


@pytest.mark.parametrize("layout", ["2025", "2026"])
def test_xlsx_import(cli: Cli, home: Path, tmp_path: Path, layout: str) -> None:
    bill = write_wechat_xlsx(tmp_path / f"微信支付账单-{layout}.xlsx", layout)
    recorded_id(cli("import-bill", str(bill), "--pick", "4200001111202601010000000001"))
    (order,) = orders_in(home)
    assert order["amount"] == "1288.00" and order["merchant"] == "声悦数码旗舰店"
    name = order["evidence"][0]["extract_of"]["name"]
    assert name == bill.name


def test_interactive_choice(cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    result = cli("import-bill", str(WECHAT_CSV), input="4200009901\n42000099012025011522\n")
    recorded_id(result)
    assert "ambiguous" in result.stderr  # the first answer was asked again
    (order,) = orders_in(home)
    assert order["merchant"] == "书虫文具"


def test_interactive_row_number(cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    result = cli("import-bill", str(WECHAT_CSV), input="7\n2\n")
    recorded_id(result)
    assert "row 7 is not in the listing" in result.stderr
    (order,) = orders_in(home)
    assert order["merchant"] == "轻食小站"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pick", "4200009901"], "is ambiguous, it matches row 1: 4200009901202501201234567890"),
        (["--pick", "777"], "no expense transaction in the bill starts with '777'"),
        (["--pick", "1000039901202501110000"], "not an expense"),
        (["--pick", "42000099012025012012", "--received", "2025-03-01"], "before the purchase"),
        (["--pick", "42000099012025012012", "--received", "3000-01-01"], "after today"),
    ],
)
def test_bad_picks_change_nothing(cli: Cli, home: Path, args: list[str], message: str) -> None:
    before = snapshot(home)
    result = cli("import-bill", str(WECHAT_CSV), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert snapshot(home) == before


def test_duplicate_numbers_are_picked_by_row(cli: Cli, home: Path) -> None:
    result = cli("import-bill", str(EXAMPLE_WECHAT_CSV), "--pick", "3985734")
    assert result.exit_code == 2
    assert "appears on 5 expense rows of the bill" in result.stderr
    assert "pick one by its row, e.g. --row " in result.stderr
    recorded_id(cli("import-bill", str(EXAMPLE_WECHAT_CSV), "--row", "6"))
    (order,) = orders_in(home)
    assert order["item"] == "测试 T-1"


@pytest.mark.parametrize("name", ["missing.csv", "folder", "bank"])
def test_bad_files_change_nothing(cli: Cli, home: Path, tmp_path: Path, name: str) -> None:
    path = {"missing.csv": tmp_path / "missing.csv", "folder": tmp_path, "bank": NOT_A_BILL}[name]
    result = cli("import-bill", str(path), "--pick", "42")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert snapshot(home) == {}


def test_same_transaction_twice_is_refused_and_offers_order(cli: Cli, home: Path) -> None:
    order_id = recorded_id(cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012"))
    before = snapshot(home)
    again = cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012")
    assert again.exit_code == 2
    assert (
        f"transaction number 4200009901202501201234567890 is already recorded in order "
        f"{order_id}: nothing was recorded" in again.stderr
    )
    assert f"--row 1 --order {order_id}" in again.stderr
    assert snapshot(home) == before
    other = cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025011811")
    recorded_id(other)  # another row of the same bill
    assert [len(o["evidence"]) for o in orders_in(home)] == [1, 1]


def test_merchant_order_number_recorded_by_hand_is_found(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(order_no="SY202501200001", purchased="2025-03-20")
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1")
    assert result.exit_code == 2
    assert f"merchant order number SY202501200001 is already recorded in order {order_id}" in (
        result.stderr
    )
    assert len(orders_in(home)) == 1


def test_failed_attach_leaves_no_half_made_order(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refundkit import importer
    from refundkit.errors import BadFile

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise BadFile("disk full")

    monkeypatch.setattr(importer, "place", broken)
    result = cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012")
    assert result.exit_code == 2 and "disk full" in result.stderr
    assert orders_in(home) == []
    assert [p for p in (home / "orders").iterdir() if p.name != "import.lock"] == []


@pytest.mark.parametrize("whole", [False, True])
def test_bill_changed_while_importing_is_undone(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: bool
) -> None:
    from refundkit import bills

    bill = tmp_path / "bill.csv"
    bill.write_bytes(WECHAT_CSV.read_bytes())
    real = bills.read_bill

    def read_then_change(path: Path) -> Any:
        parsed = real(path)
        bill.write_bytes(WECHAT_CSV.read_bytes() + b"\n")
        return parsed

    monkeypatch.setattr(bills, "read_bill", read_then_change)
    extra = ["--whole-bill"] if whole else []
    result = cli("import-bill", str(bill), "--pick", "42000099012025012012", *extra)
    assert result.exit_code == 2 and "changed while it was being imported" in result.stderr
    assert orders_in(home) == []


@pytest.mark.parametrize("path", [EXAMPLE_WECHAT_CSV, EXAMPLE_WECHAT_XLSX])
def test_example_wechat_bills_import(cli: Cli, home: Path, path: Path) -> None:
    recorded_id(cli("import-bill", str(path), "--pick", "42000011"))
    (order,) = orders_in(home)
    assert order["merchant"] == "哈哈" and order["item"] == "亲属卡"
    assert order["amount"] == "2243.46" and order["purchased"] == "2021-10-19"
    assert order["transaction_id"] == "42000011202110191201583411"
    assert order["order_no"] == "XSFF-SD2021101916055813620"


def test_example_alipay_bill_import(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(EXAMPLE_ALIPAY_CSV), "--pick", "2023x"))
    (order,) = orders_in(home)
    assert order["merchant"] == "一卡通" and order["amount"] == "50.00"
    assert "refunded-full" in order["bill_state"]


def test_control_characters_in_a_bill_never_reach_the_terminal(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    text = WECHAT_CSV.read_bytes().decode("utf-8-sig")
    evil = "声悦\x1b[2J数码\u202e店"
    path = tmp_path / "bill\x1b]0;pwned\x07.csv"
    path.write_bytes(text.replace("声悦数码旗舰店", evil).encode("utf-8"))
    listed = cli("import-bill", str(path))
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.output and "\u202e" not in listed.output
    assert "声悦\\x1b[2J数码<U+202E>店 · 蓝牙耳机 Pro" in listed.stdout
    recorded = cli("import-bill", str(path), "--row", "1")
    assert recorded.exit_code == 0, recorded.output
    assert "\x1b" not in recorded.output and "\x07" not in recorded.output
    (order,) = orders_in(home)
    assert order["merchant"] == "声悦\\x1b[2J数码<U+202E>店"  # stored as shown
    again = cli("import-bill", str(path), "--row", "1")
    assert again.exit_code == 2 and "\x1b" not in again.stderr
    bad = tmp_path / "table.csv"
    bad.write_bytes(b"Date,\x1b[31mRed,Amount\n2026-01-01,x,1\n")
    refused = cli("import-bill", str(bad))
    assert refused.exit_code == 2 and "\x1b" not in refused.stderr
    assert "\\x1b[31mRed" in refused.stderr


# --- import-bill --order: the bill joins its case ------------------------------------------


def test_order_fills_what_the_order_lacks(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(
        merchant="声悦数码旗舰店", item="蓝牙耳机 Pro", amount="1299", purchased="2025-03-20"
    )
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id[:4])
    assert result.exit_code == 0, result.output
    assert (
        f"Added the payment in row 1 of the WeChat Pay bill (CSV) (4200009901202501201234567890 "
        f"(2025-03-20 14:30, 声悦数码旗舰店, ¥1,299.00)) to order {order_id}; filled in: time of "
        "purchase, transaction number, merchant order number, payment method" in result.stdout
    )
    assert f"Updated order {order_id}" in result.stdout
    (order,) = orders_in(home)
    assert order["transaction_id"] == "4200009901202501201234567890"
    assert order["order_no"] == "SY202501200001" and order["purchased_time"] == "14:30:05"
    assert order["payment_method"] == "wechat-pay"
    (evidence,) = order["evidence"]
    assert evidence["source"] == {"bill": "wechat-csv", "line": 18, "extract": True}
    assert evidence["extract_of"]["name"] == "wechat-2025.csv"
    assert stored_evidence(home, order).is_file()


def test_order_conflicts_are_errors_naming_both_values(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(merchant="声悦数码", item="耳机", amount="1299", purchased="2025-03-20")
    before = snapshot(home)
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id)
    assert result.exit_code == 2
    assert "merchant '声悦数码' where the bill says '声悦数码旗舰店'" in result.stderr
    assert "item '耳机' where the bill says '蓝牙耳机 Pro'" in result.stderr
    assert "nothing was recorded" in result.stderr and "--keep-recorded" in result.stderr
    assert snapshot(home) == before
    kept = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id, "--keep-recorded")
    assert kept.exit_code == 0, kept.output
    (order,) = orders_in(home)
    assert order["merchant"] == "声悦数码" and order["item"] == "耳机"
    assert order["transaction_id"] == "4200009901202501201234567890"


def test_order_conflicts_are_asked_in_a_terminal(
    cli: Cli, add: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    order_id = add(merchant="声悦数码", item="耳机", amount="1299", purchased="2025-03-20")
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id, input="b\no\n")
    assert result.exit_code == 0, result.output
    (order,) = orders_in(home)
    assert order["merchant"] == "声悦数码旗舰店" and order["item"] == "耳机"


def test_in_a_terminal_the_row_is_asked_until_one_reads(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    result = cli("--ui-lang", "zh", "import-bill", str(WECHAT_CSV), input="999\n1\n")
    assert result.exit_code == 0, result.output
    assert "行号（1-" in result.stdout and "错误：" in result.stderr
    (order,) = orders_in(home)
    assert order["transaction_id"] == "4200009901202501201234567890"


def test_the_row_question_leaves_cleanly_at_the_end_of_input(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    result = cli("import-bill", str(WECHAT_CSV), input="")
    assert result.exit_code == 1
    assert "nothing was recorded" in result.stderr and "Aborted" not in result.output
    assert orders_in(home) == []


def test_order_amount_and_date_conflicts(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(
        merchant="声悦数码旗舰店", item="蓝牙耳机 Pro", amount="999", purchased="2025-03-19"
    )
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id)
    assert result.exit_code == 2
    assert "amount '999.00' where the bill says '1299.00'" in result.stderr
    assert "purchase date '2025-03-19' where the bill says '2025-03-20'" in result.stderr


def test_keeping_the_recorded_date_keeps_the_bills_time_out(cli: Cli, add: Any, home: Path) -> None:
    """The bill was paid on 2025-03-20 at 14:30:05; the order keeps its 2025-03-19. A time
    belongs to its day: the bill's is not put beside a date it was not read with."""
    order_id = add(
        merchant="声悦数码旗舰店", item="蓝牙耳机 Pro", amount="1299", purchased="2025-03-19"
    )
    args = ("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id)
    result = cli(*args, "--keep-recorded")
    assert result.exit_code == 0, result.output
    assert "time of purchase" not in result.stdout  # not among what was filled in
    (order,) = orders_in(home)
    assert order["purchased"] == "2025-03-19" and order.get("purchased_time") is None
    assert order["transaction_id"] == "4200009901202501201234567890"


def test_taking_the_bills_date_takes_its_time_too(
    cli: Cli, add: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    order_id = add(
        merchant="声悦数码旗舰店", item="蓝牙耳机 Pro", amount="1299", purchased="2025-03-19"
    )
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", order_id, input="b\n")
    assert result.exit_code == 0, result.output
    (order,) = orders_in(home)
    assert (order["purchased"], order["purchased_time"]) == ("2025-03-20", "14:30:05")


def test_payment_recorded_elsewhere_is_not_added_to_another_order(
    cli: Cli, add: Any, home: Path
) -> None:
    holder = recorded_id(cli("import-bill", str(WECHAT_CSV), "--row", "1"))
    other = add(
        merchant="声悦数码旗舰店", item="蓝牙耳机 Pro", amount="1299", purchased="2025-03-20"
    )
    before = snapshot(home)
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", other)
    assert result.exit_code == 2
    assert f"is already recorded in order {holder}, not in {other}" in result.stderr
    assert f"--order {holder}" in result.stderr
    assert snapshot(home) == before
    same = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", holder, "--whole-bill")
    assert same.exit_code == 0, same.output  # the whole bill joins the order holding it
    again = cli("import-bill", str(WECHAT_CSV), "--row", "1", "--order", holder)
    assert again.exit_code == 2 and "already attached as e1" in again.stderr


# --- export --------------------------------------------------------------------------------


def fake_summaries(lang: str, fmt: str) -> tuple[str, list[str]]:
    return f"lawyer summary {lang} {fmt}\n", ["missing the merchant's address"]


@pytest.fixture
def case(cli: Cli, add: Any, tmp_path: Path) -> str:
    """An order with two evidence files and a refusal."""
    order_id = add(purchased="5 days ago", received="3 days ago")
    shot = tmp_path / "订单截图.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"order" * 100)
    chat = tmp_path / "chat.txt"
    chat.write_text("客服：拆封不退", encoding="utf-8")
    for path, kind in ((shot, "order"), (chat, "chat")):
        result = cli("add-evidence", order_id, str(path), "--kind", kind)
        assert result.exit_code == 0, result.output
    assert cli("log", order_id, "merchant-refused", "--on", "yesterday").exit_code == 0
    return order_id


def export(home: Path, order_id: str, out: Path, force: bool = False) -> Any:
    from refundkit.bundle import export_order

    return export_order(Store(home), order_id, out, force=force, as_of=TODAY, render=fake_summaries)


def unzip(path: Path, where: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(where)
    (bag,) = list(where.iterdir())
    return bag


def test_export_is_a_valid_bag(case: str, home: Path, tmp_path: Path) -> None:
    import bagit

    out = tmp_path / "case.zip"
    done = export(home, case, out)
    assert done.warnings == ["missing the merchant's address"]
    bag_dir = unzip(out, tmp_path / "unzipped")
    assert bag_dir.name == f"refundkit-{case}"
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises on any problem
    assert bag.algorithms == ["sha256"]
    data = bag_dir / "data"
    names = sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file())
    assert names == [
        "README.txt",
        "evidence/e1-订单截图.png",
        "evidence/e2-chat.txt",
        "lawyer-summary.en.html",
        "lawyer-summary.en.md",
        "lawyer-summary.zh.html",
        "lawyer-summary.zh.md",
        "order.json",
        "timeline.json",
        "timeline.md",
    ]
    stored = home / "orders" / case
    recorded = json.loads((stored / "order.json").read_text(encoding="utf-8"))
    del recorded["note"]  # the owner's private note stays at home (tests/test_bundle.py)
    del recorded["removed_evidence"]  # and so do the entries the owner removed
    assert json.loads((data / "order.json").read_text(encoding="utf-8")) == recorded
    assert (data / "evidence/e2-chat.txt").read_text(encoding="utf-8") == "客服：拆封不退"
    assert "merchant-refused" in (data / "timeline.md").read_text(encoding="utf-8")
    assert (data / "lawyer-summary.zh.html").read_text() == "lawyer summary zh html\n"
    assert done.files == len(names)


def test_changed_byte_fails_validation(case: str, home: Path, tmp_path: Path) -> None:
    import bagit

    out = tmp_path / "case.zip"
    export(home, case, out)
    bag_dir = unzip(out, tmp_path / "unzipped")
    target = bag_dir / "data" / "evidence" / "e2-chat.txt"
    data = bytearray(target.read_bytes())
    data[0] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate()


def test_export_twice_same_manifest_and_same_zip(case: str, home: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "case.zip", tmp_path / "b" / "case.zip"
    first.parent.mkdir()
    second.parent.mkdir()
    export(home, case, first)
    export(home, case, second)
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        name = f"refundkit-{case}/manifest-sha256.txt"
        assert a.read(name) == b.read(name)
        assert a.namelist() == sorted(a.namelist())
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in a.infolist())
    assert first.read_bytes() == second.read_bytes()


def test_export_leaves_the_store_untouched(case: str, home: Path, tmp_path: Path) -> None:
    before = snapshot(home)
    export(home, case, tmp_path / "case.zip")
    assert snapshot(home) == before


def test_export_refuses_modified_evidence(case: str, home: Path, tmp_path: Path) -> None:
    from refundkit.errors import DamagedData

    target = next((home / "orders" / case / "evidence").glob("e2-*"))
    target.chmod(0o600)
    target.write_text("客服：可以退", encoding="utf-8")
    with pytest.raises(DamagedData, match="e2 .*modified"):
        export(home, case, tmp_path / "case.zip")
    assert not (tmp_path / "case.zip").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".case")] == []


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("case.tar", "must name a .zip file"),
        ("no-such-folder/case.zip", "does not exist"),
    ],
)
def test_export_bad_out(cli: Cli, case: str, tmp_path: Path, out: str, message: str) -> None:
    result = cli("export", case, "--out", str(tmp_path / out))
    assert result.exit_code == 2 and message in result.stderr


def test_export_refuses_out_dash_and_says_why(
    cli: Cli, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bag is a zip file to hand over: `--out -` (stdout elsewhere) is refused, in words
    that say so, and no file named `-` is made."""
    work = tmp_path / "work"  # where a file named `-` would appear
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("export", case, "--out", "-")
    assert result.exit_code == 2
    assert "stdout" in result.stderr and "--out case.zip" in result.stderr
    assert result.stdout == "" and list(work.iterdir()) == []


def test_export_will_not_overwrite_without_force(cli: Cli, case: str, tmp_path: Path) -> None:
    out = tmp_path / "case.zip"
    out.write_bytes(b"mine")
    result = cli("export", case, "--out", str(out))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_bytes() == b"mine"


def test_export_unknown_order(cli: Cli, tmp_path: Path) -> None:
    result = cli("export", "zzzz", "--out", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and result.stderr.startswith("error: ")


def test_export_command_with_real_letters(cli: Cli, case: str, tmp_path: Path) -> None:
    import bagit

    out = tmp_path / "case.zip"
    result = cli("export", case, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported" in result.stdout
    bag_dir = unzip(out, tmp_path / "unzipped")
    bagit.Bag(str(bag_dir)).validate()
    zh = (bag_dir / "data" / "lawyer-summary.zh.md").read_text(encoding="utf-8")
    assert "声悦数码旗舰店" in zh
    again = cli("export", case, "--out", str(out), "--force")
    assert again.exit_code == 0, again.output
    with zipfile.ZipFile(out) as archive:
        bagit_txt = archive.read(f"refundkit-{case}/manifest-sha256.txt")
    assert bagit_txt == (bag_dir / "manifest-sha256.txt").read_bytes()


# --- calendar ------------------------------------------------------------------------------


def parse_ics(data: bytes) -> dict[str, Any]:
    """UID -> VEVENT of a calendar, after checking every event's alarm."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    events = {}
    for event in calendar.walk("VEVENT"):
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == timedelta(days=-1)
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(days=1)
        events[str(event["UID"])] = event
    return events


def day_of(event: Any) -> date:
    value = event.decoded("DTSTART")
    assert isinstance(value, date) and not isinstance(value, datetime)  # all-day
    return value


def test_ics_deadlines_on_the_right_days() -> None:
    from refundkit.ical import all_deadlines, to_ical
    from refundkit.models import Event

    recorded = datetime(2026, 11, 20, 9, 0)
    order = make_order(
        id="k3fq8m",
        merchant="声悦数码旗舰店",
        item="蓝牙耳机",
        purchased=date(2026, 11, 10),
        received=date(2026, 11, 12),
        events=[
            Event(id="t1", kind="merchant-refused", on=date(2026, 11, 13), recorded=recorded),
            Event(id="t2", kind="platform-complaint", on=date(2026, 11, 14), recorded=recorded),
            Event(
                id="t3",
                kind="platform-complaint",
                on=date(2026, 11, 14),
                channel="mini-program",
                recorded=recorded,
            ),
        ],
    )
    closed = make_order(
        id="closed1",
        purchased=date(2026, 11, 10),
        received=date(2026, 11, 12),
        events=[Event(id="t1", kind="closed", on=date(2026, 11, 12), recorded=recorded)],
    )
    stamp = datetime(2026, 11, 14, 1, 2, 3, tzinfo=timezone.utc)
    deadlines = all_deadlines([order, closed], as_of=date(2026, 11, 14))
    events = parse_ics(to_ical(deadlines, stamp))
    assert {uid: day_of(e) for uid, e in events.items()} == {
        "k3fq8m-window-cn-7day@refundkit": date(2026, 11, 19),  # received 12th + 7
        "k3fq8m-t2-wechat-pay-answer@refundkit": date(2026, 11, 15),
        "k3fq8m-t2-wechat-pay-finish@refundkit": date(2026, 11, 17),
        "k3fq8m-t3-mini-program-lapse@refundkit": date(2026, 11, 16),
        # Three years from the refusal: a platform complaint does not restart the safe date.
        "k3fq8m-limitation@refundkit": date(2029, 11, 13),
    }
    window = events["k3fq8m-window-cn-7day@refundkit"]
    assert "声悦数码旗舰店 · 蓝牙耳机 [k3fq8m]" in str(window["SUMMARY"])
    assert "return" in str(window["SUMMARY"]) and "CPL Art. 25" in str(window["DESCRIPTION"])
    lapse = events["k3fq8m-t3-mini-program-lapse@refundkit"]
    assert "Next step:" in str(lapse["DESCRIPTION"])  # the advisor's step, same day, folded in


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "renewed"), [("cn", "CNY", True), ("uk", "GBP", False)]
)
def test_only_a_cn_limitation_event_says_a_demand_renews_the_period(
    jurisdiction: str, currency: str, renewed: bool
) -> None:
    """A written demand restarts limitation under Civil Code Art. 195; under the UK's
    Limitation Act 1980 it does not, and a UK case's calendar never says it does."""
    from refundkit import i18n
    from refundkit.ical import case_deadlines
    from refundkit.models import Event

    order = make_order(
        jurisdiction=jurisdiction,
        currency=currency,
        received=date(2026, 11, 12),
        events=[
            Event(
                id="t1",
                kind="contacted-merchant",
                asked="return",
                on=date(2026, 11, 13),
                recorded=datetime(2026, 11, 13, 9),
            ),
            Event(
                id="t2",
                kind="merchant-refused",
                on=date(2026, 11, 14),
                recorded=datetime(2026, 11, 14, 9),
            ),
        ],
    )
    for language, words in (("en", "renew it with a written demand"), ("zh", "书面向商家提出")):
        i18n.set_language(language)
        try:
            (limit,) = [
                d for d in case_deadlines(order, date(2026, 11, 30)) if d.key == "limitation"
            ]
        finally:
            i18n.set_language("en")
        assert (words in limit.summary) is renewed, limit.summary
        assert ("Civil Code" in limit.description or "民法典" in limit.description) is renewed


def test_ics_12315_acceptance_counts_working_days() -> None:
    from refundkit.ical import case_deadlines
    from refundkit.models import Event

    order = make_order(
        purchased=date(2026, 9, 1),
        events=[
            Event(
                id="t1",
                kind="regulator-complaint",
                on=date(2026, 9, 30),
                recorded=datetime(2026, 9, 30, 9),
            )
        ],
    )
    deadline = {d.key: d for d in case_deadlines(order, date(2026, 9, 30))}["t1-regulator-accept"]
    # 1-7 October 2026 are National Day holidays; working days resume on 8 October.
    assert deadline.day > date(2026, 10, 8)
    from refundkit.rules.holidays import add_workdays

    assert deadline.day == add_workdays(date(2026, 9, 30), 7).day


def test_calendar_command_writes_ics(cli: Cli, add: Any, tmp_path: Path) -> None:
    received = TODAY - timedelta(days=2)
    order_id = add(purchased="3 days ago", received=received.isoformat())
    out = tmp_path / "refundkit.ics"
    result = cli("calendar", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 1 deadline of 1 open case to" in result.stdout
    events = parse_ics(out.read_bytes())
    assert day_of(events[f"{order_id}-window-cn-7day@refundkit"]) == received + timedelta(days=7)
    stdout = cli("calendar")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("BEGIN:VCALENDAR")
    assert set(parse_ics(stdout.stdout.encode())) == set(events)


def test_calendar_out_dash_means_stdout(
    cli: Cli, add: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(purchased="3 days ago", received=(TODAY - timedelta(days=2)).isoformat())
    work = tmp_path / "work"  # where a file named `-` would appear
    work.mkdir()
    monkeypatch.chdir(work)
    result = cli("calendar", "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert set(parse_ics(result.stdout.encode())) == set(parse_ics(cli("calendar").stdout.encode()))
    assert list(work.iterdir()) == []


def test_calendar_counts_deadlines_and_cases_in_words_that_agree(
    cli: Cli, add: Any, tmp_path: Path
) -> None:
    for _ in range(2):
        add(purchased="3 days ago", received="2 days ago", problem="defective")
    out = tmp_path / "refundkit.ics"
    result = cli("calendar", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 4 deadlines of 2 open cases to" in result.stdout
    chinese = cli("--ui-lang", "zh", "calendar", "--out", str(out), "--force")
    assert "已把 2 个未结案件的 4 个期限写入" in chinese.stdout


def test_a_next_step_folded_into_its_own_clock_says_the_clock_once(cli: Cli, add: Any) -> None:
    """Awaiting a WeChat Pay complaint's end: the step's reason is the clock's own sentence."""
    order_id = add(purchased="5 days ago", received="4 days ago", problem="defective")
    cli("log", order_id, "contacted-merchant", "--asked", "return", "--on", "3 days ago")
    cli("log", order_id, "merchant-refused", "--reason", "opened", "--on", "2 days ago")
    assert cli("log", order_id, "platform-complaint", "--channel", "wechat-pay").exit_code == 0
    for language, sentence in (
        ("en", "should be settled by"),
        ("zh", "处理完毕（时限三天"),
    ):
        result = cli("--ui-lang", language, "calendar")
        events = parse_ics(result.stdout.encode())
        finish = str(events[f"{order_id}-t3-wechat-pay-finish@refundkit"]["DESCRIPTION"])
        assert finish.count(sentence) == 1, finish
        assert "Next step:" in finish or "下一步：" in finish
        assert "by the same rules" not in finish and "同样" not in finish


def test_a_next_step_folded_into_its_window_does_not_repeat_the_window(cli: Cli, add: Any) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    events = parse_ics(cli("calendar").stdout.encode())
    window = str(events[f"{order_id}-window-cn-7day@refundkit"]["DESCRIPTION"])
    assert "Next step:" in window
    assert window.count("need not be back") == 1, window


def test_a_promise_step_names_the_promise_once(cli: Cli, add: Any) -> None:
    add(purchased="3 days ago", received="2 days ago", jurisdiction="us", promise_days="30")
    (order,) = json.loads(cli("status", "--json").stdout)["orders"]
    reason = order["next_step"]["reason"]
    assert reason.startswith("the merchant's return promise: open until"), reason
    assert "The the" not in reason


def test_calendar_as_of_leaves_out_past_deadlines(cli: Cli, add: Any) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    later = (TODAY + timedelta(days=30)).isoformat()
    result = cli("calendar", "--as-of", later)
    assert result.exit_code == 0, result.output
    assert f"{order_id}-window-cn-7day@refundkit" not in parse_ics(result.stdout.encode())


def test_calendar_skips_closed_cases(cli: Cli, add: Any) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    assert cli("log", order_id, "closed").exit_code == 0
    result = cli("calendar")
    assert result.exit_code == 0 and parse_ics(result.stdout.encode()) == {}


def test_calendar_bad_out(cli: Cli, home: Path, tmp_path: Path) -> None:
    result = cli("calendar", "--out", str(tmp_path / "deadlines.txt"))
    assert result.exit_code == 2 and "must name an .ics file" in result.stderr
    assert not (tmp_path / "deadlines.txt").exists()


def test_calendar_out_never_overwrites_without_force(cli: Cli, add: Any, tmp_path: Path) -> None:
    """Before, `calendar --out` replaced an existing file silently."""
    add(purchased="3 days ago", received="yesterday")
    out = tmp_path / "deadlines.ics"
    out.write_text("my own calendar")
    refused = cli("calendar", "--out", str(out))
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert out.read_text() == "my own calendar"
    link = tmp_path / "link.ics"
    link.symlink_to(tmp_path / "gone.ics")  # even a dangling link is something that exists
    assert cli("calendar", "--out", str(link)).exit_code == 2 and link.is_symlink()
    assert cli("calendar", "--out", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("BEGIN:VCALENDAR")


def test_a_file_that_appears_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    """The check before the work is repeated at the very end, atomically (a hard link)."""
    from refundkit.store import place_file

    out = tmp_path / "x.ics"
    place_file(out, b"first", replace=False)
    with pytest.raises(FileExistsError):
        place_file(out, b"second", replace=False)
    assert out.read_bytes() == b"first" and sorted(os.listdir(tmp_path)) == ["x.ics"]
    place_file(out, b"second", replace=True)
    assert out.read_bytes() == b"second"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_out_that_is_a_fifo_is_left_alone(cli: Cli, case: str, tmp_path: Path) -> None:
    for command, name in (("calendar", "x.ics"), ("export", "x.zip")):
        fifo = tmp_path / name
        os.mkfifo(fifo)
        args = [command, case, "--force"] if command == "export" else [command]
        result = cli(*args, "--out", str(fifo))
        assert result.exit_code == 2 and "not a regular file" in result.stderr
        assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_ics_refund_due_after_return_delivered() -> None:
    from refundkit.ical import all_deadlines
    from refundkit.models import Event

    recorded = datetime(2026, 11, 16, 9, 0)
    order = make_order(
        id="r3fund",
        purchased=date(2026, 11, 10),
        received=date(2026, 11, 12),
        events=[
            Event(id="t1", kind="return-requested", on=date(2026, 11, 13), recorded=recorded),
            Event(id="t2", kind="return-delivered", on=date(2026, 11, 16), recorded=recorded),
        ],
    )
    deadlines = {d.key: d for d in all_deadlines([order], as_of=date(2026, 11, 17))}
    due = deadlines["t2-refund-due"]
    assert due.day == date(2026, 11, 23)  # 7 days after the merchant got the goods back
    assert due.summary.startswith("Refund due: 某店 · 耳机 [r3fund]")
    assert "CPL Art. 25" in due.description and "Next step:" in due.description
    delay = deadlines["t2-refund-deliberate-delay"]
    assert delay.day == date(2026, 12, 1) and "Art. 9" in delay.description  # the 15-day point


def test_calendar_reports_damaged_orders_but_lists_the_rest(cli: Cli, add: Any, home: Path) -> None:
    order_id = add(purchased="3 days ago", received="2 days ago")
    broken = home / "orders" / "brkn22"
    broken.mkdir()
    (broken / "order.json").write_text("{not json", encoding="utf-8")
    result = cli("calendar")
    assert result.exit_code == 1
    assert f"{order_id}-window-cn-7day@refundkit" in parse_ics(result.stdout.encode())
    assert "damaged:" in result.stderr and "brkn22" in result.stderr


def test_commands_have_help(cli: Cli) -> None:
    for name in ("import-bill", "export", "calendar"):
        result = cli(name, "--help")
        assert result.exit_code == 0 and "Example: refundkit" in result.stdout


# --- letters from imported bills name only what is known -------------------------------------


def _letters(cli: Cli, order_id: str) -> dict[str, str]:
    texts = {}
    for to in ("merchant", "platform", "regulator", "lawyer"):
        for lang in ("zh", "en"):
            result = cli("draft-complaint", order_id, "--to", to, "--lang", lang)
            assert result.exit_code == 0, result.output
            texts[f"{to}.{lang}"] = result.stdout
    return texts


def test_a_wechat_in_store_payment_claims_no_mini_program(cli: Cli, home: Path) -> None:
    """A WeChat bill cannot tell a Mini Program from a shop counter: no letter says which."""
    result = cli("import-bill", str(WECHAT_CSV), "--row", "1")
    assert result.exit_code == 0, result.output
    (order_id,) = [p.name for p in (home / "orders").iterdir()]
    texts = _letters(cli, order_id)
    for name, text in texts.items():
        assert "小程序" not in text and "Mini Program" not in text, name
    assert "微信支付账单（CSV），第18行，摘录" in texts["lawyer.zh"]  # the proof, in Chinese
    assert "WeChat Pay bill" not in texts["lawyer.zh"] and "WeChat Pay bill" in texts["lawyer.en"]
    assert "支付方式：微信支付" in texts["platform.zh"]


def test_a_taobao_purchase_paid_by_alipay_names_taobao_and_alipay(cli: Cli, home: Path) -> None:
    result = cli("import-bill", str(ALIPAY_WEB_UTF8), "--pick", "2024030822001400007777")
    assert result.exit_code == 0, result.output
    (order_id,) = [p.name for p in (home / "orders").iterdir()]
    texts = _letters(cli, order_id)
    zh = texts["platform.zh"]
    assert "购买平台：淘宝" in zh and "支付方式：支付宝" in zh
    assert "Alipay" not in zh and "微信" not in zh and "小程序" not in zh
    assert "申请平台介入" in zh  # a marketplace: its own dispute process, not WeChat Pay
    assert "Taobao" in texts["platform.en"] and "WeChat" not in texts["platform.en"]


def test_a_mini_program_purchase_is_named_as_one(cli: Cli, add: Any) -> None:
    order_id = add(mini_program="声悦数码商城", payment_method="wechat-pay", received="today")
    texts = _letters(cli, order_id)
    assert "微信小程序“声悦数码商城”" in texts["merchant.zh"]
    assert "WeChat Mini Program 声悦数码商城" in texts["merchant.en"]
    assert "微信支付投诉表单" in texts["platform.zh"]


def test_calendar_on_a_screen_says_how_to_save_it(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(purchased="3 days ago", received="2 days ago")
    assert "--out refundkit.ics" not in cli("calendar").stderr  # piped: the data alone
    monkeypatch.setattr("refundkit.pager.stdout_is_terminal", lambda: True)
    shown = cli("calendar")
    assert shown.stdout.startswith("BEGIN:VCALENDAR")
    assert "refundkit calendar --out refundkit.ics" in shown.stderr
