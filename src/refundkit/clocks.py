"""The dispute's clocks from return-rules.md, in one place.

The advisor (ladder), the calendar (ical) and the letters all need the same dates; computing
them here means a corrected rule is corrected everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from refundkit.workdays import CountResult

REFUND_DUE_DAYS = 7  # CPL Art. 25: refund within 7 days of receiving the goods back
DELIBERATE_DELAY_DAYS = 15  # SAIC 2015 Measures Art. 9
REGULATOR_ACCEPT_WORKDAYS = 7  # Complaint Measures Art. 14


@dataclass(frozen=True)
class WeChatPayReply:
    answer_by: date  # the merchant should answer within one day
    finish_by: date  # and finish within three


def wechat_pay_reply(filed: date) -> WeChatPayReply:
    return WeChatPayReply(filed + timedelta(days=1), filed + timedelta(days=3))


def mini_program_lapse(filed: date) -> date:
    """From 2024-03-25 a Mini Program complaint awaiting the merchant lapses after 48 hours."""
    return filed + timedelta(days=2)


def regulator_decision(filed: date) -> CountResult:
    """12315 decides whether to accept within 7 working days (Chinese holiday calendar)."""
    from refundkit.workdays import add_workdays

    return add_workdays(filed, REGULATOR_ACCEPT_WORKDAYS)
