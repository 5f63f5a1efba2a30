"""Every bill layout the apps have exported since 2019: listed row for row, and one pick recorded.

For each layout (fixtures: tests/fixtures/bills/README.md) the number of expense rows comes
from three places that must agree: a count made by hand when the fixture was written, a
separate simple reading of the file done here (the csv module, or openpyxl for a workbook,
counting the rows whose 收/支 cell says 支出), and the listing of `import-bill --json`. Then
one row is recorded through the CLI and the order checked against that same simple reading.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bill_fixtures import (
    ALIPAY_2021,
    ALIPAY_2026,
    ALIPAY_CSV,
    ALIPAY_WEB_GBK,
    ALIPAY_WEB_UTF8,
    EXAMPLE_ALIPAY_CSV,
    EXAMPLE_WECHAT_CSV,
    EXAMPLE_WECHAT_XLSX,
    WECHAT_2019,
    WECHAT_2022,
    WECHAT_CSV,
    write_wechat_xlsx,
)

Cli = Callable[..., Any]


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    expenses: int  # counted by hand
    row: int  # the listing row recorded
    merchant: str
    amount: str
    path: Path | None = None  # None: built with write_wechat_xlsx(layout)
    layout: str = ""

    def file(self, tmp_path: Path) -> Path:
        if self.path is not None:
            return self.path
        return write_wechat_xlsx(tmp_path / f"wechat-{self.layout}.xlsx", self.layout, BASE)


BASE = datetime(2026, 1, 5, 10, 20, 30)
CASES = [
    Case("WeChat CSV 2019", "wechat-csv", 6, 1, "晨光数码专营店", "129.00", WECHAT_2019),
    Case("WeChat CSV 2022", "wechat-csv", 5, 1, "HK SUPERSTORE CO.,LIMITED", "268.00", WECHAT_2022),
    Case("WeChat CSV 2025", "wechat-csv", 4, 2, "轻食小站", "39.90", WECHAT_CSV),
    Case("WeChat CSV example", "wechat-csv", 11, 8, "哈哈", "2243.46", EXAMPLE_WECHAT_CSV),
    Case("WeChat XLSX 2025", "wechat-xlsx", 3, 1, "声悦数码旗舰店", "1288.00", layout="2025"),
    Case("WeChat XLSX 2026", "wechat-xlsx", 3, 3, "好运来超市", "58.50", layout="2026"),
    Case("WeChat XLSX example", "wechat-xlsx", 11, 3, "美团平台商户", "50.00", EXAMPLE_WECHAT_XLSX),
    Case("Alipay app 2021", "alipay-csv", 3, 1, "京东商城平台商户", "1299.00", ALIPAY_2021),
    Case("Alipay app 2023", "alipay-csv", 3, 3, "早安包子铺", "99.00", ALIPAY_CSV),
    Case(
        "Alipay app 2023 example", "alipay-csv", 5, 3, "xxxxxxxxxxxx", "49.74", EXAMPLE_ALIPAY_CSV
    ),
    Case("Alipay app 2026", "alipay-csv", 4, 1, "声悦数码旗舰店", "899.00", ALIPAY_2026),
    Case("Alipay web GBK", "alipay-web-csv", 4, 2, "城市出行", "23.50", ALIPAY_WEB_GBK),
    Case("Alipay web UTF-8", "alipay-web-csv", 3, 2, "声悦数码旗舰店", "399.00", ALIPAY_WEB_UTF8),
]


# --- the separate simple reading -----------------------------------------------------------


def plain_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The table's header and data rows, cells trimmed, read without refundkit: the header is
    the first row holding a 收/支 cell, the table ends at a dashed line."""
    if path.suffix == ".xlsx":
        return _workbook_table(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    rows = [[c.strip() for c in r] for r in csv.reader(text.splitlines())]
    start = next(i for i, r in enumerate(rows) if "收/支" in r)
    body = []
    for row in rows[start + 1 :]:
        if row and row[0].startswith("---"):
            break
        if any(row):
            body.append(row)
    return rows[start], body


def _workbook_table(path: Path) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = [
                ["" if c is None else str(c).strip() for c in r]
                for r in sheet.iter_rows(values_only=True)
            ]
            starts = [i for i, r in enumerate(rows) if "收/支" in r]
            if starts:
                return rows[starts[0]], [r for r in rows[starts[0] + 1 :] if any(r)]
    finally:
        book.close()
    raise AssertionError(f"no table in {path}")


def expense_rows(path: Path) -> list[list[str]]:
    return [r for r in plain_table(path)[1] if "支出" in r]


def plain_amounts(path: Path) -> list[Decimal]:
    """The 金额 cell of each expense row; a row longer than its header (a comma left unquoted
    in a name, early in the row) has its later cells moved right by the difference."""
    header, _ = plain_table(path)
    at = next(i for i, h in enumerate(header) if h.startswith("金额"))
    amounts = []
    for row in expense_rows(path):
        shift = len(row) - len(header) if len(row) > len(header) else 0
        text = row[at + shift].replace("¥", "").replace("￥", "").replace(",", "")
        amounts.append(Decimal(text).quantize(Decimal("0.01")))
    return sorted(amounts)


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_expense_row_is_listed(cli: Cli, tmp_path: Path, case: Case) -> None:
    path = case.file(tmp_path)
    independent = len(expense_rows(path))
    assert independent == case.expenses, "the fixture changed: count its 支出 rows again"
    result = cli("import-bill", str(path), "--json")
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    assert listing["source"] == case.source
    assert len(listing["transactions"]) == independent
    assert [t["row"] for t in listing["transactions"]] == list(range(1, independent + 1))
    amounts = sorted(Decimal(t["amount"]) for t in listing["transactions"])
    assert amounts == plain_amounts(path)
    human = cli("import-bill", str(path))
    noun = "expense transaction" if independent == 1 else "expense transactions"
    assert f": {independent} {noun}, newest first" in human.stdout


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_pick_is_recorded(cli: Cli, home: Path, tmp_path: Path, case: Case) -> None:
    path = case.file(tmp_path)
    listing = json.loads(cli("import-bill", str(path), "--json").stdout)["transactions"]
    picked = listing[case.row - 1]
    assert picked["merchant"] == case.merchant and picked["amount"] == case.amount
    result = cli("import-bill", str(path), "--row", str(case.row))
    assert result.exit_code == 0, result.output
    (folder,) = (home / "orders").iterdir()
    order = json.loads((folder / "order.json").read_text(encoding="utf-8"))
    assert order["merchant"] == case.merchant and order["amount"] == case.amount
    assert order["transaction_id"] == (picked["id"] or None)
    assert f"{order['purchased']}T{order['purchased_time']}" == picked["time"]
    expected_method = "wechat-pay" if case.source.startswith("wechat") else "alipay"
    assert order["payment_method"] == expected_method
    (evidence,) = order["evidence"]
    assert evidence["kind"] == "payment" and evidence["extract_of"]["name"] == path.name
    stored = folder / evidence["stored_as"]
    assert stored.is_file() and stored.stat().st_size == evidence["size"]
    # The picked row is one of the expense rows of the simple reading of the original.
    assert any(picked["id"] in row and case.merchant in ",".join(row) for row in expense_rows(path))
