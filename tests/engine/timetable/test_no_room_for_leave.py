"""A daily block a part-day leave leaves no room for is not owed (model.add_manager_blocks
builds none), but the manager is told: the week declares it short with the day, the
minutes and the leave (shortfalls.excused_day_shortfalls). No solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.policy import format_clock
from engine.timetable.explain import _daily_blocks_owed
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import excused_day_shortfalls
from tests.engine.timetable.test_solve import edited, usual_first_stop
from tests.strategies import WEEK, simple_department

WEDNESDAY = WEEK + dt.timedelta(days=2)


def test_a_visit_block_the_leave_leaves_no_room_for_is_declared(policy_15_13_7):
    """m01 away 10:00–12:00 on Wednesday: the visit block fits no start around it (it was
    dropped with nothing said). Under a policy that plans no shorter block beside a leave
    (`shortest_beside_leave` not set; test_block_beside_leave.py for one that does)."""
    department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=10 * 60, end=12 * 60),))
    policy_15_13_7 = edited(policy_15_13_7, kinds={"visit": {"shortest_beside_leave": None}})
    tm = build_variables(department, policy_15_13_7, WEEK)
    assert not any(b.day == 2 for b in tm.blocks[("m01", "visit")])
    [declared] = excused_day_shortfalls(tm, [])
    minutes = (policy_15_13_7.kinds["visit"].per_day_minutes or {})["wed"]
    assert (declared.manager, declared.kind, declared.minutes_short, declared.sessions_short) == (
        "m01", "visit", minutes, 1)
    assert "Wed 11-25" in declared.reason and "10:00–12:00" in declared.reason
    assert declared.date == WEDNESDAY
    # Without proof of the search's week the words stay: the leave forces it on every week.
    assert excused_day_shortfalls(tm, [], proven=False) == [declared]


def test_a_leave_that_leaves_room_declares_nothing(policy_15_13_7):
    department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=16 * 60, end=17 * 60),))
    assert excused_day_shortfalls(build_variables(department, policy_15_13_7, WEEK), []) == []



def _last_start(policy, department) -> int:
    """m01's last visit start on Wednesday: the first stop due by `first_stop_by`, less his
    ride out of the office rounded up to the grid (constraints._ride_out_of_the_office)."""
    ride = build_variables(department, policy, WEEK).approach["m01"]
    grid = policy.grid_minutes
    return (policy.route.first_stop_by // grid - -(-ride // grid)) * grid


def test_a_leave_ending_after_the_last_start_the_ride_out_allows_leaves_no_room(policy_15_13_7):
    """The tester's e8: m01 away 08:00–09:25 with a short ride out (a 09:20 last start). A
    start on the grid after the leave still lies before `first_stop_by`, yet the ride out
    asks the block to start earlier, so no start is left: not owed, with the day (was: a
    block built that no week could hold, then dropped as "not kept in the week found
    within the time limit", counted in the weekly hours short). Here the ride is longer:
    the leave ends 5 min after his last start. (The usual first stop: by default such a
    leave moves it on, test_first_stop_after_leave.py.)"""
    policy_15_13_7 = usual_first_stop(policy_15_13_7)
    last = _last_start(policy_15_13_7, simple_department(2))
    end = last + 5
    assert end <= policy_15_13_7.route.first_stop_by - policy_15_13_7.grid_minutes
    department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=8 * 60, end=end),))
    tm = build_variables(department, policy_15_13_7, WEEK)
    assert not any(b.day == 2 for b in tm.blocks[("m01", "visit")])
    [declared] = excused_day_shortfalls(tm, [], proven=False)
    assert (declared.manager, declared.kind, declared.not_owed, declared.date) == ("m01", "visit", True, WEDNESDAY)
    assert f"08:00–{format_clock(end)}" in declared.reason, declared.reason
    assert f"to start 08:00–{format_clock(last)}" in declared.reason, declared.reason


def test_a_leave_ending_at_the_last_start_leaves_the_visit_block_room(policy_15_13_7):
    last = _last_start(policy_15_13_7, simple_department(2))
    department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=8 * 60, end=last),))
    tm = build_variables(department, policy_15_13_7, WEEK)
    assert any(b.day == 2 for b in tm.blocks[("m01", "visit")])
    assert excused_day_shortfalls(tm, []) == []


def test_the_capacity_arithmetic_owes_no_block_the_model_excuses(policy_15_13_7):
    """The explanation's minutes (explain._daily_blocks_owed) judge a leave on the same
    latest start as the model: the visit block a leave to 5 min past it excuses is not
    counted owed (it was, so a tight day could be called over-full by a block no week has).
    With the first stop moved on after the leave, both owe it."""
    owes = {}
    for policy in (usual_first_stop(policy_15_13_7), policy_15_13_7):
        last = _last_start(policy, simple_department(2))
        department = simple_department(2, (Leave(manager="m01", date=WEDNESDAY, start=8 * 60, end=last + 5),))
        tm = build_variables(department, policy, WEEK)
        owed = _daily_blocks_owed(policy, tm.frame.managers["m01"], tm.frame.days[2], tm.approach["m01"])
        planned = any(b.day == 2 for b in tm.blocks[("m01", "visit")])
        owes[policy.route.later_first_stop_after_leave] = ("visit" in owed, planned)
    assert owes == {False: (False, False), True: (True, True)}




def test_only_a_leave_excuses_a_daily_block(policy_15_13_7):
    """A visit window the ride out leaves no start in (earliest = latest start = 09:20, a
    ride over 10 min to be at the first retailer by 09:30; 09:30 itself is refused as the
    policy loads) on a day without leave is the policy's conflict, explained by an
    infeasible week: the block is built, not excused as if a leave had taken its room."""
    field_window = {"earliest_start": "09:20", "latest_start": "09:20", "latest_end": "15:00"}
    policy = edited(policy_15_13_7, kinds={"visit": field_window})
    tm = build_variables(simple_department(2), policy, WEEK)
    assert tm.no_room_for_leave == []
    assert len(tm.blocks[("m01", "visit")]) == len(tm.frame.days)


def test_a_not_owed_block_counts_only_what_the_week_no_longer_holds() -> None:
    """A re-plan keeps the 08:00-10:00 part of a visit block worked before the manager fell
    ill at 10:00; the line beside it declared the whole 180-min block not owed (tester seed
    431: "m06 visit 180 min short" with his 08:00-10:00 visits in the same timetable)."""
    import datetime as dt

    from engine.domain import Block, HoursShortfall
    from engine.timetable.shortfalls import _less_what_was_worked

    day = dt.date(2026, 12, 9)
    line = HoursShortfall(manager="m06", kind="visit", minutes_short=180, sessions_short=1, not_owed=True,
                          date=day, reason="leave")
    worked = Block(manager="m06", date=day, kind="visit", start=480, end=600)
    (left,) = _less_what_was_worked([line], [worked])
    assert left.minutes_short == 60 and "120 min of it held before" in left.reason
    assert _less_what_was_worked([line], [worked.model_copy(update={"end": 660})]) == []
    assert _less_what_was_worked([line], []) == [line]
