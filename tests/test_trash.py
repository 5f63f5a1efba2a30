"""Undo (trash.py, cli/trash.py): remove a case or one evidence entry to the trash folder
inside the data folder, list it with `status --all`, and restore it."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json

Cli = Callable[..., Any]


@pytest.fixture
def case(cli: Cli, add: Any, tmp_path: Path) -> str:
    """An order with three evidence entries, e1 to e3."""
    order = add(merchant="声悦数码", item="耳机", amount="399")
    for n, kind in enumerate(("order", "chat", "payment"), start=1):
        proof = tmp_path / f"证据{n}.png"
        proof.write_bytes(f"proof {n}".encode())
        assert cli("add-evidence", order, str(proof), "--kind", kind).exit_code == 0
    return order


def record(home: Path, order: str) -> dict[str, Any]:
    return json.loads((home / "orders" / order / "order.json").read_text())


def test_remove_and_restore_a_whole_case(cli: Cli, case: str, home: Path) -> None:
    before = snapshot(home / "orders" / case)
    result = cli("remove", case, "--yes")
    assert result.exit_code == 0, result.output
    assert f"refundkit restore {case}" in result.stdout
    assert not (home / "orders" / case).exists()
    (trashed,) = (home / "trash").iterdir()
    assert trashed.name.startswith(f"{case}-")
    assert stat.S_IMODE((home / "trash").stat().st_mode) == 0o700
    assert status_json(cli)["orders"] == []  # the status index drops it
    listing = cli("status", "--all")
    assert "[removed]" in listing.stdout and "声悦数码 · 耳机 · ¥399.00" in listing.stdout
    assert f"refundkit restore {case}" in listing.stdout
    assert cli("status", case).exit_code == 2
    back = cli("restore", case[:4])
    assert back.exit_code == 0, back.output
    assert snapshot(home / "orders" / case) == before
    assert not any((home / "trash").iterdir())
    assert [o["id"] for o in status_json(cli)["orders"]] == [case]


def test_restore_is_refused_while_the_id_is_taken(cli: Cli, case: str, home: Path) -> None:
    assert cli("remove", case, "--yes").exit_code == 0
    (home / "orders" / case).mkdir()
    (home / "orders" / case / "order.json").write_text("{}")
    result = cli("restore", case)
    assert result.exit_code == 2 and "exists" in result.stderr
    assert len(list((home / "trash").iterdir())) == 1


def test_unknown_ids_are_refused(cli: Cli, case: str, home: Path) -> None:
    before = snapshot(home)
    assert cli("remove", "zzzz", "--yes").exit_code == 2
    assert cli("remove", case, "--evidence", "e9", "--yes").exit_code == 2
    result = cli("restore", "zzzz")
    assert result.exit_code == 2 and "no removed order" in result.stderr
    assert snapshot(home) == before


def test_without_a_terminal_remove_needs_yes(cli: Cli, case: str, home: Path) -> None:
    before = snapshot(home)
    result = cli("remove", case)
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(home) == before


def test_in_a_terminal_remove_asks(
    cli: Cli, case: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("refundkit.cli.interactive", lambda: True)
    kept = cli("remove", case, input="\n")  # Enter is no
    assert kept.exit_code == 0 and "Nothing was removed." in kept.stdout
    assert (home / "orders" / case).exists()
    gone = cli("remove", case, "--evidence", "e2", input="是\n")
    assert gone.exit_code == 0, gone.output
    assert "evidence e2 (证据2.png, chat records)" in gone.stdout


def test_remove_and_restore_one_evidence_entry(cli: Cli, case: str, home: Path) -> None:
    stored = home / "orders" / case / "evidence" / "e2-证据2.png"
    result = cli("remove", case, "--evidence", "e2", "--yes")
    assert result.exit_code == 0, result.output
    assert not stored.exists()
    data = record(home, case)
    assert [e["id"] for e in data["evidence"]] == ["e1", "e3"]
    (removal,) = data["removed_evidence"]
    assert (removal["id"], removal["kind"], removal["restored"]) == ("e2", "chat", None)
    kept = home / "trash" / removal["trash"]
    assert (kept / "e2-证据2.png").read_bytes() == b"proof 2"
    assert stat.S_IMODE((kept / "e2-证据2.png").stat().st_mode) == 0o400
    assert "chat" in status_json(cli)["orders"][0]["missing_evidence"]
    assert "refundkit restore" in cli("status", "--all").stdout
    assert cli("verify").exit_code == 0

    back = cli("restore", case, "--evidence", "e2")
    assert back.exit_code == 0, back.output
    assert stored.read_bytes() == b"proof 2"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    data = record(home, case)
    assert [e["id"] for e in data["evidence"]] == ["e1", "e2", "e3"]
    assert data["removed_evidence"][0]["restored"] is not None  # the history stays
    assert not any((home / "trash").iterdir())
    assert cli("verify").exit_code == 0
    assert cli("restore", case, "--evidence", "e2").exit_code == 2  # nothing left to restore


def test_a_removed_number_is_never_given_again(
    cli: Cli, case: str, home: Path, tmp_path: Path
) -> None:
    assert cli("remove", case, "--evidence", "e3", "--yes").exit_code == 0
    proof = tmp_path / "new.png"
    proof.write_bytes(b"new")
    added = cli("add-evidence", case, str(proof), "--kind", "photo")
    assert added.exit_code == 0 and "e4" in added.stdout
    assert cli("restore", case, "--evidence", "e3").exit_code == 0
    ids = [e["id"] for e in record(home, case)["evidence"]]
    assert ids == ["e1", "e2", "e3", "e4"]


def test_restore_refuses_content_attached_again(
    cli: Cli, case: str, home: Path, tmp_path: Path
) -> None:
    assert cli("remove", case, "--evidence", "e1", "--yes").exit_code == 0
    again = tmp_path / "again.png"
    again.write_bytes(b"proof 1")
    assert cli("add-evidence", case, str(again), "--kind", "order").exit_code == 0
    before = snapshot(home)
    result = cli("restore", case, "--evidence", "e1")
    assert result.exit_code == 2 and "e4" in result.stderr
    assert snapshot(home) == before


def test_the_export_leaves_removed_entries_out(cli: Cli, case: str, tmp_path: Path) -> None:
    import zipfile

    assert cli("remove", case, "--evidence", "e2", "--yes").exit_code == 0
    out = tmp_path / "case.zip"
    assert cli("export", case, "--out", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as bag:
        names = bag.namelist()
        order = json.loads(bag.read(next(n for n in names if n.endswith("order.json"))))
    assert "removed_evidence" not in order
    assert not any("证据2" in name for name in names)


def test_a_command_waiting_for_the_lock_of_a_removed_order_changes_nothing(
    cli: Cli, case: str, home: Path
) -> None:
    from refundkit.errors import NotFound
    from refundkit.store import Store

    store = Store(home)
    assert cli("remove", case, "--yes").exit_code == 0
    with pytest.raises(NotFound, match="status --all"), store.lock(case):
        pass
    assert not (home / "orders" / case).exists()


def test_a_half_done_removal_is_finished_under_the_lock(
    cli: Cli, case: str, home: Path, tmp_path: Path
) -> None:
    """A kill after order.json was written leaves the order's own name for the file: the
    next change to the order takes it out (the trash holds the file). A kill before it
    leaves a trash entry the order does not name: swept, the order untouched."""
    stored = home / "orders" / case / "evidence" / "e2-证据2.png"
    assert cli("remove", case, "--evidence", "e2", "--yes").exit_code == 0
    (removal,) = record(home, case)["removed_evidence"]
    os.link(home / "trash" / removal["trash"] / "e2-证据2.png", stored)  # as if killed
    stray = home / "trash" / f"{case}-e1-20260101T000000000000"  # a removal killed early
    stray.mkdir()
    (stray / "entry.json").write_text("{}")
    assert cli("verify").exit_code == 0  # reported as unrecorded, not a failure
    proof = tmp_path / "x.png"
    proof.write_bytes(b"x")
    assert cli("add-evidence", case, str(proof), "--kind", "photo").exit_code == 0
    assert cli("remove", case, "--evidence", "e4", "--yes").exit_code == 0
    assert not stored.exists() and not stray.exists()
    assert (home / "trash" / removal["trash"] / "e2-证据2.png").exists()
    assert [e["id"] for e in record(home, case)["evidence"]] == ["e1", "e3"]


def test_a_command_waiting_while_the_order_is_removed_finds_it_gone(case: str, home: Path) -> None:
    """`log` waits for the lock that `remove` holds; once the folder is in the trash, the
    waiting command says so, writes nothing and makes no empty folder for its lock."""
    import subprocess
    import sys
    import time

    from refundkit.store import Store

    store = Store(home)
    env = {**os.environ, "REFUNDKIT_HOME": str(home)}
    with store.lock(case):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "refundkit", "log", case, "closed"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert waiting.stderr is not None
        deadline = time.monotonic() + 60
        notice = ""
        while "waiting for another refundkit command" not in notice:
            assert time.monotonic() < deadline, notice
            notice += waiting.stderr.readline()
        (home / "trash").mkdir(mode=0o700)
        os.rename(home / "orders" / case, home / "trash" / f"{case}-20260101T000000000000")
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 2, err
    assert "no longer there" in err
    assert not (home / "orders" / case).exists()
    events = json.loads((home / "trash" / f"{case}-20260101T000000000000" / "order.json")
                        .read_text())["events"]  # fmt: skip
    assert events == []


def test_restore_finds_a_removed_case_by_its_name(cli: Cli, case: str, add: Any) -> None:
    other = add(merchant="旧店", item="旧物")
    assert cli("remove", case, "--yes").exit_code == 0
    assert cli("remove", other, "--yes").exit_code == 0
    result = cli("restore", "声悦")
    assert result.exit_code == 0 and case in result.stdout
    assert cli("status", case).exit_code == 0 and cli("status", other).exit_code == 2
