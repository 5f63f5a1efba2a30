"""Letter templates are data, not code: the sandbox, its limits, and where templates are read.

A user's template (copied, shared, synced) may phrase the facts it is given and nothing more:
every attempt to reach Python, change the facts, loop forever or read another file fails with
the template's file and line, exit 2, and runs nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from refundkit import letters
from refundkit.errors import BadFile
from refundkit.kinds import Lang, LetterFormat, Recipient
from refundkit.store import Store
from test_letters import AS_OF, EXAMPLE_PROFILE, example_order

Cli = Callable[..., Any]
TEMPLATE = "letters/merchant.en.md.j2"

# Each would run a command (creating MARKER) or reach Python's internals if it were not sandboxed.
ESCAPES = [
    '{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}',
    '{{ joiner.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ namespace.__init__.__globals__["os"].system("touch MARKER") }}',
    "{{ ().__class__.__mro__[1].__subclasses__() }}",
    '{{ order|attr("__class__") }}',
    '{{ "{0.__class__.__mro__}".format(order) }}',
    "{{ self._TemplateReference__context }}",
    '{{ cycler.__init__.__globals__.__builtins__.open("/etc/hostname").read() }}',
    '{{ evidence.append(1) or "" }}',  # the facts cannot be changed either
    '{% set _ = order.update({"merchant": "someone else"}) %}',
]


@pytest.fixture
def store(home: Path) -> Store:
    store = Store(home)
    store.save_profile(EXAMPLE_PROFILE)
    return store


def user_template(store: Store, text: str, name: str = TEMPLATE) -> Path:
    path = store.templates_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render(store: Store, fmt: LetterFormat = LetterFormat.MD) -> letters.Letter:
    return letters.render_letter(store, example_order(), Recipient.MERCHANT, Lang.EN, fmt, AS_OF)


def refused(store: Store, fmt: LetterFormat = LetterFormat.MD) -> str:
    with pytest.raises(BadFile) as caught:
        render(store, fmt)
    return caught.value.message


def test_letters_are_rendered_in_a_sandbox(store: Store) -> None:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    assert isinstance(letters._environment(store), ImmutableSandboxedEnvironment)


@pytest.mark.parametrize("attempt", ESCAPES)
def test_a_template_cannot_reach_python(store: Store, tmp_path: Path, attempt: str) -> None:
    marker = tmp_path / "pwned"
    text = "Dear {{ order.merchant }},\n" + attempt.replace("MARKER", str(marker))
    path = user_template(store, text)
    message = refused(store)
    assert message.startswith(f"letter template problem in {path}, line 2: ")
    assert not marker.exists()


def test_the_cli_refuses_a_hostile_template_with_exit_2_and_runs_nothing(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    order = add()
    path = home / "templates" / TEMPLATE
    path.parent.mkdir(parents=True)
    path.write_text(ESCAPES[0].replace("MARKER", str(marker)) + "\n", encoding="utf-8")
    for args in (["draft-complaint", order, "--to", "merchant", "--lang", "en"],):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: letter template problem in {path}, line 1: ")
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert not marker.exists()


def test_export_with_a_hostile_lawyer_template_runs_nothing_and_writes_nothing(
    cli: Cli, add: Any, home: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    order = add()
    path = home / "templates" / "letters" / "lawyer.zh.md.j2"
    path.parent.mkdir(parents=True)
    path.write_text(ESCAPES[1].replace("MARKER", str(marker)) + "\n", encoding="utf-8")
    result = cli("export", order, "--out", str(tmp_path / "case.zip"))
    assert result.exit_code == 2 and str(path) in result.stderr
    assert not marker.exists() and not (tmp_path / "case.zip").exists()


@pytest.mark.parametrize(
    "templates",
    [
        {TEMPLATE: "a\n{% include 'letters/merchant.en.md.j2' %}\n"},
        {TEMPLATE: "a\n{% import 'letters/merchant.en.md.j2' as me %}\n"},
        {TEMPLATE: "a\n{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}\n"},
        {
            TEMPLATE: "a\n{% include 'letters/other.j2' %}\n",
            "letters/other.j2": "{% include 'letters/merchant.en.md.j2' %}",
        },
    ],
    ids=["self-include", "self-import", "recursive-macro", "mutual-include"],
)
def test_template_recursion_is_a_template_problem_not_an_internal_error(
    store: Store, templates: dict[str, str]
) -> None:
    for name, text in templates.items():
        user_template(store, text, name)
    message = refused(store)
    assert "includes, imports or calls itself without end" in message
    assert f"{store.templates_dir}/letters/" in message and ", line " in message


def test_recursion_through_the_cli_exits_2(cli: Cli, add: Any, home: Path) -> None:
    order = add()
    path = home / "templates" / TEMPLATE
    path.parent.mkdir(parents=True)
    path.write_text("x\n{% include 'letters/merchant.en.md.j2' %}\n", encoding="utf-8")
    result = cli("draft-complaint", order, "--to", "merchant", "--lang", "en")
    assert result.exit_code == 2
    assert f"{path}, line 2: the template includes, imports or calls itself" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{{ "x" * 10**10 }}', "too much for a letter"),
        ("{{ [1, 2] * 10**9 }}", "too much for a letter"),
        ("{{ 9**999999999 }}", "too large for a letter"),
        ("{% for i in range(10**9) %}{% endfor %}", "Range too big"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ('{{ 1 + "a" }}', "TypeError"),
        ("{{ lipsum(10**6) }}", "'lipsum' is undefined"),
    ],
)
def test_runaway_or_wrong_arithmetic_is_a_template_problem(
    store: Store, text: str, says: str
) -> None:
    path = user_template(store, "a\n" + text + "\n")
    message = refused(store)
    assert f"{path}, line 2" in message and says in message


def test_small_arithmetic_still_works(store: Store) -> None:
    user_template(store, '{{ 7 * 7 }} {{ 2 ** 10 }} {{ "ab" * 3 }} {{ [1] * 2 }}\n')
    assert render(store).text == "49 1024 ababab [1, 1]\n"


# --- where templates are read from ------------------------------------------------------------


def test_a_link_out_of_the_template_folder_is_refused(store: Store, tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY\n", encoding="utf-8")
    user_template(store, "a\n{% include 'letters/key.j2' %}\n")
    link = store.templates_dir / "letters" / "key.j2"
    link.symlink_to(secret)
    message = refused(store)
    assert "outside" in message and "line 2" in message and "PRIVATE KEY" not in message
    link.unlink()
    (store.templates_dir / TEMPLATE).unlink()
    (store.templates_dir / TEMPLATE).symlink_to(secret)  # the letter itself a link
    assert "outside" in refused(store)


@pytest.mark.parametrize(
    "name",
    ["../profile.json", "../../profile.json", "letters/../../profile.json", "PROFILE"],
)
def test_no_path_leads_out_of_the_template_folders(store: Store, name: str) -> None:
    name = name.replace("PROFILE", str(store.home / "profile.json"))
    user_template(store, f"a\n{{% include {name!r} %}}\n")
    message = refused(store)
    assert "not found" in message and "line 2" in message
    assert EXAMPLE_PROFILE.phone not in message


def test_a_linked_template_folder_is_still_read(store: Store, tmp_path: Path) -> None:
    shared = tmp_path / "shared-templates"
    (shared / "letters").mkdir(parents=True)
    (shared / TEMPLATE).write_text("shared: {{ order.merchant }}\n", encoding="utf-8")
    store.home.mkdir(exist_ok=True)
    store.templates_dir.symlink_to(shared)
    assert render(store).text == "shared: 声悦数码旗舰店\n"


def test_a_fifo_in_the_template_folder_is_refused_not_waited_on(home: Path) -> None:
    """In a child process, so that a regression hangs that process, not the test run."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    store = Store(home)
    store.save_profile(EXAMPLE_PROFILE)
    user_template(store, "a\n{% include 'letters/fifo.j2' %}\n")
    os.mkfifo(store.templates_dir / "letters" / "fifo.j2")
    code = (
        "import sys; sys.path.insert(0, 'tests'); from test_sandbox import *; "
        "from pathlib import Path; print(refused(Store(Path(sys.argv[1]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(home)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert "is not a regular file" in done.stdout and "line 2" in done.stdout


def test_a_huge_or_binary_template_is_refused(store: Store) -> None:
    path = user_template(store, "x" * ((1 << 20) + 1))
    assert "larger than 1 MB" in refused(store)
    path.write_bytes(b"\xff\xfe bad")
    assert "not UTF-8" in refused(store)
