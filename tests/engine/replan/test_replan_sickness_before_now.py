"""A sickness given as begun before `now` changes the week's past: the work planned for
him from then until `now` was not done, so the re-plan drops it. It used to do so without
a word (tester d563: m06 ill since Monday 08:00, re-planned on Wednesday, lost three
days of blocks and his partners' past sessions lost his name, exit 0, no note): the
notes now say when he fell ill, that it was before now, how many blocks it took, and
that what really happened is for the actuals."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events, replan
from engine.timetable.solve import SolveParams
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
NOW = dt.datetime.combine(TUESDAY, dt.time(13, 0))
RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
POLICY = TEST_POLICY.model_copy(update={"replan": RULES})


def notes_when_ill_from(start: dt.datetime, about: str = "m01 off sick") -> list[str]:
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": start.isoformat(),
                           "until": TUESDAY.isoformat()}])
    result = replan(make_department(MANAGERS), POLICY, Timetable.model_validate(week()), NOW, events, None,
                    SolveParams(time_limit_s=2, workers=2))
    assert result.status in ("optimal", "feasible")
    return [n for n in result.notes if n.startswith(about)]


def test_a_sickness_since_monday_is_said_to_change_the_past() -> None:
    monday_08 = dt.datetime.combine(MONDAY, dt.time(8, 0))
    planned = [b for b in week()["blocks"] if b["manager"] == "m01"
               and (b["date"], b["start"]) < (TUESDAY.isoformat(), "13:00")]
    assert len(planned) > 5
    [note] = notes_when_ill_from(monday_08)
    assert f"m01 off sick from Mon {MONDAY} 08:00, before now (Tue {TUESDAY} 13:00)" in note
    assert f"drops the {len(planned)} block(s) planned for him from then until now" in note
    assert "the sessions he shared then stand as held without him" in note
    assert "record what really happened before now in actuals" in note
    # one who falls ill at now changes no past: nothing to say
    assert notes_when_ill_from(NOW) == []


def test_his_paired_session_after_he_is_back_is_said_dropped_for_the_sickness() -> None:
    """Ill Monday and Tuesday of a three-day week, m01 is present below the policy's
    share to be paired: his Wednesday promotion is dropped for that (the note said "the
    block does not fit the policy's week", as if the plan were wrong)."""
    [note] = notes_when_ill_from(dt.datetime.combine(MONDAY, dt.time(8, 0)), about="m01 promotion")
    assert note.startswith(f"m01 promotion {TUESDAY + dt.timedelta(days=1)} 13:10: dropped: off sick from "
                           f"Mon {MONDAY} 08:00 until {TUESDAY}")
    assert "present less than the policy's share of the week to be paired (60%)" in note
    assert "does not fit" not in note
