"""An outside tester found a part-day leave (m03 Wed 10:00–11:00) named only in the day's
head of the workbook's manager sheet and of the printed page: its cells were blank and
unshaded, like free time. The leave's cells say 请假 / Leave with its hours, shaded as a
day away is; the workbook draws a whole day away in its column too."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from api.exports.html import timetable_page
from api.exports.labels import WORDS, Lang
from api.exports.xlsx import timetable_workbook
from engine.domain import Block, Department, Leave, Timetable
from engine.policy import Policy
from tests.api.http.support import WEEK, hand_timetable

TUESDAY, THURSDAY = WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=3)


@pytest.fixture(scope="module")
def week(department: Department) -> tuple[Timetable, Department]:
    """m01 on leave Tuesday 10:00–11:00 (between his POS hour and his phone block) and
    Thursday 13:00–18:00 (past the day's end, after his visits); m02 away all Thursday."""
    away = department.model_copy(update={"leave": (
        Leave(manager="m01", date=TUESDAY, start=600, end=660),
        Leave(manager="m01", date=THURSDAY, start=780, end=1080),
        Leave(manager="m02", date=THURSDAY),
    )})
    timetable = hand_timetable(away)
    visits = Block(manager="m01", date=THURSDAY, kind="visit", start=540, end=720)
    return timetable.model_copy(update={"blocks": (*timetable.blocks, visits)}), away


def _section(page: str, manager: str) -> str:
    start = page.index(f'data-manager="{manager}">')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_draws_a_part_day_leave_in_its_cells(
    week: tuple[Timetable, Department], policy: Policy, lang: Lang
) -> None:
    timetable, department = week
    leave = WORDS[lang]["on_leave"]
    m01 = _section(timetable_page(timetable, department, policy, lang), "m01")
    # Tuesday is the grid's 3rd column; 10:00 is slot 12 of a grid from 08:00 by 10 min (row 14)
    assert re.search(rf'<div class="leave" data-date="{TUESDAY}" data-start="10:00" data-end="11:00" '
                     rf'style="grid-column:3;grid-row:14 / 20">{leave} 10:00–11:00</div>', m01)
    # a leave past the day's end stops at the grid's last row (17:30: row 59)
    assert re.search(rf'<div class="leave" data-date="{THURSDAY}" data-start="13:00" data-end="18:00" '
                     rf'style="grid-column:5;grid-row:32 / 59">', m01)


def _sheet(timetable: Timetable, department: Department, policy: Policy, lang: Lang, manager: str) -> Worksheet:
    book = load_workbook(io.BytesIO(timetable_workbook(timetable, department, policy, lang)))
    return next(sheet for sheet in book.worksheets if sheet.title.startswith(manager))


def _grid(sheet: Worksheet) -> tuple[int, dict[str, int]]:
    """The row of 08:00 and the column of each day (by its 'mm-dd')."""
    head = next(row for row in sheet.iter_rows() if row[0].value in ("时间", "Time"))
    return head[0].row + 1, {str(c.value).split("\n")[0][-5:]: c.column for c in head[1:] if c.value}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_draws_a_part_day_leave_in_its_cells(
    week: tuple[Timetable, Department], policy: Policy, lang: Lang
) -> None:
    timetable, department = week
    leave = WORDS[lang]["on_leave"]
    sheet = _sheet(timetable, department, policy, lang, "m01")
    first, columns = _grid(sheet)
    tuesday = columns[f"{TUESDAY:%m-%d}"]
    anchor = sheet.cell(first + 12, tuesday)  # 10:00
    assert anchor.value == f"{leave} 10:00–11:00"
    assert anchor.fill.fill_type is not None
    merged = {str(r) for r in sheet.merged_cells.ranges}
    column = anchor.column_letter
    assert f"{column}{first + 12}:{column}{first + 17}" in merged  # 10:00 to the 10:50 slot
    assert sheet.cell(first + 11, tuesday).value is None and sheet.cell(first + 18, tuesday).value is None


def test_the_workbook_draws_a_whole_day_away_in_its_column(
    week: tuple[Timetable, Department], policy: Policy
) -> None:
    timetable, department = week
    sheet = _sheet(timetable, department, policy, "zh", "m02")
    first, columns = _grid(sheet)
    anchor = sheet.cell(first, columns[f"{THURSDAY:%m-%d}"])
    assert anchor.value == "请假" and anchor.fill.fill_type is not None
    assert any(r.min_row == first and r.min_col == anchor.column and r.max_row > first + 40
               for r in sheet.merged_cells.ranges)
