"""A visit a manager was to make on the day he falls ill, before he does, loses its day
when the re-plan gives his morning to other work: it is handed over to a neighbour as
his later visits are, and the words say why it left its day (a tester's D8 week: m06's
R06028 at 09:19, sick from 09:35, was listed unplaced as "no other visit day of the
week has room" while neighbours had room)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.handover import _no_time_left_words, _options, _unplaced_words, _Visit
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=("next_days", "neighbour"), neighbour_max_km=5)
# m02's territory centre lies about 1 km from m01's; m03 and m04 far away.
CENTRES = {"m01": (52.0, 13.0), "m02": (52.01, 13.0), "m03": (53.0, 13.0), "m04": (54.0, 13.0)}


def _situation_m01_sick_tuesday_10():
    tuesday = MONDAY + dt.timedelta(days=1)
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": f"{tuesday.isoformat()}T10:00"}])
    return situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13, events)


def test_a_visit_before_he_falls_ill_that_lost_its_day_goes_to_a_neighbour() -> None:
    situation = _situation_m01_sick_tuesday_10()
    dates = situation.dates
    days = {m: dict.fromkeys(dates) for m in MANAGERS}
    visit = _Visit("r-m01-1", "m01", "m01", dates[1], reason="no_room_in_day",
                   detail=_no_time_left_words("m01", dates[1], situation))
    options = _options(visit, situation, RULES, days, CENTRES)  # type: ignore[arg-type]
    # His own day he is in (Monday, today) first, then the neighbour's, its own day first.
    assert options == [("m01", dates[0]), ("m02", dates[1]), ("m02", dates[2]), ("m02", dates[0])]
    assert "m01 is off sick from Tue" in visit.detail


def test_its_words_name_the_hand_over_when_no_neighbour_has_room() -> None:
    visit = _Visit("r-m01-1", "m01", "m01", MONDAY, reason="no_room_in_day",
                   detail="no visit time left on that day after the re-plan")
    words = _unplaced_words(visit, RULES, handed_over=True)
    assert "no other visit day of the week has room" not in words
    assert "a neighbouring territory has room" in words
