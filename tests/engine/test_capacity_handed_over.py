"""The capacity figures of a week whose routes hand a manager's visits to colleagues
(engine/capacity/figures.py, SPEC §3): a manager away most of the week whose due visits
his neighbours made needs their minutes all the same — they are counted handed over and
in his need, so his shortfall says whether his own visit blocks hold his week — and the
colleague who made them counts them taken over (tester d8cap2, week of 2026-11-23: m03
at work two days read "+3 min spare" while colleagues made 6 of his 21 due visits).
Hand-built week and routes: no solver runs."""

from __future__ import annotations

import datetime as dt

from engine.capacity.figures import week_capacity
from engine.capacity.proposal import propose_changes
from engine.domain import (
    HANDED_OVER_TO,
    HANDED_OVER_WEEK,
    Block,
    Department,
    Leave,
    Manager,
    Timetable,
)
from engine.policy import Policy
from engine.routing.plan import RoutePlan
from tests.engine.test_capacity_round3_leave_room import (
    MONDAY,
    OFFICE,
    RIDE,
    SERVICE,
    _due_ids,
    _retailer,
    _route,
)

PER_DAY = 11
"""m1's shops a day of his holds: 11 of 15 minutes in his 180-minute block."""
HANDED = 6
"""The shops of m1 his two days leave to his neighbour (the same 10-min service and 5-min
rides as test_capacity_round3_leave_room's week, whose helpers build this one)."""


def _department() -> Department:
    """m1 on leave Monday to Wednesday with 28 shops due 3 km east; m2 a neighbour with two."""
    shops = [_retailer(r, "m1", 3 + 0.02 * k) for k, r in enumerate(_due_ids("c", 2 * PER_DAY + HANDED))]
    shops += [_retailer(r, "m2", 4 + 0.05 * k) for k, r in enumerate(_due_ids("n", 2))]
    return Department(name="handed", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="m1", years=3), Manager(id="m2", name="m2", years=3)),
                      retailers=tuple(shops),
                      leave=tuple(Leave(manager="m1", date=MONDAY + dt.timedelta(days=d)) for d in range(3)))


def _timetable() -> Timetable:
    """08:00-11:00 visit blocks: m1 on Thursday and Friday, m2 every day."""
    blocks = [Block(manager=m, date=MONDAY + dt.timedelta(days=d), kind="visit", start=480, end=660)
              for m, days in (("m1", range(3, 5)), ("m2", range(5))) for d in days]
    return Timetable(department="handed", policy="15-13-7", week_start=MONDAY, status="feasible",
                     blocks=tuple(blocks))


def _ids(department: Department, manager: str) -> list[str]:
    return [r.id for r in department.retailers if r.manager == manager]


def test_visits_a_colleague_made_are_in_the_need_of_the_manager_they_are_due_to(policy_15_13_7: Policy) -> None:
    """m1's two days make 22 of his 28 due visits and m2's Monday route the other 6 (the
    routes' hand-over): m1's figures count the 6 handed over and need their minutes, so
    his 360 minutes are short of his week, not 30 minutes spare; m2 counts the 6 taken
    over, in his need as ridden; the department's need counts them once; and the proposal
    hands retailers of m1's over for the week, as many minutes as his days cannot hold."""
    department = _department()
    m1, m2 = _ids(department, "m1"), _ids(department, "m2")
    routes = RoutePlan(week_start=MONDAY, due_visits=len(m1) + len(m2), routes=(
        _route("m1", 3, m1[:PER_DAY]), _route("m1", 4, m1[PER_DAY:2 * PER_DAY]),
        _route("m2", 0, m2 + m1[2 * PER_DAY:])))
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, routes)
    mine, theirs = capacity.manager("m1"), capacity.manager("m2")
    assert mine.due_visits == len(m1) and mine.planned_visits == 2 * PER_DAY and mine.unplanned_visits == 0
    assert mine.handed_over_visits == HANDED and mine.taken_over_visits == 0
    assert mine.available_min == 360
    assert mine.handed_over_min == HANDED * (SERVICE + RIDE)
    assert mine.need_min == len(m1) * (SERVICE + RIDE) == 420  # all 28 of his visits, not the 22 he made
    assert mine.shortfall_min == 60 and mine.spare_min == 0
    assert sum(d.need_min for d in mine.days) == 2 * PER_DAY * (SERVICE + RIDE)  # his days: what he made
    assert theirs.taken_over_visits == HANDED and theirs.handed_over_visits == 0
    assert theirs.planned_visits == len(m2) + HANDED and theirs.need_min == (len(m2) + HANDED) * (SERVICE + RIDE)
    assert capacity.need_min == (len(m1) + len(m2)) * (SERVICE + RIDE)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    assert proposal.changes and {(c.kind, c.manager, c.to_manager) for c in proposal.changes} == {
        ("hand_over", "m1", "m2")}
    assert sum(c.minutes_freed for c in proposal.changes) >= mine.need_min - 342  # 360 less the 5 % margin


def test_an_applied_hand_over_is_counted_but_not_proposed_again(policy_15_13_7: Policy) -> None:
    """The same week from a folder whose applied proposal already handed m1's six shops to
    m2 for it (retailers.csv's handed_over_week / handed_over_to): the figures still count
    them handed over and in m1's need, but a proposal made on that folder neither hands
    them over again nor anything else of m1's for them."""
    base = _department()
    m1 = _ids(base, "m1")
    applied = set(m1[2 * PER_DAY:])
    department = base.model_copy(update={"retailers": tuple(
        r.model_copy(update={"extra": {HANDED_OVER_WEEK: MONDAY.isoformat(), HANDED_OVER_TO: "m2"}})
        if r.id in applied else r for r in base.retailers)})
    routes = RoutePlan(week_start=MONDAY, routes=(
        _route("m1", 3, m1[:PER_DAY]), _route("m1", 4, m1[PER_DAY:2 * PER_DAY]),
        _route("m2", 0, _ids(department, "m2") + sorted(applied))))
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, routes)
    mine = capacity.manager("m1")
    assert mine.handed_over_visits == HANDED and mine.shortfall_min == 60
    assert mine.handed_over_applied_min == mine.handed_over_min == HANDED * (SERVICE + RIDE)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    assert not [c for c in proposal.changes if c.manager == "m1"] and "m1" not in proposal.still_short
