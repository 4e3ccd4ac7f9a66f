"""A visit the routes leave out for a reason more room does not mend (too far, opening
hours, the route's time rules) is not "fixed" by cutting the manager's other retailers:
the loop proposes nothing for it and names it, with its reason, in what is still short
(tester: e1, week of 2026-12-14 — m04's far class-A R04011 made 8 rounds cut his other
retailers while the week stayed 9 visits out). Stand-in planners: no solver runs."""

from __future__ import annotations

from engine.capacity.figures import week_capacity
from engine.capacity.fit import fit_week
from engine.capacity.proposal import propose_changes
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.routing.plan import RoutePlan, UnvisitedRetailer
from tests.engine.test_capacity import MONDAY, _department, _retailer, _route, _visit_blocks

FAR = "r_far"


def _week() -> tuple[Department, Timetable]:
    """m1 with six C shops near the office and a class-A shop 55 km out; plenty of room."""
    shops = [_retailer(f"c{k}", "m1", 1 + 0.2 * k, klass="C", visits=4) for k in range(6)]
    shops.append(_retailer(FAR, "m1", 55, klass="A", visits=4))
    return _department(shops), _visit_blocks(("m1",))


def _plan(changed: Department) -> tuple[Timetable, RoutePlan]:
    """Every near shop routed on Monday, the far one left out `too_far` in every plan."""
    near = [r.id for r in changed.territory("m1") if r.id != FAR and r.visits_per_4_weeks]
    stops = [(r, 5, 485 + 20 * k, 495 + 20 * k) for k, r in enumerate(near)]
    return _visit_blocks(("m1",)), RoutePlan(
        week_start=MONDAY, due_visits=len(near) + 1, routes=(_route("m1", 0, stops),),
        unvisited=(UnvisitedRetailer(retailer=FAR, manager="m1", reason="too_far",
                                     detail="a 180-min ride from the office"),))


def test_a_visit_left_out_too_far_cuts_no_other_retailer(policy_15_13_7: Policy) -> None:
    department, timetable = _week()
    _, routes = _plan(department)
    capacity = week_capacity(department, policy_15_13_7, timetable, MONDAY, routes)
    m1 = capacity.manager("m1")
    assert m1.unplanned_visits == m1.unmendable_visits == 1 and m1.unplanned_min == 0
    assert not propose_changes(department, policy_15_13_7, capacity).changes

    fit = fit_week(department, policy_15_13_7, MONDAY, _plan).fit
    assert not fit.proposal.changes
    assert fit.fits is False
    assert [(u.retailer, u.reason) for u in fit.left_out] == [(FAR, "too_far")]
    assert fit.proposal.still_short["m1"] > 0
    assert FAR in fit.proposal.why_short["m1"] and "too far" in fit.proposal.why_short["m1"]
