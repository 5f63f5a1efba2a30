"""Events proposed from a chat's text, and the short excerpt quoted from evidence text."""

from __future__ import annotations

from datetime import date, time

import pytest

from refundkit.screenshots.chat import read_stamp, suggest_events
from refundkit.screenshots.layouts import text_rows
from refundkit.screenshots.text import excerpt
from screenshot_fixtures import facts, replay

REFERENCE = date(2025, 11, 30)


def test_the_merchant_refusing_an_opened_item_is_suggested_with_the_chat_date() -> None:
    text = "2025年11月23日 14:05\n亲，已拆封的商品不支持七天无理由退货哦\n拆封检查是我的权利"
    (found,) = suggest_events(text, REFERENCE)
    assert (found.event, found.reason) == ("merchant-refused", "opened")
    assert (found.on, found.at) == (date(2025, 11, 23), time(14, 5))
    assert found.note == "亲，已拆封的商品不支持七天无理由退货哦"


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("已拆封不退", "opened"),
        ("拆封了不能退", "opened"),
        ("衣服已经穿过了，不能退", "used"),
        ("已经超过七天了，不能退货", "past-deadline"),
        ("定制商品不支持退货", "custom"),
        ("特殊商品，不支持七天无理由退货", "non-returnable"),
        ("不予退款", "other"),
    ],
)
def test_the_reason_follows_the_merchants_words(said: str, reason: str) -> None:
    (found,) = suggest_events(f"3月5日 10:12\n{said}", REFERENCE)
    assert found.reason == reason


def test_questions_and_friendly_chat_suggest_nothing() -> None:
    assert suggest_events("拆封了就不能退吗？\n亲，今天下午就发出哦", REFERENCE) == []


def test_a_bubble_wrapped_over_two_lines_is_quoted_whole() -> None:
    text = "2025年11月23日14:05\n亲，已拆封的商品不支持七天无理由\n退货哦，已拆封不退\n好的"
    (found,) = suggest_events(text, REFERENCE)
    assert found.note == "亲，已拆封的商品不支持七天无理由退货哦，已拆封不退"


def test_the_same_refusal_twice_on_one_day_is_suggested_once() -> None:
    text = "2025年11月23日14:05\n已拆封不退\n真的不能退吗\n说了已拆封不退"
    assert len(suggest_events(text, REFERENCE)) == 1


@pytest.mark.parametrize(
    ("stamp", "day", "clock"),
    [
        ("2025年11月23日 14:05", date(2025, 11, 23), time(14, 5)),
        ("2025年11月23日14:05", date(2025, 11, 23), time(14, 5)),
        ("2025-11-23 14:05", date(2025, 11, 23), time(14, 5)),
        ("11月23日 下午2:05", date(2025, 11, 23), time(14, 5)),
        ("12月25日 09:00", date(2024, 12, 25), time(9, 0)),  # no year: the last twelve months
        ("昨天 18:30", date(2025, 11, 29), time(18, 30)),
        ("星期一 08:00", date(2025, 11, 24), time(8, 0)),  # 2025-11-30 is a Sunday
        ("14:05", REFERENCE, time(14, 5)),
    ],
)
def test_chat_time_stamps(stamp: str, day: date, clock: time) -> None:
    assert read_stamp(stamp, REFERENCE) == (day, clock)


def test_a_stamp_without_a_year_and_no_reference_gives_no_date() -> None:
    (found,) = suggest_events("11月23日 14:05\n已拆封不退", None)
    assert found.on is None
    assert "--on YYYY-MM-DD" in found.command("k3fq8m")


def test_the_suggestion_is_a_pasteable_log_command() -> None:
    (found,) = suggest_events("2025年11月23日 14:05\n客服说：已拆封不退 it's final", REFERENCE)
    assert found.command("k3fq8m") == (
        "refundkit log k3fq8m merchant-refused --on '2025-11-23 14:05' --reason opened "
        "--note '客服说：已拆封不退 it'\"'\"'s final'"
    )


@pytest.mark.parametrize("name", ["chat-opened.png", "chat-deadline.png", "chat-friendly.png"])
def test_the_generated_chats_suggest_what_they_show(name: str) -> None:
    found = suggest_events("\n".join(text_rows(replay(name))), REFERENCE)
    expected = facts()[name]["suggestions"]
    assert [(s.event, s.reason) for s in found] == [(e["event"], e["reason"]) for e in expected]
    for suggestion, want in zip(found, expected, strict=True):
        assert suggestion.on is not None and suggestion.on.isoformat().endswith(want["on"])


def test_excerpt_is_one_line_of_at_most_120_characters() -> None:
    text = "声悦数码旗舰店\n" + "亲，已拆封的商品不支持七天无理由退货哦。" * 10
    short = excerpt(text)
    assert len(short) == 120 and short.endswith("…") and "\n" in text and "\n" not in short
    assert short.startswith("声悦数码旗舰店 / 亲，已拆封")
    assert excerpt("短\n文本") == "短 / 文本"
