"""A re-plan's routes keep the fixed appointments at retailers of the re-planned timetable
(POS household, promotion store), timed as the week's routes time them, beside the
visits, and a day of appointments only keeps its route. They skipped every stop that was
not a visit: the promotion and POS stops were gone, a day of appointments only lost its
route, and the phone showed the promotion block with no stop. The hand-typed week of the
re-plan checker's tests; no solver runs."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import check_replan
from engine.domain import Timetable
from engine.replan.handover import replan_routes
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_ride_under_way import RULES, TUESDAY, at, planned_routes

WEDNESDAY = MONDAY + dt.timedelta(days=2)


def stops_of(routes: list[dict], manager: str, date: dt.date) -> list[tuple[str, str, str, bool]]:
    [route] = [r for r in routes if (r["manager"], r["date"]) == (manager, date.isoformat())]
    return [(s["kind"], s["retailer"], s["start"], s["pinned"]) for s in route["stops"]]


def test_the_replans_routes_keep_the_timetables_appointments_in_their_places() -> None:
    situation = at(9, 1)
    plan = planned_routes()
    routes, _, _, _, _ = replan_routes(situation, situation.timetable, plan, RULES)
    after = [r.model_dump(mode="json") for r in routes]
    # Tuesday: his four visits in the morning, then the POS household at 14:20, in time order
    assert stops_of(after, "m01", TUESDAY) == [
        *[("visit", s["retailer"], s["start"], s["start"] < "09:04") for s in plan["routes"][0]["stops"]],
        ("pos_project", "r-m01-2", "14:20", False)]
    # Monday's POS hour was over before now; Wednesday's promotion at m01's store, m02 with him
    assert stops_of(after, "m01", MONDAY) == [("pos_project", "r-m01-1", "14:20", True)]
    assert stops_of(after, "m02", WEDNESDAY) == [("promotion", "r-m01-3", "13:10", False)]
    [promotion] = next(r["stops"] for r in after if (r["manager"], r["date"]) == ("m02", WEDNESDAY.isoformat()))
    assert promotion["ride_min"] > 0  # ridden to from the office, as the week's routes time it
    # the re-plan checker reads the routes' visits as before: no fault
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), week(), situation.now, [], (),
                           plan, after)
    assert verdict.violations == []


def test_a_day_of_appointments_only_keeps_its_route() -> None:
    situation = at(9, 1)
    plain = week()
    # m03's Wednesday without its visit block: the promotion at r-m03-3 is his day's one place
    plain["blocks"] = [b for b in plain["blocks"]
                       if not (b["manager"] == "m03" and b["date"] == WEDNESDAY.isoformat() and b["kind"] == "visit")]
    routes, _, _, _, _ = replan_routes(situation, Timetable.model_validate(plain), planned_routes(), RULES)
    after = [r.model_dump(mode="json") for r in routes]
    assert stops_of(after, "m03", WEDNESDAY) == [("promotion", "r-m03-3", "13:10", False)]
