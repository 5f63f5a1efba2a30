"""filecopy: the copy is exact, its fingerprint is of what was stored, and no failure is lost,
whether the kernel copies (copy_file_range) or a buffer does."""

import errno
import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest

from refundkit import filecopy


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "recording.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(3 * filecopy.CHUNK + 123))
    return path


def run_copy(source: Path, target: Path, progress: Any = None) -> filecopy.Digest:
    with (
        open(source, "rb", buffering=0) as src,
        open(target, "wb", buffering=0) as dst,
        open(target, "rb", buffering=0) as copy,
    ):
        return filecopy.copy_and_hash(src.fileno(), dst.fileno(), copy, progress)


def check_exact(source: Path, target: Path, digest: filecopy.Digest) -> None:
    data = source.read_bytes()
    assert target.read_bytes() == data
    assert digest.sha256.hexdigest() == hashlib.sha256(data).hexdigest()
    assert digest.size == len(data) and digest.head == data[:16]


def test_copy_is_exact_and_reports_progress(source: Path, tmp_path: Path) -> None:
    seen: list[int] = []
    target = tmp_path / "copy"
    digest = run_copy(source, target, seen.append)
    check_exact(source, target, digest)
    assert sum(seen) == source.stat().st_size


def test_small_windows_the_hasher_follows(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filecopy, "WINDOW", 1000)  # many windows, odd sizes
    target = tmp_path / "copy"
    check_exact(source, target, run_copy(source, target))


@pytest.mark.parametrize("error", [errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP])
def test_without_kernel_copy_a_buffer_copies(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int
) -> None:
    def unsupported(*args: Any) -> int:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(os, "copy_file_range", unsupported, raising=False)
    target = tmp_path / "copy"
    check_exact(source, target, run_copy(source, target))


def test_a_kernel_that_sees_nothing_is_not_believed(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files like those of /proc look empty to copy_file_range; read() has the last word."""
    monkeypatch.setattr(os, "copy_file_range", lambda *args: 0, raising=False)
    target = tmp_path / "copy"
    check_exact(source, target, run_copy(source, target))


def test_a_failed_read_is_raised(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any) -> int:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "copy_file_range", failing, raising=False)
    with pytest.raises(OSError) as raised:
        run_copy(source, tmp_path / "copy")
    assert raised.value.errno == errno.EIO


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="Linux's copy_file_range")
def test_a_failed_flush_is_raised_not_lost(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel reports a failed write-back to one sync only: the flusher's must surface."""
    real_copy = os.copy_file_range

    def slow_copy(src: int, dst: int, count: int) -> int:
        time.sleep(0.01)  # give the flusher copied data to flush
        return real_copy(src, dst, count)

    def failing_sync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(filecopy, "WINDOW", filecopy.CHUNK)
    monkeypatch.setattr(os, "copy_file_range", slow_copy)
    monkeypatch.setattr(os, "fdatasync", failing_sync)
    with pytest.raises(OSError) as raised:
        run_copy(source, tmp_path / "copy")
    assert raised.value.errno == errno.EIO


def test_hash_file_matches_hashlib(source: Path) -> None:
    seen: list[int] = []
    with open(source, "rb", buffering=0) as handle:
        digest = filecopy.hash_file(handle, seen.append)
    assert digest == hashlib.sha256(source.read_bytes()).hexdigest()
    assert sum(seen) == source.stat().st_size


class FailingReader(io.RawIOBase):
    """A file whose second read fails, as a disk error would."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.reads += 1
        if self.reads > 1:
            raise OSError(errno.EIO, "Input/output error")
        buffer[:3] = b"abc"
        return 3


def test_a_read_error_while_hashing_is_raised() -> None:
    with pytest.raises(OSError) as raised:
        filecopy.hash_file(FailingReader())
    assert raised.value.errno == errno.EIO
