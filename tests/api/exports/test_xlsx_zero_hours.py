"""The overview's hours of a manager on leave all week were blank cells, read as hours
not filled in: they are 0, numbers like every other hours cell."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from api.exports.xlsx import timetable_workbook
from engine.domain import Department, Leave
from engine.policy import Policy
from tests.api.http.support import hand_timetable


def test_a_manager_on_leave_all_week_has_0_hours_not_blanks(department: Department, policy: Policy) -> None:
    week = hand_timetable(department)
    away = department.managers[1].id
    timetable = week.model_copy(update={"blocks": tuple(b for b in week.blocks if b.manager != away)})
    on_leave = department.model_copy(update={"leave": tuple(
        Leave(manager=away, date=timetable.week_start + dt.timedelta(days=day)) for day in range(5))})
    book = openpyxl.load_workbook(io.BytesIO(timetable_workbook(timetable, on_leave, policy, lang="en")))
    rows = [list(row) for row in book["Overview"].iter_rows()]
    top = next(i for i, row in enumerate(rows) if row[0].value == "Manager")
    header = [c.value for c in rows[top] if c.value is not None]
    row = next(r for r in rows[top + 1:] if r[0].value == away)
    hours = row[2:len(header)]
    assert [(c.value, c.data_type) for c in hours] == [(0, "n")] * (len(header) - 2)
    sheet = book[next(n for n in book.sheetnames if n.startswith(away))]
    column_a = [c.value for c in sheet["A"]]
    assert sheet.cell(column_a.index("Total") + 1, 2).value == 0
