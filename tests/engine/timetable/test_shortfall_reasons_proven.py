"""A week whose search did not prove its shortfall (shortfalls.not_proven) keeps the
reason of what the data alone force on every week: the opening hours of every store a
manager could share leave no room for his promotion (the tester's promo_win: stores closing
as the window opens), so those minutes are proven, and only what exceeds them says more
time may find a week that keeps it. Cheap: no search, the model's places only."""

from __future__ import annotations

from engine.domain import Department, HoursShortfall
from engine.policy import Policy
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import NOT_PROVEN, not_proven, short_weeks_allowed
from tests.strategies import WEEK, simple_department


def _stores_open_from(department: Department, opens: int) -> Department:
    """Every promotion store of the department opening only at `opens`."""
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"opens": opens}) if r.promo_store else r for r in department.retailers)})


def _short(manager: str, kind: str, minutes: int, sessions: int) -> HoursShortfall:
    return HoursShortfall(manager=manager, kind=kind, minutes_short=minutes, sessions_short=sessions,
                          reason="the rides between his places leave no room for it")


def test_hours_no_store_keeps_open_in_the_window_stay_the_reason_of_an_unproven_week(
        policy_15_13_7: Policy) -> None:
    """Stores open from 16:00 hold no promotion session before the window's end: the
    whole promotion short is the opening hours', proven; a kind they do not touch is not."""
    tm = build_variables(_stores_open_from(simple_department(2), 16 * 60), policy_15_13_7, WEEK)
    short_weeks_allowed(tm)
    quota = tm.frame.managers["m01"].quotas["promotion"]
    promotion, pos = not_proven(tm, [_short("m01", "promotion", quota.total_minutes, quota.sessions_min),
                                     _short("m01", "pos_project", 60, 1)])
    assert promotion.reason.startswith("the opening hours of "), promotion.reason
    assert f"leave room for 0 of the {quota.sessions_min} sessions" in promotion.reason
    assert NOT_PROVEN not in promotion.reason and "rides" not in promotion.reason
    assert pos.reason == NOT_PROVEN


def test_only_what_exceeds_the_hours_is_not_proven(policy_15_13_7: Policy) -> None:
    """Stores open from 15:30 hold 90 min a day, at most 3 sessions: 270 of the 300-min
    promotion. 30 min short is the hours' alone; 300 min short is 30 proven and the rest not."""
    tm = build_variables(_stores_open_from(simple_department(2), 15 * 60 + 30), policy_15_13_7, WEEK)
    short_weeks_allowed(tm)
    quota = tm.frame.managers["m01"].quotas["promotion"]
    held = quota.total_minutes - 30
    within, beyond = not_proven(tm, [_short("m01", "promotion", 30, 0),
                                     _short("m01", "promotion", quota.total_minutes, quota.sessions_min)])
    assert within.reason.startswith("the opening hours of "), within.reason
    assert f"{held} of the {quota.total_minutes} min" in within.reason
    assert NOT_PROVEN not in within.reason
    assert beyond.reason == f"{within.reason}; beyond that, {NOT_PROVEN}"
