"""Schema evolution: today's files stay readable tomorrow, tomorrow's are refused today.

tests/fixtures/order-v1.json was written by this version of refundkit (schema_version 1): a
real-looking case with Chinese text, an emoji, three evidence entries and three events. The
evidence files themselves are rebuilt here from the bytes they were made from, so `verify` can
check them against the hashes in the fixture.

The real upgrade to schema 2 (cli-contract.md, "Version 2") is checked on that fixture: the v1
default platform text becomes `wechat-mini-program` only where a Mini Program name is recorded,
and an old `contacted-merchant` asks `unknown` until the user says, which `status` points out.

A version 3 is played by monkeypatching models.SCHEMA_VERSION and models.MIGRATIONS, the two
things a real version 3 would change: the v1 file must come through both steps, reading must not
rewrite it, and the next change writes it as v3. A file from a version the code does not know is
refused with a clear error and never changed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import snapshot, status_json
from refundkit import index, models
from refundkit.errors import DamagedData, NewerSchema
from refundkit.store import Store

Cli = Callable[..., Any]
FIXTURE = Path(__file__).parent / "fixtures" / "order-v1.json"
ORDER_ID = "k3fq8m"
# The bytes the fixture's evidence was made from (sizes and SHA-256 are in the fixture).
EVIDENCE = {
    "evidence/e1-订单截图.png": b"\x89PNG\r\n\x1a\n" + "订单截图 SY202611200001".encode() * 20,
    "evidence/e2-客服聊天记录 2026-11-23.txt": (
        "客服：商品已拆封，不支持七天无理由退货。\n我：耳机左耳有电流声，属于质量问题。\n"
    ).encode(),
    "evidence/e3-微信支付凭证.pdf": b"%PDF-1.4\n"
    + "交易单号 4200002026112012345678901234 ¥1299.00".encode(),
}


@pytest.fixture
def v1_home(home: Path) -> Path:
    """A data folder holding the fixture order and its evidence files, as v1 left them."""
    folder = home / "orders" / ORDER_ID
    (folder / "evidence").mkdir(parents=True)
    shutil.copy(FIXTURE, folder / "order.json")
    (folder / "order.lock").touch()  # every order folder v1 makes has one
    for stored_as, data in EVIDENCE.items():
        (folder / stored_as).write_bytes(data)
    return home


def test_fixture_is_a_version_1_file() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["id"] == ORDER_ID
    assert len(data["evidence"]) == 3 and len(data["events"]) == 3
    assert "声悦数码旗舰店" in FIXTURE.read_text(encoding="utf-8")  # stored as text, not \u


def test_todays_code_reads_the_v1_fixture(cli: Cli, v1_home: Path) -> None:
    order = Store(v1_home).load(ORDER_ID)
    assert order.merchant == "声悦数码旗舰店" and order.note and order.note.endswith("😞")
    assert str(order.amount) == "1299.00" and order.promise_days == 15
    assert [e.id for e in order.events] == ["t1", "t2", "t3"]
    assert [e.kind.value for e in order.evidence] == ["order", "chat", "payment"]
    before = records(v1_home)
    data = status_json(cli, "--all")
    assert "damaged" not in data and [o["id"] for o in data["orders"]] == [ORDER_ID]
    assert data["orders"][0]["stage"] == "platform"
    assert cli("status", ORDER_ID).exit_code == 0
    verify = cli("verify")
    assert verify.exit_code == 0 and "3 files checked, 0 not ok" in verify.stdout
    assert records(v1_home) == before  # reading never rewrites


def records(home: Path) -> dict[str, bytes]:
    """The data folder's files but the status index, which status may write (derived)."""
    return {k: v for k, v in snapshot(home).items() if not k.startswith("status-index")}


def test_nothing_in_the_fixture_is_lost_when_it_is_written_back(cli: Cli, v1_home: Path) -> None:
    assert cli("log", ORDER_ID, "merchant-replied", "--on", "2026-11-24").exit_code == 0
    written = json.loads((v1_home / "orders" / ORDER_ID / "order.json").read_text())
    original = json.loads(FIXTURE.read_text(encoding="utf-8"))
    upgraded = {"schema_version": 2, "platform": "wechat-mini-program"}
    for key, value in original.items():
        if key != "events":
            assert written[key] == upgraded.get(key, value), key
    for old, new in zip(original["events"], written["events"][:3], strict=True):
        assert {k: new[k] for k in old} == old  # every v1 field kept as it was
    assert [e.get("asked") for e in written["events"][:3]] == ["unknown", None, None]


# --- the real upgrade to schema 2 -------------------------------------------------------


def test_v1_default_platform_becomes_wechat_mini_program_only_with_a_mini_program(
    v1_home: Path,
) -> None:
    order = Store(v1_home).load(ORDER_ID)
    assert order.schema_version == 2
    assert (order.platform, order.mini_program) == ("wechat-mini-program", "声悦数码商城")
    path = v1_home / "orders" / ORDER_ID / "order.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for mini_program, platform, expected in (
        (None, "WeChat Mini Program", None),  # v1's default text, nothing behind it: no platform
        ("", "WeChat Mini Program", None),
        (None, "淘宝", "淘宝"),  # the user's own text is kept
        ("声悦数码商城", "淘宝", "淘宝"),
    ):
        path.write_text(
            json.dumps({**data, "mini_program": mini_program, "platform": platform}),
            encoding="utf-8",
        )
        assert Store(v1_home).load(ORDER_ID).platform == expected, (mini_program, platform)


def test_v1_contacts_ask_unknown_and_status_says_how_to_set_each(cli: Cli, v1_home: Path) -> None:
    path = v1_home / "orders" / ORDER_ID / "order.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    second = {**data["events"][0], "id": "t4", "on": "2026-11-23", "note": "再次联系"}
    path.write_text(json.dumps({**data, "events": [*data["events"], second]}), "utf-8")
    order = Store(v1_home).load(ORDER_ID)
    asked = {e.id: (e.kind.value, e.asked and e.asked.value) for e in order.events}
    assert asked["t1"] == asked["t4"] == ("contacted-merchant", "unknown")
    assert asked["t2"] == ("merchant-refused", None) and asked["t3"][1] is None
    shown = cli("status", ORDER_ID, "--as-of", "2026-11-30")
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())  # rich wraps long lines
    for event in ("t1", "t4"):
        assert f"refundkit correct {ORDER_ID} {event} --asked return" in text, text
    assert f"refundkit correct {ORDER_ID} t2" not in text.replace("--refused", "")
    # Until the user says, the unknown contact exercises nothing; once set, it does.
    data_json = status_json(cli, "--all", "--as-of", "2026-11-30")["orders"][0]
    assert {w["rule"]: w["exercised"] for w in data_json["windows"]}["cn-7day"] is None
    assert cli("correct", ORDER_ID, "t1", "--asked", "return").exit_code == 0
    data_json = status_json(cli, "--all", "--as-of", "2026-11-30")["orders"][0]
    assert {w["rule"]: w["exercised"] for w in data_json["windows"]}["cn-7day"] == "2026-11-22"
    fixed = json.loads(path.read_text(encoding="utf-8"))["events"][0]
    assert (
        fixed["corrections"][0]["old"] == "unknown" and fixed["corrections"][0]["new"] == "return"
    )
    after = " ".join(cli("status", ORDER_ID, "--as-of", "2026-11-30").stdout.split())
    assert f"refundkit correct {ORDER_ID} t1 --asked" not in after
    assert f"refundkit correct {ORDER_ID} t4 --asked return" in after


def test_unknown_fields_survive_a_rewrite(cli: Cli, v1_home: Path) -> None:
    """A field a later minor version (or the user) added is kept, not stripped."""
    path = v1_home / "orders" / ORDER_ID / "order.json"
    data = json.loads(path.read_text())
    data["courier"] = {"name": "顺丰", "tracking": "SF1234567890"}
    data["events"][0]["attachment"] = "e2"
    path.write_text(json.dumps(data, ensure_ascii=False))
    assert cli("edit", ORDER_ID, "--note", "改过").exit_code == 0
    again = json.loads(path.read_text())
    assert again["courier"] == data["courier"] and again["events"][0]["attachment"] == "e2"


# --- playing version 3 -------------------------------------------------------------------


def v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """The kind of step a real v3 would ship: v2 times were local times, v3 says which zone
    they are in, and v3 keeps the phone number without separators."""
    upgraded = dict(data)
    upgraded["timezone"] = "Asia/Shanghai"
    if upgraded.get("merchant_phone"):
        upgraded["merchant_phone"] = upgraded["merchant_phone"].replace("-", "")
    upgraded["schema_version"] = 3
    return upgraded


REAL_STEPS = dict(models.MIGRATIONS)


@pytest.fixture
def version_3(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def step(data: dict[str, Any]) -> dict[str, Any]:
        calls.append(data["schema_version"])
        return v2_to_v3(data)

    monkeypatch.setattr(models, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(models, "MIGRATIONS", {**REAL_STEPS, 2: step})
    return calls


def test_v3_upgrades_a_v1_file_through_both_steps_when_reading_it(
    v1_home: Path, version_3: list[int]
) -> None:
    path = v1_home / "orders" / ORDER_ID / "order.json"
    before = path.read_bytes()
    order = Store(v1_home).load(ORDER_ID)
    assert version_3 == [2], "the v1 file did not go through the v2-to-v3 step"
    assert order.schema_version == 3
    assert order.platform == "wechat-mini-program"  # the real v1-to-v2 step ran first
    assert order.merchant_phone == "075512345678"
    assert (order.model_extra or {})["timezone"] == "Asia/Shanghai"
    assert [e.id for e in order.evidence] == ["e1", "e2", "e3"]
    assert path.read_bytes() == before  # reading upgrades in memory only


def test_v3_writes_the_upgrade_with_the_next_change(
    cli: Cli, v1_home: Path, version_3: list[int]
) -> None:
    path = v1_home / "orders" / ORDER_ID / "order.json"
    before = snapshot(v1_home)
    assert cli("status", ORDER_ID).exit_code == 0 and cli("verify").exit_code == 0
    assert snapshot(v1_home) == before
    assert cli("log", ORDER_ID, "merchant-replied", "--note", "同意退货").exit_code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == 3 and data["timezone"] == "Asia/Shanghai"
    assert data["merchant_phone"] == "075512345678" and len(data["events"]) == 4
    # Read again by v3: already current, so the migration does not run a second time.
    calls = len(version_3)
    assert Store(v1_home).load(ORDER_ID).schema_version == 3
    assert len(version_3) == calls
    # New records made by v3 are stamped v3.
    assert cli("add-order", "--merchant", "m", "--item", "i", "--amount", "1").exit_code == 0
    versions = {
        json.loads(p.read_text())["schema_version"] for p in v1_home.glob("orders/*/order.json")
    }
    assert versions == {3}


def test_v2_refuses_what_v3_wrote_and_leaves_it_alone(
    cli: Cli, v1_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with monkeypatch.context() as patch:  # v3 writes the file ...
        patch.setattr(models, "SCHEMA_VERSION", 3)
        patch.setattr(models, "MIGRATIONS", {**REAL_STEPS, 2: v2_to_v3})
        patch.setattr(index, "code_fingerprint", lambda: "v3")  # v3's index is not v2's
        assert cli("edit", ORDER_ID, "--note", "v3 was here").exit_code == 0
    path = v1_home / "orders" / ORDER_ID / "order.json"  # ... and v2 (this code) meets it
    assert json.loads(path.read_text())["schema_version"] == 3
    with pytest.raises(NewerSchema, match="newer refundkit"):
        Store(v1_home).load(ORDER_ID)
    before = snapshot(v1_home)
    proof = tmp_path / "p.txt"
    proof.write_bytes(b"p")
    for args in (
        ("edit", ORDER_ID, "--note", "v2"),
        ("log", ORDER_ID, "merchant-replied"),
        ("add-evidence", ORDER_ID, str(proof), "--kind", "chat"),
        ("status", ORDER_ID),
        ("verify", ORDER_ID),
    ):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "schema_version 3, this one reads up to 2" in result.stderr
        assert "upgrade refundkit" in result.stderr
    data = status_json(cli)
    assert data["orders"] == [] and "newer refundkit" in data["damaged"][0]["error"]
    assert snapshot(v1_home) == before


def test_a_missing_migration_step_is_damage_not_a_crash(
    v1_home: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setattr(models, "SCHEMA_VERSION", 4)
    monkeypatch.setattr(models, "MIGRATIONS", {**REAL_STEPS, 2: v2_to_v3})  # no step 3 to 4
    with pytest.raises(DamagedData, match="cannot upgrade it from schema_version 1"):
        Store(v1_home).load(ORDER_ID)
    before = snapshot(v1_home)
    assert cli("status").exit_code == 1
    assert cli("edit", ORDER_ID, "--note", "x").exit_code == 1
    assert snapshot(v1_home) == before


def test_a_migration_that_cannot_apply_is_damage(
    v1_home: Path, version_3: list[int], cli: Cli
) -> None:
    path = v1_home / "orders" / ORDER_ID / "order.json"
    data = json.loads(path.read_text())
    data["merchant_phone"] = 12345  # hand-edited: the v2-to-v3 step cannot .replace() it
    path.write_text(json.dumps(data))
    with pytest.raises(DamagedData, match="cannot upgrade"):
        Store(v1_home).load(ORDER_ID)


def test_profile_goes_through_the_same_path(
    cli: Cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("profile", "--name", "张三", "--phone", "138-0013-8000").exit_code == 0
    monkeypatch.setattr(models, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(
        models, "MIGRATIONS", {**REAL_STEPS, 2: lambda d: {**d, "schema_version": 3}}
    )
    assert Store(home).load_profile().schema_version == 3
    monkeypatch.setattr(models, "SCHEMA_VERSION", 2)
    profile = home / "profile.json"
    data = json.loads(profile.read_text())
    data["schema_version"] = 5
    profile.write_text(json.dumps(data))
    before = profile.read_bytes()
    result = cli("profile", "--name", "李四")
    assert result.exit_code == 1 and "newer refundkit" in result.stderr
    assert profile.read_bytes() == before
