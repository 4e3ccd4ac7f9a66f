"""A manager on leave all week whose visits no colleague takes (none within the hand-over
distance): his visits were listed `no_room_in_day`, and the route page said "the days it
fits on are full" (当天已排满) while the detail said no colleague was near (an outside
tester's d508, m04 away Mon-Fri, the nearest colleague 12 km off). No day of his is full:
the reason is `manager_absent`, the re-plan's word, which the route page already says as
"the manager is away" (客户经理缺勤)."""

from __future__ import annotations

import datetime as dt

from engine.check.routes import check_routes
from engine.domain import Leave, Timetable
from engine.policy import Policy
from engine.routing.plan import plan_routes
from tests.strategies import WEEK, simple_department


def test_an_away_manager_s_visits_nobody_takes_are_manager_absent(policy_15_13_7: Policy) -> None:
    """Both managers away all week (no solve): neither can take the other's visits."""
    days = [WEEK + dt.timedelta(days=i) for i in range(6)]
    department = simple_department(2, leave=tuple(Leave(manager=m, date=d) for m in ("m01", "m02") for d in days))
    empty = Timetable(department=department.name, policy="15-13-7", week_start=WEEK, status="feasible")
    plan = plan_routes(department, policy_15_13_7, empty, WEEK, time_limit_s=1)
    assert plan.unvisited and {u.reason for u in plan.unvisited} == {"manager_absent"}
    assert all("is on leave every working day" in u.detail for u in plan.unvisited)
    assert sum(1 for _ in plan.unvisited) == plan.due_visits
    assert check_routes(plan, department, policy_15_13_7, empty).feasible
