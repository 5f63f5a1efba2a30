"""Hostile input: hypothesis throws random values and option combinations at every command.

The commands are read from the Typer app itself, so a command added later is fuzzed too. For
each one, hypothesis draws a value for every parameter from what fits its type and name, mixed
with hostile text (RTL and zero-width marks, emoji, control characters, NUL, lone surrogates
as a non-UTF-8 argv would give, template syntax, huge numbers), odd dates and hostile paths
(`../`, absolute, symlinks, loops, folders, FIFOs, devices, files inside the data folder).

Whatever comes in: no traceback (the only exception a result may carry is SystemExit), exit
code 0, 1 or 2, no hang (a FIFO is refused, not opened), the data folder and the sandbox
around it unchanged byte for byte after a failure, and after a success the data folder still
loads whole, holds no symlink, and every evidence file verifies.

A NUL cannot be in a real argv; CliRunner passes it through anyway, and the core functions are
fuzzed with it directly. A real non-UTF-8 argv is tested through a subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from refundkit import cases, timeline
from refundkit.cli import app
from refundkit.errors import RefundkitError
from refundkit.evidence import add_evidence, verify_order
from refundkit.kinds import EvidenceKind
from refundkit.store import Store

# Per command; fixed and derandomized, so CI sees the same inputs every run. For a deeper
# local run: REFUNDKIT_FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, SIGALRM, POSIX modes")

EXAMPLES = int(os.environ.get("REFUNDKIT_FUZZ_EXAMPLES", 20))
HEAVY = {"export": 8, "draft-complaint": 10, "demo": 8}  # each run renders letters: slower
if "REFUNDKIT_FUZZ_EXAMPLES" in os.environ:
    HEAVY = {name: EXAMPLES for name in HEAVY}
HANG_SECONDS = 10
TODAY = date.today()

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="REFUNDKIT_FUZZ_EXAMPLES" not in os.environ,  # a deep run explores afresh
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def _walk(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, (*prefix, name))
    else:
        yield prefix, command


COMMANDS = dict(_walk(typer.main.get_command(app)))

# --- value strategies ---------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\u2066\u2069",
    "😀",
    "👨‍👩‍👧‍👦",
    "声悦数码旗舰店",
    "ﾃｽﾄ",
    "a\x00b",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\x07\x08",
    "\udcff",  # what a non-UTF-8 byte in argv becomes
    "\ud800",
    "-",
    "--",
    "--help",
    "-h",
    "--version",
    "{{ 7 * 7 }}",
    "{% for x in range(99999999) %}x{% endfor %}",
    "{{ ''.__class__.__mro__ }}",
    "<script>alert(1)</script>",
    "[bold red]markup[/]",
    "*bold* _it_ `code` # h",
    "%s%n%x",
    "'; DROP TABLE orders; --",
    "../../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\x",
    "x" * 501,
    "长" * 301,
    "a\u0301" * 40,
    "NaN",
    "Infinity",
    "-1",
    "0",
]
DATES = [
    "today",
    "yesterday",
    "今天",
    "前天",
    "3 days ago",
    "0 days ago",
    "99999 days ago",
    "100000 days ago",
    "tomorrow",
    "2026-02-29",
    "2024-02-29",
    "2026-13-01",
    "2026-00-10",
    "0001-01-01",
    "9999-12-31",
    "03/04/2026",
    "13/04/2026",
    "2026年11月20日",
    "２０２６－１１－２０",
    "20 Nov 2026",
    "2026-11-20 25:61",
    "2026-11-20T21:14",
    "2026-11-20 21:14 +0800",
    "1e9",
    "   ",
]
AMOUNTS = [
    "199",
    "¥199.00",
    "￥199",
    "199元",
    "1,299.00",
    "0",
    "-5",
    "0.001",
    "1e5",
    "1E+999999",
    "NaN",
    "sNaN",
    "Infinity",
    "999999999999999999999",
    "１９９",
    "١٢٣",
    "1,2,3",
    "¥",
    ".5",
    "5.",
    "$ 5",
]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
        st.builds(
            lambda a, b, c: a + b + c,
            st.sampled_from(HOSTILE),
            st.text(max_size=8),
            st.sampled_from(HOSTILE),
        ),
    )


def date_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(DATES),
        st.dates().map(date.isoformat),
        st.dates(min_value=date(2000, 1, 1), max_value=TODAY).map(
            lambda d: d.strftime(st_fmt_choice(d))
        ),
        st.integers(-10, 10**6).map(lambda n: f"{n} days ago"),
        hostile_text(),
    )


def st_fmt_choice(day: date) -> str:
    return ("%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%d %b %Y", "%Y%m%d")[day.toordinal() % 5]


def amount_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(AMOUNTS),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(str),
        st.integers().map(str),
        hostile_text(),
    )


# Paths are drawn as templates and filled in per example: {box} is a fresh sandbox, {home}
# the data folder inside it, {id} the main order's id. The working directory is {box}/cwd.
INPUT_PATHS = [
    "{box}/files/证据 😀.png",
    "../files/证据 😀.png",
    "{box}/files/../files/proof.txt",
    "{box}/files/link-to-proof",
    "{box}/files/broken-link",
    "{box}/files/loop",
    "{box}/files/dir-link",
    "{box}/files",
    "{box}/files/fifo",
    "{box}/files/bill.csv",
    "{box}/files/empty",
    "{box}/files/\u202egnp.exe",
    "{box}/files/.hidden",
    "{box}/files/nope.png",
    "{home}/orders/{id}/order.json",
    "{home}/profile.json",
    "{home}/orders/{id}/evidence",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/etc/hostname",
    "/",
    ".",
    "..",
    "",
    "-",
    "a\x00b.png",
    "\udcff.png",
]
OUTPUT_PATHS = [
    "out.md",
    "out.ics",
    "out.zip",
    "../out/letter.md",
    "{box}/out/x.ics",
    "{box}/out/new-folder/x.zip",
    "{box}/out/existing.md",
    "{box}/out/existing.ics",
    "{box}/out/existing.zip",
    "{box}/out/fifo.ics",
    "{box}/out/fifo",
    "{box}/out/link-to-existing.md",
    "{box}/out/broken-link.ics",
    "{box}/out",
    "{box}/files/proof.txt",
    "{home}/orders/{id}/order.json",
    "{home}/orders/{id}/x.ics",
    "{home}/profile.json",
    "{home}",
    "{home}/new",
    "",
    ".",
    "-",
    "a\x00b.ics",
    "\udcff.md",
    "长" * 300 + ".md",
]
ORDER_REFS = ["{id}", "{id3}", "{ID}", " {id} ", "{id}x", "{other}", "{id1}", "zzzz", "-"]


def input_path() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(INPUT_PATHS), hostile_text())


def output_path() -> st.SearchStrategy[str]:
    """Where a command is told to write: always inside the sandbox. CI runs as root, and a
    drawn `/etc/passwd` must not get the chance to be replaced by a letter."""
    relative = st.text(min_size=1, max_size=12).map(lambda t: t.lstrip("/~") or "x")
    return st.one_of(st.sampled_from(OUTPUT_PATHS), relative)


def order_ref() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ORDER_REFS), st.sampled_from(ORDER_REFS), hostile_text())


def valid_for(param: Any, path: tuple[str, ...]) -> str:
    """A value that works, so the hostile value drawn for another parameter gets its turn."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", str)
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    name = param.name or ""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str(next(iter(annotation)).value)
    if annotation is int:
        return str(getattr(param, "min", None) or 7)
    if annotation is Path:
        if name in ("out", "folder"):
            suffix = {"calendar": ".ics", "export": ".zip"}.get(path[0], ".md")
            return f"out{suffix}" if name == "out" else "demo-folder"
        return "{box}/files/bill.csv" if path[0] == "import-bill" else "{box}/files/proof.txt"
    if name == "order":
        return "{id}"
    if name in ("purchased", "received", "on", "taken", "as_of"):
        return "yesterday"
    if name == "amount":
        return "199"
    if name == "currency":
        return "CNY"
    if name == "name" and param.required:
        return "letters/merchant.zh.md.j2"
    return "声悦数码旗舰店 😀"


def hostile_for(param: Any) -> st.SearchStrategy[str]:
    """Values that should be refused (or taken as they are), by the parameter's type and name."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", str)
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    name = param.name or ""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = [m.value for m in annotation]
        return st.one_of(st.sampled_from(values), hostile_text())
    if annotation is int:
        return st.one_of(st.integers().map(str), hostile_text())
    if annotation is Path:
        return output_path() if name in ("out", "folder") else input_path()
    if name == "order":
        return order_ref()
    if name in ("purchased", "received", "on", "taken", "as_of"):
        return date_text()
    if name == "amount":
        return amount_text()
    if name == "currency":
        return st.one_of(st.sampled_from(["eur", "usd ", "RMB", "人民币", "C N Y"]), hostile_text())
    if name == "pick":
        return st.one_of(st.sampled_from(["4200001", "42", "", "T1"]), hostile_text())
    if name == "name" and param.required:  # templates copy NAME
        return st.one_of(
            st.sampled_from(["../../x", "/etc/passwd", "letters/../../../x", "nope"]),
            hostile_text(),
        )
    return hostile_text()


CONTRACT_REQUIRED = ("merchant", "item", "amount", "kind")  # asked for in a terminal


@st.composite
def argv_for(draw: st.DrawFn, path: tuple[str, ...]) -> list[str]:
    """Options in any combination (required ones sometimes left out), arguments in order.

    Each value is a working one seven times in ten and a hostile one otherwise, so one bad
    value usually meets an otherwise sound command line and reaches deep into the command.
    """
    command = COMMANDS[path]
    args: list[str] = []
    positionals: list[str] = []

    def value(param: Any) -> str:
        if draw(st.integers(0, 9)) < 7:
            return valid_for(param, path)
        return draw(hostile_for(param))

    for param in command.params:
        is_option = bool(param.opts and param.opts[0].startswith("-"))
        if not is_option:
            if param.required or draw(st.booleans()):
                count = draw(st.integers(1, 3)) if param.nargs == -1 else 1
                positionals += [value(param) for _ in range(count)]
            continue
        likely = param.required or param.name in CONTRACT_REQUIRED
        if draw(st.integers(0, 9)) >= (9 if likely else 4):
            continue
        if getattr(param, "is_flag", False):
            args.append(param.opts[0])
        else:
            args += [param.opts[0], value(param)]
    if draw(st.integers(0, 19)) == 0:
        args.append(draw(st.sampled_from(["--bogus", "extra", "--help", "-x", "--"])))
    return [*path, *args, *positionals]


@pytest.fixture(scope="module", autouse=True)
def fast_runs() -> Iterator[None]:
    """Typer rebuilds the same click command on every invoke (~50 ms): build it once. And no
    fsync: this module is about what input does, durability is test_crash.py's subject."""
    import typer.testing

    built = typer.main.get_command(app)
    original = typer.testing._get_command
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda a: built if a is app else original(a))
        patch.setattr(os, "fsync", lambda fd: None)
        yield


# --- the sandbox --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One data folder with two orders, evidence, events and a profile, copied per example."""
    base = tmp_path_factory.mktemp("fuzz-seed")
    store = Store(base / "home")
    now = datetime.now()
    purchased = (TODAY - timedelta(days=3)).isoformat()
    main = cases.add_order(
        store,
        {
            "merchant": "声悦数码旗舰店",
            "item": "蓝牙耳机 🎧",
            "amount": "¥399",
            "purchased": purchased,
            "received": "yesterday",
            "mini_program": "声悦数码商城",
            "order_no": "SY-1",
        },
        now,
    )
    other = cases.add_order(store, {"merchant": "m", "item": "i", "amount": "5"}, now)
    timeline.log_event(store, main.id, {"event": "contacted-merchant", "note": "问退货"}, now)
    proof = base / "聊天记录.png"
    proof.write_bytes(b"\x89PNG\r\n\x1a\n" + "客服：不退".encode() * 50)
    add_evidence(store, main.id, [proof], EvidenceKind.CHAT, "拒绝", None, now)
    cases.update_profile(store, {"name": "张三", "phone": "13800000000"})
    return {"home": store.home, "id": main.id, "other": other.id}


def make_box(seed: dict[str, Any], box: Path) -> dict[str, str]:
    home = box / "home"
    shutil.copytree(seed["home"], home, symlinks=True)
    files = box / "files"
    files.mkdir()
    (files / "证据 😀.png").write_bytes(b"\x89PNG\r\n\x1a\nfuzz")
    (files / "proof.txt").write_bytes(b"proof")
    (files / "empty").write_bytes(b"")
    (files / "\u202egnp.exe").write_bytes(b"rtl")
    (files / ".hidden").write_bytes(b"hidden")
    (files / "bill.csv").write_text("微信支付账单明细\n", encoding="utf-8")
    (files / "link-to-proof").symlink_to(files / "proof.txt")
    (files / "broken-link").symlink_to(files / "gone")
    (files / "loop").symlink_to(files / "loop")
    (files / "dir-link").symlink_to(files)
    os.mkfifo(files / "fifo")
    out = box / "out"
    out.mkdir()
    for name in ("existing.md", "existing.ics", "existing.zip"):
        (out / name).write_bytes(b"keep me")
    (out / "link-to-existing.md").symlink_to(out / "existing.md")
    (out / "broken-link.ics").symlink_to(out / "gone.ics")
    os.mkfifo(out / "fifo.ics")
    os.mkfifo(out / "fifo")
    (box / "cwd").mkdir()
    order_id: str = seed["id"]
    return {
        "{box}": str(box),
        "{home}": str(home),
        "{id3}": order_id[:3],
        "{id1}": order_id[:1],
        "{ID}": order_id.upper(),
        "{id}": order_id,
        "{other}": seed["other"],
    }


def fill(arg: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        arg = arg.replace(key, value)
    return arg


def tree(folder: Path) -> dict[str, Any]:
    """Every entry under folder, without following links or opening FIFOs: kind, mode, bytes."""
    seen: dict[str, Any] = {}
    for root, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(root) / name
            info = path.lstat()
            rel = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[rel] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
            else:
                seen[rel] = ("other", stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode))
    return seen


@contextlib.contextmanager
def no_hang(what: str) -> Iterator[None]:
    """Fail, rather than hang the suite, if a command blocks (on a FIFO, say)."""

    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"hung for {HANG_SECONDS} s: {what}")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_fuzzed(seed: dict[str, Any], argv: list[str]) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as name:
        box = Path(name)
        names = make_box(seed, box)
        home = Path(names["{home}"])
        args = ["--home", str(home), *(fill(a, names) for a in argv)]
        before = tree(box)
        cwd, temp = os.getcwd(), tempfile.tempdir
        os.chdir(box / "cwd")
        tempfile.tempdir = str(box / "cwd")  # `demo` without --folder makes a temp folder
        try:
            with no_hang(repr(args)):
                result = runner.invoke(app, args)
        finally:
            os.chdir(cwd)
            tempfile.tempdir = temp
        shown = f"{args!r}\nexit {result.exit_code}\n{result.output[-2000:]}"
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            import traceback

            detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            pytest.fail(f"exception escaped: {shown}\n{detail}")
        assert result.exit_code in (0, 1, 2), shown
        assert "Traceback" not in result.output, shown
        if result.exit_code != 0:
            after = tree(box)
            changed = sorted(
                k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
            )
            assert not changed, f"a failed command changed {changed}: {shown}"
        if home.exists():
            check_data_folder(home, shown)


def check_data_folder(home: Path, shown: str) -> None:
    """After any command: every order loads, nothing is a link, every evidence file verifies."""
    store = Store(home)
    orders, damaged = store.load_all()
    assert not damaged, f"{damaged}: {shown}"
    for path in home.rglob("*"):
        assert not path.is_symlink(), f"a link in the data folder: {path}: {shown}"
    for order in orders:
        bad = [c for c in verify_order(store, order) if c.status != "ok"]
        assert not bad, f"{bad}: {shown}"


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_fuzz_command(path: tuple[str, ...], seed: dict[str, Any]) -> None:
    @settings(FUZZ, max_examples=HEAVY.get(path[0], EXAMPLES))
    @given(argv=argv_for(path))
    def fuzz(argv: list[str]) -> None:
        run_fuzzed(seed, argv)

    fuzz()


@FUZZ
@given(
    argv=st.lists(
        st.one_of(
            st.sampled_from(sorted({p[0] for p in COMMANDS})),
            st.sampled_from(["--home", "--version", "--help", "{id}", "{box}/files/fifo"]),
            hostile_text(),
        ),
        max_size=6,
    )
)
def test_fuzz_any_argv(argv: list[str], seed: dict[str, Any]) -> None:
    """Garbage argv at the top level: still only clean errors."""
    run_fuzzed(seed, argv)


# --- NUL and friends through the core, where no argv stands in the way ---------------------

NASTY = st.one_of(
    st.sampled_from(["\x00", "a\x00b", "\udcff", "\ud800x", "\x1b[2J", "x\x07"]),
    st.text(min_size=1, max_size=10).map(lambda t: t + "\x00"),
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(text=NASTY, field=st.sampled_from(["merchant", "item", "note", "operator", "order_no"]))
def test_core_refuses_nul_and_lone_surrogates(
    text: str, field: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = Store(tmp_path_factory.mktemp("core") / "home")
    now = datetime.now()
    base = {"merchant": "m", "item": "i", "amount": "1", "jurisdiction": "cn"}
    with pytest.raises(RefundkitError):
        cases.add_order(store, {**base, field: text}, now)
    assert not store.home.exists() or store.list_ids() == []
    order = cases.add_order(store, base, now)
    before = (store.order_dir(order.id) / "order.json").read_bytes()
    for attempt in (
        lambda: cases.edit_order(store, order.id, {field: text}, now),
        lambda: timeline.log_event(
            store, order.id, {"event": "contacted-merchant", "note": text}, now
        ),
        lambda: timeline.log_event(
            store, order.id, {"event": "contacted-merchant", "ref": text}, now
        ),
        lambda: timeline.log_event(
            store, order.id, {"event": "contacted-merchant", "on": text}, now
        ),
        lambda: cases.update_profile(store, {"name": text}),
        lambda: store.resolve(text),
        lambda: add_evidence(store, order.id, [Path(text)], EvidenceKind.CHAT, None, None, now),
        lambda: add_evidence(
            store, order.id, [store.home / "x"], EvidenceKind.CHAT, text, text, now
        ),
    ):
        with pytest.raises(RefundkitError):
            attempt()
    assert (store.order_dir(order.id) / "order.json").read_bytes() == before
    assert not store.profile_path.exists()


def test_non_utf8_argv_is_a_clean_error_in_a_real_process(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; never an internal error."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "REFUNDKIT_HOME"}
    env.update(LC_ALL="C.UTF-8", PYTHONUTF8="1")
    odd = tmp_path / os.fsdecode(b"shot-\xff\xfe.png")
    odd.write_bytes(b"\x89PNG\r\n\x1a\nodd name")

    def run(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "refundkit", "--home", str(home), *args],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )

    def run_all(many: list[tuple[str | bytes, ...]]) -> list[subprocess.CompletedProcess[bytes]]:
        """Side by side: each is a fresh interpreter, and they do not touch the same data."""
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "refundkit", "--home", str(home), *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                stdin=subprocess.DEVNULL,
            )
            for args in many
        ]
        done = []
        for proc, args in zip(procs, many, strict=True):
            out, err = proc.communicate(timeout=60)
            done.append(subprocess.CompletedProcess(list(args), proc.returncode, out, err))
        return done

    bad = run("add-order", "--merchant", b"\xff\xfe", "--item", "i", "--amount", "1")
    assert bad.returncode == 2, bad.stderr
    assert bad.stderr.startswith(b"error: ") and b"internal error" not in bad.stderr
    assert not (home / "orders").exists() or not list((home / "orders").iterdir())
    done = run("add-order", "--merchant", "m", "--item", "i", "--amount", "1")
    assert done.returncode == 0, done.stderr
    (order_id,) = os.listdir(home / "orders")
    refused = [
        ("log", order_id, "contacted-merchant", "--note", b"\xff"),
        ("edit", order_id, "--item", b"\xc3"),
        ("profile", "--name", b"\xed\xa0\x80"),
        ("status", b"\xff"),
    ]
    for args, result in zip(refused, run_all(refused), strict=True):
        assert result.returncode == 2, (args, result.stderr)
        assert b"internal error" not in result.stderr and b"Traceback" not in result.stderr
    # A file whose name is not UTF-8 is attached under a readable name, or refused cleanly.
    attach = run("add-evidence", order_id, os.fsencode(odd), "--kind", "chat")
    assert attach.returncode in (0, 2), attach.stderr
    assert b"internal error" not in attach.stderr and b"Traceback" not in attach.stderr
    status = run("status", "--json")
    assert status.returncode == 0, status.stderr
    json.loads(status.stdout)
    verify = run("verify")
    assert verify.returncode == 0, verify.stdout


def test_fifo_and_devices_are_refused_without_hanging(tmp_path: Path, cli: Any, add: Any) -> None:
    order_id = add()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link-to-fifo"
    link.symlink_to(fifo)
    for path in (fifo, link, Path("/dev/zero"), Path("/dev/null"), Path("/dev/urandom")):
        with no_hang(str(path)):
            result = cli("add-evidence", order_id, str(path), "--kind", "chat")
        assert result.exit_code == 2 and "not a regular file" in result.stderr, result.output
    for args in (
        ("import-bill", str(fifo)),
        ("draft-complaint", order_id, "--out", str(fifo)),
        ("calendar", "--out", str(tmp_path / "fifo.ics")),
        ("export", order_id, "--out", str(fifo)),
    ):
        if args[0] not in {p[0] for p in COMMANDS}:
            continue
        if args[0] == "calendar":
            os.mkfifo(tmp_path / "fifo.ics")
        with no_hang(repr(args)):
            result = cli(*args)
        target = Path(args[-1])
        if args[0] == "import-bill" or result.exit_code != 0:
            # Read from: refused. Written to: refused, or replaced by a regular file whole
            # (an atomic rename over the name); never opened, which would block.
            assert result.exit_code in (1, 2), (args, result.output)
            assert stat.S_ISFIFO(target.lstat().st_mode)
        else:
            assert stat.S_ISREG(target.lstat().st_mode), (args, result.output)


WORST_TEXT = ["a\x00b", "\udcff", "长" * 501]
WORST: dict[str, list[str]] = {
    "text": WORST_TEXT,
    "order": ["a\x00b", "\udcff", "{id1}", "../{id}"],
    "input": [
        "{box}/files/fifo",
        "a\x00b.png",
        "/dev/zero",
        "{box}/files/loop",
        "\udcff",
        "长" * 300 + ".png",
    ],
    "output": [
        "{box}/out/fifo",
        "a\x00b.md",
        "{home}/orders/{id}/order.json",
        "{home}/profile.json",
        "{box}/out",
        "\udcff.ics",
        "长" * 300 + ".md",
        "长" * 300 + "/x.zip",
    ],
    "enum": ["\x00", "\udcff", ""],
    "int": ["-1", "99999999999999999999", "\x00"],
    "date": ["9999-12-31", "0001-01-01", "a\x00", "\udcff"],
    "amount": ["1E+999999", "\x00", "\udcff"],
}


def worst_kind(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", str)
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    name = param.name or ""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "enum"
    if annotation is int:
        return "int"
    if annotation is Path:
        return "output" if name in ("out", "folder") else "input"
    if name == "order":
        return "order"
    if name in ("purchased", "received", "on", "taken", "as_of"):
        return "date"
    if name == "amount":
        return "amount"
    return "text"


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_parameter_meets_the_worst_values(
    path: tuple[str, ...], seed: dict[str, Any]
) -> None:
    """Deterministic: each parameter in turn gets each of the worst values, the rest are sound."""
    command = COMMANDS[path]
    for target in command.params:
        if getattr(target, "is_flag", False):
            continue
        for bad in WORST[worst_kind(target)]:
            argv: list[str] = [*path]
            positionals: list[str] = []
            for param in command.params:
                if getattr(param, "is_flag", False):
                    continue
                is_option = bool(param.opts and param.opts[0].startswith("-"))
                if not (param is target or param.required or param.name in CONTRACT_REQUIRED):
                    continue
                value = bad if param is target else valid_for(param, path)
                if is_option:
                    argv += [param.opts[0], value]
                else:
                    positionals.append(value)
            run_fuzzed(seed, [*argv, *positionals])


def test_evidence_paths_relative_absolute_and_linked(
    tmp_path: Path, cli: Any, add: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`../x`, `/abs/x`, a link, a link to a link: stored as the file's bytes, never a link;
    a link to a folder or a dangling one is refused."""
    order_id = add()
    work = tmp_path / "work" / "sub"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    real = tmp_path / "work" / "真的截图.png"
    real.write_bytes(b"\x89PNG\r\n\x1a\nreal")
    link = tmp_path / "link.png"
    link.symlink_to(real)
    chain = tmp_path / "chain.png"
    chain.symlink_to(link)
    for n, name in enumerate(("../真的截图.png", str(real), str(link), str(chain))):
        real.write_bytes(b"\x89PNG\r\n\x1a\nreal %d" % n)  # new content, so not a duplicate
        result = cli("add-evidence", order_id, name, "--kind", "photo")
        assert result.exit_code == 0, (name, result.output)
    folder = home / "orders" / order_id / "evidence"
    stored = sorted(folder.iterdir())
    assert len(stored) == 4
    for path in stored:
        assert not path.is_symlink() and stat.S_ISREG(path.lstat().st_mode)
    entries = json.loads((folder.parent / "order.json").read_text())["evidence"]
    assert [e["original_name"] for e in entries] == [
        "真的截图.png",
        "真的截图.png",
        "link.png",
        "chain.png",
    ]
    before = tree(home)
    dir_link = tmp_path / "dir-link"
    dir_link.symlink_to(tmp_path / "work")
    dangling = tmp_path / "dangling.png"
    dangling.symlink_to(tmp_path / "gone.png")
    for bad in (dir_link, dangling):
        result = cli("add-evidence", order_id, str(bad), "--kind", "photo")
        assert result.exit_code == 2 and result.stderr.startswith("error: "), result.output
    assert tree(home) == before


@pytest.mark.parametrize(
    "name",
    ["长" * 83 + ".png", "😀" * 62 + ".png", "a" * 251 + ".png", "长" * 68 + "." + "图" * 16],
    ids=["chinese-253-bytes", "emoji-252-bytes", "ascii-255-bytes", "long-extension"],
)
def test_longest_file_names_can_be_attached(
    name: str, tmp_path: Path, cli: Any, add: Any, home: Path
) -> None:
    """A name as long as the file system allows still fits once stored as `eN-name`."""
    try:
        source = tmp_path / name
        source.write_bytes(b"proof")
    except OSError:
        pytest.skip("this file system allows shorter names")
    order_id = add()
    result = cli("add-evidence", order_id, str(source), "--kind", "chat")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads((home / "orders" / order_id / "order.json").read_text())["evidence"]
    assert entry["original_name"] == name
    stored = home / "orders" / order_id / entry["stored_as"]
    assert stored.read_bytes() == b"proof" and len(stored.name.encode()) <= 255
    assert cli("verify").exit_code == 0


# --- issue 11: control and format characters never reach the terminal ----------------------


def hidden_characters(text: str) -> list[str]:
    """Control and format characters in text, line breaks aside: what a terminal would act
    on (ESC sequences, BEL) or use to reorder what it shows (bidi overrides)."""
    import unicodedata

    return sorted(
        {f"U+{ord(c):04X}" for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")}
    )


def test_control_characters_never_reach_the_terminal(
    tmp_path: Path, cli: Any, add: Any, home: Path
) -> None:
    """ESC sequences, BEL, newlines and bidi overrides in names, notes, file names, bill cells
    and folder names are shown escaped by every command that prints a fact, on stdout and on
    stderr; and a file name with a newline cannot forge a line of `verify`."""
    order_id = add(merchant="声悦\u202e店\u200b", item="耳机\u2066", purchased="3 days ago")
    assert cli("log", order_id, "merchant-refused", "--note", "拒绝\u202e退货").exit_code == 0
    forged = tmp_path / "x.png\nok       zzzz e9 contract-signed.pdf"
    forged.write_bytes(b"\x89PNG\r\n\x1a\nforged")
    escape = tmp_path / "\x1b[2J\x1b]0;pwned\x07.png"
    escape.write_bytes(b"\x89PNG\r\n\x1a\nescape")
    added = cli("add-evidence", order_id, str(forged), str(escape), "--kind", "chat")
    assert added.exit_code == 0, added.output
    entries = json.loads((home / "orders" / order_id / "order.json").read_text())["evidence"]
    assert [e["original_name"] for e in entries] == [
        "x.png\\x0aok       zzzz e9 contract-signed.pdf",  # kept, escaped
        "\\x1b[2J\\x1b]0;pwned\\x07.png",
    ]
    assert all(not hidden_characters(e["stored_as"]) for e in entries)
    # A record written by hand (or by an older refundkit) still holds raw characters.
    path = home / "orders" / order_id / "order.json"
    data = json.loads(path.read_text())
    data["evidence"][1]["original_name"] = "\x1b[31mred\x1b[0m\nok fake"
    path.write_text(json.dumps(data, ensure_ascii=False))
    odd = home / "orders" / "odd\x1b[2Jname"
    odd.mkdir()
    (odd / "order.json").write_text("{")
    bill = tmp_path / "bill.csv"
    bill.write_text(
        (FIXTURE_BILL.read_text(encoding="utf-8-sig")).replace(
            "声悦数码旗舰店", "声悦\x1b]0;pwned\x07店\u202e", 1
        ),
        encoding="utf-8",
    )
    runs = [
        added,
        cli("status"),
        cli("status", "--all"),
        cli("status", order_id),
        cli("verify"),
        cli("verify", order_id),
        cli("calendar"),
        cli("import-bill", str(bill)),
        cli("edit", order_id, "--note", "x"),
        cli("add-evidence", order_id, str(tmp_path / "nope\x1b[2J.png"), "--kind", "chat"),
        cli("status", "odd\x1b[2J"),
    ]
    for result in runs:
        assert "Traceback" not in result.output
        for stream in (result.stdout, result.stderr):
            assert not hidden_characters(stream), (hidden_characters(stream), stream)
    verify = cli("verify", order_id).stdout.splitlines()
    assert sum(line.startswith("ok") for line in verify) == 2, verify
    assert "\\x1b[2J" in cli("status", "--all").stdout  # the odd folder, shown escaped


FIXTURE_BILL = Path(__file__).parent / "fixtures" / "bills" / "wechat-2025.csv"
