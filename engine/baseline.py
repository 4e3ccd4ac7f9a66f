"""The hand-made baseline: the week a market manager plans in Excel today (SPEC §1, §6).

A fixed weekly template, the same slots every week for everyone: the department
blocks at the first time their window allows, then each manager's daily blocks at
the earliest time that fits, then the weekly sessions dealt out over the week in a
fixed rotation of days, each at the earliest time that fits. Pairs are formed by
list order (m01+m02, m03+m04, …; the last three form the trio when the head-count
is odd). Leave is handled as a market manager does: the blocks that would fall in
it move to the next time that fits or are dropped, and single quotas are prorated
as the policy says. No objective is consulted: that is what makes it the yardstick.

Everything comes from the policy's windows and quotas; nothing here knows "09:30"
or "3 h". When the template cannot give a valid week for an input, the builder
raises `BaselineImpossible` naming why, instead of returning a broken plan.

Places and rides (SPEC §3, §6): every block is held where the solver's venues put it
(engine/timetable/venues.py: the visit block in the manager's due area, office kinds at
the office, paired sessions at the group's store, POS sessions at the week's households),
and between two consecutive blocks of a day the gap, less lunch, holds the ride between
their places. Each kind keeps its window for that weekday (`kind_window`: the Friday
review, the policy's end of field work), lunch and the daily report slot (`min_per_day`)
are kept room for, and holidays and make-up days come from the week's frame. Where the
rides leave no room for a weekly quota (far countryside managers), the week holds what it
can and declares the rest in `Timetable.shortfalls`; a daily block, lunch or the daily
report slot that cannot be held is a refusal with its reason.

The visit routes of the baseline are nearest-neighbour tours, in territory order with
the key customers first, inside each day's visit block (`baseline_routes`); a lunch on the
road is taken between stops or after the last, and no ride runs through it.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise, permutations
from typing import cast

from engine.domain import Block, Department, HoursShortfall, ManagerRef, Retailer, Timetable
from engine.policy import WEEKDAYS, KindRule, Policy, Weekday, format_clock
from engine.quality import timetable_objective
from engine.routing.approach import (
    VISIT_KIND,
    approach_minutes,
    back_from_leave,
    first_stop_time,
    manager_approach,
    shortest_useful_block,
)
from engine.routing.daily import lunch_minutes_between, part_day_leave
from engine.routing.due import visits_in_week
from engine.routing.matrix import straight_line_matrix
from engine.routing.neighbours import away_all_week, neighbours, why_no_hand_over
from engine.timetable.duties import on_leave_all_week, staff_duties
from engine.timetable.model import (
    daily_window,
    fixed_department_slots,
    kind_window,
    room_beside,
    room_window,
)
from engine.timetable.venues import OFFICE, Venue, Venues, week_venues
from engine.timetable.week import Quota, WeekFrame, build_week
from engine.work_calendar import WorkCalendar


class BaselineImpossible(ValueError):
    """The fixed template cannot give a valid week for this department and policy."""

    def __init__(self, reasons: Sequence[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class _Placed:
    manager: str
    date: dt.date
    kind: str
    start: int
    end: int
    with_: tuple[str, ...] = ()
    retailer: str | None = None


@dataclass
class _Week:
    """The week being filled: every manager's blocks per day, and the leave around them."""

    department: Department
    policy: Policy
    frame: WeekFrame
    dates: list[dt.date] = field(default_factory=list)
    weekdays: dict[dt.date, Weekday] = field(default_factory=dict)
    leave: dict[tuple[str, dt.date], list[tuple[int, int]]] = field(default_factory=dict)
    blocks: dict[tuple[str, dt.date], list[_Placed]] = field(default_factory=lambda: defaultdict(list))
    venues: Venues = field(init=False)
    retailers: dict[str, Retailer] = field(init=False)
    approach: dict[str, int] = field(init=False)  # the ride from the office to the nearest due retailer
    shortfalls: list[HoursShortfall] = field(default_factory=list)

    @property
    def managers(self) -> list[str]:
        return [m.id for m in self.department.managers]

    def first_stop_by(self, manager: str, date: dt.date) -> int:
        """The manager's first-stop time on the date (SPEC §3, routing/approach.first_stop_time),
        later after a part-day leave that took the start of his day (`back`)."""
        return first_stop_time(self.policy, self.weekdays[date], self.approach.get(manager, 0),
                               self.back(manager, date))

    def day_index(self, date: dt.date) -> int:
        return next(d.index for d in self.frame.days if d.date == date)

    def back(self, manager: str, date: dt.date) -> int | None:
        """When he is back from a part-day leave that took the start of his field day, as the
        optimised week reads it (routing/approach.back_from_leave): his first stop and visit
        block move on by as long (`route.later_first_stop_after_leave`)."""
        spans = self.frame.managers[manager].partial_leave.get(self.day_index(date), [])
        return back_from_leave(self.policy, self.weekdays[date], self.approach.get(manager, 0), spans)

    def daily_window(self, kind: str, manager: str, date: dt.date, minutes: int) -> tuple[int, int, int]:
        """(earliest, latest start, latest end) of a manager's daily block as the optimised week
        reads it (timetable/model.daily_window): the visit block's latest start moves on after a
        leave that took the start of his day."""
        return daily_window(self.policy, kind, minutes, self.weekdays[date], self.approach.get(manager, 0),
                            self.back(manager, date))

    def daily_starts(self, kind: str, manager: str, date: dt.date, minutes: int) -> range:
        """Every start on the grid, earliest first, of a manager's daily block (`daily_window`)."""
        earliest, latest_start, latest_end = self.daily_window(kind, manager, date, minutes)
        return self.starts(minutes, earliest, latest_end, latest_start)

    def on_leave(self, manager: str, date: dt.date, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.leave.get((manager, date), []))

    def away_all_day(self, manager: str, date: dt.date) -> bool:
        """On leave for the whole working day (one whole-day entry, or parts that cover it)."""
        day = self.policy.day
        reach = day.start
        for start, end in sorted(self.leave.get((manager, date), [])):
            if start > reach:
                break
            reach = max(reach, end)
        return reach >= day.end

    def free(self, manager: str, date: dt.date, kind: str, start: int, end: int,
             retailer: str | None = None) -> bool:
        """The manager can take the block: not on leave, no overlap, the policy's buffers
        and the rides between the day's places kept."""
        if self.on_leave(manager, date, start, end):
            return False
        for other in self.blocks[(manager, date)]:
            ride = _riding_minutes(self.policy, kind, other.kind)
            if other.end <= start:
                if start - other.end < ride:
                    return False
            elif end <= other.start:
                if other.start - end < ride:
                    return False
            else:
                return False
        return self.rides_kept([*self.blocks[(manager, date)],
                                _Placed(manager, date, kind, start, end, retailer=retailer)])

    def place(self, block: _Placed) -> Venue | None:
        """Where a block is held, as the solver's venues say (SPEC §3): at the retailer it
        names, the visit block in the manager's area, office kinds and a department block
        naming no retailer at the office; None where no place is known."""
        if block.retailer is not None:
            return Venue((block.retailer,))
        if block.kind == "visit":
            return self.venues.visit_area.get(block.manager)
        rule = self.policy.kinds.get(block.kind)
        if rule is not None and (rule.place == "office" or (rule.group == "department" and rule.at is None)):
            return OFFICE
        return None

    def rides_kept(self, day: Sequence[_Placed]) -> bool:
        """Between two consecutive blocks of the day (lunch aside) the gap, less the lunch
        taken in it, holds the ride between their places."""
        lunches = [b for b in day if b.kind == "lunch"]
        work = sorted((b for b in day if b.kind != "lunch"), key=lambda b: (b.start, b.end))
        if work and work[0].kind != "visit":
            # The day starts at the office (SPEC §3: "08:00 … at the office").
            place = self.place(work[0])
            if place is not None and work[0].start - self.policy.day.start < self.venues.minutes(OFFICE, place):
                return False
        if work:
            # Off on a part-day leave from the office and back by it, as at the day's start.
            for off, back in self.leave.get((work[0].manager, work[0].date), []):
                before = [b for b in work if b.end <= off]
                place = None if not before or before[-1].kind == "visit" else self.place(before[-1])
                if place is not None:
                    lunch = sum(max(0, min(b.end, off) - max(b.start, before[-1].end)) for b in lunches)
                    if off - before[-1].end - lunch < self.venues.minutes(place, OFFICE):
                        return False
                following = next((b for b in work if b.start >= back), None)
                place = None if following is None or following.kind == "visit" else self.place(following)
                if following is None or place is None:
                    continue
                lunch = sum(max(0, min(b.end, following.start) - max(b.start, back)) for b in lunches)
                if following.start - back - lunch < self.venues.minutes(OFFICE, place):
                    return False
            # The day ends at the office as it starts there (SPEC §3: "then back to the office"):
            # the last block's ride back is over by the day's end (a leave that ends the day, above).
            last = max(work, key=lambda b: b.end)
            place = None if last.kind == "visit" else self.place(last)
            if place is not None and not any(off >= last.end for off, _ in self.leave.get((last.manager, last.date), [])):
                lunch = sum(max(0, min(b.end, self.policy.day.end) - max(b.start, last.end)) for b in lunches)
                if self.policy.day.end - last.end - lunch < self.venues.minutes(place, OFFICE):
                    return False
        for first, second in pairwise(work):
            origin, target = self.place(first), self.place(second)
            if origin is None or target is None:
                continue
            if second.kind == "visit":
                # The route rides into its area inside the visit block (SPEC §3).
                if second.start + self.venues.minutes(origin, target) > self.first_stop_by(second.manager, second.date):
                    return False
                continue
            lunch = sum(max(0, min(b.end, second.start) - max(b.start, first.end)) for b in lunches)
            if second.start - first.end - lunch < self.venues.minutes(origin, target):
                return False
        return True

    def window_starts(self, kind: str, date: dt.date, minutes: int) -> range:
        """Every start on the grid, earliest first, for a block of `minutes` inside the
        kind's window on that day (its weekday's window, field work over by the policy's
        end of field work)."""
        rule = self.policy.kinds[kind]
        earliest, latest_start, latest_end = kind_window(self.policy, rule, minutes, self.weekdays[date])
        return self.starts(minutes, earliest, latest_end, latest_start)

    def starts(self, minutes: int, earliest: int, latest_end: int,
               latest_start: int | None = None) -> range:
        """Every start on the grid, earliest first, that keeps a block of `minutes` in its window."""
        grid, day = self.policy.grid_minutes, self.policy.day
        first = math.ceil(max(earliest, day.start) / grid) * grid
        last = min(latest_end, day.end) - minutes
        if latest_start is not None:
            last = min(last, latest_start)
        return range(first, last + 1, grid)

    def add(self, block: _Placed) -> None:
        self.blocks[(block.manager, block.date)].append(block)


def _riding_minutes(policy: Policy, kind: str, other: str) -> int:
    """Riding time the policy asks between two blocks (SPEC §6, no overlaps with riding
    time): the office–field buffer between office and field, the transfer between two
    field blocks; lunch and unknown kinds ask none."""
    places = {policy.kinds[k].place if k in policy.kinds else None for k in (kind, other)}
    if None in places:
        return 0
    if places == {"field", "office"}:
        return policy.travel.office_field_buffer_min
    if places == {"field"}:
        return policy.travel.field_transfer_min
    return 0


def _leave_by_date(frame: WeekFrame) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
    """Each manager's leave per working date as (start, end) minutes inside the day."""
    day = frame.policy.day
    leave: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}
    for work_day in frame.days:
        for manager, mw in frame.managers.items():
            if not mw.works_on(work_day.index):
                leave[(manager, work_day.date)] = [(day.start, day.end)]
            elif work_day.index in mw.partial_leave:
                leave[(manager, work_day.date)] = list(mw.partial_leave[work_day.index])
    return leave


def pairs_by_list_order(managers: Sequence[str], odd_headcount: str) -> list[tuple[str, ...]]:
    """m01+m02, m03+m04, …; an odd one out joins the last pair (trio) or works alone (solo)."""
    groups = [tuple(managers[i : i + 2]) for i in range(0, len(managers) - 1, 2)]
    if len(managers) % 2:
        last = managers[-1]
        if odd_headcount == "trio" and groups:
            groups[-1] = (*groups[-1], last)
        else:
            groups.append((last,))
    return groups


def split_sessions(quota: Quota, grid: int) -> list[int]:
    """The fewest sessions the quota allows, as even as the grid allows (longest first)."""
    total, shortest, longest = quota.total_minutes, quota.session_minutes_min, quota.session_minutes_max
    if total == 0:
        return []
    for count in range(max(quota.sessions_min, 1), quota.sessions_max + 1):
        base = (total // count) // grid * grid
        extra = (total - base * count) // grid
        lengths = [base + grid if i < extra else base for i in range(count)]
        if sum(lengths) == total and all(shortest <= n <= longest for n in lengths):
            return lengths
    raise BaselineImpossible([
        f"{total} min cannot be split into {quota.sessions_min}-{quota.sessions_max} sessions of "
        f"{shortest}-{longest} min on the {grid}-min grid"
    ])


def baseline_timetable(department: Department, policy: Policy, week_start: dt.date) -> Timetable:
    """The week a market manager would plan by hand: fixed template, pairs by list order.

    Raises `BaselineImpossible` when the template cannot be made valid for the input.
    """
    if week_start.weekday() != 0:
        raise ValueError(f"the week must start on a Monday; {week_start} is a {week_start:%A}")
    started = time.perf_counter()
    frame = build_week(department, policy, week_start)
    week = _Week(department, policy, frame, [d.date for d in frame.days],
                 {d.date: d.weekday for d in frame.days}, _leave_by_date(frame))
    week.venues = week_venues(department, policy, week_start)
    week.retailers = {r.id: r for r in department.retailers}
    week.approach = approach_minutes(department, policy, week_start)
    reasons: list[str] = []
    groups = _groups(week, reasons)
    rotation = _Rotation(len(week.dates), week.managers)
    # The template's fixed order: the department's daily slots, the field day and lunch;
    # then the weekly field sessions right after (pairs first: they need two free
    # calendars); office work fills the end of the day.
    _place_daily(week, "field", reasons)
    for place in ("field", "office"):
        if place == "office":
            _place_daily(week, "office", reasons)
        weekly = {k: r for k, r in policy.kinds.items() if r.place == place and not r.is_daily}
        paired = [k for k, r in weekly.items() if r.group == "pair"]
        for group in groups:
            _place_group_kinds(week, paired, group, rotation, reasons)
        for kind, rule in weekly.items():
            if rule.group == "department":
                _place_department_weekly(week, kind, rule, reasons)
        single = [k for k, r in weekly.items() if r.group == "single"]
        for manager in week.managers:
            _place_group_kinds(week, single, (manager,), rotation, reasons)
    _declare_daily_sessions_leave_takes(week)
    if reasons:
        raise BaselineImpossible(reasons)
    blocks = sorted(
        (b for bs in week.blocks.values() for b in bs), key=lambda b: (b.manager, b.date, b.start)
    )
    # Duties by the optimised week's own rule (engine/timetable/duties.py): a manager on
    # leave all week takes none, and a duty nobody present can take is reported unfilled.
    duties, unfilled_duties = staff_duties(department, policy, on_leave_all_week(frame))
    timetable = Timetable(
        department=department.name,
        policy=policy.name,
        week_start=week_start,
        status="feasible",
        solve_seconds=round(time.perf_counter() - started, 3),
        managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers),
        blocks=tuple(
            Block.model_validate({"manager": b.manager, "date": b.date, "kind": b.kind,
                                  "start": b.start, "end": b.end, "with": b.with_,
                                  "retailer": b.retailer})
            for b in blocks
        ),
        duties=tuple(duties),
        unfilled_duties=tuple(unfilled_duties),
        shortfalls=tuple(week.shortfalls),
    )
    objective = timetable_objective(timetable, department, policy)
    return timetable.model_copy(update={"objective": objective})


# -- daily blocks ------------------------------------------------------------------------


def _place_daily(week: _Week, place: str, reasons: list[str]) -> None:
    """Day by day, each manager's daily kinds of one place. The field pass also holds the
    department's daily slots (placed first, whatever their place: they fix everyone's
    morning) and lunch."""
    policy = week.policy
    for date in week.dates:
        weekday = week.weekdays[date]
        if place == "field":
            _place_department_daily(week, date, reasons, morning=True)
        for kind, rule in policy.kinds.items():
            if rule.group == "department" or not rule.per_day_minutes or rule.place != place:
                continue
            minutes = rule.per_day_minutes.get(weekday)
            if minutes is None:
                continue
            for manager in week.managers:
                if week.away_all_day(manager, date):
                    continue
                _place_single_daily(week, manager, date, kind, rule, minutes, reasons)
        if place == "field":
            _place_department_daily(week, date, reasons, morning=False)
        if place == "field":
            for manager in week.managers:
                if not policy.lunch.during_visit or not _lunch_on_the_road(week, manager, date):
                    _place_lunch(week, manager, date, reasons)


def _place_together(week: _Week, kind: str, rule: KindRule, date: dt.date, minutes: int,
                    reasons: list[str], require_everyone: bool = False) -> bool:
    """One slot for the whole department; managers on leave at that time are excused
    (unless `require_everyone`), the starts that excuse fewest tried first: a market
    manager does not put the meeting on someone's leave when the hour before is free.
    A slot that fits nobody's day is reported in `reasons`."""
    def on_leave(start: int) -> int:
        return sum(week.on_leave(m, date, start, start + minutes) for m in week.managers)

    for start in sorted(week.window_starts(kind, date, minutes), key=on_leave):
        end = start + minutes
        attending = [m for m in week.managers if not week.on_leave(m, date, start, end)]
        if require_everyone and len(attending) < len(week.managers):
            continue
        if not attending or not all(week.free(m, date, kind, start, end) for m in attending):
            continue
        if not all(_daily_still_fit(week, m, date, _Placed(m, date, kind, start, end)) for m in attending):
            continue
        for manager in attending:
            others = tuple(m for m in attending if m != manager)
            week.add(_Placed(manager, date, kind, start, end, others))
        _declare_missed_for_leave(week, kind, rule, date, start, end, attending)
        return True
    if any(not week.away_all_day(m, date) for m in week.managers):
        reasons.append(_why_no_common_slot(week, kind, rule, date, minutes))
    return False


def _declare_missed_for_leave(week: _Week, kind: str, rule: KindRule, date: dt.date, start: int, end: int,
                              attending: Sequence[str]) -> None:
    """A manager at work that day whose leave takes the department's slot (the daily
    meeting, the weekly site study) misses it: not owed, but declared (as the solver's
    week does), or the checker faults it. So is the week's slot (the site study) on a day
    he is away all day, when he works some other day of the week."""
    for manager in week.managers:
        away = week.away_all_day(manager, date)
        if manager in attending or (away and (rule.per_day_minutes is not None
                                               or all(week.away_all_day(manager, d) for d in week.dates))):
            continue
        week.shortfalls.append(HoursShortfall(
            manager=manager, kind=kind, minutes_short=end - start, sessions_short=1, not_owed=True, date=date,
            reason=f"on {date:%a %m-%d} {manager} misses the {end - start}-min {rule.label_en} "
                   f"({format_clock(start)}–{format_clock(end)}) for his {'whole-day ' if away else ''}leave: "
                   "not owed" + (" that day" if rule.per_day_minutes is not None else "")))


def _why_no_common_slot(week: _Week, kind: str, rule: KindRule, date: dt.date, minutes: int) -> str:
    """Name the managers whose day cannot take the department's slot as well as their own
    daily blocks (usually because of leave)."""
    starts = week.window_starts(kind, date, minutes)
    blocked = {
        manager
        for manager in week.managers
        if not any(
            week.on_leave(manager, date, start, start + minutes)
            or (
                week.free(manager, date, kind, start, start + minutes)
                and _daily_still_fit(week, manager, date,
                                     _Placed(manager, date, kind, start, start + minutes))
            )
            for start in starts
        )
    }
    day = f"{date:%a %Y-%m-%d}"
    if not blocked:
        return f"no slot for the {rule.label_en} on {day} fits everyone"
    leave = "; ".join(
        f"{m} on leave {format_clock(s)}–{format_clock(e)}"
        for m in sorted(blocked) for s, e in week.leave.get((m, date), [])
    )
    return (f"on {day} the {rule.label_en} and the daily blocks of {', '.join(sorted(blocked))} "
            f"cannot all fit" + (f" ({leave})" if leave else ""))


def _place_single_daily(week: _Week, manager: str, date: dt.date, kind: str, rule: KindRule,
                        minutes: int, reasons: list[str]) -> None:
    latest = _latest_visit_start(week, manager, date) if kind == VISIT_KIND else None
    whole_fits = not _no_room_for_leave(week, manager, date, kind, minutes)
    for start in week.daily_starts(kind, manager, date, minutes) if whole_fits else ():
        if latest is not None and start > latest:
            break
        block = _Placed(manager, date, kind, start, start + minutes)
        if week.free(manager, date, kind, start, start + minutes) and _daily_still_fit(week, manager, date, block):
            week.add(block)
            return
    # Room is judged on the starts the block may take: a visit block by its latest start
    # (a leave to 09:30 leaves it none, as the solver's week reads it: model.room_window).
    around_leave = any(
        not week.on_leave(manager, date, start, start + minutes)
        for start in week.daily_starts(kind, manager, date, minutes) if latest is None or start <= latest
    )
    longest = _longest_beside_leave(week, manager, date, kind, rule, minutes)
    if longest is not None:
        _place_beside_leave(week, manager, date, kind, rule, minutes, longest)
    elif around_leave and whole_fits:
        reasons.append(f"{manager}: the {rule.label_en} on {date:%a %Y-%m-%d} does not fit the template day")
    else:
        # Not owed that day, but told (as the solver's week does), or the checker faults it.
        week.shortfalls.append(HoursShortfall(
            manager=manager, kind=kind, minutes_short=minutes, sessions_short=1, not_owed=True, date=date,
            reason=f"on {date:%a %m-%d} {manager}'s leave leaves no room for the {minutes}-min "
                   f"{rule.label_en} block: not owed that day"))


def _no_room_for_leave(week: _Week, manager: str, date: dt.date, kind: str, minutes: int) -> bool:
    """Whether a part-day leave leaves the whole daily block no room, as the optimised week
    judges it (timetable/model.room_beside: clear of the leave, the day's fixed department
    slots and the lunch the day owes, in the block's window `room_window`)."""
    index = week.day_index(date)
    mw = week.frame.managers[manager]
    if not mw.partial_leave.get(index):
        return False
    weekday, approach = week.weekdays[date], week.approach.get(manager, 0)
    room = room_window(week.policy, kind, minutes, weekday, approach, week.back(manager, date))
    fixed = fixed_department_slots(week.policy, weekday, mw, index)
    field = week.policy.kinds[kind].place == "field"
    return not room_beside(week.policy, mw, index, room, minutes, week.policy.grid_minutes, fixed, field)


def _longest_beside_leave(week: _Week, manager: str, date: dt.date, kind: str, rule: KindRule,
                          minutes: int) -> int | None:
    """On a day whose part-day leave leaves the whole daily block no room
    (`_no_room_for_leave`), the longest block on the grid, at least the kind's shortest
    worth planning beside a leave (routing/approach.shortest_useful_block), that
    timetable/model.room_beside finds a start for, as the optimised week plans it (the
    kind's `shortest_beside_leave`); None when the kind plans no shorter block, the whole
    block has room, or not even the shortest fits."""
    if rule.shortest_beside_leave is None or not _no_room_for_leave(week, manager, date, kind, minutes):
        return None
    policy, grid, index = week.policy, week.policy.grid_minutes, week.day_index(date)
    weekday, approach, mw = week.weekdays[date], week.approach.get(manager, 0), week.frame.managers[manager]
    shortest = shortest_useful_block(policy, rule, weekday, approach)
    room = room_window(policy, kind, shortest, weekday, approach, week.back(manager, date))
    fixed = fixed_department_slots(policy, weekday, mw, index)
    return next((length for length in range((minutes - 1) // grid * grid, shortest - 1, -grid)
                 if length >= shortest
                 and room_beside(policy, mw, index, room, length, grid, fixed, rule.place == "field")), None)


def _place_beside_leave(week: _Week, manager: str, date: dt.date, kind: str, rule: KindRule, minutes: int,
                        longest: int) -> None:
    """The daily block a part-day leave leaves no room for whole, kept as long as the
    template's day holds beside the leave, up to the `longest` that fits there: what the
    leave takes of it is not owed, but told; what the template keeps less than `longest`
    is short (as timetable/shortfalls.short_beside_leave words both)."""
    policy = week.policy
    shortest = shortest_useful_block(policy, rule, week.weekdays[date], week.approach.get(manager, 0))
    # A shorter block may start later and still end in time (model.add_manager_blocks).
    earliest, latest_start, latest_end = week.daily_window(kind, manager, date, shortest)
    if kind == VISIT_KIND:
        latest_start = min(latest_start, _latest_visit_start(week, manager, date))
    held = 0
    for length in range(longest, shortest - 1, -policy.grid_minutes):
        start = next((s for s in week.starts(length, earliest, latest_end, latest_start)
                      if week.free(manager, date, kind, s, s + length)
                      and _daily_still_fit(week, manager, date, _Placed(manager, date, kind, s, s + length))),
                     None)
        if start is not None:
            week.add(_Placed(manager, date, kind, start, start + length))
            held = length
            break
    label = rule.label_en.split(" (")[0].lower()
    leave = ", ".join(f"{format_clock(s)}–{format_clock(e)}" for s, e in week.leave.get((manager, date), []))
    week.shortfalls.append(HoursShortfall(
        manager=manager, kind=kind, minutes_short=minutes - longest, sessions_short=0, not_owed=True, date=date,
        reason=f"on {date:%a %m-%d} {manager}'s leave {leave} leaves room for at most {longest} of the "
               f"{minutes}-min {label} block: the other {minutes - longest} min not owed that day"))
    if held < longest:
        week.shortfalls.append(HoursShortfall(
            manager=manager, kind=kind, minutes_short=longest - held, sessions_short=0 if held else 1, date=date,
            reason=f"on {date:%a %m-%d} the {label} block beside {manager}'s leave {leave} is {held} of the "
                   f"{longest} min that fit beside it: the template's day around the leave holds no more"))


def _place_department_daily(week: _Week, date: dt.date, reasons: list[str], morning: bool) -> None:
    """The department's daily slots of `date`: those the policy holds in the morning
    (their window over by `first_stop_by`) before the managers' day, the others after the
    visit blocks that open it — a far manager cannot ride out to his first retailer by
    `first_stop_by` after a meeting that could as well be held later."""
    policy, weekday = week.policy, week.weekdays[date]
    for kind, rule in policy.kinds.items():
        if rule.group != "department" or not rule.per_day_minutes or weekday not in rule.per_day_minutes:
            continue
        minutes = rule.per_day_minutes[weekday]
        latest_end = kind_window(policy, rule, minutes, weekday)[2]
        if (latest_end <= policy.route.first_stop_on(weekday)) == morning:
            _place_together(week, kind, rule, date, minutes, reasons)


def _latest_visit_start(week: _Week, manager: str, date: dt.date) -> int:
    """"First retailer reached by 09:30" — SPEC §3: the route rides out of the office into
    the manager's area inside the visit block, so the block starts by the day's first-stop
    time less that ride (the hand planner opens the day with it)."""
    venues = week.venues
    ride = venues.minutes(OFFICE, venues.of("visit", manager))
    return week.first_stop_by(manager, date) - ride


def _lunch_on_the_road(week: _Week, manager: str, date: dt.date) -> bool:
    """Under `lunch.during_visit`, whether the day's visit block holds the lunch: it overlaps
    the lunch window by at least the lunch. A part-day leave from 10:00 to 14:00 cuts the
    block to 08:30–10:00, and the lunch 14:00–14:30 is then a block of its own, as the
    timetable checker asks (a property test's department had none)."""
    lunch = week.policy.lunch
    return any(b.kind == "visit" and min(b.end, lunch.latest_end) - max(b.start, lunch.earliest) >= lunch.minutes
               for b in week.blocks[(manager, date)])


def _place_lunch(week: _Week, manager: str, date: dt.date, reasons: list[str]) -> None:
    lunch = week.policy.lunch
    if week.away_all_day(manager, date):
        return
    for start in week.starts(lunch.minutes, lunch.earliest, lunch.latest_end):
        if week.free(manager, date, "lunch", start, start + lunch.minutes):
            week.add(_Placed(manager, date, "lunch", start, start + lunch.minutes))
            return
    if any(not week.on_leave(manager, date, start, start + lunch.minutes)
           for start in week.starts(lunch.minutes, lunch.earliest, lunch.latest_end)):
        reasons.append(f"{manager}: no room for lunch on {date:%a %Y-%m-%d}")


# -- weekly sessions ---------------------------------------------------------------------------


class _Rotation:
    """The template's fixed rotation of days, kept per manager so that everyone without
    leave gets the same days: each session starts looking the day after the last one."""

    def __init__(self, days: int, managers: Sequence[str]):
        self.days = days
        self.next = dict.fromkeys(managers, 0)

    def order(self, group: Sequence[str]) -> list[int]:
        first = self.next[group[0]]
        return [(first + i) % self.days for i in range(self.days)]

    def used(self, group: Sequence[str], day: int) -> None:
        for manager in group:
            self.next[manager] = (day + 1) % self.days


def _groups(week: _Week, reasons: list[str]) -> list[tuple[str, ...]]:
    policy = week.policy
    if not any(r.group == "pair" for r in policy.kinds.values()):
        return []
    paired = week.frame.paired_managers
    if len(paired) == 1 and policy.pairs.odd_headcount == "trio":
        reasons.append(f"only {paired[0]} is present enough to be paired; a pair needs two managers")
        return []
    return pairs_by_list_order(paired, policy.pairs.odd_headcount)


def _place_department_weekly(week: _Week, kind: str, rule: KindRule, reasons: list[str]) -> None:
    """A weekly all-together slot (the site study): the first time in the week that fits
    everyone, on a day nobody is on leave if there is one."""
    if not any(mw.presence > 0 for mw in week.frame.managers.values()):
        return
    assert rule.session_minutes is not None and rule.sessions is not None
    lengths = split_sessions(
        Quota(*rule.sessions, *rule.session_minutes, rule.total_minutes or 0), week.policy.grid_minutes
    )
    used: set[dt.date] = set()
    for minutes in lengths:
        placed = False
        for everyone in (True, False):
            for date in week.dates:
                if date in used and rule.different_days:
                    continue
                if _place_together(week, kind, rule, date, minutes, [], require_everyone=everyone):
                    used.add(date)
                    placed = True
                    break
            if placed:
                break
        if not placed:
            reasons.append(f"no day of the week has room for the {rule.label_en} with everyone")


def _retailer_for(week: _Week, rule: KindRule, group: tuple[str, ...], start: int, end: int,
                  used: list[str]) -> str | None:
    """Where a session is held, at the places the solver's venues assume (SPEC §2): a
    paired session at the group's store, a POS session at one of the manager's week's
    households not yet visited; either open through the session. None: no such place."""
    def open_through(retailer: str) -> bool:
        found = week.retailers[retailer]
        return found.opens <= start and end <= found.closes

    if rule.group == "pair":
        store = week.venues.group_store(group)
        return store if store is not None and open_through(store) else None
    if rule.at == "pos_target":
        households = week.venues.households.get(group[0])
        return next((r for r in (households.points if households else ()) if r is not None and r not in used and open_through(r)),
                    None)
    return None


def session_lengths(remaining: int, sessions_left: int, quota: Quota, grid: int) -> list[int]:
    """Lengths the next session may take so that the rest can still be split into
    `sessions_left - 1` sessions: the even share first, then shorter, then longer."""
    low = max(quota.session_minutes_min, remaining - (sessions_left - 1) * quota.session_minutes_max)
    high = min(quota.session_minutes_max, remaining - (sessions_left - 1) * quota.session_minutes_min)
    low = math.ceil(low / grid) * grid
    if low > high:
        return []
    even = min(high, max(low, math.ceil(remaining / sessions_left / grid) * grid))
    shorter = range(even - grid, low - 1, -grid)
    longer = range(even + grid, high + 1, grid)
    return [even, *shorter, *longer]


def _place_group_kinds(week: _Week, kinds: Sequence[str], group: tuple[str, ...],
                       rotation: _Rotation, reasons: list[str]) -> None:
    """All weekly kinds of one group, in the policy's order; if the week cannot hold them
    that way, in the other orders (a market manager moves the big block first). When no
    order holds every hour, the order that falls least short is kept, its shortfall said."""
    if not kinds:
        return
    saved_blocks = {key: list(blocks) for key, blocks in week.blocks.items() if key[0] in group}
    saved_next = dict(rotation.next)
    saved_short = len(week.shortfalls)
    first_failure: list[str] = []
    least_short: tuple[int, tuple[str, ...]] | None = None
    for order in permutations(kinds):
        failed: list[str] = []
        for kind in order:
            _place_group_weekly(week, kind, week.policy.kinds[kind], group, rotation, failed)
            if failed:
                break
        short = sum(s.minutes_short for s in week.shortfalls[saved_short:])
        if not failed and not short:
            return
        if not failed and (least_short is None or short < least_short[0]):
            least_short = (short, order)
        first_failure = first_failure or failed
        for key in [k for k in week.blocks if k[0] in group]:
            week.blocks[key] = list(saved_blocks.get(key, []))
        rotation.next = dict(saved_next)
        del week.shortfalls[saved_short:]
    if least_short is None:
        reasons.extend(first_failure)
        return
    for kind in least_short[1]:
        _place_group_weekly(week, kind, week.policy.kinds[kind], group, rotation, reasons)


SEARCH_NODES = 2000
"""How many session placements the template tries for one quota before it gives up:
enough to move a pair's sessions around one manager's leave, small enough to stay instant."""


def _place_group_weekly(week: _Week, kind: str, rule: KindRule, group: tuple[str, ...],
                        rotation: _Rotation, reasons: list[str]) -> None:
    """A weekly quota of one manager or one pair/trio: sessions dealt out over the rotation.

    The template's split (the fewest, even sessions on the next days of the rotation)
    comes first; where leave or a full day is in the way, other days and lengths are
    tried in the same fixed order, then more, shorter sessions.
    """
    # The group is one manager, or paired managers who all owe the paired quota in full.
    quota = week.frame.managers[group[0]].quotas[kind]
    if quota.total_minutes == 0:
        return
    limit = 1 if rule.different_days else (rule.max_per_day or quota.sessions_max)
    budget = [SEARCH_NODES]
    for count in range(max(quota.sessions_min, 1), quota.sessions_max + 1):
        if not count * quota.session_minutes_min <= quota.total_minutes <= count * quota.session_minutes_max:
            continue
        saved_next = dict(rotation.next)
        if _place_sessions(week, kind, rule, group, quota, count, quota.total_minutes, rotation,
                           defaultdict(int), limit, [], budget):
            return
        rotation.next = saved_next
    if rule.min_per_day is None:
        _place_short(week, kind, rule, group, quota, rotation, limit)
        return
    reasons.append(f"{' + '.join(group)}: the template week has no room for {quota.total_minutes} min of "
                   f"{rule.label_en}")


def _place_short(week: _Week, kind: str, rule: KindRule, group: tuple[str, ...], quota: Quota,
                 rotation: _Rotation, limit: int) -> None:
    """Where the rides between the week's places leave no room for the whole quota, as
    much of it as the template holds, one shortest session less at a time, and the rest
    declared short (`Timetable.shortfalls`, SPEC §2-3), all of it when no session fits."""
    step = quota.session_minutes_min
    held, sessions = 0, 0
    for total in range(quota.total_minutes - step, step - 1, -step):
        for count in range(quota.sessions_max, 0, -1):
            if not count * quota.session_minutes_min <= total <= count * quota.session_minutes_max:
                continue
            saved_next = dict(rotation.next)
            if _place_sessions(week, kind, rule, group, quota, count, total, rotation,
                               defaultdict(int), limit, [], [SEARCH_NODES // 4]):
                held, sessions = total, count
                break
            rotation.next = saved_next
        if held:
            break
    for manager in group:
        week.shortfalls.append(HoursShortfall(
            manager=manager, kind=kind, minutes_short=quota.total_minutes - held,
            sessions_short=max(0, quota.sessions_min - sessions),
            reason=f"the hand-made week holds {held} of {quota.total_minutes} min of "
                   f"{rule.label_en}: the rides between its places leave no room for more"))


def _place_sessions(week: _Week, kind: str, rule: KindRule, group: tuple[str, ...], quota: Quota,
                    left: int, remaining: int, rotation: _Rotation, per_day: dict[dt.date, int],
                    limit: int, stores: list[str], budget: list[int]) -> bool:
    """Place the `left` remaining sessions (depth-first, in the template's order of
    preference); on success they are in the week, on failure the week is as before."""
    if left == 0:
        return remaining == 0
    lacking = _days_lacking(week, kind, rule, group, per_day)
    if len(lacking) > left:
        return False
    lengths = session_lengths(remaining, left, quota, week.policy.grid_minutes)
    options = _session_options(week, kind, rule, group, lengths, rotation, per_day, limit, stores)
    for found in options:
        if len(lacking) == left and found[0].date not in lacking:
            continue  # the sessions left must go to the days still owed one
        budget[0] -= 1
        if budget[0] < 0:
            return False
        saved_next = dict(rotation.next)
        date = found[0].date
        rotation.used(group, week.dates.index(date))
        for block in found:
            week.add(block)
        per_day[date] += 1
        if found[0].retailer:
            stores.append(found[0].retailer)
        if _place_sessions(week, kind, rule, group, quota, left - 1,
                           remaining - (found[0].end - found[0].start), rotation, per_day, limit,
                           stores, budget):
            return True
        if found[0].retailer:
            stores.pop()
        per_day[date] -= 1
        for block in found:
            week.blocks[(block.manager, block.date)].remove(block)
        rotation.next = saved_next
    return False


def _declare_daily_sessions_leave_takes(week: _Week) -> None:
    """The `min_per_day` sessions (the daily report slot) a part-day leave leaves no start
    in its window: not owed that day, but declared, as the solver's week does, or the
    checker faults them (a property test's leave 12:30–16:30 took seed-003's report slot,
    latest start 16:00, and the hand-made week said nothing)."""
    for kind, rule in week.policy.kinds.items():
        if rule.min_per_day is None or rule.session_minutes is None or rule.group != "single":
            continue
        shortest = rule.session_minutes[0]
        for manager in week.managers:
            for date in week.dates:
                if week.away_all_day(manager, date):
                    continue
                held = sum(1 for b in week.blocks[(manager, date)] if b.kind == kind)
                missing = rule.min_per_day - held
                if missing <= 0 or any(not week.on_leave(manager, date, start, start + shortest)
                                       for start in week.window_starts(kind, date, shortest)):
                    continue
                week.shortfalls.append(HoursShortfall(
                    manager=manager, kind=kind, minutes_short=missing * shortest, sessions_short=missing,
                    not_owed=True, date=date,
                    reason=f"on {date:%a %m-%d} {manager}'s leave leaves no start for the {rule.label_en} "
                           "the policy wants every day: not owed that day"))


def _days_lacking(week: _Week, kind: str, rule: KindRule, group: tuple[str, ...],
                  per_day: dict[dt.date, int]) -> set[dt.date]:
    """The working days still short of the sessions the policy wants every day
    (`min_per_day`: the daily report slot); a day whose window is all leave owes none."""
    if rule.min_per_day is None or rule.session_minutes is None:
        return set()
    shortest = rule.session_minutes[0]
    return {
        date for date in week.dates
        if per_day[date] < rule.min_per_day
        and all(any(not week.on_leave(m, date, s, s + shortest) for s in week.window_starts(kind, date, shortest))
                for m in group)
    }


def _session_options(week: _Week, kind: str, rule: KindRule, group: tuple[str, ...],
                     lengths: list[int], rotation: _Rotation, per_day: dict[dt.date, int],
                     limit: int, stores: list[str]):
    """The group's possible next sessions, best first: the next day of the rotation, the
    first length, the earliest start that fits every member (and a retailer, if needed).
    One option per day and length: a later start on the same day changes little."""
    for day in rotation.order(group):
        date = week.dates[day]
        if per_day[date] >= limit or any(week.away_all_day(m, date) for m in group):
            continue
        for minutes in lengths:
            for start in week.window_starts(kind, date, minutes):
                end = start + minutes
                retailer = _retailer_for(week, rule, group, start, end, stores)
                if rule.at is not None and retailer is None:
                    continue
                if not all(week.free(m, date, kind, start, end, retailer) for m in group):
                    continue
                if not all(_daily_still_fit(week, m, date, _Placed(m, date, kind, start, end, retailer=retailer))
                           for m in group):
                    continue
                yield [
                    _Placed(m, date, kind, start, end,
                            tuple(o for o in group if o != m) if rule.group == "pair" else (),
                            retailer)
                    for m in group
                ]
                break


def _daily_still_fit(week: _Week, manager: str, date: dt.date, block: _Placed) -> bool:
    """With `block` added, what the day owes and has not yet placed still finds a time:
    the template keeps room for the daily kinds, lunch and the day's required session
    (the daily report slot) while it deals out the other blocks."""
    day = week.blocks[(manager, date)]
    trial: list[_Placed] = [block]
    day.extend(trial)
    try:
        for kind, minutes, starts in _owed_today(week, manager, date):
            if not any(not week.on_leave(manager, date, s, s + minutes) for s in starts):
                continue  # not owed that day: leave leaves no room for it
            start = next((s for s in starts if week.free(manager, date, kind, s, s + minutes)), None)
            if start is None:
                return False
            reserved = _Placed(manager, date, kind, start, start + minutes)
            day.append(reserved)
            trial.append(reserved)
        return True
    finally:
        for reserved in trial:
            day.remove(reserved)


def _owed_today(week: _Week, manager: str, date: dt.date) -> list[tuple[str, int, range]]:
    """(kind, minutes, starts) of what the manager's day still owes, in the template's
    order: his own daily kinds, lunch (when it is a block of its own), and the shortest session of a weekly
    kind the policy wants on every working day (`min_per_day`) up to that number."""
    policy, weekday = week.policy, week.weekdays[date]
    placed = [b.kind for b in week.blocks[(manager, date)]]
    # A daily block the leave leaves no room for is declared not owed, not kept room for.
    excused = {s.kind for s in week.shortfalls if s.not_owed and s.manager == manager and s.date == date}
    owed = []
    lunch = policy.lunch
    # The template's order of the day: field kinds, lunch, office kinds.
    for place in ("field", "office"):
        for kind, rule in policy.kinds.items():
            minutes = (rule.per_day_minutes or {}).get(weekday)
            if (minutes is None or rule.place != place or rule.group == "department"
                    or kind in placed or kind in excused):
                continue
            if _no_room_for_leave(week, manager, date, kind, minutes):
                # Room is kept for the shortest block worth planning beside the leave, if any.
                if _longest_beside_leave(week, manager, date, kind, rule, minutes) is None:
                    continue
                shortest = shortest_useful_block(policy, rule, weekday, week.approach.get(manager, 0))
                minutes = -(-shortest // policy.grid_minutes) * policy.grid_minutes
                earliest, latest_start, latest_end = week.daily_window(kind, manager, date, shortest)
                owed.append((kind, minutes, week.starts(minutes, earliest, latest_end, latest_start)))
                continue
            owed.append((kind, minutes, week.daily_starts(kind, manager, date, minutes)))
        if place == "field" and not lunch.during_visit and "lunch" not in placed:
            owed.append(("lunch", lunch.minutes, week.starts(lunch.minutes, lunch.earliest, lunch.latest_end)))
    for kind, rule in policy.kinds.items():
        if rule.min_per_day is not None and rule.session_minutes is not None:
            shortest = rule.session_minutes[0]
            starts = week.window_starts(kind, date, shortest)
            owed += [(kind, shortest, starts)] * max(0, rule.min_per_day - placed.count(kind))
    return owed


# -- routes -------------------------------------------------------------------------------------


class _Rides:
    """Riding km and minutes between the office (None) and the retailers one manager's
    week touches, on the route planner's straight-line matrix (SPEC §4)."""

    def __init__(self, department: Department, policy: Policy, places: Sequence[Retailer]):
        self.index = {r.id: i for i, r in enumerate(places, start=1)}
        office = department.office
        self.matrix = straight_line_matrix([office.lat, *(r.lat for r in places)],
                                           [office.lon, *(r.lon for r in places)],
                                           ["town", *(r.area for r in places)], policy.travel)

    def between(self, a: str | None, b: str | None) -> tuple[float, int]:
        i = 0 if a is None else self.index[a]
        j = 0 if b is None else self.index[b]
        return float(self.matrix.distance_km[i, j]), int(self.matrix.minutes[i, j])


def nearest_neighbour_order(retailers: Sequence[Retailer], start: str | None, rides: _Rides) -> list[Retailer]:
    """Visit order from `start` (a retailer id, None for the office) by always riding to
    the nearest retailer not yet visited (ties: list order)."""
    left = list(retailers)
    here = start
    order = []
    while left:
        nearest = min(left, key=lambda r: rides.between(here, r.id)[0])
        left.remove(nearest)
        order.append(nearest)
        here = nearest.id
    return order


@dataclass
class _DayFrame:
    """What the timetable fixes around one visit block: where the route starts and
    where it must be next, and by when."""

    visit: Block
    blocks: list[Block]
    start_from: str | None  # a retailer id, or None for the office
    end_at: str | None  # a retailer id, None for the office
    end_by: int | None  # None: the next place is not named (maintenance, site study)
    first_stop_by: int  # the manager's first-stop time that day (routing/approach.first_stop_time)


@dataclass
class _Timed:
    stops: list[dict]
    lunch: tuple[int, int] | None
    leave_last: int


def _place_key(block: Block, policy: Policy) -> str:
    """'lunch', 'office', 'elsewhere', or the retailer id of an appointment."""
    if block.kind == "lunch":
        return "lunch"
    if block.retailer is not None and block.kind != "visit":
        return block.retailer
    rule = policy.kinds.get(block.kind)
    return "office" if rule is not None and rule.place == "office" else "elsewhere"


def _day_frame(visit: Block, blocks: list[Block], policy: Policy, rules_of: dict[dt.date, Weekday],
               approach: int, leave: Sequence[tuple[int, int]] = ()) -> _DayFrame:
    """What the timetable fixes around the visit block; `leave`: the manager's part-day
    leave that day, taken from the office and ended there (SPEC §3), so that a leave
    between the block and the place before (after) it makes the route start (end) at the
    office, and one that took the start of his day moves his first stop on
    (routing/approach.back_from_leave), as the route planner reads it."""
    before = [b for b in blocks if b.end <= visit.start and b.kind != "lunch"]
    start_from = None
    if before and _place_key(before[-1], policy) not in ("office", "elsewhere") \
            and not any(before[-1].end <= off and back <= visit.start for off, back in leave):
        start_from = before[-1].retailer
    end_at: str | None = None
    end_by: int | None = policy.day.end
    lunch_between = 0
    following = [b for b in blocks if b.start >= visit.end and b is not visit]
    for block in following:
        key = _place_key(block, policy)
        off = next((off for off, back in sorted(leave) if visit.end <= off and back <= block.start), None)
        if off is not None:
            end_at, end_by = None, off - lunch_between
            break
        if key == "lunch":
            lunch_between += block.end - block.start
            continue
        if key == "elsewhere":
            end_at, end_by = None, None
        else:
            end_at = None if key == "office" else key
            end_by = block.start - lunch_between
        break
    else:
        off = next((off for off, _ in sorted(leave) if visit.end <= off), None)
        if off is not None:
            end_at, end_by = None, off - lunch_between
    weekday = rules_of.get(visit.date) or cast(Weekday, WEEKDAYS[visit.date.weekday()])
    first_stop_by = first_stop_time(policy, weekday, approach, back_from_leave(policy, weekday, approach, leave))
    return _DayFrame(visit, blocks, start_from, end_at, end_by, first_stop_by)


def _time_route(order: Sequence[Retailer], frame: _DayFrame, rides: _Rides, policy: Policy) -> _Timed | None:
    """Times of a visit route in this order, or None when it breaks a rule of the day:
    first stop by the policy's time, every visit in the block and over by the end of
    visiting, service minutes inside opening hours, in time for what comes next."""
    rules, lunch_rule = policy.route, policy.lunch
    block = frame.visit
    visiting_ends = min(block.end, rules.visiting_ends_by)
    here: str | None = frame.start_from
    now = block.start
    lunch: tuple[int, int] | None = None
    wants_lunch = lunch_rule.during_visit and (
        min(lunch_rule.latest_end, block.end) - max(lunch_rule.earliest, block.start) >= lunch_rule.minutes
    )
    stops: list[dict] = []
    for number, retailer in enumerate(order):
        km, ride = rides.between(here, retailer.id)
        service = max(retailer.service_min, rules.min_service_min)
        start = max(now + ride, retailer.opens)
        if wants_lunch and lunch is None and (
            now >= lunch_rule.earliest or start + service + lunch_rule.minutes > lunch_rule.latest_end
        ):
            lunch = (max(now, lunch_rule.earliest), max(now, lunch_rule.earliest) + lunch_rule.minutes)
            if lunch[1] > lunch_rule.latest_end:
                return None
            now = lunch[1]
            start = max(now + ride, retailer.opens)
        arrive = now + ride
        end = start + service
        if (number == 0 and arrive > frame.first_stop_by) or end > visiting_ends or end > retailer.closes:
            return None
        stops.append({"retailer": retailer.id, "kind": "visit", "arrive": arrive, "start": start, "end": end,
                          "origin": here or "office", "ride_min": ride, "ride_km": km})
        here, now = retailer.id, end
    if wants_lunch and lunch is None:
        lunch = (max(now, lunch_rule.earliest), max(now, lunch_rule.earliest) + lunch_rule.minutes)
        if lunch[1] > min(lunch_rule.latest_end, block.end):
            return None
        # Lunch after the last stop is taken there, on the road, and the ride on starts
        # after it (as the route planner's `time_visit_route` does): nobody rides through it.
        now = lunch[1]
    if frame.end_by is not None and stops:
        ride_on = rides.between(here, frame.end_at)[1]
        if now + ride_on > frame.end_by:
            return None
    return _Timed(stops, lunch, now)


def _fill_day(frame: _DayFrame, remaining: list[Retailer], rides: _Rides,
              policy: Policy) -> tuple[list[Retailer], _Timed | None]:
    """Go down the due list in territory order and take each retailer with whom the
    day's nearest-neighbour route still keeps every rule; then down the list again for
    those passed over, as a manager looks once more at what he skipped (a far retailer
    that cannot open the day by the first-stop time fits after a nearer one), until a
    pass takes nobody; the others wait for a later day. The policy's key customers
    (`visit_value.key_class`, SPEC §4's 20/80 rule) are put in first, the rest after."""
    taken: list[Retailer] = []
    timed: _Timed | None = None
    key = policy.visit_value.key_class if policy.visit_value is not None else None
    rounds = [[r for r in remaining if r.retailer_class == key], remaining] if key is not None else [remaining]
    for candidates in rounds:
        grew = True
        while grew:
            grew = False
            for retailer in candidates:
                if any(r.id == retailer.id for r in taken):
                    continue  # a retailer due twice a week is visited on two different days
                trial = nearest_neighbour_order([*taken, retailer], frame.start_from, rides)
                attempt = _time_route(trial, frame, rides, policy)
                if attempt is not None:
                    taken, timed, grew = trial, attempt, True
    return taken, timed


def baseline_routes(department: Department, policy: Policy, timetable: Timetable) -> dict:
    """The week's routes a market manager makes by hand: each manager's due retailers in
    territory order, filled into the visit blocks day by day, each day ridden as a
    nearest-neighbour tour; what does not fit is listed unvisited with a reason.

    Returns the JSON contract of `fieldweek routes --json`.
    """
    week_start = timetable.week_start
    rules_of = dict(WorkCalendar(department, policy).working_days(week_start))
    by_day: dict[tuple[str, dt.date], list[Block]] = defaultdict(list)
    for block in timetable.blocks:
        by_day[(block.manager, block.date)].append(block)
    routes: list[dict] = []
    unvisited: list[dict] = []
    due_total = 0
    retailers = {r.id: r for r in department.retailers}
    for manager in department.managers:
        territory = department.territory(manager.id)
        due: list[Retailer] = []
        for retailer in territory:
            due += [retailer] * visits_in_week(retailer.id, retailer.visits_per_4_weeks, week_start)
        due_total += len(due)
        remaining = list(due)
        appointments = {b.retailer for b in timetable.blocks
                        if b.manager == manager.id and b.retailer is not None and b.retailer in retailers}
        rides = _Rides(department, policy,
                       [*territory, *(retailers[r] for r in sorted(appointments - {r.id for r in territory}))])
        approach = manager_approach(department, policy, week_start, manager.id)
        leave = part_day_leave(department.leave, manager.id)
        for date in sorted(d for m, d in by_day if m == manager.id):
            blocks = sorted(by_day[(manager.id, date)], key=lambda b: (b.start, b.end))
            visits = [b for b in blocks if b.kind == "visit"]
            for visit in visits:
                frame = _day_frame(visit, blocks, policy, rules_of, approach, leave.get(date, ()))
                taken, timed = _fill_day(frame, remaining, rides, policy)
                for retailer in taken:
                    remaining.remove(retailer)
                routes.append(_route_document(frame, timed, rides, retailers, policy, leave.get(date, ())))
            if not visits and any(_place_key(b, policy) not in ("lunch", "office", "elsewhere") for b in blocks):
                # No visit block (a leave took it), but appointments at retailers: their rides
                # are as real as a visit day's, so the day is routed too (as the route planner's
                # appointment days are).
                routes.append(_appointment_document(manager.id, date, blocks, leave.get(date, ()), rides,
                                                    retailers, policy))
        for retailer in remaining:
            reason, detail = _why_unvisited(retailer, timetable, manager.id, rides, policy, rules_of, approach,
                                            department)
            unvisited.append({"retailer": retailer.id, "manager": manager.id, "reason": reason,
                              "detail": detail, "date": None})
    return {
        "week_start": week_start.isoformat(),
        "department": department.name,
        "policy": policy.name,
        "matrix_source": "straight_line",
        "scope": {"managers": [], "dates": []},
        "routes": routes,
        "unvisited": unvisited,
        "shortfalls": [],
        "due_visits": due_total,
        "solve_seconds": 0.0,
    }


def _why_unvisited(retailer: Retailer, timetable: Timetable, manager: str, rides: _Rides, policy: Policy,
                   rules_of: dict[dt.date, Weekday], approach: int, department: Department) -> tuple[str, str]:
    """The reason, in the closed vocabulary of the route contract, and its detail in words,
    telling the same cause: no visit block at all, or could it be visited alone on some day?"""
    blocks = [b for b in timetable.blocks if b.manager == manager]
    visits = [b for b in blocks if b.kind == "visit"]
    if not visits:
        return _without_visit_blocks(manager, timetable.week_start, policy, rules_of, department)
    leave = part_day_leave(department.leave, manager)
    for visit in visits:
        day = sorted((b for b in blocks if b.date == visit.date), key=lambda b: (b.start, b.end))
        frame = _day_frame(visit, day, policy, rules_of, approach, leave.get(visit.date, ()))
        if _time_route([retailer], frame, rides, policy) is not None:
            return "no_room_in_day", ("it fits a visit block of the hand-made week on its own, but the days it "
                                      "could go on have no room left for it")
    service = max(retailer.service_min, policy.route.min_service_min)
    earliest = min(v.start for v in visits)
    latest = min(policy.route.visiting_ends_by, max(v.end for v in visits))
    if retailer.closes - service < earliest or retailer.opens + service > latest:
        return "opening_hours", (f"open {format_clock(retailer.opens)}–{format_clock(retailer.closes)}: its "
                                 f"{service}-min visit fits none of the hand-made week's visit blocks "
                                 f"({format_clock(earliest)}–{format_clock(latest)})")
    return "too_far", ("on its own it fits no visit block of the hand-made week: the ride there and on to "
                       "the next place leaves no time for the visit")


def _without_visit_blocks(manager: str, monday: dt.date, policy: Policy, rules_of: dict[dt.date, Weekday],
                          department: Department) -> tuple[str, str]:
    """Why a manager's due visits are not made when the hand-made week gives him no visit
    block: a week without a working day (`no_visit_days`, as the route planner says it);
    leave every working day, his visits handed to no colleague (`manager_absent`, the route
    planner's and the re-plan's word for it), the detail naming the cause
    (routing/neighbours.why_no_hand_over, as the route planner words it); or part-day leave
    that leaves no day room for a visit block (`time_window`: the week's rules leave it no time)."""
    if not rules_of:
        return "no_visit_days", (f"the week of {monday} has no working day, so no visit block to put it on")
    rules = policy.replan
    max_km = rules.neighbour_max_km if rules is not None and "neighbour" in rules.handover else None
    absent = away_all_week(department, rules_of)
    if manager in absent:
        centres = department.territory_centres()
        near = [m for m in neighbours(manager, centres, max_km) if m not in absent] if max_km is not None else []
        if near:
            return "manager_absent", (f"{manager} is on leave every working day of the week, and the hand-made week "
                                      f"hands his visits to no colleague ({', '.join(near)} at work within "
                                      f"{max_km:g} km)")
        return "manager_absent", why_no_hand_over(manager, centres, absent, max_km, alone=False)
    return "time_window", (f"{manager}'s leave leaves no day of the week room for a visit block, and the "
                           "hand-made week hands his visits to no colleague")


@dataclass
class _DayRide:
    """A manager's day ridden block by block: the stops and office returns so far, where
    he is and from when he is free."""

    rides: _Rides
    free: int
    here: str = "office"  # "office", "elsewhere" or a retailer id
    depart: int | None = None
    stops: list[dict] = field(default_factory=list)
    returns: list[dict] = field(default_factory=list)
    lunches: list[tuple[int, int]] = field(default_factory=list)  # the day's lunch blocks, in time order

    def back_to_office(self) -> None:
        """Ride back to the office when the manager is at a retailer; a lunch block the
        ride runs into stops it, and it goes on after the lunch (nobody rides through his
        lunch, SPEC §3)."""
        if self.here not in ("office", "elsewhere"):
            km, ride = self.rides.between(self.here, None)
            self.returns.append({"from": self.here, "leave": format_clock(self.free),
                                 "arrive": format_clock(self._arrival(ride)), "ride_min": ride,
                                 "ride_km": round(km, 3)})
        self.here = "office"

    def _arrival(self, ride: int) -> int:
        """The end of `ride` minutes of riding from `free`, none of it inside a lunch."""
        now, still = self.free, ride
        for start, end in self.lunches:
            if end <= now:
                continue
            if still <= start - now:
                break
            still -= max(start - now, 0)
            now = end
        return now + still

    def visit_route(self, frame: _DayFrame, timed: _Timed | None) -> None:
        """The visit block's route; it starts from the office unless the timetable puts an
        appointment right before it."""
        if timed is None or not timed.stops:
            return
        if frame.start_from is None and self.here not in ("office", "elsewhere"):
            self.back_to_office()
        self.stops.extend(timed.stops)
        self.depart = frame.visit.start if self.depart is None else self.depart
        self.here, self.free = timed.stops[-1]["retailer"], timed.leave_last

    def appointment(self, block: Block, retailer: str) -> None:
        """An appointment at a retailer at its fixed time; a lunch block the ride runs into
        delays the arrival, one after it is taken there (lunch, not waiting: `_day_document`)."""
        if self.here == "elsewhere":
            origin, ride, km, arrive = "elsewhere", 0, 0.0, block.start
        elif self.here == "office":
            km, ride = self.rides.between(None, retailer)
            origin, arrive = "office", block.start
            self.depart = block.start - ride if self.depart is None else self.depart
        else:
            km, ride = self.rides.between(self.here, retailer)
            origin, arrive = self.here, self._arrival(ride)
        self.stops.append({"retailer": retailer, "kind": block.kind, "arrive": arrive, "start": block.start,
                           "end": block.end, "origin": origin, "ride_min": ride, "ride_km": km})
        self.here, self.free = retailer, block.end


def _ride_day(blocks: Sequence[Block], frame: _DayFrame | None, timed: _Timed | None, rides: _Rides,
              policy: Policy, leave: Sequence[tuple[int, int]] = ()) -> _DayRide:
    """The day in block order: the visits where the visit block is (`frame`; None on a day
    without one), each appointment at its time, a ride back to the office before office
    blocks, before a part-day leave (taken from the office, SPEC §3) and at the end of the day."""
    first = frame.visit.start if frame is not None else min((b.start for b in blocks), default=policy.day.start)
    # The timetable's lunch blocks and the route's lunch on the road alike stop a ride.
    lunches = [(b.start, b.end) for b in blocks if b.kind == "lunch"]
    if timed is not None and timed.lunch is not None:
        lunches.append(timed.lunch)
    day = _DayRide(rides, free=first, lunches=sorted(lunches))
    for block in blocks:
        key = _place_key(block, policy)
        if any(day.free <= off and back <= block.start for off, back in leave):
            day.back_to_office()
        if key == "lunch":
            continue
        if frame is not None and block is frame.visit:
            day.visit_route(frame, timed)
        elif key == "office":
            day.back_to_office()
        elif key == "elsewhere":
            day.here = "elsewhere"
        else:
            day.appointment(block, key)
    day.back_to_office()
    return day


def _stop_document(stop: dict, retailers: dict[str, Retailer]) -> dict:
    """A stop as the route contract writes it."""
    retailer = retailers[stop["retailer"]]
    return {"retailer": stop["retailer"], "kind": stop["kind"], "arrive": format_clock(stop["arrive"]),
            "start": format_clock(stop["start"]), "end": format_clock(stop["end"]), "from": stop["origin"],
            "ride_min": stop["ride_min"], "ride_km": round(stop["ride_km"], 3),
            "name": retailer.name, "lat": retailer.lat, "lon": retailer.lon}


def _route_document(frame: _DayFrame, timed: _Timed | None, rides: _Rides, retailers: dict[str, Retailer],
                    policy: Policy, leave: Sequence[tuple[int, int]] = ()) -> dict:
    """One day as the route contract of `fieldweek routes --json` writes it."""
    day = _ride_day(frame.blocks, frame, timed, rides, policy, leave)
    lunch = timed.lunch if timed is not None else None
    return _day_document(frame.visit.manager, frame.visit.date, day, frame.visit.start, frame.visit.end,
                         frame.start_from or "office", lunch, retailers)


def _appointment_document(manager: str, date: dt.date, blocks: Sequence[Block], leave: Sequence[tuple[int, int]],
                          rides: _Rides, retailers: dict[str, Retailer], policy: Policy) -> dict:
    """A day without a visit block but with appointments at retailers, as the route planner
    writes one (routing/daily.appointment_days): no visit, only the rides to, between and
    back from its fixed blocks; an empty visit window at the start of its first field block."""
    day = _ride_day(blocks, None, None, rides, policy, leave)
    first = min((b.start for b in blocks if _place_key(b, policy) not in ("lunch", "office")),
                default=policy.day.start)
    return _day_document(manager, date, day, first, first, "office", None, retailers)


def _day_document(manager: str, date: dt.date, day: _DayRide, visit_start: int, visit_end: int, start_from: str,
                  lunch: tuple[int, int] | None, retailers: dict[str, Retailer]) -> dict:
    returns = day.returns
    back = returns[-1]["arrive"] if returns and day.stops and day.here == "office" else None
    visits = [s for s in day.stops if s["kind"] == "visit"]
    out_stops = [_stop_document(s, retailers) for s in day.stops]
    return {
        "manager": manager,
        "date": date.isoformat(),
        "depart": format_clock(visit_start if day.depart is None else day.depart),
        "return": back,
        "distance_km": round(sum(s["ride_km"] for s in out_stops) + sum(r["ride_km"] for r in returns), 3),
        "travel_minutes": sum(s["ride_min"] for s in out_stops) + sum(r["ride_min"] for r in returns),
        "stops": out_stops,
        "visits": len(visits),
        "visit_start": format_clock(visit_start),
        "visit_end": format_clock(visit_end),
        "start_from": start_from,
        "lunch_start": format_clock(lunch[0]) if lunch else None,
        "lunch_end": format_clock(lunch[1]) if lunch else None,
        # A lunch block between arrival and start is lunch, not waiting (SPEC §6), as the planner counts it.
        "waiting_minutes": sum(max(s["start"] - s["arrive"] - lunch_minutes_between(s["arrive"], s["start"], day.lunches),
                                   0) for s in day.stops),
        "office_returns": returns,
        "required_stops": None,
        "notes": [],
    }


def baseline_plan(department: Department, policy: Policy, week_start: dt.date) -> dict:
    """The whole hand-made week: `{"timetable": ..., "routes": ...}` as JSON data."""
    timetable = baseline_timetable(department, policy, week_start)
    return {"timetable": timetable.to_json_dict(),
            "routes": baseline_routes(department, policy, timetable)}
