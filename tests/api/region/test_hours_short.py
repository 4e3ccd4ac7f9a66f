"""A region's report says the weekly hours each department's timetable declares short
(as `fieldweek plan` does for one department): region.json, region.xlsx and the lines
under the console table. Hand-built results, no solve."""

from __future__ import annotations

import dataclasses
import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.commands.region import month_short_lines, week_short_lines
from api.region.folder import LoadedDepartment
from api.region.month import DepartmentMonth
from api.region.report import (
    MONTH_TOTALS,
    WEEK_TOTALS,
    month_entry,
    month_overview,
    region_document,
    week_entry,
    week_overview,
)
from api.region.tasks import JudgedMonth, JudgedWeek
from api.region.week import DepartmentWeek
from benchmarks.departments import generate_department
from engine.domain import Department, HoursShortfall, Timetable
from engine.month import MonthPlan, WeekSolved
from engine.routing.plan import RoutePlan

WEEK = dt.date(2026, 12, 28)
SHORT = (HoursShortfall(manager="m01", kind="admin", minutes_short=70),
         HoursShortfall(manager="m01", kind="promotion", minutes_short=60),
         HoursShortfall(manager="m02", kind="pos_project", minutes_short=60))


@pytest.fixture(scope="module")
def department() -> Department:
    return generate_department(2, seed=1, retailers_per_manager=2)


def planned_week(department: Department, folder: str, shortfalls: tuple[HoursShortfall, ...]) -> DepartmentWeek:
    timetable = Timetable(department=department.name, policy="15-13-7", week_start=WEEK, status="feasible",
                          shortfalls=shortfalls)
    work = DepartmentWeek(LoadedDepartment(Path(folder), department))
    work.status = "planned"
    work.result = JudgedWeek(timetable, RoutePlan(week_start=WEEK), (), (), (), {})
    return work


def test_a_short_week_is_reported_in_region_json_the_workbook_and_the_console(department: Department) -> None:
    not_owed = HoursShortfall(manager="m02", kind="visit", minutes_short=180, sessions_short=1, not_owed=True)
    works = [planned_week(department, "dept01", (*SHORT, not_owed)), planned_week(department, "dept02", ())]
    entries = [week_entry(work) for work in works]
    assert entries[0]["minutes_short"] == 190 and entries[1]["minutes_short"] == 0
    assert entries[0]["short_by_manager"] == {"m01": {"admin": 70, "promotion": 60}, "m02": {"pos_project": 60}}
    assert entries[0]["executable"]  # declared short hours are information, not a fault
    document = region_document("r", {"week_start": str(WEEK)}, entries, WEEK_TOTALS, 1.0, 2)
    assert document["totals"]["minutes_short"] == 190

    book = load_workbook(BytesIO(week_overview(document, works)))
    rows = [[c.value for c in row] for row in book["departments"].iter_rows()]
    column = rows[0].index("minutes_short")
    assert [row[column] for row in rows[1:]] == [190, 0]
    managers = [[c.value for c in row] for row in book["managers"].iter_rows()]
    short, kinds = managers[0].index("minutes short"), managers[0].index("short of")
    assert [(row[1], row[short], row[kinds]) for row in managers[1:3]] == [
        ("m01", 130, "admin 70, promotion 60"), ("m02", 60, "pos_project 60")]

    proven_whole = planned_week(department, "dept03", ())
    assert proven_whole.result is not None
    proven_whole.result = dataclasses.replace(proven_whole.result, timetable=proven_whole.result.timetable.model_copy(
        update={"hours_short_floor_minutes": 0}))
    works.append(proven_whole)
    entries.append(week_entry(proven_whole))
    lines = week_short_lines(works, entries, Path("out"))
    # A department with nothing short gets no line (its 0 is in the table), proven or not.
    assert len(lines) == 1
    assert "weekly hours short: 190 min" in lines[0] and "m01 130, m02 60" in lines[0]
    assert "out/dept01/timetable.json" in lines[0]


def test_a_short_month_is_reported_per_department_and_week(department: Department) -> None:
    weeks = (WeekSolved(week_start=dt.date(2026, 11, 30), status="feasible", minutes_short=400),
             WeekSolved(week_start=dt.date(2026, 12, 7), status="optimal"))
    work = DepartmentMonth(LoadedDepartment(Path("dept01"), department))
    work.status = "planned"
    work.result = JudgedMonth(MonthPlan(department=department.name, policy="15-13-7", month="2026-12", days=(),
                                        weeks=weeks), ())
    entry = month_entry(work)
    assert entry["minutes_short"] == 400
    assert entry["minutes_short_by_week"] == {"2026-11-30": 400, "2026-12-07": 0}
    document = region_document("r", {"month": "2026-12"}, [entry], MONTH_TOTALS, 1.0, 2)
    assert document["totals"]["minutes_short"] == 400
    rows = [[c.value for c in row] for row in load_workbook(BytesIO(month_overview(document, [work])))["departments"].iter_rows()]
    assert rows[1][rows[0].index("minutes_short")] == 400
    [line] = month_short_lines([entry], Path("out"))
    assert "400 min" in line and "week of 2026-11-30 400" in line and "2026-12-07" not in line
