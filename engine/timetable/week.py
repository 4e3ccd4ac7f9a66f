"""The week a timetable is built for: its working days, who is present when, and each
manager's quota of every block kind after leave is taken into account.

The working days come from the department's calendar (engine/work_calendar.py): no day on a
holiday, a make-up working day (调休) with the rules of the weekday the policy names.

Proration (SPEC §2 with the policy's proration rule: a manager on leave gets his hours
prorated):
- daily kinds (a block on each listed day) simply skip whole-day leave days;
- a manager's presence fraction is the share of the week's working minutes not on leave;
- single-manager weekly quotas scale with it (fixed-length sessions: round(total / length x f));
- paired quotas are not scaled by a manager's own leave (a manager present less than the
  policy's `pairs.exempt_below_presence` of the week's working days is exempt from paired
  work, everyone else does all of it; a holiday is not his absence there), but they are by
  the week's holidays, as data/README.md says of every weekly quota:
  a holiday is everyone's, so both members of a pair lose the same days and owe the share
  of the policy's week the calendar leaves (`calendar_share`), prorated as single kinds are;
- on a day of part-day leave a daily block is owed only where its window still has room
  outside the leave (`room_outside_leave`), lunch only when the leave leaves room for
  it in the lunch window (`owes_lunch`); a manager with no working day owes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from engine.domain import Department
from engine.policy import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    KindRule,
    LunchRules,
    Policy,
    Weekday,
    format_clock,
    merged_spans,
)
from engine.routing.approach import (
    VISIT_KIND,
    back_from_leave,
    first_stop_time,
    late_for_the_ride,
    leave_delay,
)
from engine.work_calendar import WorkCalendar


def round_half_up(value: float) -> int:
    """Halves round up (2.5 → 3), unlike Python's round (banker's rounding): the rule
    every proration of the planners uses (weekly quotas, visits in a month)."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class Quota:
    """How much of one weekly kind a manager must do."""

    sessions_min: int
    sessions_max: int
    session_minutes_min: int
    session_minutes_max: int
    total_minutes: int

    @property
    def empty(self) -> bool:
        return self.total_minutes == 0


@dataclass(frozen=True)
class WorkDay:
    index: int
    date: dt.date
    weekday: Weekday


@dataclass
class ManagerWeek:
    """One manager's week: leave per day and the quotas that follow from it."""

    manager_id: str
    whole_day_leave: set[int] = field(default_factory=set)
    partial_leave: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    presence: float = 1.0
    exempt_from_pairs: bool = False
    quotas: dict[str, Quota] = field(default_factory=dict)

    def works_on(self, day: int) -> bool:
        return day not in self.whole_day_leave

    def room_outside_leave(self, day: int, earliest: int, latest_start: int, latest_end: int,
                           minutes: int, grid: int) -> bool:
        """Whether a block of `minutes` fits its window on `day` without touching leave."""
        first = -(-earliest // grid) * grid
        for start in range(first, min(latest_start, latest_end - minutes) + 1, grid):
            if not self.on_leave_during(day, start, start + minutes):
                return True
        return False

    def owes_lunch(self, day: int, lunch: LunchRules, grid: int = 1) -> bool:
        """A lunch block on each day he works, unless a leave leaves no room for it in
        the lunch window (starts on the `grid`): lunch that day is then optional. A leave
        to 12:00 still leaves 12:00-13:00, and a half day worked without lunch is a
        mistake a manager sees (was: optional whenever the leave touched the window)."""
        if not self.works_on(day):
            return False
        return self.room_outside_leave(day, lunch.earliest, lunch.latest_end - lunch.minutes, lunch.latest_end,
                                       lunch.minutes, grid)

    @property
    def on_leave_this_week(self) -> bool:
        """Any leave this week: a department slot may then fall in it, and he is absent from
        it rather than bound to it."""
        return bool(self.whole_day_leave or self.partial_leave)

    def on_leave_during(self, day: int, start: int, end: int) -> bool:
        if day in self.whole_day_leave:
            return True
        return any(ls < end and start < le for ls, le in self.partial_leave.get(day, []))


def paired_days_needed(policy: Policy, quotas: dict[str, Quota]) -> int:
    """Days a pair must share to fit its paired sessions (one session per day), read from
    the pair's quotas as `build_week` prorates them: a week with holidays owes fewer
    sessions, so it needs fewer shared days than the policy's full week."""
    needed = 0
    for kind, rule in policy.kinds.items():
        quota = quotas.get(kind)
        if rule.group != "pair" or quota is None or quota.empty:
            continue
        fewest = max(quota.sessions_min, math.ceil(quota.total_minutes / quota.session_minutes_max))
        needed = max(needed, fewest if rule.different_days else 1)
    return needed


@dataclass
class WeekFrame:
    policy: Policy
    week_start: dt.date
    days: list[WorkDay]
    managers: dict[str, ManagerWeek]

    @property
    def paired_managers(self) -> list[str]:
        return [m for m, mw in self.managers.items() if not mw.exempt_from_pairs and mw.presence > 0]

    def can_pair(self, a: str, b: str) -> bool:
        """Whether two managers share enough working days for their paired sessions."""
        shared = [d for d in self.days if self.managers[a].works_on(d.index) and self.managers[b].works_on(d.index)]
        # Both owe the same paired quotas (prorated by the calendar alone); the larger is
        # taken so a pair is never judged by a member who owes less.
        needed = max(paired_days_needed(self.policy, self.managers[m].quotas) for m in (a, b))
        return len(shared) >= needed


def working_days(policy: Policy, week_start: dt.date, department: Department | None = None) -> list[WorkDay]:
    """The week's working days, each with the weekday whose rules it follows (a make-up
    Saturday follows the policy's `makeup_day_rules`); holidays are left out. Without a
    department: the policy's working weekdays."""
    if department is None:
        return [WorkDay(i, week_start + dt.timedelta(days=WEEKDAYS.index(name)), name)
                for i, name in enumerate(policy.working_days)]
    dates = WorkCalendar(department, policy).working_days(week_start)
    return [WorkDay(i, date, rules) for i, (date, rules) in enumerate(dates)]


def makeup_day_notes(policy: Policy, days: list[WorkDay]) -> tuple[str, ...]:
    """A note for each make-up working day (调休) of the week: it runs by another weekday's
    rules, so its daily blocks come on top of the policy's weekly hours (a six-day week of
    38.5 h under 15+13+7) — planned as the policy says, but not what a reader of "35 h"
    expects to see."""
    notes = []
    if not days:
        return ()
    monday = days[0].date - dt.timedelta(days=days[0].date.weekday())
    worked = {d.date for d in days}
    holidays = [monday + dt.timedelta(days=n) for n in range(7)
                if WEEKDAYS[n] in policy.working_days and monday + dt.timedelta(days=n) not in worked]
    for day in days:
        if WEEKDAYS[day.date.weekday()] in policy.working_days:
            continue
        daily = {name: rule.per_day_minutes[day.weekday] for name, rule in policy.kinds.items()
                 if rule.per_day_minutes and day.weekday in rule.per_day_minutes}
        added = sum(daily.values())
        said = (f"{day.date:%a %Y-%m-%d} is a make-up working day (调休), run as an ordinary "
                f"{WEEKDAY_NAMES[day.weekday]}: its daily blocks ({', '.join(daily) or 'none'})")
        if holidays:
            # The make-up day stands in for the week's holiday: no hours on top of the week
            # (the tester's week of a Friday holiday and a make-up Saturday planned 34.5 h).
            notes.append(f"{said} come in place of the holiday's "
                         f"({', '.join(f'{h:%a %Y-%m-%d}' for h in holidays)}); the week keeps "
                         f"{len(days)} working days")
        else:
            weekly = f" on top of the weekly {policy.weekly_hours:g} h" if policy.weekly_hours is not None else ""
            notes.append(f"{said} add {_hours(added)}{weekly}")
    return tuple(notes)


def late_first_stop_notes(frame: WeekFrame, approach: dict[str, int]) -> tuple[str, ...]:
    """A note for each manager whose first stop comes after the day's usual first-stop time
    because his nearest retailer due this week is too far to reach by then even from the
    visit block's earliest start (`route.late_first_stop_when_far`): the week is planned,
    and the market manager reads whose mornings it bends and by how much. A day a leave
    takes the start of (routing/approach.back_from_leave) gets its own time, the ride from
    his return (a 111-min ride, back at 09:00: by 11:00, not the other days' 10:30)."""
    policy = frame.policy
    notes = []
    for manager, mw in frame.managers.items():
        ride = approach.get(manager, 0)
        late: dict[tuple[int, int, int | None], list[WorkDay]] = {}
        for day in frame.days:
            moved = late_for_the_ride(policy, day.weekday, ride)
            if mw.works_on(day.index) and moved is not None:
                back = back_from_leave(policy, day.weekday, ride, mw.partial_leave.get(day.index, []))
                if back is None:
                    late.setdefault((*moved, None), []).append(day)
                    continue
                # the leave's own later first stop (`route.later_first_stop_after_leave`) is the usual then
                usual = max(moved[1], policy.route.first_stop_by + leave_delay(policy, back))
                reached = first_stop_time(policy, day.weekday, ride, back)
                if reached >= _visiting_ends(policy, day.weekday):
                    # No first stop after the leave: visiting is over by then, so any visit
                    # block lies before the leave, and the day's first stop is not held to
                    # the time of the days without it (tester's d673: "after his leave to
                    # 13:00 by 15:00" of a block 08:30-11:30): the note does not name it.
                    continue
                if reached > usual:
                    late.setdefault((reached, usual, back), []).append(day)
        for (reached, usual, back), days in late.items():
            after = "" if back is None else f" after his leave to {format_clock(back)}"
            notes.append(f"{manager}'s nearest retailer due this week is a {ride}-min ride from the office: "
                         f"he reaches his first retailer{after} by {format_clock(reached)}, not "
                         f"{format_clock(usual)} ({', '.join(f'{d.date:%a %m-%d}' for d in days)}); give his "
                         "far retailers to a manager nearer to them to keep the first-stop time")
    return tuple(notes)


def _visiting_ends(policy: Policy, weekday: Weekday) -> int:
    """The end of visiting on a day following `weekday`'s rules: `route.visiting_ends_by`,
    or the visit block's latest end (and `day.field_ends_by`) when earlier."""
    ends = [policy.route.visiting_ends_by]
    rule = policy.kinds.get(VISIT_KIND)
    if rule is not None:
        ends.append(rule.window(weekday)[1])
    if policy.day.field_ends_by is not None:
        ends.append(policy.day.field_ends_by)
    return min(ends)


def _hours(minutes: int) -> str:
    """Minutes as a person says them: "3.5 h" reads fine, "4.16667 h" does not (4 h 10 min)."""
    if minutes % 30 == 0:
        return f"{minutes / 60:g} h"
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _weekly_quota(rule: KindRule, presence: float, grid: int) -> Quota:
    assert rule.sessions and rule.session_minutes and rule.total_minutes is not None
    (smin, smax), (mmin, mmax) = rule.sessions, rule.session_minutes
    if presence >= 1.0:
        return Quota(smin, smax, mmin, mmax, rule.total_minutes)
    if mmin == mmax:
        sessions = round_half_up(rule.total_minutes / mmin * presence)
        return Quota(sessions, sessions, mmin, mmax, sessions * mmin)
    total = grid * round_half_up(rule.total_minutes * presence / grid)
    if total == 0:
        return Quota(0, 0, mmin, mmax, 0)
    if total < mmin:
        return Quota(1, 1, total, total, total)
    return Quota(max(1, math.ceil(total / mmax)), min(smax, total // mmin), mmin, mmax, total)


def calendar_share(policy: Policy, days: list[WorkDay]) -> float:
    """The share of the policy's week the calendar leaves working (holidays out, a make-up
    day in), at most all of it: what a pair owes of its paired quotas (`build_week`)."""
    return min(len(days) / len(policy.working_days), 1.0) if policy.working_days else 0.0


def build_week(department: Department, policy: Policy, week_start: dt.date) -> WeekFrame:
    """Calendar, presence and quotas of every manager for the week starting `week_start`."""
    days = working_days(policy, week_start, department)
    pair_share = calendar_share(policy, days)
    by_date = {d.date: d.index for d in days}
    day_minutes = policy.day.end - policy.day.start
    managers: dict[str, ManagerWeek] = {m.id: ManagerWeek(m.id) for m in department.managers}
    for leave in department.leave:
        day = by_date.get(leave.date)
        if day is None or leave.manager not in managers:
            continue
        mw = managers[leave.manager]
        if leave.start is None or leave.end is None:
            mw.whole_day_leave.add(day)
            continue
        start, end = max(leave.start, policy.day.start), min(leave.end, policy.day.end)
        if start >= end:
            continue
        if start <= policy.day.start and end >= policy.day.end:
            mw.whole_day_leave.add(day)
        else:
            mw.partial_leave.setdefault(day, []).append((start, end))
    dates = {d.index: d.date for d in days}
    for mw in managers.values():
        for day in list(mw.partial_leave):
            # Rows that only together take the whole working day (08:00–12:00 and
            # 12:00–17:30) are a whole day of leave, as one row covering it is.
            if day in mw.whole_day_leave or department.away_all_day(
                    mw.manager_id, dates[day], policy.day.start, policy.day.end):
                mw.whole_day_leave.add(day)
                del mw.partial_leave[day]
            else:
                mw.partial_leave[day] = merged_spans(mw.partial_leave[day])
        leave_minutes = len(mw.whole_day_leave) * day_minutes + sum(
            end - start for spans in mw.partial_leave.values() for start, end in spans
        )
        # A holiday counts as leave: the shares are of the policy's week (a make-up day
        # fills in for a holiday; a longer week does not raise a quota).
        total_minutes = day_minutes * len(policy.working_days)
        worked = day_minutes * len(days) - leave_minutes
        mw.presence = min(worked / total_minutes, 1.0) if total_minutes else 0.0
        # Exemption from pairs is judged on his share of the week's working days: a holiday
        # is everyone's (it prorates the pair's quotas), not his absence.
        calendar_minutes = day_minutes * len(days)
        own_share = worked / calendar_minutes if calendar_minutes else 0.0
        mw.exempt_from_pairs = own_share < policy.pairs.exempt_below_presence
        for kind, rule in policy.kinds.items():
            if rule.is_daily:
                continue
            if rule.group == "pair":
                if mw.exempt_from_pairs or mw.presence == 0:
                    mw.quotas[kind] = Quota(0, 0, *rule.session_minutes or (0, 0), 0)
                else:
                    mw.quotas[kind] = _weekly_quota(rule, pair_share, policy.grid_minutes)
            elif rule.group == "single":
                mw.quotas[kind] = _weekly_quota(rule, mw.presence, policy.grid_minutes)
    return WeekFrame(policy, week_start, days, managers)
