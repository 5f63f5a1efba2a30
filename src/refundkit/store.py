"""The data folder: where it is, how records are written and read back, and who may read it.

Every write goes through atomic_write (temp file in the same folder, fsync, rename), so a crash
leaves the old file or the new one, never a torn one. Read-modify-write of an order happens
under that order's file lock, so concurrent commands cannot lose each other's changes. A new
order is assembled in a hidden staging folder and renamed into place whole, which also makes id
allocation race-free: a rename onto an existing order folder fails.

Files of the data folder are read as untrusted input (a sync tool, a restored backup or another
user may have put anything there): each is opened without following links and without blocking
(open_regular), must be a regular file of bounded size, and JSON is checked for depth before
Pydantic sees it, so one odd file makes one damaged entry, never a failed or hung command.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from refundkit.errors import BadFile, BadInput, DamagedData, NewerSchema, NotFound, os_reason
from refundkit.i18n import _, ngettext

if TYPE_CHECKING:
    from pydantic import BaseModel

    from refundkit.models import Order, Profile

RecordT = TypeVar("RecordT", bound="BaseModel")

ENV_HOME = "REFUNDKIT_HOME"
ORDER_FILE = "order.json"
PROFILE_FILE = "profile.json"
LOCK_FILE = "order.lock"
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/1/i/l/o: easy to read aloud and type
ID_LENGTH = 6
DIR_MODE = 0o700
FILE_MODE = 0o600
EVIDENCE_MODE = 0o400
STALE_STAGING_SECONDS = 3600
# A year of a busy dispute is a few hundred KB; 20,000 events are about 5 MB. Anything larger
# (or nested deeper: a real order is 4 levels deep) was not written by refundkit.
MAX_ORDER_BYTES = 16 << 20
MAX_PROFILE_BYTES = 1 << 20
MAX_JSON_DEPTH = 64
LOCK_NOTICE_SECONDS = 1.0
# What makes a folder a refundkit data folder: any of these in it (templates/letters/ is what
# `templates copy` makes in a new folder before any order exists).
OWN_ENTRIES = ("orders", PROFILE_FILE, "templates/letters")
# index.py's files (each language's index and its texts), named here for the mode check
INDEX_PREFIX = "status-index."
# Written when refundkit creates the data folder: the folder's mode is then refundkit's to keep
# owner-only (a folder it adopted, a shared one with its sticky bit, keeps its own).
MADE_FILE = ".refundkit-made-this-folder"
MADE_TEXT = b"refundkit created this data folder and keeps it owner-only (0700).\n"

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# What open(O_NOFOLLOW) says when the last part of the path is a link: ELOOP on Linux and
# macOS, EMLINK on FreeBSD, EFTYPE on NetBSD.
LINK_ERRNOS = frozenset(
    code for code in (errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", None)) if code
)


class NotRegularFile(Exception):
    """A link, FIFO, device, socket or folder where a regular file belongs."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(_("{path} is {kind}, not a regular file").format(path=path, kind=kind))
        self.path = path
        self.kind = kind


class TooLarge(Exception):
    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(
            _("{path} is {size} bytes, more than {limit}").format(path=path, size=size, limit=limit)
        )
        self.path = path
        self.size = size
        self.limit = limit


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words, for a message."""
    for test, words in (
        (stat.S_ISLNK, _("a symbolic link")),
        (stat.S_ISFIFO, _("a FIFO (named pipe)")),
        (stat.S_ISCHR, _("a device")),
        (stat.S_ISBLK, _("a device")),
        (stat.S_ISSOCK, _("a socket")),
        (stat.S_ISDIR, _("a folder")),
    ):
        if test(mode):
            return words
    return _("not a regular file")


def open_regular(path: Path, base: Path | None = None, parts: tuple[str, ...] | None = None) -> int:
    """A read-only descriptor on the regular file at path, never blocking, never via a link.

    With base, every part of path below base is opened without following links too, so a
    linked order or evidence folder is refused as well as a linked file (parts, if given,
    are those parts, saving the caller a path computation). A FIFO opened with O_NONBLOCK
    returns at once (a plain open would wait for a writer forever); the fstat then refuses
    it, as it refuses a device. Raises NotRegularFile, or OSError (missing, no permission)
    as open does.
    """
    return _open_checked(path, base, parts)[0]


def _open_checked(
    path: Path, base: Path | None, parts: tuple[str, ...] | None
) -> tuple[int, os.stat_result]:
    flags = os.O_RDONLY | NOFOLLOW | NONBLOCK | CLOEXEC
    if base is None or os.open not in os.supports_dir_fd:
        return _checked(path, os.open(path, flags))
    if parts is None:
        parts = path.relative_to(base).parts
    folder = os.open(base, os.O_RDONLY | DIRECTORY | CLOEXEC)
    try:
        for depth, part in enumerate(parts[:-1]):
            try:
                inner = os.open(part, os.O_RDONLY | DIRECTORY | NOFOLLOW | CLOEXEC, dir_fd=folder)
            except OSError as exc:
                if exc.errno in LINK_ERRNOS or exc.errno == errno.ENOTDIR:
                    walked = base.joinpath(*parts[: depth + 1])
                    raise NotRegularFile(walked, _lkind(walked)) from None
                raise
            os.close(folder)
            folder = inner
        try:
            fd = os.open(parts[-1], flags, dir_fd=folder)
        except OSError as exc:
            if exc.errno in LINK_ERRNOS:
                raise NotRegularFile(path, _("a symbolic link")) from None
            raise
        return _checked(path, fd)
    finally:
        os.close(folder)


def _lkind(path: Path) -> str:
    try:
        return kind_of(os.lstat(path).st_mode)
    except OSError:
        return "not a folder"


def _checked(path: Path, fd: int) -> tuple[int, os.stat_result]:
    """fd and its fstat if it is a regular file; closed and refused otherwise."""
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegularFile(path, kind_of(info.st_mode))
    return fd, info


def read_regular(
    path: Path, limit: int, base: Path | None = None, parts: tuple[str, ...] | None = None
) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most limit bytes, and the identity they came from
    (fstat of the open file, so a file replaced meanwhile cannot lend its stamps). Opened as
    open_regular opens it."""
    fd, info = _open_checked(path, base, parts)
    try:
        if info.st_size > limit:
            raise TooLarge(path, info.st_size, limit)
        chunks = []
        total = 0
        want = info.st_size + 1  # one byte more than fstat says: to see that it grew
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise TooLarge(path, total, limit)
            want = min(1 << 20, limit + 1 - total)
    finally:
        os.close(fd)
    return b"".join(chunks), info


def json_too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests deeper than limit: checked before any parser recurses into it.

    Counting every bracket is a bound (those inside strings only add to it), and for a real
    file far below limit, so it settles almost every file at C speed. Only above it are the
    strings skipped properly and the depth tracked.
    """
    opening = data.count(b"[") + data.count(b"{")
    if opening <= limit:
        return False
    brackets = data.translate(None, _NOT_BRACKETS)
    if _max_depth(brackets) <= limit:
        return False
    depth = 0
    for token in _JSON_TOKENS.finditer(data):
        char = token.group()
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def _max_depth(brackets: bytes) -> int:
    depth = deepest = 0
    for char in brackets:
        if char in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def resolve_home(option: Path | None) -> Path:
    """--home wins, then REFUNDKIT_HOME, then the platform's user data folder.

    An empty REFUNDKIT_HOME is refused rather than read as the current folder (what Path("")
    means) or silently ignored: a script that set it meant some folder.
    """
    if option is not None:
        return option.expanduser()
    env = os.environ.get(ENV_HOME)
    if env is not None:
        if not env.strip():
            raise BadInput(
                _(
                    "{variable} is set but empty: set it to a folder, or unset it to use the "
                    "default"
                ).format(variable=ENV_HOME)
            )
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("refundkit", appauthor=False))


def atomic_write(path: Path, data: bytes, mode: int = FILE_MODE, durable: bool = True) -> None:
    """Replace path with data so that readers see the old bytes or the new, never a mix.

    durable=False skips the flushes to disk, for a file derived from others (the status
    index), which a crash may leave empty or torn: its reader checks it and rebuilds it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def place_file(path: Path, data: bytes, *, replace: bool, mode: int = FILE_MODE) -> None:
    """Write path whole, as atomic_write does; without replace, raise FileExistsError if a
    file (or a link) is there, even one that appeared while the data was being written: the
    finished temp file is hard-linked to the name, which fails rather than replace."""
    if replace:
        atomic_write(path, data, mode)
        return
    if os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: check, then rename
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename in this folder durable (POSIX needs the folder itself synced)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def make_private_dir(path: Path) -> bool:
    """Create path owner-only, and every missing parent too; True if path was created.

    mkdir(parents=True) would give the parents it creates the umask's mode (0755 or worse),
    so `templates/letters` made in one go would leave `templates` readable by all. A folder
    that already exists keeps its mode: it may not be refundkit's to change (a shared folder's
    sticky bit); what refundkit made and finds loosened is put right by Store.open.
    """
    missing: list[Path] = []
    folder = path
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it just now
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode passes through the umask
    info = path.stat()
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return path in missing


def _mark_made(home: Path) -> None:
    """Leave MADE_FILE in a data folder refundkit has just created. Only its presence counts
    (a torn one too), so it is written in place, and by two processes alike if both made it."""
    flags = os.O_WRONLY | os.O_CREAT | NOFOLLOW | CLOEXEC
    fd = os.open(home / MADE_FILE, flags, FILE_MODE)
    try:
        os.write(fd, MADE_TEXT)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class DamagedOrder:
    """An order folder whose order.json cannot be read; shown, never overwritten."""

    id: str
    path: Path
    error: str

    @classmethod
    def of(cls, order_id: str, path: Path, exc: DamagedData) -> DamagedOrder:
        """The problem without the path its message starts with: the path is shown apart."""
        message = exc.message
        for separator in (": ", "："):  # "{path}: {problem}" as worded in either language
            message = message.removeprefix(f"{path}{separator}")
        return cls(order_id, path, message)


def _quiet(message: str) -> None:
    """The default Store.notice: the core says nothing unless the caller asks to hear."""


class Store:
    """One data folder. Paths are computed, nothing is created until the first write.

    notice receives what a person should hear while a command runs (a wait for a lock, modes
    put right); the CLI prints it on stderr, the core stays silent.
    """

    def __init__(self, home: Path, notice: Callable[[str], None] = _quiet) -> None:
        self.home = home
        self.orders_dir = home / "orders"
        self.profile_path = home / PROFILE_FILE
        self.templates_dir = home / "templates"
        self.notice = notice
        self.linked: set[str] = set()  # entries of orders/ that are links (see list_ids)
        self.loose_seen = False  # a stat made on the way showed a mode open to others
        self.written: set[str] = set()  # orders this run wrote (the CLI indexes them after)

    # --- layout -------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the data folder (or adopt an empty one) and its orders/ folder.

        A folder that existed keeps its own mode: refundkit may have been pointed at a shared
        folder (its sticky bit) or the user's own; what refundkit puts in it is private.
        """
        try:
            self.refuse_foreign()
            if make_private_dir(self.home):
                _mark_made(self.home)
            make_private_dir(self.orders_dir)
        except OSError as exc:
            raise BadFile(
                _(
                    "cannot use {path} as the data folder ({error}): "
                    "give a folder with --home or REFUNDKIT_HOME"
                ).format(path=self.home, error=os_reason(exc))
            ) from None

    def is_refundkit_folder(self) -> bool:
        """Has orders/, profile.json, or the letter templates refundkit copies in."""
        return any(os.path.lexists(self.home / name) for name in OWN_ENTRIES)

    def refuse_foreign(self) -> None:
        """A folder that holds other things is not taken over as the data folder.

        An absent or empty folder is fine (it is created or adopted on the first write); so is
        a refundkit folder, or one that holds only what refundkit itself puts there (another
        refundkit command may be making it right now). Anything else (the current folder
        through `--home .`, a home or a project folder) would get orders/ and a profile among
        its own files.
        """
        try:
            if self.is_refundkit_folder() or not os.path.isdir(self.home):
                return
            with os.scandir(self.home) as entries:
                foreign = sorted(e.name for e in entries if not _own_entry(e.name))
        except OSError:
            return  # the command's own access reports it
        if foreign:
            if len(foreign) > 1:
                message = _(
                    "{path} is not a refundkit data folder (it holds {name} and other files, "
                    "and no orders/ or profile.json): give an empty or new folder with --home "
                    "or REFUNDKIT_HOME"
                )
            else:
                message = _(
                    "{path} is not a refundkit data folder (it holds {name}, and no orders/ or "
                    "profile.json): give an empty or new folder with --home or REFUNDKIT_HOME"
                )
            raise BadFile(message.format(path=self.home, name=repr(foreign[0])))

    def open(self) -> Store:
        """Check the folder before a command uses it, and make private again what refundkit
        made and finds open to others (a `cp -r` or `git clone` of a backup leaves 0755/0644).

        Cheap when all is well: a stat of the few entries at the top, which guard everything
        below them (orders/ at 0700 keeps every order private, whatever the modes inside).
        Only when one of them is open, or a command saw an open mode on its way
        (loose_seen), is the whole folder walked.
        """
        self.refuse_foreign()
        if self._top_is_loose():
            self.restore_modes()
        return self

    def _made_by_refundkit(self) -> bool:
        """Whether refundkit created the data folder itself (see MADE_FILE)."""
        return os.path.isfile(self.home / MADE_FILE)

    def _top_is_loose(self) -> bool:
        with contextlib.suppress(OSError):
            if os.lstat(self.home).st_mode & 0o077 and self._made_by_refundkit():
                return True
        for path in (
            self.orders_dir,
            self.profile_path,
            self.templates_dir,
            *self._index_paths(),
            self.home / "trash",
        ):
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not stat.S_ISLNK(mode) and mode & 0o077:
                return True
        return False

    def _index_paths(self) -> list[Path]:
        """The status index's files at the top of the data folder (index.py)."""
        try:
            with os.scandir(self.home) as entries:
                return [Path(e.path) for e in entries if e.name.startswith(INDEX_PREFIX)]
        except OSError:
            return []

    def restore_modes(self) -> int:
        """Give what refundkit made its owner-only mode again; says so once, via notice.

        Folders 0700, files 0600, stored evidence 0400. Links are never followed, files of
        other kinds are left alone, and outside orders/ and templates/ only refundkit's own
        files are touched: the data folder itself only where refundkit created it (MADE_FILE),
        and nothing else in it, which may be the user's (refundkit may have adopted an existing
        folder). Returns how many modes were changed.
        """
        changed: list[Path] = []
        if self._made_by_refundkit():
            _set_mode(self.home, DIR_MODE, changed)
        for path in (
            *(self.home / n for n in (PROFILE_FILE, "profile.lock", "import.lock", MADE_FILE)),
            *self._index_paths(),
        ):
            _set_mode(path, FILE_MODE, changed)
        for top in (self.orders_dir, self.templates_dir, self.home / "trash"):
            for path, mode in _walk_private(top):
                _set_mode(path, mode, changed)
        self.loose_seen = False
        if changed:
            folders = sum(1 for path in changed if path.is_dir())
            files = len(changed) - folders
            parts = []
            if folders:
                parts.append(ngettext("{n} folder", "{n} folders", folders).format(n=folders))
            if files:
                parts.append(ngettext("{n} file", "{n} files", files).format(n=files))
            self.notice(
                ngettext(
                    "notice: made {what} in the data folder {path} private again "
                    "(it was open to other users)",
                    "notice: made {what} in the data folder {path} private again "
                    "(they were open to other users)",
                    len(changed),
                ).format(what=_(" and ").join(parts), path=self.home)
            )
        return len(changed)

    def order_dir(self, order_id: str) -> Path:
        return self.orders_dir / order_id

    def order_path(self, order_id: str) -> Path:
        return self.order_dir(order_id) / ORDER_FILE

    @contextlib.contextmanager
    def stat_in_orders(self) -> Iterator[Callable[[str], os.stat_result]]:
        """lstat for paths relative to the orders folder, resolved from an open handle on it
        where the system allows: a third cheaper than full paths (measured, 30,000 files).

        The last part of a path is not followed (a link is judged as a link), and a path
        through a linked order folder fails as if absent. Each result's mode is looked at
        on the way: one open to others sets loose_seen, so the caller can restore modes
        without a walk of its own.
        """
        fd = -1
        if os.stat in os.supports_dir_fd:
            with contextlib.suppress(OSError):
                fd = os.open(self.orders_dir, os.O_RDONLY | DIRECTORY | CLOEXEC)
        base = str(self.orders_dir)

        def lookup(relative: str) -> os.stat_result:
            if self.linked and relative.split("/", 1)[0] in self.linked:
                raise OSError(errno.ELOOP, _("a linked order folder"), relative)
            if fd < 0:
                info = os.stat(os.path.join(base, relative), follow_symlinks=False)
            else:
                info = os.stat(relative, dir_fd=fd, follow_symlinks=False)
            if info.st_mode & 0o077 and not stat.S_ISLNK(info.st_mode):
                self.loose_seen = True
            return info

        try:
            yield lookup
        finally:
            if fd >= 0:
                os.close(fd)

    def list_ids(self) -> list[str]:
        """Names of every order folder; hidden staging folders and stray files are skipped.

        A link where an order folder belongs is listed too (and remembered in self.linked):
        reading it is refused, so it shows as damaged instead of vanishing from the list.
        """
        try:
            entries = os.scandir(self.orders_dir)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise BadFile(
                _(
                    "cannot read the data folder {path} ({error}): "
                    "give a folder with --home or REFUNDKIT_HOME"
                ).format(path=self.orders_dir, error=os_reason(exc))
            ) from None
        names: list[str] = []
        linked: set[str] = set()
        with entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    linked.add(entry.name)
                    names.append(entry.name)
                elif entry.is_dir(follow_symlinks=False):
                    names.append(entry.name)
        self.linked = linked
        return sorted(names)

    def resolve(self, prefix: str) -> str:
        """The one order id that prefix names: an id, a unique prefix of one (as git resolves
        a short commit id), or a unique part of the merchant's or item's name (finder.py)."""
        from refundkit.finder import resolve

        return resolve(self, prefix)

    # --- orders -------------------------------------------------------------------------

    def load(self, order_id: str) -> Order:
        """Read one order; a damaged or newer-schema file raises and is left untouched."""
        return self.read_order(order_id)[0]

    def read_order(self, order_id: str) -> tuple[Order, os.stat_result]:
        """One order and the identity of the file it was read from.

        The identity comes from the open file that was read (fstat before reading), so a file
        replaced meanwhile can never lend its time stamps to the other's content: the status
        index (index.py) relies on that. Whatever is wrong with the file (a link, a FIFO,
        too large, too deep, a parser giving up) is a DamagedData about this order only.
        """
        data, info = self.read_order_bytes(order_id)
        return self.validate_order(order_id, data), info

    def read_order_bytes(self, order_id: str) -> tuple[bytes, os.stat_result]:
        """The bytes of one order.json, read safely (see read_order), and their identity."""
        path = self.order_path(order_id)
        try:
            data, info = read_regular(
                path, MAX_ORDER_BYTES, base=self.orders_dir, parts=(order_id, ORDER_FILE)
            )
        except FileNotFoundError:
            raise DamagedData(_("{path}: order.json is missing").format(path=path)) from None
        except NotRegularFile as exc:
            if exc.path != path:
                message = _("{path}: the order folder is {kind}, not a regular one")
            else:
                message = _("{path}: order.json is {kind}, not a regular one")
            raise DamagedData(message.format(path=path, kind=exc.kind)) from None
        except TooLarge as exc:
            raise DamagedData(
                _(
                    "{path}: {size} bytes, more than an order file may hold "
                    "({limit} MB): it was not written by refundkit"
                ).format(path=path, size=f"{exc.size:,}", limit=MAX_ORDER_BYTES >> 20)
            ) from None
        except OSError as exc:
            raise DamagedData(
                _("{path}: cannot read ({error})").format(path=path, error=os_reason(exc))
            ) from None
        if info.st_mode & 0o077:
            self.loose_seen = True
        return data, info

    def validate_order(self, order_id: str, data: bytes) -> Order:
        """The order in data, read from order_id's folder (read_order_bytes), validated."""
        path = self.order_path(order_id)
        order = parse_order(data, path)
        if order.id != order_id:
            # A folder copied or renamed by hand: saving it would write to another folder.
            raise DamagedData(
                _("{path}: its id {id} does not match its folder name").format(
                    path=path, id=repr(order.id)
                )
            )
        return order

    def load_all(self) -> tuple[list[Order], list[DamagedOrder]]:
        """Every readable order, and every damaged one with what is wrong with it."""
        orders: list[Order] = []
        damaged: list[DamagedOrder] = []
        for order_id in self.list_ids():
            try:
                orders.append(self.load(order_id))
            except DamagedData as exc:
                damaged.append(DamagedOrder.of(order_id, self.order_path(order_id), exc))
        return orders, damaged

    def create(
        self, build: Callable[[str], Order], stage: Callable[[Path], None] | None = None
    ) -> Order:
        """Store a new order under a fresh id; build(id) makes the record for that id.

        stage(folder), if given, first puts the files the record names (import-bill's proof)
        into the staging folder, so that they arrive with the order in the same rename.
        """
        self.ensure()
        self._sweep_staging()
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=self.orders_dir))
        try:
            if stage is not None:
                stage(staging)
            for _attempt in range(100):
                order = build(new_id())
                atomic_write(staging / ORDER_FILE, dump_order(order))
                # The lock file is born with the order, so later commands that fail
                # leave the folder exactly as it was.
                (staging / LOCK_FILE).touch(mode=FILE_MODE)
                try:
                    os.rename(staging, self.order_dir(order.id))
                except OSError:
                    continue  # that id is taken (the folder exists and is not empty)
                fsync_dir(self.orders_dir)
                self.written.add(order.id)
                return order
            raise RuntimeError("could not allocate an order id after 100 tries")
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def save(self, order: Order) -> None:
        """Write an existing order back; call only while holding its lock (see editing).

        An order that would no longer load (larger than an order file may be) is refused
        before anything is written.
        """
        data = dump_order(order)
        if len(data) > MAX_ORDER_BYTES:
            raise BadInput(
                _(
                    "order {id} would grow to {size} bytes, more than an order file "
                    "may hold ({limit} MB): nothing was changed"
                ).format(id=order.id, size=f"{len(data):,}", limit=MAX_ORDER_BYTES >> 20)
            )
        atomic_write(self.order_path(order.id), data)
        self.written.add(order.id)

    @contextlib.contextmanager
    def lock_imports(self) -> Iterator[None]:
        """The data folder's import lock: a check that a payment is not recorded yet and the
        recording of it happen under it, so concurrent imports of one payment make one order."""
        self.ensure()
        with self._locked(self.home / "import.lock", _("an import")):
            yield

    @contextlib.contextmanager
    def lock(self, order_id: str) -> Iterator[None]:
        """Hold the order's lock. An order removed to the trash (its folder renamed away)
        before or while this command waited is gone: NotFound, and nothing is changed.

        filelock creates a missing folder for its lock file, so the folder is looked at
        before, and its identity compared after: a folder made by the lock itself (holding
        only the lock file) is taken away again."""
        folder = self.order_dir(order_id)
        try:
            before = os.stat(folder)
        except FileNotFoundError:
            raise self._gone(order_id) from None
        acquired = False
        try:
            with self._locked(folder / LOCK_FILE, f"order {order_id}"):
                acquired = True
                try:
                    after = os.stat(folder)
                except FileNotFoundError:
                    after = None
                if after is None or (after.st_dev, after.st_ino) != (
                    before.st_dev,
                    before.st_ino,
                ):
                    with contextlib.suppress(OSError):
                        if os.listdir(folder) == [LOCK_FILE]:
                            os.unlink(folder / LOCK_FILE)
                            os.rmdir(folder)
                    raise self._gone(order_id)
                yield
        except FileNotFoundError as exc:  # the folder went while the lock was awaited
            if acquired or exc.filename not in (str(folder), str(folder / LOCK_FILE)):
                raise
            raise self._gone(order_id) from None

    @staticmethod
    def _gone(order_id: str) -> NotFound:
        return NotFound(
            _(
                "order {id} is no longer there (removed to the trash?): "
                "`refundkit status --all` lists the removed orders"
            ).format(id=order_id)
        )

    @contextlib.contextmanager
    def _locked(self, path: Path, what: str) -> Iterator[None]:
        """Hold the file lock at path; if another command holds it for more than a second,
        say what is being waited for, so a slow sync or a forgotten command is not a hang."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), mode=FILE_MODE)
        try:
            lock.acquire(timeout=LOCK_NOTICE_SECONDS)
        except Timeout:
            self.notice(
                _("waiting for another refundkit command to finish with {what}...").format(
                    what=what
                )
            )
            lock.acquire()
        try:
            yield
        finally:
            lock.release()

    def update(
        self,
        order_id: str,
        change: Callable[[Order], Order],
        after_save: Callable[[], None] | None = None,
    ) -> Order:
        """Load, change, validate and save one order under its lock.

        change returns the new record (or raises, and then nothing is written); the result
        is validated whole, so a change can never store an order that would not load, nor
        one whose timeline runs backwards. Evidence left by a commit that was killed is
        taken back first (see begin_placing). after_save, if given, runs once the record is
        saved, still under the lock and before the placing note is dropped (trash.py unlinks
        the files of a removed entry there).
        """
        from pydantic import ValidationError

        from refundkit.models import Order, describe_validation_error

        with self.lock(order_id):
            folder = self.order_dir(order_id)
            self._sweep_temp(folder)
            before = self.load(order_id)
            self._roll_back_placing(order_id, before)
            changed = change(before)
            try:
                # model_copy(update=...) leaves the new values as given (a category as text):
                # the dump is only for validating them again, so its type warnings are noise.
                checked = Order.model_validate(changed.model_dump(warnings=False))
            except ValidationError as exc:
                raise BadInput(describe_validation_error(exc)) from None
            _keep_timeline(before, checked)
            self.save(checked)
            if after_save is not None:
                after_save()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / PLACING_FILE)
            return checked

    # --- evidence commits ---------------------------------------------------------------

    def begin_placing(self, order_id: str, stored: list[str]) -> None:
        """Write down, durably, the evidence files about to be renamed into place.

        Called under the order's lock, before the renames; update() removes the note once
        order.json names the files. A note found under the lock is therefore from a command
        that was killed in between: the files it lists that no record names are removed,
        so a kill never leaves evidence that no record names.
        """
        path = self.order_dir(order_id) / PLACING_FILE
        atomic_write(path, "".join(f"{name}\n" for name in stored).encode())

    def _roll_back_placing(self, order_id: str, order: Order) -> None:
        folder = self.order_dir(order_id)
        note = folder / PLACING_FILE
        try:
            data, _ = read_regular(note, 1 << 20)
        except FileNotFoundError:
            return
        except (OSError, NotRegularFile, TooLarge):
            data = b""  # not ours to read: drop the note, touch no file
        named = {entry.stored_as for entry in order.evidence} | {
            text
            for e in order.evidence
            if isinstance(text := (e.model_extra or {}).get("text_as"), str)
        }
        for line in data.decode("utf-8", "replace").split("\n"):  # not splitlines: U+2028
            if line not in named and _is_evidence_name(line):
                with contextlib.suppress(OSError):
                    os.unlink(folder / line)
        with contextlib.suppress(OSError):
            os.unlink(note)
        fsync_dir(folder / "evidence")
        fsync_dir(folder)

    # --- profile ------------------------------------------------------------------------

    def load_profile(self) -> Profile:
        from refundkit.models import Profile

        try:
            data, info = read_regular(self.profile_path, MAX_PROFILE_BYTES)
        except FileNotFoundError:
            return Profile()
        except NotRegularFile as exc:
            raise BadFile(
                _(
                    "{path} is {kind}, not a regular file: move it away and "
                    "set the profile again with `refundkit profile`"
                ).format(path=self.profile_path, kind=exc.kind)
            ) from None
        except TooLarge as exc:
            raise BadFile(
                _(
                    "{path}: {size} bytes, more than a profile may hold "
                    "({limit} KB): it was not written by refundkit"
                ).format(
                    path=self.profile_path, size=f"{exc.size:,}", limit=MAX_PROFILE_BYTES >> 10
                )
            ) from None
        except OSError as exc:
            raise BadFile(
                _("cannot read {path} ({error})").format(
                    path=self.profile_path, error=os_reason(exc)
                )
            ) from None
        if info.st_mode & 0o077:
            self.loose_seen = True
        return parse_record(Profile, data, self.profile_path)

    def save_profile(self, profile: Profile) -> None:
        self.ensure()
        atomic_write(self.profile_path, profile.model_dump_json(indent=2).encode() + b"\n")

    def update_profile(self, changes: dict[str, object]) -> Profile:
        """Set some profile fields under a lock; invalid values are refused before any write."""
        from pydantic import ValidationError

        from refundkit.models import Profile, describe_validation_error

        def merged() -> Profile:
            try:
                return Profile.model_validate({**self.load_profile().model_dump(), **changes})
            except ValidationError as exc:  # the changes are the profile command's options
                raise BadInput(describe_validation_error(exc, options=True)) from None

        merged()
        self.ensure()
        with self._locked(self.home / "profile.lock", _("the profile")):
            self._sweep_temp(self.home, PROFILE_FILE)
            profile = merged()
            self.save_profile(profile)
            return profile

    # --- housekeeping -------------------------------------------------------------------

    def _sweep_staging(self) -> None:
        """Remove staging folders left by a process killed mid-create, once surely dead."""
        cutoff = time.time() - STALE_STAGING_SECONDS
        for entry in self.orders_dir.glob(".new-*"):
            with contextlib.suppress(OSError):
                if entry.lstat().st_mtime < cutoff and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)

    @staticmethod
    def _sweep_temp(folder: Path, name: str = ORDER_FILE) -> None:
        """Under the file's lock no other writer exists, so any temp file of it is stale."""
        for entry in folder.glob(f".{name}.*.tmp"):
            with contextlib.suppress(OSError):
                entry.unlink()


PLACING_FILE = ".placing"  # in the order folder: evidence being renamed into place
# What refundkit itself puts at the top of a data folder (see Store.refuse_foreign).
OWN_NAMES = frozenset(
    ("orders", PROFILE_FILE, "templates", "profile.lock", "import.lock", "trash", MADE_FILE)
)


def _own_entry(name: str) -> bool:
    """refundkit's own: a name it gives, the status index's files, a file being written."""
    temporary = name.endswith(".tmp") and name.startswith((f".{PROFILE_FILE}.", f".{INDEX_PREFIX}"))
    return name in OWN_NAMES or name.startswith(INDEX_PREFIX) or temporary


_EVIDENCE_NAME = re.compile(r"evidence/e[0-9]+-[^/\\]+")


def _is_evidence_name(relative: str) -> bool:
    """A stored_as refundkit itself would make: evidence/eN-name, nothing above or beside."""
    return bool(_EVIDENCE_NAME.fullmatch(relative)) and ".." not in relative.split("/")


def _keep_timeline(before: Order, after: Order) -> None:
    """A change may not put the purchase after a step of the dispute already logged (the
    order's own validation keeps the receipt after the purchase)."""
    if after.purchased <= before.purchased or not after.events:
        return  # an earlier purchase never puts it after an event that was after it
    first = min(after.events, key=lambda e: e.on)
    if first.on < after.purchased:
        raise BadInput(
            _(
                "purchase date {purchased} would come after the logged event {id} "
                "({event} on {day}): the purchase must come first; give a date "
                "on or before {day}"
            ).format(purchased=after.purchased, id=first.id, event=first.kind.value, day=first.on)
        )


def _walk_private(top: Path) -> Iterator[tuple[Path, int]]:
    """Every folder and regular file under top (top included) with the mode it should have;
    links are neither followed nor listed, FIFOs and devices are left out."""
    try:
        info = os.lstat(top)
    except OSError:
        return
    if not stat.S_ISDIR(info.st_mode):
        return
    yield top, DIR_MODE
    for root, dirs, files in os.walk(top):
        here = Path(root)
        # Stored evidence: orders/<id>/evidence/*, and in the trash a removed order's
        # evidence/* or a removed entry's own files (trash/<entry>/eN-...).
        evidence = top.name in ("orders", "trash") and (
            here.name == "evidence" and here.parent.parent == top
        )
        removed_entry = top.name == "trash" and here.parent == top
        for name in list(dirs):
            path = here / name
            if os.path.islink(path):
                dirs.remove(name)  # os.walk would not follow it, but say so
                continue
            yield path, DIR_MODE
        for name in files:
            path = here / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode):
                stored = (evidence and not name.startswith(".")) or (
                    removed_entry and re.match(r"e[0-9]+-", name) is not None
                )
                yield path, EVIDENCE_MODE if stored else FILE_MODE


def _set_mode(path: Path, mode: int, changed: list[Path]) -> None:
    """chmod path to mode if it is open to others; never through a link, never a file that
    is not ours (chmod would fail anyway)."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode) or not info.st_mode & 0o077:
        return
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return
    with contextlib.suppress(OSError):
        os.chmod(path, mode)
        changed.append(path)


def new_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def dump_order(order: Order) -> bytes:
    """An order.json as refundkit writes it (lightrecord.py reads back exactly this)."""
    return order.model_dump_json(indent=2).encode() + b"\n"


def parse_order(data: bytes, path: Path) -> Order:
    from refundkit.models import Order

    return parse_record(Order, data, path)


def parse_record(cls: type[RecordT], data: bytes, path: Path) -> RecordT:
    """Validate stored bytes as cls; whatever goes wrong is a DamagedData about path.

    JSON nested deeper than any record refundkit writes is refused before a parser recurses
    into it; and a parser or migration step that fails in a way not foreseen (a RecursionError,
    a MemoryError) still makes one damaged file, not a failed command.
    """
    if json_too_deep(data):
        raise DamagedData(
            _(
                "{path}: JSON nested more than {depth} levels deep: it was not written by refundkit"
            ).format(path=path, depth=MAX_JSON_DEPTH)
        )
    try:
        return _parse_record(cls, data, path)
    except (RecursionError, MemoryError, ValueError, TypeError, KeyError) as exc:
        raise DamagedData(
            _("{path}: cannot be read ({error})").format(path=path, error=type(exc).__name__)
        ) from None


def _parse_record(cls: type[RecordT], data: bytes, path: Path) -> RecordT:
    """Validate stored bytes, migrating older schemas and refusing newer ones.

    A file of today's schema takes the fast path: one validation straight from the bytes.
    An older file is upgraded through models.MIGRATIONS even when it would validate as it
    is, since a later schema may give an old field a new meaning. Nothing is written here:
    the upgraded record reaches the disk with the next change to it.
    """
    import json

    from pydantic import ValidationError

    from refundkit import models

    first_error: ValidationError | None = None
    try:
        record = cls.model_validate_json(data)
    except ValidationError as exc:
        if models.is_newer_schema(exc):
            raise NewerSchema(
                _("{path}: {problem}; upgrade refundkit to read it").format(
                    path=path, problem=models.describe_validation_error(exc)
                )
            ) from None
        first_error = exc
    else:
        if getattr(record, "schema_version", models.SCHEMA_VERSION) >= models.SCHEMA_VERSION:
            return record
    try:
        raw = json.loads(data)
    except ValueError as exc:  # also a UnicodeDecodeError
        if data.strip():
            problem = _("not valid JSON ({error})").format(error=exc)
        else:
            problem = _("empty file")
        raise DamagedData(_("{path}: {problem}").format(path=path, problem=problem)) from None
    if not isinstance(raw, dict):
        raise DamagedData(_("{path}: not a JSON object").format(path=path))
    version = raw.get("schema_version", 1)
    if not (type(version) is int and version < models.SCHEMA_VERSION):
        problem = (
            models.describe_validation_error(first_error)
            if first_error is not None
            else _("schema_version {version} is not a version number").format(version=repr(version))
        )
        raise DamagedData(_("{path}: {problem}").format(path=path, problem=problem))
    try:
        upgraded = models.migrate(raw)
    except Exception as exc:  # a step meeting hand-edited data: report the file, not a bug
        raise DamagedData(
            _("{path}: cannot upgrade it from schema_version {version} ({error})").format(
                path=path, version=version, error=f"{type(exc).__name__}: {exc}"
            )
        ) from None
    try:
        return cls.model_validate_json(json.dumps(upgraded, ensure_ascii=False))
    except ValidationError as exc:
        problem = models.describe_validation_error(exc)
        raise DamagedData(
            _("{path}: after upgrading from schema_version {version}: {problem}").format(
                path=path, version=version, problem=problem
            )
        ) from None
