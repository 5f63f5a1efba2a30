"""Reading WeChat Pay and Alipay bills (bills.py): layouts, quirks, refunds and bad files."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bill_fixtures import (
    ALIPAY_CSV,
    ALIPAY_WEB_GBK,
    ALIPAY_WEB_UTF8,
    EXAMPLE_ALIPAY_CSV,
    EXAMPLE_WECHAT_CSV,
    EXAMPLE_WECHAT_XLSX,
    NOT_A_BILL,
    WECHAT_CSV,
    write_wechat_xlsx,
)
from refundkit.bills import Bill, Transaction, parse_bill, pick, read_bill, wechat_refund
from refundkit.errors import BadFile, BadInput


def by_id(bill: Bill) -> dict[str, Transaction]:
    return {t.transaction_id: t for t in bill.transactions}


# --- WeChat Pay CSV ------------------------------------------------------------------------


def test_wechat_csv_with_bom_tabs_slashes_and_grouped_amounts() -> None:
    assert WECHAT_CSV.read_bytes().startswith(b"\xef\xbb\xbf")
    bill = read_bill(WECHAT_CSV)
    assert bill.source == "wechat-csv" and bill.payment_method == "wechat-pay"
    assert len(bill.transactions) == 7
    assert [t.direction for t in bill.transactions].count("expense") == 4
    first = bill.transactions[0]
    assert first.time == datetime(2025, 3, 20, 14, 30, 5)
    assert first.counterparty == "声悦数码旗舰店" and first.item == "蓝牙耳机 Pro"
    assert first.amount == Decimal("1299.00")  # "¥1,299.00"
    assert first.transaction_id == "4200009901202501201234567890"  # trailing tab gone
    assert first.merchant_order_no == "SY202501200001"
    assert first.method == "招商银行信用卡(1234)" and first.note == ""  # "/" is empty
    assert first.kind == "商户消费" and first.status == "支付成功" and first.refunded is None
    assert first.line == 18  # 16 summary lines and the header before it


def test_wechat_csv_refund_marks() -> None:
    rows = {t.counterparty: t for t in read_bill(WECHAT_CSV).expenses}
    partial = rows["轻食小站"]
    assert partial.refunded == "partial" and partial.refunded_amount == Decimal("10.00")
    assert partial.refund_text() == "refunded in part (¥10.00 of ¥39.90)"
    assert rows["书虫文具"].refunded == "full"  # 已全额退款
    assert rows["果园鲜生"].refunded == "full"  # 已退款￥336.90 is all of it
    assert rows["声悦数码旗舰店"].refunded is None


def test_refund_row_is_income_not_an_expense() -> None:
    bill = read_bill(WECHAT_CSV)
    refund = by_id(bill)["50300099012025011600001"]
    assert refund.direction == "income"
    neutral = by_id(bill)["1100039901202501100000"]
    assert neutral.direction == "neutral" and neutral.note == "服务费¥0.20"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("已全额退款", ("full", Decimal("50.00"))),
        ("已退款(￥10.00)", ("partial", Decimal("10.00"))),
        ("已退款￥10.00", ("partial", Decimal("10.00"))),
        ("已退款（¥50.00）", ("full", Decimal("50.00"))),
        ("已退款", ("partial", None)),
        ("支付成功", (None, None)),
    ],
)
def test_wechat_refund_status(status: str, expected: tuple[object, object]) -> None:
    assert wechat_refund(status, Decimal("50.00")) == expected


def test_layout_found_by_header_not_line_count() -> None:
    data = WECHAT_CSV.read_bytes().replace(
        "导出类型：[全部]".encode(), "导出类型：[全部],,,,,,,,,,\n多出来的一行说明".encode()
    )
    bill = parse_bill(data, "moved.csv")
    assert len(bill.transactions) == 7 and bill.transactions[0].line == 19


def test_crlf_and_no_bom_and_gbk_wechat_are_read() -> None:
    text = WECHAT_CSV.read_bytes().decode("utf-8-sig")
    crlf = parse_bill(text.replace("\n", "\r\n").encode(), "crlf.csv")
    gbk = parse_bill(text.encode("gb18030"), "resaved.csv")
    assert crlf.transactions == read_bill(WECHAT_CSV).transactions
    assert [t.amount for t in gbk.transactions] == [t.amount for t in crlf.transactions]


# --- WeChat Pay XLSX -----------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2025", "2026"])
def test_wechat_xlsx_layouts(tmp_path: Path, layout: str) -> None:
    base = datetime(2026, 1, 5, 10, 20, 30)
    bill = read_bill(write_wechat_xlsx(tmp_path / f"{layout}.xlsx", layout, base))
    assert bill.source == "wechat-xlsx" and bill.payment_method == "wechat-pay"
    assert len(bill.transactions) == 5 and len(bill.expenses) == 3
    first = bill.transactions[0]
    assert first.time == base and first.amount == Decimal("1288.00")
    assert first.transaction_id == "4200001111202601010000000001"
    assert first.merchant_order_no == "SY-X2-0001" and first.counterparty == "声悦数码旗舰店"
    refunds = {t.counterparty: t.refunded for t in bill.expenses}
    assert refunds == {"声悦数码旗舰店": None, "咖啡小馆": "partial", "好运来超市": "full"}
    assert bill.transactions[2].item == ""  # "/"


def test_xlsx_layouts_agree(tmp_path: Path) -> None:
    base = datetime(2026, 1, 5, 10, 20, 30)
    old = read_bill(write_wechat_xlsx(tmp_path / "a.xlsx", "2025", base))
    new = read_bill(write_wechat_xlsx(tmp_path / "b.xlsx", "2026", base))
    strip = [(t.time, t.amount, t.transaction_id, t.refunded) for t in old.transactions]
    assert strip == [(t.time, t.amount, t.transaction_id, t.refunded) for t in new.transactions]


def test_openpyxl_is_not_imported_for_csv() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from refundkit.bills import read_bill; "
        f"read_bill(Path({str(ALIPAY_CSV)!r})); print('openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- Alipay CSV ----------------------------------------------------------------------------


def test_alipay_gbk_padded_cells_trailing_comma() -> None:
    bill = read_bill(ALIPAY_CSV)
    assert bill.source == "alipay-csv" and bill.payment_method == "alipay"
    assert len(bill.transactions) == 6 and len(bill.expenses) == 3
    fryer = by_id(bill)["2025101922001400001111"]
    assert fryer.counterparty == "优品电器专营店" and fryer.item == "空气炸锅 5L"
    assert fryer.amount == Decimal("2399.00")
    assert fryer.time == datetime(2025, 10, 19, 16, 20, 11)
    assert fryer.merchant_order_no == "YP20251019001"
    assert fryer.method == "花呗" and fryer.note == ""
    breakfast = by_id(bill)["2025101622001400003333"]
    assert breakfast.note == "团购" and breakfast.merchant_order_no == ""


def test_alipay_refund_rows_link_to_their_original() -> None:
    bill = read_bill(ALIPAY_CSV)
    rows = by_id(bill)
    fryer = rows["2025101922001400001111"]
    assert fryer.refunded == "partial" and fryer.refunded_amount == Decimal("100.00")
    scarf = rows["2025101722001400002222"]  # two refunds add up to the price
    assert scarf.refunded == "full" and scarf.refunded_amount == Decimal("68.00")
    assert rows["2025101622001400003333"].refunded is None
    refund = rows["2025101922001400001111_1120090000"]
    assert refund.direction == "neutral" and refund.refunded is None


# --- picking a row -------------------------------------------------------------------------


def test_pick_exact_prefix_ambiguous_and_missing() -> None:
    bill = read_bill(WECHAT_CSV)
    assert pick(bill, "4200009901202501181111111111").tx.counterparty == "轻食小站"
    assert pick(bill, " 42000099012025011811 ").tx.counterparty == "轻食小站"
    with pytest.raises(BadInput, match="ambiguous.*轻食小站.*书虫文具"):
        pick(bill, "4200009901")
    with pytest.raises(BadInput, match="no expense transaction"):
        pick(bill, "999")
    with pytest.raises(BadInput, match="not an expense"):
        pick(bill, "1000039901202501110000")  # the red packet received
    with pytest.raises(BadInput, match="empty"):
        pick(bill, "  ")


def test_exact_number_wins_over_longer_ones() -> None:
    text = WECHAT_CSV.read_bytes().decode("utf-8-sig")
    text = text.replace("4200009901202501181111111111", "42000099012025012012345678")
    bill = parse_bill(text.encode(), "b.csv")
    # "42000099012025012012345678" is also a prefix of the 1,299.00 row's number.
    assert pick(bill, "42000099012025012012345678").tx.counterparty == "轻食小站"


# --- files that are not bills --------------------------------------------------------------


def test_another_kind_of_csv_is_refused() -> None:
    with pytest.raises(BadFile, match="bank-statement.csv is not a WeChat Pay or Alipay bill"):
        read_bill(NOT_A_BILL)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf\n\n", "is empty"),
        (b"%PDF-1.7\n...", "is a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel .xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image, not a bill"),
        (b"GIF89a\x00\x00", "is a GIF image"),
        (b"\x00\x01\x02\x03 some binary", "binary file"),
        (b"just some notes\nnothing here\n", "not a WeChat Pay or Alipay bill"),
        ("交易时间 was mentioned, but no table".encode(), "not a WeChat Pay or Alipay bill"),
    ],
)
def test_not_a_bill(data: bytes, message: str) -> None:
    with pytest.raises(BadFile, match=message):
        parse_bill(data, "x")


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "账单.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("微信支付账单.csv", WECHAT_CSV.read_bytes())
    with pytest.raises(BadFile, match="ZIP archive.*unzip it first"):
        read_bill(path)


def test_a_workbook_without_the_table(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Date", "Amount"])  # type: ignore[union-attr]
    book.save(tmp_path / "budget.xlsx")
    with pytest.raises(BadFile, match="Excel workbook without a WeChat Pay bill table"):
        read_bill(tmp_path / "budget.xlsx")


# --- truncated files -----------------------------------------------------------------------


def test_csv_cut_mid_row() -> None:
    data = WECHAT_CSV.read_bytes()
    cut = data[: data.index("果园鲜生".encode()) + 3]
    with pytest.raises(BadFile, match="line 21 has 3 cells where the table has 11.*truncated"):
        parse_bill(cut, "cut.csv")


def test_csv_cut_mid_character() -> None:
    data = WECHAT_CSV.read_bytes()
    cut = data[: data.index("书虫文具".encode()) + 1]
    with pytest.raises(BadFile, match="middle of a character.*truncated"):
        parse_bill(cut, "cut.csv")


def test_csv_cut_inside_a_quoted_cell() -> None:
    data = WECHAT_CSV.read_bytes()
    cut = data[: data.index('"书虫文具'.encode()) + 4]
    with pytest.raises(BadFile, match="truncated"):
        parse_bill(cut, "cut.csv")


def test_csv_cut_before_its_table() -> None:
    data = WECHAT_CSV.read_bytes()
    cut = data[: data.index("交易时间".encode())]
    with pytest.raises(BadFile, match="table is missing.*truncated"):
        parse_bill(cut, "cut.csv")
    alipay = ALIPAY_CSV.read_bytes()
    with pytest.raises(BadFile, match="table is missing.*truncated"):
        parse_bill(alipay[: alipay.index("交易时间".encode("gb18030"))], "cut.csv")


def test_row_with_a_broken_amount() -> None:
    data = WECHAT_CSV.read_bytes().replace("¥39.90".encode(), b"39..9")
    with pytest.raises(BadFile, match="line 19 has no readable amount"):
        parse_bill(data, "bad.csv")


def test_xlsx_cut_short(tmp_path: Path) -> None:
    data = write_wechat_xlsx(tmp_path / "a.xlsx", "2026").read_bytes()
    with pytest.raises(BadFile, match="a.xlsx is a truncated ZIP/XLSX file"):
        parse_bill(data[: len(data) // 2], "a.xlsx")


def test_header_only_is_an_empty_bill() -> None:
    data = WECHAT_CSV.read_bytes()
    bill = parse_bill(data[: data.index(b"\n2025-03-20") + 1], "none.csv")
    assert bill.transactions == ()


# --- wrong encodings -----------------------------------------------------------------------


def test_utf16_is_the_wrong_encoding() -> None:
    text = ALIPAY_CSV.read_bytes().decode("gb18030")
    with pytest.raises(BadFile, match="UTF-16 text"):
        parse_bill(text.encode("utf-16"), "unicode.txt")


def test_garbled_by_a_wrong_resave() -> None:
    garbled = ALIPAY_CSV.read_bytes().decode("latin-1").encode("utf-8")
    with pytest.raises(BadFile, match="wrong text encoding"):
        parse_bill(garbled, "garbled.csv")


def test_mixed_encodings() -> None:
    data = WECHAT_CSV.read_bytes().replace("书虫文具".encode(), "书虫文具".encode("gbk"))
    with pytest.raises(BadFile, match="not valid UTF-8 text at line 20"):
        parse_bill(data, "mixed.csv")


# --- paths that are not files --------------------------------------------------------------


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(BadFile, match="no such file"):
        read_bill(tmp_path / "nope.csv")
    with pytest.raises(BadFile, match="is a folder"):
        read_bill(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "bill.csv"
    os.mkfifo(fifo)
    with pytest.raises(BadFile, match="not a regular file"):
        read_bill(fifo)


# --- the third-party real-format examples ----------------------------------------------------


def test_example_wechat_csv() -> None:
    bill = read_bill(EXAMPLE_WECHAT_CSV)
    assert bill.source == "wechat-csv"
    assert len(bill.transactions) == 27 and len(bill.expenses) == 11
    first = bill.transactions[0]
    assert first.counterparty == "云膳过桥米线(传奇广场店)" and first.amount == Decimal("28.16")
    assert first.transaction_id == "3985734" and first.merchant_order_no == "129847129"
    assert pick(bill, "42000011").tx.counterparty == "哈哈"
    income = [t for t in bill.transactions if t.direction == "income"]
    assert [t.amount for t in income][:2] == [Decimal("0.35"), Decimal("23.00")]


def test_example_wechat_xlsx_has_both_layouts_and_agrees_with_the_csv() -> None:
    from refundkit import bills, xlsx

    csv_bill = read_bill(EXAMPLE_WECHAT_CSV)
    xlsx_bill = read_bill(EXAMPLE_WECHAT_XLSX)
    assert xlsx_bill.source == "wechat-xlsx"

    def key(bill: Bill) -> list[tuple[object, ...]]:
        return [(t.time, t.amount, t.transaction_id, t.direction) for t in bill.transactions]

    assert key(xlsx_bill) == key(csv_bill)
    book = xlsx.open_workbook(EXAMPLE_WECHAT_XLSX.read_bytes(), "x")
    found = [bills._sheet_table(book, sheet, "x") for sheet in book.sheets]
    assert len(found) == 2 and all(f is not None and len(f[2]) == 27 for f in found)


def test_example_alipay_csv() -> None:
    bill = read_bill(EXAMPLE_ALIPAY_CSV)
    assert bill.source == "alipay-csv"
    assert len(bill.transactions) == 10 and len(bill.expenses) == 5
    rows = by_id(bill)
    card = rows["2023xxxxx88"]
    assert card.refunded == "full" and card.amount == Decimal("50.00")
    assert card.state == "closed"  # 交易关闭, and a 退款成功 row
    assert rows["2023xxxxx88_2023xx57"].direction == "neutral"
    assert rows["202302xxxxxx0011000103xxxxxx"].counterparty == "xxxxxxxxxxxx"
    big = [t for t in bill.transactions if t.amount == Decimal("222228.50")]
    assert big and big[0].direction == "income"


# --- a refusal says what the file is ---------------------------------------------------------


def wechat_text() -> str:
    return WECHAT_CSV.read_bytes().decode("utf-8-sig")


def other_kinds(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Files a user may hand over instead of the bill, and what the refusal must call them."""
    from bill_bombs import encrypted_zip, zip_of

    made: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, expected: str) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        made[name] = (path, expected)

    made["bill.zip"] = (encrypted_zip(tmp_path / "bill.zip"), "is a password-protected ZIP archive")
    made["word.docx"] = (
        zip_of(tmp_path / "word.docx", {"word/document.xml": b"<w/>"}),
        "is a Word document",
    )
    made["sheet.ods"] = (
        zip_of(
            tmp_path / "sheet.ods",
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"},
        ),
        "is an OpenDocument spreadsheet (.ods)",
    )
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    put("locked.xlsx", ole + "EncryptionInfo".encode("utf-16-le"), "password-protected Excel")
    put("old.xls", ole, "old Excel .xls workbook")
    put("proof.pdf", b"%PDF-1.7\n1 0 obj", "is a PDF document")
    put("page.html", b"\n<!DOCTYPE html><html><body>bill</body></html>", "is an HTML page")
    put("data.json", b'{"transactions": []}', "is JSON data")
    put(
        "merchant.csv",
        "交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号\n`2026-01-01,wx1,1,,,4200\n".encode(),
        "WeChat Pay merchant settlement file",
    )
    put(
        "alipay-new.csv",
        "------------------------支付宝（中国）网络技术有限公司  电子客户回单-----\n"
        "交易时间,交易分类,交易对方,商品说明,收/支,金额,交易状态,流水号\n"
        "2026-01-01 10:00:00,餐饮,店,饭,支出,1.00,交易成功,1\n".encode("gbk"),
        "looks like an Alipay statement in a layout refundkit does not know",
    )
    put("notes.txt", "买了个耳机，商家不退。\n".encode(), "not a WeChat Pay or Alipay bill")
    return made


def test_other_kinds_of_file_are_named(tmp_path: Path) -> None:
    for name, (path, expected) in other_kinds(tmp_path).items():
        with pytest.raises(BadFile) as caught:
            read_bill(path)
        message = caught.value.message
        assert expected in message, (name, message)
        assert "truncated" not in message, (name, message)


def test_alipay_saved_as_a_workbook_is_named(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额",
                  "收/付款方式", "交易状态", "交易订单号", "商家订单号", "备注"])  # fmt: skip
    book.save(tmp_path / "alipay.xlsx")
    with pytest.raises(BadFile, match="is an Alipay statement saved as an Excel workbook"):
        read_bill(tmp_path / "alipay.xlsx")


def test_the_web_export_is_not_called_truncated() -> None:
    """The regression of issue 13: both encodings of the web export are read."""
    for path in (ALIPAY_WEB_GBK, ALIPAY_WEB_UTF8):
        bill = read_bill(path)
        assert bill.source == "alipay-web-csv" and bill.payment_method == "alipay"
    assert ALIPAY_WEB_UTF8.read_bytes().startswith(b"\xef\xbb\xbf")


def test_damage_in_the_middle_is_not_called_truncated() -> None:
    text = wechat_text()
    lines = text.splitlines(keepends=True)
    lines[18] = lines[18].split(",")[0] + ",商户消费\n"  # a row cut short, then whole rows
    with pytest.raises(BadFile) as caught:
        parse_bill("".join(lines).encode(), "edited.csv")
    assert "line 19 has 2 cells where the table has 11: the file was edited or is damaged" in (
        caught.value.message
    )
    assert "truncated" not in caught.value.message


def test_a_last_row_cut_inside_its_last_cell_is_a_truncation() -> None:
    data = WECHAT_CSV.read_bytes().rstrip(b"\n")
    cut = data[: data.rindex("服务费".encode()) + 3]  # all eleven cells, the last one open
    with pytest.raises(BadFile, match="ends inside a quoted cell: the file is truncated"):
        parse_bill(cut, "cut.csv")


def test_xlsx_with_damaged_xml_is_damaged_not_truncated(tmp_path: Path) -> None:
    from bill_bombs import workbook

    path = workbook(tmp_path / "bad.xlsx", [b"<worksheet><sheetData><row>"])
    with pytest.raises(BadFile) as caught:
        read_bill(path)
    assert "is a damaged XLSX workbook (bad XML" in caught.value.message


# --- the Alipay web export -----------------------------------------------------------------


def test_alipay_web_export_fields() -> None:
    bill = read_bill(ALIPAY_WEB_GBK)
    rows = by_id(bill)
    pram = rows["2019121922001400001111"]
    assert pram.time == datetime(2019, 12, 19, 20, 24, 8)  # 交易创建时间
    assert pram.merchant_order_no == "T200P560011223344"  # padded, then a tab
    assert pram.counterparty == "青禾母婴专营店" and pram.item == "婴儿推车 轻便折叠款"
    assert pram.amount == Decimal("688.00") and pram.platform == "taobao"
    assert pram.refunded == "partial" and pram.refunded_amount == Decimal("100.00")
    shelf = rows["2019121022001400003333"]
    assert shelf.state == "closed" and shelf.refunded == "full"
    ride = rows["2019121522001400002222"]
    assert ride.platform is None  # 其他（包括阿里巴巴和外部商家） names no platform
    fund = rows["20191205343073829431"]
    assert fund.direction == "neutral" and fund.merchant_order_no == ""  # empty 收/支
    assert len(bill.transactions) == 6 and len(bill.expenses) == 4  # the footer is not a row


def test_alipay_2021_order_and_other() -> None:
    from bill_fixtures import ALIPAY_2021

    bill = read_bill(ALIPAY_2021)
    rows = by_id(bill)
    purifier = rows["2021111322001199990001"]
    assert purifier.time == datetime(2021, 11, 13, 21, 4, 36)  # the last column
    assert purifier.refunded == "partial" and purifier.refunded_amount == Decimal("200.00")
    assert rows["2021103122001199990005"].direction == "neutral"  # 其他
    assert rows["2021110522001199990003"].state == "closed"


def test_alipay_2026_minutes_and_zero_amount() -> None:
    from bill_fixtures import ALIPAY_2026

    bill = read_bill(ALIPAY_2026)
    rows = by_id(bill)
    assert rows["2026052022001400005555"].time == datetime(2026, 5, 20, 14, 32)
    medicine = rows["2026040222001400008888"]
    assert medicine.amount == Decimal("0.00") and not medicine.pickable
    from refundkit.bills import pick_row

    with pytest.raises(BadInput, match="row 4: 2026040222001400008888 .*cannot be recorded"):
        pick_row(bill, 4)


def test_wechat_unquoted_comma_in_a_name() -> None:
    from bill_fixtures import WECHAT_2022

    bill = read_bill(WECHAT_2022)
    first = bill.transactions[0]
    assert first.counterparty == "HK SUPERSTORE CO.,LIMITED" and first.item == "零食礼盒"
    assert first.amount == Decimal("268.00") and first.method == "招商银行信用卡(4410)"
    assert by_id(bill)["42000011202212180841270033"].merchant_order_no == "XSFF-SD2022121808412700"


def test_wechat_returned_transfer_and_its_refund_rows() -> None:
    from bill_fixtures import WECHAT_2019

    bill = read_bill(WECHAT_2019)
    rows = by_id(bill)
    assert rows["1000050001201910150930001234"].state == "returned"
    book = rows["4200000455201910081520448822"]
    assert [t.transaction_id for t in bill.related(book)] == ["5030000455201910091002111234"]


def test_listing_is_newest_first_and_numbered() -> None:
    bill = read_bill(WECHAT_CSV)
    times = [entry.tx.time for entry in bill.listing]
    assert times == sorted(times, reverse=True)
    assert [entry.row for entry in bill.listing] == [1, 2, 3, 4]


def test_xlsx_reading_does_not_need_openpyxl(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write_wechat_xlsx(tmp_path / "a.xlsx", "2026")
    code = (
        "import sys; from pathlib import Path; from refundkit.bills import read_bill; "
        f"b = read_bill(Path({str(path)!r})); print(len(b.expenses), 'openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "False"]
