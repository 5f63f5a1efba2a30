"""Damaged data: a broken order.json never hides the other orders and is never overwritten.

Broken files come in the forms a crash, a bad sync, a hand edit or a newer refundkit leave:
truncated, empty, not JSON (or not UTF-8), valid JSON of the wrong shape, a newer
schema_version, a missing order.json, a folder where the file should be. Each one is listed by
`status` with its path and the problem (exit 1), and no command writes over it. A missing
evidence file is reported by `verify` and `status`; a damaged profile.json is a one-line error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json

Cli = Callable[..., Any]

DAMAGE: dict[str, Callable[[bytes], bytes | None]] = {
    "truncated": lambda good: good[: len(good) // 2],
    "empty": lambda good: b"",
    "whitespace": lambda good: b"  \n",
    "not-json": lambda good: b"this is not json {",
    "not-utf8": lambda good: b"\xff\xfe\x00{" + good[10:40],
    "binary-nul": lambda good: b"\x00" * 64,
    "json-array": lambda good: b'[{"id": "x"}]',
    "json-null": lambda good: b"null",
    "wrong-types": lambda good: _edit(good, amount="-5", purchased="not a date"),
    "missing-field": lambda good: _edit(good, merchant=None),
    "bad-evidence-hash": lambda good: _edit(good, evidence=[{"id": "e1", "sha256": "zz"}]),
    "newer-schema": lambda good: _edit(good, schema_version=99),
    "schema-version-zero": lambda good: _edit(good, schema_version=0),
    "missing-file": lambda good: None,
}


def _edit(good: bytes, **changes: Any) -> bytes:
    data = json.loads(good)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return json.dumps(data, ensure_ascii=False).encode()


def damage(path: Path, how: str) -> bytes | None:
    broken = DAMAGE[how](path.read_bytes())
    if broken is None:
        path.unlink()
    else:
        path.write_bytes(broken)
    return broken


@pytest.fixture
def three(add: Any, cli: Cli, tmp_path: Path) -> tuple[str, str, str]:
    """Two good orders and one with events and evidence that the test will break."""
    good1 = add(merchant="好店一")
    bad = add(merchant="坏了的店")
    good2 = add(merchant="好店二", purchased="3 days ago", received="yesterday")
    proof = tmp_path / "proof.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\nproof")
    assert cli("add-evidence", bad, str(proof), "--kind", "chat").exit_code == 0
    assert cli("log", bad, "contacted-merchant").exit_code == 0
    return good1, bad, good2


def assert_clean_error(result: Any, code: int | None = None) -> None:
    """A failure the user can read: no traceback, one `error:` line, the agreed exit codes."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in ((code,) if code is not None else (1, 2)), result.output
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_damaged_order_is_listed_and_never_overwritten(
    how: str, cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    good1, bad, good2 = three
    path = home / "orders" / bad / "order.json"
    broken = damage(path, how)
    before = snapshot(home)

    result = cli("status", "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {o["id"] for o in data["orders"]} == {good1, good2}
    (entry,) = data["damaged"]
    assert entry["id"] == bad and entry["path"] == str(path) and entry["error"]
    assert "newer" in entry["error"] if how == "newer-schema" else True

    table = cli("status", "--all")
    assert table.exit_code == 1
    flat = table.stdout.replace("\n", "")
    assert good1 in flat and good2 in flat and str(path) in flat

    proof = tmp_path / "new-proof.txt"
    proof.write_bytes(b"new proof")
    for args in (
        ("edit", bad, "--note", "x"),
        ("edit", bad[:4], "--received", "today"),
        ("log", bad, "merchant-refused"),
        ("add-evidence", bad, str(proof), "--kind", "chat"),
        ("status", bad),
        ("status", bad, "--json"),
        ("verify", bad),
    ):
        result = cli(*args)
        assert_clean_error(result, 1)
        assert str(path) in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
    everything = cli("verify")
    assert everything.exit_code == 1 and str(path) in everything.stdout.replace("\n", "")
    # The other orders still work, and nothing touched the damaged file or its folder.
    assert cli("log", good1, "contacted-merchant").exit_code == 0
    after = snapshot(home)
    assert {k: v for k, v in after.items() if bad in k} == {
        k: v for k, v in before.items() if bad in k
    }
    if broken is None:
        assert not path.exists()
    else:
        assert path.read_bytes() == broken


def test_order_json_that_is_a_folder(cli: Cli, home: Path, three: tuple[str, str, str]) -> None:
    good1, bad, good2 = three
    path = home / "orders" / bad / "order.json"
    path.unlink()
    path.mkdir()
    data = status_json(cli)
    assert {o["id"] for o in data["orders"]} == {good1, good2}
    assert data["damaged"][0]["path"] == str(path)
    assert_clean_error(cli("edit", bad, "--note", "x"), 1)
    assert path.is_dir()


def test_damage_in_other_orders_does_not_block_writes(
    cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    good1, bad, _ = three
    (home / "orders" / bad / "order.json").write_bytes(b"")
    proof = tmp_path / "p.txt"
    proof.write_bytes(b"p")
    assert cli("add-evidence", good1, str(proof), "--kind", "chat").exit_code == 0
    assert cli("edit", good1, "--note", "still fine").exit_code == 0
    assert cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1").exit_code == 0
    assert len(status_json(cli)["orders"]) == 3


def test_stray_entries_in_orders_are_not_orders(
    cli: Cli, home: Path, three: tuple[str, str, str]
) -> None:
    """Temp files, staging folders and stray files are never listed as orders or damage."""
    orders = home / "orders"
    (orders / ".new-abc123").mkdir()
    (orders / ".new-abc123" / "order.json").write_text("{")
    (orders / "notes.txt").write_text("my own notes")
    (orders / ".DS_Store").write_bytes(b"\x00")
    (orders / three[0] / ".order.json.x1y2.tmp").write_text("{")
    data = status_json(cli, "--all")
    assert "damaged" not in data
    assert {o["id"] for o in data["orders"]} == set(three)


def stored_paths(home: Path, order_id: str) -> list[Path]:
    data = json.loads((home / "orders" / order_id / "order.json").read_text())
    return [home / "orders" / order_id / e["stored_as"] for e in data["evidence"]]


def test_missing_evidence_file_is_reported_not_a_crash(
    cli: Cli, home: Path, three: tuple[str, str, str]
) -> None:
    good1, bad, _ = three
    (stored,) = stored_paths(home, bad)
    stored.unlink()

    verify = cli("verify")
    assert verify.exit_code == 1
    assert any(line.startswith("missing") and bad in line for line in verify.stdout.splitlines())

    for args in (("status",), ("status", "--all"), ("status", bad)):
        result = cli(*args)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == 1, (args, result.output)
        assert "missing" in result.output and str(stored) in result.output.replace("\n", "")
    data = json.loads(cli("status", "--json").stdout)
    (order,) = [o for o in data["orders"] if o["id"] == bad]
    assert order["missing_files"] == [{"evidence": "e1", "path": str(stored)}]
    assert all(o["missing_files"] == [] for o in data["orders"] if o["id"] != bad)

    # The whole evidence folder gone is the same problem, not a crash.
    shutil.rmtree(stored.parent)
    assert cli("verify", bad).exit_code == 1
    assert cli("status", bad).exit_code == 1
    # Logging and editing the order still work: the record is fine, one file is missing.
    assert cli("log", bad, "merchant-refused").exit_code == 0


PROFILE_DAMAGE = {
    "empty": b"",
    "truncated": b'{"schema_version": 1, "name": "\xe5\xbc',
    "not-json": b"name = zhang san",
    "json-array": b"[]",
    "bad-language": b'{"schema_version": 1, "language": "fr"}',
    "newer-schema": b'{"schema_version": 7, "name": "x"}',
}


@pytest.mark.parametrize("how", sorted(PROFILE_DAMAGE))
def test_damaged_profile_is_a_clear_error(how: str, cli: Cli, home: Path, add: Any) -> None:
    order_id = add(jurisdiction="cn")
    path = home / "profile.json"
    path.write_bytes(PROFILE_DAMAGE[how])
    before = snapshot(home)
    for args in (
        ("profile",),
        ("profile", "--name", "张三"),
        ("add-order", "--merchant", "m", "--item", "i", "--amount", "1"),
    ):
        result = cli(*args)
        assert_clean_error(result)
        assert "profile.json" in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
        if how == "newer-schema":
            assert "newer" in result.stderr
    assert snapshot(home) == before
    # What does not need the profile still works.
    assert cli("status", order_id).exit_code == 0
    assert (
        cli(
            "add-order", "--merchant", "m", "--item", "i", "--amount", "1", "--jurisdiction", "cn"
        ).exit_code
        == 0
    )


def test_profile_json_that_is_a_folder(cli: Cli, home: Path) -> None:
    (home / "profile.json").mkdir(parents=True)
    for args in (("profile",), ("profile", "--name", "x")):
        result = cli(*args)
        assert_clean_error(result)
        assert "profile.json" in result.stderr
    assert (home / "profile.json").is_dir()


@pytest.mark.parametrize("where", ["home-is-a-file", "orders-is-a-file"])
def test_data_folder_in_the_way_is_a_clear_error(
    where: str, cli: Cli, home: Path, tmp_path: Path
) -> None:
    if where == "home-is-a-file":
        home.parent.mkdir(parents=True, exist_ok=True)
        home.write_text("not a folder")
    else:
        home.mkdir(parents=True)
        (home / "orders").write_text("not a folder")
    before = snapshot(tmp_path)
    for args in (
        ("status",),
        ("status", "--json"),
        ("verify",),
        ("add-order", "--merchant", "m", "--item", "i", "--amount", "1", "--jurisdiction", "cn"),
        ("edit", "abcd", "--note", "x"),
    ):
        result = cli(*args)
        assert_clean_error(result)
    assert snapshot(tmp_path) == before


# --- issue 11: every order file is isolated ------------------------------------------------

HANG_SECONDS = 10


def timed(cli: Cli, *args: str) -> Any:
    """Run a command in-process with an alarm: a command that blocks (on a FIFO, say) fails
    the test instead of hanging the suite."""

    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"hung for {HANG_SECONDS} s: {args}")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    try:
        result = cli(*args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if isinstance(result.exception, TimeoutError):
        pytest.fail(str(result.exception))
    return result


def others_keep_working(cli: Cli, good: list[str], bad: str, tmp_path: Path) -> None:
    """status, verify, calendar and export of another order: each lists the damaged order
    with its path (exit 1) or, for export, does not care; none fails as a whole or hangs."""
    data = json.loads(timed(cli, "status", "--json", "--all").stdout)
    assert {o["id"] for o in data["orders"]} == set(good)
    assert [d["id"] for d in data["damaged"]] == [bad]
    table = timed(cli, "status", "--all")
    assert table.exit_code == 1 and all(g in table.stdout for g in good)
    assert "internal error" not in table.output
    verify = timed(cli, "verify")
    assert verify.exit_code == 1 and "damaged: " in verify.stdout, verify.output
    assert "internal error" not in verify.output
    calendar = timed(cli, "calendar")
    assert calendar.exit_code == 1 and "BEGIN:VCALENDAR" in calendar.stdout
    assert f"orders/{bad}" in calendar.stderr and "internal error" not in calendar.stderr
    out = tmp_path / f"export-{good[0]}.zip"
    exported = timed(cli, "export", good[0], "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert out.is_file()


def test_deeply_nested_order_json_is_one_damaged_entry(
    cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    """An unknown field nested 1,500 levels deep: 'internal error (RecursionError)' for every
    command before; now that one order is damaged and the others are listed."""
    good1, bad, good2 = three
    path = home / "orders" / bad / "order.json"
    data = path.read_bytes().rstrip()
    assert data.endswith(b"}")
    deep = data[:-1] + b', "x": ' + b"[" * 1500 + b"]" * 1500 + b"}\n"
    path.write_bytes(deep)
    others_keep_working(cli, [good1, good2], bad, tmp_path)
    error = json.loads(cli("status", "--json").stdout)["damaged"][0]["error"]
    assert "nested more than 64 levels" in error
    assert path.read_bytes() == deep


def test_nesting_within_the_limit_still_loads(cli: Cli, home: Path, add: Any) -> None:
    order_id = add()
    path = home / "orders" / order_id / "order.json"
    data = json.loads(path.read_text())
    data["x"] = json.loads("[" * 60 + "]" * 60)  # an unknown field is kept, at any sane depth
    data["brackets"] = "[" * 500  # inside a string: not nesting
    path.write_text(json.dumps(data))
    assert cli("status", order_id).exit_code == 0
    assert cli("edit", order_id, "--note", "kept").exit_code == 0
    assert json.loads(path.read_text())["brackets"] == "[" * 500


def test_oversized_order_json_is_damaged(
    cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    from refundkit.store import MAX_ORDER_BYTES

    good1, bad, good2 = three
    path = home / "orders" / bad / "order.json"
    data = json.loads(path.read_text())
    data["padding"] = "x" * (MAX_ORDER_BYTES + 1)
    path.write_text(json.dumps(data))
    others_keep_working(cli, [good1, good2], bad, tmp_path)
    error = json.loads(cli("status", "--json").stdout)["damaged"][0]["error"]
    assert "more than an order file may hold" in error


def test_any_failure_of_one_file_is_a_damaged_entry(
    cli: Cli, home: Path, three: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser failing in a way nobody foresaw (RecursionError, MemoryError) is still one
    damaged order, never a failed command."""
    from refundkit import store as store_module

    good1, bad, good2 = three
    original = store_module._parse_record

    def flaky(cls: Any, data: bytes, path: Path) -> Any:
        if bad in str(path):
            raise RecursionError("maximum recursion depth exceeded")
        return original(cls, data, path)

    monkeypatch.setattr(store_module, "_parse_record", flaky)
    (home / "status-index.json").unlink(missing_ok=True)
    data = status_json(cli, "--all")
    assert {o["id"] for o in data["orders"]} == {good1, good2}
    assert data["damaged"][0]["id"] == bad and "RecursionError" in data["damaged"][0]["error"]


@pytest.mark.parametrize("how", ["deep", "large"])
def test_hostile_profile_is_a_clear_error(how: str, cli: Cli, home: Path, add: Any) -> None:
    order_id = add(jurisdiction="cn")
    path = home / "profile.json"
    if how == "deep":
        path.write_bytes(b'{"schema_version": 1, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    else:
        path.write_bytes(b'{"schema_version": 1, "x": "' + b"x" * (2 << 20) + b'"}')
    for args in (("profile",), ("draft-complaint", order_id)):
        result = timed(cli, *args)
        assert_clean_error(result)
        assert "profile.json" in result.stderr and result.stderr.count("\n") == 1
    assert cli("status", order_id).exit_code == 0


# --- issue 11: special files where a regular file belongs ----------------------------------


@pytest.mark.parametrize("what", ["fifo", "link", "link-to-dev-zero"])
def test_special_order_json_is_damaged_and_nothing_hangs(
    what: str, cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    good1, bad, good2 = three
    path = home / "orders" / bad / "order.json"
    if what == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif what == "link":
        real = tmp_path / "elsewhere.json"
        real.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(real)
    else:
        path.unlink()
        path.symlink_to("/dev/zero")
    others_keep_working(cli, [good1, good2], bad, tmp_path)
    error = json.loads(timed(cli, "status", "--json").stdout)["damaged"][0]["error"]
    assert ("FIFO" if what == "fifo" else "symbolic link") in error
    for args in (("status", bad), ("verify", bad), ("log", bad, "merchant-refused")):
        assert_clean_error(timed(cli, *args), 1)
    kind = stat.S_IFMT(path.lstat().st_mode)
    assert kind == (stat.S_IFIFO if what == "fifo" else stat.S_IFLNK)


def test_linked_order_folder_is_damaged_not_skipped(
    cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    """Before, a linked order folder vanished from status and verify, with exit 0."""
    good1, bad, good2 = three
    folder = home / "orders" / bad
    moved = tmp_path / "moved-away"
    shutil.move(str(folder), moved)
    folder.symlink_to(moved, target_is_directory=True)
    others_keep_working(cli, [good1, good2], bad, tmp_path)
    data = json.loads(cli("status", "--json").stdout)
    assert "symbolic link" in data["damaged"][0]["error"]
    assert_clean_error(timed(cli, "status", bad), 1)
    # The index does not vouch for it either: a status that had indexed the order, then sees
    # its folder turned into a link, reports the link.
    folder.unlink()
    shutil.move(str(moved), folder)
    assert status_json(cli, "--all").get("damaged") is None
    shutil.move(str(folder), moved)
    folder.symlink_to(moved, target_is_directory=True)
    assert [d["id"] for d in status_json(cli, "--all")["damaged"]] == [bad]


def test_fifo_at_profile_json_is_a_clear_error(cli: Cli, home: Path, add: Any) -> None:
    order_id = add(jurisdiction="cn")
    os.mkfifo(home / "profile.json")
    for args in (
        ("profile",),
        ("profile", "--name", "张三"),
        ("draft-complaint", order_id),
        ("add-order", "--merchant", "m", "--item", "i", "--amount", "1"),
    ):
        result = timed(cli, *args)
        assert_clean_error(result, 2)
        assert "FIFO" in result.stderr and result.stderr.count("\n") == 1
    assert timed(cli, "status").exit_code == 0
    assert stat.S_ISFIFO((home / "profile.json").lstat().st_mode)


@pytest.mark.parametrize("what", ["fifo", "link-to-dev-zero", "link-same-content", "folder"])
def test_special_evidence_is_not_a_regular_file_and_nothing_hangs(
    what: str, cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    """A FIFO hung export forever; a link to /dev/zero made it write gigabytes; a link to an
    outside file with the same bytes was exported as the evidence."""
    _, bad, _ = three
    (stored,) = stored_paths(home, bad)
    content = stored.read_bytes()
    stored.unlink()
    if what == "fifo":
        os.mkfifo(stored)
    elif what == "link-to-dev-zero":
        stored.symlink_to("/dev/zero")
    elif what == "link-same-content":
        outside = tmp_path / "outside.png"
        outside.write_bytes(content)
        stored.symlink_to(outside)
    else:
        stored.mkdir()
    result = timed(cli, "verify", bad)
    assert result.exit_code == 1
    assert re.search(rf"^not a regular file {bad} e1 ", result.stdout, re.M), result.stdout
    out = tmp_path / "case.zip"
    exported = timed(cli, "export", bad, "--out", str(out))
    assert_clean_error(exported, 1)
    assert "not the file that was stored" in exported.stderr
    assert not out.exists()
    assert timed(cli, "status", bad).exit_code == 0  # the record is fine; verify names the file


def test_evidence_folder_that_is_a_link_is_not_followed(
    cli: Cli, home: Path, three: tuple[str, str, str], tmp_path: Path
) -> None:
    _, bad, _ = three
    (stored,) = stored_paths(home, bad)
    outside = tmp_path / "outside-evidence"
    shutil.copytree(stored.parent, outside)
    shutil.rmtree(stored.parent)
    stored.parent.symlink_to(outside, target_is_directory=True)
    result = timed(cli, "verify", bad)
    assert result.exit_code == 1 and "not a regular file" in result.stdout
