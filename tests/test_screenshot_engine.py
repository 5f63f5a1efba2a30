"""The real OCR engine (the optional extra refundkit[ocr]) on the generated screenshots.

CI installs the extra with the test extra and runs a subset here (a few seconds an image on 2
cores); the whole set runs under `pytest -m slow`. Where the extra is not installed (Python
3.13 and later), these tests skip; the behaviour without it is tested in
test_cli_screenshots.py by making the import fail.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from refundkit.errors import BadFile
from refundkit.screenshots import engine as ocr
from refundkit.screenshots.layouts import read_lines, text_rows
from screenshot_fixtures import HERE, TODAY, Score, replay, screenshots

pytestmark = pytest.mark.skipif(
    not ocr.available(), reason='the OCR extra is not installed (pip install "refundkit[ocr]")'
)

# One of each layout, between them every kind of variant but cropping (tested in the replays).
SUBSET = (
    "wechat-1080x2340.png",
    "alipay-rot-3-1170x2532.jpg",
    "order-q70-720x1560.jpg",
    "wechat-dark-1170x2532.jpg",
)


def read(name: str) -> Score:
    score = Score()
    lines = ocr.default_engine().recognise((HERE / name).read_bytes())
    score.add(name, read_lines(lines, TODAY))
    return score


@pytest.mark.parametrize("name", SUBSET)
def test_the_engine_reads_each_layout(name: str) -> None:
    score = read(name)
    assert score.silent == []
    assert score.exact == score.total, score.flagged


@pytest.mark.slow
def test_accuracy_of_the_engine_over_every_screenshot() -> None:
    score = Score()
    for name in screenshots():
        lines = ocr.default_engine().recognise((HERE / name).read_bytes())
        score.add(name, read_lines(lines, TODAY))
    assert score.silent == []
    assert score.rate >= 0.97, score.flagged


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        p.name
        for p in sorted(HERE.glob("*.*"))
        if p.suffix in (".png", ".jpg") and p.name != "not-an-image.png"
    ],
)
def test_the_replays_are_what_the_engine_reads(name: str) -> None:
    """After an engine upgrade, rerun tests/fixtures/screenshots/replay.py if this fails."""
    lines = ocr.default_engine().recognise((HERE / name).read_bytes())
    assert text_rows(lines) == text_rows(replay(name))


def test_an_extra_installed_but_broken_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The package is there but will not import (a system library missing, say): the
    error says so, and how to install, once an image has been decoded."""
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    with pytest.raises(ocr.MissingExtra, match=r'pip install "refundkit\[ocr\]"'):
        ocr.RapidOcrEngine().recognise((HERE / "wechat-1080x2340.png").read_bytes())


def test_an_image_without_text_gives_no_lines() -> None:
    assert ocr.default_engine().recognise((HERE / "no-text.jpg").read_bytes()) == []


@pytest.mark.parametrize(
    "data", [(HERE / "not-an-image.png").read_bytes(), b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b""]
)
def test_bytes_that_are_no_image_are_refused(data: bytes) -> None:
    with pytest.raises(BadFile):
        ocr.default_engine().recognise(data)


def test_an_image_with_too_many_pixels_is_refused_before_decoding() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (10000, 8000)).save(buffer, "PNG")  # 80 million pixels, a small file
    with pytest.raises(BadFile, match="too many for a screenshot"):
        ocr.decode(buffer.getvalue())


def test_a_long_scrolling_screenshot_is_read_in_slices() -> None:
    """Two pages one above the other (1080x4680): both are read, no line twice."""
    from PIL import Image

    top = Image.open(HERE / "wechat-1080x2340.png")
    bottom = Image.open(HERE / "alipay-1080x2340.png")
    tall = Image.new("RGB", (1080, 4680), "white")
    tall.paste(top, (0, 0))
    tall.paste(bottom, (0, 2340))
    buffer = io.BytesIO()
    tall.save(buffer, "PNG")
    rows = text_rows(ocr.default_engine().recognise(buffer.getvalue()))
    joined = "\n".join(rows)
    assert "4200024827202503197755436868" in joined  # WeChat's, in the top half
    assert "2025012322001063670106503341" in joined  # Alipay's, in the bottom half
    assert len(rows) == len(set(rows)) + rows.count("账单详情") - 1  # only the titles repeat


def test_an_upright_exif_orientation_is_applied() -> None:
    """A photo of a screen is stored sideways with an EXIF tag saying so: read it upright."""
    from PIL import Image

    image = Image.open(HERE / "order-720x1560.png").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90° clockwise to view": undoes the turn above
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    lines = ocr.default_engine().recognise(buffer.getvalue())
    assert read_lines(lines, TODAY).source == "order-page"


BLOCKED = """
import socket, sys
def refuse(*args, **kwargs):
    sys.stderr.write("NETWORK USED\\n")
    raise OSError("network blocked by the test")
for name in ("connect", "connect_ex", "sendto", "bind"):
    setattr(socket.socket, name, refuse)
for name in ("create_connection", "getaddrinfo", "gethostbyname"):
    setattr(socket, name, refuse)
sys.argv = ["refundkit", *sys.argv[1:]]
from refundkit.cli import main
main()
"""


def test_reading_opens_no_socket_from_a_fresh_process(tmp_path: Path) -> None:
    """A whole process, imports and model load included, with every socket call refused."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCKED,
            "import-screenshot",
            str(HERE / "alipay-1080x2340.png"),
            "--json",
        ],
        capture_output=True,
        text=True,
        env={"REFUNDKIT_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "NETWORK USED" not in result.stderr
    assert json.loads(result.stdout)["facts"]["transaction_id"] == "2025012322001063670106503341"
