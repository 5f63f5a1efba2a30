"""A LightOrder (lightrecord.py) is the validated Order, read without Pydantic.

The first status of a day computes the cases whose span ended from light records, when the
index found their files to be exactly what refundkit writes. These tests hold the light
reading to the validated record: the same fields, equal values of the same types, the same
case computed from either; anything refundkit would not have written gives None; and a
status the day after reads as the same status computed afresh, without Pydantic loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from refundkit import index, kinds, lightrecord, models
from refundkit.overview import computed
from refundkit.store import Store, dump_order


@pytest.mark.parametrize("name", sorted(lightrecord.FIELDS))
def test_every_field_of_the_models_is_converted(name: str) -> None:
    assert list(lightrecord.FIELDS[name]) == list(getattr(models, name).model_fields)


def same(light: Any, model: Any, where: str = "order") -> None:
    """light holds what model holds: every field, equal and of the same type."""
    if isinstance(model, BaseModel):
        assert isinstance(light, lightrecord.Light), where
        for name in type(model).model_fields:
            same(getattr(light, name), getattr(model, name), f"{where}.{name}")
        assert vars(light).keys() == type(model).model_fields.keys(), where
    elif isinstance(model, list):
        assert type(light) is list and len(light) == len(model), where
        for n, (a, b) in enumerate(zip(light, model, strict=True)):
            same(a, b, f"{where}[{n}]")
    else:
        assert type(light) is type(model) and light == model, (where, light, model)


texts = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12).filter(
    lambda t: t.strip() == t and t
)
maybe_texts = st.none() | texts
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


def one_of_enum(kind: Any) -> Any:
    return st.sampled_from(list(kind))


corrections = st.builds(
    dict, recorded=moments, field=texts, old=maybe_texts, new=maybe_texts, why=maybe_texts
)
events = st.builds(
    dict,
    kind=one_of_enum(kinds.EventKind),
    on=days,
    at=st.none() | st.times(),
    note=maybe_texts,
    ref=maybe_texts,
    amount=st.none() | amounts,
    channel=st.none() | one_of_enum(kinds.Channel),
    asked=st.none() | one_of_enum(kinds.RequestKind),
    reason=st.none() | one_of_enum(kinds.RefusalReason),
    refused=st.none() | one_of_enum(kinds.RequestKind),
    outcome=st.none() | one_of_enum(kinds.Outcome),
    recorded=moments,
    corrections=st.lists(corrections, max_size=2),
    withdrawn=st.none() | moments,
    withdrawn_why=maybe_texts,
)
evidence = st.builds(
    dict,
    kind=one_of_enum(kinds.EvidenceKind),
    original_name=texts,
    size=st.integers(min_value=0, max_value=10**12),
    media_type=st.just("image/png"),
    sha256=st.just("ab" * 32),
    added=moments,
    taken=st.none() | days,
    note=maybe_texts,
)
removed = st.builds(
    dict,
    kind=one_of_enum(kinds.EvidenceKind),
    original_name=texts,
    sha256=st.just("cd" * 32),
    removed=moments,
    trash=texts,
    restored=st.none() | moments,
)
orders = st.fixed_dictionaries(
    {
        "merchant": texts,
        "item": texts,
        "amount": amounts,
        "currency": st.sampled_from(["CNY", "EUR", "GBP", "USD"]),
        "purchased": days,
        "purchased_time": st.none() | st.times(),
        "received": st.none() | days,
        "received_time": st.none() | st.times(),
        "platform": maybe_texts,
        "order_no": maybe_texts,
        "payment_method": st.none() | one_of_enum(kinds.PaymentMethod),
        "category": one_of_enum(kinds.Category),
        "problem": one_of_enum(kinds.Problem),
        "promise_days": st.none() | st.integers(min_value=1, max_value=3650),
        "promise_from": st.none() | one_of_enum(kinds.PromiseFrom),
        "jurisdiction": one_of_enum(kinds.Jurisdiction),
        "details": maybe_texts,
        "note": maybe_texts,
        "bill_refunded": st.none() | amounts,
        "created": moments,
        "events": st.lists(events, max_size=4),
        "evidence": st.lists(evidence, max_size=3),
        "removed_evidence": st.lists(removed, max_size=2),
    }
)


def validated(fields: dict[str, Any]) -> models.Order:
    for n, item in enumerate(fields["events"]):
        item["id"] = f"v{n + 1}"
    for n, item in enumerate(fields["evidence"]):
        item["id"] = f"e{n + 1}"
        item["stored_as"] = f"evidence/e{n + 1}.png"
    for n, item in enumerate(fields["removed_evidence"]):
        item["id"] = f"e{n + 10}"
    try:
        return models.Order(id="abc234", **fields)
    except ValidationError:
        assume(False)
        raise


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(fields=orders, offset=st.integers(min_value=-10, max_value=400))
def test_a_light_order_is_the_validated_order(fields: dict[str, Any], offset: int) -> None:
    order = validated(fields)
    light = lightrecord.light_order(json.loads(dump_order(order)))
    assert light is not None
    same(light, order)
    day = order.purchased + timedelta(days=offset)
    assert computed(light, day) == computed(order, day)


def canonical() -> dict[str, Any]:
    from rules_cases import order

    asked = ("contacted-merchant", date(2026, 11, 13), {})
    data: dict[str, Any] = json.loads(dump_order(order(asked)))
    return data


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(extra="kept by Pydantic, not by a light order"),
        lambda d: d.pop("note"),
        lambda d: d.update(amount=399),
        lambda d: d.update(amount="many"),
        lambda d: d.update(purchased="yesterday"),
        lambda d: d.update(category="furniture"),
        lambda d: d.update(events={}),
        lambda d: d["events"][0].update(on=None),
        lambda d: d["events"][0].pop("kind"),
        lambda d: d.update(promise_days="15"),
    ],
)
def test_anything_refundkit_would_not_write_gives_none(spoil: Any) -> None:
    data = canonical()
    assert lightrecord.light_order(data) is not None
    spoil(data)
    assert lightrecord.light_order(data) is None


@pytest.fixture
def indexed_yesterday(
    cli: Any, add: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], bytes]:
    """Cases recorded by refundkit and indexed as of yesterday, one of which changes today
    (bought today: not yet on yesterday's list). Returns their ids and today's fresh
    `status --json`."""
    monkeypatch.setattr(index, "clock_ns", lambda: time.time_ns() + 60 * 10**9)  # indexable
    ids = [
        add(purchased="today"),
        add(purchased="3 days ago", received="yesterday", problem="defective"),
        add(purchased="40 days ago", received="35 days ago"),
    ]
    fresh = cli("status", "--json")
    assert fresh.exit_code == 0
    (home / index.INDEX_FILE).unlink()
    yesterday = str(date.today() - timedelta(days=1))
    assert cli("status", "--json", "--as-of", yesterday).exit_code == 0
    header = index.decode_index((home / index.INDEX_FILE).read_bytes())[0]
    assert all(header["cases"][i].get("canonical") is True for i in ids)
    return ids, fresh.stdout_bytes


def test_the_day_after_is_computed_from_light_records(
    cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch, indexed_yesterday: Any
) -> None:
    ids, expected = indexed_yesterday
    validations: list[str] = []
    real = Store.validate_order

    def counting(self: Store, order_id: str, data: bytes) -> Any:
        validations.append(order_id)
        return real(self, order_id, data)

    monkeypatch.setattr(Store, "validate_order", counting)
    today = cli("status", "--json")
    assert today.stdout_bytes == expected
    assert validations == []
    header = index.decode_index((home / index.INDEX_FILE).read_bytes())[0]
    assert header["cases"][ids[0]]["case"] is not None  # computed today, written back
    assert header["cases"][ids[0]].get("canonical") is True


def test_a_hand_edit_is_validated_not_read_light(
    cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch, indexed_yesterday: Any
) -> None:
    """A file changed since it was indexed (here: by hand, the same size) is validated."""
    ids, _expected = indexed_yesterday
    path = home / "orders" / ids[0] / "order.json"
    time.sleep(0.05)
    path.write_bytes(path.read_bytes().replace("蓝牙耳机".encode(), "蓝牙音箱".encode()))
    today = cli("status", "--json")
    assert "蓝牙音箱" in today.stdout


def test_the_day_after_imports_no_pydantic(home: Path, indexed_yesterday: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "refundkit", "status", "--json"],
        capture_output=True,
        text=True,
        env={"REFUNDKIT_HOME": str(home), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "refundkit.lightrecord" in modules
    assert "refundkit.models" not in modules
    assert not {m for m in modules if m.split(".")[0] == "pydantic"}


def test_a_file_that_no_longer_reads_as_it_did_is_validated(
    cli: Any, home: Path, indexed_yesterday: Any
) -> None:
    """Should a file change while keeping its identity (a disk error, a clock set back),
    reading it light gives way to validation, which reports it as damaged."""
    ids, _expected = indexed_yesterday
    path = home / "orders" / ids[0] / "order.json"
    path.write_bytes(b'{"id": "not json')
    header, _head = index.decode_index((home / index.INDEX_FILE).read_bytes())
    header["cases"][ids[0]]["file"] = index.file_identity(path.stat())
    (home / index.INDEX_FILE).write_bytes(index.encode_index(header))
    result = cli("status", "--json")
    assert result.exit_code == 1
    damaged = json.loads(result.stdout)["damaged"]
    assert [d["id"] for d in damaged] == [ids[0]]
    assert "internal error" not in result.output
