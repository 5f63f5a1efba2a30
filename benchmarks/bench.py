"""refundkit's benchmarks: every command as a whole process, next to the floor it stands on.

Run from a checkout with the project's virtual environment:

    .venv/bin/python benchmarks/bench.py              # the full run (about 10 minutes)
    .venv/bin/python benchmarks/bench.py --quick      # a smoke run (about a minute)
    .venv/bin/python benchmarks/bench.py --sizes 100,1000 --big-mb 256 --json out.json

Each measured command is timed alternately with its baselines in the same session (subject,
baseline, baseline, subject, ...), so a noisy neighbour or a CPU frequency change hits both alike;
the table shows medians. Peak memory is the child's own ru_maxrss, read with os.wait4.

What is compared:
- start-up: `refundkit --version`, `--help` and `status` on an empty folder, next to a minimal
  Typer app with one typed command and `python -c pass`;
- `status` and `status --json` with N orders, next to todoman's `todo list` and
  `todo --porcelain list` on N tasks (todoman is installed in its own virtual environment under
  benchmarks/.cache; without network the column is skipped with a note): the first run after
  the orders were written, by refundkit's commands (each entered its case in the index) and
  by another tool (no index), warm, the day after the index was built (the orders
  written and the index built yesterday, today's first status), and `--as-of` a week earlier
  and later (a look at another day; each of these starting from its index as built, put back
  before every run);
- `draft-complaint --to lawyer` on a case with 50 evidence files (skipped while it is missing);
- `status ORDER` on a case with 20,000 logged events (target: under 1 s, an absolute time),
  next to `status ORDER` on an ordinary case;
- `add-evidence` and `verify` of a big file, next to `openssl dgst -sha256` and `cp` (+ `sync`,
  since add-evidence makes its copy durable), and
  `export` of the case holding it, next to `openssl dgst -sha256` and `zip -0`;
- `import-bill` on hostile bills (each must be refused, exit 2, within 10 s and 300 MB) and on
  a real-layout bill of 12 months and 10,000 rows, CSV and XLSX (read within 3 s). The bills
  are built here, with the builders the tests use (tests/bill_bombs.py, tests/bill_fixtures.py);
- `import-screenshot --json` of one 1080x2340 screenshot, a whole process with the OCR models'
  load, next to the model load alone; and the reading alone with the models loaded (skipped
  with a note where the OCR extra is not installed). Target: at most 6 s and 500 MB.

The refundkit commands find their data folder through REFUNDKIT_HOME, as a user's default
folder would be found, rather than through --home.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
TESTS = HERE.parent / "tests"
PYTHON = sys.executable
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"

MINIMAL_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str, count: int = 1) -> None:
    """Greet NAME."""
    for _ in range(count):
        typer.echo(f"Hello {name}")


if __name__ == "__main__":
    app()
'''

TODOMAN_CONFIG = """\
path = {lists!r}
cache_path = {cache!r}
date_format = "%Y-%m-%d"
time_format = "%H:%M"
default_list = "bench"
humanize = False
"""

VTODO = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//refundkit benchmark//EN
BEGIN:VTODO
UID:{uid}@bench
DTSTAMP:20261101T120000Z
CREATED:20261101T120000Z
LAST-MODIFIED:20261101T120000Z
SUMMARY:{summary}
DESCRIPTION:{description}
DUE;VALUE=DATE:{due}
PRIORITY:{priority}
CATEGORIES:refund,{category}
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
"""


# --- running and timing --------------------------------------------------------------------


@dataclass
class Cmd:
    """One measured unit: one or more processes run in sequence and timed as a whole."""

    label: str
    argvs: list[list[str]]
    env: dict[str, str] | None = None
    before: Callable[[], None] | None = None  # untimed set-up before each run
    after: Callable[[], None] | None = None  # untimed clean-up after each run
    expect: int = 0  # the exit code a run must end with (2: a refusal)

    def run(self) -> tuple[float, int]:
        """Wall seconds and peak resident memory in KiB (the largest of the processes)."""
        if self.before:
            self.before()
        env = child_env(self.env)
        elapsed, peak = 0.0, 0
        for argv in self.argvs:
            seconds, rss, code, err = spawn(argv, env)
            if code != self.expect:  # a failed command would time nothing worth showing
                raise RuntimeError(f"{' '.join(argv)} exited {code}: {err[-2000:]}")
            elapsed += seconds
            peak = max(peak, rss)
        if self.after:
            self.after()
        return elapsed, peak


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured command: this one, with bytecode caching allowed.

    An installed package has its bytecode compiled at install time; without it (as under
    PYTHONDONTWRITEBYTECODE) every run would compile refundkit's modules afresh.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **(extra or {})}


TIME = "/usr/bin/time"  # GNU time, to read a command's own peak memory


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run one process to its end: seconds, its peak resident memory (KiB), exit code, stderr.

    Linux carries a process's peak memory across exec, so a command started from this
    benchmark (tens of MB by then) would report at least that much. GNU time, a small
    program, starts it instead where it is installed; elsewhere ru_maxrss of the child is
    taken as it is and the table says so. Both subject and baseline pay time's millisecond.
    """
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        wrapper = [TIME, "-q", "-f", "%M", "-o", peak.name] if os.access(TIME, os.X_OK) else []
        start = time.perf_counter()
        proc = subprocess.Popen([*wrapper, *argv], stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-4000:].decode(errors="replace")
        text = peak.read().strip()
    rss = int(text.splitlines()[-1]) if wrapper and text else usage.ru_maxrss
    return seconds, rss, proc.returncode, tail


@dataclass
class Row:
    """A subject's median next to one baseline's median, and the target if there is one."""

    group: str
    subject: str
    seconds: float
    rss_kib: int
    baseline: str
    base_seconds: float
    base_rss_kib: int
    target: float | None = None  # the ratio subject/baseline must not exceed this
    samples: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios: each run of the subject against the baseline's
        run beside it, so that a slow spell of the machine weighs on both sides alike."""
        subject, base = self.samples[self.subject], self.samples[self.baseline]
        return statistics.median(s / b for s, b in zip(subject, base, strict=True))

    @property
    def met(self) -> str:
        if self.target is None:
            return ""
        return "yes" if self.ratio <= self.target else "**no**"


def alternate(cmds: Sequence[Cmd], runs: int) -> list[list[tuple[float, int]]]:
    """Seconds and peak memory of every run of each command, runs interleaved round-robin.

    One warm-up run of each comes first (page cache, .pyc files, todoman's SQLite cache); the
    order within a round rotates so that no command always runs right after another.
    """
    for cmd in cmds:
        cmd.run()
    samples: list[list[tuple[float, int]]] = [[] for _ in cmds]
    for i in range(runs):
        for k in range(len(cmds)):
            j = (i + k) % len(cmds)
            samples[j].append(cmds[j].run())
    return samples


def summary(samples: list[tuple[float, int]]) -> tuple[float, int]:
    """Median seconds, largest peak memory."""
    return statistics.median(s for s, _ in samples), max(rss for _, rss in samples)


def compare(
    group: str,
    subject: Cmd,
    baselines: Sequence[tuple[Cmd, float | None]],
    runs: int,
) -> list[Row]:
    """Rows for subject against each baseline, with that pair's target ratio (or none)."""
    samples = alternate([subject, *(b for b, _ in baselines)], runs)
    seconds, rss = summary(samples[0])
    rows = []
    for (base, target), base_samples in zip(baselines, samples[1:], strict=True):
        base_seconds, base_rss = summary(base_samples)
        times = {
            subject.label: [s for s, _ in samples[0]],
            base.label: [s for s, _ in base_samples],
        }
        rows.append(
            Row(
                group,
                subject.label,
                seconds,
                rss,
                base.label,
                base_seconds,
                base_rss,
                target,
                times,
            )
        )
    progress(rows)
    return rows


def progress(rows: list[Row]) -> None:
    for row in rows:
        print(
            f"  {row.subject}: {row.seconds * 1000:.0f} ms vs {row.baseline}: "
            f"{row.base_seconds * 1000:.0f} ms ({row.ratio:.2f}x)",
            file=sys.stderr,
            flush=True,
        )


# --- the programs under test ---------------------------------------------------------------


def refundkit_argv() -> list[str]:
    """The installed console script beside this Python, else `python -m refundkit`."""
    script = Path(PYTHON).parent / "refundkit"
    return [str(script)] if script.exists() else [PYTHON, "-m", "refundkit"]


def rk(label: str, home: Path, *args: str, **kwargs: Any) -> Cmd:
    env = {"REFUNDKIT_HOME": str(home), "COLUMNS": "120"}
    return Cmd(label, [[*refundkit_argv(), *args]], env=env, **kwargs)


def has_command(name: str) -> bool:
    probe = subprocess.run(
        [*refundkit_argv(), name, "--help"], capture_output=True, env=child_env()
    )
    return probe.returncode == 0


# --- data sets -----------------------------------------------------------------------------


def short_id(number: int) -> str:
    """A six-character id in the store's alphabet, unique per number."""
    chars = []
    for _ in range(6):
        number, digit = divmod(number, len(ID_ALPHABET))
        chars.append(ID_ALPHABET[digit])
    return "".join(reversed(chars))


def proof_bytes(number: int, k: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + f"screenshot {k} of order {number}".encode()


def make_order(number: int, today: date, evidence: int = 3) -> Any:
    """An open order with a few events and evidence entries, varied across the set."""
    import hashlib

    from refundkit.models import Event, Evidence, Order

    purchased = today - timedelta(days=number % 25)
    received = purchased + timedelta(days=2) if number % 4 else None
    if received is not None and received > today:
        received = None  # not arrived yet: refundkit refuses a receipt dated ahead
    now = datetime.combine(purchased, datetime.min.time()) + timedelta(hours=20)
    kinds = ["order", "chat", "payment", "policy", "delivery", "photo", "other"]
    events = [
        Event(id="v1", kind="contacted-merchant", on=purchased, note="申请退货", recorded=now),
        Event(id="v2", kind="merchant-replied", on=purchased, note="客服回复", recorded=now),
    ]
    if number % 3 == 0:
        events.append(Event(id="v3", kind="merchant-refused", on=purchased, recorded=now))
    items = [
        Evidence(
            id=f"e{k + 1}",
            kind=kinds[(number + k) % len(kinds)],
            original_name=f"截图-{k + 1}.png",
            stored_as=f"evidence/e{k + 1}-截图-{k + 1}.png",
            size=len(proof_bytes(number, k)),
            media_type="image/png",
            sha256=hashlib.sha256(proof_bytes(number, k)).hexdigest(),
            added=now,
        )
        for k in range(evidence)
    ]
    return Order(
        id=short_id(number),
        merchant=f"声悦数码旗舰店 {number % 97}",
        item=f"无线蓝牙耳机 X{number % 13}",
        amount=f"{100 + number % 900}.00",
        purchased=purchased,
        received=received,
        category=["goods", "goods", "digital", "prepaid-service"][number % 4],
        problem=["changed-mind", "defective", "not-as-described"][number % 3],
        jurisdiction=["cn", "cn", "cn", "eu", "uk"][number % 5],
        promise_days=15 if number % 6 == 0 else None,
        order_no=f"SY2026{number:08d}",
        payment_method="wechat-pay",
        created=now,
        evidence=items,
        events=events,
    )


def write_orders(home: Path, count: int, today: date | None = None) -> None:
    """N order folders with their evidence files, written directly (set-up, not measured),
    as they stand on today (the real one by default): bought in the 25 days up to it.
    Owner-only, as refundkit writes them: else the first status makes them so, which
    changes every file's ctime and so its identity (index.py)."""
    old_mask = os.umask(0o077)
    try:
        _write_orders(home, count, today or date.today())
    finally:
        os.umask(old_mask)


def _write_orders(home: Path, count: int, today: date) -> None:
    orders_dir = home / "orders"
    orders_dir.mkdir(parents=True, mode=0o700)
    for number in range(count):
        order = make_order(number, today)
        folder = orders_dir / order.id
        (folder / "evidence").mkdir(parents=True, mode=0o700)
        (folder / "order.json").write_bytes(order.model_dump_json(indent=2).encode() + b"\n")
        (folder / "order.lock").touch(mode=0o600)
        for k, entry in enumerate(order.evidence):
            (folder / entry.stored_as).write_bytes(proof_bytes(number, k))


def write_todos(folder: Path, count: int) -> None:
    """N VTODO files, one per task, as a CalDAV sync tool would leave them."""
    folder.mkdir(parents=True)
    today = date.today()
    for number in range(count):
        text = VTODO.format(
            uid=f"task-{number}",
            summary=f"Return earphones to shop {number % 97} (order SY2026{number:08d})",
            description="Ask the merchant in writing for a return and refund",
            due=(today + timedelta(days=number % 25)).strftime("%Y%m%d"),
            priority=number % 10,
            category=["goods", "digital", "service"][number % 3],
        )
        (folder / f"task-{number}.ics").write_text(text.replace("\n", "\r\n"))


def write_case_with_evidence(home: Path, files: int) -> str:
    """One order carrying `files` real evidence files (small images), for the letter."""
    import hashlib

    from refundkit.models import Evidence

    order = make_order(1, date.today(), evidence=0)
    folder = home / "orders" / order.id
    (folder / "evidence").mkdir(parents=True, mode=0o700)
    (folder / "order.lock").touch(mode=0o600)
    kinds = ["order", "chat", "payment", "policy", "delivery", "photo", "recording", "other"]
    entries = []
    for k in range(files):
        data = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)
        stored = f"evidence/e{k + 1}-chat-{k + 1}.png"
        (folder / stored).write_bytes(data)
        entries.append(
            Evidence(
                id=f"e{k + 1}",
                kind=kinds[k % len(kinds)],
                original_name=f"chat-{k + 1}.png",
                stored_as=stored,
                size=len(data),
                media_type="image/png",
                sha256=hashlib.sha256(data).hexdigest(),
                added=order.created,
            )
        )
    order = order.model_copy(update={"evidence": entries})
    (folder / "order.json").write_bytes(order.model_dump_json(indent=2).encode() + b"\n")
    return str(order.id)


def write_big_file(path: Path, megabytes: int) -> None:
    """Incompressible bytes, written in 16 MiB pieces so the generator stays small in memory."""
    piece = os.urandom(16 << 20)
    with open(path, "wb") as handle:
        for i in range(0, megabytes, 16):
            handle.write(piece[: min(16, megabytes - i) << 20])
            piece = piece[1:] + piece[:1]  # no two pieces alike


# --- todoman -------------------------------------------------------------------------------


def todoman_bin() -> tuple[Path | None, str]:
    """The `todo` program in benchmarks/.cache/todoman-venv, installed on first use."""
    env_dir = CACHE / "todoman-venv"
    todo = env_dir / "bin" / "todo"
    if todo.exists():
        return todo, ""
    print("installing todoman into benchmarks/.cache/todoman-venv ...", file=sys.stderr)
    try:
        venv.create(env_dir, with_pip=True, clear=True)
        subprocess.run(
            [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "todoman"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(env_dir, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"todoman could not be installed ({exc}; {detail.decode()[-300:]})"
    return todo, ""


def todoman_cmds(todo: Path, work: Path, count: int) -> tuple[Cmd, Cmd]:
    """`todo list` and `todo --porcelain list` over `count` tasks, the cache made once."""
    lists = work / "lists"
    write_todos(lists / "bench", count)
    config = work / "config.py"
    config.write_text(TODOMAN_CONFIG.format(lists=f"{lists}/*", cache=str(work / "cache.sqlite3")))
    env = {"XDG_CONFIG_HOME": str(work), "XDG_CACHE_HOME": str(work), "TZ": "UTC"}
    base = [str(todo), "--config", str(config), "--color", "never"]
    subprocess.run([*base, "list"], check=True, capture_output=True, env={**os.environ, **env})
    table = Cmd("todo list", [[*base, "list"]], env=env)
    porcelain = Cmd("todo --porcelain list", [[*base, "--porcelain", "list"]], env=env)
    return table, porcelain


# --- the benchmark groups ------------------------------------------------------------------


def startup(work: Path, runs: int) -> list[Row]:
    print("start-up", file=sys.stderr)
    app = work / "minimal_app.py"
    app.write_text(MINIMAL_APP)
    empty = work / "empty-home"
    minimal = Cmd("minimal Typer app (hello)", [[PYTHON, str(app), "World", "--count", "1"]])
    minimal_help = Cmd("minimal Typer app --help", [[PYTHON, str(app), "--help"]])
    bare = Cmd("python -c pass", [[PYTHON, "-c", "pass"]])
    rows = compare(
        "start-up",
        rk("refundkit --version", empty, "--version"),
        [(minimal, 1.2), (bare, None)],
        runs,
    )
    rows += compare(
        "start-up",
        rk("refundkit --help", empty, "--help"),
        [(minimal_help, None), (bare, None)],
        runs,
    )
    rows += compare(
        "start-up",
        rk("refundkit status (empty folder)", empty, "status"),
        [(minimal, 1.5), (bare, None)],
        runs,
    )
    return rows


def settle(home: Path) -> None:
    """Wait until the order files are old enough to be indexed, then build the index.

    refundkit never indexes a file changed in the last few seconds (index.RACY_NS), so the
    first runs after writing a data set would otherwise measure a half-built index.
    """
    from refundkit.index import RACY_NS

    newest = max(p.stat().st_mtime for p in (home / "orders").glob("*/order.json"))
    time.sleep(max(0.0, newest + RACY_NS / 1e9 + 0.2 - time.time()))
    rk("build the index", home, "status").run()


def status_at(work: Path, count: int, runs: int, todo: Path | None, note: str) -> list[Row]:
    print(f"status with {count} orders", file=sys.stderr)
    home = work / f"home-{count}"
    # As they stood yesterday, when "the day after" finds its index built (other_days).
    write_orders(home, count, today=date.today() - timedelta(days=1))
    if todo is not None:
        todo_table, todo_json = todoman_cmds(todo, work / f"todoman-{count}", count)
    else:
        todo_table = todo_json = Cmd("python -c pass", [[PYTHON, "-c", "pass"]])
    target = None if todo is None else 0.7
    cold_target = target if count <= 100 else None
    # The first run after refundkit's commands wrote the orders: each entered its case in
    # the index (overview.enter), which is put back as they left it before every run.
    entered = enter_as_written(home)
    label = f"status, {count} orders, first run after refundkit wrote them"
    written = rk(label, home, "status", before=put_back(home, entered))
    rows = compare("status", written, [(todo_table, cold_target)], cold_runs(runs))
    # The first run after another tool wrote them (a sync, a copy): no index, every file read
    # and validated.
    cold = rk(f"status, {count} orders, first run after another tool wrote them", home, "status")
    cold.before = lambda: drop_index(home)
    rows += compare("status", cold, [(todo_table, None)], cold_runs(runs))
    settle(home)
    table = rk(f"status, {count} orders", home, "status")
    as_json = rk(f"status --json, {count} orders", home, "status", "--json")
    rows += compare("status", table, [(todo_table, target)], runs)
    rows += compare("status", as_json, [(todo_json, target)], runs)
    rows += other_days(home, count, runs, todo_json, target)
    for row in rows:
        row.note = note
    return rows


def cold_runs(runs: int) -> int:
    return max(3, runs // 2)


def enter_as_written(home: Path) -> dict[str, bytes]:
    """The status index as refundkit's commands leave it after writing the orders of home
    (cli._index_written after each; here one call for them all, at once after writing):
    entered in a child process, as a command would, and returned as its files' bytes."""
    drop_index(home)
    code = (
        "import sys, datetime; from pathlib import Path; from refundkit import overview; "
        "from refundkit.store import Store; s = Store(Path(sys.argv[1])); "
        "overview.enter(s, s.list_ids(), datetime.date.today())"
    )
    subprocess.run([PYTHON, "-c", code, str(home)], check=True, env=child_env())
    entered = index_files(home)
    drop_index(home)
    return entered


def put_back(home: Path, index: dict[str, bytes]) -> Callable[[], None]:
    """A set-up that puts the index files back as they were (and no other)."""

    def put() -> None:  # owner-only, as refundkit writes it (else it is made so)
        drop_index(home)
        for name, data in index.items():
            fd = os.open(home / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as handle:
                handle.write(data)

    return put


def drop_index(home: Path) -> None:
    for path in home.glob("status-index*"):  # the index and its texts, every language
        path.unlink()


def index_files(home: Path) -> dict[str, bytes]:
    """The status index as it stands: its files' names and bytes."""
    return {path.name: path.read_bytes() for path in home.glob("status-index*")}


def other_days(
    home: Path, count: int, runs: int, todo_json: Cmd, target: float | None
) -> list[Row]:
    """status --json on other days than the one the index was built on, each run starting
    from that index (put back before every run): the day after (the orders written and the
    index built yesterday, today's first status), and --as-of a week earlier and a week later
    (a look at another day, the index built today).

    The day after is not `--as-of tomorrow`: a look at another day leaves today's entries in
    the index and so writes nothing, where the first status of a new day writes what it
    computed."""
    today = date.today()
    built = index_files(home)
    drop_index(home)
    rk("build yesterday's index", home, "status", "--as-of", str(today - timedelta(1))).run()
    yesterdays = index_files(home)

    def on(label: str, day: date) -> Cmd:
        args = ("status", "--json", "--as-of", day.isoformat())
        return rk(
            f"status --json, {count} orders, {label}", home, *args, before=put_back(home, built)
        )

    warm = rk(f"status --json, {count} orders (warm, as built)", home, "status", "--json")
    warm.before = put_back(home, built)
    label = f"status --json, {count} orders, the day after the index was built"
    next_day = rk(label, home, "status", "--json", before=put_back(home, yesterdays))
    rows = compare("status", next_day, [(todo_json, target), (warm, None)], runs)
    if count >= 10_000:
        verdict = "met" if rows[0].seconds < 1.5 else "**not met**"
        rows[0].note = f"target under 1.5 s: {verdict}"
    for label, days in (("--as-of a week earlier", -7), ("--as-of a week later", 7)):
        rows += compare("status", on(label, today + timedelta(days=days)), [(warm, 1.3)], runs)
    return rows


def letter(work: Path, runs: int) -> list[Row]:
    print("draft-complaint", file=sys.stderr)
    home = work / "home-letter"
    order_id = write_case_with_evidence(home, 50)
    app = work / "minimal_app.py"
    minimal = Cmd("minimal Typer app (hello)", [[PYTHON, str(app), "World"]])
    status = rk("refundkit status ORDER", home, "status", order_id)
    if not has_command("draft-complaint"):
        rows = compare("letters", status, [(minimal, None)], runs)
        rows[0].note = "draft-complaint does not exist yet: skipped; `status ORDER` shown instead"
        return rows
    draft = rk(
        "draft-complaint --to lawyer (50 files)",
        home,
        "draft-complaint",
        order_id,
        "--to",
        "lawyer",
    )
    return compare("letters", draft, [(minimal, None), (status, None)], runs)


TIMELINE_EVENTS = 20_000
TIMELINE_TARGET_SECONDS = 1.0


def write_long_timeline(home: Path, events: int) -> str:
    """One order whose dispute has `events` logged steps, written directly (set-up)."""
    from refundkit.models import Event

    order = make_order(2, date.today() - timedelta(days=400), evidence=0)
    kinds = ["contacted-merchant", "merchant-replied", "merchant-refused", "platform-complaint"]
    steps = [
        Event(
            id=f"t{k + 1}",
            kind=kinds[k % len(kinds)],
            on=order.purchased + timedelta(days=k * 400 // events),
            note=f"第 {k + 1} 次联系客服：商家称已拆封不退",
            ref=f"REF{k:06d}" if k % 5 == 0 else None,
            recorded=order.created,
        )
        for k in range(events)
    ]
    order = order.model_copy(update={"events": steps})
    folder = home / "orders" / order.id
    folder.mkdir(parents=True, mode=0o700)
    (folder / "order.lock").touch(mode=0o600)
    (folder / "order.json").write_bytes(order.model_dump_json(indent=2).encode() + b"\n")
    return str(order.id)


def timeline(work: Path, runs: int) -> list[Row]:
    print(f"status ORDER with {TIMELINE_EVENTS:,} events", file=sys.stderr)
    home = work / "home-timeline"
    long_id = write_long_timeline(home, TIMELINE_EVENTS)
    plain_home = work / "home-plain-case"
    write_orders(plain_home, 1)
    subject = rk(f"status ORDER, {TIMELINE_EVENTS:,} events", home, "status", long_id)
    ordinary = rk("status ORDER, 3 events", plain_home, "status", short_id(0))
    rows = compare("timeline", subject, [(ordinary, None)], runs)
    verdict = "met" if rows[0].seconds < TIMELINE_TARGET_SECONDS else "**not met**"
    rows[0].note = f"target under {TIMELINE_TARGET_SECONDS:g} s: {verdict}"
    return rows


def add_evidence_cmd(home: Path, big: Path, order_ids: list[str]) -> Cmd:
    """add-evidence of the big file, each run into a fresh order (a repeat would be refused)."""
    pending = iter(order_ids)
    cmd = rk("add-evidence", home)
    base = cmd.argvs[0]
    state: dict[str, str] = {}

    def before() -> None:
        state["id"] = next(pending)
        cmd.argvs = [[*base, "add-evidence", state["id"], str(big), "--kind", "recording"]]

    def after() -> None:  # untimed: remove the stored copy so the disk does not fill up
        for path in (home / "orders" / state["id"] / "evidence").glob("*big.bin"):
            path.unlink()

    cmd.before, cmd.after = before, after
    return cmd


def big_file(work: Path, megabytes: int, runs: int) -> list[Row]:
    print(f"evidence of {megabytes} MB", file=sys.stderr)
    big = work / "big.bin"
    write_big_file(big, megabytes)
    home = work / "home-add"
    write_orders(home, runs + 1)
    add = add_evidence_cmd(home, big, [short_id(n) for n in range(runs + 1)])
    copy = work / "copy.bin"
    digest = ["openssl", "dgst", "-sha256", str(big)]
    floor = Cmd(
        "openssl dgst -sha256 + cp",
        [digest, ["cp", str(big), str(copy)]],
        after=lambda: copy.unlink(missing_ok=True),  # unwritten pages die with the file
    )
    durable = Cmd(
        "openssl dgst -sha256 + cp + sync",  # add-evidence makes its copy durable: fsync
        [digest, ["cp", str(big), str(copy)], ["sync", str(copy)]],
        after=lambda: copy.unlink(missing_ok=True),
    )
    full_size = megabytes >= 1024  # the targets are for a 1 GB file; smaller ones time start-up
    rows = compare("evidence", add, [(floor, None), (durable, 1.2 if full_size else None)], runs)

    home = work / "home-verify"
    write_orders(home, 1)
    attach = rk("attach", home, "add-evidence", short_id(0), str(big), "--kind", "recording")
    attach.run()
    verify = rk("verify", home, "verify", short_id(0))
    openssl = Cmd("openssl dgst -sha256", [["openssl", "dgst", "-sha256", str(big)]])
    rows += compare("evidence", verify, [(openssl, 1.25 if full_size else None)], runs)
    rows += export_rows(work, home, big, runs)
    big.unlink()
    return rows


def export_rows(work: Path, home: Path, big: Path, runs: int) -> list[Row]:
    """export of the case holding the big file (the zip streamed, the file stored as it is),
    next to hashing it and storing it in a zip; peak memory should not grow with the file."""
    out = work / "case.zip"
    label = f"export, {big.stat().st_size >> 20} MB of evidence"
    args = ["export", short_id(0), "--out", str(out)]
    export = rk(label, home, *args, after=lambda: out.unlink(missing_ok=True))
    digest = ["openssl", "dgst", "-sha256", str(big)]
    if has_program("zip"):
        base, store = "openssl dgst -sha256 + zip -0", ["zip", "-0", "-q", "-j", str(out), str(big)]
    else:
        base, store = "openssl dgst -sha256 + cp", ["cp", str(big), str(out)]
    floor = Cmd(base, [digest, store], after=lambda: out.unlink(missing_ok=True))
    return compare("evidence", export, [(floor, None)], runs)


def has_program(name: str) -> bool:
    return shutil.which(name) is not None


# --- bills ---------------------------------------------------------------------------------


@dataclass
class Limit:
    """A command held to absolute limits (time and memory) rather than to a baseline."""

    label: str
    expect: int
    seconds: float
    rss_kib: int
    max_seconds: float
    max_mib: int
    samples: list[float] = field(default_factory=list)

    @property
    def met(self) -> str:
        ok = self.seconds <= self.max_seconds and self.rss_kib <= self.max_mib * 1024
        return "yes" if ok else "**no**"


def bills(work: Path, runs: int) -> list[Limit]:
    """import-bill on every bomb of the test suite, and on a year-long real-layout bill."""
    print("import-bill", file=sys.stderr)
    sys.path.insert(0, str(TESTS))
    import bill_bombs
    from bill_fixtures import write_big_wechat_csv, write_big_wechat_xlsx

    folder = work / "bills"
    folder.mkdir()
    home = work / "home-bills"
    limits = []
    cases: list[tuple[str, Path, int, float]] = []
    for number, (name, build) in enumerate(bill_bombs.BOMBS.items()):
        path = build(folder / f"bomb{number}{bill_bombs.SUFFIX[name]}")
        cases.append((f"bomb: {name}", path, 2, 10.0))
    year_csv = write_big_wechat_csv(folder / "微信支付账单-12个月.csv", rows=10_000)
    year_xlsx = write_big_wechat_xlsx(folder / "微信支付账单-12个月.xlsx", rows=10_000)
    cases.append(("10,000-row bill (CSV), --json", year_csv, 0, 3.0))
    cases.append(("10,000-row bill (XLSX), --json", year_xlsx, 0, 3.0))
    for label, path, expect, max_seconds in cases:
        args = ["import-bill", str(path)] + (["--json"] if expect == 0 else [])
        cmd = rk(label, home, *args)
        cmd.expect = expect
        samples = alternate([cmd], runs)[0]
        seconds, rss = summary(samples)
        limits.append(Limit(label, expect, seconds, rss, max_seconds, 300, [s for s, _ in samples]))
        print(
            f"  {label}: {seconds * 1000:.0f} ms, {rss / 1024:.0f} MB", file=sys.stderr, flush=True
        )
        if path.exists() and expect == 2:
            path.unlink()  # the 60 MB and 65 MB ones
    record = rk(
        "10,000-row bill (CSV), record row 1", home, "import-bill", str(year_csv), "--row", "1"
    )
    record.before = lambda: shutil.rmtree(home, ignore_errors=True)
    samples = alternate([record], runs)[0]
    seconds, rss = summary(samples)
    limits.append(Limit(record.label, 0, seconds, rss, 3.0, 300, [s for s, _ in samples]))
    return limits


def limits_markdown(limits: list[Limit]) -> str:
    lines = [
        "",
        "",
        "| import-bill | Exit | Median | Peak RSS | Limit | Met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for limit in limits:
        lines.append(
            f"| {limit.label} | {limit.expect} | {ms(limit.seconds)} | {mib(limit.rss_kib)} | "
            f"≤ {limit.max_seconds:g} s, ≤ {limit.max_mib} MB | {limit.met} |"
        )
    return "\n".join(lines)


# --- screenshots ---------------------------------------------------------------------------

SCREENSHOT = HERE.parent / "tests" / "fixtures" / "screenshots" / "wechat-1080x2340.png"
OCR_TARGET = (6.0, 500 * 1024)  # seconds and KiB, model load included, on 2 cores

WARM_READS = """
import json, sys, time
from refundkit.screenshots.engine import default_engine
engine = default_engine()
data = open(sys.argv[1], "rb").read()
engine.recognise(data)  # the models load with the first image
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    engine.recognise(data)
    times.append(time.perf_counter() - start)
import resource
print(json.dumps({"times": times, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def screenshots(work: Path, runs: int) -> tuple[list[Row], list[str]]:
    """Reading one phone screenshot: the whole command, the model load, the reading alone."""
    print("screenshots", file=sys.stderr)
    probe = subprocess.run(
        [PYTHON, "-c", "from refundkit.screenshots.engine import available; print(available())"],
        capture_output=True,
        text=True,
        env=child_env(),
    )
    if probe.stdout.strip() != "True":
        return [], ['the OCR extra is not installed (pip install "refundkit[ocr]"): skipped']
    home = work / "home-ocr"
    whole = rk(
        "import-screenshot --json, 1080x2340 (start-up and model load included)",
        home,
        "import-screenshot",
        str(SCREENSHOT),
        "--json",
    )
    load = Cmd(
        "import the OCR package and load its models",
        [[PYTHON, "-c", "from rapidocr_onnxruntime import RapidOCR; RapidOCR()"]],
    )
    rows = compare("screenshots", whole, [(load, None)], runs)
    warm = subprocess.run(
        [PYTHON, "-c", WARM_READS, str(SCREENSHOT), str(runs)],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )
    measured = json.loads(warm.stdout)
    reads = measured["times"]
    whole_times = rows[0].samples[whole.label]
    label = "read one 1080x2340 screenshot, models already loaded (in-process)"
    rows.append(
        Row(
            "screenshots",
            label,
            statistics.median(reads),
            measured["peak_kib"],  # the reading process's own peak, models and all
            whole.label,
            rows[0].seconds,
            rows[0].rss_kib,
            None,
            {label: reads, whole.label: whole_times[: len(reads)]},
        )
    )
    seconds, peak = OCR_TARGET
    met = rows[0].seconds <= seconds and rows[0].rss_kib <= peak
    note = (
        f"import-screenshot of one 1080x2340 screenshot: {rows[0].seconds:.2f} s median, "
        f"{rows[0].rss_kib / 1024:.0f} MB peak, against a target of {seconds:g} s and "
        f"{peak // 1024} MB with the model load: {'met' if met else '**not met**'}"
    )
    return rows, [note]


# --- report --------------------------------------------------------------------------------


def markdown(rows: list[Row], header: str, notes: list[str]) -> str:
    if not rows:
        return header + "".join(f"\n\nNote: {note}" for note in notes)
    lines = [
        header,
        "",
        "| Benchmark | Median | Peak RSS | Baseline | Median | Peak RSS | Ratio* | Target | Met |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        target = f"≤ {r.target:g}x" if r.target is not None else ""
        lines.append(
            f"| {r.subject} | {ms(r.seconds)} | {mib(r.rss_kib)} | {r.baseline} | "
            f"{ms(r.base_seconds)} | {mib(r.base_rss_kib)} | {r.ratio:.2f}x | {target} | {r.met} |"
        )
    lines += [
        "",
        "*Ratio: the median over the rounds of each run's time against its baseline's run in "
        "the same round, not the ratio of the two medians.",
    ]
    for note in notes + [f"{r.subject}: {r.note}" for r in rows if r.note]:
        lines.append("")
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs (~1 min)")
    parser.add_argument("--sizes", help="order counts for status (default 100,1000,10000)")
    parser.add_argument("--big-mb", type=int, help="size of the evidence file (default 1024)")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 10; quick 3)")
    parser.add_argument("--json", type=Path, help="also write every sample to this JSON file")
    parser.add_argument(
        "--only",
        help="comma-separated groups to run: startup,status,letters,timeline,evidence,bills,"
        "screenshots (default all)",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or ("100,1000" if args.quick else "100,1000,10000")
    args.sizes = [int(s) for s in sizes.split(",") if s.strip()]
    args.big_mb = args.big_mb or (64 if args.quick else 1024)
    args.runs = args.runs or (3 if args.quick else 10)
    groups = "startup,status,letters,timeline,evidence,bills,screenshots"
    args.only = set((args.only or groups).split(","))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    notes: list[str] = []
    if not os.access(TIME, os.X_OK):
        notes.append(f"{TIME} is missing: peak memory includes this benchmark's own")
    rows: list[Row] = []
    limits: list[Limit] = []
    with tempfile.TemporaryDirectory(prefix="bench-", dir=CACHE) as tmp:
        work = Path(tmp)
        (work / "minimal_app.py").write_text(MINIMAL_APP)
        if "startup" in args.only:
            rows += startup(work, args.runs)
        if "status" in args.only:
            todo, note = todoman_bin()
            if note:
                notes.append(note + "; the todoman column is skipped")
            for count in args.sizes:
                rows += status_at(work, count, args.runs, todo, note)
        if "letters" in args.only:
            rows += letter(work, args.runs)
        if "timeline" in args.only:
            rows += timeline(work, args.runs)
        if "evidence" in args.only:
            rows += big_file(work, args.big_mb, max(3, args.runs // 2))
        if "bills" in args.only:
            limits += bills(work, max(3, args.runs // 2))
        if "screenshots" in args.only:
            ocr_rows, ocr_notes = screenshots(work, max(3, args.runs // 2))
            rows += ocr_rows
            notes += ocr_notes
    header = (
        f"Medians of {args.runs} alternated runs ({max(3, args.runs // 2)} for the evidence and "
        f"no-index rows) on {machine()}, {datetime.now():%Y-%m-%d}; status sizes {args.sizes}, "
        f"evidence file {args.big_mb} MB."
    )
    print(markdown(rows, header, notes) + (limits_markdown(limits) if limits else ""))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "header": header,
                    "notes": notes,
                    "rows": [row_json(r) for r in rows],
                    "limits": [limit.__dict__ | {"met": limit.met.strip("*")} for limit in limits],
                },
                indent=2,
            )
        )
    return 0


def row_json(row: Row) -> dict[str, Any]:
    return {
        "group": row.group,
        "subject": row.subject,
        "seconds": row.seconds,
        "rss_kib": row.rss_kib,
        "baseline": row.baseline,
        "baseline_seconds": row.base_seconds,
        "baseline_rss_kib": row.base_rss_kib,
        "ratio": row.ratio,
        "target": row.target,
        "met": row.met.strip("*") or None,
        "note": row.note,
        "samples": row.samples,
    }


if __name__ == "__main__":
    sys.exit(main())
