"""Privacy: the data folder is owner-only after every command, and no command uses the network.

A case folder holds someone's name, phone number, address, payment records and chat
screenshots. Every folder refundkit creates is 0700, every file 0600, stored evidence 0400 (read
only as well), whatever the umask; and nothing is ever sent anywhere.

Every command of the Typer app must appear in INVOCATIONS below, so a new command cannot slip
past these checks without its author deciding how to run it.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

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
            names["{id}"] = result.stdout.split("Recorded order ")[1].split(":")[0].strip()
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
    parts = path.relative_to(home).parts
    return (
        len(parts) == 4 and parts[0] == "orders" and parts[2] == "evidence" and parts[3][0] != "."
    )


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


def test_existing_loose_data_folder_is_tightened(cli: Cli, home: Path) -> None:
    """A folder made by hand (or restored by a sync tool) with 0755 is made 0700 on first use."""
    home.mkdir(parents=True, mode=0o755)
    os.chmod(home, 0o755)
    result = cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "orders").stat().st_mode) == 0o700


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
