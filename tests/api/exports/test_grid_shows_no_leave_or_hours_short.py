"""The printed week grid (/v1/timetables/{id}.html, `fieldweek plan --html`) showed no
leave, no holiday, no weekly hours short and no unfilled duty, all of which the workbook
shows: a whole-day leave or a holiday was a blank column, and a manager planned 31.67 h
had no reason given. The day's column names its holiday or leave, and the page lists
the duties left unfilled and the hours short with their reasons."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from api.exports.html import timetable_page
from api.exports.labels import WORDS
from engine.domain import CalendarDay, Department, DutyGap, HoursShortfall, Leave, Timetable
from engine.policy import Policy
from tests.api.http.support import WEEK, hand_timetable

WEDNESDAY, THURSDAY = WEEK + dt.timedelta(days=2), WEEK + dt.timedelta(days=3)
SHORT_WHY = "the rides between its retailers leave no room for 140 min of visits"
UNFILLED_WHY = "no manager has the skill it needs"


@pytest.fixture(scope="module")
def week(department: Department) -> tuple[Timetable, Department]:
    """Wednesday a holiday, m02 on leave all Thursday; m01 140 visit minutes short and one
    phone block not owed on Thursday; the terminal devices duty unfilled."""
    away = department.model_copy(update={
        "calendar_days": (CalendarDay(date=WEDNESDAY, kind="holiday", name="厂庆"),),
        "leave": (Leave(manager="m02", date=THURSDAY),),
    })
    timetable = hand_timetable(department).model_copy(update={
        "shortfalls": (
            HoursShortfall(manager="m01", kind="visit", minutes_short=140, reason=SHORT_WHY),
            HoursShortfall(manager="m01", kind="phone", minutes_short=30, reason="leave", not_owed=True,
                           date=THURSDAY),
        ),
        "unfilled_duties": (DutyGap(duty="terminal_devices", managers_needed=1, managers_assigned=0,
                                    reason=UNFILLED_WHY),),
    })
    return timetable, away


def _section(page: str, manager: str) -> str:
    start = page.index(f'data-manager="{manager}">')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_holiday_and_a_whole_day_leave_are_named_in_the_day_s_column(
    week: tuple[Timetable, Department], policy: Policy, lang: str
) -> None:
    timetable, department = week
    words = WORDS["en" if lang == "en" else "zh"]
    page = timetable_page(timetable, department, policy, "en" if lang == "en" else "zh")
    m02 = _section(page, "m02")
    assert re.search(rf'<div class="away" data-date="{THURSDAY}"[^>]*>{words["on_leave"]}</div>', m02)
    assert re.search(rf'<div class="away" data-date="{WEDNESDAY}"[^>]*>{words["holiday"]}</div>', m02)
    assert f'<span class="absence">{words["holiday"]}</span>' in _section(page, "m01")
    assert f'class="away" data-date="{THURSDAY}"' not in _section(page, "m01")  # m01 works Thursday


def test_the_hours_short_and_the_unfilled_duty_are_listed_with_their_reasons(
    week: tuple[Timetable, Department], policy: Policy
) -> None:
    timetable, department = week
    page = timetable_page(timetable, department, policy, "en")
    overview = page[:page.index("<section")]
    assert "Hours short" in overview and SHORT_WHY in overview and "140" in overview
    assert f"not owed that day (leave) {THURSDAY}" in overview
    assert "Terminal devices" in overview and "unfilled 0/1" in overview and UNFILLED_WHY in overview
    # each manager's printed page carries his own hours short, and only his
    assert SHORT_WHY in _section(page, "m01") and SHORT_WHY not in _section(page, "m02")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_column_of_the_hours_short_has_the_workbook_s_header(
    week: tuple[Timetable, Department], policy: Policy, lang: str
) -> None:
    """The not-owed column had a blank header; the workbook calls it 是否计入 (Owed)."""
    timetable, department = week
    words = WORDS["en" if lang == "en" else "zh"]
    page = timetable_page(timetable, department, policy, "en" if lang == "en" else "zh")
    table = page[page.index('<table class="shortfalls">'):]
    heads = re.findall(r"<th>([^<]*)</th>", table[:table.index("</thead>")])
    assert heads == [words["manager"], words["kind"], words["minutes_short"], words["owed_column"], words["reason"]]
