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
        add_help_texts(template)
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


def add_help_texts(template: Path) -> None:
    """Add the help of every command and option to the template: the code writes it in English
    (docstrings, help=), not inside `_()`, and cli/helpview.py looks it up when help is shown."""
    from babel.messages.pofile import read_po, write_po

    with template.open("rb") as f:
        catalog = read_po(f)
    for text in help_texts():
        if text not in catalog:
            catalog.add(text, auto_comments=["help text (cli/helpview.py)"])
    with template.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True)


def help_texts() -> list[str]:
    """Each command's help and short help, each parameter's help, in the app as built."""
    sys.path.insert(0, str(ROOT / "src"))
    import typer

    from refundkit.cli import app

    texts: list[str] = []

    def walk(command: object) -> None:
        for text in (getattr(command, "help", None), getattr(command, "short_help", None)):
            if text:
                texts.append(text)
        for param in getattr(command, "params", []):
            if getattr(param, "help", None):
                texts.append(param.help)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    root = typer.main.get_command(app)
    walk(root)
    texts.append("Show this message and exit.")  # --help's, which click adds to each command
    return sorted(set(texts))


def run(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


if __name__ == "__main__":
    main()
