"""The evidence locker (evidence.py) and its commands: add-evidence and verify."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json
from refundkit.evidence import add_evidence, safe_name
from refundkit.kinds import EvidenceKind
from refundkit.store import Store

Cli = Callable[..., Any]
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def proof(tmp_path: Path) -> Path:
    path = tmp_path / "聊天记录 2026-11-20.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + "客服：不退".encode() * 10)
    return path


def load(home: Path, order_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((home / "orders" / order_id / "order.json").read_text())
    return data


def test_add_evidence_copies_hashes_and_records(
    cli: Cli, add: Any, home: Path, proof: Path
) -> None:
    order_id = add()
    result = cli(
        "add-evidence",
        order_id,
        str(proof),
        "--kind",
        "chat",
        "--note",
        "拒绝退货",
        "--taken",
        "yesterday",
    )
    assert result.exit_code == 0, result.output
    assert proof.exists()  # copied, never moved
    (entry,) = load(home, order_id)["evidence"]
    assert entry["original_name"] == proof.name
    assert entry["sha256"] == hashlib.sha256(proof.read_bytes()).hexdigest()
    assert entry["size"] == proof.stat().st_size and entry["media_type"] == "image/png"
    assert entry["note"] == "拒绝退货" and entry["kind"] == "chat" and entry["taken"]
    stored = home / "orders" / order_id / entry["stored_as"]
    assert stored.read_bytes() == proof.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    assert status_json(cli)["orders"][0]["missing_evidence"] == ["order", "payment"]


def test_several_files_in_one_go(cli: Cli, add: Any, home: Path, tmp_path: Path) -> None:
    order_id = add()
    files = []
    for i in range(3):
        f = tmp_path / f"shot{i}.jpg"
        f.write_bytes(f"image {i}".encode())
        files.append(str(f))
    assert cli("add-evidence", order_id, *files, "--kind", "order").exit_code == 0
    assert [e["id"] for e in load(home, order_id)["evidence"]] == ["e1", "e2", "e3"]


def test_same_content_twice_is_refused_with_the_existing_id(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    order_id = add()
    cli("add-evidence", order_id, str(proof), "--kind", "chat")
    copy = tmp_path / "renamed.png"
    copy.write_bytes(proof.read_bytes())
    before = snapshot(home)
    result = cli("add-evidence", order_id, str(copy), "--kind", "order")
    assert result.exit_code == 2 and "e1" in result.stderr
    assert snapshot(home) == before


def test_bad_files_are_refused_and_nothing_recorded(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    order_id = add()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = snapshot(home)
    for bad, word in (
        (tmp_path / "nope.png", "no such file"),
        (tmp_path, "folder"),
        (fifo, "not a regular file"),
        (Path("/dev/null"), "not a regular file"),
    ):
        result = cli("add-evidence", order_id, str(proof), str(bad), "--kind", "chat")
        assert result.exit_code == 2, (bad, result.output)
        assert word in result.stderr and result.stderr.count("\n") == 1
        assert snapshot(home) == before


@pytest.mark.skipif(ROOT, reason="root can read a file without read permission")
def test_unreadable_file_is_refused(cli: Cli, add: Any, home: Path, proof: Path) -> None:
    order_id = add()
    proof.chmod(0)
    before = snapshot(home)
    result = cli("add-evidence", order_id, str(proof), "--kind", "chat")
    assert result.exit_code == 2 and "permission" in result.stderr
    assert snapshot(home) == before


def test_symlink_is_stored_as_the_file_it_points_to(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    order_id = add()
    link = tmp_path / "link.png"
    link.symlink_to(proof)
    assert cli("add-evidence", order_id, str(link), "--kind", "chat").exit_code == 0
    stored = home / "orders" / order_id / load(home, order_id)["evidence"][0]["stored_as"]
    assert not stored.is_symlink() and stored.read_bytes() == proof.read_bytes()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/path/x.png", "x.png"),
        ("..", "file"),
        (".hidden", "hidden"),
        ("a\x00b\x1b[31m.png", "ab[31m.png"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("zero\u200bwidth.png", "zerowidth.png"),
        ("聊天记录😀.png", "聊天记录😀.png"),
        ("家庭👨\u200d👩\u200d👧\u2066.png", "家庭👨\u200d👩\u200d👧.png"),  # the joiner stays
        ("C:\\Users\\x\\shot.png", "shot.png"),
        ("50%off.png", "50％off.png"),  # `%` would be %25 in a BagIt manifest
    ],
)
def test_stored_names_are_sanitised(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_name("长" * 300 + ".png")
    assert name.endswith(".png") and len(name) <= 120


def test_hostile_file_name_stays_inside_the_order(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    order_id = add()
    odd = tmp_path / "..\u202e\x07evil.png"
    odd.write_bytes(b"x")
    assert cli("add-evidence", order_id, str(odd), "--kind", "photo").exit_code == 0
    stored = load(home, order_id)["evidence"][0]["stored_as"]
    assert stored == "evidence/e1-evil.png"


def test_verify_ok_then_changed_byte_deleted_and_replaced(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    order_id = add()
    files = []
    for i in range(3):
        f = tmp_path / f"f{i}.txt"
        f.write_bytes(b"proof %d " % i * 100)
        files.append(str(f))
    cli("add-evidence", order_id, *files, "--kind", "chat")
    ok = cli("verify")
    assert ok.exit_code == 0 and ok.stdout.count("ok") >= 3
    stored = [home / "orders" / order_id / e["stored_as"] for e in load(home, order_id)["evidence"]]
    for path in stored:
        path.chmod(0o600)
    data = bytearray(stored[0].read_bytes())
    data[10] ^= 1  # one changed bit
    stored[0].write_bytes(bytes(data))
    stored[1].unlink()
    stored[2].write_bytes(b"X" * stored[2].stat().st_size)  # same size, other content
    result = cli("verify", order_id[:3])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("modified") and "e1" in line for line in lines)
    assert any(line.startswith("missing") and "e2" in line for line in lines)
    assert any(line.startswith("modified") and "e3" in line for line in lines)


def test_verify_refuses_a_record_pointing_outside(
    cli: Cli, add: Any, home: Path, proof: Path
) -> None:
    order_id = add()
    cli("add-evidence", order_id, str(proof), "--kind", "chat")
    path = home / "orders" / order_id / "order.json"
    data = json.loads(path.read_text())
    data["evidence"][0]["stored_as"] = "../../../../etc/hostname"
    path.write_text(json.dumps(data))
    result = cli("verify")
    assert result.exit_code == 1 and "modified" in result.stdout


def test_unknown_kind_and_order_are_usage_errors(cli: Cli, add: Any, proof: Path) -> None:
    order_id = add()
    assert cli("add-evidence", order_id, str(proof), "--kind", "selfie").exit_code == 2
    assert cli("add-evidence", "zzzz", str(proof), "--kind", "chat").exit_code == 2
    assert cli("add-evidence", order_id, str(proof)).exit_code == 2  # --kind is required


def test_a_missing_file_is_named_before_the_missing_kind(
    cli: Cli, add: Any, tmp_path: Path
) -> None:
    """With no terminal and no --kind, a file that is not there is the error to fix first."""
    order_id = add()
    result = cli("add-evidence", order_id, str(tmp_path / "nope.png"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr and "--kind" not in result.stderr


def test_memory_does_not_grow_with_file_size(home: Path, tmp_path: Path) -> None:
    """A 128 MiB file is streamed: traced Python allocations stay a few MiB."""
    store = Store(home)
    from refundkit.cases import add_order

    order = add_order(store, {"merchant": "m", "item": "i", "amount": "1"}, datetime.now())
    big = tmp_path / "recording.mp4"
    with open(big, "wb") as handle:
        block = os.urandom(1 << 20)
        for _ in range(128):
            handle.write(block)
    tracemalloc.start()
    try:
        add_evidence(store, order.id, [big], EvidenceKind.RECORDING, None, None, datetime.now())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"peak {peak / 2**20:.1f} MiB for a 128 MiB file"


def test_a_refused_first_attach_leaves_no_evidence_folder(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    order_id = add()
    twin = tmp_path / "twin.png"
    twin.write_bytes(proof.read_bytes())
    before = snapshot(home)
    result = cli("add-evidence", order_id, str(proof), str(twin), "--kind", "order")
    assert result.exit_code == 2 and "same content" in result.stderr
    assert not (home / "orders" / order_id / "evidence").exists()
    assert snapshot(home) == before


def test_a_repeat_is_refused_before_anything_is_written(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    """Not even a temp file: the evidence folder's modification time stays as it was."""
    order_id = add()
    cli("add-evidence", order_id, str(proof), "--kind", "chat")
    folder = home / "orders" / order_id / "evidence"
    stamp = folder.stat().st_mtime_ns
    copy = tmp_path / "again.png"
    copy.write_bytes(proof.read_bytes())
    result = cli("add-evidence", order_id, str(copy), "--kind", "chat")
    assert result.exit_code == 2 and "already attached as e1" in result.stderr
    assert folder.stat().st_mtime_ns == stamp


@pytest.mark.skipif(ROOT, reason="root can read a file without read permission")
def test_unreadable_evidence_is_unreadable_not_modified(
    cli: Cli, add: Any, home: Path, proof: Path
) -> None:
    """Before, a file refundkit may not read was reported as "modified", which suggests
    tampering; its bytes are unknown, not changed."""
    order_id = add()
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    (entry,) = load(home, order_id)["evidence"]
    stored = home / "orders" / order_id / entry["stored_as"]
    stored.chmod(0)
    try:
        result = cli("verify", order_id)
        assert result.exit_code == 1
        assert result.stdout.startswith(f"unreadable {order_id} e1 "), result.stdout
        assert "modified" not in result.stdout
    finally:
        stored.chmod(0o400)


def test_verify_puts_evidence_back_to_read_only(
    cli: Cli, add: Any, home: Path, proof: Path
) -> None:
    order_id = add()
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    (entry,) = load(home, order_id)["evidence"]
    stored = home / "orders" / order_id / entry["stored_as"]
    stored.chmod(0o600)
    result = cli("verify")
    assert result.exit_code == 0 and result.stdout.startswith("ok")
    assert result.stderr == "notice: made 1 evidence file read-only again (0400), as stored\n"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    assert cli("verify").stderr == ""


def test_numbers_go_past_every_file_in_the_folder(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    """Before, left-over e1-* files were reused by the next attach: evidence/ held several
    different e1 files. Now a number held by a file, recorded or not, is never handed out."""
    order_id = add()
    folder = home / "orders" / order_id / "evidence"
    folder.mkdir()
    for name in ("e1-a.png", "e7-b.png"):
        (folder / name).write_bytes(b"left over")
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    assert [e["id"] for e in load(home, order_id)["evidence"]] == ["e8"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "e1-a.png",
        "e7-b.png",
        f"e8-{proof.name}",
    ]


def test_a_screenshots_text_beside_it_is_recorded_not_swept(
    cli: Cli, add: Any, home: Path, proof: Path, tmp_path: Path
) -> None:
    """The recognised text of a screenshot (`text_as`) is named by its entry: never listed as
    unrecorded, never swept, however old."""
    from refundkit.evidence import STALE_SECONDS

    order_id = add()
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    path = home / "orders" / order_id / "order.json"
    data = json.loads(path.read_text())
    entry = data["evidence"][0]
    text = home / "orders" / order_id / f"{entry['stored_as']}.txt"
    text.write_text("客服：不退\n")
    text.chmod(0o400)
    entry["text_as"] = f"{entry['stored_as']}.txt"
    entry["text_sha256"] = hashlib.sha256(text.read_bytes()).hexdigest()
    path.write_text(json.dumps(data, ensure_ascii=False))
    then = datetime.now().timestamp() - STALE_SECONDS - 60
    os.utime(text, (then, then))
    result = cli("verify", order_id)
    assert result.exit_code == 0 and "unrecorded" not in result.stdout, result.stdout
    other = tmp_path / "other.png"
    other.write_bytes(b"\x89PNG\r\n\x1a\nother")
    assert cli("add-evidence", order_id, str(other), "--kind", "chat").exit_code == 0
    assert text.exists()
