"""The scorer owes what the planner plans (engine/quality.py `owed_minutes` against the
planner's week, engine/timetable/week.py): a make-up working day owes its rules' daily
blocks, a part-day leave that leaves a daily block no room excuses it. No solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import CalendarDay, Leave
from engine.quality import owed_minutes
from engine.timetable.week import build_week
from tests.engine.timetable.test_solve import usual_first_stop
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


def test_a_part_day_leave_leaving_no_room_excuses_the_daily_block(policy_15_13_7):
    """Thursday away 09:00-11:00: the visit block (180 min, starting 08:00-09:30) has no
    room outside the leave, so the planner plans none (ManagerWeek.room_outside_leave);
    the scorer owed it anyway (900 min of visits asked, 720 now). Away 14:00-15:00
    instead leaves 08:00-11:00 free: owed. (The usual first stop: with it moved on after a
    leave from 09:00, the block after it is planned, test_first_stop_after_leave.py.)"""
    policy = usual_first_stop(policy_15_13_7)
    visit = policy.kinds["visit"].per_day_minutes or {}
    thursday = WEEK + dt.timedelta(days=3)
    for (start, end), owed_on_thursday in (((9 * 60, 11 * 60), False), ((14 * 60, 15 * 60), True)):
        department = simple_department(1, (Leave(manager="m01", date=thursday, start=start, end=end),))
        frame = build_week(department, policy, WEEK)
        week = frame.managers["m01"]
        day = next(d for d in frame.days if d.date == thursday)
        rule = policy.kinds["visit"]
        planned = week.room_outside_leave(day.index, rule.earliest_start, rule.latest_start or rule.latest_end,
                                          rule.latest_end, visit[day.weekday], policy.grid_minutes)
        assert planned is owed_on_thursday
        owed = owed_minutes(department, policy, WEEK)["m01"]["visit"]
        assert owed == sum(visit.get(d.weekday, 0) for d in frame.days) - (0 if planned else visit["thu"])
