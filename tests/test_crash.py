"""Crash safety: SIGKILL real refundkit processes at random moments and prove nothing is lost.

`add-order`, `edit`, `log`, `add-evidence` and `export` run as real processes against a data
folder and are killed with SIGKILL after a random delay. After every kill:

- every order committed before the kill still loads, with every event and evidence entry it
  had (the killed command's own change is either wholly there or wholly absent; if the
  command finished before the kill arrived, it must be there);
- no order.json is torn: each one parses as JSON and loads as an Order;
- every evidence file an order.json refers to verifies (size and SHA-256); a stored file that no
  order.json refers to (what a kill between "file in place" and "order.json rewritten" leaves)
  is reported by `verify` as "unrecorded", and the next change to that order takes it back
  out; no two files in an evidence folder ever carry the same number;
- an export's zip is whole or absent, the order it read unchanged, and a partial zip it left
  is swept by the next export of that name;
- temp files (`.order.json.*.tmp`, `.incoming-*.tmp`, `orders/.new-*`) are never listed as
  orders, and the next run ignores or removes them: a follow-up `status --json` exits 0 and
  lists exactly the orders on disk, and a follow-up write to the order removes stale temps.

A fresh interpreter spends ~0.5 s importing before it touches the disk, and the write window of
a command is a few milliseconds, so most kills are dealt to children forked from a warm
"zygote": a real `python` process that has imported refundkit and then, per command, forks a
child that runs `python -m refundkit` (runpy, the same entry point, the same argv). The random
delay then lands inside the command itself. A share of kills still goes to freshly started
`sys.executable -m refundkit` processes, killed late in their life, so nothing depends on the
zygote. Two workers run side by side, each on its own data folder.

The number of kills is `--crash-kills N` (default 200, well under a minute); the seed is printed
and can be fixed with REFUNDKIT_CRASH_SEED to replay a run.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from refundkit.evidence import Check, verify_order
from refundkit.store import Store

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "win32", reason="needs fork and SIGKILL"
)

WORKERS = 2
KILLS_PER_FOLDER = 100  # a fresh data folder after this many kills keeps checks and disk small
FRESH_SHARE = 20  # one kill in FRESH_SHARE goes to a freshly started interpreter
COMMANDS = ("add-order", "edit", "log", "add-evidence", "export")
# export reads the whole case and renders four letters: dealt less often, it would slow the run
WEIGHTS = (10, 10, 10, 10, 3)
EVIDENCE_SIZES = (64 << 10, 1 << 20, 4 << 20, 12 << 20)  # large files widen the write window
RECORDED_OK = ("ok", "unrecorded")  # an unrecorded file is a left-over, checked in follow_up

# The zygote: imports everything once, then forks one child per command. Typer rebuilds the
# same click command on every call; it is built once here so the children spend their time in
# the command itself. Protocol (one line each): test sends [argv, log path]; zygote answers the
# child's pid; test kills it (or not) and sends "reap"; zygote answers the wait status. The
# child is reaped only after the test's kill, so its pid cannot be reused in between.
ZYGOTE = r"""
import json, os, runpy, sys, time
import typer.main
import refundkit.cli, refundkit.cases, refundkit.display, refundkit.evidence, refundkit.timeline
import refundkit.rules, refundkit.rules.holidays
import rich.progress, rich.table, filelock, dateutil.parser
import refundkit.bundle, refundkit.letters, jinja2
refundkit.rules.holidays._calendar_range()
_built = typer.main.get_command(refundkit.cli.app)
_original = typer.main.get_command
typer.main.get_command = lambda app: _built if app is refundkit.cli.app else _original(app)
out = sys.stdout
out.write("ready\n")
out.flush()
for line in sys.stdin:
    argv, log = json.loads(line)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.argv = ["refundkit", *argv]
        code = 0
        try:
            runpy.run_module("refundkit", run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 99
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            with open(log + ".end", "w") as end:
                end.write(repr(time.monotonic()))
        finally:
            os._exit(code)
    out.write(f"{pid} {started!r}\n")
    out.flush()
    sys.stdin.readline()
    _, status = os.waitpid(pid, 0)
    out.write(f"{status}\n")
    out.flush()
"""


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REFUNDKIT_HOME", "REFUNDKIT_DEBUG")}
    env.update(COLUMNS="120", NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return env


@dataclass
class Outcome:
    killed: bool  # SIGKILL arrived while the command ran
    code: int | None  # exit code when it finished first
    seconds: float
    output: str


class Zygote:
    """A warm interpreter that forks one child per command (see ZYGOTE)."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"zygote died with {self.proc.wait()}")
        return line.strip()

    def _send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def run(self, argv: list[str], kill_after: float | None = None) -> Outcome:
        end = Path(f"{self.log}.end")
        end.unlink(missing_ok=True)
        self._send(json.dumps([argv, str(self.log)]))
        pid, started = self._read().split()
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(int(pid), signal.SIGKILL)  # a zombie ignores it; the pid is not reaped yet
        self._send("reap")
        status = int(self._read())
        output = self.log.read_text(encoding="utf-8", errors="replace")
        if os.WIFSIGNALED(status):
            assert os.WTERMSIG(status) == signal.SIGKILL, output
            return Outcome(True, None, time.monotonic() - float(started), output)
        # The child's own end, not the reap: after a sleep that outlived the command, the
        # reap's time is the sleep's, and the kill delays drawn from it would overshoot.
        seconds = float(end.read_text()) - float(started)
        return Outcome(False, os.WEXITSTATUS(status), seconds, output)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_fresh(argv: list[str], kill_after: float | None) -> Outcome:
    """`python -m refundkit ARGV` in a new interpreter, killed after kill_after seconds."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "refundkit", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=child_env(),
    )
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    code = proc.wait(timeout=60)
    seconds = time.monotonic() - start
    if code == -signal.SIGKILL:
        return Outcome(True, None, seconds, output)
    return Outcome(False, code, seconds, output)


@dataclass
class Stats:
    kills: int = 0
    interrupted: int = 0  # the kill arrived before the command finished
    fresh: int = 0
    orders_checked: int = 0
    losses: int = 0
    applied_by_killed: int = 0  # the killed command's change had been committed
    rolled_back: int = 0  # unrecorded files the next write took back out
    leftovers: Counter[str] = field(default_factory=Counter)
    per_command: Counter[str] = field(default_factory=Counter)

    def add(self, other: Stats) -> None:
        for name in ("kills", "interrupted", "fresh", "orders_checked", "losses", "rolled_back"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.applied_by_killed += other.applied_by_killed
        self.leftovers.update(other.leftovers)
        self.per_command.update(other.per_command)


def dumped(store: Store) -> dict[str, dict[str, Any]]:
    orders, damaged = store.load_all()
    assert not damaged, damaged
    return {o.id: o.model_dump(mode="json") for o in orders}


def as_set(entries: list[dict[str, Any]]) -> set[str]:
    return {json.dumps(e, sort_keys=True, ensure_ascii=False) for e in entries}


class Worker:
    """One data folder at a time, one random command at a time, most of them killed."""

    def __init__(self, base: Path, rng: random.Random, kills: int, seed: int) -> None:
        self.base = base
        self.rng = rng
        self.kills = kills
        self.seed = seed
        self.stats = Stats()
        self.zygote = Zygote(base / "zygote.log")
        self.sources = base / "sources"
        self.sources.mkdir()
        self.exports = base / "exports"
        self.exports.mkdir()
        self.noise = os.urandom(max(EVIDENCE_SIZES))
        self.expected: dict[str, float] = {}  # typical duration per command and size, seconds
        self.serial = 0
        self.seen: set[str] = set()
        self.home = base
        self.store = Store(base)

    # --- helpers ------------------------------------------------------------------------

    def token(self) -> str:
        self.serial += 1
        return f"k{self.serial}"

    def where(self, what: str) -> str:
        return f"{what} (seed {self.seed}, folder {self.home})"

    def run(self, argv: list[str], kill_after: float | None = None) -> Outcome:
        return self.zygote.run(["--home", str(self.home), *argv], kill_after)

    def ok(self, argv: list[str], key: str | None = None) -> Outcome:
        outcome = self.run(argv)
        assert outcome.code == 0, self.where(f"{argv}: {outcome.output}")
        if key:
            old = self.expected.get(key, outcome.seconds)
            self.expected[key] = 0.7 * old + 0.3 * outcome.seconds
        return outcome

    def source_files(self, count: int) -> tuple[list[Path], str]:
        """Fresh files with content no other file has, so a re-add is never a duplicate."""
        size = self.rng.choice(EVIDENCE_SIZES)
        paths = []
        for _ in range(count):
            tag = self.token()
            path = self.sources / f"证据 {tag}.bin"
            with open(path, "wb") as handle:
                handle.write(f"{tag}:{self.seed}:".encode().ljust(64, b"-"))
                handle.write(self.noise[: size - 64])
            paths.append(path)
        return paths, f"add-evidence-{size}"

    def clear_sources(self) -> None:
        for path in self.sources.iterdir():
            path.unlink()

    def random_order(self, state: dict[str, dict[str, Any]]) -> str:
        return self.rng.choice(sorted(state))

    # --- one folder ---------------------------------------------------------------------

    def new_folder(self, number: int) -> None:
        if self.home != self.base and self.home.exists():
            shutil.rmtree(self.home)
        self.home = self.base / f"home{number}"
        self.store = Store(self.home)
        for _ in range(3):
            self.ok(self.add_order_argv(self.token()), "add-order")
        for order_id in self.store.list_ids():
            self.ok(["log", order_id, "contacted-merchant", "--note", "seed"], "log")
            self.ok(["edit", order_id, "--note", "seed"], "edit")
            paths, key = self.source_files(1)
            self.ok(["add-evidence", order_id, *map(str, paths), "--kind", "chat"], key)
        self.clear_sources()

    def add_order_argv(self, token: str) -> list[str]:
        return [
            "add-order",
            "--merchant",
            f"声悦数码 {token}",
            "--item",
            "蓝牙耳机 🎧",
            "--amount",
            f"{self.rng.randint(1, 9999)}.50",
            "--purchased",
            "3 days ago",
            "--note",
            f"商家拒绝退货 {token}",
        ]

    def finish_folder(self) -> None:
        """A full verify of everything, through the real `verify` command and in-process."""
        state = dumped(self.store)
        for order in self.store.load_all()[0]:
            bad = [c for c in verify_order(self.store, order) if c.status not in RECORDED_OK]
            assert not bad, self.where(f"evidence not ok: {bad}")
        outcome = self.ok(["verify"])
        assert "0 not ok" in outcome.output, self.where(outcome.output)
        self.stats.orders_checked += len(state)

    # --- the kill loop ------------------------------------------------------------------

    def go(self) -> Stats:
        try:
            folder = 0
            while self.stats.kills < self.kills:
                if self.stats.kills % KILLS_PER_FOLDER == 0:
                    if folder:
                        self.finish_folder()
                    folder += 1
                    self.new_folder(folder)
                self.one_kill()
            self.finish_folder()
        finally:
            self.zygote.close()
        return self.stats

    def one_kill(self) -> None:
        before = dumped(self.store)
        command = self.rng.choices(COMMANDS, WEIGHTS)[0]
        token = self.token()
        target: str | None = None
        sources: list[Path] = []
        if command == "add-order":
            argv, key = self.add_order_argv(token), "add-order"
        elif command == "edit":
            target = self.random_order(before)
            argv, key = ["edit", target, "--note", f"改过 {token}", "--received", "today"], "edit"
        elif command == "log":
            target = self.random_order(before)
            argv = ["log", target, "merchant-refused", "--note", f"拒绝 {token}", "--on", "today"]
            key = "log"
        elif command == "add-evidence":
            target = self.random_order(before)
            sources, key = self.source_files(self.rng.choice((1, 1, 2)))
            argv = ["add-evidence", target, *map(str, sources), "--kind", "chat", "--note", token]
        else:
            target = self.random_order(before)
            argv, key = ["export", target, "--out", str(self.exports / f"{token}.zip")], "export"
        expected = self.expected.get(key, 0.2)
        delay = self.rng.uniform(0, 1.25 * expected)
        fresh = self.stats.kills % FRESH_SHARE == FRESH_SHARE - 1
        if fresh:
            # A new interpreter spends most of its life importing: aim at its last part.
            self.stats.fresh += 1
            outcome = run_fresh(
                ["--home", str(self.home), *argv], 0.35 + self.rng.uniform(0, 0.35 + expected)
            )
        else:
            outcome = self.run(argv, kill_after=delay)
        self.stats.kills += 1
        self.stats.per_command[command] += 1
        if outcome.killed:
            self.stats.interrupted += 1
        else:
            assert outcome.code == 0, self.where(f"{argv}: {outcome.output}")
            if not fresh:
                old = self.expected.get(key, outcome.seconds)
                self.expected[key] = 0.7 * old + 0.3 * outcome.seconds
        self.count_leftovers()
        after = self.check_disk(before)
        applied = self.check_change(command, token, target, sources, before, after, outcome)
        if outcome.killed and applied:
            self.stats.applied_by_killed += 1
        self.follow_up(target, after)
        self.clear_sources()

    # --- the checks ---------------------------------------------------------------------

    def count_leftovers(self) -> None:
        """Tally each left-over once, to show the kills land inside the write paths."""
        orders = self.store.orders_dir
        referenced = {
            str(self.store.order_dir(o.id) / e.stored_as)
            for o in self.store.load_all()[0]
            for e in o.evidence
        }
        for kind, pattern in (
            ("orders/.new-*", ".new-*"),
            (".order.json.*.tmp", "*/.order.json.*.tmp"),
            (".incoming-*.tmp", "*/evidence/.incoming-*.tmp"),
            ("unreferenced evidence", "*/evidence/e*"),
        ):
            for path in orders.glob(pattern):
                if kind == "unreferenced evidence" and str(path) in referenced:
                    continue
                if str(path) not in self.seen:
                    self.seen.add(str(path))
                    self.stats.leftovers[kind] += 1

    def check_disk(self, before: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """No torn file, nothing lost, no temp file taken for an order."""
        ids = self.store.list_ids()
        assert not [i for i in ids if i.startswith(".")], self.where(f"temp listed: {ids}")
        for entry in self.store.orders_dir.iterdir():
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            text = (entry / "order.json").read_bytes()  # a folder without one would be a loss
            json.loads(text)  # torn JSON raises here
        after = dumped(self.store)  # and every one loads as an Order
        for order_id, old in before.items():
            self.stats.orders_checked += 1
            new = after.get(order_id)
            if new is None:
                self.stats.losses += 1
                pytest.fail(self.where(f"order {order_id} vanished"))
            lost_events = as_set(old["events"]) - as_set(new["events"])
            lost_evidence = as_set(old["evidence"]) - as_set(new["evidence"])
            if lost_events or lost_evidence:
                self.stats.losses += 1
                pytest.fail(self.where(f"{order_id} lost {lost_events} {lost_evidence}"))
        return after

    def check_change(
        self,
        command: str,
        token: str,
        target: str | None,
        sources: list[Path],
        before: dict[str, dict[str, Any]],
        after: dict[str, dict[str, Any]],
        outcome: Outcome,
    ) -> bool:
        """The killed command's change is all there or not at all; a finished one is there."""
        for order_id, old in before.items():
            if order_id != target:
                assert after[order_id] == old, self.where(f"{order_id} changed by {command}")
        if command == "add-order":
            new_ids = set(after) - set(before)
            assert len(new_ids) <= 1, self.where(f"one add-order made {new_ids}")
            if new_ids:
                (order,) = (after[i] for i in new_ids)
                assert order["merchant"] == f"声悦数码 {token}", self.where(str(order))
                assert order["note"] == f"商家拒绝退货 {token}"
            applied = bool(new_ids)
        else:
            assert target is not None
            assert set(after) == set(before), self.where(f"{command} changed the order list")
            old, new = before[target], after[target]
            if command == "export":
                assert new == old, self.where("export changed the order it read")
                applied = self.check_export(token, outcome)
            elif command == "edit":
                changed = {k for k in new if new[k] != old.get(k)}
                assert changed <= {"note", "received", "received_time"}, self.where(str(changed))
                applied = new["note"] == f"改过 {token}"
                assert applied or new == old, self.where("half an edit")
            elif command == "log":
                added = [e for e in new["events"] if as_set([e]) - as_set(old["events"])]
                assert [e["note"] for e in added] in ([], [f"拒绝 {token}"]), self.where(str(added))
                assert {k: v for k, v in new.items() if k != "events"} == {
                    k: v for k, v in old.items() if k != "events"
                }
                applied = bool(added)
            else:
                added = [e for e in new["evidence"] if as_set([e]) - as_set(old["evidence"])]
                assert len(added) in (0, len(sources)), self.where(f"half a batch: {added}")
                assert all(e["note"] == token for e in added)
                assert {k: v for k, v in new.items() if k != "evidence"} == {
                    k: v for k, v in old.items() if k != "evidence"
                }
                ids = [e["id"] for e in new["evidence"]]
                assert len(ids) == len(set(ids)), self.where(f"evidence id twice: {ids}")
                applied = bool(added)
            order = self.store.load(target)
            bad = [c for c in verify_order(self.store, order) if c.status not in RECORDED_OK]
            assert not bad, self.where(f"referenced evidence not ok after the kill: {bad}")
            self.check_numbers(target)
        if not outcome.killed:
            assert applied, self.where(f"{command} exited 0 but its change is missing")
        return applied

    def check_export(self, token: str, outcome: Outcome) -> bool:
        """A zip is there whole (it opens and every entry's CRC checks) or not at all; a kill
        may leave a partial `.NAME.PID.*.part` beside it, which the next export of that name
        sweeps once it is a minute old (aged here rather than waited for)."""
        import zipfile

        out = self.exports / f"{token}.zip"
        partials = list(self.exports.glob(f".{out.name}.*.part"))
        if out.exists():
            with zipfile.ZipFile(out) as archive:
                assert archive.testzip() is None, self.where(f"torn zip {out}")
        if partials:
            self.stats.leftovers["partial zip"] += len(partials)
            for partial in partials:
                age(partial, 120)
        return out.exists()

    def sweep_exports(self, order_id: str) -> None:
        """The next export beside a partial zip removes it; then the folder is emptied."""
        partials = list(self.exports.glob(".*.part"))
        for partial in partials:
            out = self.exports / partial.name[1:].split(".zip.", 1)[0]
            self.ok(["export", order_id, "--out", f"{out}.zip", "--force"], "export")
            assert not partial.exists(), self.where(f"partial zip not swept: {partial}")
        for path in self.exports.iterdir():
            path.unlink()

    def check_numbers(self, order_id: str) -> None:
        """No number is held by two files of one evidence folder, recorded or not."""
        folder = self.store.order_dir(order_id) / "evidence"
        names = [p.name for p in folder.glob("e*-*")] if folder.is_dir() else []
        numbers = [name.split("-", 1)[0] for name in names]
        twice = [n for n, count in Counter(numbers).items() if count > 1]
        assert not twice, self.where(f"evidence numbers used twice in {folder}: {sorted(names)}")

    def unrecorded(self, order_id: str) -> list[Check]:
        return [
            c
            for c in verify_order(self.store, self.store.load(order_id))
            if c.status == "unrecorded"
        ]

    def follow_up(self, target: str | None, after: dict[str, dict[str, Any]]) -> None:
        """The next run ignores the left-overs; `verify` names an unrecorded evidence file;
        a write to the order removes stale temps and takes unrecorded files back out."""
        outcome = self.ok(["status", "--json", "--all"])
        listed = json.loads(outcome.output)
        assert "damaged" not in listed, self.where(outcome.output)
        assert {o["id"] for o in listed["orders"]} == set(after), self.where(outcome.output)
        if not target:
            return
        self.sweep_exports(target)
        orphans = self.unrecorded(target)
        if orphans:
            shown = self.ok(["verify", target]).output
            for orphan in orphans:
                assert f"unrecorded {target} - {orphan.name}" in shown, self.where(shown)
        if orphans or list(self.store.order_dir(target).glob(".order.json.*.tmp")):
            self.ok(["log", target, "contacted-merchant", "--note", "follow-up"], "log")
            left = list(self.store.order_dir(target).glob(".order.json.*.tmp"))
            assert not left, self.where(f"stale temps survive a write: {left}")
            still = self.unrecorded(target)
            assert not still, self.where(f"a write left unrecorded evidence: {still}")
            self.stats.rolled_back += len(orphans)


def test_sigkill_at_random_moments_loses_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    kills = int(request.config.getoption("--crash-kills"))
    seed = int(os.environ.get("REFUNDKIT_CRASH_SEED", random.randrange(2**32)))
    share = [kills // WORKERS + (i < kills % WORKERS) for i in range(WORKERS)]
    workers = []
    for number, count in enumerate(share):
        base = tmp_path / f"w{number}"
        base.mkdir()
        workers.append(Worker(base, random.Random(seed + number), count, seed))
    errors: list[BaseException] = []

    def drive(worker: Worker) -> None:
        try:
            worker.go()
        except BaseException as exc:  # re-raised below, in the test's own thread
            errors.append(exc)

    started = time.monotonic()
    threads = [threading.Thread(target=drive, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    total = Stats()
    for worker in workers:
        total.add(worker.stats)
    summary = (
        f"crash harness (seed {seed}): {total.kills} kills "
        f"({dict(total.per_command)}; {total.fresh} of them fresh interpreters) in "
        f"{time.monotonic() - started:.1f} s; {total.interrupted} interrupted mid-command, "
        f"{total.applied_by_killed} of those after their commit; "
        f"{total.orders_checked} orders checked; {total.losses} losses; "
        f"left-overs seen: {dict(total.leftovers)}; "
        f"{total.rolled_back} unrecorded evidence files taken back by the next write"
    )
    print("\n" + summary)
    request.node.user_properties.append(("crash_summary", summary))
    assert total.kills == kills and total.losses == 0
    # The harness must actually hit commands while they run, or it proves nothing.
    assert total.interrupted >= kills // 4, summary


# --- what a kill leaves behind, and the next run ------------------------------------------


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_left_overs_are_ignored_then_swept(cli: Any, add: Any, home: Path, tmp_path: Path) -> None:
    """The temp files each kill can leave: never orders, and removed once surely stale."""
    from refundkit.evidence import STALE_SECONDS
    from refundkit.store import STALE_STAGING_SECONDS

    order_id = add()
    orders = home / "orders"
    folder = orders / order_id
    (folder / "evidence").mkdir(exist_ok=True)
    staging_old, staging_new = orders / ".new-old1", orders / ".new-new1"
    for staging in (staging_old, staging_new):
        staging.mkdir()
        (staging / "order.json").write_text('{"schema_version": 1, "id": "half')
    order_tmp = folder / ".order.json.k1l2m3.tmp"
    order_tmp.write_text("{")
    incoming_old = folder / "evidence" / ".incoming-old.tmp"
    incoming_new = folder / "evidence" / ".incoming-new.tmp"
    for path in (incoming_old, incoming_new):
        path.write_bytes(b"half a file")
    profile_tmp = home / ".profile.json.x1.tmp"
    profile_tmp.write_text("{")
    age(staging_old, STALE_STAGING_SECONDS + 60)
    age(incoming_old, STALE_SECONDS + 60)

    # Ignored: nothing is listed, nothing is damaged, verify is happy.
    status = cli("status", "--json", "--all")
    assert status.exit_code == 0, status.output
    assert [o["id"] for o in json.loads(status.stdout)["orders"]] == [order_id]
    assert cli("verify").exit_code == 0

    # Swept by the next write of the same kind; a young one may belong to a live process.
    assert cli("log", order_id, "contacted-merchant").exit_code == 0
    assert not order_tmp.exists()
    proof = tmp_path / "p.txt"
    proof.write_bytes(b"proof")
    assert cli("add-evidence", order_id, str(proof), "--kind", "chat").exit_code == 0
    assert not incoming_old.exists() and incoming_new.exists()
    assert cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1").exit_code == 0
    assert not staging_old.exists() and staging_new.exists()
    assert cli("profile", "--name", "张三").exit_code == 0
    assert not profile_tmp.exists()


def test_unrecorded_evidence_is_reported_skipped_and_swept_when_stale(
    cli: Any, add: Any, home: Path, tmp_path: Path
) -> None:
    """A stored file no record names (what a kill left before commits wrote a placing note, or
    a hand): `verify` and `status ORDER` name it, a new entry never takes its number, and it is
    swept once it is older than the sweep age. A file refundkit did not name is only reported."""
    from refundkit.evidence import STALE_SECONDS

    order_id = add()
    evidence = home / "orders" / order_id / "evidence"
    evidence.mkdir(exist_ok=True)
    orphan = evidence / "e1-截图.png"
    orphan.write_bytes(b"from a killed add-evidence")
    orphan.chmod(0o400)
    mine = evidence / "my notes.txt"
    mine.write_bytes(b"the user's own file")
    shot = tmp_path / "截图.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\nthe real one")

    result = cli("verify")
    assert result.exit_code == 0, result.output  # the recorded evidence is all there
    assert re.search(rf"^unrecorded +{order_id} - e1-截图.png$", result.stdout, re.M)
    assert "0 files checked, 0 not ok, 2 unrecorded" in result.stdout
    shown = cli("status", order_id)
    assert shown.exit_code == 0 and "unrecorded file:" in shown.stdout
    assert any(str(orphan) in line for line in shown.stdout.splitlines())  # unbroken
    listed = json.loads(cli("status", order_id, "--json").stdout)["orders"][0]
    assert listed["unrecorded_files"] == [str(orphan), str(mine)]

    assert cli("add-evidence", order_id, str(shot), "--kind", "chat").exit_code == 0
    (entry,) = json.loads((evidence.parent / "order.json").read_text())["evidence"]
    assert entry["id"] == "e2" and entry["stored_as"] == "evidence/e2-截图.png"
    assert orphan.read_bytes() == b"from a killed add-evidence"  # young: maybe a live command's

    for path in (orphan, mine):
        age(path, STALE_SECONDS + 60)
    other = tmp_path / "other.png"
    other.write_bytes(b"\x89PNG\r\n\x1a\nanother")
    assert cli("add-evidence", order_id, str(other), "--kind", "chat").exit_code == 0
    assert not orphan.exists() and mine.exists()
    result = cli("verify", order_id)
    assert result.exit_code == 0 and "2 files checked, 0 not ok, 1 unrecorded" in result.stdout


def test_a_kill_between_placing_and_recording_is_taken_back(
    cli: Any, add: Any, home: Path, tmp_path: Path
) -> None:
    """add-evidence killed after its files are in place but before order.json names them: the
    files are reported, and the next change to the order (any command) takes them back out."""
    order_id = add()
    sources = []
    for n, name in enumerate(("shot0.png", "shot\u20281.png")):  # U+2028 splits "lines" too
        source = tmp_path / name
        source.write_bytes(b"\x89PNG\r\n\x1a\nshot %d" % n)
        sources.append(source)
    pid = os.fork()
    if pid == 0:  # the child dies where a SIGKILL could land: files placed, record not saved
        try:
            from refundkit.evidence import add_evidence
            from refundkit.kinds import EvidenceKind

            store = Store(home)
            store.save = lambda order: os._exit(9)  # type: ignore[method-assign]
            add_evidence(store, order_id, sources, EvidenceKind.CHAT, None, None, datetime.now())
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 9
    evidence = home / "orders" / order_id / "evidence"
    placed = sorted(p.name for p in evidence.iterdir() if not p.name.startswith("."))
    assert placed == ["e1-shot0.png", "e2-shot\u20281.png"]

    result = cli("verify", order_id)
    assert result.exit_code == 0 and result.stdout.count("unrecorded ") == 2, result.stdout
    assert cli("log", order_id, "contacted-merchant").exit_code == 0
    assert [p.name for p in evidence.iterdir()] == []
    assert not (home / "orders" / order_id / ".placing").exists()
    assert cli("add-evidence", order_id, str(sources[0]), "--kind", "chat").exit_code == 0
    result = cli("verify", order_id)
    assert result.exit_code == 0 and "1 file checked, 0 not ok\n" in result.stdout


# --- undo: remove and restore, killed at random moments -------------------------------------


def test_sigkill_during_remove_and_restore_loses_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """`remove` and `restore` of a whole case and of single evidence entries, killed at random
    moments: a case is always whole in orders/ or in trash/, never in both or neither; every
    evidence entry ever added is either recorded in its order (its file verifies) or recorded
    as removed with its file whole in the trash; numbers never repeat; and after the next
    write to the order no stray file is left in its evidence folder."""
    import hashlib

    from refundkit import trash

    kills = max(20, int(request.config.getoption("--crash-kills")) // 8)
    seed = int(os.environ.get("REFUNDKIT_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    home = tmp_path / "home"
    zygote = Zygote(tmp_path / "zygote.log")
    store = Store(home)

    def run(argv: list[str], kill_after: float | None = None) -> Outcome:
        return zygote.run(["--home", str(home), *argv], kill_after)

    def ok(argv: list[str]) -> Outcome:
        outcome = run(argv)
        assert outcome.code == 0, f"{argv} (seed {seed}): {outcome.output}"
        return outcome

    try:
        for merchant in ("声悦数码", "旧店"):
            ok(["add-order", "--merchant", merchant, "--item", "耳机", "--amount", "399"])
        keep, spare = sorted(store.list_ids(), key=lambda i: store.load(i).merchant)
        sources = tmp_path / "sources"
        sources.mkdir()
        digests: dict[str, str] = {}
        for n in range(1, 6):
            source = sources / f"证据{n}.bin"
            source.write_bytes(f"{n}:{seed}:".encode() + os.urandom(2 << 20))
            ok(["add-evidence", keep, str(source), "--kind", "chat"])
            digests[f"e{n}"] = hashlib.sha256(source.read_bytes()).hexdigest()
        expected: dict[str, float] = {}
        interrupted = 0
        for _ in range(kills):
            order = store.load(keep)
            present = [e.id for e in order.evidence]
            pending = [r.id for r in order.removed_evidence if r.restored is None]
            spare_in_trash = not store.order_dir(spare).exists()
            choices = (
                [["remove", keep, "--evidence", rng.choice(present), "--yes"]] if present else []
            )
            if pending:
                choices.append(["restore", keep, "--evidence", rng.choice(pending)])
            choices.append(["restore", spare] if spare_in_trash else ["remove", spare, "--yes"])
            argv = rng.choice(choices)
            key = f"{argv[0]} {'--evidence' in argv}"
            delay = rng.uniform(0, 1.25 * expected.get(key, 0.05))
            outcome = run(argv, kill_after=delay)
            if outcome.killed:
                interrupted += 1
            else:
                assert outcome.code == 0, f"{argv} (seed {seed}): {outcome.output}"
                old = expected.get(key, outcome.seconds)
                expected[key] = 0.7 * old + 0.3 * outcome.seconds

            # The spare case: whole in exactly one place.
            in_orders = store.order_dir(spare).exists()
            in_trash = [t for t in trash.trashed_orders(store) if t.order_id == spare]
            assert in_orders + len(in_trash) == 1, f"seed {seed}: {in_orders} {in_trash}"
            if in_orders:
                store.load(spare)
            else:
                json.loads((in_trash[0].path / "order.json").read_bytes())

            # The kept case: every entry recorded once, its file whole where the record says.
            order = store.load(keep)
            recorded = [e.id for e in order.evidence]
            removed = [r for r in order.removed_evidence if r.restored is None]
            assert sorted(recorded + [r.id for r in removed]) == sorted(digests), f"seed {seed}"
            bad = [c for c in verify_order(store, order) if c.status not in RECORDED_OK]
            assert not bad, f"seed {seed}: {bad}"
            for removal in removed:
                kept = list((trash.trash_dir(store) / removal.trash).glob("e*-*"))
                assert len(kept) == 1, f"seed {seed}: {removal}"
                assert hashlib.sha256(kept[0].read_bytes()).hexdigest() == digests[removal.id]

            # The next write to the order leaves no stray file beside the recorded ones.
            ok(["log", keep, "contacted-merchant", "--note", "follow-up"])
            order = store.load(keep)
            assert [c for c in verify_order(store, order) if c.status != "ok"] == [], f"seed {seed}"
            status = json.loads(ok(["status", "--json", "--all"]).output)
            assert "damaged" not in status
        assert interrupted >= kills // 4, f"only {interrupted} of {kills} kills hit a command"
    finally:
        zygote.close()
