"""Screens that fit: every line of `status` and `status ORDER` fits 60, 80 and 120 columns in
both interface languages, with Chinese names; the case view shows first what calls for
action, never dim; it shows the evidence's notes, dates taken, bill source and folder.

Widths are measured here with the test's own wcwidth (unicodedata.east_asian_width), not
with the code's.
"""

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from refundkit import i18n
from refundkit.words import names

Cli = Callable[..., Any]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = [60, 80, 120]
DATES = {"purchased": "2026-11-10", "received": "2026-11-12"}


def columns(line: str) -> int:
    """Terminal cells a printed line takes (escape sequences take none)."""
    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) == "Cf"
        else 2
        if unicodedata.east_asian_width(c) in "WF"
        else 1
        for c in ANSI.sub("", line)
    )


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The interface's language for the test, as REFUNDKIT_LANG would choose it."""
    monkeypatch.setenv("REFUNDKIT_LANG", request.param)
    i18n.set_language(request.param)
    try:
        yield request.param
    finally:
        i18n.set_language("en")


def record_cases(cli: Cli, add: Any, home: Path, tmp_path: Path) -> str:
    """A case with everything the case view shows, and two more for the overview."""
    order = add(
        merchant="优品生活家居官方旗舰店（小程序）",
        item="无线降噪蓝牙耳机 X3（黑色）真丝衬衫",
        amount="1299",
        operator="深圳市声悦电子科技有限公司",
        merchant_address="广东省深圳市南山区科技园路1号声悦大厦18楼1801室",
        merchant_phone="0755-12345678",
        mini_program="优品生活家居商城",
        order_no="SY202611100000123456",
        transaction_id="4200002026111012345678901234",
        payment_method="wechat-pay",
        problem="defective",
        details="左耳有持续电流声，客服承认是质量问题但以已拆封为由拒绝退货",
        note="其实也想换个颜色",
        **DATES,
    )
    for args in (
        ("contacted-merchant", "--on", "2026-11-13", "--asked", "return", "--note", "申请退货"),
        ("merchant-refused", "--on", "2026-11-14", "--reason", "opened", "--note", "已拆封不退"),
        ("merchant-replied", "--on", "2026-11-14", "--note", "误记"),
    ):
        assert cli("log", order, *args).exit_code == 0
    assert cli("correct", order, "t2", "--on", "2026-11-15", "--why", "日期记错了").exit_code == 0
    assert cli("withdraw", order, "t3").exit_code == 0
    proof = tmp_path / "客服聊天记录截图-2026年11月14日-退货被拒.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nchat")
    added = cli(
        "add-evidence", order, str(proof), "--kind", "chat", "--taken", "2026-11-14",
        "--note", "客服以已拆封为由拒绝七天无理由退货，并称质量问题需要先寄回检测",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    path = home / "orders" / order / "order.json"
    data = json.loads(path.read_text())
    data["evidence"][0]["source"] = {"bill": "wechat-csv", "line": 12, "extract": True}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    add(merchant="Acme Kitchen Supplies Ltd", item="Electric kettle", amount="45",
        currency="EUR", jurisdiction="eu", **DATES)  # fmt: skip
    add(merchant="声悦数码旗舰店", item="蓝牙耳机", amount="399", purchased="2026-11-20")
    return order


@pytest.mark.parametrize("width", WIDTHS)
def test_every_line_of_status_fits(
    cli: Cli,
    add: Any,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    width: int,
) -> None:
    order = record_cases(cli, add, home, tmp_path)
    monkeypatch.setenv("COLUMNS", str(width))
    for args in (("status",), ("status", order), ("status", order, "--as-of", "2026-11-16")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        wide = [line for line in result.stdout.splitlines() if columns(line) > width]
        assert not wide, "\n".join(wide)
        assert "…" not in result.stdout  # nothing cut short, not even a date


def test_the_case_view_shows_the_proof_and_where_it_is(
    cli: Cli, add: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = record_cases(cli, add, home, tmp_path)
    monkeypatch.setenv("COLUMNS", "300")  # no sentence wraps
    out = cli("status", order).stdout
    assert "客服以已拆封为由拒绝七天无理由退货" in out  # the evidence's note
    assert "taken 2026-11-14" in out
    assert "from the WeChat Pay bill (CSV), line 12 (an extract of that row)" in out
    assert f"Case folder: {home / 'orders' / order}" in out
    assert "WITHDRAWN" in out and "corrected" in out and "2026-11-14 → 2026-11-15" in out


def test_what_calls_for_action_comes_first(cli: Cli, add: Any, home: Path, tmp_path: Path) -> None:
    order = record_cases(cli, add, home, tmp_path)
    lines = cli("status", order).stdout.splitlines()
    first = {name: next(i for i, line in enumerate(lines) if name in line) for name in (
        "Next step", "Return windows", "Evidence", "Timeline")}  # fmt: skip
    assert first["Next step"] < first["Return windows"] < first["Evidence"] < first["Timeline"]
    assert first["Next step"] < 15  # the facts and the step on the first screen


def test_warnings_that_call_for_action_are_bold_and_coloured_never_dim(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = add(merchant="声悦数码旗舰店", item="蓝牙耳机", amount="399", **DATES)
    cli("log", order, "merchant-refused", "--on", "2026-11-14")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = cli("status", order, "--as-of", "2026-11-16").stdout
    line = next(x for x in out.splitlines() if "Missing evidence" in x or "missing evidence" in x)
    codes = set(re.findall(r"\x1b\[([0-9;]*)m", line)[0].split(";"))
    assert "1" in codes and ("33" in codes or "31" in codes), line  # bold yellow or red
    assert "2" not in codes and "3" not in codes, line  # not dim, not italic


@pytest.mark.parametrize("width", [60, 120])
def test_windows_never_cut_a_date(
    cli: Cli, add: Any, monkeypatch: pytest.MonkeyPatch, language: str, width: int
) -> None:
    """A table where one fits, lines below: either way every date is whole."""
    order = add(merchant="声悦数码旗舰店", item="蓝牙耳机", amount="399", **DATES)
    cli("log", order, "return-requested", "--on", "2026-11-13")
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("status", order, "--as-of", "2026-11-16").stdout
    section = out.split("\n\n")[2]
    assert "2026-11-19" in section  # the 7-day window's last day, whole
    tabled = "┃" in section
    if language == "en":  # Chinese headers are narrower: its table may fit 60 columns too
        assert tabled is (width == 120)  # a table only where it fits
    exercised = names.window_state("exercised") if tabled else "2026-11-13"
    assert exercised in section
