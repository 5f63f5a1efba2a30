"""export writes a BagIt 1.0 bag (RFC 8493) straight into the zip, and nothing anywhere else.

Checked two ways: by the `bagit` library on the unzipped folder, and by RFC 8493's rules
read directly from the zip (bagit.txt's exact bytes, every payload file once in the manifest
with its hash, the tag manifest, the Payload-Oxum, percent-encoded paths). bagit-python does
not decode `%25` (its issue #157), so no name in a bag holds a `%`: the bag validates there
as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY, make_order, screenshot_with_text, snapshot
from refundkit import bundle
from refundkit.errors import DamagedData
from refundkit.models import Evidence, Order
from refundkit.store import Store

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parents[1]
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def fake_summaries(lang: str, fmt: str) -> tuple[str, list[str]]:
    return f"lawyer summary {lang} {fmt}\n", []


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def case_with_files(
    home: Path, files: dict[str, bytes], media_type: str = "application/octet-stream", **fields: Any
) -> Order:
    """An order whose evidence is stored under the given names, written directly (so that
    names add-evidence would clean, a newline say, can be tried too)."""
    store = Store(home)

    def build(order_id: str) -> Order:
        evidence = [
            Evidence(
                id=f"e{n}",
                kind="other",
                original_name=name,
                stored_as=f"evidence/e{n}-{name}",
                size=len(data),
                media_type=media_type,
                sha256=sha(data),
                added=datetime(2026, 11, 15, 20, 0),
            )
            for n, (name, data) in enumerate(files.items(), 1)
        ]
        return make_order(id=order_id, evidence=evidence, **fields)

    order = store.create(build)
    (store.order_dir(order.id) / "evidence").mkdir()
    for entry, data in zip(order.evidence, files.values(), strict=True):
        (store.order_dir(order.id) / entry.stored_as).write_bytes(data)
    return order


def export(home: Path, order: Order, out: Path, **kwargs: Any) -> bundle.Exported:
    options = {"force": False, "as_of": date(2026, 11, 16), "render": fake_summaries, **kwargs}
    return bundle.export_order(Store(home), order.id, out, **options)


# --- RFC 8493, read straight from the zip ------------------------------------------------------


def rfc_decode(path: str) -> str:
    """RFC 8493 2.1.3: only %0D, %0A and %25 are encoded, so only they are decoded."""
    codes = {"%0D": "\r", "%0A": "\n", "%25": "%"}
    return re.sub(r"%(0D|0A|25)", lambda m: codes[m[0].upper()], path, flags=re.IGNORECASE)


def read_manifest(data: bytes) -> dict[str, str]:
    """path -> SHA-256; each path once."""
    entries: dict[str, str] = {}
    for line in data.decode("utf-8").split("\n")[:-1]:
        digest, path = re.fullmatch(r"([0-9a-f]{64})[ \t]+(.+)", line).groups()  # type: ignore[union-attr]
        path = rfc_decode(path)
        assert path not in entries, f"{path!r} listed twice"
        entries[path] = digest
    assert data.endswith(b"\n") or not data
    return entries


def check_rfc8493(zip_path: Path, as_of: date = date(2026, 11, 16)) -> dict[str, bytes]:
    """Every rule of RFC 8493 a bag written by refundkit must meet; returns the files."""
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        tops = {name.split("/", 1)[0] for name in names}
        assert len(tops) == 1, tops  # one base directory
        (top,) = tops
        folders = {name for name in names if name.endswith("/")}
        files = {n.split("/", 1)[1]: archive.read(n) for n in names if n not in folders}
    # 2.1.1: bagit.txt, exactly
    assert files["bagit.txt"] == BAGIT_TXT
    payload = {name: data for name, data in files.items() if name.startswith("data/")}
    tags = {name: data for name, data in files.items() if not name.startswith("data/")}
    assert set(tags) == {
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
    }
    # 2.1.3: every payload file listed once in the manifest, with its hash, and nothing else
    listed = read_manifest(files["manifest-sha256.txt"])
    assert listed == {name: sha(data) for name, data in payload.items()}
    # 2.2.1: the tag manifest covers every tag file but itself
    tagged = read_manifest(files["tagmanifest-sha256.txt"])
    assert tagged == {
        name: sha(data) for name, data in tags.items() if name != "tagmanifest-sha256.txt"
    }
    # 2.2.2: bag-info.txt is `Label: value` lines, with a correct Payload-Oxum
    info = files["bag-info.txt"].decode("utf-8")
    assert not info.startswith("\ufeff")
    fields = dict(line.split(": ", 1) for line in info.split("\n")[:-1])
    size = sum(len(data) for data in payload.values())
    assert fields["Payload-Oxum"] == f"{size}.{len(payload)}"
    assert fields["Bagging-Date"] == as_of.isoformat()
    assert top.startswith("refundkit-")
    return files


def test_export_is_a_bagit_1_0_bag_by_the_rfcs_rules(home: Path, tmp_path: Path) -> None:
    order = case_with_files(home, {"shot.png": b"\x89PNG" * 100, "chat.txt": "拆封不退".encode()})
    out = tmp_path / "case.zip"
    done = export(home, order, out)
    files = check_rfc8493(out)
    assert sorted(name for name in files if name.startswith("data/")) == [
        "data/README.txt",
        "data/evidence/e1-shot.png",
        "data/evidence/e2-chat.txt",
        "data/lawyer-summary.en.html",
        "data/lawyer-summary.en.md",
        "data/lawyer-summary.zh.html",
        "data/lawyer-summary.zh.md",
        "data/order.json",
        "data/timeline.json",
        "data/timeline.md",
    ]
    assert done.files == 10
    assert b"BagIt 1.0" in files["data/README.txt"]


def test_the_bagit_library_validates_it(home: Path, tmp_path: Path) -> None:
    import bagit

    order = case_with_files(home, {"shot.png": b"x" * 5000})
    out = tmp_path / "case.zip"
    export(home, order, out)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "unzipped")
    bag = bagit.Bag(str(tmp_path / "unzipped" / f"refundkit-{order.id}"))
    bag.validate()
    assert bag.version_info == (1, 0)
    assert bag.info["Payload-Oxum"] == f"{sum(len(d) for d in payload_of(out).values())}.9"


def payload_of(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        names = [n for n in archive.namelist() if "/data/" in n and not n.endswith("/")]
        return {n.split("/", 1)[1]: archive.read(n) for n in names}


def unzipped_bag(zip_path: Path, into: Path) -> Any:
    """The bag, unzipped, as the unpatched `bagit` library (1.9) reads it."""
    import bagit

    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    (folder,) = into.iterdir()
    return bagit.Bag(str(folder))


def bag_order(zip_path: Path) -> dict[str, Any]:
    import json

    (data,) = [v for k, v in payload_of(zip_path).items() if k == "data/order.json"]
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def test_names_with_percent_and_line_breaks_give_a_valid_bag(home: Path, tmp_path: Path) -> None:
    """Evidence stored under a name with `%` (before names were cleaned of it) goes into the
    bag as `％`: bagit-python does not decode `%25` (its issue #157), and the bag must
    validate there too. order.json in the bag names the files where the bag has them."""
    files = {"a%0Ab.txt": b"one", "c\nd.txt": b"two", "e\rf%25.txt": b"three", "100%.txt": b"4"}
    order = case_with_files(home, files)
    out = tmp_path / "case.zip"
    export(home, order, out)
    payload = check_rfc8493(out)
    manifest = payload["manifest-sha256.txt"].decode()
    assert "data/evidence/e1-a％0Ab.txt" in manifest
    assert "data/evidence/e2-c%0Ad.txt" in manifest
    assert "data/evidence/e3-e%0Df％25.txt" in manifest
    assert "data/evidence/e4-100％.txt" in manifest
    assert "%25" not in manifest
    recorded = bag_order(out)["evidence"]
    assert [e["stored_as"] for e in recorded] == [
        "evidence/e1-a％0Ab.txt",
        "evidence/e2-c\nd.txt",
        "evidence/e3-e\rf％25.txt",
        "evidence/e4-100％.txt",
    ]
    assert [e["original_name"] for e in recorded] == list(files)  # as given, `%` and all
    for entry in recorded:
        assert f"data/{entry['stored_as']}" in payload
    unzipped_bag(out, tmp_path / "unzipped").validate()


def test_a_percent_name_added_through_the_cli_exports_to_a_valid_bag(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    order = add()
    source = tmp_path / "报告%0A%E8%AE%A2单 50%off.png"
    source.write_bytes(b"\x89PNG" + b"x" * 100)
    assert cli("add-evidence", order, str(source), "--kind", "order").exit_code == 0
    stored = Store(home).load(order).evidence[0].stored_as
    assert stored == "evidence/e1-报告％0A％E8％AE％A2单 50％off.png"
    out = tmp_path / "case.zip"
    result = cli("export", order, "--out", str(out))
    assert result.exit_code == 0, result.output
    check_rfc8493(out, TODAY)
    unzipped_bag(out, tmp_path / "unzipped").validate()


def test_the_text_of_a_screenshot_stored_with_percent_follows_it_into_the_bag(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    """A screenshot stored as e1-50%off.png (before names were cleaned of `%`), with its
    recognised text beside it: both go into the bag under the `％` name, and order.json's
    stored_as and text_as name them there."""
    import json

    order, text = screenshot_with_text(cli, add, home, tmp_path)
    evidence = home / "orders" / order / "evidence"
    (evidence / "e1-聊天.png").rename(evidence / "e1-50%off.png")
    (evidence / "e1-聊天.png.txt").rename(evidence / "e1-50%off.png.txt")
    record_path = home / "orders" / order / "order.json"
    record = json.loads(record_path.read_text())
    record["evidence"][0] |= {
        "stored_as": "evidence/e1-50%off.png",
        "text_as": "evidence/e1-50%off.png.txt",
    }
    record_path.write_text(json.dumps(record, ensure_ascii=False))
    out = tmp_path / "case.zip"
    result = cli("export", order, "--out", str(out))
    assert result.exit_code == 0, result.output
    payload = payload_of(out)
    assert payload["data/evidence/e1-50％off.png.txt"] == text
    (entry,) = bag_order(out)["evidence"]
    assert entry["stored_as"] == "evidence/e1-50％off.png"
    assert entry["text_as"] == "evidence/e1-50％off.png.txt"
    assert f"data/{entry['stored_as']}" in payload
    unzipped_bag(out, tmp_path / "unzipped").validate()


def test_bag_paths_are_percent_encoded_as_rfc_8493_says() -> None:
    assert bundle.bag_path("data/a%0Ab\r\n%.txt") == "data/a%250Ab%0D%0A%25.txt"
    assert bundle.bag_path("data/证据 1.png") == "data/证据 1.png"


# --- what is in the bag, and what is not -------------------------------------------------------


def test_the_private_note_is_not_in_the_bag(home: Path, tmp_path: Path) -> None:
    import json

    order = case_with_files(home, {"a.png": b"a"}, note="私人备注：只给自己看 SECRET-NOTE")
    stored = json.loads(Store(home).order_path(order.id).read_text(encoding="utf-8"))
    assert stored["note"].endswith("SECRET-NOTE")
    out = tmp_path / "case.zip"
    export(home, order, out)
    files = check_rfc8493(out)
    exported = json.loads(files["data/order.json"])
    assert "note" not in exported
    del stored["note"]
    del stored["removed_evidence"]  # the entries the owner removed stay at home too
    assert exported == stored  # everything else, unknown fields included, as recorded
    assert not any(b"SECRET-NOTE" in data for data in files.values())


def test_zip_entries_are_owner_only_and_reproducible(home: Path, tmp_path: Path) -> None:
    order = case_with_files(home, {"a.png": b"a" * 3000, "b.txt": b"b" * 3000}, "text/plain")
    first, second = tmp_path / "a" / "case.zip", tmp_path / "b" / "case.zip"
    first.parent.mkdir()
    second.parent.mkdir()
    export(home, order, first)
    export(home, order, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    for info in infos:
        mode = 0o40700 if info.is_dir() else 0o100600
        assert info.external_attr >> 16 == mode, info.filename
        assert info.create_system == 3 and info.date_time == (1980, 1, 1, 0, 0, 0)
    folders = [i.filename.split("/", 1)[1] for i in infos if i.is_dir()]
    assert folders == ["", "data/", "data/evidence/"]
    assert oct(first.stat().st_mode & 0o777) == "0o600"


def test_unzip_makes_owner_only_files(home: Path, tmp_path: Path) -> None:
    if not os.access("/usr/bin/unzip", os.X_OK):
        pytest.skip("no unzip here")
    order = case_with_files(home, {"a.png": b"a"})
    out = tmp_path / "case.zip"
    export(home, order, out)
    subprocess.run(["/usr/bin/unzip", "-q", str(out), "-d", str(tmp_path / "u")], check=True)
    paths = list((tmp_path / "u").rglob("*"))
    assert len(paths) == 3 + 9 + 4  # the bag, data/, data/evidence/; nine files; four tags
    for path in paths:
        assert oct(path.stat().st_mode & 0o777) == ("0o700" if path.is_dir() else "0o600"), path


def test_export_of_real_letters_twice_gives_the_same_bytes(
    cli: Cli, add: Any, tmp_path: Path
) -> None:
    order = add(purchased="3 days ago", received="yesterday")
    shot = tmp_path / "订单截图.png"
    shot.write_bytes(b"\x89PNG" + b"o" * 500)
    assert cli("add-evidence", order, str(shot), "--kind", "order").exit_code == 0
    first, second = tmp_path / "one.zip", tmp_path / "two.zip"
    assert cli("export", order, "--out", str(first)).exit_code == 0
    assert cli("export", order, "--out", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    files = check_rfc8493(first, TODAY)
    assert "蓝牙耳机".encode() in files["data/lawyer-summary.zh.md"]


# --- streaming: no copy anywhere, constant memory ---------------------------------------------

_WRITES: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _WRITES is None or event != "open":
        return
    path, mode, flags = args
    writing = (mode and any(c in mode for c in "wax+")) or (
        flags and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
    )
    if writing and isinstance(path, str | bytes | os.PathLike):
        _WRITES.append(os.fsdecode(path))


sys.addaudithook(_audit)


@pytest.fixture
def writes() -> Iterator[list[str]]:
    """Every file opened for writing while the fixture is active."""
    global _WRITES
    _WRITES = []
    try:
        yield _WRITES
    finally:
        _WRITES = None


def test_export_writes_nothing_but_the_zip_beside_out(
    home: Path, tmp_path: Path, writes: list[str]
) -> None:
    order = case_with_files(home, {"big.bin": os.urandom(3 << 20), "chat.txt": b"x" * 1000})
    out = tmp_path / "out" / "case.zip"
    out.parent.mkdir()
    before = snapshot(home)
    writes.clear()  # the case's own files were written above
    export(home, order, out)
    assert writes, "the audit hook saw nothing: the test would prove nothing"
    for path in writes:
        assert Path(path).parent == out.parent and Path(path).name.startswith(".case.zip."), path
    assert snapshot(home) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["case.zip"]


@pytest.mark.parametrize("media_type", ["application/octet-stream", "text/plain"])
def test_memory_stays_flat_for_big_evidence(home: Path, tmp_path: Path, media_type: str) -> None:
    size = 12 << 20
    order = case_with_files(home, {"big.bin": os.urandom(size)}, media_type)
    tracemalloc.start()
    try:
        export(home, order, tmp_path / "case.zip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"peak {peak:,} bytes for a {size:,}-byte file"
    assert (
        payload_of(tmp_path / "case.zip")["data/evidence/e1-big.bin"]
        == (Store(home).order_dir(order.id) / "evidence" / "e1-big.bin").read_bytes()
    )


# --- failures leave nothing behind -------------------------------------------------------------


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_modified_evidence_stops_the_export_and_leaves_nothing(home: Path, tmp_path: Path) -> None:
    order = case_with_files(home, {"a.png": b"a" * 100, "b.png": b"b" * 100})
    path = Store(home).order_dir(order.id) / order.evidence[1].stored_as
    path.write_bytes(b"c" * 100)
    with pytest.raises(DamagedData, match=r"e2 \(b.png\) was modified"):
        export(home, order, tmp_path / "case.zip")
    assert left_in(tmp_path) == ["home"]
    path.write_bytes(b"b" * 100 + b"more")  # a file that grew is modified too
    with pytest.raises(DamagedData, match="modified"):
        export(home, order, tmp_path / "case.zip")
    assert left_in(tmp_path) == ["home"]


def test_interrupted_export_removes_its_partial_zip(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = case_with_files(home, {"a.png": b"a" * 100})

    def interrupted(*args: Any) -> Any:
        assert any(p.name.endswith(".part") for p in tmp_path.iterdir())  # it was there
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle, "_copy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(home, order, tmp_path / "case.zip")
    assert left_in(tmp_path) == ["home"]


SIGTERM_SCRIPT = """
import os, signal, sys
from datetime import date
from pathlib import Path
from refundkit import bundle
from refundkit.store import Store

copy = bundle._copy
def copy_then_sigterm(source, target, expected):
    result = copy(source, target, expected)
    os.kill(os.getpid(), signal.SIGTERM)
    return result
bundle._copy = copy_then_sigterm
store = Store(Path(sys.argv[1]))
bundle.export_order(store, sys.argv[2], Path(sys.argv[3]), force=False, as_of=date(2026, 11, 16),
                    render=lambda lang, fmt: ("summary", []))
print("not terminated")
"""


def test_sigterm_removes_the_partial_zip_and_ends_the_process(home: Path, tmp_path: Path) -> None:
    order = case_with_files(home, {"a.png": b"a" * 100})
    out = tmp_path / "case.zip"
    done = subprocess.run(
        [sys.executable, "-c", SIGTERM_SCRIPT, str(home), order.id, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGTERM, (done.returncode, done.stdout, done.stderr)
    assert "not terminated" not in done.stdout
    assert left_in(tmp_path) == ["home"]


def test_a_partial_zip_left_by_a_killed_export_is_swept(home: Path, tmp_path: Path) -> None:
    order = case_with_files(home, {"a.png": b"a"})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    dead_pid = int(dead.stdout)
    old = time.time() - 3600
    killed = tmp_path / f".case.zip.{dead_pid}.abcd1234.part"
    fresh = tmp_path / f".case.zip.{dead_pid}.efgh5678.part"  # may belong to a run elsewhere
    running = tmp_path / f".case.zip.{os.getpid()}.ijkl9012.part"
    other = tmp_path / f".other.zip.{dead_pid}.mnop3456.part"
    for path in (killed, fresh, running, other):
        path.write_bytes(b"PK partial")
    for path in (killed, running, other):
        os.utime(path, (old, old))
    export(home, order, tmp_path / "case.zip")
    assert not killed.exists()
    assert fresh.exists() and running.exists() and other.exists()


# --- evidence that is not a regular file --------------------------------------------------------


def test_evidence_replaced_by_a_link_is_refused(home: Path, tmp_path: Path) -> None:
    """Even a link to an outside file with the very same content."""
    data = b"the same bytes"
    order = case_with_files(home, {"a.png": data})
    outside = tmp_path / "outside.png"
    outside.write_bytes(data)
    stored = Store(home).order_dir(order.id) / order.evidence[0].stored_as
    stored.unlink()
    stored.symlink_to(outside)
    with pytest.raises(DamagedData, match="not a regular file"):
        export(home, order, tmp_path / "case.zip")
    stored.unlink()
    stored.symlink_to("/dev/zero")
    with pytest.raises(DamagedData, match="not a regular file"):
        export(home, order, tmp_path / "case.zip")
    assert left_in(tmp_path) == ["home", "outside.png"]


def test_evidence_replaced_by_a_fifo_is_refused_not_waited_on(home: Path, tmp_path: Path) -> None:
    """In a child process, so that a regression hangs that process, not the test run."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    order = case_with_files(home, {"a.png": b"a"})
    stored = Store(home).order_dir(order.id) / order.evidence[0].stored_as
    stored.unlink()
    os.mkfifo(stored)
    done = subprocess.run(
        [sys.executable, "-m", "refundkit", "export", order.id, "--out", str(tmp_path / "c.zip")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "REFUNDKIT_HOME": str(home)},
    )
    assert done.returncode == 1 and "not a regular file" in done.stderr, done.stderr
    assert not (tmp_path / "c.zip").exists()


def test_unreadable_evidence_is_not_called_modified(home: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    order = case_with_files(home, {"a.png": b"a"})
    stored = Store(home).order_dir(order.id) / order.evidence[0].stored_as
    stored.chmod(0)
    with pytest.raises(DamagedData) as caught:
        export(home, order, tmp_path / "case.zip")
    assert "unreadable, not modified" in caught.value.message
    assert "was modified" not in caught.value.message


def test_a_screenshots_recognised_text_goes_beside_it(
    cli: Callable[..., Any], add: Any, home: Path, tmp_path: Path
) -> None:
    """The text recognised in a screenshot is exported beside it as NAME.txt, listed in the
    manifest; a text that no longer matches its fingerprint is left out."""
    order, text = screenshot_with_text(cli, add, home, tmp_path)
    folder = home / "orders" / order
    out = tmp_path / "case.zip"
    assert cli("export", order, "--out", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as z:
        bag = f"refundkit-{order}"
        assert z.read(f"{bag}/data/evidence/e1-聊天.png.txt") == text
        assert "data/evidence/e1-聊天.png.txt" in z.read(f"{bag}/manifest-sha256.txt").decode()
    (folder / "evidence" / "e1-聊天.png.txt").write_bytes("改过".encode())
    assert cli("export", order, "--out", str(out), "--force").exit_code == 0
    with zipfile.ZipFile(out) as z:
        assert not any(n.endswith(".png.txt") for n in z.namelist())
