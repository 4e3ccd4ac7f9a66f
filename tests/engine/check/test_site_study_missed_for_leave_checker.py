"""The weekly site study a manager's part-day leave makes him miss is not owed, but the
week's plan must say so, as for the daily meeting: the checker accepts it missing only
when declared `not_owed`, faults a declaration with nothing missing, and `score` counts
the line in not_owed. The checker excused it in silence and called its declaration a
claim on "not a weekly kind" (the tester's d11_452 week, m09 away Tue 13:30–17:30 during
the site study). On the hand-typed test week: m02 away Wed 15:30–16:20, the study
15:20–16:20."""

from __future__ import annotations

import datetime as dt

from engine.check.timetable import check_timetable
from engine.domain import HoursShortfall
from engine.quality import score_plan
from tests.engine.check.test_timetable_checker import (
    TEST_POLICY,
    build_week,
    find,
    make_department,
    on,
)

STUDY_LEAVE = [{"manager": "m02", "date": on("wed"), "start": "15:30", "end": "16:20"}]


def _missed(minutes: int) -> HoursShortfall:
    return HoursShortfall(manager="m02", kind="site_study", minutes_short=minutes, sessions_short=1, not_owed=True,
                          date=dt.date.fromisoformat(on("wed")), reason="his leave takes the site study")


def _without_m02_site_study(claims: list[HoursShortfall]) -> dict:
    plan = build_week()
    plan["blocks"].remove(find(plan, "m02", "site_study", "wed"))
    for manager in ("m01", "m03"):
        find(plan, manager, "site_study", "wed")["with"] = sorted({"m01", "m03"} - {manager})
    plan["shortfalls"] = [c.model_dump(mode="json") for c in claims]
    return plan


def test_an_undeclared_site_study_missed_for_leave_is_a_fault():
    assert TEST_POLICY.kinds["site_study"].per_day_minutes is None
    [fault] = check_timetable(make_department(leave=STUDY_LEAVE), TEST_POLICY, _without_m02_site_study([]))
    assert (fault.rule, fault.manager, fault.date) == ("site_study_together", "m02", dt.date.fromisoformat(on("wed")))
    assert "must declare" in fault.message


def test_a_declared_site_study_missed_for_leave_is_no_fault_and_score_counts_it_not_owed():
    department = make_department(leave=STUDY_LEAVE)
    plan = _without_m02_site_study([_missed(60)])
    assert check_timetable(department, TEST_POLICY, plan) == []
    report = score_plan(plan, department, TEST_POLICY)
    assert report.not_owed == [("m02", "site_study", 60)]
    assert report.summary()["minutes_not_owed"] == 60


def test_a_site_study_declared_for_less_than_the_leave_took_is_a_fault():
    [fault] = check_timetable(make_department(leave=STUDY_LEAVE), TEST_POLICY, _without_m02_site_study([_missed(30)]))
    assert (fault.rule, fault.manager) == ("site_study_together", "m02")


def test_a_declared_site_study_with_nothing_missed_is_a_false_claim():
    plan = build_week()
    plan["shortfalls"] = [_missed(60).model_dump(mode="json")]
    [fault] = check_timetable(make_department(), TEST_POLICY, plan)
    assert (fault.rule, fault.manager) == ("site_study_together", "m02")
    assert "no leave of his" in fault.message
