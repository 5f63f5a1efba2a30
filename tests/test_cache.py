"""The status index (index.py, overview.py) never disagrees with the order files.

Every test compares what `status` prints from the index with what it prints from the order
files alone, after the files were changed in the ways a user or a tool could change them: by
refundkit, by hand in place, with the time stamps put back, a folder added, a folder deleted,
a file damaged, an evidence file lost, another day asked for, the code upgraded, the index
itself corrupted.

A file changed in the last few seconds is indexed with a check of its bytes (a coarse
file-system clock could give a later edit the same time stamps); most tests move the index's
clock ahead so that files count as settled, and then wait a few milliseconds before editing,
as real time would have passed. The racy entries have tests of their own.
"""

import hashlib
import json
import os
import shutil
import stat
import time
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import status_json
from refundkit import cases, index, overview
from refundkit.store import Store

Cli = Callable[..., Any]


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as old enough to index."""
    monkeypatch.setattr(index, "clock_ns", lambda: time.time_ns() + 60 * 10**9)


def index_path(home: Path) -> Path:
    return home / index.INDEX_FILE


def read_index(home: Path) -> tuple[dict[str, Any], bytes]:
    """The index (JSON) and the texts beside it."""
    header, _ = index.decode_index(index_path(home).read_bytes())
    return header, (home / index.TEXTS_FILE).read_bytes()


def write_index(home: Path, header: dict[str, Any], blob: bytes) -> None:
    index_path(home).write_bytes(index.encode_index(header))
    (home / index.TEXTS_FILE).write_bytes(blob)


def indexed_ids(home: Path) -> set[str]:
    return set(read_index(home)[0]["cases"])


def fresh(cli: Cli, home: Path, *args: str) -> Any:
    """What status says from the order files alone: the index (and its texts) moved away,
    then put back."""
    saved = {path: path.read_bytes() for path in home.glob("status-index*")}
    for path in saved:
        path.unlink()
    result = cli("status", *args)
    for path in home.glob("status-index*"):
        path.unlink()
    for path, data in saved.items():
        path.write_bytes(data)
    return result


def assert_agrees(cli: Cli, home: Path, *args: str) -> Any:
    """status with the index says exactly what status without it says, byte for byte."""
    with_index = cli("status", *args)
    without = fresh(cli, home, *args)
    assert with_index.exit_code == without.exit_code
    assert with_index.stdout == without.stdout
    return with_index


@pytest.fixture
def no_recompute(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call to make any recomputation of a case fail the test: it must come from the index."""

    def forbid() -> None:
        def report(*args: Any) -> Any:
            raise AssertionError("a case was recomputed although its order file is unchanged")

        monkeypatch.setattr(cases, "report", report)

    return forbid


def rewrite_in_place(path: Path, old: str, new: str, keep_times: bool = False) -> None:
    """Edit a file as an editor saving in place would: same inode, same size here."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    time.sleep(0.05)  # past the file system's clock granularity
    data = path.read_bytes()
    assert old.encode() in data
    with open(path, "r+b") as handle:
        handle.write(data.replace(old.encode(), new.encode()))
    if keep_times:  # what `cp -p`, rsync -t or tar would leave
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)


def test_index_is_private_and_never_taken_for_an_order(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    order_id = add(received="today")
    assert_agrees(cli, home, "--json")
    path = index_path(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert indexed_ids(home) == {order_id}
    assert Store(home).list_ids() == [order_id]
    assert [o["id"] for o in status_json(cli)["orders"]] == [order_id]


def test_served_from_the_index_when_nothing_changed(
    cli: Cli, add: Any, home: Path, settled: None, no_recompute: Callable[[], None]
) -> None:
    add(received="today")
    add(purchased="3 days ago")
    expected = cli("status", "--json").stdout
    table = cli("status").stdout
    no_recompute()
    assert cli("status", "--json").stdout == expected
    assert cli("status").stdout == table


def test_what_refundkit_writes_it_indexes_for_the_next_status(
    cli: Cli, add: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """add-order, log, edit and add-evidence enter the case they wrote in the index, so the
    status after them computes nothing. The file is racy: its entry holds its bytes' SHA-256."""
    order_id = add(received="today")
    proof = tmp_path / "聊天.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nproof")
    path = home / "orders" / order_id / "order.json"
    for args in (
        (),  # add-order's own
        ("log", order_id, "merchant-refused", "--note", "不退"),
        ("edit", order_id, "--merchant", "新名字"),
        ("add-evidence", order_id, str(proof), "--kind", "chat"),
    ):
        if args:
            assert cli(*args).exit_code == 0
        entry = read_index(home)[0]["cases"][order_id]
        assert entry["sum"] == hashlib.sha256(path.read_bytes()).hexdigest()
        expected = {a: fresh(cli, home, *a).stdout for a in [(), ("--json",)]}
        with monkeypatch.context() as patch:
            patch.setattr(cases, "report", None)  # any computation fails
            assert {a: cli("status", *a).stdout for a in expected} == expected


def test_a_racy_entry_serves_only_the_bytes_it_was_computed_from(
    cli: Cli, add: Any, home: Path
) -> None:
    """A coarse clock gave an edit the very time stamps the entry holds: the bytes differ."""
    order_id = add(merchant="Shop AAAA")
    path = home / "orders" / order_id / "order.json"
    rewrite_in_place(path, "Shop AAAA", "Shop BBBB")
    header, blob = read_index(home)
    header["cases"][order_id]["file"] = index.file_identity(path.stat())
    write_index(home, header, blob)
    assert assert_agrees(cli, home, "--json").stdout.count("Shop BBBB") == 1


def test_a_racy_entry_loses_its_check_once_its_file_has_settled(
    cli: Cli, add: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = add()
    _, blob = read_index(home)
    expected = fresh(cli, home, "--json").stdout
    monkeypatch.setattr(index, "clock_ns", lambda: time.time_ns() + 60 * 10**9)
    with monkeypatch.context() as patch:
        patch.setattr(cases, "report", None)  # served, not computed
        assert cli("status", "--json").stdout == expected
    header, after = read_index(home)
    assert "sum" not in header["cases"][order_id] and after == blob
    assert assert_agrees(cli, home, "--json").stdout == expected


def test_a_failed_index_update_never_makes_a_saved_order_look_unsaved(
    cli: Cli, add: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever fails in the update after the save, the command succeeds (else the user
    would record the order again) and the next status indexes the order itself."""

    def enter(*args: Any) -> None:
        raise RecursionError("an index damaged past any parser")

    monkeypatch.setattr(overview, "enter", enter)
    order_id = add()
    assert [o["id"] for o in status_json(cli)["orders"]] == [order_id]
    assert order_id in indexed_ids(home)


def test_a_data_folder_that_cannot_take_the_index_still_takes_the_order(
    cli: Cli, add: Any, home: Path
) -> None:
    add()
    index_path(home).unlink()
    index_path(home).mkdir()  # in the index's place: it cannot be written
    order_id = add(merchant="第二家")
    assert order_id in {o["id"] for o in status_json(cli)["orders"]}


def test_same_output_for_a_varied_set_of_cases(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None
) -> None:
    first = add(received="today", merchant="Acme Kitchen", currency="EUR", jurisdiction="eu")
    second = add(purchased="5 days ago", received="3 days ago", category="digital")
    closed = add(merchant="某某店 🎧", item="耳机 \u202e", amount="1,299.00")
    cli("log", second, "merchant-refused", "--note", "不退")
    cli("log", closed, "closed")
    proof = tmp_path / "聊天.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nproof")
    assert cli("add-evidence", first, str(proof), "--kind", "chat").exit_code == 0
    for args in [(), ("--json",), ("--all",), ("--all", "--json")]:
        assert_agrees(cli, home, *args)
        assert_agrees(cli, home, *args)  # the second time from the index


def test_edit_and_log_through_refundkit_are_seen(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    order_id = add()
    cli("status")
    assert cli("edit", order_id, "--merchant", "新名字").exit_code == 0
    assert status_json(cli)["orders"][0]["merchant"] == "新名字"
    cli("log", order_id, "closed")
    assert status_json(cli)["orders"] == []
    assert_agrees(cli, home, "--all", "--json")


def test_a_save_keeps_the_texts_of_the_cases_that_did_not_change(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    """One case edited: its text is added after the blob as it was (the others' texts and
    lines kept byte for byte), the old one counted as garbage; once the garbage outweighs
    the rest, the index is written afresh."""
    ids = [add(merchant=f"店{n}") for n in range(4)]
    cli("status", "--json")
    header, blob = read_index(home)
    assert header["garbage"] == 0
    first = header["cases"][ids[0]]["text"]
    second = header["cases"][ids[1]]
    time.sleep(0.01)
    assert cli("edit", ids[0], "--merchant", "新名字").exit_code == 0
    assert_agrees(cli, home, "--json")
    header, after = read_index(home)
    assert after.startswith(blob)  # kept, the new text after it
    assert header["garbage"] == first[1]
    assert header["cases"][ids[0]]["text"][0] == len(blob)
    assert header["cases"][ids[1]] == second  # its text where it stood
    for n in range(1, 4):  # more garbage than live texts: written afresh
        time.sleep(0.01)
        assert cli("edit", ids[n], "--merchant", f"新名字{n}").exit_code == 0
        cli("status", "--json")
    header, rewritten = read_index(home)
    assert header["garbage"] == 0
    assert len(rewritten) < len(after) + 3 * first[1]
    assert_agrees(cli, home, "--json")
    assert_agrees(cli, home)


@pytest.mark.parametrize("trouble", ["bytes left by a crash", "a link"])
def test_texts_not_as_the_index_says_are_written_afresh(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None, trouble: str
) -> None:
    """New texts are appended only to a regular file of exactly the size the index says.
    Bytes past it (a crash between appending and writing the index) are not the index's;
    a link in the texts' place is never followed. Either way both files are written afresh."""
    ids = [add(merchant=f"店{n}") for n in range(3)]
    cli("status", "--json")
    texts = home / index.TEXTS_FILE
    outside = tmp_path / "elsewhere"
    if trouble == "a link":
        outside.write_bytes(texts.read_bytes())
        texts.unlink()
        texts.symlink_to(outside)
    else:
        with open(texts, "ab") as handle:
            handle.write(b"half a text")
    assert_agrees(cli, home, "--json")  # a link is not read: the texts are written afresh
    assert not texts.is_symlink()
    time.sleep(0.01)
    assert cli("edit", ids[0], "--merchant", "新名字").exit_code == 0
    result = assert_agrees(cli, home, "--json")
    assert "新名字" in result.stdout
    header, blob = read_index(home)
    assert len(blob) == header["blob_size"] and b"half a text" not in blob
    if trouble == "a link":
        assert "新名字".encode() not in outside.read_bytes()
    else:  # not appended to: written afresh
        assert header["garbage"] == 0
    assert_agrees(cli, home)


def test_a_large_index_is_read_by_pydantic_core_as_json_reads_it(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index of a megabyte or more is parsed by pydantic-core (twice as fast): here every
    index is, and status says the same as with json.loads, table and JSON."""
    varied_cases(cli, add, tmp_path)
    cli("status", "--json")
    raw = index_path(home).read_bytes()
    assert index.decode_index(raw)[0] == json.loads(raw)
    monkeypatch.setattr(index, "FAST_PARSE_FROM", 0)
    import pydantic_core

    parsed: list[int] = []
    real = pydantic_core.from_json

    def counting(data: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pydantic_core, "from_json", counting)
    assert index.decode_index(raw)[0] == json.loads(raw)
    for args in [(), ("--json",), ("--all", "--json")]:
        assert_agrees(cli, home, *args)
    assert parsed


def test_what_pydantic_core_cannot_parse_json_reads() -> None:
    """A lone surrogate (from a file name in another encoding) is JSON Python reads."""
    raw = index.encode_index({"format": 1, "cases": {"a": {"name": "x\udcff"}}})
    assert b"\\udcff" in raw
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "FAST_PARSE_FROM", 0)
        assert index.decode_index(raw)[0]["cases"]["a"]["name"] == "x\udcff"


@pytest.mark.parametrize("keep_times", [False, True], ids=["in-place", "times-put-back"])
def test_hand_edit_of_the_same_size_is_seen(
    cli: Cli, add: Any, home: Path, settled: None, keep_times: bool
) -> None:
    order_id = add(merchant="Shop AAAA")
    cli("status")
    assert order_id in indexed_ids(home)
    path = home / "orders" / order_id / "order.json"
    rewrite_in_place(path, "Shop AAAA", "Shop BBBB", keep_times)
    assert status_json(cli)["orders"][0]["merchant"] == "Shop BBBB"
    assert_agrees(cli, home, "--json")


def test_order_folder_added_by_hand_is_listed(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    order_id = add(merchant="original")
    cli("status")
    copy = home / "orders" / "zzzz22"
    shutil.copytree(home / "orders" / order_id, copy)
    data = json.loads((copy / "order.json").read_text())
    data.update(id="zzzz22", merchant="copied by hand")
    (copy / "order.json").write_text(json.dumps(data, ensure_ascii=False))
    merchants = {o["merchant"] for o in status_json(cli)["orders"]}
    assert merchants == {"original", "copied by hand"}
    assert_agrees(cli, home, "--json")


def test_order_folder_deleted_by_hand_is_gone(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    keep, gone = add(), add()
    cli("status")
    assert indexed_ids(home) == {keep, gone}
    shutil.rmtree(home / "orders" / gone)
    assert [o["id"] for o in status_json(cli)["orders"]] == [keep]
    assert indexed_ids(home) == {keep}


def test_folder_renamed_by_hand_is_damaged_not_served(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    order_id = add()
    cli("status")
    os.rename(home / "orders" / order_id, home / "orders" / "renamed22")
    data = status_json(cli)
    assert data["orders"] == [] and data["damaged"][0]["id"] == "renamed22"


def test_damaged_file_is_reported_and_the_index_left_alone(
    cli: Cli, add: Any, home: Path, settled: None
) -> None:
    good, bad = add(), add()
    cli("status")
    before = index_path(home).read_bytes()
    (home / "orders" / bad / "order.json").write_text('{"schema_version": 1, "id": ')
    result = assert_agrees(cli, home, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [o["id"] for o in data["orders"]] == [good] and data["damaged"][0]["id"] == bad
    assert index_path(home).read_bytes() == before  # a status that exits 1 writes nothing


def test_lost_evidence_file_is_reported_from_the_index(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None
) -> None:
    order_id = add()
    proof = tmp_path / "chat.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nchat")
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    cli("status")
    assert order_id in indexed_ids(home)
    (stored,) = (home / "orders" / order_id / "evidence").iterdir()
    stored.unlink()
    result = assert_agrees(cli, home)
    assert result.exit_code == 1 and "missing: " in result.stdout
    data = json.loads(assert_agrees(cli, home, "--json").stdout)
    assert data["orders"][0]["missing_files"][0]["path"] == str(stored)


def test_another_day_is_computed_not_served(cli: Cli, add: Any, home: Path, settled: None) -> None:
    add(purchased="3 days ago", received="today")
    cli("status")
    (order,) = status_json(cli, "--as-of", "yesterday")["orders"]
    assert order["received"] is None
    assert_agrees(cli, home, "--as-of", "yesterday", "--json")


def test_new_code_drops_the_index(
    cli: Cli, add: Any, home: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(), add()
    cli("status")
    calls = counting_reports(monkeypatch)
    monkeypatch.setattr(index, "code_fingerprint", lambda: "refundkit after an upgrade")
    cli("status")
    assert len(calls) == 2


@pytest.mark.parametrize(
    "damage",
    [
        "empty",
        "not json",
        "a list",
        "header only",
        "truncated",
        "texts changed",
        "texts truncated",
        "texts missing",
        "text out of range",
        "wrong types",
        "wrong shape",
        "span of nulls",
        "nested past any parser",
    ],
)
def test_corrupt_index_is_ignored_and_rebuilt(
    cli: Cli, add: Any, home: Path, settled: None, damage: str
) -> None:
    order_id = add(received="today")
    expected = {args: cli("status", *args).stdout for args in [(), ("--json",)]}
    header, blob = read_index(home)
    case = header["cases"][order_id]
    raw = {
        "empty": b"",
        "not json": b"\x00\xff not json\n{}",
        "a list": b"[1, 2, 3]\n",
        "header only": json.dumps({"format": index.FORMAT}).encode() + b"\n",
        "truncated": index_path(home).read_bytes()[:-40],
        "nested past any parser": b'{"a":' + b"[" * 300_000 + b"\n}}\n",
    }.get(damage)
    texts = home / index.TEXTS_FILE
    if raw is not None:
        index_path(home).write_bytes(raw)
    elif damage == "texts changed":
        texts.write_bytes(blob.replace(b"{", b"[", 1))
    elif damage == "texts truncated":
        texts.write_bytes(blob[:-40])
    elif damage == "texts missing":
        texts.unlink()
    else:
        if damage == "text out of range":
            case["text"] = [len(blob) - 5, 10]
        elif damage == "wrong types":
            case["case"]["merchant"] = 5
        elif damage == "span of nulls":
            case["span"] = [None, None]
        else:
            case["case"]["evidence"] = [["e1"]]
            case["case"].pop("stage")
        write_index(home, header, blob)
    for args, output in expected.items():
        result = cli("status", *args)
        assert (result.exit_code, result.stdout) == (0, output), result.output
    assert indexed_ids(home) == {order_id}  # rebuilt
    header, blob = read_index(home)
    start, length = header["cases"][order_id]["text"]
    assert len(blob) == header["blob_size"] and zlib.crc32(blob) == header["blob_crc"]
    text = blob[start : start + length]  # the case's own text, whole
    assert text.startswith(b"{") and text.endswith(b"}")
    assert text.count(f'"id": "{order_id}"'.encode()) == 1


def test_status_on_a_new_folder_creates_nothing(cli: Cli, home: Path, settled: None) -> None:
    assert cli("status").exit_code == 0
    assert not home.exists()


@pytest.mark.parametrize("stored_as", ["evidence/gone.png", "../outside.png", "ABSOLUTE"])
def test_lost_files_are_judged_as_for_one_case(
    cli: Cli, add: Any, home: Path, tmp_path: Path, stored_as: str
) -> None:
    """The overview's file check says what `status ORDER` (evidence.absent_files) says."""
    from refundkit.evidence import absent_files

    order_id = add()
    proof = tmp_path / "chat.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nchat")
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    path = home / "orders" / order_id / "order.json"
    data = json.loads(path.read_text())
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"x")
    (home / "orders" / "outside.png").write_bytes(b"x")
    data["evidence"][0]["stored_as"] = str(outside) if stored_as == "ABSOLUTE" else stored_as
    path.write_text(json.dumps(data, ensure_ascii=False))
    order = Store(home).load(order_id)
    expected = [str(c.path) for c in absent_files(Store(home), order)]
    (shown,) = status_json(cli)["orders"]
    assert [m["path"] for m in shown["missing_files"]] == expected


# --- other days: the index outlives the day it was built on --------------------------------


def counting_reports(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the cases computed from here on."""
    calls: list[str] = []
    real = cases.report

    def counting(order: Any, as_of: Any) -> Any:
        calls.append(order.id)
        return real(order, as_of)

    monkeypatch.setattr(cases, "report", counting)
    return calls


def varied_cases(cli: Cli, add: Any, tmp_path: Path) -> list[str]:
    """Cases whose answers change on different days: windows open and closing, expired,
    not started, a refusal, a complaint awaiting its reply date, goodwill, another currency."""
    open_now = add(received="today")
    closing = add(purchased="9 days ago", received="6 days ago")
    expired = add(purchased="90 days ago", received="80 days ago")
    waiting = add(purchased="2 days ago")
    refused = add(purchased="20 days ago", received="18 days ago", problem="defective")
    cli("log", refused, "merchant-refused", "--on", "5 days ago", "--note", "不退")
    cli("log", refused, "platform-complaint", "--on", "yesterday", "--channel", "wechat-pay")
    goodwill = add(jurisdiction="us", currency="USD", purchased="40 days ago")
    eu = add(
        jurisdiction="eu",
        currency="EUR",
        purchased="5 days ago",
        received="3 days ago",
        problem="defective",
    )
    proof = tmp_path / "chat.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nchat")
    assert cli("add-evidence", open_now, str(proof), "--kind", "chat").exit_code == 0
    return [open_now, closing, expired, waiting, refused, goodwill, eu]


@pytest.mark.parametrize("days", [1, 2, 3, 8, 30, 400])
def test_the_days_after_read_as_computed_afresh(
    cli: Cli,
    add: Any,
    home: Path,
    tmp_path: Path,
    settled: None,
    monkeypatch: pytest.MonkeyPatch,
    days: int,
) -> None:
    """The index built today, then status on a later day: the same bytes as without it."""
    varied_cases(cli, add, tmp_path)
    for args in [(), ("--json",), ("--all", "--json")]:
        cli("status", *args)
    later = date.today() + timedelta(days=days)
    monkeypatch.setattr("refundkit.cli.orders.today", lambda: later)
    for args in [(), ("--json",), ("--all",), ("--all", "--json")]:
        result = assert_agrees(cli, home, *args)
        assert f"{later}" in result.stdout
        assert_agrees(cli, home, *args)  # and again from what that day wrote


def test_the_next_day_serves_cases_whose_dates_lie_further(
    cli: Cli, add: Any, home: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changed and no date of these cases falls today: no case is computed again,
    and the days left count down."""
    add(received="today")  # cn-7day: 7 days left, 6 tomorrow
    add(purchased="90 days ago", received="80 days ago")  # long expired
    before = status_json(cli)
    calls = counting_reports(monkeypatch)
    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr("refundkit.cli.orders.today", lambda: tomorrow)
    after = status_json(cli)
    assert calls == []
    lefts = [[w["days_left"] for w in o["windows"]] for o in after["orders"]]
    expected = [
        [None if n is None else n - 1 for n in (w["days_left"] for w in o["windows"])]
        for o in before["orders"]
    ]
    assert lefts == expected
    assert_agrees(cli, home, "--json")


@pytest.mark.parametrize(
    "as_of", ["7 days ago", "30 days ago", "2000-01-01", "in 7 days", "in 30 days", "2999-12-31"]
)
def test_as_of_in_the_past_and_the_future(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None, as_of: str
) -> None:
    varied_cases(cli, add, tmp_path)
    cli("status", "--json")
    day = date.today()
    if as_of.startswith("in "):
        as_of = str(day + timedelta(days=int(as_of.split()[1])))
    elif as_of.endswith(" ago"):
        as_of = str(day - timedelta(days=int(as_of.split()[0])))
    for args in [("--json",), ()]:
        assert_agrees(cli, home, "--as-of", as_of, *args)
        assert_agrees(cli, home, "--as-of", as_of, "--all", *args)
    assert_agrees(cli, home, "--json")  # today again, after the index served another day


def test_a_look_at_another_day_keeps_todays_entries(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--as-of` a week ahead computes the cases whose dates lie in between, but does not
    put them in place of today's: today's status still finds every case ready."""
    varied_cases(cli, add, tmp_path)
    cli("status", "--json")
    built = index_path(home).read_bytes()
    later = str(date.today() + timedelta(days=7))
    calls = counting_reports(monkeypatch)
    traced: list[str] = []
    real_computed = overview.computed
    monkeypatch.setattr(
        overview, "computed", lambda o, d: traced.append(o.id) or real_computed(o, d)
    )
    assert cli("status", "--as-of", later, "--json").exit_code == 0
    assert calls, "no case of the varied set changes within a week: the test proves nothing"
    assert traced == []  # computed for that day alone: their entries are kept, not traced
    assert_agrees(cli, home, "--as-of", later, "--json")
    assert index_path(home).read_bytes() == built
    calls.clear()
    assert cli("status", "--json").exit_code == 0
    assert calls == []


def test_a_look_back_skips_the_orders_bought_since_without_reading_them(
    cli: Cli, add: Any, home: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    new, old = add(received="today"), add(purchased="20 days ago", received="18 days ago")
    cli("status", "--json")
    before = str(date.today() - timedelta(days=3))
    read: list[str] = []
    real = overview.order_to_compute
    monkeypatch.setattr(
        overview, "order_to_compute", lambda s, i, e: read.append(i) or real(s, i, e)
    )
    result = cli("status", "--as-of", before, "--json")
    assert new not in read
    assert [o["id"] for o in json.loads(result.stdout)["orders"]] == [old]
    assert_agrees(cli, home, "--as-of", before, "--json")


def test_a_change_of_day_and_of_record_together(
    cli: Cli, add: Any, home: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = add(received="today"), add(purchased="3 days ago")
    cli("status")
    monkeypatch.setattr("refundkit.cli.orders.today", lambda: date.today() + timedelta(days=2))
    time.sleep(0.05)
    cli("log", second, "merchant-refused", "--on", "today")
    path = home / "orders" / first / "order.json"
    rewrite_in_place(path, "声悦数码旗舰店", "声悦数码专卖店")
    assert_agrees(cli, home, "--json")
    assert_agrees(cli, home)


@pytest.fixture
def language(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Choose the interface's language of the next runs, as a user would ($REFUNDKIT_LANG)."""
    from refundkit import i18n

    yield lambda code: monkeypatch.setenv("REFUNDKIT_LANG", code)
    i18n.set_language("en")


def test_each_language_reads_its_own_words(
    cli: Cli, add: Any, home: Path, tmp_path: Path, settled: None, language: Any
) -> None:
    """An index built in English never answers a Chinese run, nor the other way round."""
    varied_cases(cli, add, tmp_path)
    english = {args: cli("status", *args).stdout for args in [(), ("--json",)]}
    language("zh")
    chinese = {args: assert_agrees(cli, home, *args).stdout for args in [(), ("--json",)]}
    assert chinese != english
    assert {args: cli("status", *args).stdout for args in chinese} == chinese
    language("en")
    assert {args: assert_agrees(cli, home, *args).stdout for args in english} == english
    assert (home / index.index_file("zh")).exists() and index_path(home).exists()
