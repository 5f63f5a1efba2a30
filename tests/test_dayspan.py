"""dayspan.py: a case traced on one day, rendered on another day of its span, reads exactly as
the case computed for that other day, in both languages; and every use of the day the tracer
cannot follow pins the span to the one day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refundkit import dayspan, i18n
from refundkit.overview import CaseSummary, _untraced, computed
from rules_cases import PURCHASED, order

KINDS = [
    "contacted-merchant",
    "merchant-replied",
    "merchant-refused",
    "return-requested",
    "return-shipped",
    "return-delivered",
    "refund-received",
    "platform-complaint",
    "regulator-complaint",
    "complaint-answered",
    "lawyer-consulted",
    "closed",
]


@pytest.fixture
def language() -> Iterator[None]:
    yield
    i18n.set_language("en")


def rendered(as_of: date, span: list[int], entry: dict[str, Any], text: bytes) -> Any:
    """What the index would show on as_of from an entry computed on another day."""
    assert span[0] <= as_of.toordinal() <= span[1]
    if entry["case"] is None:
        return None, b""
    case = dayspan.render_data(entry["case"], as_of)
    shown = dayspan.render_at(text, entry.get("text_marks", []), as_of)
    return CaseSummary(**case), shown


def direct(the_order: Any, as_of: date) -> Any:
    _, entry, text = _untraced(the_order, as_of)
    return (None if entry["case"] is None else CaseSummary(**entry["case"])), text


events = st.lists(
    st.tuples(st.integers(min_value=-5, max_value=60), st.sampled_from(KINDS)), max_size=5
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    timeline=events,
    jurisdiction=st.sampled_from(["cn", "eu", "uk", "us"]),
    category=st.sampled_from(["goods", "digital", "prepaid-service", "perishable", "service"]),
    problem=st.sampled_from(["changed-mind", "defective", "not-delivered", "fraud"]),
    received=st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
    promise=st.sampled_from([None, 7, 15]),
    traced_on=st.integers(min_value=-10, max_value=60),
    far=st.integers(min_value=-400, max_value=400),
    lang=st.sampled_from(["en", "zh"]),
)
def test_a_traced_case_reads_as_the_case_computed_on_each_day_of_its_span(
    language: None,
    timeline: list[tuple[int, str]],
    jurisdiction: str,
    category: str,
    problem: str,
    received: int | None,
    promise: int | None,
    traced_on: int,
    far: int,
    lang: str,
) -> None:
    i18n.set_language(lang)
    steps = []
    for offset, kind in sorted(timeline):
        extra: dict[str, Any] = {}
        if kind in ("platform-complaint", "complaint-answered"):
            extra["channel"] = "wechat-pay"
        if kind == "complaint-answered":
            extra["outcome"] = "rejected"
        if kind == "contacted-merchant":
            extra["asked"] = "return"
        if kind == "refund-received":
            extra["amount"] = "100"
        steps.append((kind, PURCHASED + timedelta(days=offset), extra))
    the_order = order(
        *steps,
        jurisdiction=jurisdiction,
        category=category,
        problem=problem,
        received=None if received is None else PURCHASED + timedelta(days=received),
        promise_days=promise,
        currency="EUR" if jurisdiction == "eu" else "CNY",
    )
    day = PURCHASED + timedelta(days=traced_on)
    span, entry, text = computed(the_order, day)
    assert rendered(day, span, entry, text) == direct(the_order, day)
    # Every day of the span within 3 weeks of the day traced, and one further off.
    near = range(max(span[0], day.toordinal() - 21), min(span[1], day.toordinal() + 21) + 1)
    for probe in {*near, min(max(span[0], day.toordinal() + far), span[1])}:
        on = date.fromordinal(probe)
        assert rendered(on, span, entry, text) == direct(the_order, on), on


def test_the_span_ends_where_a_window_closes() -> None:
    """A window open until its deadline: the span runs to the deadline, and days left are
    rendered for each day of it."""
    the_order = order(received=PURCHASED + timedelta(days=2))  # cn-7day: until the 9th day
    day = PURCHASED + timedelta(days=3)
    span, entry, text = computed(the_order, day)
    deadline = PURCHASED + timedelta(days=9)
    assert date.fromordinal(span[1]) <= deadline
    assert entry["text_marks"]
    last = date.fromordinal(span[1])
    assert (
        b'"days_left": ' + str((deadline - last).days).encode()
        in rendered(last, span, entry, text)[1]
    )


def test_a_case_bought_later_holds_until_its_purchase() -> None:
    the_order = order()
    span, entry, _ = computed(the_order, PURCHASED - timedelta(days=30))
    assert entry == {"case": None}
    assert span[1] == PURCHASED.toordinal() - 1


@pytest.mark.parametrize("name", ["Shop \ue000p5\ue000", "Shop \ue001", "\ue001m7\ue001"])
def test_record_holding_marker_characters_is_computed_for_its_day_alone(name: str) -> None:
    the_order = order(merchant=name, received=PURCHASED)
    span, entry, text = computed(the_order, PURCHASED + timedelta(days=1))
    assert span[0] == span[1]
    assert "marks" not in entry and "text_marks" not in entry
    assert name.encode() in text  # shown as recorded


@pytest.mark.parametrize(
    "use",
    [
        lambda d: d.year,
        lambda d: d.weekday(),
        lambda d: hash(d),
        lambda d: d + timedelta(days=1),
        lambda d: d - timedelta(days=1),
        lambda d: f"{d:%Y}",
        lambda d: repr(d),
        lambda d: (date(2026, 1, 1) - d).days + 1,
        lambda d: (d - date(2026, 1, 1)).total_seconds(),
        lambda d: [0, 1][(d - d).days + (date(2026, 1, 1) - d).days % 2],
        lambda d: f"{(date(2026, 1, 1) - d).days:>3}",
        lambda d: abs((date(2026, 1, 1) - d).days),
        lambda d: {(date(2026, 1, 1) - d).days: 1},
    ],
)
def test_untraced_uses_pin_the_span(use: Any) -> None:
    with dayspan.tracing(date(2025, 6, 1)) as (day, span):
        use(day)
    assert span.pinned


def test_comparisons_and_differences_are_traced() -> None:
    deadline = date(2025, 6, 10)
    with dayspan.tracing(date(2025, 6, 1)) as (day, span):
        assert day <= deadline and deadline >= day and not day > deadline
        assert day > date(2025, 5, 20) and day != date(2025, 5, 1)
        left = (deadline - day).days
        assert not left <= 2  # (an == would pin it to the day)
        text = f"{left} days left, as of {day.isoformat()}"
    assert (date.fromordinal(span.lo), date.fromordinal(span.hi)) == (
        date(2025, 5, 21),
        date(2025, 6, 7),  # on the 8th, 2 days are left: the `<= 2` test changes
    )
    settled = dayspan.settle(text)
    assert settled is not None
    assert dayspan.render(settled, date(2025, 6, 5)) == "5 days left, as of 2025-06-05"


def test_each_thread_traces_its_own_day() -> None:
    """Two cases traced at once in two threads (the CLI runs one, a test runner may run
    more): each span is found from its own day's comparisons only."""
    import threading

    ready = threading.Barrier(2)
    spans: dict[str, Any] = {}

    def trace(name: str, day: date, bound: date) -> None:
        with dayspan.tracing(day) as (traced, span):
            ready.wait()
            for _ in range(200):
                assert traced <= bound
            ready.wait()
        spans[name] = (date.fromordinal(span.lo), date.fromordinal(span.hi))

    threads = [
        threading.Thread(target=trace, args=("a", date(2025, 1, 1), date(2025, 1, 10))),
        threading.Thread(target=trace, args=("b", date(2025, 6, 1), date(2025, 6, 3))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert spans["a"] == (date.min, date(2025, 1, 10))
    assert spans["b"] == (date.min, date(2025, 6, 3))


def test_a_window_coming_close_does_not_end_the_span() -> None:
    """The overview's warning colour two days before a window's last day is rendered for the
    day shown (dayspan.closeness), not a cut: the case is not computed again for it."""
    the_order = order(received=PURCHASED + timedelta(days=2))  # cn-7day: until the 9th day
    day = PURCHASED + timedelta(days=3)
    span, entry, text = computed(the_order, day)
    deadline = PURCHASED + timedelta(days=9)
    assert span[1] > (deadline - timedelta(days=dayspan.CLOSE_WITHIN)).toordinal()
    assert rendered(day, span, entry, text)[0].urgency == "green"
    last = date.fromordinal(span[1])
    assert rendered(last, span, entry, text)[0].urgency == "bold yellow"
    assert direct(the_order, last)[0].urgency == "bold yellow"
