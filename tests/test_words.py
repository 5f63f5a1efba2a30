"""Every code the rules can produce has words, in both languages, in the terminal's wording
layer (refundkit.words) and in the letters' (templates/letters/_law.*.md.j2, _parts.*.md.j2).

The codes are found by reading the rules' source (src/refundkit/rules/*.py) for the literals
passed to Ground(...), Note(...), Step(...), Clock(...), Demand(...), Limitation(...) and
not_applicable(...), so a new code without words fails here instead of printing an empty
bullet or its raw id.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import refundkit.rules as rules_package
from refundkit import i18n
from refundkit.kinds import (
    Category,
    Channel,
    EventKind,
    Jurisdiction,
    Lang,
    Outcome,
    RefusalReason,
    RequestKind,
    WindowState,
)
from refundkit.rules import Assessment
from refundkit.rules.ladder import REGULATOR
from refundkit.rules.results import Clock, Demand, Limitation, Note, Step, Window
from refundkit.words import names, terminal
from rules_cases import case, ev, judge

RULES_DIR = Path(rules_package.__file__).parent
DAY = date(2026, 11, 20)
LANGS = ["zh", "en"]


# --- the codes, from the rules' source -----------------------------------------------------


def _strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _assigned(function: ast.AST, name: str) -> Iterator[str]:
    """String literals assigned to a local name (code = "a" if x else "b")."""
    for sub in ast.walk(function):
        if isinstance(sub, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in sub.targets
        ):
            yield from _strings(sub.value)


def scan() -> dict[str, set[str]]:
    """Codes by kind: ground, note, notice, question, step, clock, demand, limitation,
    reason, trigger, refund-basis."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(RULES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                kind = {
                    "Ground": "ground",
                    "Note": "note",
                    "Step": "step",
                    "Clock": "clock",
                    "Demand": "demand",
                    "Limitation": "limitation",
                }.get(name)
                if name == "Note" and function.name in ("notices", "questions"):
                    kind = {"notices": "notice", "questions": "question"}[function.name]
                if kind and call.args:
                    first = call.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        found[kind].add(first.value)
                    elif isinstance(first, ast.Name):
                        found[kind].update(_assigned(function, first.id))
                if name == "not_applicable" and len(call.args) == 2:
                    found["reason"].update(_strings(call.args[1]))
            if function.name == "_demand_kind":
                for ret in [n for n in ast.walk(function) if isinstance(n, ast.Return)]:
                    if isinstance(ret.value, ast.Tuple):
                        found["demand"].update(_strings(ret.value.elts[0]))
            for d in [n for n in ast.walk(function) if isinstance(n, ast.Dict)]:
                for key, value in zip(d.keys, d.values, strict=True):
                    if isinstance(key, ast.Constant) and value is not None:
                        if key.value == "code" and function.name == "_saic_9_triggers":
                            found["trigger"].update(_strings(value))
                        if key.value == "basis" and isinstance(value, ast.Constant):
                            found["refund-basis"].add(str(value.value))
    found["reason"] |= {c.value for c in Category if c is not Category.GOODS}  # category codes
    found["ground"] |= RULE_IDS  # a window that applies is a ground of its own id
    return found


RULE_IDS = {
    "cn-7day",
    "cn-prepaid-7day",
    "promise",
    "cn-defect-7day",
    "eu-14day",
    "eu-guarantee",
    "uk-14day",
    "uk-30day-reject",
    "uk-repair-replace",
}
CODES = scan()


def test_the_scan_finds_the_codes_it_should() -> None:
    """The scan itself: if the rules change shape, this says so before the rest passes
    vacuously."""
    assert {"cpl-55", "saic-9", "refund-due", "us-fcba-1666i", "uk-s75"} <= CODES["ground"]
    assert {"holiday-rollover", "weekend-rollover", "uk-presumption"} <= CODES["note"]
    assert {"contact-asked-unknown", "details-missing"} <= CODES["notice"]
    assert {"no-ground", "fraud-proof", "limitation-interruption"} <= CODES["question"]
    assert {"request-return", "request-remedy", "await-platform", "none"} <= CODES["step"]
    assert {"wechat-pay-finish", "refund-due", "quality-deliberate-delay"} <= CODES["clock"]
    assert {"nothing", "fraud", "goodwill", "quality-remedy"} <= CODES["demand"]
    assert {"cn-188", "uk-limitation", "eu-national", "us-state"} <= CODES["limitation"]
    assert {"no-promise", "not-prepaid", "not-faulty", "not-goods", "custom"} <= CODES["reason"]
    assert {"opened", "non-returnable", "request-unhandled", "refund-delayed"} == CODES["trigger"]
    assert {"cpl-25", "eu-13", "uk-reg-34"} == CODES["refund-basis"]


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    yield str(request.param)
    i18n.set_language("en")


def worded(text: str, code: str) -> bool:
    """Words, not the raw code, nor a fallback like "quality-deliberate-delay 2026-11-20"."""
    text = text.strip()
    fallback = re.fullmatch(re.escape(code) + r" \d{4}-\d{2}-\d{2}", text) is not None
    return bool(text) and text != code and not fallback


# --- the terminal's words ------------------------------------------------------------------

PARAMS: dict[str, Any] = {
    "date": DAY,
    "year": 2031,
    "in_force": date(2025, 5, 1),
    "until": DAY,
    "category": "custom",
    "event": "t1",
    "on": DAY,
    "private_note": True,
}


def sample() -> Assessment:
    return judge(case(ev("merchant-refused", date(2026, 11, 14))), DAY)


@pytest.mark.parametrize("code", sorted(RULE_IDS))
def test_every_rule_id_has_a_name_and_a_basis(lang: str, code: str) -> None:
    assert worded(names.rule(code), code)
    for state in (WindowState.OPEN, WindowState.NOT_STARTED):
        window = Window(code, state, DAY, DAY, 0, "receipt", params={"days": 7})
        for jurisdiction in Jurisdiction:
            assert worded(terminal.window_basis(window, jurisdiction, "abc234"), code)


@pytest.mark.parametrize("code", sorted(CODES["note"]))
def test_every_window_note_has_words(lang: str, code: str) -> None:
    assert worded(terminal.window_note(Note(code, PARAMS)), code)


@pytest.mark.parametrize("code", sorted(CODES["notice"]))
def test_every_notice_has_words(lang: str, code: str) -> None:
    assert worded(terminal.notice_text(Note(code, PARAMS), "abc234"), code)


@pytest.mark.parametrize("code", sorted(CODES["reason"]))
def test_every_not_applicable_reason_has_words(lang: str, code: str) -> None:
    jurisdictions = [Jurisdiction.CN]
    if code in ("custom", "perishable", "digital", "periodical"):
        jurisdictions += [Jurisdiction.EU, Jurisdiction.UK]
    if code == "no-promise" or code.startswith("not-"):
        jurisdictions = list(Jurisdiction)
    for jurisdiction in jurisdictions:
        window = Window("cn-7day", WindowState.NOT_APPLICABLE, reason=code)
        assert worded(terminal.not_applicable_reason(window, jurisdiction), code), jurisdiction


STEP_PARAMS: dict[str, Any] = {
    "rule": "cn-7day",
    "since": DAY,
    "clock": "wechat-pay-finish",
    "known": True,
    "answered": DAY,
    "outcome": "rejected",
}


@pytest.mark.parametrize("code", sorted(CODES["step"]))
def test_every_step_has_an_action_a_short_form_and_a_reason(lang: str, code: str) -> None:
    base = sample()
    closed = replace(base, step=Step("none"))
    for overdue in (False, True):
        a = replace(
            base,
            step=Step(code, DAY, overdue, Channel.WECHAT_PAY, STEP_PARAMS),
        )
        action = terminal.step_action(a, "abc234")
        short = terminal.step_short(a)
        assert worded(action, code)
        assert worded(short, code) or short == "none" == code  # the word, not only the code
        if code != "none":  # an unknown code would get the closed case's words
            assert action != terminal.step_action(closed, "abc234")
            assert terminal.step_reason(a) != terminal.step_reason(closed)


@pytest.mark.parametrize("code", sorted(CODES["clock"]))
def test_every_clock_has_words(lang: str, code: str) -> None:
    for basis in sorted(CODES["refund-basis"]) if code == "refund-due" else [None]:
        clock = Clock(code, DAY, "t1", params={"basis": basis} if basis else {})
        assert worded(terminal.clock_text(clock), code)


def test_each_refund_basis_has_its_own_words(lang: str) -> None:
    texts = {
        terminal.clock_text(Clock("refund-due", DAY, params={"basis": b}))
        for b in CODES["refund-basis"]
    }
    assert len(texts) == len(CODES["refund-basis"])


@pytest.mark.parametrize("code", sorted(CODES["demand"]))
def test_every_demand_kind_has_words(lang: str, code: str) -> None:
    a = replace(sample(), demand=Demand(code, price=sample().demand.price))
    assert worded(terminal.demand_phrase(a), code)


@pytest.mark.parametrize("code", sorted(CODES["limitation"]))
def test_every_limitation_basis_has_words(lang: str, code: str) -> None:
    limitation = Limitation(code, DAY, DAY, "refusal", DAY, DAY, DAY, DAY)
    assert worded(terminal.limitation_text(limitation), code)
    assert worded(terminal.limitation_text(limitation, uncertain=False), code)


def test_channels_regulators_reasons_and_requests_have_names(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looked up through `_` (so translatable), not passed through as the raw code: some
    names are the code's own word ("delivery"), so the lookup is marked to tell them apart."""
    monkeypatch.setattr(names, "_", lambda message: "«" + i18n._(message) + "»")
    tables = [
        (names.channel, [c.value for c in Channel]),
        (names.channel_target, [c.value for c in Channel]),
        (names.regulator, list(REGULATOR.values())),
        (names.refusal_reason, [r.value for r in RefusalReason]),
        (names.request, [r.value for r in RequestKind]),
        (names.rule, sorted(RULE_IDS)),
    ]
    for table, codes in tables:
        for code in codes:
            text = table(code)
            assert text.startswith("«") and worded(text.strip("«»"), "") and text != "«»", code


# --- the letters' words --------------------------------------------------------------------


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Render a snippet with the letters' environment and a real case's context."""
    from refundkit import letters
    from refundkit.cases import report
    from refundkit.letter_facts import letter_facts
    from refundkit.models import Profile
    from refundkit.store import Store
    from rules_cases import order

    store = Store(tmp_path_factory.mktemp("home"))
    env = letters._environment(store)
    stored = order(("merchant-refused", date(2026, 11, 14), {}))

    def run(lang: str, body: str, **context: Any) -> str:
        base = letter_facts(report(stored, DAY), Profile(), Lang(lang))
        head = (
            f'{{% import "letters/_law.{lang}.md.j2" as law with context %}}'
            f'{{% import "letters/_parts.{lang}.md.j2" as p with context %}}'
        )
        return str(env.from_string(head + body).render({**base, **context})).strip()

    return run


GROUND: dict[str, Any] = {
    "start": "S",
    "deadline": "D",
    "exercised": None,
    "by_refusal": False,
    "status": "open",
    "counted_from": "receipt",
    "received": "R",
    "delivered": "DL",
    "shipped": "SH",
    "days": 30,
    "excluded_goods": False,
    "paid": "P",
    "before_force": False,
    "units": 10,
    "used": 3,
    "compensation": "¥1,197.00",
    "service": False,
    "remedy": "repair-or-replace",
    "since": "SI",
    "basis": "cpl-25",
    "due": "DU",
    "overdue": False,
    "delay_from": None,
    "presumed_until": "PU",
    "over_minimum": True,
    "triggers": [{"code": "opened"}],
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["ground"]))
def test_every_ground_has_letter_words(render: Any, lang: str, code: str) -> None:
    g = {**GROUND, "id": code}
    for jurisdiction in ("cn", "eu", "uk", "us"):
        full = render(lang, "{{ law.ground(g) }}", g=g, jurisdiction=jurisdiction)
        short = render(lang, "{{ law.ground_short(g) }}", g=g, jurisdiction=jurisdiction)
        assert worded(full, code) and worded(short, code), jurisdiction


@pytest.mark.parametrize("lang", LANGS)
def test_every_refusal_trigger_and_refund_basis_has_letter_words(render: Any, lang: str) -> None:
    def saic(code: str) -> str:
        g = {**GROUND, "id": "saic-9", "triggers": [{"code": code, "since": "SI"}]}
        return str(render(lang, "{{ law.ground(g) }}", g=g))

    empty = saic("zz-not-a-trigger")
    for code in CODES["trigger"]:
        assert len(saic(code)) > len(empty), code
    other = render(lang, "{{ law.ground(g) }}", g={**GROUND, "id": "refund-due", "basis": "zz"})
    for basis in CODES["refund-basis"]:
        g = {**GROUND, "id": "refund-due", "basis": basis}
        assert render(lang, "{{ law.ground(g) }}", g=g) != other, basis


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(RULE_IDS))
def test_every_rule_id_has_a_letter_name(render: Any, lang: str, code: str) -> None:
    assert worded(render(lang, "{{ law.RULE[rule] }}", rule=code), code)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["note"]))
def test_every_window_note_has_letter_words(render: Any, lang: str, code: str) -> None:
    n = {"id": code, **{k: str(v) for k, v in PARAMS.items()}}
    assert worded(render(lang, "{{ law.note(n) }}", n=n), code)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["reason"]))
def test_every_not_applicable_reason_has_letter_words(render: Any, lang: str, code: str) -> None:
    w = {"state": "not-applicable", "reason": code}
    assert worded(render(lang, "{{ law.state(w) }}", w=w), code)
    assert code in render(lang, "{{ law.NOT_APPLICABLE | list | join(',') }}").split(",")


QUESTION: dict[str, Any] = {
    "on": "ON",
    "date": "DA",
    "rule": "cn-7day",
    "kinds": ["order"],
    "as_of": "AS",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["question"]))
def test_every_question_has_letter_words(render: Any, lang: str, code: str) -> None:
    q = {"id": code, **QUESTION}
    assert worded(render(lang, "{{ law.question(q) }}", q=q), code)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["clock"]))
def test_every_clock_has_letter_words(render: Any, lang: str, code: str) -> None:
    c = {
        "code": code,
        "date": "DA",
        "passed": False,
        "known": True,
        "event": "t1",
        "basis": "cpl-25",
    }
    assert worded(render(lang, "{{ law.clock(c) }}", c=c), code)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["demand"]))
def test_every_demand_kind_has_letter_words(render: Any, lang: str, code: str) -> None:
    demand = {
        "kind": code,
        "amount": "¥399.00",
        "compensation": "¥1,197.00",
        "compensation_total": "¥1,197.00",
        "refunded": None,
        "compensation_received": None,
        "remedy": "repair-or-replace",
        "units": None,
        "used": None,
        "reply_by": "RB",
        "due": "DU",
        "overdue": False,
    }
    goodwill = {**demand, "kind": "zz-not-a-demand"}
    for macro in ("demand_sentence", "demand_short"):
        text = render(lang, f"{{{{ law.{macro}() }}}}", demand=demand)
        assert worded(text, code), macro
        if code != "goodwill":  # the fallback branch is the goodwill request
            assert text != render(lang, f"{{{{ law.{macro}() }}}}", demand=goodwill), macro


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", sorted(CODES["limitation"]))
def test_every_limitation_basis_has_letter_words(render: Any, lang: str, code: str) -> None:
    lim = {
        "basis": code,
        "safe": "SA",
        "starts": "ST",
        "started_by": "refusal",
        "first_start": "ST",
        "later": "LA",
        "later_from": "LF",
        "alternative": "AL",
    }
    other = render(lang, "{{ law.limitation_text(lim) }}", lim={**lim, "basis": "zz"})
    text = render(lang, "{{ law.limitation_text(lim) }}", lim=lim)
    assert worded(text, code)
    if code != "us-state":  # the fallback branch is the US wording
        assert text != other


@pytest.mark.parametrize("lang", LANGS)
def test_channels_regulators_reasons_requests_and_counting_have_letter_words(
    render: Any, lang: str
) -> None:
    """A missing key fails the render (StrictUndefined); an empty word fails here."""
    tables = [
        ("p.CHANNEL", [c.value for c in Channel]),
        ("law.REGULATOR", list(REGULATOR.values())),
        ("p.REQUEST", [r.value for r in RequestKind]),
        ("p.REASON", [r.value for r in RefusalReason if r is not RefusalReason.OTHER]),
        ("law.FROM", ["receipt", "purchase", "delivery", "contract"]),
        ("p.EVENT", ["purchased", "received", *(k.value for k in EventKind)]),
        ("p.OUTCOME", [o.value for o in Outcome]),
    ]
    for table, codes in tables:
        for code in codes:
            assert render(lang, "{{ " + table + "[c] }}", c=code), (table, code)
    # `other` says nothing about the reason on purpose: "refused", without a made-up why
    assert render(lang, "{{ p.REASON['other'] }}") == ""


# --- the law document ----------------------------------------------------------------------


def test_every_rule_ground_clock_limitation_and_regulator_code_is_in_docs_law() -> None:
    """docs/law.md's table says where each code's law is written down: a new code the rules
    can produce must be added there, with its article, before a letter cites it."""
    law = (Path(__file__).resolve().parents[1] / "docs" / "law.md").read_text(encoding="utf-8")
    table = law.split("## Where each code of refundkit is explained")[1].split("\n## ")[0]
    listed = set(re.findall(r"`([a-z0-9-]+)`", table))
    codes = CODES["ground"] | CODES["clock"] | CODES["limitation"] | set(REGULATOR.values())
    missing = sorted(c for c in codes if c not in listed)
    undocumented_clocks = {"regulator-follow-up", "platform-follow-up"}  # no law: fixed days
    assert set(missing) <= undocumented_clocks, missing


def test_a_prepaid_service_is_asked_to_end_not_to_take_goods_back(
    cli: Any, add: Any, monkeypatch: Any
) -> None:
    """A prepaid service has no goods: its next step asks for the service to end and the
    prepaid money back (--asked refund), and says nothing of goods coming back."""
    order = add(category="prepaid-service", units="10", purchased="2026-11-29")
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("--no-pager", "status", order, "--as-of", "2026-11-30").stdout
    assert "end the service and refund what you prepaid" in out
    assert "--asked refund" in out
    assert "goods" not in out.split("Return windows")[0]
    assert "not received" not in out
