"""The screenshot fixtures: images, their known facts, the engine's recorded readings.

tests/fixtures/screenshots/generate.py drew the images and wrote facts.json; replay.py recorded
what the real engine reads from each (ocr/NAME.json). A FakeEngine answering with those
replays lets the layout and CLI tests run in milliseconds, with or without the OCR extra.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from refundkit.screenshots.engine import FakeEngine, Line, from_json
from refundkit.screenshots.layouts import Reading

HERE = Path(__file__).parent / "fixtures" / "screenshots"
TODAY = date(2026, 11, 30)  # any day after the fixtures' 2025 purchases
FREE_TEXT = ("merchant", "item")  # the reader drops spaces and full-width forms in names


@cache
def facts() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "facts.json").read_text())
    return data


def screenshots() -> list[str]:
    """The payment and order screenshots with known facts (not chats, not the odd files)."""
    return [name for name, spec in facts().items() if spec["source"] in SOURCES]


SOURCES = ("wechat-pay", "alipay", "order-page")


def replay(name: str) -> list[Line]:
    return from_json(json.loads((HERE / "ocr" / f"{name}.json").read_text()))


def fake_engine() -> FakeEngine:
    """Answers each fixture image's bytes with its replay; anything else is no image."""
    answers = {}
    for path in HERE.iterdir():
        recorded = HERE / "ocr" / f"{path.name}.json"
        if recorded.exists():
            answers[path.read_bytes()] = replay(path.name)
    return FakeEngine(answers)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class Score:
    """Fields compared against the known facts, and what went wrong with the others."""

    exact: int = 0
    strict: int = 0  # exact without forgiving spaces in names
    total: int = 0
    flagged: list[str] = field(default_factory=list)  # wrong or missing, but marked uncertain
    silent: list[str] = field(default_factory=list)  # wrong and not marked: must stay empty

    @property
    def rate(self) -> float:
        return self.exact / self.total if self.total else 0.0

    def add(self, name: str, reading: Reading) -> None:
        spec = facts()[name]
        got = reading.as_json()
        if got["source"] != spec["source"]:
            self.silent.append(f"{name}: source {got['source']}, not {spec['source']}")
        for key, want in spec["facts"].items():
            have = got["facts"][key]
            doubtful = key in reading.doubts()
            self.total += 1
            same = have == want
            self.strict += same and not doubtful
            if key in FREE_TEXT and isinstance(have, str) and isinstance(want, str):
                same = squeeze(have) == squeeze(want)
            if same and not (doubtful and want is not None):
                self.exact += 1
            elif doubtful or have is None:
                self.flagged.append(f"{name} {key}: {have!r}, not {want!r}")
            else:
                self.silent.append(f"{name} {key}: {have!r}, not {want!r}")
