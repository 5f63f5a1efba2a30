"""Long output through a pager in a terminal, as git does.

`status ORDER`, `--help` and a letter printed to the terminal go through a pager when stdout
is a terminal and the text is taller than it; never when the output is piped or redirected.
The pager is REFUNDKIT_PAGER, else PAGER, else `less` (or `more`) where one is installed; an
empty value or `cat` means none, and NO_PAGER (any value) or `refundkit --no-pager` turns
paging off. As git does, LESS defaults to FRX (show colours, leave the text on the screen,
quit at once if it fits after all) and LV to -c, and the command runs through the shell, so
PAGER may carry options.

The standard library's pydoc.pager was the first choice, but it does not do this: it reads
MANPAGER, starts a shell to look for `less` on every call, leaves LESS unset (so `less` shows
colour codes as text and clears the screen on exit), and pages a text of any height. Click's
echo_via_pager is not in the click that Typer ships.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from collections.abc import Iterator

ANSI_ESCAPE = "\x1b["
_disabled = False


def set_disabled(disabled: bool) -> None:
    """--no-pager: this run prints straight to the terminal."""
    global _disabled
    _disabled = disabled


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def command() -> str | None:
    """The pager to run, or None: not a terminal, turned off, or none to be found."""
    if _disabled or os.environ.get("NO_PAGER") or not stdout_is_terminal():
        return None
    for name in ("REFUNDKIT_PAGER", "PAGER"):
        chosen = os.environ.get(name)
        if chosen is not None:
            chosen = chosen.strip()
            return None if chosen in ("", "cat") else chosen
    if os.environ.get("TERM") == "dumb":
        return None
    for program in ("less", "more"):
        if shutil.which(program):
            return program
    return None


def page(text: str) -> None:
    """Write text to stdout, through the pager if it is taller than the terminal."""
    chosen = command()
    if chosen is None or not taller_than_terminal(text):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    run(chosen, text)


@contextlib.contextmanager
def paging() -> Iterator[None]:
    """What the block prints to stdout goes through page() at its end (even if it ends in
    an error: what was shown stays shown). Printing code needs no change: it writes to a
    buffer that stands in for the terminal (it says it is one, so colours stay on)."""
    if command() is None:
        yield
        return
    real = sys.stdout
    buffer = _Terminal(real)
    sys.stdout = buffer
    try:
        yield
    finally:
        sys.stdout = real
        page(buffer.getvalue())


class _Terminal(io.StringIO):
    """A text buffer standing in for the terminal while output is collected for the pager."""

    def __init__(self, real: object) -> None:
        super().__init__()
        self.real = real

    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", None) or "utf-8"


def taller_than_terminal(text: str) -> bool:
    """Whether text takes more rows than the terminal has, wrapped lines counted."""
    from refundkit.wrap import cell_width

    size = shutil.get_terminal_size()
    rows, columns = max(size.lines - 1, 1), max(size.columns, 1)
    used = 0
    for line in text.splitlines():
        if ANSI_ESCAPE in line:
            line = _without_escapes(line)
        used += max(1, -(-cell_width(line) // columns))
        if used > rows:
            return True
    return False


def _without_escapes(line: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line)


def _less_prompt() -> str:
    """less's bottom line says how to leave: its bare ':' stopped users who never met a pager.
    ASCII in every language: less 590 (Debian 12, Ubuntu 22.04) shows a UTF-8 prompt as
    <U+0089>^@ garbage. At the end "(END) : q to quit", as less says it; colons are escaped,
    and ?e...:... . is less's prompt language for "at the end, else"."""
    return "?e(END) \\: q to quit:(q\\: quit, space\\: next page)."


def run(chosen: str, text: str) -> None:
    """Give text to the pager and wait for it; if it cannot be started, print text here."""
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX -Ps" + _less_prompt() + "$")
    env.setdefault("LV", "-c")
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if encoding.lower().replace("-", "") == "utf8":
        # What is sent is UTF-8; less reads its charset from the locale, and a locale the
        # system lacks (LANG=zh_CN.UTF-8 with no zh_CN installed) made it show <E5><A3><B0>.
        env.setdefault("LESSCHARSET", "utf-8")
    try:
        data = text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode(encoding, "replace")
    sys.stdout.flush()
    try:
        process = subprocess.Popen(chosen, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # the user quit before the end: fine
        process.stdin.write(data)
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()
    while True:  # Ctrl-C is the pager's to handle; wait for it to end, as git does
        try:
            process.wait()
            break
        except KeyboardInterrupt:
            continue
    if process.returncode in (126, 127):  # the shell could not run it: show the text anyway
        sys.stdout.write(text)
        sys.stdout.flush()
