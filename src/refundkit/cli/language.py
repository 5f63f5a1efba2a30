"""The interface's language of a run (cli-contract.md, "The interface's language").

It is chosen twice: before click reads the command line, from what the words typed say
(RefundkitGroup.main), so that `--help` and a mistyped option speak it; and again in the
app's callback, where a --ui-lang refundkit cannot read is reported.
"""


def option_value(words: list[str], option: str) -> str | None:
    """An option's value as the user typed it (`--home X` or `--home=X`), looked for before
    the command's name, where the app's own options go."""
    for i, word in enumerate(words):
        if word == "--":
            return None
        if word == option and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
        if not word.startswith("-") and (i == 0 or words[i - 1] not in ("--home", "--ui-lang")):
            return None  # the command's name: its options are its own
    return None


def choose(option: str | None, home: str | None) -> None:
    """The interface's language from what the command line says, else the environment and the
    profile (i18n.choose); a value refundkit cannot read is left to the app's callback, which
    reports it."""
    from pathlib import Path

    from refundkit import i18n
    from refundkit.errors import RefundkitError

    try:
        from refundkit.store import PROFILE_FILE, resolve_home

        folder = resolve_home(Path(home) if home and "\x00" not in home else None)
        profile: Path | None = folder / PROFILE_FILE
    except RefundkitError:
        profile = None  # the command itself reports a bad REFUNDKIT_HOME
    i18n.setup(option if i18n.normalise(option) else None, profile)
