"""What the month's tests share (SPEC §3): December 2026 with Christmas off and the
Mondays of its ISO weeks, month limits short enough for a test, and one solved week
moved to other weeks as the month's timetables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from engine.domain import Timetable
from engine.month import MonthParams

DECEMBER = (2026, 12)
CHRISTMAS = dt.date(2026, 12, 25)
MONDAYS = [dt.date(2026, 11, 30) + dt.timedelta(weeks=i) for i in range(5)]
FAST = MonthParams(assign_time_limit_s=1, route_time_limit_s=0.1, rounds=2, workers=2)


def moved_weeks(solved: Timetable, mondays: Iterable[dt.date]) -> dict[dt.date, Timetable]:
    """The solved week moved to the week of each Monday, its blocks on the same weekdays."""
    return {monday: solved.model_copy(update={
        "week_start": monday,
        "blocks": tuple(b.model_copy(update={"date": b.date + (monday - solved.week_start)}) for b in solved.blocks)})
        for monday in mondays}
