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

from bill_fixtures import ALIPAY_CSV, NOT_A_BILL, SHARED, WECHAT_CSV, write_wechat_xlsx
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
    assert "4200009901202501201234567890" in out and "¥1,299.00" in out
    assert "声悦数码旗舰店 · 蓝牙耳机 Pro" in out
    assert "[refunded in part (¥10.00 of ¥39.90)]" in out and "[refunded in full]" in out
    assert "1000039901202501110000" not in out  # income is not listed
    assert "--pick TXN" in out
    assert orders_in(home) == [] and snapshot(home) == {}


def test_list_keeps_long_numbers_whole_in_a_narrow_pipe(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    result = cli("import-bill", str(ALIPAY_CSV))
    assert result.exit_code == 0
    assert "2025101922001400001111 " in result.stdout
    assert "[refunded in part (¥100.00 of ¥2,399.00)]" in result.stdout


# --- import-bill: recording ----------------------------------------------------------------


def test_pick_records_order_and_attaches_bill(cli: Cli, home: Path) -> None:
    before = WECHAT_CSV.read_bytes()
    result = cli(
        "import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012", "--received",
        "2025-03-22", "--category", "goods",
    )  # fmt: skip
    order_id = recorded_id(result)
    assert "Attached the bill as payment evidence e1: wechat-2025.csv" in result.stdout
    (order,) = orders_in(home)
    assert order["id"] == order_id
    assert order["merchant"] == "声悦数码旗舰店" and order["item"] == "蓝牙耳机 Pro"
    assert order["amount"] == "1299.00" and order["currency"] == "CNY"
    assert order["purchased"] == "2025-03-20" and order["purchased_time"] == "14:30:05"
    assert order["received"] == "2025-03-22" and order["category"] == "goods"
    assert order["transaction_id"] == "4200009901202501201234567890"
    assert order["order_no"] == "SY202501200001"
    assert order["payment_method"] == "wechat-pay" and order["bill_status"] is None
    assert order["note"] is None
    (evidence,) = order["evidence"]
    assert "支付方式 招商银行信用卡(1234)" in evidence["note"] and "line 18" in evidence["note"]
    assert evidence["kind"] == "payment" and evidence["original_name"] == "wechat-2025.csv"
    assert evidence["sha256"] == hashlib.sha256(before).hexdigest()
    stored = home / "orders" / order_id / evidence["stored_as"]
    assert stored.read_bytes() == before and WECHAT_CSV.read_bytes() == before


def test_refunded_transaction_is_marked_on_the_order(cli: Cli, home: Path) -> None:
    result = cli("import-bill", str(WECHAT_CSV), "--pick", "4200009901202501181111111111")
    recorded_id(result)
    (order,) = orders_in(home)
    assert order["bill_status"].startswith("refunded in part (¥10.00 of ¥39.90)")
    assert "Note: refunded in part" in result.stdout


def test_alipay_import(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(ALIPAY_CSV), "--pick", "2025101722001400002222"))
    (order,) = orders_in(home)
    assert order["merchant"] == "衣见倾心女装店" and order["amount"] == "68.00"
    assert order["payment_method"] == "alipay" and order["platform"] == "Alipay"
    assert order["order_no"] == "YJ0002" and order["purchased_time"] == "12:00:00"
    assert order["bill_status"].startswith("refunded in full")


@pytest.mark.parametrize("layout", ["2025", "2026"])
def test_xlsx_import(cli: Cli, home: Path, tmp_path: Path, layout: str) -> None:
    bill = write_wechat_xlsx(tmp_path / f"微信支付账单-{layout}.xlsx", layout)
    recorded_id(cli("import-bill", str(bill), "--pick", "4200001111202601010000000001"))
    (order,) = orders_in(home)
    assert order["amount"] == "1288.00" and order["merchant"] == "声悦数码旗舰店"
    assert order["evidence"][0]["original_name"] == bill.name


def test_interactive_choice(cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("refundkit.cli.files.interactive", lambda: True)
    result = cli("import-bill", str(WECHAT_CSV), input="4200009901\n42000099012025011522\n")
    recorded_id(result)
    assert "ambiguous" in result.stderr  # the first answer was asked again
    (order,) = orders_in(home)
    assert order["merchant"] == "书虫文具"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pick", "4200009901"], "is ambiguous, it matches"),
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


@pytest.mark.parametrize("name", ["missing.csv", "folder", "bank"])
def test_bad_files_change_nothing(cli: Cli, home: Path, tmp_path: Path, name: str) -> None:
    path = {"missing.csv": tmp_path / "missing.csv", "folder": tmp_path, "bank": NOT_A_BILL}[name]
    result = cli("import-bill", str(path), "--pick", "42")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert snapshot(home) == {}


def test_same_transaction_twice_is_refused(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012"))
    before = snapshot(home)
    again = cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012")
    assert again.exit_code == 2 and "already recorded as order" in again.stderr
    assert snapshot(home) == before
    other = cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025011811")
    recorded_id(other)  # another row of the same bill: the bill is attached to it too
    assert [len(o["evidence"]) for o in orders_in(home)] == [1, 1]


def test_failed_attach_leaves_no_half_made_order(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refundkit import evidence
    from refundkit.errors import BadFile

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise BadFile("disk full")

    monkeypatch.setattr(evidence, "add_evidence", broken)
    result = cli("import-bill", str(WECHAT_CSV), "--pick", "42000099012025012012")
    assert result.exit_code == 2 and "disk full" in result.stderr
    assert orders_in(home) == [] and snapshot(home) == {}


def test_bill_changed_while_importing_is_undone(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refundkit import evidence

    bill = tmp_path / "bill.csv"
    bill.write_bytes(WECHAT_CSV.read_bytes())
    real = evidence.add_evidence

    def swap_then_add(store: Store, prefix: str, paths: list[Path], *rest: Any) -> Any:
        bill.write_bytes(WECHAT_CSV.read_bytes() + b"\n")
        return real(store, prefix, paths, *rest)

    monkeypatch.setattr(evidence, "add_evidence", swap_then_add)
    result = cli("import-bill", str(bill), "--pick", "42000099012025012012")
    assert result.exit_code == 2 and "changed while it was being imported" in result.stderr
    assert orders_in(home) == []


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/fixtures/bills is absent")
@pytest.mark.parametrize("name", ["example-wechat-records.csv", "example-wechat-records.xlsx"])
def test_shared_wechat_bills_import(cli: Cli, home: Path, name: str) -> None:
    recorded_id(cli("import-bill", str(SHARED / name), "--pick", "42000011"))
    (order,) = orders_in(home)
    assert order["merchant"] == "哈哈" and order["item"] == "亲属卡"
    assert order["amount"] == "2243.46" and order["purchased"] == "2021-10-19"
    assert order["transaction_id"] == "42000011202110191201583411"
    assert order["order_no"] == "XSFF-SD2021101916055813620"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/fixtures/bills is absent")
def test_shared_alipay_bill_import(cli: Cli, home: Path) -> None:
    recorded_id(cli("import-bill", str(SHARED / "example-alipay-records.csv"), "--pick", "2023x"))
    (order,) = orders_in(home)
    assert order["merchant"] == "一卡通" and order["amount"] == "50.00"
    assert order["bill_status"].startswith("refunded in full")


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

    pytest.importorskip("refundkit.letters")
    out = tmp_path / "case.zip"
    result = cli("export", case, "--out", str(out))
    if result.exit_code != 0 and "not found in search paths" in result.stderr:
        pytest.skip(f"letters are not finished yet: {result.stderr}")
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
    assert "Wrote 1 deadlines of 1 open cases" in result.stdout
    events = parse_ics(out.read_bytes())
    assert day_of(events[f"{order_id}-window-cn-7day@refundkit"]) == received + timedelta(days=7)
    stdout = cli("calendar")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("BEGIN:VCALENDAR")
    assert set(parse_ics(stdout.stdout.encode())) == set(events)


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
