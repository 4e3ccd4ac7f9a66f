"""A reason names the visit assumed in the previous month when it, not the month's own
visits, refuses a day (engine/month.py `_why_short`): tester's d519C, weekly A R04019 on
12-16 and 12-23 listed "12-07, 12-09, 12-10, 12-11, 12-28 would lie under 4 or over 6
working days from its visits on 12-16, 12-23" while 12-09 and 12-10 lay 5 and 4 before 12-16;
Mon 11-30's visit, 7-8 working days back, refused them, and no word named it."""

from __future__ import annotations

import dataclasses

from api.exports.month_reasons import unplanned_detail
from engine import month as month_module
from engine.policy import Policy
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import first_stop_every_day


def test_a_day_only_the_previous_months_visit_refuses_is_said_so(policy_15_13_7: Policy) -> None:
    """Weekly a, visited on day 9, its edge at -3 (three working days before the month):
    day 3 keeps both and is full; days 0-2 lie 7-9 before day 9; day 4 lies 5 before day 9
    but 7 after the edge. Before: day 4 was among 'under 4 or over 6 from its visits'."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A"}, {"a": 10}, weeks=2, days_per_week=5)
    plan = dataclasses.replace(plan, edges={"a": (-3, None)})
    plan.allowed["a"] = [0, 1, 2, 3, 4, 9]
    reason, detail = month_module._why_short(plan, plan.retailers["a"], [9], {3, 9})
    day = [f"{d:%m-%d}" for d in plan.dates]
    assert reason == "no_room_in_day"
    assert f"; {day[0]}, {day[1]}, {day[2]} would lie under 4 or over 6 working days from its visits on {day[9]}" \
           in detail, detail
    assert f"; {day[4]} lie(s) 4-6 working days from its visits on {day[9]} but over 6 after the visit its first " \
           "week counts in the previous month (3 working day(s) before the month's first)" in detail, detail
    chinese = unplanned_detail(detail, "zh")
    assert f"{day[4]} 与已排拜访（{day[9]}）相隔 4–6 个工作日，但与本月首周计在上月的那次拜访" in chinese, chinese
    assert "working days" not in chinese, chinese


def test_a_day_the_edge_refuses_with_no_visit_of_the_month_names_no_visits(policy_15_13_7: Policy) -> None:
    """Tester's d519C: R06006, no visit planned, read "12-17, 12-18 lie(s) 9-12 working days
    from its visits on  but over 12 after the visit ..."; with none it says the edge alone."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "A"}, {"a": 10}, weeks=2, days_per_week=5)
    plan = dataclasses.replace(plan, edges={"a": (-3, None)})
    plan.allowed["a"] = [3, 4, 9]
    reason, detail = month_module._why_short(plan, plan.retailers["a"], [], {3})
    day = f"{plan.dates[4]:%m-%d}"
    assert reason == "no_room_in_day"
    assert f"; {day} lie(s) over 6 working days after the visit its first week counts in the previous month" \
           in detail and "its visits on " not in detail, detail
    assert f"{day} 与本月首周计在上月的那次拜访（在本月第一个工作日前 3 个工作日）相隔超过 6 个工作日" \
           in unplanned_detail(detail, "zh")
