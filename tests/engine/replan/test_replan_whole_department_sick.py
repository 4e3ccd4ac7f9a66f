"""The whole department off sick: a department slot nobody can come to is not owed
(the re-plan's model holds the week, the checker does not ask for the slot), and the
re-plan says that everybody is away."""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.model import build_replan_model
from engine.replan.situation import Situation, situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days",), neighbour_max_km=5)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def _all_sick(ill: dt.datetime, now: dt.datetime) -> Situation:
    events = read_events([{"type": "manager_sick", "manager": m, "from": ill.isoformat()} for m in MANAGERS])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), now, events)


def test_a_week_with_everybody_away_from_monday_is_an_empty_plan() -> None:
    """Monday's meeting was not held (all fell ill at 08:00): the model kept owing it
    and found no week."""
    situation = _all_sick(dt.datetime.combine(MONDAY, dt.time(8, 0)),
                          dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(13, 0)))
    model = build_replan_model(situation, RULES)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 2
    assert solver.solve(model.tm.cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert not model.tm.attendance or not any(
        solver.boolean_value(v.present_literal(model.tm.cp)) for v in model.tm.attendance.values())
    assert situation.everyone_off is not None and situation.everyone_off.since == f"Mon {MONDAY} 08:00"


def test_no_site_study_is_owed_when_nobody_can_still_come() -> None:
    """All fall ill on the week's last day at 14:00; at 13:20 each is in a session that
    runs until then: nobody can come to a site study any more."""
    ill, now = dt.datetime.combine(WEDNESDAY, dt.time(14, 0)), dt.datetime.combine(WEDNESDAY, dt.time(13, 20))
    after = _all_sick(ill, now).timetable.model_dump(mode="json", by_alias=True)
    after["blocks"] = [b for b in after["blocks"] if not (b["date"] == WEDNESDAY.isoformat() and b["start"] >= "13:20")]
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, now,
                           [Sickness(m, ill) for m in MANAGERS])
    assert verdict.violations == []
