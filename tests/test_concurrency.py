"""Concurrent use: several processes adding to one data folder, and to one order, at once.

Every change a process reports as done must be on disk afterwards, and no id may be handed out
twice: not an order id, not an event id or an evidence id within one order. Two ways in:
processes forked from the test that call the core functions in a tight loop (many meetings per
second), and real `python -m refundkit` processes started together.

`--crash-kills N` scales this test too: N // 200 rounds (at least one).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import select
import subprocess
import sys
import traceback
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from refundkit import cases, timeline
from refundkit import store as store_module
from refundkit.evidence import add_evidence, verify_order
from refundkit.kinds import EvidenceKind
from refundkit.store import Store

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks worker processes")

PROFILE_FIELDS = ("name", "phone", "email", "address")


def rounds(request: pytest.FixtureRequest) -> int:
    return max(1, int(request.config.getoption("--crash-kills")) // 200)


def worker(number: int, home: str, shared: str, ops: int, barrier: Any, out: str) -> None:
    """Run ops random changes and write down each one that returned, with the id it got."""
    rng = random.Random(number)
    store = Store(Path(home))
    done: list[dict[str, Any]] = []
    own: list[str] = []
    files = Path(out).with_suffix(".files")
    files.mkdir()
    try:
        barrier.wait(timeout=30)
        for step in range(ops):
            token = f"w{number}s{step}"
            now = datetime.now()
            choice = rng.random()
            if choice < 0.2 or (choice < 0.4 and not own):
                raw = {"merchant": f"店 {token}", "item": "耳机", "amount": "99", "note": token}
                order = cases.add_order(store, raw, now)
                own.append(order.id)
                done.append({"what": "order", "id": order.id, "token": token})
            elif choice < 0.55:
                order_id = shared if rng.random() < 0.7 or not own else rng.choice(own)
                raw = {"event": "contacted-merchant", "note": token}
                event = timeline.log_event(store, order_id, raw, now)
                done.append({"what": "event", "order": order_id, "id": event.id, "token": token})
            elif choice < 0.8:
                order_id = shared if rng.random() < 0.7 or not own else rng.choice(own)
                paths = []
                for part in range(rng.choice((1, 1, 2))):
                    path = files / f"截图 {token}-{part}.png"
                    path.write_bytes(f"{token}-{part}".encode() * rng.randint(1, 3000))
                    paths.append(path)
                added = add_evidence(store, order_id, paths, EvidenceKind.CHAT, token, None, now)
                for entry in added:
                    done.append(
                        {
                            "what": "evidence",
                            "order": order_id,
                            "id": entry.id,
                            "sha256": entry.sha256,
                            "token": token,
                        }
                    )
            elif choice < 0.9:
                # An edit rewrites the whole order: it must not drop others' events.
                cases.edit_order(store, shared, {"note": f"改 {token}"}, now)
                done.append({"what": "edit", "order": shared, "token": token})
            else:
                name = PROFILE_FIELDS[number % len(PROFILE_FIELDS)]
                cases.update_profile(store, {name: token})
                done.append({"what": "profile", "field": name, "token": token})
        result: dict[str, Any] = {"done": done}
    except BaseException:
        result = {"done": done, "error": traceback.format_exc()}
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def run_workers(home: Path, shared: str, count: int, ops: int) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count)
    outs = [home.parent / f"{home.name}-worker{n}.json" for n in range(count)]
    procs = [
        context.Process(target=worker, args=(n, str(home), shared, ops, barrier, str(outs[n])))
        for n in range(count)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0, f"worker exited with {proc.exitcode}"
    results = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, errors[0]
    done: list[dict[str, Any]] = [d for r in results for d in r["done"]]
    return done


def check_folder(store: Store, done: list[dict[str, Any]]) -> None:
    """Everything reported is there, every id is unique, every file verifies, no temp is left."""
    orders, damaged = store.load_all()
    assert not damaged, damaged
    by_id = {o.id: o for o in orders}
    assert len(by_id) == len(orders)
    created = [d["id"] for d in done if d["what"] == "order"]
    assert len(created) == len(set(created)), f"an order id was given twice: {created}"
    for d in done:
        if d["what"] == "order":
            assert by_id[d["id"]].note == d["token"], d
        elif d["what"] == "event":
            events = {e.id: e for e in by_id[d["order"]].events}
            assert events[d["id"]].note == d["token"], f"lost or overwritten: {d}"
        elif d["what"] == "evidence":
            entries = {e.id: e for e in by_id[d["order"]].evidence}
            assert entries[d["id"]].sha256 == d["sha256"], f"lost or overwritten: {d}"
    for order in orders:
        for name, ids in (
            ("event", [e.id for e in order.events]),
            ("evidence", [e.id for e in order.evidence]),
        ):
            twice = [i for i, n in Counter(ids).items() if n > 1]
            assert not twice, f"{order.id}: {name} ids given twice: {twice}"
        reported = [d for d in done if d.get("order") == order.id]
        assert len(order.events) >= sum(d["what"] == "event" for d in reported)
        assert len(order.evidence) >= sum(d["what"] == "evidence" for d in reported)
        bad = [c for c in verify_order(store, order) if c.status != "ok"]
        assert not bad, bad
    profile = store.load_profile()
    for name in PROFILE_FIELDS:
        written = {d["token"] for d in done if d["what"] == "profile" and d["field"] == name}
        if written:
            assert getattr(profile, name) in written, f"profile.{name} lost its update"
    temps = [
        p
        for pattern in (".new-*", "*/.order.json.*.tmp", "*/evidence/.incoming-*.tmp")
        for p in store.orders_dir.glob(pattern)
    ]
    assert not temps, temps
    assert not list(store.home.glob(".profile.json.*.tmp"))


def seed_order(store: Store) -> str:
    raw = {"merchant": "共享的店", "item": "共享的订单", "amount": "199", "note": "shared"}
    return cases.add_order(store, raw, datetime.now()).id


@pytest.mark.parametrize("count", [2, 8])
def test_processes_at_once_lose_nothing(
    count: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for round_ in range(rounds(request)):
        home = tmp_path / f"home{round_}"
        store = Store(home)
        shared = seed_order(store)
        done = run_workers(home, shared, count, ops=96 // count)
        assert done, "the workers did nothing"
        check_folder(store, done)
        shared_events = [d for d in done if d["what"] == "event" and d["order"] == shared]
        assert len(store.load(shared).events) == len(shared_events)


def test_colliding_ids_are_retried_not_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """With a tiny id space, processes pick the same id all the time; each must get its own."""
    alphabet = "2345678"
    monkeypatch.setattr(
        store_module,
        "new_id",
        lambda: "aaa" + random.choice(alphabet) + random.choice(alphabet),  # noqa: S311
    )
    for round_ in range(rounds(request)):
        home = tmp_path / f"home{round_}"
        store = Store(home)
        shared = seed_order(store)
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(6)
        outs = [tmp_path / f"ids{round_}-{n}.json" for n in range(6)]
        procs = [
            context.Process(target=_add_orders, args=(str(home), 4, barrier, str(outs[n])))
            for n in range(6)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
        made = [i for out in outs for i in json.loads(out.read_text())]
        assert len(made) == 24 and len(set(made)) == 24, made
        assert sorted(store.list_ids()) == sorted([*made, shared])
        assert not list(store.orders_dir.glob(".new-*"))


def _add_orders(home: str, count: int, barrier: Any, out: str) -> None:
    store = Store(Path(home))
    barrier.wait(timeout=30)
    made = []
    for n in range(count):
        raw = {"merchant": f"店{n}", "item": "x", "amount": "1", "note": f"{os.getpid()}-{n}"}
        made.append(cases.add_order(store, raw, datetime.now()).id)
    Path(out).write_text(json.dumps(made))


def test_real_cli_processes_at_once(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Eight `python -m refundkit` processes on one order: four log, two attach, two add."""
    env = {k: v for k, v in os.environ.items() if k != "REFUNDKIT_HOME"}
    env.update(COLUMNS="200", NO_COLOR="1")
    for round_ in range(rounds(request)):
        home = tmp_path / f"cli{round_}"
        store = Store(home)
        shared = seed_order(store)
        commands: list[list[str]] = []
        for n in range(4):
            commands.append(["log", shared, "merchant-refused", "--note", f"拒绝 {n}"])
        for n in range(2):
            proof = tmp_path / f"proof{round_}-{n}.jpg"
            proof.write_bytes(b"\xff\xd8\xff" + f"截图 {n}".encode() * 5000)
            commands.append(["add-evidence", shared, str(proof), "--kind", "chat"])
        for n in range(2):
            commands.append(["add-order", "--merchant", f"店 {n}", "--item", "x", "--amount", "1"])
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "refundkit", "--home", str(home), *argv],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                text=True,
            )
            for argv in commands
        ]
        outputs = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            outputs.append(out)
        done: list[dict[str, Any]] = []
        for argv, out in zip(commands, outputs, strict=True):
            if argv[0] == "log":
                event_id = re.search(r"\((t\d+)\)", out)
                assert event_id, out
                done.append(
                    {"what": "event", "order": shared, "id": event_id[1], "token": argv[-1]}
                )
            elif argv[0] == "add-evidence":
                evidence_id = re.search(r"Added (e\d+)", out)
                assert evidence_id, out
                sha = __import__("hashlib").sha256(Path(argv[2]).read_bytes()).hexdigest()
                done.append(
                    {"what": "evidence", "order": shared, "id": evidence_id[1], "sha256": sha}
                )
            else:
                order_id = re.search(r"Recorded order (\w+)", out)
                assert order_id, out
                done.append({"what": "cli-order", "id": order_id[1]})
        check_folder(store, done)
        assert sorted(e.id for e in store.load(shared).events) == sorted(
            d["id"] for d in done if d["what"] == "event"
        )
        assert len(store.list_ids()) == 3


def test_waiting_for_a_lock_says_so(tmp_path: Path) -> None:
    """Before, a command waiting for another one's lock was silent, like a hang. Now, after a
    second, it says on stderr what it waits for, then goes on once the lock is free."""
    from filelock import FileLock

    home = tmp_path / "home"
    store = Store(home)
    order_id = seed_order(store)
    env = {k: v for k, v in os.environ.items() if k != "REFUNDKIT_HOME"}
    lock = FileLock(str(store.order_dir(order_id) / "order.lock"))
    with lock:
        proc = subprocess.Popen(
            [sys.executable, "-m", "refundkit", "--home", str(home), "log", order_id,
             "contacted-merchant"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        # Wait for the notice (a generous bound, so a silent wait fails instead of hanging).
        ready, _, _ = select.select([proc.stderr], [], [], 60)
        line = proc.stderr.readline() if ready else ""
        assert proc.poll() is None, "the command did not wait for the lock"
    out, err = proc.communicate(timeout=60)
    assert line == (
        f"waiting for another refundkit command to finish with order {order_id}...\n"
    ), line + err
    assert proc.returncode == 0 and "Logged contacted-merchant" in out, err
    assert len(store.load(order_id).events) == 1
