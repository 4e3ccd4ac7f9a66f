"""A week with holidays owes every weekly quota prorated, the paired kinds too (data/README.md:
"weekly quotas are prorated as for a day of leave"); the planner's week (week.py) and the
independent checker read the same numbers. No solve: the frame and a hand-built week."""

from __future__ import annotations

import datetime as dt

from engine.check.timetable import judge_timetable
from engine.domain import Block, CalendarDay, Timetable
from engine.timetable.week import build_week
from tests.strategies import WEEK, simple_department

TUESDAY, WEDNESDAY, SATURDAY = (WEEK + dt.timedelta(days=i) for i in (1, 2, 5))


def _holidays(*days: dt.date, makeup: dt.date | None = None):
    """Two managers, a pair, with these holidays (and a make-up working day)."""
    calendar = tuple(CalendarDay(date=d, kind="holiday") for d in days)
    if makeup is not None:
        calendar += (CalendarDay(date=makeup, kind="workday"),)
    return simple_department(2).model_copy(update={"calendar_days": calendar})


def test_a_three_day_week_prorates_the_paired_quotas_by_its_working_days(policy_15_13_7):
    """Tue and Wed holidays: 3 of the policy's 5 days are worked (like National Day week).
    SPEC §2 owes pairs their full hours and week.py exempted only a manager's own short
    presence; data/README.md prorates every weekly quota for a holiday as for leave, so
    the pair kinds are prorated like the single ones, by the week's working days, which a
    pair's two members share: maintenance 2 x 120 -> round(2 x 0.6) = 1 session of 120 min,
    promotion 300 min -> 180 min on the grid in 2 sessions (was 240 and 300 min)."""
    frame = build_week(_holidays(TUESDAY, WEDNESDAY), policy_15_13_7, WEEK)
    for manager in ("m01", "m02"):
        quotas = frame.managers[manager].quotas
        assert (quotas["maintenance"].sessions_min, quotas["maintenance"].total_minutes) == (1, 120)
        assert (quotas["promotion"].sessions_min, quotas["promotion"].sessions_max) == (2, 2)
        assert quotas["promotion"].total_minutes == 180
    assert frame.paired_managers == ["m01", "m02"]


def test_a_make_up_day_keeps_the_full_paired_quotas(policy_15_13_7):
    """A holiday and a make-up Saturday in one week: the week owes its full quotas."""
    frame = build_week(_holidays(WEDNESDAY, makeup=SATURDAY), policy_15_13_7, WEEK)
    assert frame.managers["m01"].quotas["maintenance"].total_minutes == 240
    assert frame.managers["m01"].quotas["promotion"].total_minutes == 300


def _maintenance_faults(department, policy, sessions: int) -> list[str]:
    """The checker's words on the maintenance hours of a week holding `sessions` paired
    2-hour sessions of m01 and m02 (the rest of the week is left out: only these count)."""
    days = [WEEK, WEEK + dt.timedelta(days=3), WEEK + dt.timedelta(days=4)][:sessions]
    blocks = tuple(Block.model_validate({"manager": m, "date": d, "kind": "maintenance", "start": "13:00",
                                         "end": "15:00", "with": [p]})
                   for d in days for m, p in (("m01", "m02"), ("m02", "m01")))
    timetable = Timetable(department=department.name, policy=policy.name, week_start=WEEK,
                          status="feasible", blocks=blocks)
    verdict = judge_timetable(department, policy, timetable)
    return [v.message for v in verdict.violations if "min of terminal maintenance this week" in v.message
            or "sessions of terminal maintenance this week" in v.message]


def test_the_checker_asks_the_same_prorated_paired_quota(policy_15_13_7):
    """One maintenance session of the pair in the 3-day week is what is owed (the old
    checker asked 240 min and 2 sessions); two are one too many."""
    department = _holidays(TUESDAY, WEDNESDAY)
    assert _maintenance_faults(department, policy_15_13_7, 1) == []
    too_many = _maintenance_faults(department, policy_15_13_7, 2)
    assert any("the policy asks 120 (prorated: the calendar works 60% of the week)" in m for m in too_many)


def test_the_quality_report_owes_the_same_prorated_paired_quota(policy_15_13_7):
    """The score (engine/quality.py) reads what each manager owes from the checker's spec:
    in the 3-day week it owes the pair kinds prorated too (it asked 240 and 300 min, so
    every holiday week scored missed paired hours)."""
    from engine.quality import owed_minutes

    owed = owed_minutes(_holidays(TUESDAY, WEDNESDAY), policy_15_13_7, WEEK)
    assert (owed["m01"]["maintenance"], owed["m01"]["promotion"]) == (120, 180)
    full = owed_minutes(_holidays(WEDNESDAY, makeup=SATURDAY), policy_15_13_7, WEEK)
    assert (full["m01"]["maintenance"], full["m01"]["promotion"]) == (240, 300)
