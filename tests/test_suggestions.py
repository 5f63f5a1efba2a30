"""Every command refundkit suggests pastes and runs as printed: the real id and real values,
never an `ID`, `FILE`, `TXN` or `DATE` to fill in (issue 12).

The demo is built, then what it prints, and what `status`, `status ORDER` and each letter's
warnings print about its case (and about a bare new case in the same folder, and with no
profile, which draw the other suggestions), is searched for `refundkit ...` commands. Each runs
in its own copy of the folder, in a terminal (patched), answering every question with Enter
(or, where the command asks for a file, with a file), and must exit 0.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]

BACKTICKED = re.compile(r"`(refundkit [^`]+)`")
AFTER_COLON = re.compile(r": (refundkit [^()\n]+?)\s*(?:\(|$)", re.MULTILINE)
INDENTED = re.compile(r"^ {5}(refundkit [^\n]+)$", re.MULTILINE)
PLACEHOLDER = re.compile(r"\b(ID|FILE|TXN|DATE|NAME|PHONE|ADDRESS|NUMBER|COMPANY|N|ORDER)\b")


def commands_in(text: str) -> set[str]:
    found = set(BACKTICKED.findall(text)) | set(AFTER_COLON.findall(text))
    return found | set(INDENTED.findall(text))


def printed(cli: Cli, home: Path) -> str:
    """Everything the demo's case and a bare case make refundkit suggest, stdout and stderr."""
    (order,) = [p.name for p in (home / "orders").iterdir()]
    texts = []
    for args in (
        ["status"],
        ["status", "--all"],
        ["status", order],
        *[["draft-complaint", order, "--to", to] for to in RECIPIENTS],
    ):
        result = cli("--home", str(home), *args)
        assert result.exit_code == 0, (args, result.output)
        texts += [result.stdout, result.stderr]
    return "\n".join(texts)


RECIPIENTS = ("merchant", "platform", "regulator", "lawyer")


@pytest.fixture
def demo(cli: Cli, tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "demo"
    result = cli("demo", "--folder", str(folder))
    assert result.exit_code == 0, result.output
    return folder, result.stdout + result.stderr


def variants(cli: Cli, demo: Path, tmp_path: Path) -> list[Path]:
    """The demo's folder, and copies in other states that draw the other suggestions."""
    bare = tmp_path / "bare"  # a new case: not received, no details, nothing attached
    cli("--home", str(bare), "add-order", "--merchant", "某店", "--item", "耳机", "--amount", "199")
    prepaid = tmp_path / "prepaid"  # a course package, no units, no profile
    cli("--home", str(prepaid), "add-order", "--merchant", "健身房", "--item", "私教课",
        "--amount", "3000", "--category", "prepaid-service")  # fmt: skip
    removed = tmp_path / "removed"  # the demo with its chat record in the trash
    shutil.copytree(demo, removed, symlinks=True)
    (order,) = [p.name for p in (removed / "orders").iterdir()]
    assert cli("--home", str(removed), "remove", order, "--evidence", "e2", "--yes").exit_code == 0
    paid = tmp_path / "paid"  # the demo, refunded in full
    shutil.copytree(demo, paid, symlinks=True)
    assert (
        cli("--home", str(paid), "log", order, "refund-received", "--amount", "399").exit_code == 0
    )
    return [demo, bare, prepaid, removed, paid]


def test_every_suggested_command_runs_as_printed(
    cli: Cli, demo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, shown = demo
    suggested: dict[str, Path] = {command: folder for command in commands_in(shown)}
    for home in variants(cli, folder, tmp_path):
        for command in commands_in(printed(cli, home)):
            suggested.setdefault(command, home)
    kinds = {shlex.split(c)[1] if not c.startswith("refundkit --home") else shlex.split(c)[3]
             for c in suggested}  # fmt: skip
    # What a case in these states must suggest: the next steps, the evidence, the facts.
    assert {
        "status",
        "draft-complaint",
        "log",
        "edit",
        "add-evidence",
        "profile",
        "restore",
    } <= kinds
    proof = tmp_path / "聊天记录.png"
    proof.write_bytes(b"a chat")
    monkeypatch.setattr("refundkit.cli.interactive", lambda: True)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))  # `refundkit demo` builds there
    for number, (command, home) in enumerate(sorted(suggested.items())):
        assert not PLACEHOLDER.search(command), command
        copy = tmp_path / f"run{number}"
        shutil.copytree(home, copy, symlinks=True)
        args = shlex.split(command.replace(str(home), str(copy)))[1:]
        monkeypatch.setenv("REFUNDKIT_HOME", str(copy))
        answers = (f"{proof}\n" if "add-evidence" in args else "") + "\n" * 40
        result = cli(*args, input=answers)
        assert result.exit_code == 0, (command, result.output)


def test_no_suggestion_in_the_code_has_a_placeholder() -> None:
    """`refundkit ...` in any message or template names real values or none."""
    root = Path(__file__).parent.parent
    found = []
    for path in [*root.glob("src/refundkit/**/*.py"), *root.glob("templates/**/*.j2")]:
        for command in BACKTICKED.findall(path.read_text(encoding="utf-8")):
            if PLACEHOLDER.search(command):
                found.append(f"{path.name}: {command}")
    assert found == []
