"""Crash safety of import-bill: SIGKILL it at random moments; a payment is recorded whole or not
at all, and the next run completes it or says it is done.

The harness is test_crash.py's (a warm "zygote" process forks one real `python -m refundkit`
child per command, which is killed after a random delay), on a year-long bill. Two commands
are killed: recording a row as a new order (the order and its proof assembled in a staging
folder and renamed into place at once), and adding the whole bill to the order that holds that
row (`--order ID --whole-bill`: the proof file and the rewrite of order.json). After every kill:

- no order.json is torn or damaged, and every order committed before is unchanged (the target
  of `--order` either unchanged or with the proof and nothing else new);
- a new order is there whole (its proof file present and verifying) or not at all: never an
  order without its proof, never a proof file without its order in the listing;
- a command that exited 0 before the kill reached it has its change on disk;
- the same command run again completes the import, or refuses it as already done;
- `status --json` lists exactly the orders on disk, none damaged.

`--crash-kills N` scales this test (N // 10 kills, at least 20); the seed is printed and can be
fixed with REFUNDKIT_CRASH_SEED.
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import test_crash as harness
from bill_fixtures import write_big_wechat_csv
from refundkit.evidence import verify_order
from refundkit.store import Store

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "win32", reason="needs fork and SIGKILL"
)

KILLS_PER_FOLDER = 25
PRELOAD = "import refundkit.bills, refundkit.billfile, refundkit.importer, refundkit.xlsx\n"


def dumped(store: Store) -> dict[str, dict[str, Any]]:
    orders, damaged = store.load_all()
    assert not damaged, damaged
    return {o.id: o.model_dump(mode="json") for o in orders}


class Run:
    """One data folder, one bill of a year; the rows are recorded one after another."""

    def __init__(self, base: Path, rng: random.Random, seed: int) -> None:
        self.base, self.rng, self.seed = base, rng, seed
        self.zygote = harness.Zygote(base / "zygote.log")
        self.bill = write_big_wechat_csv(base / "微信支付账单.csv", rows=400)
        self.home = base / "home0"
        self.store = Store(self.home)
        self.rows = iter(range(1, 10_000))
        self.expected: dict[str, float] = {}
        self.stats: Counter[str] = Counter()

    def where(self, what: str) -> str:
        return f"{what} (seed {self.seed}, folder {self.home})"

    def run(self, argv: list[str], kill_after: float | None = None) -> harness.Outcome:
        return self.zygote.run(["--home", str(self.home), *argv], kill_after)

    def next_row(self) -> int:
        """A listing row that can be recorded (¥0.00 rows cannot)."""
        return next(self.rows)

    def holder(self, state: dict[str, dict[str, Any]], transaction: str) -> list[str]:
        return [i for i, o in state.items() if o["transaction_id"] == transaction]

    def one_kill(self, number: int) -> None:
        if number % KILLS_PER_FOLDER == 0:
            self.finish()
            self.home = self.base / f"home{number}"
            self.store = Store(self.home)
            self.listing = json.loads(self.run(["import-bill", str(self.bill), "--json"]).output)
        before = dumped(self.store)
        joins = [i for i, o in before.items() if len(o["evidence"]) == 1]
        join = bool(joins) and self.rng.random() < 0.4
        if join:
            target = self.rng.choice(joins)
            row = before[target]["bill_row"]
            argv = ["import-bill", str(self.bill), "--row", str(row), "--order", target]
            argv.append("--whole-bill")
            key = "join"
        else:
            target, row, key = "", self.next_row(), "new"
            argv = ["import-bill", str(self.bill), "--row", str(row)]
        transaction = self.listing["transactions"][row - 1]["id"]
        delay = self.rng.uniform(0, 1.25 * self.expected.get(key, 0.15))
        outcome = self.run(argv, kill_after=delay)
        self.stats["kills"] += 1
        self.stats[key] += 1
        if outcome.killed:
            self.stats["interrupted"] += 1
        else:
            assert outcome.code == 0, self.where(f"{argv}: {outcome.output}")
            old = self.expected.get(key, outcome.seconds)
            self.expected[key] = 0.7 * old + 0.3 * outcome.seconds
        applied = self.check(before, key, target, transaction)
        if outcome.killed and applied:
            self.stats["applied by a killed run"] += 1
        if not outcome.killed:
            assert applied, self.where(f"{argv} exited 0 but its change is missing")
        self.follow_up(argv, applied, key, transaction)

    def check(
        self, before: dict[str, dict[str, Any]], key: str, target: str, transaction: str
    ) -> bool:
        """All of the killed command's change, or none; and nothing else touched."""
        after = dumped(self.store)
        for order_id, old in before.items():
            if order_id != target:
                assert after.get(order_id) == old, self.where(f"{order_id} changed by {key}")
        for order in self.store.load_all()[0]:
            bad = [c for c in verify_order(self.store, order) if c.status != "ok"]
            assert not bad, self.where(f"evidence not ok after the kill: {bad}")
        if key == "new":
            new = set(after) - set(before)
            assert len(new) <= 1, self.where(f"one import made {new}")
            if new:
                (order,) = (after[i] for i in new)
                assert order["transaction_id"] == transaction
                assert [e["id"] for e in order["evidence"]] == ["e1"], self.where(str(order))
                self.tag(next(iter(new)), transaction)
            return bool(new)
        old, new_order = before[target], after[target]
        added = new_order["evidence"][len(old["evidence"]) :]
        assert len(added) in (0, 1), self.where(f"half a batch: {added}")
        unchanged = {k: v for k, v in new_order.items() if k not in ("evidence", "bill_row")}
        assert unchanged == {k: v for k, v in old.items() if k not in ("evidence", "bill_row")}
        return bool(added)

    def tag(self, order_id: str, transaction: str) -> None:
        """Remember which listing row an order came from (test bookkeeping, in the record's
        unknown fields, which refundkit keeps)."""
        row = next(t["row"] for t in self.listing["transactions"] if t["id"] == transaction)
        self.store.update(order_id, lambda o: o.model_copy(update={"bill_row": row}))

    def follow_up(self, argv: list[str], applied: bool, key: str, transaction: str) -> None:
        again = self.run(argv)
        if applied:
            done = "is already recorded in order" if key == "new" else "already attached as e"
            assert again.code == 2 and done in again.output, self.where(again.output)
        else:
            assert again.code == 0, self.where(f"the re-run failed: {again.output}")
            if key == "new":
                (order_id,) = self.holder(dumped(self.store), transaction)
                self.tag(order_id, transaction)
        state = dumped(self.store)
        if key == "new":
            assert len(self.holder(state, transaction)) == 1, self.where("not exactly one order")
        listed = self.run(["status", "--json", "--all"])
        assert listed.code == 0, self.where(listed.output)
        data = json.loads(listed.output)
        assert "damaged" not in data and {o["id"] for o in data["orders"]} == set(state)
        self.stats["orders checked"] += len(state)

    def finish(self) -> None:
        if not self.store.orders_dir.exists():
            return
        state = dumped(self.store)
        for order in self.store.load_all()[0]:
            bad = [c for c in verify_order(self.store, order) if c.status != "ok"]
            assert not bad, self.where(f"evidence not ok: {bad}")
        referenced = {
            str(self.store.order_dir(i) / e["stored_as"])
            for i, o in state.items()
            for e in o["evidence"]
        }
        for path in self.store.orders_dir.glob("*/evidence/*"):
            if not path.name.startswith(".") and str(path) not in referenced:
                self.stats["unreferenced evidence files"] += 1
        self.stats["staging folders left"] += len(list(self.store.orders_dir.glob(".new-*")))


def test_sigkill_during_import_bill(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        harness,
        "ZYGOTE",
        harness.ZYGOTE.replace("import refundkit.windows", PRELOAD + "import refundkit.windows"),
    )
    kills = max(20, int(request.config.getoption("--crash-kills")) // 10)
    seed = int(os.environ.get("REFUNDKIT_CRASH_SEED", random.randrange(2**32)))
    run = Run(tmp_path, random.Random(seed), seed)
    try:
        for number in range(kills):
            run.one_kill(number)
        run.finish()
    finally:
        run.zygote.close()
    summary = f"import-bill crash run (seed {seed}): {dict(run.stats)}"
    print("\n" + summary)
    request.node.user_properties.append(("crash_summary", summary))
    assert run.stats["kills"] == kills
    assert run.stats["interrupted"] >= kills // 4, summary
