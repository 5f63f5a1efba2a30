"""Shared fixtures: every test gets its own data folder; no test can touch real data."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from refundkit import i18n
from refundkit.cli import app
from refundkit.models import Order

TODAY = date.today()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REFUNDKIT_HOME at a fresh folder, pin the terminal width, turn colour off.

    The umask is 077, as a careful user's: a file a test writes into the data folder by hand
    is then private, and refundkit has no mode to put right (and no notice to print) unless
    the test makes one open on purpose. test_privacy.py sets other umasks itself.
    """
    folder = tmp_path / "home"
    monkeypatch.setenv("REFUNDKIT_HOME", str(folder))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("REFUNDKIT_DEBUG", raising=False)
    # The interface speaks English unless a test asks for Chinese (--ui-lang, REFUNDKIT_LANG,
    # the profile's language, or the locale): a developer's zh_CN locale changes no test.
    for name in ("REFUNDKIT_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    old = os.umask(0o077)
    try:
        yield folder
    finally:
        os.umask(old)
        i18n.set_language("en")


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Run refundkit in-process; returns click's Result with stdout and stderr apart."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input)

    return run


@pytest.fixture
def add(cli: Callable[..., Any]) -> Callable[..., str]:
    """Record an order through the CLI and return its id."""

    def make(**options: str) -> str:
        defaults = {"merchant": "声悦数码旗舰店", "item": "蓝牙耳机", "amount": "399"}
        args = ["add-order"]
        for key, value in {**defaults, **options}.items():
            args += [f"--{key.replace('_', '-')}", value]
        result = cli(*args)
        assert result.exit_code == 0, result.output
        return recorded_id(result.stdout)

    return make


def recorded_id(stdout: str) -> str:
    """The id add-order printed, in either language: "Recorded order ID: ...", "已记录订单
    ID：..." (a profile's language may make the interface Chinese)."""
    found = re.search(r"(?:order|订单) ([a-z0-9]{4,32})\b", stdout)
    assert found, stdout
    return found.group(1)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes, to prove a failed command changed nothing."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def status_json(cli: Callable[..., Any], *args: str) -> dict[str, Any]:
    result = cli("status", "--json", *args)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def make_order(**fields: Any) -> Order:
    """An Order built directly, for the pure modules' tests."""
    base: dict[str, Any] = {
        "id": "abc234",
        "merchant": "某店",
        "item": "耳机",
        "amount": "199",
        "purchased": date(2026, 11, 10),
        "created": datetime(2026, 11, 10, 12, 0),
    }
    return Order(**{**base, **fields})


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--crash-kills N`: how many SIGKILLs the crash harness deals (the concurrency test scales
    with it too); the default keeps the normal suite fast, a long run uses e.g. 2000."""
    parser.addoption(
        "--crash-kills",
        type=int,
        default=200,
        help="number of SIGKILLs dealt by tests/test_crash.py (default 200)",
    )


def screenshot_with_text(
    cli: Callable[..., Any], add: Callable[..., str], home: Path, tmp_path: Path
) -> tuple[str, bytes]:
    """An order with a chat screenshot (e1) whose recognised text is kept beside it, as
    add-evidence keeps it when the OCR extra reads the image (text_as, text_sha256): the
    order's id and the text's bytes. Written by hand, so no OCR model is needed."""
    import hashlib
    import json

    order = add()
    shot = tmp_path / "聊天.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n a chat")
    assert cli("add-evidence", order, str(shot), "--kind", "chat").exit_code == 0
    folder = home / "orders" / order
    text = "客服：已拆封不退".encode()
    (folder / "evidence" / "e1-聊天.png.txt").write_bytes(text)
    record = json.loads((folder / "order.json").read_text())
    record["evidence"][0] |= {
        "text_as": "evidence/e1-聊天.png.txt",
        "text_sha256": hashlib.sha256(text).hexdigest(),
    }
    (folder / "order.json").write_text(json.dumps(record, ensure_ascii=False))
    return order, text
