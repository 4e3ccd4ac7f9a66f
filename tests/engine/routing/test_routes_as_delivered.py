"""The visits the week left out for want of room are placed again into the day routes as
delivered, and the words of those still out are measured on those routes
(visit_days.in_routes, plan._plan_manager). Each day is re-ordered on its own after the
week's solve (daily.route_day), which often leaves more room than the week's order did:
the tester's sample week (m13, Tue) had a B and twelve C visits out "with at most 7 min
left after the last visit" while the delivered Tuesday had 11 min and room for one more.

The week here is made to come back in a zig-zag order (W1 E1 W2 E2 across the office) that
fills its 08:00-09:40 block; the day's solve rides it in line and ends at 09:14."""

from __future__ import annotations

import dataclasses
import re

import pytest

from engine.policy import format_clock
from engine.routing import plan as plan_module
from engine.routing.daily import field_days, time_visit_route
from engine.routing.visit_days import Unassigned, VisitDayPlan, _WeekToPlace, in_routes
from engine.routing.visit_value import make_way, visit_values
from tests.engine.routing.line_territory import block, line_territory, timetable
from tests.engine.routing.test_plan import (
    _assert_checker_passes,
    _block,
    _department,
    _plan,
    _retailer,
    _timetable,
)
from tests.engine.routing.test_visit_value import OUTSIDE_FOCUS, _shop

ZIG_ZAG = ("W1", "E1", "W2", "E2")
NO_ROOM = "it fits on its own, but the days it could go on are full"


def _week_in_zig_zag(monkeypatch, retailers, policy):
    """plan_visit_days as the real one, but its one day in the zig-zag order and X left out
    with the words make_way gives it on that order."""
    real = plan_module.plan_visit_days

    def week_in_zig_zag(manager, due, days, shops, territory, policy_, **kwargs):
        week = real(manager, due, days, shops, territory, policy_, **kwargs)
        orders = [list(ZIG_ZAG)]
        left = make_way([Unassigned("X", "no_room_in_day", NO_ROOM)], days, orders, shops, territory, policy_, {})
        return dataclasses.replace(week, orders=tuple(map(tuple, orders)), unassigned=tuple(left))

    monkeypatch.setattr(plan_module, "plan_visit_days", week_in_zig_zag)


@pytest.mark.parametrize("x_km", [2.5, 5.0])
def test_left_out_visits_are_placed_and_measured_on_the_delivered_route(policy_15_13_7, monkeypatch, x_km):
    policy = policy_15_13_7
    retailers = [_retailer("W1", -1), _retailer("W2", -2), _retailer("E1", 1), _retailer("E2", 2),
                 _retailer("X", x_km)]
    department = _department(retailers, policy)
    timetable = _timetable([_block("visit", 0, "08:00", "09:40")], policy)
    (day,) = field_days(timetable, policy, "m1")
    _week_in_zig_zag(monkeypatch, {r.id: r for r in retailers}, policy)
    plan = _plan(department, policy, timetable)
    _assert_checker_passes(plan, department, policy, timetable)
    (route,) = plan.routes
    visits = [s for s in route.stops if s.kind == "visit"]
    if x_km == 2.5:
        # 2.5 km east fits after E2 on the route ridden in line (not in the zig-zag).
        assert sorted(s.retailer for s in visits) == ["E1", "E2", "W1", "W2", "X"]
        assert not plan.unvisited
        return
    # 5 km east fits in no order: its words give the minutes of the route as delivered.
    assert sorted(s.retailer for s in visits) == ["E1", "E2", "W1", "W2"]
    (out,) = plan.unvisited
    left = day.visiting_ends - visits[-1].end
    assert left > 0
    # Measured after the delivered route's last visit: its ride there and the visit miss the
    # end of visiting by what they need beyond the minutes left.
    found = re.search(r"a (\d+)-min visit plus a ride of (\d+) min there from (\w+) \(free from (\d\d:\d\d)\)"
                      r".*?, (\d+) min too late on Mon", out.detail)
    assert found, out.detail
    service, ride, last, free, late = found.groups()
    assert (last, free) == (visits[-1].retailer, format_clock(visits[-1].end))
    assert int(service) + int(ride) - left == int(late) > 0


def test_c_visits_are_put_back_beside_a_key_visit_their_room_could_not_hold(policy_15_13_7):
    """The week left its C visits out for a far A shop no day can hold beside the near A
    ones, with or without them. Placed again into the delivered routes, the C visits fit, and
    before they stayed out while that key visit did ("its room went to key customers the week
    still cannot hold (f1)", tester's d630h m08 on Fri: R08016 out beside 20 free minutes for
    R08019, which no day holds). Their room does not hold it, so they are made (SPEC §4 asks
    room for key customers, not visits given up for nothing)."""
    policy = policy_15_13_7
    days = field_days(timetable([block("visit", "08:00", "11:00"), block("visit", "08:00", "11:00", day=1)],
                                policy), policy, "m1")
    near_a, far_a, near_c = [f"n{i}" for i in range(6)], ["f1"], ["c1", "c2"]
    shops = {r: _shop(r, "A" if r[0] != "c" else "C") for r in near_a + far_a + near_c}
    territory = line_territory({**dict.fromkeys(near_a + near_c, 5), **dict.fromkeys(far_a, 70)})
    values = visit_values(shops, policy, OUTSIDE_FOCUS)
    copies = near_a + far_a + near_c
    orders = [near_a[:3], near_a[3:]]
    held = "its room went to key customers the week still cannot hold (f1)"
    left = (Unassigned("f1", "no_room_in_day", NO_ROOM), *(Unassigned(c, "no_room_in_day", held) for c in near_c))
    plan = VisitDayPlan("m1", tuple(days), tuple(map(tuple, orders)), left, len(copies), 0.0, copies=tuple(copies))
    placed = in_routes(plan, orders, [], shops, territory, policy, values)
    assert [u.retailer for u in placed.unassigned] == ["f1"]
    assert "room went" not in placed.unassigned[0].detail
    assert sorted(r for order in placed.orders for r in order) == sorted(near_a + near_c)
    week = _WeekToPlace(tuple(days), copies, shops, territory, policy, values)
    assert all(time_visit_route(day, order, shops, territory, policy).feasible
               for day, order in zip(days, placed.orders, strict=True))
    assert week.key_visits_holding([list(o) for o in placed.orders], placed.unassigned) == []
