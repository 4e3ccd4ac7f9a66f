"""Each visit day opens with a first retailer of its own (SPEC §3, "first retailer reached
by 09:30"): an outside tester's manager 56–82 min out had his blocks from 08:30, timed for
his 58-min retailer alone, which only one day could open with. Three of his four blocks held
no visit and seven due visits were left out. The blocks now start early enough for as many
different first retailers as he has visit days (constraints._a_first_retailer_for_each_visit_day)."""

from __future__ import annotations

from engine.check.timetable import judge_timetable
from engine.domain import Department
from engine.policy import load_policy
from engine.routing.approach import first_stop_rides, manager_approach
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.short_weeks import MONDAY, OFFICE, department_north


def _one_near_retailer_the_rest_far() -> Department:
    """m2's six weekly retailers: one about 50 min out, five about 75; m1 near the office."""
    near = department_north({"m1": 0.005, "m2": 0.25})
    retailers = [r if r.manager != "m2" or not r.id.endswith("-0")
                 else r.model_copy(update={"lat": OFFICE.lat + 0.17}) for r in near.retailers]
    return near.model_copy(update={"retailers": tuple(retailers)})


def test_the_rides_of_the_first_stops_are_one_per_visit_day_nearest_first() -> None:
    department, policy = _one_near_retailer_the_rest_far(), load_policy("15-13-7")
    rides = first_stop_rides(department, policy, MONDAY, "m2", 5)
    assert len(rides) == 5 and list(rides) == sorted(rides)
    assert rides[0] == manager_approach(department, policy, MONDAY, "m2")
    assert rides[0] + 15 < rides[1]  # one retailer near, the others much farther
    assert first_stop_rides(department, policy, MONDAY, "m2", 2) == rides[:2]


def test_a_solved_week_opens_each_visit_day_with_a_retailer_of_its_own() -> None:
    """At most one of m2's five blocks may start too late for his far retailers: that one
    day opens with the near one."""
    department, policy = _one_near_retailer_the_rest_far(), load_policy("15-13-7")
    rides = first_stop_rides(department, policy, MONDAY, "m2", 5)
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=5, workers=2))
    assert result.status in ("optimal", "feasible"), result.timetable.conflicts
    blocks = [b for b in result.timetable.blocks if b.manager == "m2" and b.kind == "visit"]
    assert len(blocks) == 5
    meeting_ends = policy.kinds["meeting"].window("mon")[1]

    def reaches_the_far_ones(block) -> bool:
        first_stop = policy.route.first_stop_on("mon" if block.date == MONDAY else "tue")
        # Monday's meeting holds the block back to its end: reached then, as soon as it can be.
        return block.start + -(-rides[1] // 10) * 10 <= first_stop or (block.date == MONDAY
                                                                       and block.start == meeting_ends)
    assert sum(not reaches_the_far_ones(b) for b in blocks) <= 1
    assert not judge_timetable(department, policy, result.timetable).violations


def _forced_late(days: int) -> int:
    """The status of m2's week with `days` of his visit blocks held at the latest start the
    nearest retailer alone allows (his far ones then out of reach as first stops)."""
    from ortools.sat.python import cp_model

    from engine.routing.approach import first_stop_time
    from tests.engine.timetable.short_weeks import joint_model

    department, policy = _one_near_retailer_the_rest_far(), load_policy("15-13-7")
    tm = joint_model(department, policy)  # hours may fall short: only the times are asked
    nearest = tm.approach["m2"]
    for visit in [b for b in tm.blocks[("m2", "visit")] if b.day >= 1][:days]:  # Tuesday on
        latest = first_stop_time(policy, "tue", nearest) // 10 - -(-nearest // 10)
        tm.cp.add(visit.start == latest)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 2
    return solver.solve(tm.cp)


def test_only_one_day_may_open_with_the_near_retailer_alone() -> None:
    from ortools.sat.python import cp_model

    assert _forced_late(1) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert _forced_late(2) == cp_model.INFEASIBLE
