"""An outside tester found "请假, 当天不计" in the Chinese workbook and page: an ASCII comma
joining Chinese phrases reads as a typing slip. Chinese text joins phrases with "，" and
lists items (leave hours, managers) with "、"; English keeps ", "."""

from __future__ import annotations

import datetime as dt
import re

from api.exports.html import QR_WORDS
from api.exports.labels import WORDS
from api.exports.reasons import duty_gap_reason, shortfall_reason
from api.exports.week import WeekView
from engine.domain import Department, DutyGap, HoursShortfall, Leave
from engine.policy import Policy
from tests.api.http.support import WEEK, hand_timetable

ASCII_JOIN = re.compile(r"[,;]|\.$")
THURSDAY = WEEK + dt.timedelta(days=3)


def test_no_chinese_word_joins_its_phrases_with_ascii_punctuation() -> None:
    texts = {**WORDS["zh"], **{f"qr_{key}": text for key, text in QR_WORDS["zh"].items()}}
    slips = {key: text for key, text in texts.items() if ASCII_JOIN.search(text)}
    assert not slips
    assert WORDS["zh"]["not_owed"] == "请假，当天不计"


def test_chinese_reasons_list_leave_hours_and_managers_with_the_chinese_comma(
    department: Department, policy: Policy
) -> None:
    away = department.model_copy(update={"leave": (
        Leave(manager="m01", date=THURSDAY, start=480, end=540),
        Leave(manager="m01", date=THURSDAY, start=900, end=960),
    )})
    short = HoursShortfall(manager="m01", kind="visit", minutes_short=10, date=THURSDAY, reason="beside the leave")
    zh = WeekView(hand_timetable(away), away, policy, "zh")
    en = WeekView(hand_timetable(away), away, policy, "en")
    assert "请假 08:00–09:00、15:00–16:00" in shortfall_reason(zh, short)
    assert zh.absence("m01", THURSDAY) == "请假 08:00–09:00、15:00–16:00"
    assert en.absence("m01", THURSDAY) == "Leave 08:00–09:00, 15:00–16:00"
    gap = DutyGap(duty="difficult_customers", managers_needed=1, managers_assigned=0, reason="none")
    nobody = department.model_copy(update={"managers": tuple(
        m.model_copy(update={"skills": ("difficult",)}) for m in department.managers)})
    reason = duty_gap_reason(WeekView(hand_timetable(nobody), nobody, policy, "zh"), gap)
    assert "（m01、m02）全周请假" in reason and ", " not in reason
