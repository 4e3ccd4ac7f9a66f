"""The 《周工作时间安排表》 workbook: a department overview, then one sheet per manager
with the week as a grid (days across, time down), as the department's Excel sheet had it."""

from __future__ import annotations

import datetime as dt
import re

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.exports.labels import policy_title, status_label
from api.exports.reasons import duty_gap_reason, shortfall_reason
from api.exports.week import KIND_COLOURS, Lang, WeekView
from api.exports.workbook import SHEET_TITLE_MAX, legal_text, workbook_bytes
from engine.domain import Department, Timetable
from engine.policy import Policy, format_clock

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
TITLE_FONT = Font(size=14, bold=True)
BOLD = Font(bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
AWAY_FILL = PatternFill("lightUp", fgColor="FFBFBFBF", bgColor="FFF2F2F2")
"""Time away (leave, a holiday): hatched grey, apart from every kind's plain fill."""
AWAY_FONT = Font(color="AA3333")
WHOLE_HOURS = "0"
PART_HOURS = "0.0#"
"""Hours shown as the grid's text shows them: 15, 1.5, 29.17."""


def timetable_workbook(
    timetable: Timetable, department: Department, policy: Policy, lang: Lang = "zh"
) -> bytes:
    """The week as an .xlsx file: sheet 1 the department overview (hours per kind per
    manager, each day's blocks, duties, notes), then one grid sheet per manager."""
    view = WeekView(timetable, department, policy, lang)
    workbook = Workbook()
    overview = workbook.active
    overview.title = view.words["overview"]
    _write_overview(overview, view)
    used = {overview.title}
    for manager_id, name in view.managers:
        sheet = workbook.create_sheet(_sheet_name(f"{manager_id} {name}", used))
        _write_manager_sheet(sheet, view, manager_id)
    return workbook_bytes(workbook)


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = SHEET_NAME_FORBIDDEN.sub("_", str(legal_text(wanted))).strip("'")[:SHEET_TITLE_MAX] or "sheet"
    name, number = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({number})"
        name = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    used.add(name)
    return name


def _header(sheet: Worksheet, view: WeekView, title: str, width: int) -> int:
    """Title and the week's particulars; returns the next free row."""
    words = view.words
    sheet.cell(1, 1, legal_text(title)).font = TITLE_FONT
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    particulars = [
        (words["department"], view.department.name),
        (words["market_manager"], view.department.market_manager),
        (words["week"], view.week_label()),
        (words["policy"], policy_title(view.policy, view.lang)),
        (words["status"], status_label(words, view.timetable.status)),
    ]
    for offset, (key, value) in enumerate(particulars):
        sheet.cell(2 + offset, 1, key).font = BOLD
        sheet.cell(2 + offset, 2, legal_text(value))
    return 2 + len(particulars) + 1


def hours_value(minutes: int) -> float:
    """Minutes as hours for a cell Excel can add up (a number, not text); 0 for none, never
    blank: a manager on leave all week read as hours not filled in."""
    return round(minutes / 60, 2)


def _hours_cell(cell: Cell, minutes: int) -> Cell:
    """Put `minutes` in `cell` as a number of hours, formatted without needless zeros."""
    hours = hours_value(minutes)
    cell.value = hours
    cell.number_format = WHOLE_HOURS if hours == int(hours) else PART_HOURS
    return cell


def _boxed(sheet: Worksheet, row: int, column: int, value: object, *, header: bool = False) -> Cell:
    cell = sheet.cell(row, column, legal_text(value))
    cell.border = BOX
    cell.alignment = CENTRE if header else WRAP_TOP
    if header:
        cell.fill = HEADER_FILL
        cell.font = BOLD
    return cell


def _write_overview(sheet: Worksheet, view: WeekView) -> None:
    words = view.words
    kinds = view.kinds()
    row = _header(sheet, view, f"{words['title']} — {words['overview']}", 3 + len(kinds))

    sheet.cell(row, 1, words["hours_by_kind"]).font = BOLD
    row += 1
    headings = [
        words["manager"],
        words["name"],
        *(view.label(kind) for kind in kinds),
        words["total"],
    ]
    for column, heading in enumerate(headings, start=1):
        _boxed(sheet, row, column, heading, header=True)
    for manager_id, name in view.managers:
        row += 1
        minutes = view.minutes_by_kind(manager_id)
        _boxed(sheet, row, 1, manager_id)
        _boxed(sheet, row, 2, name)
        amounts = [*(minutes.get(kind, 0) for kind in kinds), sum(minutes.values())]
        for column, amount in enumerate(amounts, start=3):
            _hours_cell(_boxed(sheet, row, column, None), amount)
    row += 2

    sheet.cell(row, 1, words["schedule"]).font = BOLD
    row += 1
    for column, heading in enumerate(
        [words["manager"], words["name"], *map(view.day_label, view.days)], start=1
    ):
        _boxed(sheet, row, column, heading, header=True)
    for manager_id, name in view.managers:
        row += 1
        _boxed(sheet, row, 1, manager_id)
        _boxed(sheet, row, 2, name)
        for column, day in enumerate(view.days, start=3):
            away = view.absence(manager_id, day)
            lines = [away] if away else []
            lines += [
                " ".join([view.span(block), view.label(block.kind), *view.details(block)])
                for block in view.blocks(manager_id, day)
            ]
            _boxed(sheet, row, column, "\n".join(lines))
        sheet.row_dimensions[row].height = 15 * max(
            1, *(len(view.blocks(manager_id, d)) for d in view.days)
        )
    row += 2

    if view.timetable.duties or view.timetable.unfilled_duties:
        sheet.cell(row, 1, words["duties"]).font = BOLD
        for duty in view.timetable.duties:
            row += 1
            sheet.cell(row, 1, view.duty_label(duty.duty))
            sheet.cell(row, 2, legal_text(f"{view.manager_name(duty.manager)} ({duty.manager})"))
        for gap in view.timetable.unfilled_duties:
            row += 1
            sheet.cell(row, 1, view.duty_label(gap.duty))
            sheet.cell(row, 2, f"{words['duty_unfilled']} {gap.managers_assigned}/{gap.managers_needed}")
            sheet.cell(row, 3, legal_text(duty_gap_reason(view, gap)))
        row += 2
    if view.timetable.shortfalls:
        # What the week lacks, and the daily blocks a leave leaves no room for (not owed).
        sheet.cell(row, 1, words["shortfalls"]).font = BOLD
        row += 1
        for column, heading in enumerate(
            [words["manager"], words["kind"], words["minutes_short"], words["owed_column"], words["reason"]], start=1
        ):
            _boxed(sheet, row, column, heading, header=True)
        for short in view.timetable.shortfalls:
            row += 1
            sheet.cell(row, 1, legal_text(f"{view.manager_name(short.manager)} ({short.manager})"))
            sheet.cell(row, 2, view.label(short.kind))
            sheet.cell(row, 3, short.minutes_short)
            sheet.cell(row, 4, words["not_owed"] if short.not_owed else "")
            sheet.cell(row, 5, legal_text(shortfall_reason(view, short)))
        row += 2
    if view.timetable.conflicts:
        sheet.cell(row, 1, words["notes"]).font = BOLD
        for conflict in view.timetable.conflicts:
            row += 1
            sheet.cell(row, 1, legal_text(conflict.message))

    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 12
    for column in range(3, 3 + max(len(kinds) + 1, len(view.days))):
        sheet.column_dimensions[get_column_letter(column)].width = (
            30 if column - 3 < len(view.days) else 12
        )
    sheet.freeze_panes = None


def _write_manager_sheet(sheet: Worksheet, view: WeekView, manager_id: str) -> None:
    """The manager's week as a grid: one row per slot of the policy's grid, one column per day;
    each block is one merged, coloured cell spanning its slots."""
    words = view.words
    grid = view.policy.grid_minutes
    first, last = view.day_bounds()
    first -= first % grid
    slots = -(-(last - first) // grid)
    title = f"{words['title']} — {view.manager_name(manager_id)} ({manager_id})"
    top = _header(sheet, view, title, 1 + len(view.days))

    _boxed(sheet, top, 1, words["time"], header=True)
    for column, day in enumerate(view.days, start=2):
        away = view.absence(manager_id, day)
        _boxed(sheet, top, column, view.day_label(day) + (f"\n{away}" if away else ""), header=True)
    for slot in range(slots):
        cell = sheet.cell(top + 1 + slot, 1, format_clock(first + slot * grid))
        cell.border = BOX
        cell.font = Font(size=8, color="666666")
    for column, day in enumerate(view.days, start=2):
        taken: set[int] = set()
        for column_slot in range(slots):
            sheet.cell(top + 1 + column_slot, column).border = BOX
        for block in view.blocks(manager_id, day):
            start_slot = max(0, (block.start - first) // grid)
            end_slot = min(slots, max(start_slot + 1, -(-(block.end - first) // grid)))
            rows = set(range(start_slot, end_slot))
            text = str(legal_text("\n".join([view.label(block.kind), view.span(block), *view.details(block)])))
            anchor = sheet.cell(top + 1 + start_slot, column)
            if rows & taken:  # never merge over another block: note it in the cell instead
                anchor.value = f"{anchor.value}\n{text}" if anchor.value else text
                continue
            taken |= rows
            anchor.value = text
            anchor.alignment = CENTRE
            anchor.fill = PatternFill(
                "solid", fgColor="FF" + KIND_COLOURS.get(block.kind, "#FFFFFF").lstrip("#").upper()
            )
            if end_slot - start_slot > 1:
                sheet.merge_cells(
                    start_row=top + 1 + start_slot,
                    start_column=column,
                    end_row=top + end_slot,
                    end_column=column,
                )
        _draw_away(sheet, view, manager_id, day, (top, column, first, slots), taken)

    summary = top + slots + 2
    sheet.cell(summary, 1, words["hours_by_kind"]).font = BOLD
    minutes = view.minutes_by_kind(manager_id)
    for offset, kind in enumerate(view.kinds(), start=1):
        sheet.cell(summary + offset, 1, view.label(kind))
        _hours_cell(sheet.cell(summary + offset, 2), minutes.get(kind, 0))
    total_row = summary + len(view.kinds()) + 1
    sheet.cell(total_row, 1, words["total"]).font = BOLD
    _hours_cell(sheet.cell(total_row, 2), sum(minutes.values())).font = BOLD

    sheet.column_dimensions["A"].width = 12
    for column in range(2, 2 + len(view.days)):
        sheet.column_dimensions[get_column_letter(column)].width = 22
    sheet.freeze_panes = sheet.cell(top + 1, 2)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _draw_away(
    sheet: Worksheet, view: WeekView, manager_id: str, day: dt.date,
    grid_at: tuple[int, int, int, int], taken: set[int],
) -> None:
    """The day's time away in the manager's grid, shaded and named as the page draws it:
    a holiday or a whole-day leave over the whole empty column, a part-day leave over its
    own slots (those no block holds). Named only in the day's head, an hour of leave left
    its cells blank like free time. `grid_at` is the grid's top row, the day's column,
    its first minute and its number of slots."""
    top, column, first, slots = grid_at
    grid = view.policy.grid_minutes
    away = view.absence(manager_id, day)
    if away and not view.blocks(manager_id, day):
        spans = [(0, slots, away)]
    else:
        spans = [
            (max(0, (start - first) // grid), min(slots, -(-(end - first) // grid)), view.leave_label(start, end))
            for start, end in view.leave_hours(manager_id, day)
        ]
    for start_slot, end_slot, text in spans:
        free = [slot for slot in range(start_slot, end_slot) if slot not in taken]
        if not free:
            continue
        runs = [[free[0]]]  # the free slots in unbroken runs: a block inside the leave keeps its cell
        for slot in free[1:]:
            if slot == runs[-1][-1] + 1:
                runs[-1].append(slot)
            else:
                runs.append([slot])
        for run in runs:
            taken.update(run)
            anchor = sheet.cell(top + 1 + run[0], column, str(legal_text(text)))
            anchor.alignment = CENTRE
            anchor.font = AWAY_FONT
            for slot in run:
                sheet.cell(top + 1 + slot, column).fill = AWAY_FILL
            if len(run) > 1:
                sheet.merge_cells(start_row=top + 1 + run[0], start_column=column,
                                  end_row=top + 1 + run[-1], end_column=column)
