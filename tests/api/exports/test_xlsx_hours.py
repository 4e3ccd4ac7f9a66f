"""The workbook's hours are numbers Excel can add up (they were text: SUM gave 0)."""

from __future__ import annotations

import io

import openpyxl

from api.exports.xlsx import timetable_workbook
from engine.domain import Department, HoursShortfall
from engine.policy import Policy
from tests.api.http.support import hand_timetable


def test_hours_are_numbers_in_the_overview_and_each_manager_sheet(
    department: Department, policy: Policy
) -> None:
    """m01's hand-typed week: 40 min meeting, 3 h visits, 2 h maintenance, 1 h POS, 30 min phone."""
    book = openpyxl.load_workbook(
        io.BytesIO(timetable_workbook(hand_timetable(department), department, policy, lang="en"))
    )
    overview = book["Overview"]
    header = next(
        [c.value for c in row] for row in overview.iter_rows() if row[0].value == "Manager"
    )
    m01 = next(
        row for row in overview.iter_rows() if row[0].value == "m01" and row[len(header) - 1].value
    )
    total = m01[header.index("Total")]
    assert total.data_type == "n" and total.value == round(430 / 60, 2)
    assert total.number_format == "0.0#"
    visits = m01[header.index("Individual visits")]
    assert (visits.data_type, visits.value, visits.number_format) == ("n", 3, "0")
    assert m01[header.index("Department meeting")].value == 0.67
    sheet = book[next(n for n in book.sheetnames if n.startswith("m01"))]
    column_a = [c.value for c in sheet["A"]]
    first_row, total_row = column_a.index("Hours per week") + 2, column_a.index("Total") + 1
    hours = [sheet.cell(r, 2) for r in range(first_row, total_row + 1)]
    numbers = [c.value for c in hours if c.value is not None]
    assert all(c.data_type == "n" for c in hours if c.value is not None)
    assert sheet.cell(total_row, 2).value == round(430 / 60, 2)
    assert round(sum(numbers[:-1]), 2) == numbers[-1]


def test_leave_and_holidays_are_written_in_the_grid(department: Department, policy: Policy) -> None:
    """An empty cell said nothing of why a day is empty (an outside tester's find): a
    holiday, a whole day's leave and a part-day leave are named in the overview's schedule
    and in the manager's day header."""
    import datetime as dt

    from engine.domain import CalendarDay, Leave

    timetable = hand_timetable(department)
    monday = timetable.week_start
    m1, m2 = department.managers[0].id, department.managers[1].id
    away = department.model_copy(update={
        "leave": (Leave(manager=m2, date=monday + dt.timedelta(days=2)),
                  Leave(manager=m1, date=monday + dt.timedelta(days=3), start=600, end=720)),
        "calendar_days": (CalendarDay(date=monday + dt.timedelta(days=4), kind="holiday"),)})
    book = openpyxl.load_workbook(io.BytesIO(timetable_workbook(timetable, away, policy, lang="en")))
    cells = [str(c.value) for row in book["Overview"].iter_rows() for c in row if c.value]
    assert sum(c == "Leave" for c in cells) == 1 and "Leave 10:00–12:00" in cells
    assert sum(c == "Holiday" for c in cells) == len(department.managers)
    sheets = [s for s in book.sheetnames if m1 in s]
    headers = [str(c.value) for c in book[sheets[0]][next(
        r for r in range(1, 12) if "Holiday" in str(book[sheets[0]].cell(r, 6).value))]]
    assert any(h.endswith("Leave 10:00–12:00") for h in headers)


def test_the_overview_lists_the_weeks_shortfalls_and_what_the_leave_makes_not_owed(
    department: Department, policy: Policy
) -> None:
    """The weekly sheet showed no shortfall at all: a manager short of hours, or missing a
    block for his leave, saw nothing of it on paper."""
    week = hand_timetable(department).model_copy(update={"shortfalls": (
        HoursShortfall(manager="m01", kind="promotion", minutes_short=90, reason="the rides"),
        HoursShortfall(manager="m01", kind="visit", minutes_short=180, not_owed=True, reason="his leave"))})
    overview = openpyxl.load_workbook(io.BytesIO(timetable_workbook(week, department, policy, lang="en")))["Overview"]
    rows = [[c.value for c in row] for row in overview.iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "Hours short")
    listed = [row[1:5] for row in rows[start + 2:start + 4]]
    assert listed == [["In-store promotion (pairs)", 90, None, "the rides"],
                      ["Individual visits", 180, "not owed that day (leave)", "his leave"]]
