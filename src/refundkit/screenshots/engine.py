"""OCR as a replaceable engine: image bytes in, recognised lines (text, box, confidence) out.

The one real engine is RapidOCR's ONNX package (`rapidocr-onnxruntime` 1.4, Apache-2.0), the
optional extra `refundkit[ocr]`: its PP-OCR Chinese detection and recognition models ship inside
its wheel, so reading needs no network and downloads nothing. Later `rapidocr` releases fetch
their models at run time and are not used. Everything heavy (onnxruntime, OpenCV, NumPy,
Pillow) is imported when the first image is read, never at start-up.

A phone screenshot is scaled so that its text is about the size the models were trained on
(and the memory stays well under 500 MB); a long scrolling screenshot is read in overlapping
slices rather than shrunk until its text is unreadable.
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from refundkit.errors import BadFile, BadInput
from refundkit.i18n import _

if TYPE_CHECKING:
    import numpy
    from PIL import Image

INSTALL = 'pip install "refundkit[ocr]"'
MAX_BYTES = 64 << 20  # no phone screenshot comes near this; a bigger file is not one
MAX_PIXELS = 60_000_000  # a scrolling screenshot of 1440 x 40000 still fits
WORK_SIDE = 1600  # longest side the engine works at: the speed and memory sweet spot
SLICE_WIDTH = 740  # a tall screenshot is scaled to this width and read in slices
SLICE_HEIGHT = 1600
SLICE_OVERLAP = 160  # more than two lines of text, so no line is cut in both slices
TALL = 2.4  # height/width above which a screenshot is read in slices

Point = tuple[float, float]


@dataclass(frozen=True)
class Line:
    """One piece of recognised text, where it is and how sure the engine was.

    box is the four corners of the text in the image's own pixels, clockwise from the top
    left (a rotated screenshot gives a slanted box); confidence is the engine's, 0 to 1.
    """

    text: str
    box: tuple[Point, Point, Point, Point]
    confidence: float

    @property
    def top(self) -> float:
        return min(y for _, y in self.box)

    @property
    def bottom(self) -> float:
        return max(y for _, y in self.box)


class Engine(Protocol):
    """What refundkit needs from OCR. A test passes a fake; a later engine slots in here."""

    def recognise(self, image: bytes) -> list[Line]:
        """The text lines of an image (any order); BadFile if it is not a readable image."""
        ...


class MissingExtra(BadInput):
    """The OCR extra is not installed: say how to install it."""

    def __init__(self, what: str) -> None:
        super().__init__(
            _(
                "{what} needs the optional OCR extra, which is not installed: "
                "run {command} (Python 3.12 or older)"
            ).format(what=what, command=INSTALL)
        )


def available() -> bool:
    """Whether the OCR extra is installed, without importing it."""
    import importlib.util

    return all(
        importlib.util.find_spec(name) is not None
        for name in ("rapidocr_onnxruntime", "onnxruntime", "PIL", "numpy")
    )


@functools.cache
def default_engine() -> Engine:
    """The RapidOCR engine, loaded once per process (the models take about a second)."""
    return RapidOcrEngine()


def get_engine(what: str) -> Engine:
    """The engine for `what` (a command's name for its error), or MissingExtra."""
    if not available():
        raise MissingExtra(what)
    return default_engine()


class RapidOcrEngine:
    """RapidOCR 1.4 with its bundled PP-OCRv4 models, on the CPU."""

    def __init__(self) -> None:
        self._model: Any = None

    def _ocr(self, pixels: numpy.ndarray) -> Any:
        """The package is imported and its models loaded with the first image that decodes,
        not before: a file that is no image is refused without the second that takes."""
        if self._model is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # installed but broken (a missing system library)
                raise MissingExtra(
                    _("reading images (its import failed: {error})").format(error=exc)
                ) from None

            # No angle classifier: screenshots are never upside down, and it costs time.
            self._model = RapidOCR(max_side_len=WORK_SIDE * 2, print_verbose=False)
        return self._model(pixels, use_cls=False)

    def recognise(self, image: bytes) -> list[Line]:
        pixels = decode(image)
        height, width = pixels.shape[:2]
        if height > TALL * width:
            return self._slices(pixels)
        scale = min(1.0, WORK_SIDE / max(height, width))
        return self._read(resize(pixels, scale), scale, 0.0)

    def _slices(self, pixels: numpy.ndarray) -> list[Line]:
        """A long screenshot, scaled to SLICE_WIDTH and read in overlapping slices; a line
        in an overlap is kept from the slice in which it lies further from the edge."""
        scale = min(1.0, SLICE_WIDTH / pixels.shape[1])
        scaled = resize(pixels, scale)
        total = scaled.shape[0]
        lines: list[Line] = []
        start = 0
        while True:
            end = min(total, start + SLICE_HEIGHT)
            for line in self._read(scaled[start:end], scale, start / scale):
                middle = (line.top + line.bottom) / 2 * scale
                lower_edge = start + SLICE_OVERLAP / 2 if start else 0
                upper_edge = end - SLICE_OVERLAP / 2 if end < total else total
                if lower_edge <= middle < upper_edge:
                    lines.append(line)
            if end >= total:
                return lines
            start = end - SLICE_OVERLAP

    def _read(self, pixels: numpy.ndarray, scale: float, offset: float) -> list[Line]:
        """Recognise one piece; boxes are given back in the original image's pixels."""
        result, _elapsed = self._ocr(pixels)
        lines = []
        for box, text, score in result or []:
            corners = tuple((x / scale, y / scale + offset) for x, y in box)
            lines.append(Line(str(text), corners, float(score)))  # type: ignore[arg-type]
        return lines


def decode(image: bytes) -> numpy.ndarray:
    """Image bytes to the BGR pixel array OpenCV expects, turned upright by its EXIF tag.

    Pillow decodes it (the OCR package needs Pillow anyway) so that refundkit, not the
    engine, decides what a broken or hostile file is: a clear error, never a traceback.
    """
    from PIL import Image, UnidentifiedImageError

    if len(image) > MAX_BYTES:
        raise BadFile(
            _("the image is larger than {limit} MB: is it a screenshot?").format(
                limit=MAX_BYTES >> 20
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below
            rgb = _upright_rgb(Image.open(io.BytesIO(image)))
    except UnidentifiedImageError:
        raise BadFile(_("not an image Pillow can read (PNG, JPEG, WebP, GIF...)")) from None
    except Image.DecompressionBombError:
        raise BadFile(_("the image has too many pixels to be a screenshot")) from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or damaged data
        raise BadFile(_("the image is damaged or truncated ({error})").format(error=exc)) from None
    import numpy

    return numpy.ascontiguousarray(numpy.asarray(rgb)[:, :, ::-1])


def _upright_rgb(opened: Image.Image) -> Image.Image:
    from PIL import ImageOps

    with opened:
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise BadFile(
                _(
                    "the image is {size} pixels, too many for a screenshot (at most {limit} "
                    "million)"
                ).format(size=f"{width}x{height}", limit=MAX_PIXELS // 1_000_000)
            )
        upright = ImageOps.exif_transpose(opened) or opened
        return upright.convert("RGB")


def resize(pixels: numpy.ndarray, scale: float) -> numpy.ndarray:
    if scale >= 1.0:
        return pixels
    import cv2

    height, width = pixels.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


class FakeEngine:
    """An engine that answers from a script: for tests, and for trying layouts by hand.

    `answers` maps image bytes to the lines to return; any other bytes give `default`
    (BadFile when default is None, as a real engine does for a file that is no image).
    """

    def __init__(
        self,
        answers: dict[bytes, Sequence[Line]] | None = None,
        default: Sequence[Line] | None = None,
    ) -> None:
        self.answers = dict(answers or {})
        self.default = default
        self.calls = 0

    def recognise(self, image: bytes) -> list[Line]:
        self.calls += 1
        if image in self.answers:
            return list(self.answers[image])
        if self.default is None:
            raise BadFile(_("not an image Pillow can read (PNG, JPEG, WebP, GIF...)"))
        return list(self.default)


def line(
    text: str, x: float, y: float, width: float = 0, height: float = 40, conf: float = 0.99
) -> Line:
    """A straight Line for tests and fakes: top-left corner, width (default from the text)."""
    width = width or 40 * len(text)
    box = ((x, y), (x + width, y), (x + width, y + height), (x, y + height))
    return Line(text, box, conf)


def to_json(lines: Sequence[Line]) -> list[dict[str, Any]]:
    """Lines as plain data (a replay file for FakeEngine, a debugging dump)."""
    return [
        {"text": ln.text, "box": [list(p) for p in ln.box], "confidence": ln.confidence}
        for ln in lines
    ]


def from_json(data: Sequence[dict[str, Any]]) -> list[Line]:
    return [
        Line(d["text"], tuple(tuple(p) for p in d["box"]), float(d["confidence"]))  # type: ignore[arg-type]
        for d in data
    ]
