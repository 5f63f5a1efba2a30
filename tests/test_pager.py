"""The pager, as git uses one: only when stdout is a terminal and the text is taller than it;
REFUNDKIT_PAGER or PAGER, LESS=FRX (with a prompt saying q quits) by default; NO_PAGER and
--no-pager; never when piped.

A fake pager (a Python script that saves what it reads, and LESS) stands in for less, so
nothing waits for a key. The end-to-end tests run refundkit in a pseudo-terminal."""

import os
import re
import select
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refundkit import pager

Cli = Callable[..., Any]
FAKE = """import os, sys
data = sys.stdin.buffer.read()
with open(sys.argv[1], "wb") as out:
    out.write(data)
with open(sys.argv[1] + ".less", "w") as out:
    out.write(os.environ.get("LESS", "(unset)"))
with open(sys.argv[1] + ".charset", "w") as out:
    out.write(os.environ.get("LESSCHARSET", "(unset)"))
"""
TALL = "".join(f"line {n}\n" for n in range(40))


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """REFUNDKIT_PAGER set to the fake pager; returns the file it writes what it read to."""
    script = tmp_path / "fake_pager.py"
    script.write_text(FAKE)
    out = tmp_path / "paged.txt"
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(out))}"
    monkeypatch.setenv("REFUNDKIT_PAGER", command)
    monkeypatch.setenv("LINES", "10")
    monkeypatch.delenv("NO_PAGER", raising=False)
    monkeypatch.delenv("LESS", raising=False)
    monkeypatch.delenv("LESSCHARSET", raising=False)
    pager.set_disabled(False)
    return out


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pager, "stdout_is_terminal", lambda: True)


def test_tall_text_goes_through_the_pager_with_less_set_as_git_does(
    fake: Path, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pager.page(TALL)
    assert fake.read_text() == TALL
    less = Path(f"{fake}.less").read_text()
    # FRX as git sets it, and a bottom line that says how to leave, in ASCII (less 590 shows
    # a UTF-8 prompt as garbage), its colons escaped for less's prompt language.
    assert less == "FRX -Ps?e(END) \\: q to quit:(q\\: quit, space\\: next page).$"
    assert less.isascii()
    assert capsys.readouterr().out == ""


def test_less_is_told_the_text_is_utf_8(
    fake: Path, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chinese reaches less as UTF-8 whatever locale the system has installed (LANG names
    zh_CN.UTF-8 on a system without it: less showed <E5><A3><B0>); the user's own is kept."""
    pager.page(TALL)
    assert Path(f"{fake}.charset").read_text() == "utf-8"
    monkeypatch.setenv("LESSCHARSET", "latin1")
    pager.page(TALL)
    assert Path(f"{fake}.charset").read_text() == "latin1"


def test_the_users_less_is_kept(
    fake: Path, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LESS", "-S")
    pager.page(TALL)
    assert Path(f"{fake}.less").read_text() == "-S"


def test_text_that_fits_the_terminal_is_printed(
    fake: Path, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pager.page("one\ntwo\n")
    assert capsys.readouterr().out == "one\ntwo\n"
    assert not fake.exists()


def test_long_lines_count_as_the_rows_they_wrap_to(
    fake: Path, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "20")
    pager.page("声" * 100 + "\n")  # 200 cells: 10 rows of 20
    assert fake.exists()


@pytest.mark.parametrize(
    ("name", "value"), [("NO_PAGER", "1"), ("REFUNDKIT_PAGER", ""), ("REFUNDKIT_PAGER", "cat")]
)
def test_paging_can_be_turned_off(
    fake: Path,
    terminal: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    pager.page(TALL)
    assert capsys.readouterr().out == TALL
    assert not fake.exists()


def test_pager_falls_back_to_pager_then_less(
    monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    monkeypatch.delenv("REFUNDKIT_PAGER", raising=False)
    monkeypatch.delenv("NO_PAGER", raising=False)
    pager.set_disabled(False)
    monkeypatch.setenv("PAGER", "most -s")
    assert pager.command() == "most -s"
    monkeypatch.delenv("PAGER")
    monkeypatch.setattr(pager.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert pager.command() == "less"


def test_a_pager_that_cannot_run_still_shows_the_text(
    terminal: None, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REFUNDKIT_PAGER", "refundkit-no-such-pager-anywhere")
    monkeypatch.setenv("LINES", "10")
    monkeypatch.delenv("NO_PAGER", raising=False)
    pager.set_disabled(False)
    pager.page(TALL)
    assert capfd.readouterr().out == TALL


def test_never_when_piped(fake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pager.page(TALL)  # stdout is not a terminal under pytest
    assert capsys.readouterr().out == TALL
    assert not fake.exists()


# --- end to end, in a pseudo-terminal --------------------------------------------------------


def in_terminal(*args: str, env: dict[str, str]) -> str:
    """Run refundkit with a pseudo-terminal as stdin and stdout; what reached the terminal."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "refundkit", *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            process.kill()
            raise AssertionError("refundkit did not finish")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert process.wait(timeout=60) in (0, 1), process.stderr.read() if process.stderr else ""
    return shown.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_status_order_and_help_go_through_the_pager_in_a_terminal(
    fake: Path, add: Any, home: Path
) -> None:
    order = add(merchant="声悦数码旗舰店", item="蓝牙耳机", amount="399")
    env = {**os.environ, "COLUMNS": "80", "LINES": "10", "NO_COLOR": "1"}
    shown = in_terminal("status", order, env=env)
    assert order in fake.read_text() and "Timeline" in fake.read_text()
    assert "Timeline" not in shown
    fake.unlink()
    in_terminal("add-order", "--help", env=env)
    assert "--merchant" in re.sub(r"\x1b\[[0-9;]*m", "", fake.read_text())  # bold stays
    fake.unlink()
    shown = in_terminal("--no-pager", "status", order, env=env)
    assert not fake.exists() and "Timeline" in shown


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_letter_on_a_terminal_goes_through_the_pager_but_never_into_a_pipe(
    fake: Path, add: Any
) -> None:
    order = add(merchant="声悦数码旗舰店", item="蓝牙耳机", amount="399")
    env = {**os.environ, "COLUMNS": "80", "LINES": "5", "NO_COLOR": "1"}
    in_terminal("draft-complaint", order, env=env)
    assert "声悦数码旗舰店" in fake.read_text()
    fake.unlink()
    piped = subprocess.run(
        [sys.executable, "-m", "refundkit", "draft-complaint", order],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "声悦数码旗舰店" in piped.stdout and not fake.exists()
