"""The floors on hours short, group by group (group_floors.py): on small departments the
week's floor is exactly the joint model's fewest slots short; the floors added as
constraints never cut off the joint optimum; a solved week reports its floor, keeps it in
its bound and passes the independent checker."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine.check.timetable import check_timetable
from engine.domain import Leave
from engine.load import write_department
from engine.policy import Policy, load_policy
from engine.timetable import group_floors
from engine.timetable.group_floors import (
    NO_WEEK,
    WeekFloor,
    add_floor_cuts,
    cheapest_partition,
    preferred_groups,
    week_floor,
)
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.timetable.short_weeks import (
    MONDAY,
    department_north,
    fewest_slots_short,
    joint_model,
    optimum,
)
from tests.engine.timetable.test_solve import edited

WEDNESDAY = MONDAY + dt.timedelta(days=2)
DEPARTMENTS = {
    "a near and a far manager": ({"m1": 0.005, "m2": 0.25}, ()),
    "three, one on leave (a group of three)": ({"m1": 0.005, "m2": 0.17, "m3": 0.22},
                                              (Leave(manager="m1", date=WEDNESDAY),)),
    "two near, two far": ({"m1": 0.005, "m2": 0.01, "m3": 0.2, "m4": 0.25}, ()),
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("15-13-7")


@pytest.mark.parametrize("name", [
    # The four-manager case proves its joint fewest in 11 s on 2 cores: opt-in (pytest -m bench).
    pytest.param(name, marks=pytest.mark.bench) if name == "two near, two far" else name for name in DEPARTMENTS])
def test_the_week_floor_is_the_joint_fewest_slots_short(policy: Policy, name: str) -> None:
    department = department_north(*DEPARTMENTS[name])
    floor = week_floor(joint_model(department, policy), 60.0, workers=2, group_cap_s=20.0)
    assert floor is not None and floor.exact
    assert floor.slots > 0, "the far managers' rides force hours short"
    assert floor.slots == fewest_slots_short(joint_model(department, policy))


@pytest.mark.parametrize("name", [pytest.param("a near and a far manager", marks=pytest.mark.bench),
                                  "three, one on leave (a group of three)"])
def test_the_floors_keep_the_joint_optimum(policy: Policy, name: str) -> None:
    department = department_north(*DEPARTMENTS[name])
    plain, floored = joint_model(department, policy), joint_model(department, policy)
    floor = week_floor(floored, 60.0, workers=2, group_cap_s=20.0)
    assert floor is not None
    assert add_floor_cuts(floored, floor) > 1, "the week's floor and at least one group's"
    assert optimum(floored)[0] == optimum(plain)[0]


def test_the_cheapest_partition_reads_group_costs(policy: Policy) -> None:
    tm = joint_model(department_north(*DEPARTMENTS["two near, two far"]), policy)
    groups = list(tm.pairs)
    cost = dict.fromkeys(groups, 100)  # near with far the other way round: 200
    cost[("m1", "m2")], cost[("m3", "m4")] = 5, 7  # the near together, the far together: 12
    cost[("m1", "m3")] = cost[("m2", "m4")] = 4  # near with far: 8
    found = cheapest_partition(tm, groups, cost)
    assert found is not None
    assert found == (8, [("m1", "m3"), ("m2", "m4")])


def test_a_group_with_no_week_is_never_chosen(policy: Policy) -> None:
    tm = joint_model(department_north(*DEPARTMENTS["two near, two far"]), policy)
    # m1 with m3 (and so m2 with m4) would lose no hour where every other pairing loses
    # ten slots, were it not that the pair has no week at all.
    floor = WeekFloor(floors={("m1", "m2"): 5, ("m3", "m4"): 5, ("m1", "m4"): 5, ("m2", "m3"): 5,
                              ("m1", "m3"): NO_WEEK, ("m2", "m4"): 0})
    chosen = preferred_groups(tm, floor)
    assert chosen in ([("m1", "m2"), ("m3", "m4")], [("m1", "m4"), ("m2", "m3")])



def test_an_incomplete_table_prefers_groups_proven_to_lose_nothing(policy: Policy) -> None:
    """The floors' time ran out with m1-m2 and m3-m4 unsolved, the pairs the pair rules
    like best: at a floor of 0 they beat the pairs proven to lose nothing, so the first
    week was built from guesses (it was built from no floors at all when incomplete; the
    sample week under load: 570-900 min short at 10 s). Priced as losing a slot, an
    unsolved group loses to a solved one that loses none, and still wins over one that
    loses several."""
    tm = joint_model(department_north(*DEPARTMENTS["two near, two far"]), policy)
    assert preferred_groups(tm, WeekFloor(floors=dict.fromkeys(tm.pairs, 0), exact=True)) == [
        ("m1", "m2"), ("m3", "m4")]  # by the pair rules alone
    solved_free = WeekFloor(floors={("m1", "m3"): 0, ("m2", "m4"): 0, ("m1", "m4"): 0, ("m2", "m3"): 0})
    assert preferred_groups(tm, solved_free) in ([("m1", "m3"), ("m2", "m4")], [("m1", "m4"), ("m2", "m3")])
    losing = WeekFloor(floors={("m1", "m3"): 3, ("m2", "m4"): 3, ("m1", "m4"): 3, ("m2", "m3"): 3})
    assert preferred_groups(tm, losing) == [("m1", "m2"), ("m3", "m4")]


@pytest.mark.bench  # a 10-s week (the floors need it on a slower machine): opt-in
def test_a_solved_week_reports_its_floor_and_keeps_it(policy: Policy) -> None:
    department = department_north(*DEPARTMENTS["two near, two far"])
    # A long limit so that a loaded machine still completes the floors; the search ends a
    # second after its last better week.
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=10, workers=2, stall_s=1.0))
    tt = result.timetable
    assert tt.status in ("optimal", "feasible")
    assert tt.hours_short_floor_minutes is not None and tt.hours_short_floor_minutes > 0
    assert sum(s.minutes_short for s in tt.shortfalls) >= tt.hours_short_floor_minutes
    slot_price = policy.objective.missing_weekly_hours_per_10min
    assert slot_price is not None and tt.best_bound is not None
    rewards = policy.objective.senior_newcomer_pair * len(department.managers)
    assert tt.best_bound >= tt.hours_short_floor_minutes // policy.grid_minutes * slot_price - rewards
    assert check_timetable(department, policy, tt.to_json_dict()) == []


def test_a_floor_only_bounded_in_time_is_solved_again_longer(policy: Policy, monkeypatch) -> None:
    """A group the cheapest partition needs, whose first solve only bounded its floor, is
    solved again with a longer cut-off; the week's floor is exact only once it is proven."""
    tm = joint_model(department_north(*DEPARTMENTS["a near and a far manager"]), policy)
    calls: list[float] = []

    def bounded_then_proven(tm, group, limit_s, likely_short=False):
        calls.append(limit_s)
        return (1, False) if len(calls) == 1 else (7, True)

    monkeypatch.setattr(group_floors, "_solve_floor", bounded_then_proven)
    floor = week_floor(tm, 60.0, workers=1, group_cap_s=0.5)
    assert floor is not None and floor.exact and floor.slots == 7
    assert calls[1] == pytest.approx(4 * calls[0], rel=0.01)


def test_floors_known_from_an_earlier_search_are_not_solved_again(policy: Policy, monkeypatch) -> None:
    """A second search of the same week (SolveParams.extend_to_s) carries on from the floors
    the first proved: only a group the cheapest partition needs and not yet proven is solved."""
    tm = joint_model(department_north(*DEPARTMENTS["two near, two far"]), policy)
    solved: list[tuple[str, ...]] = []

    def proven_zero(tm, group, limit_s, likely_short=False):
        solved.append(group)
        return 0, True

    monkeypatch.setattr(group_floors, "_solve_floor", proven_zero)
    pairs = list(tm.pairs)
    known = WeekFloor(floors=dict.fromkeys(pairs, 0), proven=frozenset(pairs[:-1]))
    floor = week_floor(tm, 60.0, workers=1, known=known)
    assert floor is not None and floor.exact and floor.slots == 0
    assert set(solved) <= {pairs[-1]}, "only the one group not yet proven"
    assert floor.proven >= known.proven


@pytest.mark.bench  # a cross-check of two ways to the same floors (10 s): opt-in
def test_the_direct_minimisation_gives_the_same_floors(policy: Policy) -> None:
    """A group thought likely short skips the look for a whole week; its floor is the same."""
    tm = joint_model(department_north(*DEPARTMENTS["three, one on leave (a group of three)"]), policy)
    for group in [("m2", "m3"), ("m1", "m2", "m3")]:  # the two far ones; all three
        assert group_floors._solve_floor(tm, group, 20.0, likely_short=True) == group_floors._solve_floor(
            tm, group, 20.0, likely_short=False)


def test_the_timetable_command_says_the_floor(tmp_path) -> None:
    """`fieldweek timetable` says how short the week is and that no week can be shorter;
    its JSON carries the floor."""
    folder = tmp_path / "floors"
    write_department(department_north(*DEPARTMENTS["a near and a far manager"]), folder)
    out = tmp_path / "week.json"
    result = CliRunner().invoke(app, ["timetable", str(folder), "--week", str(MONDAY), "--time-limit", "4",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    floor = json.loads(out.read_text(encoding="utf-8"))["hours_short_floor_minutes"]
    assert floor and floor > 0
    assert "weekly hours short:" in result.output and "(proven)" in result.output


def test_a_single_managers_floor_holds_only_when_he_is_the_one_alone(policy: Policy) -> None:
    """Under `odd_headcount = "solo"` a single manager is a group too: his floor is a cut
    enforced only when he is the one alone, never for his weeks in a pair."""
    solo = edited(policy, pairs={"odd_headcount": "solo"})
    tm = joint_model(department_north({"m1": 0.005, "m2": 0.01, "m3": 0.22}), solo)
    before = len(tm.cp.proto.constraints)
    assert add_floor_cuts(tm, WeekFloor(floors={("m3",): 2})) == 1
    cut = tm.cp.proto.constraints[before]
    assert list(cut.enforcement_literal) == [tm.solo["m3"].index]


def test_the_cheapest_partition_has_one_group_of_three_at_most(policy: Policy) -> None:
    """Nine managers could split into three groups of three; the model allows one."""
    tm = joint_model(department_north({f"m{i}": 0.005 * i for i in range(1, 10)}), policy)
    groups = group_floors._groups(tm)
    cost = {g: 0 if len(g) == 3 else 10 for g in groups}
    found = cheapest_partition(tm, groups, cost)
    assert found is not None
    least, picked = found
    assert sorted(len(g) for g in picked) == [2, 2, 2, 3] and least == 30
