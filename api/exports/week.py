"""A solved week seen the way the exports show it: days, each manager's blocks by day,
labels in Chinese or English, and hours per kind. Presentation only; no planning."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from api.exports.labels import WEEKDAY_NAMES, WORDS, Lang
from engine.domain import Block, Department, Retailer, Timetable
from engine.policy import KIND_ORDER, WEEKDAYS, Policy, format_clock
from engine.work_calendar import WorkCalendar

KIND_COLOURS: dict[str, str] = {
    "visit": "#b7e1cd",
    "maintenance": "#fcd5b4",
    "site_study": "#d9c3e9",
    "promotion": "#f4c7c3",
    "pos_project": "#fff2a8",
    "phone": "#c9daf8",
    "meeting": "#d9d9d9",
    "admin": "#dce9f5",
    "lunch": "#f3f3f3",
}
"""Light fills that stay readable when printed in grey."""

LIST_SEPARATOR: dict[Lang, str] = {"zh": "、", "en": ", "}


@dataclass
class WeekView:
    """One solved week of a department, arranged for display."""

    timetable: Timetable
    department: Department
    policy: Policy
    lang: Lang = "zh"
    days: list[dt.date] = field(init=False)
    _blocks: dict[tuple[str, dt.date], list[Block]] = field(init=False)
    _retailers: dict[str, Retailer] = field(init=False)

    def __post_init__(self) -> None:
        monday = self.timetable.week_start
        working = [
            monday + dt.timedelta(days=WEEKDAYS.index(day)) for day in self.policy.working_days
        ]
        self.days = sorted(set(working) | {block.date for block in self.timetable.blocks})
        self._blocks = defaultdict(list)
        for block in sorted(self.timetable.blocks, key=lambda b: (b.manager, b.date, b.start)):
            self._blocks[(block.manager, block.date)].append(block)
        self._retailers = {retailer.id: retailer for retailer in self.department.retailers}

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.lang]

    def absence(self, manager_id: str, day: dt.date) -> str | None:
        """What keeps the manager from work that day, for the grid: the department's holiday,
        or his leave (the whole day, or its hours); None on an ordinary day. A blank cell
        said nothing about why a day is empty."""
        if WorkCalendar(self.department, self.policy).is_holiday(day):
            return self.words["holiday"]
        spans = [leave for leave in self.department.leave if leave.manager == manager_id and leave.date == day]
        if not spans:
            return None
        if any(leave.start is None for leave in spans):
            return self.words["on_leave"]
        hours = self.listed(f"{format_clock(leave.start)}–{format_clock(leave.end)}" for leave in spans
                            if leave.start is not None and leave.end is not None)
        return f"{self.words['on_leave']} {hours}"

    def leave_hours(self, manager_id: str, day: dt.date) -> list[tuple[int, int]]:
        """The manager's part-day leave that day as (start, end) minutes, in time order, for
        the grid to draw in its cells as it draws a whole day away: named only in the
        day's head, an hour of leave left its cells blank like free time."""
        return sorted((leave.start, leave.end) for leave in self.department.leave
                      if leave.manager == manager_id and leave.date == day
                      and leave.start is not None and leave.end is not None)

    def leave_label(self, start: int, end: int) -> str:
        """'请假 10:00–11:00' / 'Leave 10:00–11:00': what a part-day leave's cells say."""
        return f"{self.words['on_leave']} {format_clock(start)}–{format_clock(end)}"

    def listed(self, items: Iterable[str]) -> str:
        """Items one after another as the view's language lists them: 'a、b' in Chinese (an
        ASCII comma in Chinese text reads as a typing slip), 'a, b' in English."""
        return LIST_SEPARATOR[self.lang].join(items)

    @property
    def managers(self) -> list[tuple[str, str]]:
        """(id, name) of every manager on the timetable, in the department's order."""
        names = {m.id: m.name for m in self.department.managers}
        for ref in self.timetable.managers:
            names.setdefault(ref.id, ref.name)
        return list(names.items())

    def manager_name(self, manager_id: str) -> str:
        return dict(self.managers).get(manager_id, manager_id)

    def retailer(self, retailer_id: str | None) -> Retailer | None:
        return self._retailers.get(retailer_id) if retailer_id else None

    def blocks(self, manager_id: str, day: dt.date) -> list[Block]:
        return self._blocks.get((manager_id, day), [])

    def manager_blocks(self, manager_id: str) -> list[Block]:
        return [block for day in self.days for block in self.blocks(manager_id, day)]

    def label(self, kind: str) -> str:
        return self.policy.kind_label(kind, self.lang)

    def day_label(self, day: dt.date) -> str:
        return f"{WEEKDAY_NAMES[self.lang][day.weekday()]} {day:%m-%d}"

    def week_label(self) -> str:
        return f"{self.days[0]} — {self.days[-1]}" if self.days else str(self.timetable.week_start)

    def span(self, block: Block) -> str:
        return f"{format_clock(block.start)}–{format_clock(block.end)}"

    def details(self, block: Block) -> list[str]:
        """What else a block says besides its kind: where, and with whom."""
        lines = []
        retailer = self.retailer(block.retailer)
        if retailer is not None:
            lines.append(f"{self.words['at']} {retailer.name}")
        elif block.retailer:
            lines.append(f"{self.words['at']} {block.retailer}")
        department_wide = (
            self.policy.kinds.get(block.kind)
            and self.policy.kinds[block.kind].group == "department"
        )
        if block.with_ and not department_wide:
            lines.append(
                f"{self.words['with']} " + "、".join(self.manager_name(m) for m in block.with_)
            )
        return lines

    def kinds(self) -> list[str]:
        """Block kinds in the policy's order (lunch is not working time and is left out)."""
        present = {block.kind for block in self.timetable.blocks} | set(self.policy.kinds)
        return [kind for kind in KIND_ORDER if kind in present]

    def minutes_by_kind(self, manager_id: str) -> dict[str, int]:
        minutes: dict[str, int] = defaultdict(int)
        for block in self.manager_blocks(manager_id):
            if block.kind != "lunch":
                minutes[block.kind] += block.end - block.start
        return dict(minutes)

    def day_bounds(self) -> tuple[int, int]:
        """First and last minute any grid must show: the policy's day, widened to fit every block."""
        starts = [block.start for block in self.timetable.blocks] + [self.policy.day.start]
        ends = [block.end for block in self.timetable.blocks] + [self.policy.day.end]
        return min(starts), max(ends)

    def duty_label(self, duty: str) -> str:
        for rule in self.policy.duties:
            if rule.name == duty:
                return rule.label_zh if self.lang == "zh" else rule.label_en
        return duty


def hours_text(minutes: int) -> str:
    """Minutes as hours for a table cell: 180 -> '3', 90 -> '1.5', 0 -> ''."""
    if not minutes:
        return ""
    hours = minutes / 60
    return f"{hours:g}" if hours * 4 == int(hours * 4) else f"{hours:.2f}"
