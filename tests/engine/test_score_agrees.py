"""The scorer owes what the planner plans (engine/quality.py `owed_minutes` against the
planner's week, engine/timetable/week.py): a make-up working day owes its rules' daily
blocks, a part-day leave that leaves a daily block no room excuses it. No solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import CalendarDay
from engine.quality import owed_minutes
from engine.timetable.week import build_week
from tests.strategies import WEEK, simple_department

FRIDAY, SUNDAY = WEEK + dt.timedelta(days=4), WEEK + dt.timedelta(days=6)


def test_a_make_up_sunday_owes_the_daily_blocks_of_the_rules_it_follows(policy_15_13_7):
    """Sunday a make-up day (调休): six working dates, Sunday under `makeup_day_rules`.
    owed_minutes summed each weekday's minutes once over the distinct weekdays, so the
    second day under the same rules was not owed (visit 900 against 1080 planned)."""
    policy = policy_15_13_7
    department = simple_department(1).model_copy(
        update={"calendar_days": (CalendarDay(date=SUNDAY, kind="workday"),)})
    days = build_week(department, policy, WEEK).days
    assert len(days) == 6
    owed = owed_minutes(department, policy, WEEK)["m01"]
    for kind, rule in policy.kinds.items():
        if rule.per_day_minutes is not None:
            assert owed[kind] == sum(rule.per_day_minutes.get(d.weekday, 0) for d in days), kind
    visit = policy.kinds["visit"].per_day_minutes or {}
    assert owed["visit"] == sum(visit.get(d.weekday, 0) for d in days[:5]) + visit[days[5].weekday]
