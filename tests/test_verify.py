"""verify.py: hashing starts before the records are validated, yet what verify reports is
decided by the validated records: a damaged order is reported and left untouched, and an
entry the quick look read otherwise is checked from the validated record."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import screenshot_with_text
from refundkit import filecopy, index, verify
from refundkit.store import Store

Cli = Callable[..., Any]


@pytest.fixture
def proof(tmp_path: Path) -> Path:
    path = tmp_path / "chat.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"proof " * 100)
    return path


def attach(cli: Cli, add: Any, home: Path, proof: Path) -> tuple[str, Path, Path]:
    """An order with one stored file: its id, its order.json and the stored file."""
    order_id = add()
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    record = home / "orders" / order_id / "order.json"
    (entry,) = json.loads(record.read_text())["evidence"]
    return order_id, record, home / "orders" / order_id / entry["stored_as"]


def test_hashing_starts_before_the_records_are_validated(
    cli: Cli, add: Any, home: Path, proof: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attach(cli, add, home, proof)
    drop_index(home)  # as if another tool wrote the record: it must be validated
    hashing = threading.Event()
    real_hash, real_validate = filecopy.hash_file, Store.validate_order
    validated: list[str] = []

    def hash_file(*args: Any) -> str:
        hashing.set()
        return real_hash(*args)

    def validate_order(self: Store, order_id: str, *args: Any) -> Any:
        assert hashing.wait(timeout=20), "no file was hashed before the record was validated"
        validated.append(order_id)
        return real_validate(self, order_id, *args)

    monkeypatch.setattr(filecopy, "hash_file", hash_file)
    monkeypatch.setattr(Store, "validate_order", validate_order)
    result = cli("verify")
    assert result.exit_code == 0 and result.stdout.startswith("ok"), result.output
    assert len(validated) == 1


def drop_index(home: Path) -> None:
    for path in home.glob("status-index*"):
        path.unlink()


def test_verify_never_takes_the_status_index_word_for_a_record(
    cli: Cli, add: Any, home: Path, proof: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Status reads a record its index vouches for without validating it; verify, the command
    that checks everything, validates every record: one damaged under the very identity the
    index holds for it (a disk's bit rot, a file system without ctime) is reported."""
    monkeypatch.setattr(index, "clock_ns", lambda: time.time_ns() + 60 * 10**9)  # settled
    order_id = add(received="today")
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    record = home / "orders" / order_id / "order.json"
    text = record.read_text()
    purchased = json.loads(text)["purchased"]
    damaged = text.replace(f'"purchased": "{purchased}"', '"purchased": "2099-12-31"')
    with open(record, "r+b") as handle:  # in place: the same inode and size
        handle.write(damaged.encode())
    path = home / index.INDEX_FILE
    header, _ = index.decode_index(path.read_bytes())
    entry = header["cases"][order_id]
    assert entry["canonical"] is True and "sum" not in entry
    entry["file"] = index.file_identity(record.stat())  # the index vouches for it
    path.write_bytes(index.encode_index(header))
    result = cli("verify")
    assert result.exit_code == 1
    assert any(line.startswith("damaged: ") for line in result.stdout.splitlines())


def test_a_damaged_order_is_reported_and_its_files_left_alone(
    cli: Cli, add: Any, home: Path, proof: Path
) -> None:
    """The quick look finds the evidence of a record that does not validate: its file is
    hashed, but the order is reported damaged, and its file's mode is not put back."""
    good_id, _, good_file = attach(cli, add, home, proof)
    bad_id, bad_record, bad_file = attach(cli, add, home, proof)
    data = json.loads(bad_record.read_text())
    data["amount"] = "not money"
    bad_record.write_text(json.dumps(data, ensure_ascii=False))
    good_file.chmod(0o600)
    bad_file.chmod(0o600)
    result = cli("verify")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("ok")] == [good_id]
    assert any(line.startswith("damaged: ") and bad_id in line for line in lines)
    assert stat.S_IMODE(good_file.stat().st_mode) == 0o400
    assert stat.S_IMODE(bad_file.stat().st_mode) == 0o600
    assert "made 1 evidence file read-only" in result.stderr
    single = cli("verify", bad_id)
    assert single.exit_code != 0 and "amount" in single.stderr


@pytest.mark.parametrize(
    "change",
    ["size as text", "hash in capitals", "entry without its id", "evidence not a list"],
)
def test_entries_the_quick_look_reads_otherwise_are_checked_as_validated(
    cli: Cli, add: Any, home: Path, proof: Path, change: str
) -> None:
    """Whatever the quick look makes of a record, verify says what the validated record
    says: the same as verify_order (the model-based check) on it."""
    from refundkit.evidence import verify_order

    order_id, record, _ = attach(cli, add, home, proof)
    data = json.loads(record.read_text())
    entry = data["evidence"][0]
    if change == "size as text":
        entry["size"] = str(entry["size"])
    elif change == "hash in capitals":
        entry["sha256"] = entry["sha256"].upper()
    elif change == "entry without its id":
        del entry["id"]
    else:
        data["evidence"] = {"0": entry}
    record.write_text(json.dumps(data, ensure_ascii=False))
    store = Store(home)
    try:
        expected = [(c.evidence_id, c.status) for c in verify_order(store, store.load(order_id))]
    except Exception:  # noqa: BLE001 - the record does not validate: damaged
        expected = None
    checks, damaged = verify.run(store, verify.plan(store, [order_id]))
    if expected is None:
        assert [d.id for d in damaged] == [order_id] and checks == []
    else:
        assert [(c.evidence_id, c.status) for c in checks] == expected and damaged == []


def test_quick_look() -> None:
    entry = {"id": "e1", "original_name": "a.png", "stored_as": "evidence/e1-a.png"}
    good = {**entry, "size": 3, "sha256": "ab"}
    assert verify.quick_entries(json.dumps({"evidence": [good]}).encode()) == [
        verify.Entry("e1", "a.png", "evidence/e1-a.png", 3, "ab")
    ]
    for bad in (b"[", b"[]", b'{"evidence": 1}', json.dumps({"evidence": [entry]}).encode()):
        assert verify.quick_entries(bad) is None
    assert verify.quick_entries(b"[" * 100_000) is None  # too deep: not parsed at all


def test_a_screenshots_recognised_text_is_verified_too(
    cli: Any, add: Any, home: Path, tmp_path: Path
) -> None:
    """The text kept beside a screenshot carries its own SHA-256 (text_sha256): verify checks
    it as it checks the screenshot, on the fast path and the validated one alike."""
    order, text = screenshot_with_text(cli, add, home, tmp_path)
    folder = home / "orders" / order
    result = cli("verify")
    assert result.exit_code == 0, result.output
    assert "e1-聊天.png.txt" in result.stdout
    (folder / "evidence" / "e1-聊天.png.txt").chmod(0o600)
    (folder / "evidence" / "e1-聊天.png.txt").write_bytes("客服：同意退货".encode())
    result = cli("verify")
    assert result.exit_code == 1, result.output
    assert "modified" in result.stdout and "e1-聊天.png.txt" in result.stdout
    (folder / "evidence" / "e1-聊天.png.txt").unlink()
    result = cli("verify", order)
    assert result.exit_code == 1 and "missing" in result.stdout + result.stderr
