"""The Jinja2 environment letter templates run in: a sandbox, fed only from the template folders.

Templates are data, not code. A user copies one into the data folder and edits it; data folders
are shared and synced, and templates are passed around. So a template may phrase the facts it
is given and nothing more:

- It runs in Jinja's ImmutableSandboxedEnvironment. No attribute starting with `_` (the way from
  a value to Python's internals: `cycler.__init__.__globals__.os`), no method that changes a
  value, and `str.format` is checked the same way. Reaching for one is a SecurityError.
- Powers and repetitions that would take minutes or gigabytes (`9**9**9`, `"x" * 10**10`) are
  refused when the template runs, as Jinja itself refuses a `range` over 100,000 items (an
  intercepted operator is never folded into a constant while compiling).
- Templates are read only from the template folders: no `..`, no link leading outside them,
  and nothing but a regular file of at most 1 MB (a FIFO would hang, /dev/zero never ends).

Every refusal is a jinja2.TemplateError, which letters.py reports with the template's file and
line. This module imports Jinja2 at the top: only letters.py imports it, inside a function.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from refundkit.errors import os_reason
from refundkit.i18n import _

MAX_TEMPLATE_BYTES = 1 << 20  # the built-in letters are a few KB each
MAX_REPEAT = 1_000_000  # items or characters one `*` may build
MAX_POWER_BITS = 100_000  # about 30,000 decimal digits


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with `*` and `**` held to sizes a letter could use."""

    intercepted_binops = frozenset(("*", "**"))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse a power or a repetition whose result would be absurdly large."""
    if operator == "**" and _power_bits(left, right) > MAX_POWER_BITS:
        raise SecurityError(
            _("the power {power} is too large for a letter").format(power=f"{left}**{right}")
        )
    if operator != "*":
        return
    for sequence, times in ((left, right), (right, left)):
        size = len(sequence) if isinstance(sequence, str | list | tuple) else 0
        if isinstance(times, int) and size * times > MAX_REPEAT:
            raise SecurityError(
                _("repeating {size} items {times} times is too much for a letter").format(
                    size=size, times=times
                )
            )


def _power_bits(base: Any, exponent: Any) -> int:
    """About how many bits base**exponent takes, for whole numbers (0 for anything else)."""
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 0:
        return 0
    return max(abs(base).bit_length(), 1) * exponent


class FolderLoader(jinja2.BaseLoader):
    """Templates by name from the first folder that has one (the user's, then the built-ins).

    Unlike jinja2.FileSystemLoader it follows no link out of its folder, and reads only a
    regular file of bounded size.
    """

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = list(roots)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses `..`; drops a leading /
        for root in self.roots:
            path = root.joinpath(*pieces)
            if pieces and os.path.lexists(path):
                return read_template(root, path, template), str(path), _always_fresh
        raise jinja2.TemplateNotFound(template)


def _always_fresh() -> bool:
    return True  # the environment is rebuilt when a user template changes (letters.py)


def read_template(root: Path, path: Path, name: str) -> str:
    """The text of path, which must resolve to a regular file inside root."""
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([real, real_root]) != real_root:
        raise SecurityError(
            _(
                "template {name} ({path}) is a link to {real}, outside {root}: templates may "
                "only read files inside the template folders"
            ).format(name=repr(name), path=path, real=real, root=root)
        )
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise jinja2.TemplateError(
            _("template {name} cannot be read ({error})").format(
                name=repr(name), error=os_reason(exc)
            )
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise jinja2.TemplateError(
                _("template {name} ({path}) is not a regular file").format(
                    name=repr(name), path=path
                )
            )
        data = handle.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise jinja2.TemplateError(
            _("template {name} ({path}) is larger than {limit} MB").format(
                name=repr(name), path=path, limit=MAX_TEMPLATE_BYTES >> 20
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise jinja2.TemplateError(
            _("template {name} ({path}) is not UTF-8 text (byte {byte})").format(
                name=repr(name), path=path, byte=exc.start
            )
        ) from None


def environment(roots: Sequence[Path], **options: Any) -> jinja2.Environment:
    """A sandboxed environment loading from roots (first wins); options as for Jinja's own.

    lipsum is taken out of the globals: it can write megabytes of filler and a letter never
    needs it. range, dict, cycler, joiner and namespace stay.
    """
    env = LetterSandbox(loader=FolderLoader(roots), **options)
    env.globals.pop("lipsum", None)
    return env
