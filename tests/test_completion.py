"""Shell completion (Typer's): `--show-completion`, `--install-completion`, and completing
commands and choices, run as a shell would run it. It costs start-up nothing: Typer imports
its completion code whether or not the app offers it (measured, see the README)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "refundkit"
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="refundkit is not installed here")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_show_completion_prints_the_script() -> None:
    result = run("--show-completion", "bash")
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _refundkit_completion refundkit" in result.stdout


def test_install_completion_writes_into_the_users_shell_setup(tmp_path: Path) -> None:
    result = run("--install-completion", "bash", HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".bash_completions" / "refundkit.sh").is_file()
    assert "refundkit.sh" in (tmp_path / ".bashrc").read_text()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("refundkit add-", ["add-order", "add-evidence"]),
        ("refundkit add-evidence k3f x.png --kind ", ["order", "chat", "payment"]),
    ],
)
def test_commands_and_choices_complete(words: str, expected: list[str]) -> None:
    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    result = run(_REFUNDKIT_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword)
    assert result.returncode == 0, result.stderr
    offered = result.stdout.split()
    assert offered[: len(expected)] == expected
