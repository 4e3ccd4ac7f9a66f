"""The console's line of blocks not owed names each kind a part-day leave took:
a meeting missed for leave read as more unexplained minutes of 'daily blocks'."""

from __future__ import annotations

from api.commands.timetable import hours_short_line
from engine.domain import HoursShortfall, Timetable
from tests.strategies import WEEK


def test_the_not_owed_line_names_each_kind_with_its_minutes() -> None:
    taken = (HoursShortfall(manager="m02", kind="meeting", minutes_short=20, sessions_short=1, not_owed=True),
             HoursShortfall(manager="m03", kind="admin", minutes_short=30, sessions_short=1, not_owed=True))
    week = Timetable(department="d", policy="p", week_start=WEEK, status="optimal", shortfalls=taken)
    line = hours_short_line(week) or ""
    assert line.startswith("weekly hours short: 0 min · 50 min of blocks not owed")
    assert "admin 30 min, meeting 20 min" in line and "(m02, m03)" in line
