"""An urgent visit the re-plan declares not made (in its `unplaced`, with a reason) is a
declared shortfall, not a fault, when the checker finds for itself that no day up to its
deadline could take it: the retailer closed on each worked day left, or too little time
left before it closes today (tester d7 evE: R04020 due Friday, closed Friday, was a
`replan_urgent_late` fault). Undeclared, or with a day that could take it, it stays one."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import (
    URGENT_LATE,
    Closure,
    DeclaredNotMade,
    Urgent,
    UrgentReach,
    judge_urgent,
)
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
DEPARTMENT = make_department(MANAGERS)
SAID = [DeclaredNotMade("r-m02-4", "m02", "NOT MADE: r-m02-4 is closed")]


def reach(*closures: Closure) -> UrgentReach:
    return UrgentReach.of(DEPARTMENT, TEST_POLICY, MONDAY, closures)


def test_an_urgent_visit_to_a_retailer_closed_to_its_deadline_declared_not_made_is_no_fault() -> None:
    asked = [Urgent("r-m02-4", TUESDAY)]
    closed = reach(Closure("r-m02-4", MONDAY), Closure("r-m02-4", TUESDAY))
    faults, late, not_made = judge_urgent(MONDAY_13, asked, [], (), SAID, closed)
    assert faults == [] and late == []
    [shortfall] = not_made
    assert (shortfall.retailer, shortfall.manager, shortfall.due_by) == ("r-m02-4", "m02", TUESDAY)
    assert "closed on Tue" in shortfall.message and "closed on Mon" in shortfall.message


def test_an_urgent_visit_missing_without_a_true_cause_stays_a_fault() -> None:
    asked = [Urgent("r-m02-4", TUESDAY)]
    # Open on Tuesday: a day could take it, declared or not.
    faults, _, not_made = judge_urgent(MONDAY_13, asked, [], (), SAID, reach(Closure("r-m02-4", MONDAY)))
    assert [f.rule for f in faults] == [URGENT_LATE] and not_made == []
    assert "finds a day up to its deadline that could take it" in faults[0].message
    # Closed to its deadline but not declared: still a fault.
    closed = reach(Closure("r-m02-4", MONDAY), Closure("r-m02-4", TUESDAY))
    faults, _, not_made = judge_urgent(MONDAY_13, asked, [], (), [], closed)
    assert [f.rule for f in faults] == [URGENT_LATE] and not_made == []
    # Without what the checker needs to verify the cause: a fault.
    faults, _, _ = judge_urgent(MONDAY_13, asked, [], (), SAID, None)
    assert [f.rule for f in faults] == [URGENT_LATE]


def test_no_time_left_before_it_closes_today_is_a_true_cause() -> None:
    retailer = next(r for r in DEPARTMENT.retailers if r.id == "r-m02-4")
    late_today = dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(minutes=retailer.closes - 1)
    asked = [Urgent("r-m02-4", MONDAY)]
    faults, _, not_made = judge_urgent(late_today, asked, [], (), SAID, reach())
    assert faults == [] and "has no time left" in not_made[0].message
    faults, _, not_made = judge_urgent(MONDAY_13 - dt.timedelta(hours=5), asked, [], (), SAID, reach())
    assert [f.rule for f in faults] == [URGENT_LATE] and not_made == []
