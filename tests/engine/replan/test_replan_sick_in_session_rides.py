"""A member of a group of three falls ill during the group's session at his own store:
the two still in finish it there, and their next session of the day is held at a store
of their own territories (the week's rule, places.py), not his. The re-plan held no ride
between the two stores (its rides read the group's store for both), so its week had
the two arriving late for their next session (tester d563: "optimal", 31 min to ride
in 10, the independent checker's ride_between_places faults)."""

from __future__ import annotations

import datetime as dt
import tomllib

from engine.check.replan import Sickness, check_replan
from engine.domain import Department, Timetable
from engine.policy import ReplanRules, policy_from_mapping
from engine.replan import read_events, replan
from engine.timetable.solve import SolveParams
from engine.timetable.venues import Venue, week_venues
from tests.engine.check.test_timetable_checker import (
    MONDAY,
    TEST_POLICY_TOML,
    build_week,
    make_department,
)

TRIO = ("m01", "m02", "m03")
TUESDAY = MONDAY + dt.timedelta(days=1)
ILL = dt.datetime.combine(TUESDAY, dt.time(13, 30))
RULES = ReplanRules(moved_block=10, missing_per_10min=50, handover=(), neighbour_max_km=5)
# Two promotion sessions of an hour on different days: Tuesday's cannot merge into Wednesday's.
PROMOTION = "sessions = [1, 2]\nsession_minutes = [60, 120]"
assert TEST_POLICY_TOML.count(PROMOTION) == 1
POLICY = policy_from_mapping(tomllib.loads(TEST_POLICY_TOML.replace(
    PROMOTION, "sessions = [2, 2]\nsession_minutes = [60, 60]")), "test policy").model_copy(update={"replan": RULES})
TRIO_STORE = "r-m01-3"
FAR_STORES = ("r-m02-3", "r-m03-3")


def far_store_department() -> Department:
    """The test department with m02's and m03's promotion stores some 25 min north of
    m01's, the trio's."""
    department = make_department(TRIO)
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"lat": r.lat + 0.04}) if r.id in FAR_STORES else r for r in department.retailers)})


def trio_week() -> dict:
    """The hand-made week of the trio, its paired sessions at m01's store, with Tuesday's
    maintenance (13:10-14:10) followed by an hour's promotion at 14:20 (in place of
    Tuesday's POS session, which moves to Wednesday's morning), and Wednesday's promotion
    an hour too (13:10-14:10): Tuesday's cannot move to another day."""
    week = build_week(TRIO)
    tuesday, wednesday = TUESDAY.isoformat(), (TUESDAY + dt.timedelta(days=1)).isoformat()
    for b in list(week["blocks"]):
        if b["kind"] in ("maintenance", "promotion"):
            b["retailer"] = TRIO_STORE
        if b["kind"] == "promotion":
            b.update(end="14:10")
            week["blocks"].append({**b, "date": tuesday, "start": "14:20", "end": "15:20"})
        elif b["kind"] == "pos_project" and b["date"] == tuesday:
            b.update(date=wednesday, start="11:10", end="12:00")
    return week


def test_the_two_left_ride_from_the_session_they_finish_to_their_own_store() -> None:
    department, timetable = far_store_department(), Timetable.model_validate(trio_week())
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": ILL.isoformat(),
                           "until": str(TUESDAY)}])
    result = replan(department, POLICY, timetable, ILL, events, None, SolveParams(time_limit_s=3, workers=2))
    assert result.status in ("optimal", "feasible")
    venues = week_venues(department, POLICY, MONDAY)
    for manager in ("m02", "m03"):
        day = sorted((b for b in result.timetable.blocks if b.manager == manager and b.date == TUESDAY),
                     key=lambda b: b.start)
        held = next(b for b in day if b.kind == "maintenance" and b.end == 14 * 60 + 10)
        after = [b for b in day if b.start >= held.end and b.kind in ("maintenance", "promotion")]
        assert after, day
        assert after[0].retailer in FAR_STORES
        ride = venues.minutes(Venue((TRIO_STORE,)), Venue((after[0].retailer,)))
        assert ride > 20
        assert after[0].start >= held.end + ride, (manager, after[0], ride)
    verdict = check_replan(department, POLICY, timetable, result.timetable, ILL,
                           [Sickness("m01", ILL, TUESDAY)])
    assert not [v for v in verdict.violations if v.rule == "ride_between_places"], verdict.violations
