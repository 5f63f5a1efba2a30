"""Concurrent imports of one payment: the check that it is not recorded yet runs under the data
folder's import lock, together with the recording, so however close together three imports of
one transaction start, they make one order (and attach one proof to an existing order).

Processes forked from the test meet at a barrier and call the importer at once, round after
round (the tightest race there is); then real `python -m refundkit import-bill` processes are
started together. `--crash-kills N` scales the rounds, as it does in test_concurrency.py.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bill_fixtures import WECHAT_CSV
from refundkit import cases
from refundkit.store import Store

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks worker processes")

WORKERS = 3


def rounds(request: pytest.FixtureRequest) -> int:
    return max(3, int(request.config.getoption("--crash-kills")) // 50)


def importer_worker(home: str, bill: str, row: int, into: str, barrier: Any, out: str) -> None:
    """Import one row at the barrier; write down what happened."""
    from refundkit import bills, importer
    from refundkit.errors import RefundkitError

    try:
        store = Store(Path(home))
        parsed = bills.read_bill(Path(bill))
        entry = bills.pick_row(parsed, row)
        barrier.wait(timeout=30)
        if into:
            done = importer.import_into(
                store, parsed, Path(bill), entry, into, {}, datetime.now(), choices={}
            )
        else:
            done = importer.import_new(store, parsed, Path(bill), entry, {}, datetime.now())
        result = {"ok": done.order.id, "evidence": done.evidence.id}
    except RefundkitError as exc:
        result = {"refused": exc.message}
    except BaseException:
        result = {"error": traceback.format_exc()}
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def race(home: Path, row: int, into: str = "") -> list[dict[str, Any]]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS)
    outs = [home.parent / f"{home.name}-{into or 'new'}-{n}.json" for n in range(WORKERS)]
    procs = [
        context.Process(
            target=importer_worker,
            args=(str(home), str(WECHAT_CSV), row, into, barrier, str(out)),
        )
        for out in outs
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    results = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, errors[0]
    return results


def orders_holding(store: Store, transaction_id: str) -> list[str]:
    orders, damaged = store.load_all()
    assert not damaged, damaged
    return [o.id for o in orders if o.transaction_id == transaction_id]


def test_three_imports_of_one_payment_make_one_order(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for number in range(rounds(request)):
        home = tmp_path / f"home{number}"
        store = Store(home)
        results = race(home, row=1)
        made = [r["ok"] for r in results if "ok" in r]
        assert len(made) == 1, results
        refusals = [r["refused"] for r in results if "refused" in r]
        assert len(refusals) == WORKERS - 1
        assert all(f"is already recorded in order {made[0]}" in r for r in refusals), refusals
        assert orders_holding(store, "4200009901202501201234567890") == made
        assert store.list_ids() == made
        assert not list(store.orders_dir.glob(".new-*"))


def test_three_imports_into_one_order_attach_one_proof(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for number in range(rounds(request)):
        home = tmp_path / f"home{number}"
        store = Store(home)
        raw = {"merchant": "声悦数码旗舰店", "item": "蓝牙耳机 Pro", "amount": "1299",
               "purchased": "2025-03-20"}  # fmt: skip
        order_id = cases.add_order(store, raw, datetime.now()).id
        results = race(home, row=1, into=order_id)
        assert len([r for r in results if "ok" in r]) == 1, results
        refusals = [r["refused"] for r in results if "refused" in r]
        assert all("already attached as e1" in r for r in refusals), refusals
        order = store.load(order_id)
        assert [e.id for e in order.evidence] == ["e1"]
        assert order.transaction_id == "4200009901202501201234567890"
        leftovers = [p.name for p in (store.order_dir(order_id) / "evidence").iterdir()]
        assert leftovers == [order.evidence[0].stored_as.split("/", 1)[1]]


def test_real_cli_processes_at_once(tmp_path: Path) -> None:
    """Three `python -m refundkit import-bill` processes, started together."""
    env = {k: v for k, v in os.environ.items() if k != "REFUNDKIT_HOME"}
    env.update(COLUMNS="200", NO_COLOR="1")
    home = tmp_path / "cli"
    argv = [sys.executable, "-m", "refundkit", "--home", str(home), "import-bill"]
    procs = [
        subprocess.Popen(
            [*argv, str(WECHAT_CSV), "--row", "2"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    codes = []
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        codes.append(proc.returncode)
        assert proc.returncode == 0 or "is already recorded in order" in err, err
    assert sorted(codes) == [0] + [2] * (WORKERS - 1)
    assert len(orders_holding(Store(home), "4200009901202501181111111111")) == 1
