"""The timetable summary every command prints: duties left unfilled are said, with why;
and the limits the timetable and plan commands solve with."""

from __future__ import annotations

import datetime as dt

from api.commands.console import console
from api.commands.timetable import render_summary, timetable_limits
from engine.budget import DEFAULT_TIMETABLE_S, EXTENDED_TIMETABLE_S
from engine.domain import DutyGap, Timetable
from engine.timetable.solve import TimetableResult


def test_an_unfilled_duty_is_printed_and_in_the_json(policy_15_13_7):
    gap = DutyGap(duty="image_showcase", managers_needed=2, managers_assigned=0,
                  reason="no manager has the skill 'showcase'; give it to managers in managers.csv, column skills")
    tt = Timetable(department="d", policy="15-13-7", week_start=dt.date(2026, 11, 30), status="feasible",
                   objective=1.0, best_bound=1.0, unfilled_duties=(gap,))
    with console.capture() as captured:
        render_summary(TimetableResult(tt), policy_15_13_7)
    text = " ".join(captured.get().split())
    assert ("duty unfilled: image_showcase (终端形象展示 / Terminal image showcase) needs 2 manager(s), "
            "0 assigned — no manager has the skill 'showcase'") in text
    assert tt.to_json_dict()["unfilled_duties"] == [
        {"duty": "image_showcase", "managers_needed": 2, "managers_assigned": 0, "reason": gap.reason}]


def test_a_named_limit_is_kept_to_and_none_named_is_extended() -> None:
    """`--time-limit` given: that limit and no second search; not given: the default, and
    a week short of hours no proof forces is searched again with the longer limit."""
    assert timetable_limits(7.0) == (7.0, None)
    assert timetable_limits(None) == (DEFAULT_TIMETABLE_S, EXTENDED_TIMETABLE_S)
