"""Privacy: the data folder is owner-only after every command, and no command uses the network.

A case folder holds someone's name, phone number, address, payment records and chat
screenshots. Every folder refundkit creates is 0700, every file 0600, stored evidence 0400 (read
only as well), whatever the umask; and nothing is ever sent anywhere.

Every command of the Typer app must appear in INVOCATIONS below, so a new command cannot slip
past these checks without its author deciding how to run it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from conftest import recorded_id
from refundkit.cli import app

Cli = Callable[..., Any]
FIXTURE_BILL = Path(__file__).parent / "fixtures" / "bills" / "wechat-2025.csv"
BILL_TXN = "42000099012025012012"
SCREENSHOTS = Path(__file__).parent / "fixtures" / "screenshots"
PAYMENT_SHOT = SCREENSHOTS / "wechat-1080x2340.png"
# Commands (and runs) that read an image with the OCR extra: skipped where it is not installed.
NEEDS_OCR = ("import-screenshot", "suggest-events")


def command_names() -> set[str]:
    names = set()
    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        names |= {f"{name} {sub}" for sub in subs} if subs else {name}
    return names


# Each command run the way a user would, in an order that lets each one find what it needs.
# {id} is the order made by add-order, {box} a folder outside the data folder.
INVOCATIONS: list[tuple[str, list[str]]] = [
    ("profile", ["profile", "--name", "张三", "--phone", "13800138000", "--language", "zh"]),
    ("profile", ["profile"]),
    (
        "add-order",
        [
            "add-order",
            "--merchant",
            "声悦数码旗舰店",
            "--item",
            "耳机",
            "--amount",
            "399",
            "--purchased",
            "3 days ago",
            "--received",
            "yesterday",
        ],
    ),  # fmt: skip
    ("edit", ["edit", "{id}", "--note", "左耳有电流声"]),
    ("log", ["log", "{id}", "merchant-refused", "--reason", "opened", "--note", "已拆封不退"]),
    ("correct", ["correct", "{id}", "t1", "--note", "客服称已拆封不退"]),
    ("withdraw", ["withdraw", "{id}", "t1", "--why", "记错了"]),
    ("add-evidence", ["add-evidence", "{id}", "{box}/聊天记录.png", "--kind", "chat"]),
    ("add-evidence", ["add-evidence", "{id}", "{box}/chat.png", "--kind", "chat"]),  # real OCR
    ("suggest-events", ["suggest-events", "{id}", "e2"]),
    ("verify", ["verify"]),
    ("status", ["status"]),
    ("status", ["status", "{id}", "--json"]),
    ("templates list", ["templates", "list"]),
    ("templates copy", ["templates", "copy", "letters/merchant.zh.md.j2"]),
    ("draft-complaint", ["draft-complaint", "{id}"]),
    ("draft-complaint", ["draft-complaint", "{id}", "--out", "{box}/letter.md"]),
    ("import-bill", ["import-bill", str(FIXTURE_BILL)]),
    ("import-bill", ["import-bill", str(FIXTURE_BILL), "--pick", BILL_TXN]),
    ("import-screenshot", ["import-screenshot", str(PAYMENT_SHOT), "--json"]),
    ("import-screenshot", ["import-screenshot", str(PAYMENT_SHOT), "--yes"]),
    ("export", ["export", "{id}", "--out", "{box}/case.zip"]),
    ("calendar", ["calendar", "--out", "{box}/deadlines.ics"]),
    ("calendar", ["calendar"]),
    ("remove", ["remove", "{id}", "--evidence", "e1", "--yes"]),
    ("status", ["status", "--all"]),
    ("restore", ["restore", "{id}", "--evidence", "e1"]),
    ("remove", ["remove", "{id}", "--yes"]),
    ("restore", ["restore", "{id}"]),
    ("demo", ["demo", "--folder", "{box}/demo"]),
]


def test_every_command_is_covered() -> None:
    covered = {name for name, _ in INVOCATIONS}
    assert command_names() <= covered, f"add to INVOCATIONS: {command_names() - covered}"


def run_all(cli: Cli, box: Path, check: Callable[[str, list[str]], None] | None = None) -> None:
    from refundkit.screenshots.engine import available

    (box / "聊天记录.png").write_bytes(b"\x89PNG\r\n\x1a\nchat")
    shutil.copy(SCREENSHOTS / "chat-opened.png", box / "chat.png")
    names = {"{box}": str(box)}
    for name, args in INVOCATIONS:
        if name not in command_names() or (name in NEEDS_OCR and not available()):
            continue
        filled = []
        for arg in args:
            for key, value in names.items():
                arg = arg.replace(key, value)
            filled.append(arg)
        result = cli(*filled)
        assert result.exit_code == 0, (filled, result.output)
        if name == "add-order":
            names["{id}"] = recorded_id(result.stdout)
        if check:
            check(name, filled)


def modes(folder: Path) -> Iterator[tuple[Path, int, bool]]:
    """(path, permission bits, is a folder) for folder and everything in it, links not followed."""
    yield folder, stat.S_IMODE(folder.lstat().st_mode), True
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            path = Path(root) / name
            yield path, stat.S_IMODE(path.lstat().st_mode), True
        for name in files:
            path = Path(root) / name
            yield path, stat.S_IMODE(path.lstat().st_mode), False


def is_stored_evidence(path: Path, home: Path) -> bool:
    """orders/<id>/evidence/*; in the trash, a removed order's evidence/* or a removed
    entry's own files (trash/<entry>/eN-...)."""
    parts = path.relative_to(home).parts
    if len(parts) == 4 and parts[0] in ("orders", "trash") and parts[2] == "evidence":
        return parts[3][0] != "."
    return len(parts) == 3 and parts[0] == "trash" and re.match(r"e[0-9]+-", parts[2]) is not None


def assert_owner_only(home: Path, after: str) -> None:
    for path, mode, is_dir in modes(home):
        assert not path.is_symlink(), f"{path} is a link (after {after})"
        if is_dir:
            expected = 0o700
        elif is_stored_evidence(path, home):
            expected = 0o400
        else:
            expected = 0o600
        assert mode == expected, f"{path} is {oct(mode)}, not {oct(expected)} (after {after})"


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The usual umask, and none at all: the modes must not come from the umask."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_data_folder_is_owner_only_after_every_command(
    cli: Cli, home: Path, tmp_path: Path, umask: int
) -> None:
    box = tmp_path / "outside"
    box.mkdir()

    def check(name: str, args: list[str]) -> None:
        if home.exists():
            assert_owner_only(home, " ".join(args))

    run_all(cli, box, check)
    assert (home / "orders").is_dir() and (home / "profile.json").is_file()
    # What is written outside the data folder holds the same private facts.
    for name in ("letter.md", "case.zip", "deadlines.ics"):
        path = box / name
        if path.exists():
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
    if (box / "demo").exists():
        assert_owner_only(box / "demo", "demo")


def test_existing_folder_keeps_its_mode_and_what_refundkit_puts_in_it_is_private(
    cli: Cli, home: Path
) -> None:
    """An empty folder made by hand, here a shared one with its sticky bit, is adopted as it
    is: refundkit never changes the mode of a folder it did not create (before, `--home` on a
    shared folder chmodded it 0700 and it lost its sticky bit). What it makes inside is
    owner-only, and that is what keeps the data private."""
    home.mkdir(parents=True)
    os.chmod(home, 0o1777)
    result = cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1")
    assert result.exit_code == 0, result.output
    assert cli("profile", "--name", "张三").exit_code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o1777
    for path, mode, is_dir in modes(home / "orders"):
        assert mode == (0o700 if is_dir else 0o600), (path, oct(mode))
    assert stat.S_IMODE((home / "profile.json").stat().st_mode) == 0o600
    assert cli("status").exit_code == 0 and cli("verify").exit_code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o1777


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way out of the machine raises, and is written down (in case something swallows
    the error)."""
    tried: list[str] = []

    def refuse(what: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            tried.append(f"{what}{args[1:] if args else ''}")
            raise NetworkUsed(f"refundkit tried the network: {what} {args} {kwargs}")

        return blocked

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    return tried


def test_no_command_touches_the_network(
    cli: Cli, home: Path, tmp_path: Path, no_network: list[str]
) -> None:
    from refundkit.screenshots.engine import default_engine

    default_engine.cache_clear()  # the OCR models load again, under the guard
    box = tmp_path / "outside"
    box.mkdir()
    run_all(cli, box)
    assert no_network == []


def test_the_network_guard_itself_works(no_network: list[str]) -> None:
    """The guard above must be able to fail: a connection attempt is caught and recorded."""
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 80), timeout=1)
    with pytest.raises(NetworkUsed):
        socket.socket().connect(("127.0.0.1", 9))
    assert len(no_network) == 2


# --- issue 11: the data folder is only ever ours ------------------------------------------


def make_data(cli: Cli, box: Path) -> str:
    """A data folder with an order, an event, evidence, a profile and a template copy."""
    (box / "聊天记录.png").write_bytes(b"\x89PNG\r\n\x1a\nchat")
    result = cli("add-order", "--merchant", "声悦", "--item", "耳机", "--amount", "399")
    assert result.exit_code == 0, result.output
    order_id = recorded_id(result.stdout)
    for args in (
        ("log", order_id, "merchant-refused"),
        ("add-evidence", order_id, str(box / "聊天记录.png"), "--kind", "chat"),
        ("profile", "--name", "张三", "--phone", "13800138000"),
        ("templates", "copy", "letters/merchant.zh.md.j2"),
        ("status",),
    ):
        assert cli(*args).exit_code == 0, args
    return order_id


def loosen(home: Path) -> None:
    """What `cp -r` without -p, or a `git clone` of a backup, leaves: 0755 and 0644."""
    for path, _, is_dir in list(modes(home)):
        os.chmod(path, 0o755 if is_dir else 0o644)


def assert_private_inside(home: Path, after: str) -> None:
    """Everything refundkit made is owner-only, the data folder too (refundkit created it:
    a folder it adopted keeps its mode, see below)."""
    for path, mode, is_dir in modes(home):
        expected = 0o700 if is_dir else 0o400 if is_stored_evidence(path, home) else 0o600
        assert mode == expected, f"{path} is {oct(mode)}, not {oct(expected)} (after {after})"


NOTICE = "private again (they were open to other users)"


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["status", "--json"],
        ["status", "{id}"],
        ["verify"],
        ["log", "{id}", "contacted-merchant"],
        ["edit", "{id}", "--note", "x"],
        ["add-evidence", "{id}", "{box}/new.png", "--kind", "photo"],
        ["calendar"],
        ["draft-complaint", "{id}"],
        ["templates", "list"],
        ["profile"],
    ],
    ids=lambda c: " ".join(c),
)
def test_a_restored_copy_is_made_private_again_and_said_once(
    command: list[str], cli: Cli, home: Path, tmp_path: Path
) -> None:
    """Before, only three commands tightened modes, and a restored folder stayed readable by
    others after `status`, `verify` or `log`."""
    box = tmp_path / "box"
    box.mkdir()
    (box / "new.png").write_bytes(b"\x89PNG\r\n\x1a\nnew")
    order_id = make_data(cli, box)
    loosen(home)
    args = [a.replace("{id}", order_id).replace("{box}", str(box)) for a in command]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr.count(NOTICE) == 1, result.stderr
    assert result.stderr.startswith("notice: made ") and str(home) in result.stderr
    assert NOTICE not in result.stdout
    assert_private_inside(home, " ".join(args))
    again = cli(*args) if command[0] not in ("add-evidence",) else cli("status")
    assert NOTICE not in again.stderr


@pytest.mark.parametrize(
    ("loose", "english", "chinese"),
    [
        (
            ["."],
            "made 1 folder in the data folder {home} private again (it was open",
            "1 个文件夹重新",
        ),
        (
            ["profile.json"],
            "made 1 file in the data folder {home} private again (it was open",
            "1 个文件重新",
        ),
        (
            [".", "profile.json", "orders"],
            "made 2 folders and 1 file in the data folder {home} private again (they were open",
            "2 个文件夹和 1 个文件重新",
        ),
    ],
    ids=["the folder", "one file", "several"],
)
def test_the_repair_notice_counts_in_either_language(
    cli: Cli, home: Path, loose: list[str], english: str, chinese: str
) -> None:
    """One thing "was" open, several "were"; no stray space in the Chinese; and the data
    folder itself, which refundkit created, is put back to 0700 (before, it stayed 0755)."""
    assert cli("profile", "--name", "张三").exit_code == 0
    assert cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1").exit_code == 0
    for language, wanted in (("en", english.format(home=home)), ("zh", chinese)):
        for name in loose:
            os.chmod(home / name, 0o755 if (home / name).is_dir() else 0o644)
        result = cli("--ui-lang", language, "status")
        assert result.exit_code == 0 and wanted in result.stderr, result.stderr
        assert "个文件 " not in result.stderr and "个文件夹 " not in result.stderr
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert stat.S_IMODE((home / "profile.json").stat().st_mode) == 0o600


def test_a_file_opened_deep_inside_is_noticed_on_the_way(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    """The check at the top is a few stats; a file loosened below a private orders/ is seen by
    the stats status makes anyway, and put right too."""
    box = tmp_path / "box"
    box.mkdir()
    order_id = make_data(cli, box)
    order_json = home / "orders" / order_id / "order.json"
    (stored,) = (home / "orders" / order_id / "evidence").iterdir()
    order_json.chmod(0o644)
    stored.chmod(0o444)
    result = cli("status")
    assert result.exit_code == 0 and result.stderr.count(NOTICE) == 1, result.output
    assert stat.S_IMODE(order_json.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400


def test_modes_of_files_that_are_not_refundkits_are_left_alone(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    box = tmp_path / "box"
    box.mkdir()
    make_data(cli, box)
    mine = home / "my-notes.txt"
    mine.write_text("the user's own file")
    mine.chmod(0o644)
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    outside.chmod(0o644)
    (home / "orders" / "link-out").symlink_to(outside)
    loosen(home)
    mine.chmod(0o644)
    cli("status")
    assert stat.S_IMODE(mine.stat().st_mode) == 0o644
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_empty_home_is_refused(
    how: str, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, `--home ''` made the current folder the data folder and chmodded it."""
    cwd = tmp_path / "project"
    cwd.mkdir()
    (cwd / "README").write_text("someone's project")
    os.chmod(cwd, 0o1777)
    monkeypatch.chdir(cwd)
    prefix = ["--home", ""] if how == "option" else []
    if how == "environment":
        monkeypatch.setenv("REFUNDKIT_HOME", "")
    for args in (["status"], ["add-order", "--merchant", "m", "--item", "i", "--amount", "1"]):
        result = cli(*prefix, *args)
        assert result.exit_code == 2, result.output
        assert "empty" in result.output and "Traceback" not in result.output
    assert sorted(os.listdir(cwd)) == ["README"]
    assert stat.S_IMODE(cwd.stat().st_mode) == 0o1777


def test_a_folder_that_is_not_a_refundkit_folder_is_not_adopted(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "taxes.pdf").write_bytes(b"%PDF-")
    os.chmod(folder, 0o755)
    for args in (
        ["status"],
        ["verify"],
        ["add-order", "--merchant", "m", "--item", "i", "--amount", "1"],
        ["profile", "--name", "张三"],
        ["templates", "copy", "letters/merchant.zh.md.j2"],
    ):
        result = cli("--home", str(folder), *args)
        assert result.exit_code == 2, (args, result.output)
        assert (
            result.stderr.startswith("error: ") and "not a refundkit data folder" in result.stderr
        )
        assert result.stderr.count("\n") == 1
    assert os.listdir(folder) == ["taxes.pdf"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    # An empty folder is adopted (and keeps its mode); a refundkit folder is used.
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o755)
    os.chmod(empty, 0o755)
    result = cli(
        "--home", str(empty), "add-order", "--merchant", "m", "--item", "i", "--amount", "1"
    )
    assert result.exit_code == 0 and stat.S_IMODE(empty.stat().st_mode) == 0o755
    assert cli("--home", str(empty), "status").exit_code == 0


def test_demo_folder_refuses_a_folder_that_is_not_empty(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    """Before, `demo --folder` on an existing data folder replaced the profile's name, phone
    and address with the example's."""
    other = tmp_path / "other-data"
    assert cli("--home", str(other), "profile", "--name", "李四", "--phone", "139").exit_code == 0
    before = {p: p.read_bytes() for p in other.rglob("*") if p.is_file()}
    result = cli("demo", "--folder", str(other))
    assert result.exit_code == 2 and "not empty" in result.stderr, result.output
    assert result.stderr.count("\n") == 1
    assert {p: p.read_bytes() for p in other.rglob("*") if p.is_file()} == before
    used = tmp_path / "used"
    used.mkdir()
    (used / "file.txt").write_text("x")
    assert cli("demo", "--folder", str(used)).exit_code == 2
    assert os.listdir(used) == ["file.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("demo", "--folder", str(empty)).exit_code == 0
    assert cli("demo", "--folder", str(tmp_path / "new")).exit_code == 0


def test_the_status_index_files_are_made_private_again(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each language's index and its texts, opened to others by a copy, are made owner-only
    again; and a folder left with nothing but them is still refundkit's."""
    from refundkit import index

    monkeypatch.setattr(index, "clock_ns", lambda: time.time_ns() + 60 * 10**9)  # indexable
    assert cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1").exit_code == 0
    for language in ("en", "zh"):
        assert cli("--ui-lang", language, "status", "--json").exit_code == 0
    names = sorted(p.name for p in home.glob("status-index*"))
    assert names == [
        "status-index.json",
        "status-index.texts",
        "status-index.zh.json",
        "status-index.zh.texts",
    ]
    for name in names:
        os.chmod(home / name, 0o644)
    result = cli("status")
    assert result.exit_code == 0 and "private again" in result.stderr
    assert all(stat.S_IMODE((home / name).stat().st_mode) == 0o600 for name in names)
    shutil.rmtree(home / "orders")
    (home / "profile.json").unlink(missing_ok=True)
    assert cli("status").exit_code == 0


def test_a_data_folder_first_made_by_templates_copy_is_made_private_again(
    cli: Cli, home: Path
) -> None:
    """Whichever command makes the data folder, refundkit marks it as its own, so a later
    chmod 755 is put right like any other."""
    assert cli("templates", "copy", "letters/merchant.zh.md.j2").exit_code == 0
    os.chmod(home, 0o755)
    assert cli("status").exit_code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
