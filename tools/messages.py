"""Refresh the interface's message catalogs: extract, update the .po files, compile the .mo files.

Run after changing any message wrapped in `_()` or `ngettext()`:

    .venv/bin/python tools/messages.py

It extracts every message from src/refundkit into a template (never committed), merges it into
src/refundkit/locale/zh/LC_MESSAGES/refundkit.po (new messages arrive untranslated, changed ones
marked fuzzy), and compiles each .po into the .mo the package ships. Translate the new entries in
the .po, then run it again. tests/test_messages.py fails while any message lacks its Chinese or a
.mo is older than its .po.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "refundkit"
LOCALES = PACKAGE / "locale"
DOMAIN = "refundkit"
LANGUAGES = ("zh",)
KEYWORDS = ("-k", "_", "-k", "ngettext:1,2")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / f"{DOMAIN}.pot"
        run(
            "extract",
            "--no-location",
            "--sort-output",
            "--project",
            "refundkit",
            *KEYWORDS,
            "-o",
            str(template),
            str(PACKAGE),
        )
        for language in LANGUAGES:
            po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.exists():
                run(
                    "update",
                    "-i",
                    str(template),
                    "-d",
                    str(LOCALES),
                    "-D",
                    DOMAIN,
                    "-l",
                    language,
                    "--no-wrap",
                    "--ignore-obsolete",
                )
            else:
                run(
                    "init",
                    "-i",
                    str(template),
                    "-d",
                    str(LOCALES),
                    "-D",
                    DOMAIN,
                    "-l",
                    language,
                    "--no-wrap",
                )
    run(
        "compile",
        "-d",
        str(LOCALES),
        "-D",
        DOMAIN,
        "--use-fuzzy" if "--fuzzy" in sys.argv else "--statistics",
    )


def run(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


if __name__ == "__main__":
    main()
