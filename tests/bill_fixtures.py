"""Bill files for the import tests and the benchmarks.

The CSVs are committed in tests/fixtures/bills/ (see its README: which public layout each one
mimics, and the third-party examples kept there with their licence); the XLSX workbooks are
built here with openpyxl, in the two layouts WeChat Pay has used: the 2025 one (amounts as `¥`
text, times as text, under an extra `Column1..` row as a spreadsheet tool leaves it) and the
2026 one (a fourth note line about UTC+08:00, amounts as number cells, times as date cells).
A year-long bill for the benchmarks is generated here too (`write_big_wechat_csv`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "bills"

WECHAT_CSV = FIXTURES / "wechat-2025.csv"
WECHAT_2019 = FIXTURES / "wechat-2019.csv"
WECHAT_2022 = FIXTURES / "wechat-2022.csv"
ALIPAY_CSV = FIXTURES / "alipay-2025.csv"  # the 2023 layout, as exported until 2025
ALIPAY_2021 = FIXTURES / "alipay-2021.csv"
ALIPAY_2026 = FIXTURES / "alipay-2026.csv"
ALIPAY_WEB_GBK = FIXTURES / "alipay-web-gbk.csv"
ALIPAY_WEB_UTF8 = FIXTURES / "alipay-web-utf8.csv"
NOT_A_BILL = FIXTURES / "bank-statement.csv"
# Third-party examples (deb-sig/double-entry-generator, Apache-2.0; see the README there).
EXAMPLE_WECHAT_CSV = FIXTURES / "example-wechat-records.csv"
EXAMPLE_WECHAT_XLSX = FIXTURES / "example-wechat-records.xlsx"
EXAMPLE_ALIPAY_CSV = FIXTURES / "example-alipay-records.csv"

HEADER = [
    "交易时间",
    "交易类型",
    "交易对方",
    "商品",
    "收/支",
    "金额(元)",
    "支付方式",
    "当前状态",
    "交易单号",
    "商户单号",
    "备注",
]
NOTES = [
    "注：",
    "1. 充值/提现/理财通购买/零钱通存取/信用卡还款等交易，将计入中性交易",
    "2. 若交易记录明细无有效内容，则代表该时间段内此微信号无交易。",
    "3. 本明细仅供个人对账使用",
]


def wechat_rows(base: datetime) -> list[dict[str, Any]]:
    """Four expenses (one refunded in part, one in full), an income and a neutral row."""
    return [
        {
            "time": base,
            "kind": "商户消费",
            "who": "声悦数码旗舰店",
            "item": "降噪耳机 X2",
            "dir": "支出",
            "amount": "1288.00",
            "method": "零钱",
            "status": "支付成功",
            "txn": "4200001111202601010000000001",
            "order": "SY-X2-0001",
        },
        {
            "time": base - timedelta(days=1, hours=2),
            "kind": "商户消费",
            "who": "咖啡小馆",
            "item": "拿铁",
            "dir": "支出",
            "amount": "32.00",
            "method": "零钱",
            "status": "已退款(￥12.00)",
            "txn": "4200001111202601010000000002",
            "order": "KF-0002",
        },
        {
            "time": base - timedelta(days=2),
            "kind": "商户消费",
            "who": "好运来超市",
            "item": "/",
            "dir": "支出",
            "amount": "58.50",
            "method": "招商银行(1234)",
            "status": "已全额退款",
            "txn": "4200001111202601010000000003",
            "order": "HY-0003",
        },
        {
            "time": base - timedelta(days=3),
            "kind": "微信红包",
            "who": "小红",
            "item": "/",
            "dir": "收入",
            "amount": "8.88",
            "method": "/",
            "status": "已存入零钱",
            "txn": "1000052222202601010000000004",
            "order": "/",
        },
        {
            "time": base - timedelta(days=4),
            "kind": "零钱提现",
            "who": "招商银行(1234)",
            "item": "/",
            "dir": "/",
            "amount": "100.00",
            "method": "零钱",
            "status": "提现已到账",
            "txn": "1100053333202601010000000005",
            "order": "/",
        },
    ]


def _money_text(amount: str) -> str:
    whole, cents = amount.split(".")
    return f"¥{int(whole):,}.{cents}"


def write_wechat_xlsx(path: Path, layout: str, base: datetime | None = None) -> Path:
    """A WeChat Pay bill workbook in the `2025` or the `2026` layout."""
    import openpyxl

    base = base or (datetime.now() - timedelta(days=2)).replace(microsecond=0)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if layout == "2025":
        # A decoy first sheet: the table must be found on whichever sheet holds it.
        sheet.title = "说明"
        sheet.append(["本文件由微信支付导出"])
        sheet = book.create_sheet("微信支付账单明细")
        sheet.append([f"Column{i}" for i in range(1, 12)])
    else:
        sheet.title = "Sheet1"
    sheet.append(["微信支付账单明细"])
    sheet.append(["微信昵称：[小明]"])
    sheet.append([f"起始时间：[{base:%Y-%m-01} 00:00:00] 终止时间：[{base:%Y-%m-%d} 23:59:59]"])
    sheet.append(["导出类型：[全部]"])
    sheet.append([f"导出时间：[{base:%Y-%m-%d} 23:00:00]"])
    sheet.append([])
    sheet.append(["共5笔记录"])
    sheet.append(["收入：1笔 8.88元"])
    sheet.append(["支出：3笔 1378.50元"])
    sheet.append(["中性交易：1笔 100.00元"])
    for line in NOTES:
        sheet.append([line])
    if layout == "2026":
        sheet.append(["4. 本账单中所有时间均为UTC+08:00时间"])
    sheet.append([])
    sheet.append(["----------------------微信支付账单明细列表--------------------"])
    sheet.append(HEADER)
    for row in wechat_rows(base):
        if layout == "2026":
            time: Any = row["time"]
            amount: Any = float(row["amount"])
            txn, order = row["txn"], row["order"]
        else:
            time = f"{row['time']:%Y-%m-%d %H:%M:%S}"
            amount = _money_text(row["amount"])
            txn, order = row["txn"] + "\t", row["order"] + "\t"
        sheet.append(
            [
                time,
                row["kind"],
                row["who"],
                row["item"],
                row["dir"],
                amount,
                row["method"],
                row["status"],
                txn,
                order,
                "/",
            ]
        )
    book.save(path)
    return path


# --- a real-sized bill, for the benchmarks ---------------------------------------------------

WECHAT_CSV_HEAD = [
    "微信支付账单明细",
    "微信昵称：[林小满]",
    "起始时间：[{start} 00:00:00] 终止时间：[{end} 23:59:59]",
    "导出类型：[全部]",
    "导出时间：[{end} 23:30:00]",
    "",
    "共{count}笔记录",
    "收入：0笔 0.00元",
    "支出：0笔 0.00元",
    "中性交易：0笔 0.00元",
    "注：",
    "1. 充值/提现/理财通购买/零钱通存取/信用卡还款等交易，将计入中性交易",
    "2. 若交易记录明细无有效内容，则代表该时间段内此微信号无交易。",
    "3. 本明细仅供个人对账使用",
    "",
    "----------------------微信支付账单明细列表--------------------",
]
SHOPS = [
    "声悦数码旗舰店",
    "老街牛肉面(南门店)",
    "青柠咖啡",
    "拾光家居旗舰店",
    "惠民大药房",
    "城市出行",
]


def write_big_wechat_csv(path: Path, rows: int = 10_000, seed: int = 7) -> Path:
    """A twelve-month WeChat Pay CSV in the real layout: `rows` transactions, mostly
    expenses, some refunds, income and neutral rows, newest first as the app writes them."""
    rng = random.Random(seed)
    end = datetime(2026, 10, 31, 22, 0, 0)
    step = timedelta(days=365) / rows
    lines = [
        line.format(start="2025-11-01", end="2026-10-31", count=rows) + ",,,,,,,,,,"
        for line in WECHAT_CSV_HEAD
    ]
    lines.append(",".join(HEADER))
    for number in range(rows):
        when = end - step * number
        shop = SHOPS[number % len(SHOPS)]
        amount = f"{rng.randint(1, 200000) / 100:,.2f}"
        direction, status = "支出", "支付成功"
        if number % 17 == 0:
            status = f"已退款(￥{rng.randint(1, 99)}.00)"
        elif number % 23 == 0:
            direction, status = "收入", "已存入零钱"
        elif number % 29 == 0:
            direction, status = "/", "提现已到账"
        lines.append(
            f'{when:%Y-%m-%d %H:%M:%S},"商户消费","{shop}","商品 {number}","{direction}",'
            f'"¥{amount}","零钱","{status}","42000{number:023d}"\t,"M{number:012d}"\t,"/"'
        )
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    return path


def write_big_wechat_xlsx(path: Path, rows: int = 10_000, seed: int = 7) -> Path:
    """The same year in the 2026 workbook layout (amounts as numbers, times as date cells)."""
    import openpyxl

    rng = random.Random(seed)
    end = datetime(2026, 10, 31, 22, 0, 0)
    step = timedelta(days=365) / rows
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    for line in WECHAT_CSV_HEAD:
        sheet.append([line.format(start="2025-11-01", end="2026-10-31", count=rows)])
    sheet.append(HEADER)
    for number in range(rows):
        direction, status = "支出", "支付成功"
        if number % 17 == 0:
            status = f"已退款(￥{rng.randint(1, 99)}.00)"
        elif number % 23 == 0:
            direction, status = "收入", "已存入零钱"
        shop = SHOPS[number % len(SHOPS)]
        amount = rng.randint(1, 200000) / 100
        sheet.append(
            [end - step * number, "商户消费", shop, f"商品 {number}", direction, amount, "零钱",
             status, f"42000{number:023d}\t", f"M{number:012d}\t", "/"]
        )  # fmt: skip
    book.save(path)
    return path
