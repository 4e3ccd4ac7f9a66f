"""A re-plan of a re-planned week with nothing new reports no change (tester: re-planning
rp2 at its own `now` said "added promotion Thu 13:00-14:10, re-paired", the part alone
of the session rp2 had split when m05 fell ill). The diff is against the plan given:
the part from `now` on that the earlier re-plan wrote is the plan's block."""

from __future__ import annotations

from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.diff import block_diff
from engine.replan.pairs import remaining_groups
from engine.replan.situation import situation_at, split_where_a_partner_fell_ill
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import make_department
from tests.engine.replan.test_replan_partner_falls_ill_at_now import (
    EVENTS,
    ILL,
    POLICY,
    TUESDAY,
    maintenance,
)


def _replanned_again(moved: bool = False):
    """The week re-planned at the moment m02 falls ill (m01's maintenance split there),
    then that re-plan re-planned at the same moment with the same events; `moved` moves
    m01's part alone 10 min later in the second re-plan's week."""
    department, events = make_department(MANAGERS), read_events(EVENTS)
    first = situation_at(department, POLICY, Timetable.model_validate(week()), ILL, events)
    given = first.timetable.model_copy(update={"blocks": tuple(split_where_a_partner_fell_ill(first, first.timetable.blocks))})
    again = situation_at(department, POLICY, given, ILL, events)
    blocks = split_where_a_partner_fell_ill(again, again.timetable.blocks)
    assert maintenance(blocks, "m01") == maintenance(given.blocks, "m01") == [(790, 810, ("m02",)), (810, 850, ())]
    if moved:
        blocks = [b.model_copy(update={"start": 820, "end": 860})
                  if (b.manager, b.date, b.kind, b.start) == ("m01", TUESDAY, "maintenance", 810) else b
                  for b in blocks]
    return again, blocks


def _maintenance_rows(moved: bool = False) -> list[tuple[str, int | None, int | None]]:
    situation, blocks = _replanned_again(moved)
    return [(c.change, c.before.start if c.before else None, c.after.start if c.after else None)
            for d in block_diff(situation, remaining_groups(situation), blocks, []) if d.manager == "m01"
            for c in d.blocks if c.kind == "maintenance"]


def test_nothing_new_reports_no_change() -> None:
    assert _maintenance_rows() == []


def test_a_part_moved_is_moved_from_where_the_plan_given_had_it() -> None:
    assert _maintenance_rows(moved=True) == [("moved", 810, 820)]
