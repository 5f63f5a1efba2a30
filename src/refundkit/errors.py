"""Every failure the user can cause, as one exception family with an exit code.

The core raises these; the CLI catches them in one place and prints one line on stderr, so a
user never sees a traceback for a mistake they can fix.
"""

from __future__ import annotations


class RefundkitError(Exception):
    """A problem the user can fix; the message says what was wrong and how to fix it."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(RefundkitError):
    """A wrong value on the command line (a date, an amount, an option combination)."""


class NotFound(RefundkitError):
    """An order id or prefix that names no order, or names several."""


class Duplicate(RefundkitError):
    """Evidence whose content is already attached to the order."""


class BadFile(RefundkitError):
    """A path that is not a regular readable file, or a file of the wrong kind."""


class DamagedData(RefundkitError):
    """A stored file that cannot be read; it is reported and never overwritten."""

    exit_code = 1


class NewerSchema(DamagedData):
    """Data written by a newer refundkit; refused rather than silently rewritten."""


def os_reason(exc: OSError) -> str:
    """Why the system refused, in the interface's language: the C library's own text
    (exc.strerror) is English whatever the locale, so the reasons a user can meet are said
    here; any other keeps the system's words."""
    import errno

    from refundkit.i18n import _

    reasons = {
        errno.ENOENT: lambda: _("no such file or folder"),
        errno.EACCES: lambda: _("permission denied"),
        errno.EPERM: lambda: _("permission denied"),
        errno.ENOTDIR: lambda: _("a part of the path is a file, not a folder"),
        errno.EISDIR: lambda: _("it is a folder"),
        errno.ENAMETOOLONG: lambda: _("the name is too long"),
        errno.ENOSPC: lambda: _("the disk is full"),
        errno.EDQUOT: lambda: _("the disk quota is used up"),
        errno.EROFS: lambda: _("the disk is read-only"),
        errno.EIO: lambda: _("input/output error (the disk may be failing)"),
        errno.ELOOP: lambda: _("too many symbolic links"),
        errno.EMFILE: lambda: _("too many open files"),
        errno.ENFILE: lambda: _("too many open files"),
        errno.EBUSY: lambda: _("the file is in use"),
        errno.EEXIST: lambda: _("it already exists"),
    }
    said = reasons.get(exc.errno) if exc.errno is not None else None
    return said() if said else str(exc.strerror or exc)
