"""What a file handed to import-bill is, and its bytes and lines, each within a budget. Pure.

A refusal must say what the file is, so that the user does the right thing next: another kind
of file (a PDF proof, a ZIP still to unzip, a password-protected workbook, a spreadsheet of
something else), text in the wrong encoding, or a download cut short. "Truncated" is said only
when the file ends where a bill cannot end: inside a character, inside a quoted cell, in the
middle of a row, or before its table.

Text bills are read as a stream of physical lines, each one capped and decoded on its own, so
that a bad byte is reported with its line and a 60 MB file never sits in memory decoded and
split at once. Every byte read is fed to a SHA-256, the fingerprint recorded with the proof.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

from refundkit.errors import BadFile, os_reason
from refundkit.i18n import _
from refundkit.sanitize import visible

MAX_BILL_BYTES = 64 << 20  # a year of bills is a few MB; anything this big is not one
MAX_LINE_BYTES = 64 << 10  # one physical line; a bill's are a few hundred bytes
MAX_LINES = 100_000 + 200  # the row budget (bills.MAX_ROWS) and a preamble
HEAD_BYTES = 64 << 10  # what the kind and the encoding are judged from

# Words every bill's header row holds, in each encoding a bill may arrive in: they tell which
# encoding the file really is, independently of what a decoder would accept.
MARKS = ("交易时间", "交易号", "交易创建时间")
MARKS_UTF8 = tuple(m.encode("utf-8") for m in MARKS)
MARKS_GBK = tuple(m.encode("gb18030") for m in MARKS)
MARKS_UTF16 = tuple(m.encode(e) for m in MARKS for e in ("utf-16-le", "utf-16-be"))


def expected() -> str:
    """What import-bill takes, closing the refusals of a file that is no bill at all."""
    return _(
        "expected the CSV or XLSX file of a WeChat Pay bill (微信支付账单), or the CSV of an "
        "Alipay statement (支付宝交易明细, from the app or the website)"
    )


def refuse(name: str, problem: str, **values: object) -> NoReturn:
    """Refuse the file: one line, with whatever came from the file or its name shown, not
    emitted (a control character in a cell or a name must not reach the terminal).

    problem is a whole message, already looked up in the interface's language, naming the
    file as {file} and its other values by name: refuse fills them in."""
    raise BadFile(visible(problem.format(file=name, **values)))


@contextlib.contextmanager
def open_regular(path: Path) -> Iterator[IO[bytes]]:
    """The file opened for reading, refusing folders, FIFOs and devices without blocking on
    them (O_NONBLOCK, then a check of what was opened), and anything too big to be a bill."""
    shown = visible(str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise BadFile(_("no such file: {path}").format(path=shown)) from None
    except IsADirectoryError:
        raise BadFile(_folder(shown)) from None
    except OSError as exc:
        raise BadFile(
            _("cannot read {path}: {error}").format(path=shown, error=os_reason(exc))
        ) from None
    except ValueError:
        raise BadFile(
            _("no such file: {path} (a file name cannot hold a NUL)").format(path=repr(shown))
        ) from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode) or not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise BadFile(_folder(shown))
        raise BadFile(
            _("{path} is not a regular file (a FIFO, socket or device); {expected}").format(
                path=shown, expected=expected()
            )
        )
    if info.st_size > MAX_BILL_BYTES:
        os.close(fd)
        raise BadFile(
            _(
                "{path} is {size} bytes, too large for a bill (a year of bills is a few MB; "
                "refused above {limit} MB); {expected}"
            ).format(
                path=shown,
                size=f"{info.st_size:,}",
                limit=MAX_BILL_BYTES >> 20,
                expected=expected(),
            )
        )
    with os.fdopen(fd, "rb") as handle:
        yield handle


def _folder(shown: str) -> str:
    return _("{path} is a folder, not a bill: give the CSV or XLSX file inside it").format(
        path=shown
    )


def grew(name: str) -> NoReturn:
    refuse(
        name,
        _("{file} grew beyond {limit} MB while being read: not a bill"),
        limit=MAX_BILL_BYTES >> 20,
    )


def read_capped(handle: IO[bytes], name: str) -> bytes:
    """The whole file, refused if it grew past the cap while being read."""
    data = handle.read(MAX_BILL_BYTES + 1)
    if len(data) > MAX_BILL_BYTES:
        grew(name)
    return data


# --- what kind of file ---------------------------------------------------------------------


def _signatures() -> tuple[tuple[bytes, str], ...]:
    """The files a bill is mistaken for, by their first bytes, and what to say of each."""
    return (
        (
            b"%PDF",
            _(
                "{file} is a PDF document (a 交易流水证明 or 交易明细证明 is for printing, "
                "not importing); {expected}"
            ),
        ),
        (
            b"\x89PNG\r\n\x1a\n",
            _(
                "{file} is a PNG image, not a bill (attach a screenshot with add-evidence); "
                "{expected}"
            ),
        ),
        (
            b"\xff\xd8\xff",
            _(
                "{file} is a JPEG image, not a bill (attach a screenshot with add-evidence); "
                "{expected}"
            ),
        ),
        (b"GIF8", _("{file} is a GIF image, not a bill; {expected}")),
        (
            b"7z\xbc\xaf\x27\x1c",
            _("{file} is a 7-Zip archive: extract the bill from it first; {expected}"),
        ),
        (b"Rar!\x1a\x07", _("{file} is a RAR archive: extract the bill from it first; {expected}")),
        (b"\x1f\x8b", _("{file} is a gzip archive: extract the bill from it first; {expected}")),
    )


def sniff(head: bytes, name: str) -> str:
    """'zip' or 'text'; any other kind of file is refused, saying what it is."""
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        refuse(name, _("{file} is empty; {expected}"), expected=expected())
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptionInfo".encode("utf-16-le") in head or b"EncryptedPackage" in head:
            refuse(
                name,
                _(
                    "{file} is a password-protected Excel workbook: open it with its password "
                    "and save it again without one (or as CSV), then import that file"
                ),
            )
        refuse(
            name,
            _(
                "{file} is an old Excel .xls workbook, not a bill as exported: import the CSV or "
                "XLSX file from the bill e-mail (or save it as .xlsx)"
            ),
        )
    for magic, what in _signatures():
        if head.startswith(magic):
            refuse(name, what, expected=expected())
    if head[:12].startswith(b"RIFF") and head[8:12] == b"WEBP":
        refuse(name, _("{file} is a WebP image, not a bill; {expected}"), expected=expected())
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or any(m in head for m in MARKS_UTF16):
        refuse(
            name,
            _(
                "{file} is UTF-16 text (the wrong encoding): a WeChat Pay CSV is UTF-8 and an "
                "Alipay CSV is GBK; import the file exactly as downloaded, or save it as CSV UTF-8"
            ),
        )
    if b"\x00" in head[:8192]:
        refuse(
            name,
            _("{file} is a binary file, not a CSV or XLSX bill; {expected}"),
            expected=expected(),
        )
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    for marker, what in (
        (
            b"<!doctype html",
            _("{file} is an HTML page (saved from a browser?), not a bill; {expected}"),
        ),
        (b"<html", _("{file} is an HTML page (saved from a browser?), not a bill; {expected}")),
        (b"<?xml", _("{file} is an XML file, not a bill; {expected}")),
        (b"{", _("{file} is JSON data, not a bill; {expected}")),
    ):
        if start.startswith(marker):
            refuse(name, what, expected=expected())
    return "text"


def text_encoding(head: bytes, name: str) -> str:
    """The codec of a text bill, by the encoding its header words are written in (UTF-8,
    else GBK); with no header word, by which one decodes; a garbled re-save is refused."""
    if any(m in head for m in MARKS_UTF8):
        return "utf-8"
    if any(m in head for m in MARKS_GBK):
        return "gb18030"
    _refuse_garbled(head, name)
    trimmed = head[:-4] if len(head) >= HEAD_BYTES else head  # a head may end mid-character
    for codec in ("utf-8", "gb18030"):
        try:
            trimmed.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    refuse(
        name,
        _(
            "{file} is neither UTF-8 nor GBK text: not a bill in any encoding the apps use; "
            "{expected}"
        ),
        expected=expected(),
    )


def _refuse_garbled(head: bytes, name: str) -> None:
    """Chinese text decoded with the wrong code page and saved again shows its header words
    once encoded back: that is a wrong encoding, not another kind of file."""
    text = head.decode("utf-8", errors="ignore")
    for wrong in ("latin-1", "cp1252", "gb18030"):
        try:
            raw = text.encode(wrong)
        except UnicodeEncodeError:
            continue
        if any(m in raw for m in MARKS_UTF8 + MARKS_GBK):
            refuse(
                name,
                _(
                    "{file} was saved with the wrong text encoding (its Chinese text is "
                    "garbled): download the bill again and import the file as it came"
                ),
            )


# --- lines ---------------------------------------------------------------------------------


class Lines:
    """The physical lines of a text bill, decoded one by one, numbered from 1.

    One line of lookahead tells whether the line just handed out is the file's last, and
    whether that one ended with a newline: a row cut short there is a truncated download, a
    row cut short anywhere else is damage. Every byte read goes into `digest`.
    """

    def __init__(self, handle: IO[bytes], codec: str, name: str) -> None:
        self.handle = handle
        self.codec = codec
        self.label = "UTF-8" if codec.startswith("utf") else "GBK"
        self.name = name
        self.digest = hashlib.sha256()
        self.size = 0  # bytes read (and fingerprinted) so far
        self.number = 0  # the line last handed out
        self.at_end = False  # it is the file's last line
        self.final_newline = True
        self.quotes = 0  # double quotes in the lines handed out since `counting` was set
        self.counting = False
        self._read_lines = 0
        self._next = self._read()

    def _read(self) -> bytes | None:
        raw = self.handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return None
        self._read_lines += 1
        self.digest.update(raw)
        self.size += len(raw)
        if len(raw) > MAX_LINE_BYTES:
            refuse(
                self.name,
                _(
                    "{file} has a line longer than {limit} KB (line {line}): "
                    "not a bill, whose lines are a few hundred bytes"
                ),
                limit=MAX_LINE_BYTES >> 10,
                line=self._read_lines,
            )
        if self._read_lines > MAX_LINES:
            refuse(
                self.name,
                _(
                    "{file} has more than {limit} rows: more than any bill (a heavy user's "
                    "year has a few thousand); export a shorter period"
                ),
                limit=f"{MAX_LINES - 200:,}",
            )
        return raw

    def __iter__(self) -> Iterator[str]:
        offset = 0
        while self._next is not None:
            raw, self._next = self._next, self._read()
            self.number += 1
            self.at_end = self._next is None
            self.final_newline = raw.endswith(b"\n")
            text = self._decode(raw, offset)
            offset += len(raw)
            if self.counting:
                self.quotes += text.count('"')
            yield text

    def _decode(self, raw: bytes, offset: int) -> str:
        try:
            text = raw.decode(self.codec)
        except UnicodeDecodeError as exc:
            cut = exc.end >= len(raw) and (
                "end of data" in exc.reason or "incomplete" in exc.reason
            )
            if self.at_end and cut and not self.final_newline:
                refuse(
                    self.name,
                    _(
                        "{file} ends in the middle of a character: the file is truncated; "
                        "download the bill again"
                    ),
                )
            refuse(
                self.name,
                _(
                    "{file} is not valid {encoding} text at line {line} (byte {byte}): part of "
                    "it is in another encoding; import the bill exactly as downloaded"
                ),
                encoding=self.label,
                line=self.number,
                byte=offset + exc.start,
            )
        if self.number == 1:
            text = text.removeprefix("\ufeff")
        return text

    def drain(self) -> None:
        """Read (and fingerprint) what is left after the table, without decoding it."""
        self._next = None
        while chunk := self.handle.read(1 << 20):
            self.digest.update(chunk)
            self.size += len(chunk)
            if self.size > MAX_BILL_BYTES:
                grew(self.name)
