"""Copying and fingerprinting big files as fast as the disk allows (the evidence locker's engine).

Measured for a 1 GB file on the 2-core machine of the README's table: reads into a 64 KiB
buffer stay in the CPU cache and run four times faster than into 1 MiB, so SHA-256 over them
keeps up with `openssl dgst`; a copy through Python's memory took 5 s where the kernel's
copy_file_range took 0.5 s; and making the copy durable took 1.7 s more, unless the disk is
kept writing while the rest goes on. So a copy runs as three overlapping parts: one thread
copies in the kernel, one flushes the copy to disk as it grows, and the caller's thread hashes
the copy right behind them. Hashing the copy, not the source, makes the fingerprint that of
exactly the bytes stored, even if the source changes meanwhile; the source is read once.
(hash_file, which only reads, as verify does, measured otherwise: see there.)
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from io import RawIOBase
from types import TracebackType

from refundkit.i18n import _

CHUNK = 64 << 10  # fits the CPU cache (see above)
HASH_CHUNK = 1 << 20  # hash_file's: fewer trips for the GIL (see there)
WINDOW = 16 << 20  # bytes per copy_file_range call: the unit in which the hasher follows
REPORT = 1 << 20  # progress is reported in steps of at least this many bytes
# copy_file_range cannot copy these (another file system, an old kernel): use a buffer.
UNSUPPORTED = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ETXTBSY}

Progress = Callable[[int], None]  # called with the number of bytes just processed


class Digest:
    """SHA-256 of a stream, its size, and its first bytes (to tell the file type)."""

    def __init__(self, progress: Progress | None) -> None:
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.progress = progress
        self.unreported = 0

    def read_from(self, handle: RawIOBase, limit: int | None = None, chunk: int = CHUNK) -> None:
        """Hash handle up to limit bytes in all (to its end without one)."""
        buffer = bytearray(chunk)
        view = memoryview(buffer)
        while limit is None or self.size < limit:
            want = chunk if limit is None else min(chunk, limit - self.size)
            count = handle.readinto(view[:want])
            if not count:
                if limit is None:
                    break
                raise OSError(errno.EIO, _("the copy is shorter than what was copied"))
            self.update(view[:count])
        self.report(final=True)

    def update(self, chunk: memoryview) -> None:
        if not self.size:
            self.head = bytes(chunk[:16])
        self.sha256.update(chunk)
        self.size += len(chunk)
        self.unreported += len(chunk)
        self.report()

    def report(self, final: bool = False) -> None:
        if self.progress and self.unreported and (final or self.unreported >= REPORT):
            self.progress(self.unreported)
            self.unreported = 0


def hash_file(handle: RawIOBase, progress: Progress | None = None) -> str:
    """The SHA-256 of the rest of handle, read in 1 MiB chunks.

    verify hashes in a thread while its main thread validates the records, and each chunk
    costs the hasher the GIL twice (after the read, after the update), so fewer, larger chunks
    keep it going. Measured for 1 GB in the page cache: alone, 0.66 s with 64 KiB or 1 MiB
    (openssl dgst: 0.67 s); beside 80 ms of Python at a 0.1 ms switch interval, 0.73 s with
    64 KiB and 0.69 s with 1 MiB. A reading thread ahead of the hasher (ReadAhead, until
    issue 14) gave 0.68-0.75 s here: reading from the page cache is too cheap to be worth it.
    """
    digest = Digest(progress)
    digest.read_from(handle, chunk=HASH_CHUNK)
    return digest.sha256.hexdigest()


def copy_and_hash(src: int, dst: int, copy: RawIOBase, progress: Progress | None = None) -> Digest:
    """Copy src to dst (from their offsets), durably, and hash the copy as read through copy.

    copy is a second handle on dst's file, so the hasher's reading never moves the offset the
    copier writes at. Returns once the copy is on disk (fsync).
    """
    digest = Digest(progress)
    with Copier(src, dst) as copier:
        while (copied := copier.wait_past(digest.size)) > digest.size:
            digest.read_from(copy, limit=copied)
    os.fsync(dst)
    return digest


class Copier:
    """src copied to dst by one thread, and flushed to disk by another as the copy grows.

    Used as a context manager: leaving it stops both threads before the caller may close the
    files (a thread left running could write into a reused descriptor) and raises what either
    thread met.
    """

    def __init__(self, src: int, dst: int) -> None:
        self.src = src
        self.dst = dst
        self.copied = 0
        self.finished = False
        self.stopped = False
        self.error: OSError | None = None
        self.changed = threading.Condition()
        self.threads = [
            threading.Thread(target=self.copy, name="refundkit-copy", daemon=True),
            threading.Thread(target=self.flush, name="refundkit-flush", daemon=True),
        ]

    def __enter__(self) -> Copier:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()
        for thread in self.threads:
            thread.join()
        if self.error is not None and kind is None:
            raise self.error

    def wait_past(self, offset: int) -> int:
        """How many bytes are copied, once that is more than offset or the copy has ended."""
        with self.changed:
            while self.copied <= offset and not self.finished:
                self.changed.wait()
            return self.copied

    def copy(self) -> None:
        try:
            for count in copy_pieces(self.src, self.dst):
                with self.changed:
                    if self.stopped:
                        return
                    self.copied += count
                    self.changed.notify_all()
        except OSError as exc:
            self.error = exc
        finally:
            with self.changed:
                self.finished = True
                self.changed.notify_all()

    def flush(self) -> None:
        """Keep the disk writing while the copy is hashed, so the last fsync has little left.

        An error is kept, not dropped: the kernel reports a failed write-back to one sync only.
        """
        sync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
        flushed = 0
        while True:
            with self.changed:
                while self.copied == flushed and not (self.finished or self.stopped):
                    self.changed.wait()
                if self.finished or self.stopped:
                    return
                flushed = self.copied
            try:
                sync(self.dst)
            except OSError as exc:
                self.error = self.error or exc
                return


def copy_pieces(src: int, dst: int) -> Iterator[int]:
    """Copy the rest of src to dst, yielding each piece's size: in the kernel where it can,
    through a small buffer where it cannot (and to confirm an end the kernel reports, since
    some files, like those of /proc, look empty to copy_file_range)."""
    kernel = hasattr(os, "copy_file_range")
    while True:
        if kernel:
            count = kernel_copy(src, dst)
            if count:
                yield count
                continue
            kernel = False
        data = os.read(src, CHUNK)
        if not data:
            return
        write_all(dst, memoryview(data))
        yield len(data)


def kernel_copy(src: int, dst: int) -> int:
    """Up to WINDOW bytes copied by copy_file_range; 0 at the end or where it cannot copy."""
    try:
        return os.copy_file_range(src, dst, WINDOW)
    except OSError as exc:
        if exc.errno in UNSUPPORTED:
            return 0
        raise


def write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]
