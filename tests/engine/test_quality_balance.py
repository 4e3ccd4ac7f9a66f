"""The spreads across managers (engine/quality.py) measure how the plan shares the work
among the managers present: one on leave all week is left out and named (the 8-manager
week: m04 away all week made the workload std 633.6 and its range 2040, his 0 minutes
against the others' 1780-2040). No solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.quality import score_plan
from tests.strategies import WEEK, simple_department


def test_a_manager_away_all_week_is_left_out_of_the_spreads_across_managers(policy_15_13_7):
    away = tuple(Leave(manager="m03", date=WEEK + dt.timedelta(days=k)) for k in range(5))
    department = simple_department(3, away)

    def block(manager: str, end: str) -> dict:
        return {"manager": manager, "kind": "admin", "date": WEEK.isoformat(), "start": "14:00", "end": end}

    plan = {"department": department.name, "policy": "15-13-7", "week_start": WEEK.isoformat(),
            "status": "feasible", "blocks": [block("m01", "15:00"), block("m02", "16:00")], "shortfalls": []}
    report = score_plan(plan, department, policy_15_13_7, check=False)
    assert report.away_all_week == ["m03"]
    workload = report.spreads["workload_per_manager"]
    assert (workload.min, workload.max, workload.std) == (60, 120, 30)
    assert report.summary()["workload_range_managers"] == 60
