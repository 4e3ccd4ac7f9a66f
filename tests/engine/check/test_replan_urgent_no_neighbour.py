"""An urgent visit the re-plan declares not made is a declared shortfall, not a fault,
when its retailer's manager is off (sick or on leave) on every day up to its deadline and
no colleague the policy's hand-over lets take it (`replan.handover` names "neighbour",
territory centre within `replan.neighbour_max_km` of his) is at work: nobody could make
it (tester's d563 ev5: m04 ill for the rest of the week, R04005 due Thursday, the nearest
colleague 14.9 km off against 6 km, was a `replan_urgent_late` fault, exit 1). While he or
such a neighbour is at work on a day up to the deadline, it stays a fault.

Hand-built: the checker's small department, whose managers' territory centres lie about
0.37 km apart (m01 and m03 beside m02, m04 0.74 km off), so the policy's
`neighbour_max_km` alone decides who is a neighbour."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import (
    URGENT_LATE,
    DeclaredNotMade,
    Sickness,
    Urgent,
    UrgentReach,
    check_replan,
    judge_urgent,
)
from engine.domain import Leave
from engine.policy import Policy, ReplanRules
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, replanned, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
ASKED = [Urgent("r-m02-4", TUESDAY)]
SAID = [DeclaredNotMade("r-m02-4", "m02", "NOT MADE: m02 is off sick and no neighbour qualifies")]
M02_SICK = [Sickness("m02", MONDAY_13)]
"""m02 falls ill on Monday at 13:00, for the rest of the week."""


def policy(max_km: float, handover: tuple = ("next_days", "neighbour")) -> Policy:
    rules = ReplanRules(moved_block=1, missing_per_10min=1, handover=handover, neighbour_max_km=max_km)
    return TEST_POLICY.model_copy(update={"replan": rules})


def judged(max_km: float, sick: list[Sickness], handover: tuple = ("next_days", "neighbour"), leave: tuple = ()):
    reach = UrgentReach.of(make_department(MANAGERS, leave), policy(max_km, handover), MONDAY, (), sick)
    faults, late, not_made = judge_urgent(MONDAY_13, ASKED, [], (), SAID, reach)
    assert late == []
    return faults, not_made


def test_no_neighbour_within_the_distance_accepts_the_declared_miss() -> None:
    faults, not_made = judged(0.1, M02_SICK)
    assert faults == []
    [shortfall] = not_made
    assert (shortfall.retailer, shortfall.manager, shortfall.due_by) == ("r-m02-4", "m02", TUESDAY)
    assert "within 0.1 km" in shortfall.message and "the nearest, m01, is 0.4 km away" in shortfall.message
    assert "on Mon" in shortfall.message and "on Tue" in shortfall.message


def test_a_neighbour_within_the_distance_at_work_could_take_it() -> None:
    faults, not_made = judged(6, M02_SICK)
    assert [f.rule for f in faults] == [URGENT_LATE] and not_made == []
    assert "finds a day up to its deadline that could take it" in faults[0].message


def test_neighbours_within_the_distance_all_off_too_accept_the_miss() -> None:
    everyone = [Sickness(m, MONDAY_13) for m in MANAGERS]
    faults, not_made = judged(0.5, everyone)
    assert faults == [] and "m01, m03, are off too" in not_made[0].message
    # m04 lies beyond 0.5 km: his being at work changes nothing; within 1 km he could take it.
    faults, _ = judged(0.5, everyone[:3])
    assert faults == []
    faults, _ = judged(1, everyone[:3])
    assert [f.rule for f in faults] == [URGENT_LATE]


def test_a_policy_that_hands_over_to_no_neighbour_accepts_the_miss() -> None:
    faults, not_made = judged(6, M02_SICK, handover=("next_days",))
    assert faults == [] and "names no neighbour" in not_made[0].message


def test_the_owner_back_before_the_deadline_could_take_it() -> None:
    # Sick on Monday only: on Tuesday he is at work, no neighbour needed.
    faults, not_made = judged(0.1, [Sickness("m02", MONDAY_13, MONDAY)])
    assert [f.rule for f in faults] == [URGENT_LATE] and not_made == []
    # ... unless the department's leave has him off on Tuesday too.
    faults, not_made = judged(0.1, [Sickness("m02", MONDAY_13, MONDAY)], leave=[Leave(manager="m02", date=TUESDAY)])
    assert faults == [] and len(not_made) == 1
    # Off on Tuesday morning only: the afternoon holds the visit.
    morning = Leave(manager="m02", date=TUESDAY, start=8 * 60, end=12 * 60)
    faults, _ = judged(0.1, [Sickness("m02", MONDAY_13, MONDAY)], leave=[morning])
    assert [f.rule for f in faults] == [URGENT_LATE]


def test_a_manager_the_event_names_at_work_could_take_it() -> None:
    # m04 lies 0.74 km off, beyond 0.5 km, but the event asks it of him.
    reach = UrgentReach.of(make_department(MANAGERS), policy(0.5), MONDAY, (),
                           [Sickness(m, MONDAY_13) for m in ("m01", "m02", "m03")])
    faults, _, not_made = judge_urgent(MONDAY_13, [Urgent("r-m02-4", TUESDAY, "m04")], [], (), SAID, reach)
    assert [f.rule for f in faults] == [URGENT_LATE] and not_made == []
    faults, _, not_made = judge_urgent(MONDAY_13, ASKED, [], (), SAID, reach)
    assert faults == [] and len(not_made) == 1


def test_check_replan_reads_the_sicknesses_for_the_urgent_visit() -> None:
    department = make_department(MANAGERS)
    before = week()
    after = replanned(before, MONDAY_13, lambda b: b["manager"] == "m02")

    def verdict(max_km: float):
        return check_replan(department, policy(max_km), before, after, MONDAY_13, M02_SICK,
                            routes_before={"routes": []}, routes_after=[], urgent=ASKED, declared_not_made=SAID)

    far = verdict(0.1)
    assert not [v for v in far.violations if v.rule == URGENT_LATE] and len(far.not_made) == 1
    near = verdict(6)
    assert [v.rule for v in near.violations if v.rule == URGENT_LATE] == [URGENT_LATE] and near.not_made == []
