"""Whether a given timetable still fits the department as loaded now (SPEC §5).

A timetable is planned against the calendar and leave of its day; holidays.csv or
leave.csv edited afterwards make it stale: it may hold blocks on a day that is now a
holiday, or for a manager now on leave, and lack a make-up working day. Routes drawn
from it would send managers to retailers on those days, so the routes' callers (the
CLI and the HTTP service) refuse such a timetable and ask for it to be planned again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from engine.domain import Block, Department, Timetable
from engine.errors import Problem
from engine.policy import Policy, format_clock
from engine.work_calendar import WorkCalendar

SHOWN_DAYS = 12
"""Manager-days named per kind of misfit before the rest are only counted (keeps the table readable)."""
REPLAN = ("the timetable was planned before holidays.csv or leave.csv changed; plan it again "
          "(`fieldweek timetable`)")


def timetable_misfits(timetable: Timetable, department: Department, policy: Policy,
                      file: str | None = None) -> list[Problem]:
    """Every way `timetable` disagrees with the department's calendar and leave as
    loaded now: blocks on a holiday or non-working day, blocks overlapping their
    manager's leave, and working days (a make-up day) the timetable has no block on.
    Empty when it fits. Each problem names the blocks (manager, date, why) and says to
    plan the timetable again."""
    calendar = WorkCalendar(department, policy)
    on_day_off = [b for b in timetable.blocks if not calendar.is_working_day(b.date)]
    during_leave = [b for b in timetable.blocks if _leave_overlapping(b, department)]
    problems = []
    if on_day_off:
        problems += _problems(on_day_off, lambda b: _day_off_why(calendar, b), file)
    if during_leave:
        problems += _problems(during_leave, lambda b: f"{b.manager} is on leave "
                                 f"{_leave_when(b, department)}", file)
    problems += _uncovered_working_days(timetable, department, calendar, file)
    problems += _excused_for_leave_taken_back(timetable, department, file)
    return problems


def _excused_for_leave_taken_back(timetable: Timetable, department: Department,
                                  file: str | None) -> list[Problem]:
    """Blocks the timetable declares not owed for a leave the manager no longer has that
    day (leave.csv edited since): he is at work and owes them again. Any leave that day
    explains them: a part-day leave excuses the blocks it leaves no room for, and a
    whole-day leave the week's site study held that day (he works other days)."""
    on_leave = {(e.manager, e.date) for e in department.leave}
    stale = sorted({(s.manager, s.date) for s in timetable.shortfalls
                    if s.not_owed and s.date is not None and (s.manager, s.date) not in on_leave})
    return [Problem(f"{manager} {date:%a} {date}: the timetable excuses blocks of his for a leave "
                    f"he no longer has that day in the department as loaded now: {REPLAN}",
                    file=file, column="shortfalls")
            for manager, date in stale[:SHOWN_DAYS]]


def _leave_overlapping(block: Block, department: Department) -> bool:
    return any(_overlaps(block, entry.start, entry.end) for entry in department.leave
               if entry.manager == block.manager and entry.date == block.date)


def _overlaps(block: Block, start: int | None, end: int | None) -> bool:
    """A leave without times is the whole day."""
    if start is None or end is None:
        return True
    return block.start < end and start < block.end


def _leave_when(block: Block, department: Department) -> str:
    spans = [entry for entry in department.leave if entry.manager == block.manager and entry.date == block.date]
    if any(e.start is None or e.end is None for e in spans):
        return "all day"
    return ", ".join(f"{format_clock(e.start)}–{format_clock(e.end)}" for e in spans
                     if e.start is not None and e.end is not None)


def _day_off_why(calendar: WorkCalendar, block: Block) -> str:
    if calendar.is_holiday(block.date):
        said = calendar.department.calendar_day(block.date)
        name = f" ({said.name})" if said is not None and said.name else ""
        return f"{block.date} is a holiday{name}"
    return f"{block.date} ({block.date:%a}) is not a working day"


def _problems(blocks: list[Block], why: Callable[[Block], str], file: str | None) -> list[Problem]:
    """A problem per manager and date holding misfit blocks (the first `SHOWN_DAYS`,
    then one counting the rest), each saying to plan the timetable again."""
    grouped: dict[tuple[str, dt.date], list[Block]] = defaultdict(list)
    for block in sorted(blocks, key=lambda b: (b.manager, b.date, b.start)):
        grouped[(block.manager, block.date)].append(block)
    problems = [Problem(f"{manager} {date:%a} {date}: the timetable has {len(day)} block(s) "
                        f"({', '.join(f'{b.kind} {format_clock(b.start)}' for b in day[:3])}"
                        f"{' …' if len(day) > 3 else ''}) but {why(day[0])} in the department as "
                        f"loaded now: {REPLAN}", file=file, column="blocks")
                for (manager, date), day in list(grouped.items())[:SHOWN_DAYS]]
    if len(grouped) > SHOWN_DAYS:
        problems.append(Problem(f"and {len(grouped) - SHOWN_DAYS} more manager-day(s) like these: "
                                f"{REPLAN}", file=file, column="blocks"))
    return problems


def _uncovered_working_days(timetable: Timetable, department: Department, calendar: WorkCalendar,
                            file: str | None) -> list[Problem]:
    """Make-up working days (调休, in holidays.csv) without any block although some manager
    is at work: the timetable was planned before they were made working days. (Only
    those: a timetable written by hand may leave ordinary days out.)"""
    planned = {b.date for b in timetable.blocks}
    whole_day_off = {(e.manager, e.date) for e in department.leave if e.start is None}
    missing = [date for date, _ in calendar.working_days(timetable.week_start)
               if date not in planned and _is_makeup_day(department, date)
               and any((m.id, date) not in whole_day_off for m in department.managers)]
    if not missing or not timetable.blocks:
        return []
    days = ", ".join(f"{d:%a} {d}" for d in missing)
    return [Problem(f"the timetable has no block on {days}, a make-up working day in the department's "
                    f"calendar as loaded now: {REPLAN}", file=file, column="blocks")]



def _is_makeup_day(department: Department, date: dt.date) -> bool:
    said = department.calendar_day(date)
    return said is not None and said.kind == "workday"
