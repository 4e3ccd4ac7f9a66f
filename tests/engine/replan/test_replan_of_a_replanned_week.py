"""A re-planned week given as the plan without that re-plan's events: its past holds the
piece a manager worked of a block he fell ill in, a length the policy does not allow,
and the week is infeasible. The refusal names the rule and says what to do (a tester's
D8 chain: "infeasible … leave no valid week", no rule named)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from engine.domain import Block, Timetable
from engine.replan import read_events
from engine.replan.situation import situation_at
from engine.replan.solve import _cut_short_by_no_event, _refusal
from engine.timetable.solve import SolveParams
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY_9 = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(9, 0))
PIECE = Block(manager="m02", date=TUESDAY, kind="visit", start=9 * 60, end=10 * 60)


def _cut_short(events: list[dict]) -> list[Block]:
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), WEDNESDAY_9,
                             read_events(events))
    return _cut_short_by_no_event(SimpleNamespace(outside=[PIECE]), situation)  # type: ignore[arg-type]


def test_a_piece_no_event_cut_is_named_with_its_rule_and_what_to_do() -> None:
    cut_short = _cut_short([])
    assert cut_short == [PIECE]
    conflict = _refusal(True, SolveParams(), cut_short)
    assert conflict.rules == ("visit_daily",)
    assert "m02's visit on Tue 2024-03-05 09:00-10:00 (60 min)" in conflict.message
    assert "give that re-plan's events again" in conflict.message


def test_a_piece_the_events_cut_is_no_sign_of_a_re_planned_week() -> None:
    sick = [{"type": "manager_sick", "manager": "m02", "from": f"{TUESDAY.isoformat()}T10:00",
             "until": TUESDAY.isoformat()}]
    assert _cut_short(sick) == []
    assert _refusal(True, SolveParams(), []).rules == ()
