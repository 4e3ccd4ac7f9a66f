"""Tester's d8 with seed-003 and `travel.office_field_buffer_min = 20`: infeasible, "conflict
(visit_daily, meetings_together)", no word of m08 (64 min out) or the buffer. The far
manager's late first stop (`route.late_first_stop_when_far`, "as soon as the ride allows")
was read from a visit block opening at 08:30, but the morning meeting (08:00–08:20 at the
earliest) and the buffer the timetable keeps between office and field open it at 08:40:
his first stop was due at 09:40, which no week could keep. It now counts the buffer
(routing/approach.visit_block_opens): 08:40 + 64 min, due by 09:50."""

from __future__ import annotations

from engine.policy import Policy
from engine.routing.approach import first_stop_time, late_for_the_ride, visit_block_opens
from engine.timetable.model import build_variables
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.test_far_leave_morning import far_department
from tests.strategies import WEEK


def with_buffer(policy: Policy, minutes: int) -> Policy:
    return policy.model_copy(update={"travel": policy.travel.model_copy(update={"office_field_buffer_min": minutes})})


def test_the_visit_block_opens_after_the_meeting_and_the_buffer(policy_seed_003):
    assert visit_block_opens(policy_seed_003, "tue") == 8 * 60 + 30  # buffer 0: the kind's 08:30
    assert visit_block_opens(with_buffer(policy_seed_003, 10), "tue") == 8 * 60 + 30  # 08:20 + 10
    assert visit_block_opens(with_buffer(policy_seed_003, 20), "tue") == 8 * 60 + 40
    assert visit_block_opens(with_buffer(policy_seed_003, 15), "tue") == 8 * 60 + 40  # on the grid, as held
    assert first_stop_time(policy_seed_003, "tue", 64) == 9 * 60 + 40
    assert first_stop_time(with_buffer(policy_seed_003, 20), "tue", 64) == 9 * 60 + 50
    assert late_for_the_ride(with_buffer(policy_seed_003, 30), "mon", 64) == (10 * 60, 9 * 60 + 30)
    # a near manager's first stop stays 09:30
    assert first_stop_time(with_buffer(policy_seed_003, 20), "tue", 20) == 9 * 60 + 30


def test_a_far_manager_has_a_week_with_a_20_min_buffer(policy_seed_003):
    policy = with_buffer(policy_seed_003, 20)
    department = far_department(22.0, ())
    tm = build_variables(department, policy, WEEK)
    ride = tm.approach["m02"]
    assert 60 < ride <= 70
    # the block may start after the meeting and the buffer and still reach the first stop in time
    grid = tm.grid
    assert 8 * 60 + 40 + -(-ride // grid) * grid <= first_stop_time(policy, "tue", ride)
    result = solve_timetable(department, policy, WEEK, SolveParams(time_limit_s=2, workers=2, stall_s=0.2))
    assert result.timetable is not None
    visits = [b for b in result.timetable.blocks if b.manager == "m02" and b.kind == "visit"]
    assert len(visits) == 5 and all(b.start >= 8 * 60 + 40 for b in visits)
