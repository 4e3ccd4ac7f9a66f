"""The route checker's reading of `manager_absent` (a due visit left out because its
manager is away every working minute of the week and no colleague takes it): accepted
for a manager on leave all week, a fault for one at work any of it (read from the
department's leave, not the plan's word), and in a week without a working day."""

from __future__ import annotations

import datetime as dt

from engine.check.routes import check_routes
from engine.domain import CalendarDay, Leave
from engine.policy import Policy
from tests.strategies import WEEK, simple_department


def _plan(week: dt.date, retailer: str) -> dict:
    return {"week_start": week.isoformat(), "scope": {"managers": ["m01"]}, "routes": [],
            "unvisited": [{"retailer": retailer, "manager": "m01", "reason": "manager_absent"}]}


def _faults(plan: dict, department, policy: Policy) -> list[str]:
    return [v.message for v in check_routes(plan, department, policy).violations if "manager_absent" in v.message]


def test_manager_absent_holds_only_for_a_manager_away_all_week(policy_15_13_7: Policy) -> None:
    away = tuple(Leave(manager="m01", date=WEEK + dt.timedelta(days=i)) for i in range(6))
    on_leave = simple_department(2, leave=away)
    retailer = next(r.id for r in on_leave.retailers if r.manager == "m01")
    assert _faults(_plan(WEEK, retailer), on_leave, policy_15_13_7) == []
    # The reason is in the closed vocabulary: no "not one of" fault either.
    assert not [v for v in check_routes(_plan(WEEK, retailer), on_leave, policy_15_13_7).violations
                if "is not one of" in v.message]

    present_friday = simple_department(2, leave=away[:4])
    assert _faults(_plan(WEEK, retailer), present_friday, policy_15_13_7) == [
        f"{retailer} is listed manager_absent, but m01 is at work part of the week"]

    holidays = tuple(CalendarDay(date=WEEK + dt.timedelta(days=i), kind="holiday", name="festival") for i in range(7))
    closed = on_leave.model_copy(update={"calendar_days": holidays})
    assert _faults(_plan(WEEK, retailer), closed, policy_15_13_7) == [
        f"{retailer} is listed manager_absent, but the week has no working day"]
