"""Department slots where the most managers can attend: "the whole department together"
(SPEC §2, the meetings and the site study).

A department slot that falls in a manager's leave leaves him out of it; the week then
declares those minutes not owed. That is right only when the leave leaves the slot no
other time: a Friday review put at 16:20–17:20 beside a leave from 17:00, when 15:00–16:00
was open, is a mistake the market manager sees, whatever the week's hours say. So each
department slot may start only where the fewest managers at work miss it for their
leave: the fewest over its own day's window for a slot held every day (the meetings), and
over the whole week for a weekly one (the site study, whose days are then those where
it misses the fewest).

The starts are read from the whole department's week, never from a group's: a group's
week (decompose.py, group_floors.py) then allows every start the department's does, so
it stays a relaxation of the department's week. Pure: no solver here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.timetable.week import ManagerWeek

SlotStarts = dict[tuple[str, int], tuple[int, ...]]
"""(kind, day index) -> the grid slots a department slot of that kind may start at on that
day; an empty tuple: that day may not hold it. A kind not named is not restricted."""


@dataclass(frozen=True)
class SlotChance:
    """Where one department slot could go on one day: its starts and length in grid slots."""

    kind: str
    day: int
    starts: range
    size: int
    """Its longest length: a start clear of every leave for it is clear for any shorter."""


def missed_by(managers: Mapping[str, ManagerWeek], day: int, start: int, size: int, grid: int) -> int:
    """How many managers miss a slot of `size` grid slots starting at `start` on `day` for
    their leave (away all day, or a leave that meets the slot by a minute or more)."""
    missed = 0
    for week in managers.values():
        if not week.works_on(day):
            missed += 1
            continue
        first, last = start * grid, (start + size) * grid
        if any(first < le and ls < last for ls, le in week.partial_leave.get(day, [])):
            missed += 1
    return missed


def starts_where_most_attend(chances: Sequence[SlotChance], weekly: Mapping[str, int],
                             managers: Mapping[str, ManagerWeek], grid: int) -> SlotStarts:
    """The starts each department slot keeps (`SlotStarts`). `weekly`: kind -> the most
    sessions of a weekly kind; its days are those where it misses no more managers than
    on the day ranked that many sessions from the best, so every session still has a day."""
    fewest: dict[tuple[str, int], tuple[int, tuple[int, ...]]] = {}
    for chance in chances:
        missed = {start: missed_by(managers, chance.day, start, chance.size, grid) for start in chance.starts}
        if not missed:
            continue
        least = min(missed.values())
        fewest[(chance.kind, chance.day)] = (least, tuple(s for s, m in missed.items() if m == least))
    starts: SlotStarts = {key: kept for key, (_, kept) in fewest.items()}
    for kind, sessions in weekly.items():
        days = sorted((least, day) for (k, day), (least, _) in fewest.items() if k == kind)
        if len(days) <= sessions:
            continue
        worst_kept = days[sessions - 1][0]
        for least, day in days:
            if least > worst_kept:
                starts[(kind, day)] = ()
    return starts
