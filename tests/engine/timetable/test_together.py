"""Department slots where the most can attend (together.py, model.add_department_blocks):
the tester's dJ put the Friday review at 16:20–17:20 beside m01's leave from 17:00 (15:00
was open) and the sample's site study on m11's Thursday leave, each absence then declared
"not owed". No solve but the last test's: starts read from build_variables."""

from __future__ import annotations

import datetime as dt

from engine.domain import Leave
from engine.policy import parse_clock
from engine.timetable.group_floors import group_model
from engine.timetable.model import build_variables
from engine.timetable.together import SlotChance, starts_where_most_attend
from engine.timetable.week import ManagerWeek
from tests.strategies import WEEK, simple_department

FRIDAY, WEDNESDAY = WEEK + dt.timedelta(days=4), WEEK + dt.timedelta(days=2)


def _leave(manager: str, date: dt.date, start: str | None = None, end: str | None = None) -> Leave:
    if start is None or end is None:
        return Leave(manager=manager, date=date)
    return Leave(manager=manager, date=date, start=parse_clock(start), end=parse_clock(end))


def _clock(slot: int, grid: int) -> str:
    return f"{slot * grid // 60:02d}:{slot * grid % 60:02d}"


def test_the_friday_review_keeps_clear_of_a_leave_at_the_end_of_the_day(policy_15_13_7):
    grid = policy_15_13_7.grid_minutes
    tm = build_variables(simple_department(4, (_leave("m01", FRIDAY, "17:00", "17:30"),)), policy_15_13_7, WEEK)
    starts = [_clock(s, grid) for s in tm.slot_starts[("meeting", 4)]]
    assert starts[0] == "15:00" and starts[-1] == "16:00"  # 60 min, over by 17:00
    untouched = build_variables(simple_department(4), policy_15_13_7, WEEK)
    assert len(untouched.slot_starts[("meeting", 4)]) > len(starts)


def test_the_site_study_goes_on_a_day_everyone_is_in(policy_15_13_7):
    """m02 away all Wednesday: the week's one study may go on any other day, never on his."""
    tm = build_variables(simple_department(4, (_leave("m02", WEDNESDAY),)), policy_15_13_7, WEEK)
    assert tm.slot_starts[("site_study", 2)] == ()
    assert all(tm.slot_starts[("site_study", day)] for day in (0, 1, 3, 4))


def test_leaves_that_cover_the_window_keep_the_starts_that_leave_out_fewest():
    """Two leaves that together cover the window: no start leaves out nobody, and each kept
    start leaves out one manager, never both."""
    managers = {"a": ManagerWeek("a", partial_leave={0: [(15 * 60, 16 * 60)]}),
                "b": ManagerWeek("b", partial_leave={0: [(16 * 60, 17 * 60 + 30)]}),
                "c": ManagerWeek("c")}
    chance = SlotChance("review", 0, range(90, 100), 6)  # 15:00 to 16:30, 60 min, grid 10
    kept = starts_where_most_attend([chance], {}, managers, 10)[("review", 0)]
    assert kept and all(90 <= s < 100 for s in kept)
    assert 90 in kept and 96 in kept  # 15:00 (a out) and 16:00 (b out)
    assert 93 not in kept  # 15:30-16:30 leaves out both


def test_a_weekly_slot_of_two_sessions_keeps_two_days():
    """A weekly kind of up to two sessions keeps as many days as its sessions need, the
    days that leave out fewest first."""
    away = {"a": ManagerWeek("a", whole_day_leave={0, 1, 2}), "b": ManagerWeek("b", whole_day_leave={0, 1})}
    chances = [SlotChance("study", day, range(48, 50), 6) for day in range(4)]
    kept = starts_where_most_attend(chances, {"study": 2}, away, 10)
    assert [day for day in range(4) if kept[("study", day)]] == [2, 3]


def test_a_group_week_keeps_the_departments_starts(policy_15_13_7):
    """A group's week with slots of its own (group_floors.py) may not place them where the
    department may not, nor refuse a start the department may take: its week is a relaxation
    of the department's only then."""
    department = simple_department(4, (_leave("m03", FRIDAY, "17:00", "17:30"),))
    tm = build_variables(department, policy_15_13_7, WEEK)
    sub = group_model(tm, ("m01", "m02"))
    assert sub.slot_starts == tm.slot_starts
    assert len(sub.slot_starts[("meeting", 4)]) < len(build_variables(
        simple_department(4), policy_15_13_7, WEEK).slot_starts[("meeting", 4)])


def test_a_week_with_no_plan_where_most_attend_is_solved_with_the_slots_anywhere(policy_15_13_7, monkeypatch):
    """The cut never leaves a department without a week: a week that has no plan with the
    slots where it keeps them is solved again with them free (solve._slots_anywhere_retry).
    Here the cut is made impossible on purpose (no Monday meeting start at all)."""
    import engine.timetable.model as model
    from engine.timetable.solve import SolveParams, solve_timetable

    monkeypatch.setattr(model, "starts_where_most_attend", lambda *_: {("meeting", 0): ()})
    result = solve_timetable(simple_department(2), policy_15_13_7, WEEK, SolveParams(time_limit_s=5, workers=2))
    assert result.status in ("optimal", "feasible")
    monday = [b for b in result.timetable.blocks if b.kind == "meeting" and b.date == WEEK]
    assert len(monday) == 2
