"""Start-up stays light: heavy modules are imported only by the commands that use them.

Checked in a fresh interpreter, since this test process has long imported everything. What a
command imports decides most of its start-up time and, unlike a timing, does not vary with the
load of the machine: so these are the start-up tests, and there are no timed assertions.
"""

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from refundkit import index

HEAVY = ("jinja2", "openpyxl", "bagit")
# The OCR extra and what it brings: only a command that reads an image may import these.
OCR = ("rapidocr_onnxruntime", "onnxruntime", "cv2", "numpy", "PIL")


def imported(*args: str, home: Path) -> set[str]:
    """Every module a fresh `python -X importtime ARGS` imported (the names it reports)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env={"REFUNDKIT_HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def under(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages)


def test_cli_import_leaves_out_jinja2_openpyxl_and_bagit(home: Path) -> None:
    modules = imported("-c", "import refundkit.cli", home=home)
    assert "refundkit.cli" in modules
    assert under(modules, *HEAVY, *OCR) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["status", "--help"],
        ["import-screenshot", "--help"],
        ["suggest-events", "--help"],
    ],
)
def test_version_and_help_import_no_core(args: list[str], home: Path) -> None:
    modules = imported("-m", "refundkit", *args, home=home)
    assert under(modules, *HEAVY, *OCR) == []
    assert "refundkit.models" not in modules
    if args == ["--version"]:
        assert under(modules, "pydantic", "pydantic_core", "rich") == []


def test_status_of_an_empty_folder_needs_neither_models_nor_rich(home: Path) -> None:
    """Not even Pydantic: Typer would import it to coerce the options left out
    (cli/coercion.py)."""
    modules = imported("-m", "refundkit", "status", home=home)
    assert "refundkit.overview" in modules
    assert "refundkit.models" not in modules
    assert under(modules, "pydantic", "pydantic_core", "rich", "dateutil", *HEAVY) == []


def test_status_of_indexed_cases_imports_no_pydantic(
    home: Path, cli: Any, add: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing cases the status index holds runs on the standard library, JSON too."""
    monkeypatch.setattr(index, "clock_ns", lambda: time.time_ns() + 60 * 10**9)  # indexable
    add()
    assert cli("status").exit_code == 0
    assert (home / index.INDEX_FILE).is_file()
    for args in (["status"], ["status", "--json"]):
        modules = imported("-m", "refundkit", *args, home=home)
        assert "refundkit.overview" in modules
        assert "refundkit.models" not in modules, args
        assert under(modules, "pydantic", "pydantic_core", "rich") == [], args


def test_an_option_given_is_still_checked_by_typer(home: Path) -> None:
    """The options left out skip Typer's coercion; one given goes through it."""
    result = subprocess.run(
        [sys.executable, "-m", "refundkit", "import-bill", "x.csv", "--row", "two"],
        capture_output=True,
        text=True,
        env={"REFUNDKIT_HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        timeout=120,
    )
    assert result.returncode == 2
    hint = "(see `python -m refundkit import-bill --help`)"
    assert result.stderr == f"error: --row: give a whole number {hint}\n"


def test_commands_that_read_no_image_import_no_ocr(home: Path, tmp_path: Path) -> None:
    """add-evidence of a PDF, and status of a case whose evidence has recognised text, need
    none of the OCR extra (the text is read from its file)."""
    run = [sys.executable, "-m", "refundkit"]
    env = {"REFUNDKIT_HOME": str(home), "PATH": "/usr/bin:/bin"}
    added = subprocess.run(
        [*run, "add-order", "--merchant", "m", "--item", "i", "--amount", "1"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    order_id = added.stdout.split("Recorded order ")[1].split(":")[0].strip()
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4 return policy")
    modules = imported(
        "-m", "refundkit", "add-evidence", order_id, str(policy), "--kind", "policy", home=home
    )
    assert "refundkit.screenshots.text" in modules  # the hook ran, and decided not to read
    assert under(modules, *OCR) == []
    modules = imported("-m", "refundkit", "status", order_id, home=home)
    assert under(modules, *OCR) == []
