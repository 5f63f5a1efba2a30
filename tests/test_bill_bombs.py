"""Hostile bills are refused before they cost much: one line, exit 2, nothing recorded.

Each bomb is built here (tests/bill_bombs.py: a 2 MB workbook whose one cell inflates to 2 GB,
a shared string repeated in a million cells, a declared A1:XFD1048576, a 60 MB line, ...) and
handed to `import-bill` through the CLI. No timing is asserted: benchmarks/bench.py measures
each refusal against the targets (10 s, 300 MB). Each test names the budget that must stop its
bomb, so a budget that stops working shows up as a failure, not as a slow test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bill_bombs
from bill_bombs import BOMBS, SUFFIX
from conftest import snapshot

Cli = Callable[..., Any]

STOPPED_BY = {
    "2 GB cell (XLSX)": "declares 2,147,",
    "2 GB cell, size declared as 64 KB (XLSX)": "is a damaged XLSX workbook",
    "20 MB cell (XLSX)": "has a cell longer than 32,767 characters",
    "shared string repeated in a million cells (XLSX)": "more than 64 million characters",
    "600,000 shared strings (XLSX)": "more than 500,000 shared strings",
    "A1:XFD1048576 dimension (XLSX)": "without a WeChat Pay bill table",
    "1,048,576 rows (XLSX)": "more than 200,000 rows",
    "5 million nested elements (XLSX)": "nests its XML deeper than 64 levels",
    "billion laughs (XLSX)": "has a document type declaration",
    "external entity (XLSX)": "has a document type declaration",
    "5,000 zip entries": "ZIP archive with 5001 entries",
    "60 MB line (CSV)": "has a line longer than 64 KB",
    "250,000 rows (CSV)": "more than 100,000",
    "65 MB file (CSV)": "too large for a bill",
    "30,000 cells a row (CSV)": "line 3 has 30,011 cells",
    "quoted cell over 400,000 lines (CSV)": "field larger than field limit",
}
SLOW = {"250,000 rows (CSV)"}  # some seconds of honest parsing; see the fast variant below


def refused(cli: Cli, home: Path, path: Path, expected: str) -> None:
    result = cli("import-bill", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert snapshot(home) == {}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in BOMBS],
)
def test_bomb_is_refused(cli: Cli, home: Path, tmp_path: Path, name: str) -> None:
    path = BOMBS[name](tmp_path / f"bomb{SUFFIX[name]}")
    refused(cli, home, path, STOPPED_BY[name])


def test_every_bomb_says_what_stops_it() -> None:
    assert set(STOPPED_BY) == set(BOMBS)


def test_row_budget_of_a_text_bill(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 250,000-row bomb, against a budget made small so that the test stays quick."""
    from refundkit import billfile, bills

    monkeypatch.setattr(bills, "MAX_ROWS", 1000)
    path = bill_bombs.too_many_rows(tmp_path / "rows.csv", rows=1500)
    refused(cli, home, path, "more than 1,000 transactions")
    monkeypatch.setattr(billfile, "MAX_LINES", 800)
    refused(cli, home, path, "has more than 600 rows")


def test_row_budget_of_a_workbook(
    cli: Cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refundkit import bills

    monkeypatch.setattr(bills, "MAX_ROWS", 0)
    path = bill_bombs.declared_dimension(tmp_path / "bill.xlsx", with_bill=True)
    refused(cli, home, path, "more than 0 transactions")


def test_a_real_bill_declaring_a_huge_dimension_is_read(cli: Cli, tmp_path: Path) -> None:
    path = bill_bombs.declared_dimension(tmp_path / "bill.xlsx", with_bill=True)
    result = cli("import-bill", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert '"id": "4200001111202601010000000001"' in result.stdout


def test_bills_never_load_a_document_type(tmp_path: Path) -> None:
    """XXE: not even a refusal may quote what the entity would have read."""
    from refundkit.bills import read_bill
    from refundkit.errors import BadFile

    path = bill_bombs.external_entity(tmp_path / "xxe.xlsx")
    with pytest.raises(BadFile) as caught:
        read_bill(path)
    assert "root:" not in caught.value.message
