"""What a re-plan says of an urgent visit is true and says it once: one it declares late
(in `late`, with its cause) is a declared shortfall the checker accepts, not a fault,
while one made late undeclared still is; a planned visit made urgent that stays on its
day after the deadline is not also said to be "in time"; one made on no day carries the
reason code of its cause (`manager_absent` when everyone who may take it is off)."""

from __future__ import annotations

import datetime as dt

from api.replan_verdict import declared_late, judge_replan
from engine.check.replan import URGENT_LATE, DeclaredLate, Urgent, judge_urgent_visits
from engine.domain import Timetable
from engine.replan import ReplanResult, read_events
from engine.replan.handover import replan_routes
from engine.replan.result import LateVisit
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import FAR, m02_sick_to_tuesday

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
MADE_WEDNESDAY = [{"manager": "m02", "date": WEDNESDAY.isoformat(), "stops": [
    {"retailer": "r-m02-4", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]


def test_an_urgent_visit_declared_late_with_its_cause_is_no_fault() -> None:
    asked = [Urgent("r-m02-4", TUESDAY)]
    said = DeclaredLate("r-m02-4", TUESDAY, WEDNESDAY, "m02", "m02: off sick from Mon 2024-03-04 13:00")
    faults, late = judge_urgent_visits(MONDAY_13, asked, MADE_WEDNESDAY, [said])
    assert faults == []
    [made] = late
    assert (made.retailer, made.manager, made.due_by, made.date) == ("r-m02-4", "m02", TUESDAY, WEDNESDAY)
    assert "as the re-plan declares: m02: off sick" in made.message
    # Undeclared, declared for another day or without a cause: still a fault.
    for declared in ([], [DeclaredLate("r-m02-4", TUESDAY, TUESDAY, "m02", "x")],
                     [DeclaredLate("r-m02-4", TUESDAY, WEDNESDAY, "m02", " ")]):
        faults, late = judge_urgent_visits(MONDAY_13, asked, MADE_WEDNESDAY, declared)
        assert [f.rule for f in faults] == [URGENT_LATE] and late == []
    # Declared late but in no route at all: not made, a fault.
    faults, _ = judge_urgent_visits(MONDAY_13, asked, [], [said])
    assert [f.rule for f in faults] == [URGENT_LATE]


def test_the_verdict_reads_the_re_plan_s_late_list() -> None:
    result = ReplanResult(week_start=MONDAY, now=MONDAY_13, status="optimal",
                          timetable=Timetable.model_validate(week()),
                          late=(LateVisit(retailer="r-m02-4", manager="m02", due_by=TUESDAY, date=WEDNESDAY,
                                          detail="LATE: m02 off sick"),))
    assert declared_late(result) == [DeclaredLate("r-m02-4", TUESDAY, WEDNESDAY, "m02", "LATE: m02 off sick")]


def test_a_planned_visit_made_urgent_and_late_is_not_said_in_time() -> None:
    """r-m02-4 is planned with m02 on Wednesday; it is asked by Tuesday, and m02 is off
    to Tuesday with no neighbour near: it stays on Wednesday, late, and no note says it
    is in time."""
    situation = m02_sick_to_tuesday()
    _, _, _, late, notes = replan_routes(situation, situation.timetable, {"routes": MADE_WEDNESDAY}, FAR)
    assert [(v.retailer, v.date) for v in late] == [("r-m02-4", WEDNESDAY)]
    assert not [n for n in notes if "in time" in n]


def test_an_urgent_visit_no_one_is_in_to_make_is_manager_absent() -> None:
    """m02 is off to the end of the week, no neighbour is near: his urgent visit is made
    on no day, for the cause his other visits give (`manager_absent`)."""
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": MONDAY_13.isoformat()},
                          {"type": "urgent_visit", "retailer": "r-m02-4", "by": TUESDAY.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13,
                             events)
    planned = [{"manager": "m02", "date": TUESDAY.isoformat(), "stops": [
        {"retailer": "r-m02-1", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]
    _, _, unplaced, _, _ = replan_routes(situation, situation.timetable, {"routes": planned}, FAR)
    reasons = {u.retailer: u.reason for u in unplaced}
    assert reasons == {"r-m02-1": "manager_absent", "r-m02-4": "manager_absent"}


def test_the_verdict_accepts_an_urgent_visit_no_one_may_take_declared_not_made() -> None:
    """The re-plan's verdict (api/replan_verdict.judge_replan) tells the checker of the
    sicknesses and the manager an urgent visit names: it faulted a declared miss for "a day
    that could take it" while the owner was off sick and no neighbour was within reach
    (an outside tester's d563, exit 1)."""
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": MONDAY_13.isoformat()},
                          {"type": "urgent_visit", "retailer": "r-m02-4", "by": TUESDAY.isoformat()}])
    timetable = Timetable.model_validate(week())
    department = make_department(MANAGERS)
    situation = situation_at(department, TEST_POLICY, timetable, MONDAY_13, events)
    planned = [{"manager": "m02", "date": TUESDAY.isoformat(), "stops": [
        {"retailer": "r-m02-1", "arrive": "09:10", "start": "09:10", "end": "09:30"}]}]
    routes, _, unplaced, late, _ = replan_routes(situation, situation.timetable, {"routes": planned}, FAR)
    result = ReplanResult(week_start=MONDAY, now=MONDAY_13, status="optimal", events=tuple(events),
                          timetable=situation.timetable, routes=tuple(routes), unplaced=tuple(unplaced),
                          late=tuple(late))
    verdict = judge_replan(department, TEST_POLICY, timetable, result, {"routes": planned})
    assert verdict is not None
    assert not [v for v in verdict.violations if "r-m02-4" in v.message], verdict.violations
    assert [n.retailer for n in verdict.not_made] == ["r-m02-4"]
