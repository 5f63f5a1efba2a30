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
