"""The commands that meet the user's files (import-bill, export, calendar, screenshots) and the
core modules behind them speak Chinese under REFUNDKIT_LANG=zh; JSON never changes.

A test of a Chinese message skips while the catalog lacks that message's Chinese (the
translations are merged into the catalog after the code); test_messages.py fails meanwhile.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bill_fixtures import ALIPAY_CSV, NOT_A_BILL
from refundkit import i18n

Cli = Callable[..., Any]


def chinese(message: str, plural: str | None = None) -> str:
    """message in the zh catalog; the test skips while the catalog has none for it."""
    i18n.set_language("zh")
    try:
        text = i18n.ngettext(message, plural, 2) if plural else i18n._(message)
    finally:
        i18n.set_language("en")
    if text in (message, plural):
        pytest.skip(f"the zh catalog has no Chinese for {message!r} yet")
    return text


@pytest.fixture
def zh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFUNDKIT_LANG", "zh")


def test_the_bill_listing_is_chinese(cli: Cli, zh: None) -> None:
    heading = chinese("Transaction no.")
    chinese(
        "{bill}: {n} expense transaction, newest first",
        "{bill}: {n} expense transactions, newest first",
    )
    result = cli("import-bill", str(ALIPAY_CSV))
    assert result.exit_code == 0, result.output
    assert heading in result.stdout
    assert "笔支出交易" in result.stdout
    assert "expense transactions" not in result.stdout
    assert "Record one by its row number" not in result.stdout


def test_a_file_that_is_no_bill_is_refused_in_chinese_by_the_core(cli: Cli, zh: None) -> None:
    chinese(
        "{file} is not a WeChat Pay or Alipay bill: it is a CSV table of another kind "
        "(its first row: {row}); {expected}"
    )
    result = cli("import-bill", str(NOT_A_BILL))
    assert result.exit_code == 2
    assert "不是微信支付或支付宝账单" in result.stderr
    assert "not a WeChat Pay" not in result.stderr


def test_a_missing_row_is_refused_in_chinese(cli: Cli, zh: None) -> None:
    chinese(
        "row {row} is not in the listing: the bill's expense rows are numbered 1 to "
        "{count} (the same import-bill command without --row lists them)"
    )
    result = cli("import-bill", str(ALIPAY_CSV), "--row", "999")
    assert result.exit_code == 2
    assert "列表里没有第 999 行" in result.stderr


def test_the_bill_listing_as_json_does_not_change_with_the_language(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = cli("import-bill", str(ALIPAY_CSV), "--json")
    monkeypatch.setenv("REFUNDKIT_LANG", "zh")
    chinese_run = cli("import-bill", str(ALIPAY_CSV), "--json")
    assert english.exit_code == chinese_run.exit_code == 0
    assert json.loads(english.stdout) == json.loads(chinese_run.stdout)


def test_the_exports_readme_is_in_the_interfaces_language(
    cli: Cli, zh: None, tmp_path: Path
) -> None:
    chinese("- {when}: goods received")
    readme_start = chinese(
        "refundkit export of order {id}: {merchant} · {item}\n"
        "\n"
        "This folder is a BagIt 1.0 bag (RFC 8493). data/ holds:\n"
        "  order.json                 the order record (without the owner's private note)\n"
        "  evidence/                  every evidence file, as added (SHA-256 also in order.json)\n"
        "  timeline.md, timeline.json the dated steps of the dispute\n"
        "  lawyer-summary.zh.md/.html the case summary for a lawyer, in Chinese\n"
        "  lawyer-summary.en.md/.html the same in English\n"
        "manifest-sha256.txt lists the SHA-256 of every file under data/. To check that nothing "
        "was\n"
        "changed or lost:  pip install bagit && bagit.py --validate <this folder>\n"
    ).split("{id}")[0]
    added = cli("import-bill", str(ALIPAY_CSV), "--row", "1", "--received", "2025-10-25")
    assert added.exit_code == 0, added.output
    order_id = json.loads(cli("status", "--json").stdout)["orders"][0]["id"]
    out = tmp_path / "case.zip"
    result = cli("export", order_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "已导出" in result.stdout
    with zipfile.ZipFile(out) as bag:
        readme = bag.read(f"refundkit-{order_id}/data/README.txt").decode()
        timeline = bag.read(f"refundkit-{order_id}/data/timeline.md").decode()
    assert readme.startswith(readme_start)
    assert "收到商品" in timeline


def test_the_exports_readme_stays_english_in_english(cli: Cli, tmp_path: Path) -> None:
    added = cli("import-bill", str(ALIPAY_CSV), "--row", "1")
    assert added.exit_code == 0, added.output
    order_id = json.loads(cli("status", "--json").stdout)["orders"][0]["id"]
    out = tmp_path / "case.zip"
    assert cli("export", order_id, "--out", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as bag:
        readme = bag.read(f"refundkit-{order_id}/data/README.txt").decode()
    assert readme.startswith(f"refundkit export of order {order_id}: ")
    assert "This folder is a BagIt 1.0 bag (RFC 8493). data/ holds:\n" in readme


def test_a_foreign_data_folder_is_refused_in_chinese(
    cli: Cli, zh: None, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chinese(
        "{path} is not a refundkit data folder (it holds {name}, and no orders/ or "
        "profile.json): give an empty or new folder with --home or REFUNDKIT_HOME"
    )
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    result = cli("import-bill", str(ALIPAY_CSV), "--row", "1")
    assert result.exit_code != 0
    assert "不是 refundkit 的数据文件夹" in result.stderr


def test_the_calendar_out_check_is_chinese(cli: Cli, zh: None, tmp_path: Path) -> None:
    chinese("--out {path} must name an .ics file, e.g. --out refundkit.ics")
    result = cli("calendar", "--out", str(tmp_path / "c.txt"))
    assert result.exit_code == 2
    assert "必须是 .ics 文件" in result.stderr


def test_a_screenshot_problem_is_english_in_json_and_chinese_when_shown() -> None:
    from refundkit.screenshots.layouts import Said, shown

    problem = Said("the date {day} is after today", day="2099-01-01")
    assert problem == "the date 2099-01-01 is after today"
    translated = chinese("the date {day} is after today")
    i18n.set_language("zh")
    try:
        assert str(problem) == "the date 2099-01-01 is after today"  # what --json prints
        assert shown(problem) == translated.format(day="2099-01-01")
        assert shown("商户名") == "商户名"  # the page's own text, as it is
    finally:
        i18n.set_language("en")
