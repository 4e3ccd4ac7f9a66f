"""Tester's d8L3 (seed-003): m03, a 111-min ride out, away Tue 08:00–09:00 and Wed
08:00–09:30, lost both days' 330-min visit blocks, "not owed ... (to start 08:30–08:30)":
back from the leave, his first stop was still due by first_stop_by + the leave's delay
(10:30 / 11:00), which his ride from the office cannot reach, so no start was left. Under
`route.late_first_stop_when_far` the first stop after such a leave is due no earlier than
his ride from his return allows (routing/approach.first_stop_time), and the block is as
long as fits before he must ride back for the daily report (model.room_window): 09:00–14:00
and 09:30–14:00, at the office by 16:00."""

from __future__ import annotations

import datetime as dt

from engine.domain import Department, Leave
from engine.routing.approach import back_from_leave, first_stop_time
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import leave_leaves_no_room
from engine.timetable.week import build_week, late_first_stop_notes
from tests.strategies import WEEK, simple_department

TUESDAY = WEEK + dt.timedelta(days=1)
WEDNESDAY = WEEK + dt.timedelta(days=2)
KM_PER_DEGREE = 111.2


def far_department(km: float, leave: tuple[Leave, ...]) -> Department:
    """simple_department(2) under seed-003, m02's territory moved `km` north into the country."""
    department = simple_department(2, leave).model_copy(update={"policy": "seed-003"})
    moved = tuple(r.model_copy(update={"lat": r.lat + km / KM_PER_DEGREE, "area": "country"})
                  if r.manager == "m02" else r for r in department.retailers)
    return department.model_copy(update={"retailers": moved})


LEAVE = (Leave(manager="m02", date=TUESDAY, start=8 * 60, end=9 * 60),
         Leave(manager="m02", date=WEDNESDAY, start=8 * 60, end=9 * 60 + 30))


def test_the_first_stop_after_a_leave_is_due_when_the_ride_from_his_return_allows(policy_seed_003):
    back = back_from_leave(policy_seed_003, "tue", 111, [(8 * 60, 9 * 60)])
    assert back == 9 * 60
    # back at 09:00, 111 min out: at his first retailer 10:51, so due by 11:00 (was 10:30)
    assert first_stop_time(policy_seed_003, "tue", 111, back) == 11 * 60
    # a nearer manager keeps the leave's own later first stop (09:30 + 2 h)
    assert first_stop_time(policy_seed_003, "tue", 64, 10 * 60) == 11 * 60 + 30


def test_a_far_manager_keeps_a_shorter_block_beside_a_morning_leave(policy_seed_003):
    department = far_department(36.0, LEAVE)
    tm = build_variables(department, policy_seed_003, WEEK)
    ride = tm.approach["m02"]
    assert 100 <= ride <= 120
    assert tm.back_from_leave == {("m02", 1): 9 * 60, ("m02", 2): 9 * 60 + 30}
    # 330 min from 09:00 ends 14:30, too late to ride back for the 16:00 daily report;
    # the block ends by then less the ride: 300 and 270 min, not nothing
    back_by = 16 * 60 - -(-ride // tm.grid) * tm.grid
    assert tm.room_beside_leave == {("m02", "visit", 1): back_by - 9 * 60,
                                    ("m02", "visit", 2): back_by - (9 * 60 + 30)}
    assert leave_leaves_no_room(tm) == []
    for day, back in ((1, 9 * 60), (2, 9 * 60 + 30)):
        [block] = [b for b in tm.blocks[("m02", "visit")] if b.day == day]
        domain = list(block.start.proto.domain)
        assert domain[0] <= back // tm.grid <= domain[-1]
        # the ride out of the office (constraints._ride_out_of_the_office) lets it start on his return
        due = first_stop_time(policy_seed_003, tm.frame.days[day].weekday, ride, back)
        assert back + -(-ride // tm.grid) * tm.grid <= due
    # the note on his late first stops gives the leave days their own time
    notes = late_first_stop_notes(build_week(department, policy_seed_003, WEEK), tm.approach)
    tuesday = first_stop_time(policy_seed_003, "tue", ride, 9 * 60)
    assert tuesday > 10 * 60 + 30  # later than the leave's own 09:30 + 1 h, which he cannot reach
    assert any(f"after his leave to 09:00 by {tuesday // 60:02d}:{tuesday % 60:02d}, not 10:30" in note
               and "Tue" in note for note in notes)
    assert not any("Tue" in note and "after his leave" not in note for note in notes)


def test_a_leave_that_leaves_a_far_manager_no_useful_block_says_why(policy_15_13_7):
    """Tester's d6_635L (m04, a 57-min ride out, away Thu 10:00–12:00): two free hours
    before the leave and two after lunch, yet the visit block was "not owed" with only "no
    room for the 180-min block" said, which read as a fault. Each side holds less than his
    ride out, one visit and the ride back: the words now say so."""
    wednesday = WEEK + dt.timedelta(days=2)
    department = simple_department(2, (Leave(manager="m02", date=wednesday, start=10 * 60, end=12 * 60),))
    moved = tuple(r.model_copy(update={"lat": r.lat + 20 / KM_PER_DEGREE, "area": "country"})
                  if r.manager == "m02" else r for r in department.retailers)
    tm = build_variables(department.model_copy(update={"retailers": moved}), policy_15_13_7, WEEK)
    ride = tm.approach["m02"]
    needed = 2 * ride + policy_15_13_7.route.min_service_min
    assert 120 < needed < 180, "two free hours on each side, too few for the ride out, a visit and back"
    [line] = leave_leaves_no_room(tm)
    assert line.date == wednesday and line.not_owed
    assert f"nor for the shortest block worth planning beside it ({needed} min: his {ride}-min ride" in line.reason
