"""The monthly visit plan 《月度拜访计划》 (SPEC §3: drawn up on the last working day of
the month for the next): for every working day of a month, which retailers each manager
visits, in route order.

The rules, every number from the policy:

- **Working days**: the policy's working weekdays of the month minus the department's
  holidays (`holidays.csv` in its folder: a `date` column, optional `name`).
- **Which visits, in which week** (one due rule with the weekly plans, SPEC §4): the
  month's visits of a retailer are its due visits of every ISO week holding a working
  day of the month, by the weekly rule of `engine.routing.due` (`visits_in_week`), and
  each is made on a working day of ITS week. A week that straddles two months is
  shared by the day each of its visits counts on (`due_days`: the week's visits spread
  evenly over its working days, shifted by a stable offset per retailer): a visit whose
  day lies in this month belongs to this month and is made on one of this month's days
  of the week; the others belong to the neighbouring month and are listed as such
  (`MonthPlan.due`, `other_month`), so that the two months' plans together hold
  exactly the week's due list and neither visits a retailer twice for one due visit.
  A manager on leave every working day of the month has his visits of each week he is away
  all week made by the neighbour whose territory centre lies nearest each retailer, as the
  week's routes do (the policy's `replan.handover`, `_handed_over`), the same one all month
  when a neighbour is at work in each of those weeks (so one plan spaces them); one away every working
  day of some weeks only has those weeks' visits made by the nearest neighbour present once
  every month is planned (step 7, `_cover_away_weeks`): his own visits of the other weeks
  are his to space.
  The share is fixed by the calendar, not by what the other month's plan managed:
  each month is planned, and checked (engine/check/month.py), on its own, unless the
  previous month's plan is given (`previous`, `previous_month`): then a visit it owed in
  the straddling week but left out (listed unplanned) is owed on this month's days of that
  week (`_owed_again`). Visits carried over from recorded actuals are the weekly plan's
  business, not the month's.
- **Evenly spaced**: two visits of a retailer lie at least `floor(min_gap_share × g)`
  working days apart, and two visits of consecutive due slots at most
  `ceil(max_gap_share × g)`, where g = 4 × W / v is its ideal gap (W working days in a
  policy week): with the shipped shares, weekly 4–6 (never twice within three days),
  fortnightly 9–12. A visit that cannot be made leaves a longer gap; its shortfall is
  listed. The month's first (last) visit keeps the most gap to the visit its straddling
  week counts in the previous (next) month when its manager has a visit day of that week
  within it (`_edges_in_reach`: a leave over those days does not cost the visit), and one
  of his visits the week counts in the other month can open a visit day of his there
  (`_edges_made`: else that month makes none of them). Given the previous month's plan,
  its actual last visit of each retailer takes the place of the assumed one, and the
  month's first visit also lies at least the fewest gap after it (`_after_previous`).
- **Focus window** (`month.focus_days`, SPEC §3's days 6–10): the visits of a retailer
  with one of `month.focus_flags` (volatile, enterprise-level) that are due in a week
  overlapping the window go on a working day of the window when that week's days
  allow; such a retailer without any visit in the window is listed.
- **The route fits the day**: each day's visits are a route inside that day's visit
  block of the week's timetable, timed exactly by `engine.routing.daily` (first stop,
  end of visiting, opening hours, service minutes, lunch, the next commitment).

How it is planned, per manager:

1. The week's timetable of each ISO week touching the month (given, or solved here with
   holidays as everyone's leave; a week with the same working days and leave as one
   solved before starts from it and gets a short limit, or is taken as it stands when
   only the independent checker can judge it, `_month_weeks`).
2. **Which day** each visit goes on is a CP-SAT model, not a VRP: the spacing between
   the k-th and (k+1)-th visit of the same retailer and "a window week's visit in the
   window" are plain linear constraints on day variables, which a VRP cannot state.
   Each visit may only take the days of its own week. Each day has a budget of
   minutes (its visiting minutes less the ride into the territory); each visit costs
   its service plus the typical ride between neighbours. Lexicographic objective: the
   focus window first, then the most value of due visits that fit (each visit at its
   `[visit_value]`, as the week's routes price it: one key customer's visit before two
   small ones), then compact days (few territory zones visited per day).
3. **Route order** per day: the VRPTW of `engine.routing.daily` orders the day's
   visits and drops what does not fit; the budgets of days that dropped a visit are
   lowered to what they held and step 2 is solved again (`MonthParams.rounds`).
4. A visit still dropped goes to another day of its week that keeps its spacing, if one has room
   (the most gap counts from the visits of the due slots next to its own, as in step 2).
5. **Fewer km**: a visit moves to another day of its week, or two visits of different days
   trade places, while that rides fewer km and every route, spacing and window visit keeps its
   rules (`_move_to_nearer_days`).
6. **Key customers first** (SPEC §4, as the week's routes keep it): a key-class visit
   (`[visit_value] key_class`) still missing takes the place of the fewest, least valuable
   visits of a day of its week (never the one visit that can open the day), which go elsewhere
   or are left out; repeated while one finds a place. A visit still missing is listed in
   `unplanned` with its reason (closed vocabulary `UNPLANNED_REASONS`), as is a focus retailer
   that missed the window.
7. **Away some weeks**: the visits of a week its manager is away all week go on the nearest
   present neighbour's days of that week where they fit his routes and keep their spacing
   with the visits their own manager makes (`_cover_away_weeks`); his own plan spaced his
   visits either side of such a week so that a day of it keeps the spacing with both
   (`_covered_weeks`).

Never prints.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, computed_field

from engine.check.timetable import judge_timetable
from engine.domain import Conflict, Department, HoursShortfall, Leave, Retailer, Timetable
from engine.errors import InputError, Problem
from engine.policy import WEEKDAYS, Clock, MonthRules, Policy, format_clock
from engine.processes import pool_context, start_pool_server
from engine.routing.approach import manager_approach
from engine.routing.daily import (
    FieldDay,
    Territory,
    cheapest_feasible_insertion,
    cheapest_insertion_km,
    cheapest_insertion_km_without,
    classify_unvisited,
    drop_until_feasible,
    field_days,
    fits_alone,
    part_day_leave,
    removal_km,
    required_stops,
    route_day,
    service_minutes,
    time_visit_route,
)
from engine.routing.due import CYCLE_WEEKS, due_days, week_monday
from engine.routing.matrix import straight_line_matrix
from engine.routing.neighbours import (
    away_all_week,
    away_for_hand_over,
    nearest_neighbour,
    neighbours,
)
from engine.routing.plan import called_for_the_week
from engine.routing.visit_value import room_by_cheaper, visit_value
from engine.routing.vrptw import stop_when_stalled
from engine.search_stall import StallWatch, StopOnStall
from engine.timetable.solve import Progress, SolveParams, solve_timetable
from engine.work_calendar import WorkCalendar

HOLIDAYS_FILE = "holidays.csv"
NEIGHBOURS_FOR_RIDE = 3
"""A visit's typical ride is the mean ride to this many nearest retailers of the territory."""

UnplannedReason = Literal["no_visit_days", "opening_hours", "too_far", "time_window", "no_room_in_day",
                          "spacing", "focus_window", "called_by_phone"]
UNPLANNED_REASONS: tuple[str, ...] = ("no_visit_days", "opening_hours", "too_far", "time_window",
                                      "no_room_in_day", "spacing", "focus_window", "called_by_phone")
"""Why a retailer does not get all its visits of the month: `no_visit_days` its manager has
no visit block in the month; `opening_hours`, `too_far`, `time_window` as for a week's
routes (it fits no day of the month on its own; `time_window` also when it cannot be the
first stop of the empty days it could go on and the others are full); `no_room_in_day` the days it could go on
are full; `spacing` the month has too few days it fits for its visits to be spaced as the
policy asks; `focus_window` a volatile or enterprise-level retailer got no visit in the
focus window; `called_by_phone` an applied capacity proposal calls it in a phone slot instead
of visiting it in a week of the month (`DueInWeek.called`), as the week's routes list it."""


def month_rules(policy: Policy) -> MonthRules:
    """The policy's `[month]` table; an error naming the missing keys when it has none."""
    if policy.month is None:
        raise InputError([Problem(
            f"policy '{policy.name}' has no [month] table: add focus_days, focus_flags, min_gap_share "
            "and max_gap_share (see data/policies/15-13-7.toml)", file=policy.name, column="month")])
    return policy.month


# -- the calendar ------------------------------------------------------------------------------


def read_holidays(folder: Path | str) -> set[dt.date]:
    """The department's holidays from `holidays.csv` (column `date`, YYYY-MM-DD; other
    columns such as `name` are kept for people). No file: no holidays."""
    path = Path(folder) / HOLIDAYS_FILE
    if not path.is_file():
        return set()
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if "date" not in [c.strip().lower() for c in reader.fieldnames or []]:
        raise InputError([Problem("the first row must name a column 'date'", file=HOLIDAYS_FILE, row=1)])
    found: set[dt.date] = set()
    problems = []
    for number, row in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not any(cells.values()) or cells.get("kind", "").lower() == "workday":
            continue  # a make-up working day is a working day (the department's calendar adds it)
        try:
            found.add(dt.date.fromisoformat(cells["date"]))
        except ValueError:
            problems.append(Problem(f"'{cells['date']}' is not a date YYYY-MM-DD", file=HOLIDAYS_FILE,
                                    row=number, column="date"))
    if problems:
        raise InputError(problems)
    return found


def _calendar_holidays(department: Department, policy: Policy, year: int, month: int) -> set[dt.date]:
    """The month's holidays by the department's calendar (listed in the plan as such)."""
    works = WorkCalendar(department, policy)
    days = (dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1))
    return {d for d in days if works.is_holiday(d)}


def parse_month(text: str) -> tuple[int, int]:
    """'2026-12' -> (2026, 12)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month YYYY-MM") from None
    return year, month


def working_days(policy: Policy, year: int, month: int, holidays: set[dt.date],
                 department: Department | None = None) -> list[dt.date]:
    """The month's working days: the policy's working weekdays, or with a department its
    calendar (public holidays and make-up working days, engine/work_calendar.py); `holidays`
    left out."""
    days = [dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    if department is not None:
        works = WorkCalendar(department, policy)
        return [d for d in days if works.is_working_day(d) and d not in holidays]
    weekdays = {WEEKDAYS.index(d) for d in policy.working_days}
    return [d for d in days if d.weekday() in weekdays and d not in holidays]


def gap_bounds(visits_per_4_weeks: int, policy: Policy) -> tuple[int, int]:
    """Fewest and most working days between two visits of a retailer of this frequency."""
    rules = month_rules(policy)
    ideal = CYCLE_WEEKS * len(policy.working_days) / max(visits_per_4_weeks, 1)
    return max(1, math.floor(rules.min_gap_share * ideal + 1e-9)), math.ceil(rules.max_gap_share * ideal - 1e-9)


def month_due(department: Department, policy: Policy, days: Sequence[dt.date],
              holidays: set[dt.date]) -> list[DueInWeek]:
    """Each retailer's due visits of every ISO week holding one of the month's working
    `days`, split between this month and the neighbouring one by the day each counts on
    (`engine.routing.due.due_days`; the week's working days by the department's calendar,
    `holidays` left out)."""
    in_month = set(days)
    works = WorkCalendar(department, policy)
    due = []
    for monday in sorted({week_monday(d) for d in days}):
        week_days = [d for d, _ in works.working_days(monday) if d not in holidays]
        called = called_for_the_week(department, monday)
        for retailer in department.retailers:
            counted = due_days(retailer.id, retailer.visits_per_4_weeks, week_days)
            if counted:
                here = sum(d in in_month for d in counted)
                due.append(DueInWeek(week_start=monday, retailer=retailer.id, manager=retailer.manager,
                                     visits=here, other_month=len(counted) - here,
                                     called=here if retailer.id in called else 0))
    return due


def focus_dates(days: Sequence[dt.date], policy: Policy) -> list[dt.date]:
    """The working days of the focus window (`month.focus_days`)."""
    first, last = month_rules(policy).focus_days
    return [d for d in days if first <= d.day <= last]


def in_focus(retailer: Retailer, policy: Policy) -> bool:
    """True when the retailer carries one of the policy's focus flags."""
    return any(getattr(retailer, flag) for flag in month_rules(policy).focus_flags)


# -- the result --------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class MonthStop(_Out):
    """A visit: when the manager arrives, starts and ends."""

    retailer: str
    arrive: Clock
    start: Clock
    end: Clock
    owner: str | None = None
    """The retailer's own manager when another makes the visit (his visits handed over for a
    week or the month he is away); None when the route's manager is its own."""
    lat: float | None = None
    lon: float | None = None
    """The retailer's place as the department gave it when the month was planned: the next
    month's `--previous` knows the shop by it (a shop of the same id elsewhere is another)."""


class MonthRoute(_Out):
    """One manager's visits on one day, in route order, inside that day's visit block."""

    manager: str
    date: dt.date
    visit_start: Clock
    visit_end: Clock
    start_from: str = Field(description='"office" or the retailer of the appointment before the block')
    stops: tuple[MonthStop, ...]
    required_stops: int | None = None
    """The stops the policy asks of the day (SPEC §3, `route.min_stops_town` / `_country` by
    the day's area), as the week's routes state it; None when the policy asks none."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def waiting_minutes(self) -> int:
        """Minutes the manager waits at his stops for them to open, as the week's routes
        count them: a day's first stop must be reached by the first-stop time (SPEC §3), so a
        day of few visits, its first opening late, waits there (tester's d8e: m02 on 12-10 at
        R02004 08:25-10:00, its only other visit at the same spot; either order waits)."""
        return sum(max(stop.start - stop.arrive, 0) for stop in self.stops)


class Unplanned(_Out):
    """A retailer that does not get all its visits (or its focus visit), and why."""

    retailer: str
    manager: str
    wanted: int
    planned: int
    reason: UnplannedReason
    detail: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts_visits(self) -> bool:
        """False on a `focus_window` line: its wanted/planned count the visit in the focus
        window, which the retailer may also lack among its visits (then it has a line of its
        own); the month's missing visits are the sum over the lines that count visits."""
        return self.reason != "focus_window"


class DueInWeek(_Out):
    """A retailer's due visits of one ISO week (the weekly due rule, SPEC §4): `visits`
    belong to this month, `other_month` to the neighbouring month the week straddles into."""

    week_start: dt.date
    retailer: str
    manager: str
    visits: int
    other_month: int = 0
    called: int = 0
    """Of `visits`, those a phone call replaces: an applied capacity proposal calls the
    retailer in a phone slot that week instead (retailers.csv's `phone_call_week`, read as the
    week's routes read it, `called_for_the_week`). Still due, never visited: the week's plan
    lists them `called_by_phone` and its time goes to other visits, so the month's does too."""


class WeekSolved(_Out):
    """A week's timetable the month is planned in."""

    week_start: dt.date
    status: str
    objective: float | None = None
    minutes_short: int = 0
    """Weekly hours the week's timetable lacks, declared in its shortfalls (minutes)."""
    taken_from: dt.date | None = None
    """The week alike whose timetable this week took as it stands (moved to its dates and
    accepted by the independent checker); None when solved for this week."""
    conflicts: tuple[Conflict, ...] = ()
    """Why a week without a timetable has none (its rules that conflict, in words)."""
    shortfalls: tuple[HoursShortfall, ...] = ()
    """Who is short of which weekly hours that week, and why (the timetable's shortfalls)."""
    week_notes: tuple[str, ...] = ()
    """What the week's timetable says a reader would not expect (a make-up working day, a far
    manager's later first stop: `Timetable.week_notes`); a week taken from a week alike says
    it there."""


class MonthPlan(_Out):
    """The month's visit plan: the JSON contract of `fieldweek month --json`."""

    department: str
    policy: str
    month: str
    days: tuple[dt.date, ...]
    holidays: tuple[dt.date, ...] = ()
    focus_days: tuple[dt.date, ...] = ()
    routes: tuple[MonthRoute, ...] = ()
    unplanned: tuple[Unplanned, ...] = ()
    due: tuple[DueInWeek, ...] = ()
    """Per ISO week and retailer, its due visits and which of them this month holds."""
    weeks: tuple[WeekSolved, ...] = ()
    visits: int = 0
    wanted: int = 0
    solve_seconds: float = 0.0
    notes: tuple[str, ...] = ()
    """What the market manager should know of the month as a whole (a focus window without
    a working day, so no focus visit asked; a visit the previous month left out in a week
    this month has no working day of, so owed by neither)."""
    department_fingerprint: str | None = None
    """`department_fingerprint` of the department the month was planned for: the next
    month's `--previous` reads this plan only for the same department (two generated
    departments share a name and ids). None in a plan written before it."""
    _timetables: dict[dt.date, Timetable] = PrivateAttr(default_factory=dict)

    @property
    def timetables(self) -> dict[dt.date, Timetable]:
        """The weeks' timetables the month was planned on (not part of the JSON), for the
        checker to judge the routes against."""
        return self._timetables

    def to_json_dict(self) -> dict:
        """The plan as JSON-ready data."""
        return self.model_dump(mode="json", by_alias=True)


def department_fingerprint(department: Department) -> str:
    """What identifies a department's plans, hashed (sha256, hex): its managers' ids and its
    retailers' ids, each with its manager and place (lat/lon to 6 decimals), as canonical
    JSON (keys sorted, no spaces, UTF-8). Leave, hours and frequencies are not in it: they
    change from month to month without making it another department."""
    identity = {"managers": sorted(m.id for m in department.managers),
                "retailers": sorted([r.id, r.manager, round(r.lat, 6), round(r.lon, 6)]
                                    for r in department.retailers)}
    text = json.dumps(identity, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class PreviousMonth:
    """What a month reads of the previous month's plan (`fieldweek month --previous`): the
    dates each retailer's visits were actually planned on, the working days that month
    counted (spacing counts working days), the visits each retailer was listed short of, and
    the visits the previous month owed in the week straddling the two months but did not
    make (listed unplanned), which this month then owes on its days of that week."""

    month: str
    days: tuple[dt.date, ...]
    visits: Mapping[str, tuple[dt.date, ...]]
    short: Mapping[str, int]
    unmade: Mapping[str, int]
    unread: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Retailers of the previous plan not read, each with why (`_unread_in_previous`): their
    first visits are spaced as without it."""
    week: Mapping[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    """Per retailer its plan's `due` names in the week straddling the two months (read ones
    only), that due's (`visits`, `other_month`): what the previous month owed itself in that
    week and what it left to this month. That plan is the fact (`_owed_again`): each month
    splits the week by its own calendar, and a holiday added since moves a visit's day
    (tester B3, d675c: each month said the other owed it)."""

    def since(self, retailer_id: str) -> int | None:
        """The position of the retailer's last visit of the previous month, counted in working
        days from this month's first (the previous month's last working day is -1); None
        without one."""
        dates = self.visits.get(retailer_id)
        if not dates:
            return None
        return -sum(1 for d in self.days if d >= max(dates))


def previous_month(data: object, department: Department, year: int, month: int,
                   where: str = "--previous", policy: str | None = None) -> PreviousMonth:
    """The previous month's plan (`MonthPlan`, or its JSON data as `month --json` writes it)
    as this month reads it. Refused (`InputError`, naming the file `where`) when it is not a
    month plan, is of another department's name, is not of the month directly before or of
    this month's `policy` (when given: the spacing is the policy's), dates a route outside its
    own month's working days, or is another department's by its shops: of another
    `department_fingerprint` and most retailers it visits not this department's as it stands
    (`_unread_in_previous`). Under a changed department the rest is read: the retailers that
    changed are listed in `PreviousMonth.unread`."""
    try:
        plan = data if isinstance(data, MonthPlan) else MonthPlan.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError([Problem(f"not a month plan (as `fieldweek month --json` writes it): "
                                  f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}", where)]) from None
    before = dt.date(year, month, 1) - dt.timedelta(days=1)
    problems = []
    if plan.department != department.name:
        problems.append(Problem(f"the previous month's plan is of department {plan.department!r}, "
                                f"not {department.name!r}", where))
    if plan.month != f"{before.year:04d}-{before.month:02d}":
        problems.append(Problem(f"the previous month's plan is of {plan.month}; the month before "
                                f"{year:04d}-{month:02d} is {before.year:04d}-{before.month:02d}", where))
    if policy is not None and plan.policy != policy:
        problems.append(Problem(f"the previous month's plan is of policy {plan.policy!r}, this month's is "
                                f"{policy!r}: its visits are spaced by another policy's rules", where))
    problems += [Problem(text, where) for text in _previous_date_problems(plan)]
    if problems:
        raise InputError(problems)
    same = plan.department_fingerprint == department_fingerprint(department)
    unread = {} if same else _unread_in_previous(plan, department)
    visited = {stop.retailer for route in plan.routes for stop in route.stops}
    if 2 * len(unread.keys() & visited) > len(visited):
        # Most of its shops are not this department's as it stands: another department of the
        # same name and ids (tester B2: generated seeds 659 and 660 are both 基准部门7人).
        named = ", ".join(f"{rid} ({why})" for rid, why in sorted(unread.items())[:_NAMED])
        raise InputError([Problem(f"the previous month's plan is of another department named {plan.department!r}: "
                                  f"{len(unread.keys() & visited)} of the {len(visited)} retailers it visits are not "
                                  f"this department's as it stands ({named}"
                                  f"{', …' if len(unread) > _NAMED else ''})", where)])
    visits: dict[str, list[dt.date]] = defaultdict(list)
    for route in plan.routes:
        for stop in route.stops:
            if stop.retailer not in unread:
                visits[stop.retailer].append(route.date)
    short: Counter[str] = Counter()
    for line in plan.unplanned:
        if line.counts_visits and line.retailer not in unread:
            short[line.retailer] += max(line.wanted - line.planned, 0)
    straddling = week_monday(before)
    made = Counter(r for r, dates in visits.items() for d in dates if week_monday(d) == straddling)
    unmade = {item.retailer: missing for item in plan.due
              if item.week_start == straddling and short[item.retailer]
              and (missing := min(item.visits - item.called - made[item.retailer], short[item.retailer])) > 0}
    week = {item.retailer: (item.visits, item.other_month) for item in plan.due
            if item.week_start == straddling and item.retailer not in unread}
    return PreviousMonth(month=plan.month, days=plan.days,
                         visits={r: tuple(sorted(dates)) for r, dates in visits.items()},
                         short=dict(short), unmade=unmade, unread=unread, week=week)


def _unread_in_previous(plan: MonthPlan, department: Department) -> dict[str, str]:
    """The retailers of the previous month's plan its visits are not read for, each with why:
    one the department no longer has, one at another place than the department now gives (a
    stop states its place), or, where a stop states none (a plan written before places), one
    visited for another manager than its own. A department changes between months (a shop
    opens, closes, moves or passes to another manager): the rest of the plan still holds."""
    shops = {r.id: r for r in department.retailers}
    unread: dict[str, str] = {}
    for route in plan.routes:
        for stop in route.stops:
            shop = shops.get(stop.retailer)
            made_for = stop.owner or route.manager
            if shop is None:
                unread[stop.retailer] = "not in the department"
            elif stop.lat is not None and stop.lon is not None:
                if (round(stop.lat, 6), round(stop.lon, 6)) != (round(shop.lat, 6), round(shop.lon, 6)):
                    unread[stop.retailer] = "at another place now"
            elif shop.manager != made_for:
                unread[stop.retailer] = f"{shop.manager}'s now, visited for {made_for}"
    return unread


_NAMED = 5
"""Problems of one kind a refused previous plan lists by name before '… and N more'."""


def _previous_date_problems(plan: MonthPlan) -> list[str]:
    """What in the previous month's plan is not of its own month, in words: a working day
    outside its month, a route dated outside it or on none of its `days` (a file edited by
    hand: its visits' dates would space this month's wrongly)."""
    month = plan.month
    found: dict[str, list[str]] = defaultdict(list)
    listed = set(plan.days)
    for day in sorted(d for d in listed if f"{d:%Y-%m}" != month):
        found["days"].append(f"its working day {day} lies outside {month}")
    for route in plan.routes:
        where = f"{route.manager}'s route of {route.date}"
        if f"{route.date:%Y-%m}" != month:
            found["dates"].append(f"{where} is dated outside {month}, the plan's month")
        elif route.date not in listed:
            found["dates"].append(f"{where} is not one of its working days (its `days`)")
    said = []
    for texts in found.values():
        unique = list(dict.fromkeys(texts))
        said += [f"the previous month's plan: {text}" for text in unique[:_NAMED]]
        if len(unique) > _NAMED:
            said[-1] += f" (and {len(unique) - _NAMED} more alike)"
    return said


def _owed_again(due: Sequence[DueInWeek], previous: PreviousMonth | None,
                days: Sequence[dt.date]) -> tuple[list[DueInWeek], dict[str, int]]:
    """The due list with the straddling week split as the previous month's plan split it,
    and the visits it owed in that week but did not make (`PreviousMonth.unmade`) owed on
    this month's days of that week, and those visits per retailer (none when this month has
    no working day in that week). Of a retailer's visits due in that week, this month owes
    what the previous plan left to it (its `other_month`, `PreviousMonth.week`), or the whole
    week when that plan's due does not name it (a shop new since), in place of the split by
    this month's own calendar: the two months' calendars may disagree (a holiday added after
    the previous month was planned), and each then said the other owed it (tester B3). A
    retailer the previous plan is not read for (`PreviousMonth.unread`) keeps this month's
    own split."""
    if previous is None or not days:
        return list(due), {}
    straddling = week_monday(days[0].replace(day=1))
    if week_monday(days[0]) != straddling:
        return list(due), {}
    carried: dict[str, int] = {}
    again = []
    for item in due:
        if item.week_start == straddling and item.retailer not in previous.unread:
            item = _split_as_before(item, previous.week.get(item.retailer))
        more = previous.unmade.get(item.retailer, 0) if item.week_start == straddling else 0
        if more:
            carried[item.retailer] = more
            item = item.model_copy(update={"visits": item.visits + more,
                                           "other_month": max(item.other_month - more, 0)})
        again.append(item)
    return again, carried


def _split_as_before(item: DueInWeek, before: tuple[int, int] | None) -> DueInWeek:
    """The retailer's due of the straddling week with this month's share the one the previous
    plan left to it (`before`, that plan's `visits` and `other_month`), never more than the
    week's visits by this month's calendar, or the whole week when that plan does not name
    the retailer (None)."""
    total = item.visits + item.other_month
    here = total if before is None else min(before[1], total)
    if here == item.visits:
        return item
    return item.model_copy(update={"visits": here, "other_month": total - here,
                                   "called": here if item.called else 0})


def _split_not_owed_notes(department: Department, previous: PreviousMonth | None, due: Sequence[DueInWeek],
                          days: Sequence[dt.date], year: int, month: int) -> tuple[str, ...]:
    """The visits of the straddling week the previous month's plan left to this month (its
    `other_month`) that this month cannot owe: it has no working day in that week (a holiday
    added since). Said per retailer, as `_not_owed_notes` says the visits left out."""
    first = dt.date(year, month, 1)
    straddling = week_monday(first)
    if previous is None or straddling == first or any(item.week_start == straddling for item in due):
        return ()
    if days and week_monday(days[0]) == straddling:
        return ()
    owners = {r.id: r.manager for r in department.retailers}
    return tuple(f"{rid} ({owners.get(rid, '?')}): {other} visit(s) of the week of {straddling:%m-%d} that "
                 f"{previous.month}'s plan left to this month are owed by neither month: this month has no working "
                 "day in that week (its days of it are holidays or not worked); make it up by hand"
                 for rid, (_, other) in sorted(previous.week.items()) if other > 0 and rid in owners)


@dataclasses.dataclass(frozen=True)
class MonthParams:
    """Solver budgets of the month plan (seconds)."""

    timetable_time_limit_s: float = 10.0
    """Per ISO week, when the week's timetable is solved here."""
    assign_time_limit_s: float = 1.0
    """Per manager and round, for the day assignment (CP-SAT)."""
    route_time_limit_s: float = 0.3
    """Per manager and day, for the route order (VRPTW)."""
    rounds: int = 2
    """Day assignments solved in all (each after the routes have said which days were too full
    and which had room left)."""
    workers: int = 8
    """CP-SAT workers of one solve; shared out between the processes that solve at once."""
    seed: int = 0
    processes: int = 0
    """Managers' months solved at once, each in its own process: 0 one per CPU core, 1 one
    after another in this process."""
    assign_stall_s: float | None = 1.0
    """A day assignment stops this long after its last improvement (None: its whole limit)."""
    route_stall_iterations: int | None = 200
    """A day's route stops after this many solver iterations without improvement (None: its
    whole limit); a day of a manager's month is small and its route settles early."""
    timetable_stall_s: float | None = 1.0
    """A week's timetable search ends this long after its last better week (None: its whole
    limit); from its first week on, a week's search seldom improves late (RESULTS §10)."""
    timetable_retry_s: float | None = 30.0
    """A week for which no timetable at all is found within `timetable_time_limit_s` (a
    loaded machine) is searched again with this limit (None: it is left without one, and
    its visits unplanned)."""
    like_week_time_limit_s: float | None = 2.0
    """A week with the same working days and leave as a week solved before starts from the
    best such week, moved to its dates, and gets this long (`_month_weeks`); it is solved
    from scratch with the whole `timetable_time_limit_s` only when that start is refused
    or leaves it shorter of hours. None: every week from scratch."""


@dataclasses.dataclass(frozen=True)
class MonthProgress:
    """Where a month plan is, for a person watching: `stage` "weeks" (the weeks'
    timetables) or "managers" (the managers' months), `done` of `total` in it, and a
    line of text (during a week's search, its best objective and bound)."""

    stage: Literal["weeks", "managers"]
    done: int
    total: int
    text: str


OnMonthProgress = Callable[[MonthProgress], None]


# -- planning ----------------------------------------------------------------------------------


def with_holidays(department: Department, holidays: set[dt.date]) -> Department:
    """The department with every holiday as a whole day of leave for every manager."""
    extra = tuple(Leave(manager=m.id, date=day) for day in sorted(holidays) for m in department.managers)
    return department.model_copy(update={"leave": department.leave + extra})


def month_timetables(department: Department, policy: Policy, days: Sequence[dt.date], holidays: set[dt.date],
                     params: MonthParams, given: Mapping[dt.date, Timetable] | None = None) -> dict[dt.date, Timetable]:
    """The timetable of every ISO week holding a working day of the month (`_month_weeks`)."""
    return _month_weeks(department, policy, days, holidays, params, given)[0]


def _month_weeks(department: Department, policy: Policy, days: Sequence[dt.date], holidays: set[dt.date],
                 params: MonthParams, given: Mapping[dt.date, Timetable] | None = None,
                 on_progress: OnMonthProgress | None = None,
                 ) -> tuple[dict[dt.date, Timetable], dict[dt.date, dt.date]]:
    """The timetable of every ISO week holding a working day of the month, and for each
    week taken as it stands from a week alike, that week's Monday.

    Given weeks are taken as they are. A week like one solved before (`_week_shape`: the
    same working days, leave and holidays) starts from the best such week, moved to its
    dates, with `params.like_week_time_limit_s`: its own model judges that start, since
    the due retailers, and with them the rides into each area, differ from week to week.
    When the model cannot complete it (its rides are rounded up to the grid) but the
    independent checker finds it breaks no rule on its new dates, it is taken as it
    stands (no objective: this week's model never priced it). Otherwise, or when it
    ends shorter of hours than the week it came from, the week is solved from scratch
    and the better of the two kept. One week after another, each with every core: two
    weeks at once on two cores each found no week at all within the limit under load
    (benchmarks/RESULTS.md §10)."""
    given = dict(given or {})
    holiday_department = with_holidays(department, holidays)
    calendar_ = WorkCalendar(holiday_department, policy)
    full = SolveParams(time_limit_s=params.timetable_time_limit_s, workers=params.workers, seed=params.seed,
                       stall_s=params.timetable_stall_s)
    found: dict[dt.date, Timetable] = {}
    taken_from: dict[dt.date, dt.date] = {}
    best_of_shape: dict[tuple, Timetable] = {}
    mondays = sorted({week_monday(d) for d in days})
    report = on_progress or (lambda _: None)
    for number, monday in enumerate(mondays):
        if monday in given:
            found[monday] = given[monday]
            continue

        def searching(point: Progress, number: int = number, monday: dt.date = monday) -> None:
            report(MonthProgress("weeks", number, len(mondays),
                                 f"week of {monday:%m-%d}: best {point.objective:g}, bound {point.bound:g}"))

        shape = _week_shape(holiday_department, calendar_, monday)
        like = best_of_shape.get(shape)
        week: Timetable | None = None
        taken = False
        if like is not None and params.like_week_time_limit_s is not None:
            # A week already solved is the start: no floors to look for in its short limit.
            quick = dataclasses.replace(full, time_limit_s=params.like_week_time_limit_s, warm_start_or_nothing=True,
                                        hours_floor=False)
            week, taken = _week_from_one_alike(holiday_department, policy, monday, like, quick, searching)
        if week is None or like is None or _hours_short(week) > _hours_short(like):
            fresh = solve_timetable(holiday_department, policy, monday, full, on_progress=searching).timetable
            if not fresh.blocks and fresh.status == "unknown" and params.timetable_retry_s:
                longer = dataclasses.replace(full, time_limit_s=params.timetable_retry_s)
                fresh = solve_timetable(holiday_department, policy, monday, longer, on_progress=searching).timetable
            # A start that did not fit has nothing to keep: the fresh answer, conflicts and all.
            if week is None or not week.blocks or _better_week(week, fresh) is fresh:
                week, taken = fresh, False
        found[monday] = week
        short = _hours_short(week)
        report(MonthProgress("weeks", number + 1, len(mondays), f"week of {monday:%m-%d}: "
                             + (f"taken from the week of {like.week_start:%m-%d}" if taken and like else week.status)
                             + (f", {short:g} min short" if week.blocks and short else "")))
        if taken and like is not None:
            taken_from[monday] = like.week_start
        if week.blocks and (like is None or _better_week(like, week) is week):
            best_of_shape[shape] = week
    return found, taken_from


def _week_from_one_alike(department: Department, policy: Policy, monday: dt.date, like: Timetable,
                         params: SolveParams, on_progress: Callable[[Progress], None]) -> tuple[Timetable, bool]:
    """The week solved from `like` moved to its dates; when its model cannot complete
    that start but the independent checker accepts it, the moved week as it stands
    (True: taken, not solved)."""
    moved = _moved(like, monday)
    week = solve_timetable(department, policy, monday, params, warm_start=moved, on_progress=on_progress).timetable
    if week.blocks or judge_timetable(department, policy, moved).violations:
        return week, False
    return moved.model_copy(update={"objective": None, "best_bound": None, "solve_seconds": 0.0,
                                    "first_feasible_seconds": None, "proof_seconds": None}), True


def _week_shape(department: Department, calendar_: WorkCalendar, monday: dt.date) -> tuple:
    """What a week's timetable is made of apart from its dates and due lists: its working
    days (weekday offset, the rules they follow) and its leave and holidays as (manager,
    weekday offset, start, end)."""
    working = tuple(((day - monday).days, rules) for day, rules in calendar_.working_days(monday))
    leave = sorted((leave.manager, (leave.date - monday).days, str(leave.start), str(leave.end))
                   for leave in department.leave if week_monday(leave.date) == monday)
    return working, tuple(leave)


def _hours_short(timetable: Timetable) -> float:
    """Minutes of weekly hours the week lacks (a daily block the leave leaves no room for
    is not owed); a week without blocks lacks everything."""
    if not timetable.blocks:
        return math.inf
    return sum(s.minutes_short for s in timetable.shortfalls if not s.not_owed)


def _better_week(incumbent: Timetable, challenger: Timetable) -> Timetable:
    """The week short of fewer hours, then the one of lower objective; the incumbent on a tie."""
    def key(t: Timetable) -> tuple[float, float]:
        return _hours_short(t), t.objective if t.objective is not None else math.inf
    return challenger if key(challenger) < key(incumbent) else incumbent


def _moved(timetable: Timetable, monday: dt.date) -> Timetable:
    """A timetable moved to another week (a warm start for it)."""
    shift = monday - timetable.week_start
    return timetable.model_copy(update={
        "week_start": monday,
        "blocks": tuple(b.model_copy(update={"date": b.date + shift}) for b in timetable.blocks),
    })


def plan_month(
    department: Department,
    policy: Policy,
    year: int,
    month: int,
    holidays: set[dt.date] | None = None,
    timetables: Mapping[dt.date, Timetable] | None = None,
    params: MonthParams | None = None,
    on_progress: OnMonthProgress | None = None,
    previous: PreviousMonth | None = None,
) -> MonthPlan:
    """Plan the month's visits of every manager (see the module text).

    `timetables` maps ISO-week Mondays to the weeks' timetables; weeks not given are
    solved here. `holidays` are left out of the working days. `on_progress` hears of
    each week's search and each manager's month as they end. `previous` (`previous_month`)
    is the previous month's plan: its visits' actual dates space the month's first visits,
    and the visits it owed in the straddling week but did not make are owed here."""
    started = time.perf_counter()
    params = params or MonthParams()
    month_rules(policy)
    holidays = set(holidays or ()) | _calendar_holidays(department, policy, year, month)
    days = working_days(policy, year, month, holidays, department)
    focus = set(focus_dates(days, policy))
    due, carried = _owed_again(month_due(department, policy, days, holidays), previous, days)
    if _pool_size(params, len(department.managers)) > 1:
        start_pool_server()
    weeks, taken_from = _month_weeks(department, policy, days, holidays, params, timetables, on_progress)
    made_by = _handed_over(department, policy, days, due)
    with _solver_pool(params, len(department.managers)) as (pool, shared):
        months = _plan_managers(department, policy, days, weeks, focus, shared, made_by, pool, on_progress,
                                (previous, carried))
    routes = [route for one in months for route in one.routes]
    unplanned = _one_line_per_handed_retailer([item for one in months for item in one.unplanned], routes, due,
                                              made_by, focus)
    routes, unplanned = _cover_away_weeks(department, policy, days, weeks, due, made_by, routes, unplanned,
                                          focus, (previous, carried))
    plan = MonthPlan(
        department=department.name, policy=policy.name, month=f"{year:04d}-{month:02d}", days=tuple(days),
        holidays=tuple(sorted(d for d in holidays if (d.year, d.month) == (year, month))),
        focus_days=tuple(sorted(focus)), routes=tuple(routes), unplanned=tuple(unplanned), due=tuple(due),
        weeks=tuple(WeekSolved(week_start=m, status=t.status, objective=t.objective,
                               minutes_short=sum(s.minutes_short for s in t.shortfalls if not s.not_owed),
                               taken_from=taken_from.get(m),
                               conflicts=t.conflicts if not t.blocks else (), shortfalls=t.shortfalls,
                               week_notes=() if m in taken_from else t.week_notes)
                    for m, t in sorted(weeks.items())),
        visits=sum(len(r.stops) for r in routes), wanted=sum(d.visits for d in due),
        solve_seconds=round(time.perf_counter() - started, 3),
        notes=(_month_notes(policy, days, focus) + _not_owed_notes(department, previous, carried, year, month)
               + _split_not_owed_notes(department, previous, due, days, year, month)
               + _unread_notes(previous)),
        department_fingerprint=department_fingerprint(department),
    )
    plan._timetables = dict(weeks)
    return plan


def _month_notes(policy: Policy, days: Sequence[dt.date], focus: set[dt.date]) -> tuple[str, ...]:
    """A focus window no working day of the month falls in (February's Spring Festival over
    days 6-10): no focus visit is asked, which the plan says rather than drops in silence."""
    rules = month_rules(policy)
    if focus or not days or not rules.focus_flags:
        return ()
    first, last = rules.focus_days
    return (f"no working day of the month falls on days {first}-{last} (the focus window, [month] focus_days): "
            f"no {'/'.join(rules.focus_flags)} retailer is asked a visit in it this month",)


def _unread_notes(previous: PreviousMonth | None) -> tuple[str, ...]:
    """The retailers whose visits of the previous month's plan are not read (the department
    changed between the months): said, so that a market manager knows which first visits
    were spaced as without that plan."""
    if previous is None or not previous.unread:
        return ()
    named = ", ".join(f"{rid} ({why})" for rid, why in sorted(previous.unread.items())[:_NAMED])
    more = f" and {len(previous.unread) - _NAMED} more" if len(previous.unread) > _NAMED else ""
    return (f"{len(previous.unread)} retailer(s) of {previous.month}'s plan are not this department's as it "
            f"stands: {named}{more}; their first visits are spaced as without that plan",)


def _not_owed_notes(department: Department, previous: PreviousMonth | None, carried: Mapping[str, int],
                    year: int, month: int) -> tuple[str, ...]:
    """The visits the previous month owed in the week straddling the two months and left out
    that this month does not owe either (`_owed_again` owes them on this month's days of that
    week, and it has none: January's part of the week of 12-28 is the holiday 01-01): said,
    per retailer, rather than lost in silence (tester B2, R04008 and R04025)."""
    if previous is None:
        return ()
    straddling = week_monday(dt.date(year, month, 1))
    owners = {r.id: r.manager for r in department.retailers}
    return tuple(f"{rid} ({owners.get(rid, '?')}): {missing} visit(s) of the week of {straddling:%m-%d} that "
                 f"{previous.month}'s plan left out are owed by neither month: this month has no working day in "
                 "that week (its days of it are holidays or not worked); make it up by hand"
                 for rid, missing in sorted(previous.unmade.items()) if missing > carried.get(rid, 0))


def _handed_over(department: Department, policy: Policy, days: Sequence[dt.date],
                 due: Sequence[DueInWeek]) -> list[DueInWeek]:
    """The due visits as the managers make them: a manager on leave every working day of
    the month has his visits of each week he is away all week made by the neighbour whose
    territory centre lies nearest the retailer (the week's rule, routing/neighbours.py, when
    the policy's `replan.handover` names "neighbour"; a neighbour away that week takes none),
    of those at work in every week the retailer's visits are handed over when there are
    any: the managers' months are planned apart, so visits split between two neighbours
    (one away a week of the month) would not keep their spacing. Only then: a manager
    who makes some of a retailer's visits himself would space them without knowing the
    neighbour's days. The plan's `due` keeps the owners."""
    rules = policy.replan
    away_month = set(away_all_week(department, days))
    if rules is None or "neighbour" not in rules.handover or not away_month:
        return list(due)
    away = _away_in_month_weeks(department, days)
    not_taking = _not_taking_in_month_weeks(department, policy, days)
    centres = department.territory_centres()
    by_id = {r.id: r for r in department.retailers}

    def at_work(item: DueInWeek) -> list[str]:
        absent = away.get(item.week_start, set())
        return ([m for m in neighbours(item.manager, centres, rules.neighbour_max_km)
                 if m not in not_taking.get(item.week_start, set())]
                if item.manager in absent and item.manager in away_month else [])

    near_by_week = [at_work(item) for item in due]
    every_week = _at_work_every_handed_week(due, near_by_week)
    made: list[DueInWeek] = []
    for item, near in zip(due, near_by_week, strict=True):
        # One maker for all the retailer's handed weeks when a neighbour is at work in each:
        # two makers plan their shares apart and could not keep the visits' spacing.
        choice = [m for m in every_week.get(item.retailer, []) if m in near] or near
        made.append(item.model_copy(update={"manager": nearest_neighbour(by_id[item.retailer], choice, centres)})
                    if near else item)
    return made


def _at_work_every_handed_week(due: Sequence[DueInWeek], near_by_week: Sequence[list[str]]) -> dict[str, list[str]]:
    """Per retailer with visits handed over (a non-empty `near_by_week` entry), the
    neighbours at work in every one of its weeks with visits handed over (empty when none)."""
    common: dict[str, set[str]] = {}
    for item, near in zip(due, near_by_week, strict=True):
        if near and item.visits:
            common[item.retailer] = common[item.retailer] & set(near) if item.retailer in common else set(near)
    return {r: sorted(ms) for r, ms in common.items()}



def _away_in_month_weeks(department: Department, days: Sequence[dt.date]) -> dict[dt.date, set[str]]:
    """Per ISO week of the month, the managers on leave every working day of the month in
    that week: the days its visits of this month are made on (a week straddling two months
    makes this month's share on this month's days, `month_due`), so one at work only on
    the other month's days of the week makes none of them."""
    weeks: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in days:
        weeks[week_monday(day)].append(day)
    return {monday: set(away_all_week(department, dates)) for monday, dates in weeks.items()}


def _not_taking_in_month_weeks(department: Department, policy: Policy,
                               days: Sequence[dt.date]) -> dict[dt.date, set[str]]:
    """Per ISO week of the month, the managers who take no away colleague's visits that
    week: away all of its working days of the month or most of them (the week's rule,
    routing/neighbours.py `away_for_hand_over`). Tester's d8: m02, at work only on the
    make-up Saturday 12-19, was handed m03's visits for the month and made none of that
    week's, so m03's class-A customers went unvisited while neighbours made class-C visits."""
    weeks: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in days:
        weeks[week_monday(day)].append(day)
    return {monday: set(away_for_hand_over(department, dates, (policy.day.start, policy.day.end),
                                           policy.pairs.exempt_below_presence))
            for monday, dates in weeks.items()}


def _cover_away_weeks(department: Department, policy: Policy, days: Sequence[dt.date],
                      weeks: Mapping[dt.date, Timetable], due: Sequence[DueInWeek], made_by: Sequence[DueInWeek],
                      routes: list[MonthRoute], unplanned: list[Unplanned],
                      focus: set[dt.date], before: _Before = (None, {})) -> tuple[list[MonthRoute], list[Unplanned]]:
    """Step 7: a manager away every working day of some weeks (not the whole month,
    `_handed_over`) has his visits of those weeks made by a neighbour present, as the
    week's routes hand them over (`replan.handover` names "neighbour"): once every
    manager's month is planned, each such visit, key customers first, goes on the day of
    that week of the neighbour nearest it that has room, where it adds the fewest km, keeps
    every rule of the day and keeps its spacing with the visits its own manager makes in
    the other weeks; a key customer no day has room for takes the place of a neighbour's
    less valuable visits (`room_by_cheaper`, the week's rule), which go on another day of
    theirs or are listed. One that finds no day stays listed under its manager, saying why."""
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return routes, unplanned
    away = _away_in_month_weeks(department, days)
    not_taking = _not_taking_in_month_weeks(department, policy, days)
    away_month = set(away_all_week(department, days))
    handed = [d for d, by in zip(due, made_by, strict=True)
              if by.manager == d.manager and d.visits > d.called and d.manager in away.get(d.week_start, set())
              and d.manager not in away_month]
    if not handed:
        return routes, unplanned
    cover = _AwayCover(department, policy, days, weeks, due, routes, focus, [d.retailer for d in handed], before)
    centres = department.territory_centres()
    refused: dict[str, str] = {}
    for item in sorted(handed, key=lambda d: (-visit_value(cover.retailers[d.retailer], policy, d.week_start),
                                             d.retailer)):
        retailer = cover.retailers[item.retailer]
        near = [m for m in neighbours(item.manager, centres, rules.neighbour_max_km)
                if m not in not_taking.get(item.week_start, set()) and m not in away_month]
        near.sort(key=lambda m: (centres[m][0] - retailer.lat) ** 2 + (centres[m][1] - retailer.lon) ** 2)
        if not near:
            refused[retailer.id] = (f"no manager whose territory lies within {rules.neighbour_max_km:g} km of"
                                    f" {item.manager}'s is at work that week to make it")
        for _ in range(item.visits - item.called if near else 0):
            if not cover.place(retailer, item.week_start, near, make_way=True):
                refused[retailer.id] = cover.why_refused(retailer, item.week_start, near)
                break
    return cover.routes(), cover.recounted(unplanned, refused)


class _AwayCover:
    """The month's routes while neighbours take an away manager's visits (step 7)."""

    def __init__(self, department: Department, policy: Policy, days: Sequence[dt.date],
                 weeks: Mapping[dt.date, Timetable], due: Sequence[DueInWeek], routes: Sequence[MonthRoute],
                 focus: set[dt.date], handed: Sequence[str], before: _Before = (None, {})) -> None:
        self.department, self.policy, self.days, self.weeks, self.focus = department, policy, days, weeks, focus
        self.previous, self.carried = before
        self.retailers = {r.id: r for r in department.retailers}
        self.handed = [self.retailers[r] for r in dict.fromkeys(handed)]
        self.position = {d: i for i, d in enumerate(days)}
        self.weeks_of: dict[str, list[dt.date]] = defaultdict(list)
        for item in sorted(due, key=lambda d: d.week_start):
            self.weeks_of[item.retailer] += [item.week_start] * item.visits
        self.owner = {d.retailer: d.manager for d in due}
        self.orders = {(r.manager, r.date): [s.retailer for s in r.stops] for r in routes}
        self.kept = {(r.manager, r.date): r for r in routes}
        self.touched: set[str] = set()
        self.bumped: set[str] = set()
        """Retailers whose visit made way for an away manager's key customer."""
        self.field: dict[str, dict[dt.date, FieldDay]] = {}
        self.territory: dict[str, Territory] = {}
        self.owner_days: dict[str, list[dt.date]] = {}
        self.edges: dict[str, tuple[int | None, int | None]] = {}

    def _days_of(self, manager: str, monday: dt.date) -> list[dt.date]:
        if manager not in self.field:
            self.field[manager] = _field_days_in(self.department, self.weeks, self.policy, manager, self.days)
            # His routes may already hold others' retailers (a whole month's hand-over,
            # `_handed_over`): the territory must know every stop a new visit is put beside.
            theirs = {r for (m, _), order in self.orders.items() if m == manager for r in order}
            self.territory[manager] = _territory(self.department, manager, list(self.field[manager].values()),
                                                 self.policy, [*self.handed, *(self.retailers[r] for r in theirs)])
        return sorted(d for d in self.field[manager] if week_monday(d) == monday)

    def _edges(self, retailer: Retailer) -> tuple[int | None, int | None]:
        """The edges its own manager's plan spaced its visits by (`_edges_in_reach` of his
        visit days): away over the days of its first week within the most gap of the visit
        counted in the previous month, he was freed of it, and the neighbour must be too
        (tester's d519L: m02 away 12-07..11, his weekly A R02007 refused 12-09..12-11 for
        Mon 11-30's visit, 7-9 working days back, though its owner's plan and the month
        checker free it)."""
        if retailer.id not in self.edges:
            owner = self.owner[retailer.id]
            if owner not in self.owner_days:
                self.owner_days[owner] = sorted(_field_days_in(self.department, self.weeks, self.policy, owner,
                                                               self.days))
            dates = self.owner_days[owner]
            slots, mondays = [self.position[d] for d in dates], [week_monday(d) for d in dates]
            head, tail = _edges_in_reach(
                _edge_visits(self.department, self.policy, self.days, [retailer]),
                {retailer.id: self.weeks_of[retailer.id]},
                {retailer.id: gap_bounds(retailer.visits_per_4_weeks, self.policy)[1]},
                slots, mondays)[retailer.id]
            if self.previous is not None:  # its plan's actual last visit, as its manager's plan
                heads, _ = _previous_edges(self.previous, self.carried, [retailer], {retailer.id: self.weeks_of[retailer.id]},
                                           self.policy, slots, mondays)
                head = heads[retailer.id]
            self.edges[retailer.id] = (head, tail)
        return self.edges[retailer.id]

    def _spaced(self, retailer: Retailer, date: dt.date) -> bool:
        visits = [(self.position[d], week_monday(d)) for (_, d), order in self.orders.items() if retailer.id in order]
        return _spacing_holds(visits, (self.position[date], week_monday(date)), self.weeks_of[retailer.id],
                              gap_bounds(retailer.visits_per_4_weeks, self.policy), self._edges(retailer),
                              since=self.previous.since(retailer.id) if self.previous is not None else None)

    def place(self, retailer: Retailer, monday: dt.date, managers: Sequence[str], make_way: bool) -> bool:
        """One more visit of the retailer on a day of the week of `monday`: on the first of
        `managers` with a day that has room (the fewest extra km), else, for a key customer
        with `make_way`, where it takes the place of the least valuable visits."""
        for manager in managers:
            best: tuple[float, dt.date, list[str]] | None = None
            for date in self._days_of(manager, monday):
                if not self._spaced(retailer, date):
                    continue
                found = cheapest_feasible_insertion(self.field[manager][date], self.orders.get((manager, date), []),
                                                    retailer.id, self.retailers, self.territory[manager], self.policy)
                if found is not None and (best is None or found[0] < best[0]):
                    best = (found[0], date, found[1])
            if best is not None:
                self._set(manager, best[1], best[2], retailer.id)
                return True
        key = self.policy.visit_value is not None and retailer.retailer_class == self.policy.visit_value.key_class
        return make_way and key and self._make_way(retailer, monday, managers)

    def why_refused(self, retailer: Retailer, monday: dt.date, managers: Sequence[str]) -> str:
        """Why none of `managers` took the visit in the week of `monday`: no day of theirs
        then keeps its spacing with the visits its own manager makes (named), or those
        that do have no room. One sentence said both, untrue of days with room (tester's
        d7e: m02's days that week ended by 09:13)."""
        spaced = [d for m in managers for d in self._days_of(m, monday) if self._spaced(retailer, d)]
        if spaced:
            return (f"{managers[0]}, who makes its visits that week, has no room for it on "
                    f"{', '.join(f'{d:%m-%d}' for d in sorted(set(spaced)))}, the days then where it keeps its "
                    "spacing")
        kept = sorted(d for (_, d), order in self.orders.items() if retailer.id in order)
        them = (f"visits on {', '.join(f'{d:%m-%d}' for d in kept)}" if kept
                else "visits it is held to before and after the month")
        return f"no day of {', '.join(managers)}, who make its visits that week, keeps its spacing with the {them}"

    def _make_way(self, retailer: Retailer, monday: dt.date, managers: Sequence[str]) -> bool:
        best: tuple[tuple[int, int, float], str, dt.date, list[str], list[str]] | None = None
        for manager in managers:
            for date in self._days_of(manager, monday):
                if not self._spaced(retailer, date):
                    continue
                order = self.orders.get((manager, date), [])
                worth = visit_value(retailer, self.policy, monday)
                # A flagged retailer's visit on a focus day is not given up: it may be its only one.
                values = {x: worth if date in self.focus and in_focus(self.retailers[x], self.policy)
                          else visit_value(self.retailers[x], self.policy, monday) for x in order}
                values[retailer.id] = worth
                room = room_by_cheaper(self.field[manager][date], order, retailer.id, values, self.retailers,
                                       self.territory[manager], self.policy)
                if room is not None and (best is None or room[0] < best[0]):
                    best = (room[0], manager, date, room[1], room[2])
        if best is None:
            return False
        _, manager, date, order, removed = best
        self._set(manager, date, order, retailer.id, *removed)
        self.bumped.update(removed)
        for gone in removed:
            self.place(self.retailers[gone], monday, [manager], make_way=False)
        return True

    def _set(self, manager: str, date: dt.date, order: list[str], *changed: str) -> None:
        self.orders[(manager, date)] = order
        self.kept.pop((manager, date), None)
        self.touched.update(changed)

    def routes(self) -> list[MonthRoute]:
        """Every route, those changed timed again."""
        routes = [self.kept.get(key) or _month_route(key[0], self.field[key[0]][key[1]], order, self.retailers,
                                                     self.territory[key[0]], self.policy)
                  for key, order in self.orders.items() if order]
        return sorted(routes, key=lambda r: (r.manager, r.date))

    def recounted(self, unplanned: Sequence[Unplanned], refused: Mapping[str, str]) -> list[Unplanned]:
        """The unplanned lines with the visits planned counted again for every retailer
        whose visits changed: one now short of nothing leaves the list; one still short
        says why a neighbour did not make it (`refused`: none near and at work, or none
        with a day for it), or that it made way for an away manager's key customer. A focus
        line stays unless a neighbour now visits the retailer on a focus day."""
        in_window = {r for (_, date), order in self.orders.items() if date in self.focus for r in order}
        unplanned = _without_focus_lines_met(unplanned, in_window)
        planned = Counter(r for order in self.orders.values() for r in order)
        wanted = Counter[str]()
        for retailer, weeks in self.weeks_of.items():
            wanted[retailer] = len(weeks)
        lines = {u.retailer: u for u in unplanned if u.reason != "focus_window"}
        kept = [u for u in unplanned if u.reason == "focus_window" or u.retailer not in self.touched | set(refused)]
        for retailer in sorted(self.touched | set(refused)):
            if planned[retailer] >= wanted[retailer]:
                continue
            line = lines.get(retailer)
            if line is None and retailer in self.bumped:
                line = Unplanned(retailer=retailer, manager=self.owner[retailer], wanted=wanted[retailer], planned=0,
                                 reason="no_room_in_day", detail="its day made way for an away manager's key customer")
            if line is None:
                continue
            detail = line.detail
            if retailer in refused:
                detail += f"; {refused[retailer]}"
            kept.append(line.model_copy(update={"planned": planned[retailer], "detail": detail}))
        return kept


def _without_focus_lines_met(unplanned: Sequence[Unplanned], in_window: set[str]) -> list[Unplanned]:
    """The lines without the `focus_window` ones of retailers visited on a focus day
    (`in_window`): one maker's plan lists it when another makes its window visit."""
    return [u for u in unplanned if u.reason != "focus_window" or u.retailer not in in_window]


def _one_line_per_handed_retailer(unplanned: Sequence[Unplanned], routes: Sequence[MonthRoute],
                                  due: Sequence[DueInWeek], made_by: Sequence[DueInWeek],
                                  focus: set[dt.date]) -> list[Unplanned]:
    """A retailer whose visits two managers planned (`_handed_over`) is listed once, under
    its own manager, with the month's visits wanted and planned in all and each planner's
    reason, as every other retailer is (its owner's plan and the neighbour's each saw only
    their share); its focus line only while no visit of it lies on a focus day."""
    split = {d.retailer for d, by in zip(due, made_by, strict=True) if by.manager != d.manager}
    if not split:
        return list(unplanned)
    kept = [u for u in unplanned if u.retailer not in split]
    owner = {d.retailer: d.manager for d in due}
    wanted = Counter[str]()
    for d in due:
        if d.retailer in split:
            wanted[d.retailer] += d.visits
    planned = Counter(s.retailer for r in routes for s in r.stops if s.retailer in split)
    for retailer in sorted(split):
        theirs = [u for u in unplanned if u.retailer == retailer]
        short = [u for u in theirs if u.reason != "focus_window"]
        if planned[retailer] < wanted[retailer] and short:
            kept.append(Unplanned(retailer=retailer, manager=owner[retailer], wanted=wanted[retailer],
                                  planned=planned[retailer], reason=short[0].reason,
                                  detail="; ".join(f"{u.manager}: {u.detail}" for u in short)))
        kept += [u for u in theirs if u.reason == "focus_window"][:1]
    return _without_focus_lines_met(kept, {s.retailer for r in routes if r.date in focus for s in r.stops})


@dataclasses.dataclass
class _ManagerMonth:
    routes: list[MonthRoute]
    unplanned: list[Unplanned]


@contextlib.contextmanager
def _solver_pool(params: MonthParams, jobs: int) -> Iterator[tuple[Executor | None, MonthParams]]:
    """A pool of processes for the managers' months, and the params each gets there: the CP-SAT workers shared out so that the solves running
    at once use the cores once. No pool for one process or one job. Processes, not
    threads: PyVRP's search and the month's own Python hold the GIL (benchmarks/RESULTS.md)."""
    processes = _pool_size(params, jobs)
    if processes == 1:
        yield None, params
        return
    shared = dataclasses.replace(params, workers=max(1, params.workers // processes))
    with ProcessPoolExecutor(processes, mp_context=pool_context()) as pool:
        yield pool, shared


def _pool_size(params: MonthParams, jobs: int) -> int:
    """The processes of the managers' pool: 1 is none."""
    # A daemonic process (a Dask worker's) may not start processes: it plans here.
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, min(params.processes or os.cpu_count() or 1, jobs))


def _plan_managers(department: Department, policy: Policy, days: Sequence[dt.date],
                   weeks: Mapping[dt.date, Timetable], focus: set[dt.date], params: MonthParams,
                   due: Sequence[DueInWeek], pool: Executor | None,
                   on_progress: OnMonthProgress | None = None,
                   before: _Before = (None, {})) -> list[_ManagerMonth]:
    """Every manager's month, in the department's order: once the weeks are fixed the
    managers do not interact, so with a `pool` they are planned at once, most visits first
    (the longest jobs start first and the pool's processes end together)."""
    managers = [m.id for m in department.managers]
    mine = {m: [d for d in due if d.manager == m] for m in managers}
    report = on_progress or (lambda _: None)
    done: dict[str, _ManagerMonth] = {}

    def finished(manager: str, month: _ManagerMonth) -> None:
        done[manager] = month
        visits = sum(len(r.stops) for r in month.routes)
        report(MonthProgress("managers", len(done), len(managers), f"{manager}: {visits} visits planned"))

    if pool is None:
        for m in managers:
            finished(m, _plan_manager(department, policy, m, days, weeks, focus, params, mine[m], before))
    else:
        biggest_first = sorted(managers, key=lambda m: -sum(d.visits for d in mine[m]))
        futures = {pool.submit(_plan_manager, department, policy, m, days, weeks, focus, params, mine[m], before): m
                   for m in biggest_first}
        for future in as_completed(futures):
            finished(futures[future], future.result())
    return [done[m] for m in managers]


def _territory(department: Department, manager: str, days: Sequence[FieldDay], policy: Policy,
               handed: Sequence[Retailer] = ()) -> Territory:
    wanted = ({r.id for r in department.territory(manager)} | {a.retailer for d in days for a in d.appointments}
              | {r.id for r in handed})
    places = [r for r in department.retailers if r.id in wanted]
    matrix = straight_line_matrix([department.office.lat, *(r.lat for r in places)],
                                  [department.office.lon, *(r.lon for r in places)],
                                  ["town", *(r.area for r in places)], policy.travel)
    return Territory((None, *(r.id for r in places)), matrix)


def _typical_minutes(retailers: Sequence[Retailer], territory: Territory, policy: Policy) -> dict[str, int]:
    """A visit's cost in a day's budget: its service plus the mean ride to its nearest neighbours."""
    index = [territory.index[r.id] for r in retailers]
    minutes = territory.matrix.minutes[np.ix_(index, index)].astype(float)
    np.fill_diagonal(minutes, np.inf)
    near = min(NEIGHBOURS_FOR_RIDE, max(len(retailers) - 1, 0))
    cost = {}
    for row, retailer in enumerate(retailers):
        ride = float(np.sort(minutes[row])[:near].mean()) if near else float(territory.minutes(None, retailer.id))
        cost[retailer.id] = service_minutes(retailer, policy) + math.ceil(ride)
    return cost


def _zones(retailers: Sequence[Retailer], count: int, seed: int) -> dict[str, int]:
    """Split a territory into `count` compact zones (k-means on the map, fixed seed)."""
    if not retailers:
        return {}
    count = max(1, min(count, len(retailers)))
    points = np.array([[r.lat, r.lon * math.cos(math.radians(r.lat))] for r in retailers])
    rng = np.random.default_rng(seed)
    centres = points[rng.choice(len(points), size=count, replace=False)]
    labels = np.full(len(points), -1)
    for _ in range(50):
        distance = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        new = distance.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for zone in range(count):
            members = points[labels == zone]
            if len(members):
                centres[zone] = members.mean(axis=0)
    return {r.id: int(labels[i]) for i, r in enumerate(retailers)}


@dataclasses.dataclass(frozen=True)
class _ManagerDays:
    """One manager's month as the planner sees it: his retailers and the visits each
    wants, his visit days (indexed in month order) and what each retailer allows."""

    manager: str
    policy: Policy
    retailers: Mapping[str, Retailer]
    """Every retailer of the department, by id (appointments may be at others' retailers)."""
    mine: list[Retailer]
    weeks_of: dict[str, list[dt.date]]
    """Per retailer, the Monday of the week of each of its visits this month, in order."""
    dates: list[dt.date]
    field: dict[dt.date, FieldDay]
    territory: Territory
    slot: list[int]
    """Per visit day, its position among the month's working days: spacing counts working
    days of the month, holidays and days off included."""
    allowed: dict[str, list[int]]
    cost: dict[str, int]
    gaps: dict[str, tuple[int, int]]
    flagged: set[str]
    focus_index: set[int]
    focus_weeks: set[dt.date]
    """The weeks holding a working day of the focus window."""
    zones: dict[str, int]
    edges: dict[str, tuple[int | None, int | None]] = dataclasses.field(default_factory=dict)
    """Per retailer, the position (in the month's working days) of the visit the month
    assumes in the previous month and in the next (a straddling week's `other_month`
    visit), or None: the first and last visits of the month keep the most gap to them."""
    since: dict[str, int] = dataclasses.field(default_factory=dict)
    """Per retailer, the position of its last visit the previous month's plan actually
    makes (`fieldweek month --previous`, `PreviousMonth.since`): every visit of the month
    keeps at least the fewest gap to it. Empty without the previous month's plan."""
    called: dict[str, frozenset[dt.date]] = dataclasses.field(default_factory=dict)
    """Per retailer, the weeks a phone call replaces its visit (`DueInWeek.called`): they keep
    their place among its due slots, so the visits either side are spaced as a missing visit
    leaves them, but no day of such a week is `allowed`, and the visit is listed
    `called_by_phone`, not short of room."""
    covered: dict[dt.date, tuple[int, int]] = dataclasses.field(default_factory=dict)
    """The weeks the manager is away every working day of the month, whose visits of his
    retailers a neighbour makes once every month is planned (step 7, `_cover_away_weeks`),
    each with the first and last position of its working days of the month: his visits
    before and after such a week are spaced so that a day of it keeps the spacing with
    both (`_spacing_faults`)."""
    spacing_known: dict[tuple[str, tuple[int, ...], int], bool] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False)
    """`_keeps_spacing` as answered before: the moves and trades ask the same again and again.
    Not passed on by `dataclasses.replace`, so a copy with other edges asks afresh."""

    def covered_of(self, retailer_id: str) -> dict[dt.date, tuple[int, int]]:
        """The covered weeks that hold a visit of the retailer a neighbour makes: his own
        retailers' (others' handed to him for the month are no neighbour's in step 7)."""
        return self.covered if self.retailers[retailer_id].manager == self.manager else {}

    @functools.cached_property
    def days(self) -> list[FieldDay]:
        """The visit days in index order."""
        return [self.field[d] for d in self.dates]

    @functools.cached_property
    def _mondays(self) -> list[dt.date]:
        return [week_monday(d) for d in self.dates]

    @property
    def wants(self) -> dict[str, int]:
        """Per retailer, its visits this month."""
        return {r: len(weeks) for r, weeks in self.weeks_of.items()}

    def called_visits(self, retailer_id: str) -> int:
        """Its visits of the month a phone call replaces (`called`)."""
        weeks = self.called.get(retailer_id, frozenset())
        return sum(week in weeks for week in self.weeks_of.get(retailer_id, ()))

    def week_of(self, i: int) -> dt.date:
        """The Monday of visit day `i`'s week."""
        return self._mondays[i]

    def slots(self, retailer_id: str) -> list[list[int]]:
        """Per visit of the retailer, the days it may take: those it fits in its own week."""
        return [[i for i in self.allowed[retailer_id] if self.week_of(i) == week]
                for week in self.weeks_of[retailer_id]]

    def in_window(self, retailer_id: str) -> list[bool]:
        """Per visit of the retailer, whether it belongs in the focus window (a flagged
        retailer's visit due in a week overlapping the window)."""
        flagged = retailer_id in self.flagged
        return [flagged and week in self.focus_weeks for week in self.weeks_of[retailer_id]]


_Before = tuple[PreviousMonth | None, Mapping[str, int]]
"""The previous month's plan, if given, and the visits of the straddling week carried from it
(`_owed_again`)."""


def _previous_edges(previous: PreviousMonth, carried: Mapping[str, int], retailers: Sequence[Retailer],
                    weeks_of: Mapping[str, list[dt.date]], policy: Policy, slots: Sequence[int],
                    mondays: Sequence[dt.date]) -> tuple[dict[str, int | None], dict[str, int]]:
    """Per retailer, the head edge the previous month's plan gives (its actual last visit,
    `PreviousMonth.since`, in place of the one the calendar assumes; None when that month
    left a visit of it out that this month does not make up, which leaves the longer gap,
    or when no visit day of its first week lies within the most gap of it,
    `_edges_in_reach`), and the position of that last visit: the month's first visit keeps
    at least the fewest gap to it, whichever week it is of."""
    since = {r.id: p for r in retailers if (p := previous.since(r.id)) is not None}
    heads = {r.id: (since.get(r.id) if previous.short.get(r.id, 0) <= carried.get(r.id, 0) else None, None)
             for r in retailers}
    reach = _edges_in_reach(heads, weeks_of, {r.id: gap_bounds(r.visits_per_4_weeks, policy)[1] for r in retailers},
                            slots, mondays)
    return {rid: head for rid, (head, _) in reach.items()}, since


def _after_previous(plan: _ManagerDays, previous: PreviousMonth | None, carried: Mapping[str, int]) -> _ManagerDays:
    """The plan spaced from the previous month's actual visits (`_previous_edges`)."""
    if previous is None:
        return plan
    heads, since = _previous_edges(previous, carried, plan.mine, plan.weeks_of, plan.policy, plan.slot,
                                   [plan.week_of(i) for i in range(len(plan.dates))])
    edges = {r.id: (heads.get(r.id), plan.edges.get(r.id, (None, None))[1]) for r in plan.mine}
    return dataclasses.replace(plan, edges=edges, since=since)


def _plan_manager(department: Department, policy: Policy, manager: str, days: Sequence[dt.date],
                  weeks: Mapping[dt.date, Timetable], focus: set[dt.date], params: MonthParams,
                  due: Sequence[DueInWeek], before: _Before = (None, {})) -> _ManagerMonth:
    """One manager's month (the module text, steps 2–4): which day each visit goes on,
    each day's route, and the visits that find no day, with their reasons."""
    mine, weeks_of = _wanted_visits(department, manager, due)
    field = _field_days_in(department, weeks, policy, manager, days)
    dates = [d for d in days if d in field]
    focus_weeks = {week_monday(d) for d in focus}
    if not dates:
        why = _why_no_visit_day(department, policy, manager, days)
        return _ManagerMonth([], _without_visit_days(mine, weeks_of, focus_weeks, manager, policy, why))
    called = {d.retailer: [d.week_start] for d in due if d.called}
    plan = _manager_days(department, policy, manager, days, mine, weeks_of, field, dates, focus, params.seed,
                         called)
    plan = dataclasses.replace(plan, covered=_covered_weeks(department, policy, manager, days),
                               edges=_edges_made(department, policy, manager, days, weeks, plan))
    plan = _after_previous(plan, *before)
    with stop_when_stalled(params.route_stall_iterations):
        orders = _plan_in_rounds(plan, _day_budgets(plan), params)
        planned = _planned_days(plan, orders)
    unplanned = _unplanned(plan, planned)
    return _ManagerMonth(_month_routes(plan, orders), unplanned)


def _covered_weeks(department: Department, policy: Policy, manager: str,
                   days: Sequence[dt.date]) -> dict[dt.date, tuple[int, int]]:
    """The weeks whose visits of the manager's retailers a neighbour makes in step 7 (he is
    away every working day of the month in them, not the whole month, and the policy hands
    visits to neighbours), each with the positions of its first and last working day of the
    month. Spaced apart from them, his visits around such a week left no day of it for the
    neighbour's visit (tester's d8e: m06's weekly A R06018 on 12-14 and 12-31, 13 working days
    apart around his leave 12-21..25; d7e: m03's R03008 12-10 and 12-21, 7 apart, with 4-6 asked
    each side)."""
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover or manager in away_all_week(department, days):
        return {}
    position = {d: i for i, d in enumerate(days)}
    covered: dict[dt.date, tuple[int, int]] = {}
    for monday, away in _away_in_month_weeks(department, days).items():
        if manager in away:
            slots = [position[d] for d in days if week_monday(d) == monday]
            covered[monday] = (min(slots), max(slots))
    return covered


def _wanted_visits(department: Department, manager: str,
                   due: Sequence[DueInWeek]) -> tuple[list[Retailer], dict[str, list[dt.date]]]:
    """The manager's retailers with visits this month (his own, then those handed to him,
    `_handed_over`), and the week of each visit."""
    weeks_of: dict[str, list[dt.date]] = defaultdict(list)
    for item in sorted(due, key=lambda d: d.week_start):
        weeks_of[item.retailer] += [item.week_start] * item.visits
    mine = [r for r in department.territory(manager) if weeks_of.get(r.id)]
    mine += [r for r in department.retailers if r.manager != manager and weeks_of.get(r.id)]
    return mine, {r.id: weeks_of[r.id] for r in mine}


def _field_days_in(department: Department, weeks: Mapping[dt.date, Timetable], policy: Policy, manager: str,
                   days: Sequence[dt.date]) -> dict[dt.date, FieldDay]:
    """The manager's visit days of the month, from the weeks' timetables; each day's
    first-stop time is his in that week (routing/approach.first_stop_time, SPEC §3)."""
    day_set = set(days)
    calendar_ = WorkCalendar(department, policy)
    leave = part_day_leave(department.leave, manager)
    field: dict[dt.date, FieldDay] = {}
    for monday, timetable in weeks.items():
        rules_of = dict(calendar_.working_days(monday))
        approach = manager_approach(department, policy, monday, manager)
        for day in field_days(timetable, policy, manager, rules_of, approach, leave):
            if day.date in day_set:
                field[day.date] = day
    return field


def _why_no_visit_day(department: Department, policy: Policy, manager: str, days: Sequence[dt.date]) -> str:
    """Why a manager has no visit day in the month: on leave every working day (and then
    why no neighbour makes his visits, `_handed_over`), or no visit block in the weeks."""
    if manager not in away_all_week(department, days):
        return "no visit block this month (no timetable for the weeks, or other work takes every day)"
    why = f"{manager} is on leave every working day of the month"
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return f"{why}, and the policy hands no visits to neighbours ([replan] handover)"
    return (f"{why}, and no manager whose territory lies within {rules.neighbour_max_km:g} km of his is at "
            "work in the weeks to make them")


def _without_visit_days(mine: Sequence[Retailer], weeks_of: Mapping[str, list[dt.date]],
                        focus_weeks: set[dt.date], manager: str, policy: Policy, why: str) -> list[Unplanned]:
    """Every visit unplanned, and every focus retailer due in the window's weeks, for a
    manager with no visit day, saying `why`."""
    missing = [Unplanned(retailer=r.id, manager=manager, wanted=len(weeks_of[r.id]), planned=0,
                         reason="no_visit_days", detail=why) for r in mine]
    missing += [Unplanned(retailer=r.id, manager=manager, wanted=1, planned=0, reason="focus_window",
                          detail=why) for r in mine
                if in_focus(r, policy) and set(weeks_of[r.id]) & focus_weeks]
    return missing


def _manager_days(department: Department, policy: Policy, manager: str, days: Sequence[dt.date],
                  mine: list[Retailer], weeks_of: dict[str, list[dt.date]], field: dict[dt.date, FieldDay],
                  dates: list[dt.date], focus: set[dt.date], seed: int,
                  called: Mapping[str, Collection[dt.date]] | None = None) -> _ManagerDays:
    """The planner's view of one manager's month: the days each retailer fits (none in a
    week a phone call replaces its visit, `called`), each visit's cost, its spacing (gap
    bounds), the focus days and the territory's zones."""
    territory = _territory(department, manager, [field[d] for d in dates], policy,
                           [r for r in mine if r.manager != manager])
    by_phone = {r: frozenset(weeks) for r, weeks in (called or {}).items() if weeks}
    fits = _days_each_fits(mine, [field[d] for d in dates], territory, policy)
    position = {d: i for i, d in enumerate(days)}
    per_day = max(1, round(sum(len(w) for w in weeks_of.values()) / len(dates)))
    return _ManagerDays(
        manager=manager, policy=policy, retailers={r.id: r for r in department.retailers}, mine=mine,
        weeks_of=weeks_of, dates=dates, field=field, territory=territory, slot=[position[d] for d in dates],
        allowed={r: [i for i in fit if week_monday(dates[i]) not in by_phone.get(r, ())] for r, fit in fits.items()},
        called=by_phone,
        cost=_typical_minutes(mine, territory, policy),
        gaps={r.id: gap_bounds(r.visits_per_4_weeks, policy) for r in mine},
        flagged={r.id for r in mine if in_focus(r, policy)},
        focus_index={i for i, d in enumerate(dates) if d in focus},
        focus_weeks={week_monday(d) for d in focus},
        zones=_zones(mine, max(1, math.ceil(len(mine) / per_day)), seed),
        edges=_edges_in_reach(_edge_visits(department, policy, days, mine), weeks_of,
                              {r.id: gap_bounds(r.visits_per_4_weeks, policy)[1] for r in mine},
                              [position[d] for d in dates], [week_monday(d) for d in dates]),
    )


def _edges_in_reach(edges: Mapping[str, tuple[int | None, int | None]], weeks_of: Mapping[str, list[dt.date]],
                    most: Mapping[str, int], slots: Sequence[int], mondays: Sequence[dt.date],
                    ) -> dict[str, tuple[int | None, int | None]]:
    """The `edges` a retailer's first (last) visit can keep: none when its manager has no
    visit day (`slots`, their weeks' `mondays`) in the week of its first (last) due slot
    within the most gap of the visit the month assumes in the previous (next) month. A
    leave over those days would otherwise cost the visit, which leaves the gap longer still
    (tester's d7f: m05 away 12-07..12-10, his weekly class-A shops counted on Mon 11-30 lost
    their week of 12-07, whose one visit day Fri 12-11 lies 9 working days on, while he made
    class-C visits that day). The month checker reads the same (`_edges_in_reach` there)."""
    def reached(week: dt.date, edge: int, after: bool, rid: str) -> bool:
        return any(monday == week and (slot - edge if after else edge - slot) <= most[rid]
                   for slot, monday in zip(slots, mondays, strict=True))

    kept: dict[str, tuple[int | None, int | None]] = {}
    for rid, (head, tail) in edges.items():
        weeks = weeks_of.get(rid, [])
        if weeks and head is not None and not reached(weeks[0], head, True, rid):
            head = None
        if weeks and tail is not None and not reached(weeks[-1], tail, False, rid):
            tail = None
        kept[rid] = (head, tail)
    return kept


def _edge_visits(department: Department, policy: Policy, days: Sequence[dt.date],
                 mine: Sequence[Retailer]) -> dict[str, tuple[int | None, int | None]]:
    """Per retailer, the position of the last visit its straddling first week counts on a
    day of the previous month, and of the first one its straddling last week counts on a
    day of the next month (`due_days`, as `month_due` shares the week), counted in working
    days from the month's own (day before its first: -1; day after its last: len(days))."""
    if not days:
        return {}
    works = WorkCalendar(department, policy)
    first, last, off = _month_and_neighbours_off(department, policy, days)
    in_month = set(days)

    def week_days(monday: dt.date) -> list[dt.date]:
        return [d for d, _ in works.working_days(monday) if (d in in_month if first <= d <= last else d not in off)]

    head, tail = week_days(week_monday(first)), week_days(week_monday(last))
    edges: dict[str, tuple[int | None, int | None]] = {}
    for r in mine:
        earlier = [d for d in due_days(r.id, r.visits_per_4_weeks, head) if d < first]
        later = [d for d in due_days(r.id, r.visits_per_4_weeks, tail) if d > last]
        edges[r.id] = (-sum(1 for d in head if max(earlier) <= d < first) if earlier else None,
                       len(days) + sum(1 for d in tail if last < d < min(later)) if later else None)
    return edges


def _month_and_neighbours_off(department: Department, policy: Policy,
                              days: Sequence[dt.date]) -> tuple[dt.date, dt.date, set[dt.date]]:
    """The month's first and last day, and the public holidays of the months before and
    after it (the straddling weeks' days there are worked unless one)."""
    first = days[0].replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    before, after = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    return first, last, (_calendar_holidays(department, policy, before.year, before.month)
                         | _calendar_holidays(department, policy, after.year, after.month))


def _edges_made(department: Department, policy: Policy, manager: str, days: Sequence[dt.date],
                weeks: Mapping[dt.date, Timetable], plan: _ManagerDays) -> dict[str, tuple[int | None, int | None]]:
    """The plan's `edges` without the side whose straddling week the other month cannot make
    a visit of the manager in: he has visit days there, but none of his visits the week
    counts there can be a day's first stop (SPEC §3), so no route of his there starts. A
    far manager's one opener counted in this month left the other month's days of the week
    empty; spaced to a visit there that never comes, his class-A shops lost their week
    here too while he made class-C visits (tester's d561: m04's A visits of the week of
    11-23, spaced to 12-04, which the December plan leaves out with all of 12-01..12-04).
    The month checker reads the same (`_unopened_sides` there)."""
    if not days:
        return plan.edges
    works = WorkCalendar(department, policy)
    first, last, off = _month_and_neighbours_off(department, policy, days)
    shut: list[bool] = []
    for monday, outside in ((week_monday(first), lambda d: d < first), (week_monday(last), lambda d: d > last)):
        week_days = [d for d, _ in works.working_days(monday) if (d in days if first <= d <= last else d not in off)]
        there = [d for d in week_days if outside(d)]
        field = _field_days_in(department, {monday: weeks[monday]}, policy, manager, there) if monday in weeks else {}
        counted = [r.id for r in department.territory(manager)
                   if any(outside(d) for d in due_days(r.id, r.visits_per_4_weeks, week_days))]
        territory = _territory_with(department, policy, plan, list(field.values()))
        shut.append(bool(field) and not any(
            time_visit_route(day, [rid], plan.retailers, territory, policy).feasible
            for day in field.values() for rid in counted))
    return {rid: (None if shut[0] and mine else head, None if shut[1] and mine else tail)
            for rid, (head, tail) in plan.edges.items()
            for mine in [plan.retailers[rid].manager == manager]}


def _territory_with(department: Department, policy: Policy, plan: _ManagerDays,
                    days: Sequence[FieldDay]) -> Territory:
    """The plan's territory, or one that also holds the places of `days` (the other month's
    days of a straddling week): their appointments may be at retailers none of the month's
    days goes to (tester's d8_636M, November: m05's 12-01 ends at m03's R03022, whose
    maintenance the week of 11-30 gives him, and his route there asked a ride to a retailer
    the month's territory did not hold)."""
    keys = {p.key for d in days for p in (d.start_place, d.end_place) if p.kind == "retailer"}
    keys |= {a.retailer for d in days for a in d.appointments}
    if all(k in plan.territory.index for k in keys):
        return plan.territory
    return _territory(department, plan.manager, [*plan.days, *days], policy,
                      [r for r in plan.mine if r.manager != plan.manager])


def _days_each_fits(mine: Sequence[Retailer], days: Sequence[FieldDay], territory: Territory,
                    policy: Policy) -> dict[str, list[int]]:
    """Per retailer, the indices of the days it fits on its own; days of the same shape
    (block, places, deadline, lunch) are judged once."""
    shapes: dict[tuple, dict[str, bool]] = {}
    allowed: dict[str, list[int]] = {}
    for r in mine:
        allowed[r.id] = []
        for i, day in enumerate(days):
            shape = (day.block_start, day.visiting_ends, day.start_place, day.end_place, day.end_deadline,
                     day.lunch_minutes)
            fits = shapes.setdefault(shape, {})
            if r.id not in fits:
                fits[r.id] = fits_alone(day, r, territory, policy)
            if fits[r.id]:
                allowed[r.id].append(i)
    return allowed


def _day_budgets(plan: _ManagerDays) -> list[int]:
    """Each day's minutes for visits: its visiting minutes less the ride into the territory
    (to its nearest retailer)."""
    approach = [min((plan.territory.minutes(day.start_place.key, r.id) for r in plan.mine), default=0)
                for day in plan.days]
    return [max(day.visiting_minutes - approach[i], 0) for i, day in enumerate(plan.days)]


def _plan_in_rounds(plan: _ManagerDays, budget: list[int], params: MonthParams) -> dict[int, list[str]]:
    """Assign days, route them, correct the budgets by what the routes held, and assign
    again, for at most `params.rounds` rounds (the module text, steps 2–3); the first
    assignment starts from a greedy one. Returns the route orders of the round whose
    routes held the most visits, then rode the fewest km: a later round, solved within
    its short limit from budgets the routes moved, can hold fewer than the one before."""
    assignment = _greedy_days(plan, budget)
    orders: dict[int, list[str]] = {}
    best: tuple[tuple[int, float], dict[int, list[str]]] | None = None
    for round_number in range(max(1, params.rounds)):
        assignment = _assign_days(plan, budget, params, assignment)
        learned = _route_assigned(plan, assignment, orders, budget, params, again=round_number > 0)
        score = (sum(len(order) for order in orders.values()), -_ridden_km(plan, orders))
        if best is None or score > best[0]:
            best = (score, {day: list(order) for day, order in orders.items()})
        if not learned:
            break
    assert best is not None
    return best[1]


def _ridden_km(plan: _ManagerDays, orders: Mapping[int, Sequence[str]]) -> float:
    """Km of the days' routes from where each starts through its stops in order."""
    km = 0.0
    for i, order in orders.items():
        places = [plan.days[i].start_place.key, *order]
        km += sum(plan.territory.km(a, b) for a, b in itertools.pairwise(places))
    return km


def _route_assigned(plan: _ManagerDays, assignment: Mapping[str, list[int]], orders: dict[int, list[str]],
                    budget: list[int], params: MonthParams, *, again: bool) -> bool:
    """Route every day whose visits changed into `orders`; lower the budget of a day that
    dropped a visit to what it held, raise that of a day that ends early while visits are
    missing. True when a budget changed."""
    by_day: dict[int, list[str]] = defaultdict(list)
    for retailer_id, chosen in assignment.items():
        for i in chosen:
            by_day[i].append(retailer_id)
    short = any(len(assignment.get(r.id, [])) < plan.wants[r.id] for r in plan.mine)
    cheapest = min(plan.cost.values(), default=0)
    learned = False
    for i, day in enumerate(plan.days):
        wanted_here = sorted(by_day.get(i, []))
        if sorted(orders.get(i, [])) == wanted_here and again:
            continue
        route = route_day(day, _sweep(wanted_here, plan.retailers, day, plan.territory), plan.retailers,
                          plan.territory, plan.policy,
                          time_limit_s=params.route_time_limit_s if wanted_here else 0, seed=params.seed)
        orders[i] = [s.retailer for s in route.timed.stops]
        if route.dropped:
            # The day held less than its budget promised: budget what it held.
            budget[i] = sum(plan.cost[r] for r in orders[i])
            learned = True
        elif short and orders[i]:
            # The route ends early and visits are missing: the day can take more.
            slack = day.visiting_ends - route.timed.leave_last
            if slack >= cheapest:
                budget[i] += slack
                learned = True
    return learned


def _planned_days(plan: _ManagerDays, orders: dict[int, list[str]]) -> dict[str, list[int]]:
    """Each retailer's visit days once the routes are final (the module text, steps 4-6): a
    visit still missing goes on another day of its week that keeps its spacing and has
    room, visits change days for fewer km, key customers still missing make their way,
    every retailer keeps its visits that are far enough apart, and a visit still missing
    takes the room those steps freed."""
    planned: dict[str, list[int]] = defaultdict(list)
    for i, order in orders.items():
        for retailer_id in order:
            planned[retailer_id].append(i)
    for r in plan.mine:
        _fill_short(plan, r, planned, orders)
    # Before key customers make way: a visit moved after would leave the room an A was
    # refused on a day where the month checker looks for it.
    _move_to_nearer_days(plan, planned, orders)
    _make_way_for_key_visits(plan, planned, orders)
    _keep_spacing(plan.mine, planned, orders, plan.gaps, plan.slot, plan.flagged, plan.focus_index,
                  plan.days, plan.retailers, plan.territory, plan.policy, plan.since)
    # The moves, trades and drops since the first fill free room: a visit still missing
    # takes it (it was listed "the days it could go on are full" beside a day with room).
    # Each insertion keeps the day's rules and the retailer's spacing, so nothing is undone.
    for r in plan.mine:
        _fill_short(plan, r, planned, orders)
    # A visit that cannot open a day of its week (the first-stop time) follows a visit of
    # that week moved there that can, any class, not a key customer's alone: a far manager's
    # empty days stayed empty while his other days were full (tester's d520: m04 without a
    # route on 12-07, 12-21, 12-23, 12-28, 14 visits listed "cannot open 12-21, 12-23").
    # Each pass asks every visit still missing once (not from the first after each opening);
    # a day opened so may take a key customer in the place of the visits that followed the
    # opener (step 6 again: re-planned d520, m08's A missing beside C visits on a day the
    # loop opened). Each pass adds a visit or trades visits for more valuable ones, so it ends.
    # No class-C visit is added to a week a key customer still misses (SPEC §4's rule, the
    # checker's `key_customer`: the re-planned d520 had m08's A missing beside C visits the
    # opening added, where the checker's looser room test found it a place).
    while [r for r in plan.mine if len(planned[r.id]) < plan.wants[r.id]
           and _opened_for(plan, r, planned, orders, _key_short_weeks(plan, planned) if _least(plan, r) else ())]:
        _make_way_for_key_visits(plan, planned, orders)
        for r in plan.mine:
            _fill_short(plan, r, planned, orders)
    # Key customers make way once more on the days as the steps since left them: the sample's
    # m13 in one month run of seven had R01959 (weekly A) missing the week of 12-21 beside a C
    # visit, which fitted on 12-24 once its 12-29 visit moved to 12-31 (`_respaced_for`), room
    # the spacing's drops and the last fills had made after its way was last sought.
    while _make_way_for_key_visits(plan, planned, orders):
        for r in plan.mine:
            _fill_short(plan, r, planned, orders)
    return planned


def _move_to_nearer_days(plan: _ManagerDays, planned: dict[str, list[int]], orders: dict[int, list[str]]) -> None:
    """Step 5 (the module text): visits change days within their week while that rides
    fewer km in all: one visit moves to another day (`_moved_visit`), or two visits of
    different days trade places (`_traded_visits`: full days take no visit alone). Every
    route keeps every rule (each changed day is timed), every visit its spacing
    (`_keeps_spacing`) and a focus retailer's window visit its place in the window.
    Repeated until no change pays. Steps 2-4 choose the days for the most visits and
    compact zones; a zone is a coarse stand-in for the ride, and a day's route is ordered
    only among the visits it was given."""
    while _moved_visit(plan, planned, orders) or _traded_visits(plan, planned, orders):
        pass


def _may_take(plan: _ManagerDays, planned: Mapping[str, list[int]], retailer_id: str, leaves: int,
              takes: int) -> bool:
    """Whether the retailer's visit on day `leaves` may go on day `takes` instead: a day of
    the same week it fits, keeping its spacing and a window visit in the window."""
    if plan.week_of(takes) != plan.week_of(leaves) or takes in planned[retailer_id]:
        return False
    if retailer_id in plan.flagged and leaves in plan.focus_index and takes not in plan.focus_index:
        return False
    others = [d for d in planned[retailer_id] if d != leaves]
    return (takes in plan.allowed[retailer_id] and _keeps_spacing(plan, retailer_id, others, takes)
            and _closes_spaced(plan, retailer_id, others, leaves, takes))


def _closes_spaced(plan: _ManagerDays, retailer_id: str, others: Sequence[int], leaves: int, takes: int) -> bool:
    """Whether the visits on either side of the one leaving day `leaves` keep their spacing
    once it is on day `takes`: they become neighbours when it moves past one of them (a
    weekly pair's Monday visit moved to its Friday left Wednesday to next Wednesday)."""
    before = [d for d in others if plan.slot[d] < plan.slot[leaves]]
    after = [d for d in others if plan.slot[d] > plan.slot[leaves]]
    if not before or not after:
        return True
    last, first = max(before, key=lambda d: plan.slot[d]), min(after, key=lambda d: plan.slot[d])
    if plan.slot[last] < plan.slot[takes] < plan.slot[first]:
        return True
    rest = [d for d in others if d != first] + [takes]
    return _keeps_spacing(plan, retailer_id, rest, first)


def _without(plan: _ManagerDays, orders: Mapping[int, list[str]], day: int, retailer_id: str) -> tuple[list[str], float]:
    """The day's order without the retailer and the km that saves."""
    order = orders[day]
    position = order.index(retailer_id)
    return order[:position] + order[position + 1:], removal_km(plan.days[day], order, position, plan.territory)


def _keeps_rules(plan: _ManagerDays, day: int, order: Sequence[str]) -> bool:
    return time_visit_route(plan.days[day], order, plan.retailers, plan.territory, plan.policy).feasible


def _moved_visit(plan: _ManagerDays, planned: dict[str, list[int]], orders: dict[int, list[str]]) -> bool:
    """Move every visit whose cheapest place on another day of its week adds fewer km than
    leaving its day saves. True when one moved."""
    moved = False
    for r in plan.mine:
        for i in list(planned.get(r.id, [])):
            rest, saving = _without(plan, orders, i, r.id)
            if saving <= _KM_WORTH_A_MOVE:
                continue
            best: tuple[float, int, list[str]] | None = None
            for j in plan.allowed[r.id]:
                if j == i or not _may_take(plan, planned, r.id, i, j):
                    continue
                below = saving - _KM_WORTH_A_MOVE if best is None else best[0]
                found = cheapest_feasible_insertion(plan.days[j], orders.get(j, []), r.id, plan.retailers,
                                                    plan.territory, plan.policy, below=below)
                if found is not None:
                    best = (found[0], j, found[1])
            if best is None or not _keeps_rules(plan, i, rest):
                continue
            _, j, order_there = best
            orders[i], orders[j] = rest, order_there
            planned[r.id] = sorted([*planned[r.id], j])
            planned[r.id].remove(i)
            moved = True
    return moved


def _traded_visits(plan: _ManagerDays, planned: dict[str, list[int]], orders: dict[int, list[str]]) -> bool:
    """Trade visits between every two days of a week while a trade pays (`_trade`). True
    when two traded."""
    traded = False
    for i, j in itertools.combinations(range(len(plan.dates)), 2):
        if plan.week_of(i) == plan.week_of(j):
            while _trade(plan, planned, orders, i, j):
                traded = True
    return traded


def _trade(plan: _ManagerDays, planned: dict[str, list[int]], orders: dict[int, list[str]], i: int, j: int) -> bool:
    """Trade the first visits r of day i and s of day j for which r's cheapest place on j
    without s and s's on i without r add fewer km than taking both out saves. True when
    two traded."""
    order_j = orders.get(j, [])
    leaving_j = {s: _without(plan, orders, j, s) for s in order_j if _may_take(plan, planned, s, j, i)}
    for r in orders.get(i, []):
        if not leaving_j or not _may_take(plan, planned, r, i, j):
            continue
        rest_i, saving_i = _without(plan, orders, i, r)
        # The straight-line km first, for every s at once: only a trade they leave room for is timed.
        r_there_without = dict(zip(order_j, cheapest_insertion_km_without(plan.days[j], order_j, r, plan.territory),
                                   strict=True))
        s_here = dict(zip(leaving_j, cheapest_insertion_km(plan.days[i], rest_i, list(leaving_j), plan.territory),
                          strict=True))
        for s, (rest_j, saving_j) in leaving_j.items():
            saving = saving_i + saving_j - _KM_WORTH_A_MOVE
            extra_r = r_there_without[s]
            if extra_r >= saving or extra_r + s_here[s] >= saving:
                continue
            s_there = cheapest_feasible_insertion(plan.days[i], rest_i, s, plan.retailers, plan.territory,
                                                  plan.policy, below=saving - extra_r)
            if s_there is None:
                continue
            r_there = cheapest_feasible_insertion(plan.days[j], rest_j, r, plan.retailers, plan.territory,
                                                  plan.policy, below=saving - s_there[0])
            if r_there is None:
                continue
            orders[i], orders[j] = s_there[1], r_there[1]
            planned[r] = sorted([*(d for d in planned[r] if d != i), j])
            planned[s] = sorted([*(d for d in planned[s] if d != j), i])
            return True
    return False


_KM_WORTH_A_MOVE = 0.05
"""A change must save more than this (km): it ends the repetition on rounding noise."""


def _fill_short(plan: _ManagerDays, r: Retailer, planned: dict[str, list[int]], orders: dict[int, list[str]]) -> None:
    """Put the retailer's missing visits, one at a time, on days of their weeks that keep
    its spacing and have room."""
    chosen = sorted(planned.get(r.id, []))
    due = Counter(plan.weeks_of[r.id])
    while len(chosen) < plan.wants[r.id]:
        made = Counter(plan.week_of(i) for i in chosen)
        open_days = [i for i in plan.allowed[r.id] if made[plan.week_of(i)] < due[plan.week_of(i)]]
        placed = _insert_spaced(plan, r, chosen, open_days, orders)
        if placed is None:
            break
        chosen = sorted([*chosen, placed])
    planned[r.id] = chosen


def _least(plan: _ManagerDays, r: Retailer) -> bool:
    """Whether the retailer is of the policy's least class (`[visit_value] least_class`)."""
    rules = plan.policy.visit_value
    return rules is not None and r.retailer_class == rules.least_class


def _key_short_weeks(plan: _ManagerDays, planned: Mapping[str, list[int]]) -> set[dt.date]:
    """The weeks in which a retailer of the key class misses a visit due while a day of the
    week fits it on its own (one that fits none is not kept out by a class-C visit)."""
    rules = plan.policy.visit_value
    weeks: set[dt.date] = set()
    for r in plan.mine:
        if rules is not None and r.retailer_class == rules.key_class:
            made = Counter(plan.week_of(i) for i in planned.get(r.id, []))
            fits = {plan.week_of(i) for i in plan.allowed[r.id]}
            weeks |= {w for w, n in Counter(plan.weeks_of[r.id]).items() if made[w] < n and w in fits}
    return weeks


def _make_way_for_key_visits(plan: _ManagerDays, planned: dict[str, list[int]],
                             orders: dict[int, list[str]]) -> bool:
    """Step 6, key customers first (SPEC §4, seed 001's 20/80 rule, as the week's routes keep it in
    routing/visit_value.make_way): a visit of the policy's key class still missing takes,
    on a day of its week that keeps its spacing, the place of the fewest, least valuable
    visits that lets it in; each visit it displaced goes to another day of its own week
    that keeps its spacing and has room, or is left out. Step 4's insertion alone only
    uses room left over, so a key customer lost to a day full of class-C visits stayed
    out with "the days it could go on are full". Repeated while a visit finds a place: a
    later key customer's way reshapes days that refused an earlier one (m12 of the
    sample: a day left with two class-A visits and one class C, room for a third A that
    had been refused there). It ends: each placement adds a visit and takes out only
    visits worth less, so the planned visits' values, highest first, only grow. True when
    a visit found a place."""
    rules = plan.policy.visit_value
    if rules is None:
        return False
    key = [r for r in plan.mine if r.retailer_class == rules.key_class]
    made = False
    while True:
        placed = [_make_way_for(plan, r, planned, orders) for r in key]  # every one, each pass
        if not any(placed):
            return made
        made = True


def _make_way_for(plan: _ManagerDays, r: Retailer, planned: dict[str, list[int]],
                  orders: dict[int, list[str]]) -> bool:
    """The key customer's missing visits, each where a day has room (another's way may have
    made it) or on the day where it takes the place of the fewest, least valuable visits
    (`room_by_cheaper`). True when one found a place."""
    before = len(planned[r.id])
    _fill_short(plan, r, planned, orders)
    placed = len(planned[r.id]) > before
    due = Counter(plan.weeks_of[r.id])
    while len(planned[r.id]) < plan.wants[r.id]:
        chosen = planned[r.id]
        made = Counter(plan.week_of(i) for i in chosen)
        best: tuple[tuple[int, int, float], int, list[str], list[str]] | None = None
        for i in plan.allowed[r.id]:
            week = plan.week_of(i)
            if i in chosen or made[week] >= due[week] or not _keeps_spacing(plan, r.id, chosen, i):
                continue
            values = {x: visit_value(plan.retailers[x], plan.policy, week) for x in [*orders.get(i, []), r.id]}
            room = room_by_cheaper(plan.days[i], orders.get(i, []), r.id, values, plan.retailers,
                                   plan.territory, plan.policy)
            if room is not None and (best is None or room[0] < best[0]):
                best = (room[0], i, room[1], room[2])
        if best is None:
            if not _opened_for(plan, r, planned, orders) and not _respaced_for(plan, r, planned, orders):
                return placed
            placed = True
            continue
        _, day, order, removed = best
        orders[day] = order
        planned[r.id] = sorted([*chosen, day])
        placed = True
        for gone in removed:
            planned[gone].remove(day)
            _fill_short(plan, plan.retailers[gone], planned, orders)
    return placed


def _opened_for(plan: _ManagerDays, r: Retailer, planned: dict[str, list[int]], orders: dict[int, list[str]],
                shut: Collection[dt.date] = ()) -> bool:
    """One missing visit of the retailer, which no day takes and which cannot open a day
    itself (its first stop must be reached by the first-stop time, SPEC §3), on a day it
    could follow another visit: a visit of the same week that can open that day moves
    there from a day that keeps its rules without it, and the retailer follows it. A far
    manager's few near shops otherwise all go on one day while his other days stay empty
    or full of visits no key customer may follow. Not in the weeks `shut`. True when it
    found a place."""
    due = Counter(plan.weeks_of[r.id])
    made = Counter(plan.week_of(i) for i in planned[r.id])
    for i in plan.allowed[r.id]:
        week = plan.week_of(i)
        if (i in planned[r.id] or made[week] >= due[week] or week in shut or _keeps_rules(plan, i, [r.id])
                or not _keeps_spacing(plan, r.id, planned[r.id], i)):
            continue
        for j in (j for j in range(len(plan.dates)) if j != i and plan.week_of(j) == week):
            for opener in orders.get(j, []):
                if not _may_take(plan, planned, opener, j, i) or not _keeps_rules(plan, i, [opener]):
                    continue
                rest, _ = _without(plan, orders, j, opener)
                with_opener = cheapest_feasible_insertion(plan.days[i], orders.get(i, []), opener, plan.retailers,
                                                          plan.territory, plan.policy)
                if with_opener is None or not _keeps_rules(plan, j, rest):
                    continue
                with_both = cheapest_feasible_insertion(plan.days[i], with_opener[1], r.id, plan.retailers,
                                                        plan.territory, plan.policy)
                if with_both is None:
                    continue
                orders[j], orders[i] = rest, with_both[1]
                planned[opener] = sorted([*(d for d in planned[opener] if d != j), i])
                planned[r.id] = sorted([*planned[r.id], i])
                return True
    return False


def _respaced_for(plan: _ManagerDays, r: Retailer, planned: dict[str, list[int]],
                  orders: dict[int, list[str]]) -> bool:
    """One missing visit of the key customer on a day of its week that breaks its spacing
    with the visits as they stand, once the visit before or after it, or both, move to
    another day of their own week so that every gap keeps the rule: each goes where its day
    has room or in the place of less valuable visits (`_room_for`): any, when its manager
    makes a visit of the least class in the missing visit's week (the README's promise),
    else only the least class's; of all such changes the one that takes out the least. The day assignment's
    chain was final before: a weekly A shop lost its week (its visits 12-08 and 12-21,
    nine working days apart) while that week's days made class-C visits and one had room
    (tester's d8_477, m04). Taking the place of class-B visits in every week cost the
    sample month some 40 visits. True when it found a place."""
    due = Counter(plan.weeks_of[r.id])
    chosen = planned[r.id]
    made = Counter(plan.week_of(i) for i in chosen)
    complete = len(chosen) + 1 >= len(plan.weeks_of[r.id])

    def faults(days: Sequence[int]) -> set[tuple[int, int]]:
        return _spacing_faults([(plan.slot[d], plan.week_of(d)) for d in days], plan.weeks_of[r.id], plan.gaps[r.id],
                               plan.edges.get(r.id, (None, None)), plan.covered_of(r.id), plan.since.get(r.id))

    rules = plan.policy.visit_value
    least_weeks = {plan.week_of(d) for d, order in orders.items()
                   if rules is not None and any(plan.retailers[x].retailer_class == rules.least_class for x in order)}
    standing = faults(chosen)
    best: tuple[tuple[int, int], dict[int, list[str]], list[int], list[tuple[int, list[str]]]] | None = None
    for i in plan.allowed[r.id]:
        if i in chosen or made[plan.week_of(i)] >= due[plan.week_of(i)] or _keeps_spacing(plan, r.id, chosen, i):
            continue
        earlier = [d for d in chosen if plan.slot[d] < plan.slot[i]]
        later = [d for d in chosen if plan.slot[d] > plan.slot[i]]
        neighbours = ([max(earlier, key=lambda d: plan.slot[d])] if earlier else []) + (
            [min(later, key=lambda d: plan.slot[d])] if later else [])
        promised = plan.week_of(i) in least_weeks
        # Each neighbour stays or moves to another day of its week (a window visit to another
        # day of the window, as the month checker moves it: the sample's m10 R01540, 12-08
        # to 12-10); one moves, or both in a week of the least class's visits.
        choices = [[n, *(j for j in plan.allowed[r.id] if j not in chosen and j != i
                         and plan.week_of(j) == plan.week_of(n)
                         and not (r.id in plan.flagged and n in plan.focus_index
                                  and j not in plan.focus_index))] for n in neighbours]
        for picked in itertools.product(*choices):
            moves = [(n, j) for n, j in zip(neighbours, picked, strict=True) if j != n]
            if not moves or len({j for _, j in moves}) < len(moves) or (len(moves) > 1 and not promised):
                continue  # both move only for the README's promise: they cost other visits
            days = sorted([*(d for d in chosen if d not in neighbours), *picked, i])
            after = faults(days)
            if after if complete else not after <= standing:
                continue
            trial = dict(orders)
            for n, _ in moves:
                trial[n] = [x for x in trial.get(n, []) if x != r.id]
            if not all(_keeps_rules(plan, n, trial[n]) for n, _ in moves):
                continue
            removed: list[tuple[int, list[str]]] = []
            for day in [*(j for _, j in moves), i]:
                got = _room_for(plan, r, trial, day, promised)
                if got is None:
                    break
                trial[day] = got[0]
                removed.append((day, got[1]))
            else:
                out = [x for _, gone in removed for x in gone]
                cost = (sum(visit_value(plan.retailers[x], plan.policy, plan.week_of(i)) for x in out), len(out))
                if best is None or cost < best[0]:
                    best = (cost, {d: trial[d] for d in [*(n for n, _ in moves), *(j for _, j in moves), i]},
                            days, removed)
    if best is None:
        return False
    _, changed, days, removed = best
    orders.update(changed)
    planned[r.id] = days
    for day, gone_ in removed:
        for gone in gone_:
            planned[gone].remove(day)
            _fill_short(plan, plan.retailers[gone], planned, orders)
    return True


def _room_for(plan: _ManagerDays, r: Retailer, orders: Mapping[int, list[str]], day: int,
              any_class: bool) -> tuple[list[str], list[str]] | None:
    """The day's order with the retailer's visit put in where it has room, else in
    the place of the fewest, least valuable visits (`room_by_cheaper`) of the least class
    unless `any_class`, and the visits taken out."""
    order = orders.get(day, [])
    found = cheapest_feasible_insertion(plan.days[day], order, r.id, plan.retailers, plan.territory, plan.policy)
    if found is not None:
        return found[1], []
    rules = plan.policy.visit_value
    worth = visit_value(r, plan.policy, plan.week_of(day))
    # Unless `any_class`, only visits of the least class make way: the others are valued
    # as the key visit.
    values = {x: visit_value(plan.retailers[x], plan.policy, plan.week_of(day)) if any_class or (
              rules is not None and plan.retailers[x].retailer_class == rules.least_class) else worth
              for x in order}
    room = room_by_cheaper(plan.days[day], order, r.id, {**values, r.id: worth}, plan.retailers, plan.territory,
                           plan.policy)
    return None if room is None else (room[1], room[2])


def _keeps_spacing(plan: _ManagerDays, retailer_id: str, chosen: Sequence[int], i: int) -> bool:
    """Whether one more visit of the retailer on day `i` keeps its spacing with the visits
    before and after it, as the day assignment states it (`_spaced_visits`, `_spacing_holds`)."""
    key = (retailer_id, tuple(sorted(chosen)), i)
    known = plan.spacing_known.get(key)
    if known is None:
        known = plan.spacing_known[key] = _spacing_holds(
            [(plan.slot[d], plan.week_of(d)) for d in chosen], (plan.slot[i], plan.week_of(i)),
            plan.weeks_of[retailer_id], plan.gaps[retailer_id], plan.edges.get(retailer_id, (None, None)),
            plan.covered_of(retailer_id), plan.since.get(retailer_id))
    return known


def _spacing_holds(visits: Sequence[tuple[int, dt.date]], new: tuple[int, dt.date], weeks: Sequence[dt.date],
                   gaps: tuple[int, int], edges: tuple[int | None, int | None] = (None, None),
                   covered: Mapping[dt.date, tuple[int, int]] | None = None, since: int | None = None) -> bool:
    """Whether a visit `new` (its position among the month's working days, its week's
    Monday) keeps the spacing with a retailer's `visits`: every two visits next to each
    other lie at least the fewest gap apart, and at most the most when they are of
    consecutive due slots (`weeks`: the Monday of each due visit), save the pairs that
    broke it before. A pair whose slots are further apart leaves a visit missing between
    them, which is listed: requiring the most gap from it kept a retailer missing two
    visits in a row from getting either back. Not only the new visit's own gaps: it can
    renumber the slots of visits further on (a week's second visit put before its first),
    making a pair of consecutive slots that lies too far apart. The visit that completes the
    retailer's month leaves no missing visit to excuse a gap: then every gap must keep the
    rule (the slots read a week's missing visit as its last, so a gap before the week that
    a missing first visit would fill passed as already broken, and stayed broken once the
    week's last visit was added: seed-003, 12-04 to 12-09 for a 1-2 day rule)."""
    after = _spacing_faults([*visits, new], weeks, gaps, edges, covered, since)
    if len(visits) + 1 >= len(weeks):
        return not after
    return after <= _spacing_faults(visits, weeks, gaps, edges, covered, since)


def _spacing_faults(visits: Sequence[tuple[int, dt.date]], weeks: Sequence[dt.date],
                    gaps: tuple[int, int], edges: tuple[int | None, int | None] = (None, None),
                    covered: Mapping[dt.date, tuple[int, int]] | None = None,
                    since: int | None = None) -> set[tuple[int, int]]:
    """The positions of every two visits next to each other that break the spacing; the
    month's first visit of its first due slot, and its last of its last, also with the
    visit the month assumes in the previous or next month (`edges`): over the most gap; the
    visits of the slots either side of a week a neighbour makes the visit of (`covered`:
    its first and last position) when no day of that week keeps the spacing with them; the
    month's first visit, under the fewest gap from the previous month's last visit (`since`)."""
    gmin, gmax = gaps
    ordered = sorted(visits)
    # Each visit's due slot: the first slot of its week not taken by an earlier visit.
    slots: list[int] = []
    for _, week in ordered:
        slots.append(next((k for k, w in enumerate(weeks) if w == week and k not in slots), len(weeks)))
    found = {(ordered[a][0], ordered[a + 1][0]) for a in range(len(ordered) - 1)
             if (gap := ordered[a + 1][0] - ordered[a][0]) < gmin or (slots[a + 1] == slots[a] + 1 and gap > gmax)}
    if ordered and since is not None and ordered[0][0] - since < gmin:
        found.add((since, ordered[0][0]))
    head, tail = edges
    if ordered and head is not None and slots[0] == 0 and ordered[0][0] - head > gmax:
        found.add((head, ordered[0][0]))
    if ordered and tail is not None and slots[-1] == len(weeks) - 1 and tail - ordered[-1][0] > gmax:
        found.add((ordered[-1][0], tail))
    for k, week in enumerate(weeks):
        if not covered or week not in covered or k in slots:
            continue
        low, high = covered[week]
        near = [(position, slot) for (position, _), slot in zip(ordered, slots, strict=True) if abs(slot - k) == 1]
        for position, slot in near:
            low, high = ((max(low, position + gmin), min(high, position + gmax)) if slot < k
                         else (max(low, position - gmax), min(high, position - gmin)))
        if near and low > high:
            found.add((near[0][0], near[-1][0]))
    return found


def _unplanned(plan: _ManagerDays, planned: Mapping[str, list[int]]) -> list[Unplanned]:
    """The retailers short of their visits, and the focus retailers due in the window's
    weeks that missed the window, with their reasons."""
    unplanned: list[Unplanned] = []
    visited_days = {i for days in planned.values() for i in days}
    for r in plan.mine:
        chosen = planned.get(r.id, [])
        wanted = plan.wants[r.id]
        called = plan.called_visits(r.id)
        if len(chosen) < wanted:
            reason: UnplannedReason = "called_by_phone"
            detail = ""
            if len(chosen) < wanted - called:
                reason, detail = _why_short(plan, r, chosen, visited_days)
            if called:
                weeks = ", ".join(f"{w:%m-%d}" for w in sorted(plan.called[r.id]))
                said = (f"{called} visit(s) called in a phone slot instead of visited in the week(s) of {weeks} "
                        "(the capacity proposal applied: retailers.csv's phone_call_week)")
                detail = f"{said}; {detail}" if detail else said
            unplanned.append(Unplanned(retailer=r.id, manager=plan.manager, wanted=wanted, planned=len(chosen),
                                       reason=reason, detail=detail))
        if any(plan.in_window(r.id)) and not set(chosen) & plan.focus_index:
            window = ", ".join(f"{plan.dates[i]:%m-%d}" for i in sorted(plan.focus_index))
            # No visit day of his in the window (leave, or no visit block those days) is no
            # want of room (tester's d8_focus: "no room … (none)" for a manager on leave).
            detail = (f"no room for it on the focus days ({window})" if window else
                      f"{plan.manager} has no visit day in the focus window (on leave, or no visit block on those days)")
            unplanned.append(Unplanned(retailer=r.id, manager=plan.manager, wanted=1, planned=0,
                                       reason="focus_window", detail=detail))
    return unplanned


def _edge_words(plan: _ManagerDays, retailer_id: str, chosen: Sequence[int], refused: Sequence[int],
                them: str | None = "them") -> str:
    """When the visit the month assumes in the previous or next month (`edges`) is what
    refuses the days of the missing week, the words that say so: the reason named only the
    month's own visits, which a refused day could lie 4-6 working days from (tester's d7f,
    before `_edges_in_reach`: 12-11 refused for the visit counted on Mon 11-30)."""
    edges = plan.edges.get(retailer_id, (None, None))
    if edges == (None, None):
        return ""
    gmin, gmax = plan.gaps[retailer_id]
    free = _edge_free(plan, retailer_id, chosen, refused)
    if not free:
        return ""
    head, tail = edges
    sides = [f"after the visit its first week counts in the previous month ({-head} working day(s) before the "
             "month's first)" if head is not None else "",
             "before the visit its last week counts in the next month" if tail is not None else ""]
    sides_said = " or ".join(w for w in sides if w)
    if them is None:  # no visit of the month to lie between (tester's d519C: "from its visits on  but")
        return f"{', '.join(f'{plan.dates[i]:%m-%d}' for i in free)} lie(s) over {gmax} working days {sides_said}"
    return (f"{', '.join(f'{plan.dates[i]:%m-%d}' for i in free)} lie(s) {gmin}-{gmax} working days from {them} but "
            f"over {gmax} {sides_said}")


def _edge_free(plan: _ManagerDays, retailer_id: str, chosen: Sequence[int], refused: Sequence[int]) -> list[int]:
    """The `refused` days that keep the spacing with the month's own visits (`chosen`): the
    edges alone refuse them."""
    return [i for i in refused
            if _spacing_holds([(plan.slot[d], plan.week_of(d)) for d in chosen], (plan.slot[i], plan.week_of(i)),
                              plan.weeks_of[retailer_id], plan.gaps[retailer_id], covered=plan.covered_of(retailer_id),
                              since=plan.since.get(retailer_id))]


def _month_routes(plan: _ManagerDays, orders: Mapping[int, list[str]]) -> list[MonthRoute]:
    """Each day's final order, timed exactly inside its visit block."""
    return [_month_route(plan.manager, day, orders[i], plan.retailers, plan.territory, plan.policy)
            for i, day in enumerate(plan.days) if orders.get(i)]


def _month_route(manager: str, day: FieldDay, order: Sequence[str], retailers: Mapping[str, Retailer],
                 territory: Territory, policy: Policy) -> MonthRoute:
    """One day's order timed exactly inside its visit block."""
    timed = time_visit_route(day, order, retailers, territory, policy)
    return MonthRoute(manager=manager, date=day.date, visit_start=day.block_start, visit_end=day.block_end,
                      start_from=day.start_place.retailer or "office",
                      stops=tuple(MonthStop(retailer=s.retailer, arrive=s.arrive, start=s.start, end=s.end,
                                            owner=_owner_if_not(manager, retailers[s.retailer]),
                                            lat=retailers[s.retailer].lat, lon=retailers[s.retailer].lon)
                                  for s in timed.stops),
                      required_stops=required_stops(order, retailers, policy) or None)


def _owner_if_not(manager: str, retailer: Retailer) -> str | None:
    """The retailer's own manager when `manager` makes its visit for him: a hand-over visit
    read with no owner looked like the maker's own (tester's d519L: m03 at R02017 on 12-07)."""
    return retailer.manager if retailer.manager != manager else None


def _spaced_chain(days: Sequence[int], slot: Sequence[int], gmin: int, focus: set[int]) -> list[int]:
    """The most visits among `days` (sorted) whose consecutive gaps are all at least
    `gmin`; among those, one that keeps a focus day when it can. (A gap longer than the
    most the policy asks is left by a visit that could not be made, and listed.)"""
    best: list[tuple[int, int, int]] = []  # (visits, focus kept, previous index) per day
    for j, day in enumerate(days):
        options = [(best[i][0] + 1, best[i][1] or day in focus, i) for i in range(j)
                   if gmin <= slot[day] - slot[days[i]]]
        best.append(max(options, default=(1, int(day in focus), -1), key=lambda o: (o[0], o[1])))
    if not best:
        return []
    j = max(range(len(days)), key=lambda k: (best[k][0], best[k][1]))
    chain = []
    while j >= 0:
        chain.append(days[j])
        j = best[j][2]
    return sorted(chain)


def _keep_spacing(retailers: Sequence[Retailer], planned: dict[str, list[int]], orders: dict[int, list[str]],
                  gaps: Mapping[str, tuple[int, int]], slot: Sequence[int], flagged: set[str], focus: set[int],
                  days: Sequence[FieldDay], by_id: Mapping[str, Retailer], territory: Territory,
                  policy: Policy, since: Mapping[str, int] | None = None) -> None:
    """A visit moved to another day can come too close to its neighbours: keep, for every
    retailer, the most visits that are far enough apart (and from the previous month's last
    visit, `since`), take the others out of their routes, re-time the routes that changed,
    and repeat until nothing moves."""
    while True:
        changed: set[int] = set()
        for r in retailers:
            chosen = sorted(planned.get(r.id, []))
            last = (since or {}).get(r.id)
            keep = _spaced_chain([i for i in chosen if last is None or slot[i] - last >= gaps[r.id][0]], slot,
                                 gaps[r.id][0], focus if r.id in flagged else set())
            for i in set(chosen) - set(keep):
                orders[i].remove(r.id)
                changed.add(i)
            planned[r.id] = keep
        dropped_any = False
        for i in sorted(changed):
            _, kept, dropped = drop_until_feasible(days[i], orders[i], by_id, territory, policy)
            orders[i] = kept
            for retailer_id in dropped:
                planned[retailer_id].remove(i)
                dropped_any = True
        if not dropped_any:
            return


def _sweep(ids: Sequence[str], retailers: Mapping[str, Retailer], day: FieldDay, territory: Territory) -> list[str]:
    """A first order for the day: nearest neighbour from where the route starts."""
    left, order, here = list(ids), [], day.start_place.key
    while left:
        nearest = min(left, key=lambda r: (territory.minutes(here, r), r))
        order.append(nearest)
        left.remove(nearest)
        here = nearest
    return order


def _assign_days(plan: _ManagerDays, budget: Sequence[int], params: MonthParams,
                 previous: Mapping[str, list[int]]) -> dict[str, list[int]]:
    """The days of every visit (indices into the manager's visit days): CP-SAT.

    Rules: each visit goes on a day of its own week that the retailer fits; two visits of
    a retailer lie at least its fewest gap apart, two of consecutive slots at most its
    most (in working days of the month); a retailer is visited at most once a day; a
    day's visits stay within its budget of minutes. Objective, in order: the window
    visits of focus retailers in the window, the most value of visits made (a visit's
    value, routing/visit_value.py), few zones a day."""
    cp = cp_model.CpModel()
    visit_vars, present = _spaced_visits(cp, plan)
    visited = _visits_within_budgets(cp, plan.mine, visit_vars, plan.cost, budget)
    zone_day = _zone_days(cp, visited, plan.zones)
    missed_focus = _missed_focus(visit_vars, plan)
    # A visit left out costs its value (SPEC §4's 20/80 rule, as the week's routes price
    # it): a key customer's visit is not traded for a small one's to keep the spacing.
    worth = {(r, k): visit_value(plan.retailers[r], plan.policy, plan.weeks_of[r][k]) for r, k in present}
    missing = [worth[key] * (1 - p) for key, p in present.items()]
    # Lexicographic weights: one visit's value unit outweighs every zone-day, one focus
    # visit every visit.
    per_visit = len(zone_day) + 1
    per_focus = per_visit * (sum(worth.values()) + 1)
    cp.minimize(per_focus * sum(missed_focus) + per_visit * sum(missing) + sum(zone_day.values()))
    for retailer_id, earlier in previous.items():
        by_week: dict[dt.date, list[int]] = defaultdict(list)
        for i in sorted(earlier):
            by_week[plan.week_of(i)].append(i)
        for k, week in enumerate(plan.weeks_of.get(retailer_id, [])):
            hinted = by_week[week].pop(0) if by_week[week] else None
            for i, var in visit_vars.get((retailer_id, k), {}).items():
                cp.add_hint(var, int(i == hinted))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.assign_time_limit_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    with StallWatch(solver, params.assign_stall_s) as watch:
        status = solver.solve(cp, StopOnStall(watch))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {r.id: [] for r in plan.mine}
    return {retailer_id: sorted(i for (r, _), choice in visit_vars.items() if r == retailer_id
                                for i, var in choice.items() if solver.boolean_value(var))
            for retailer_id in (r.id for r in plan.mine)}


def _greedy_days(plan: _ManagerDays, budget: Sequence[int]) -> dict[str, list[int]]:
    """A first assignment for the CP-SAT model to start from (its own first solutions
    come late and poor): retailers with the fewest days per visit first, each visit on a
    day of its week that keeps the spacing and has budget left, preferring the focus
    window for a window visit, then a day that already visits the retailer's zone, then
    the day with most budget left."""
    left = list(budget)
    zones_on: dict[int, set[int]] = defaultdict(set)
    chosen: dict[str, list[int]] = {}
    for r in sorted(plan.mine, key=lambda r: (len(plan.allowed[r.id]) / max(plan.wants[r.id], 1), r.id)):
        gmin, gmax = plan.gaps[r.id]
        mine: list[int] = []
        last: tuple[int, int] | None = None  # (k, day) of the visit placed last
        days_of = plan.slots(r.id)
        for k, (days, window) in enumerate(zip(days_of, plan.in_window(r.id), strict=True)):
            head, tail = plan.edges.get(r.id, (None, None))
            since = plan.since.get(r.id)
            fitting = [i for i in days if left[i] >= plan.cost[r.id] and i not in mine and (
                last is None or (gmin <= plan.slot[i] - plan.slot[last[1]]
                                 and (last[0] != k - 1 or plan.slot[i] - plan.slot[last[1]] <= gmax)))
                       and not (k == 0 and head is not None and plan.slot[i] - head > gmax)
                       and not (since is not None and plan.slot[i] - since < gmin)
                       and not (k == len(days_of) - 1 and tail is not None and tail - plan.slot[i] > gmax)]
            if not fitting:
                continue
            day = max(fitting, key=lambda i: (window and i in plan.focus_index,
                                               plan.zones[r.id] in zones_on[i], left[i], -i))
            mine.append(day)
            left[day] -= plan.cost[r.id]
            zones_on[day].add(plan.zones[r.id])
            last = (k, day)
        chosen[r.id] = mine
    return chosen


_VisitVars = dict[tuple[str, int], dict[int, cp_model.IntVar]]
"""Per (retailer, k-th visit), its day choice: day index -> Boolean."""


def _spaced_visits(cp: cp_model.CpModel, plan: _ManagerDays,
                   ) -> tuple[_VisitVars, dict[tuple[str, int], cp_model.IntVar]]:
    """The k-th visit of a retailer goes on one of the days of its week it fits, or is
    not planned; two planned visits lie at least the retailer's fewest gap apart (which
    also keeps them in order), two planned visits of consecutive slots at most its most
    (in working days of the month); the visit of a week a neighbour makes (`covered`) lies
    on some day of that week that keeps both rules with the planned visits of the slots
    next to it. Returns the day choices and the planned literals."""
    visit_vars: _VisitVars = {}
    present: dict[tuple[str, int], cp_model.IntVar] = {}
    for r in plan.mine:
        gmin, gmax = plan.gaps[r.id]
        when: dict[int, cp_model.LinearExpr] = {}
        covered = plan.covered_of(r.id)
        neighbours_day: dict[int, cp_model.IntVar] = {}  # slot -> the day a neighbour's visit may take
        for k, days in enumerate(plan.slots(r.id)):
            choice = {i: cp.new_bool_var(f"visit[{r.id},{k},{i}]") for i in days}
            visit_vars[(r.id, k)] = choice
            present[(r.id, k)] = cp.new_bool_var(f"planned[{r.id},{k}]")
            cp.add(sum(choice.values()) == present[(r.id, k)])
            week = plan.weeks_of[r.id][k]
            if not choice and week in covered:
                theirs = neighbours_day[k] = cp.new_int_var(*covered[week], f"neighbour[{r.id},{k}]")
                if k - 1 in when:
                    cp.add_linear_constraint(theirs - when[k - 1], gmin, gmax).only_enforce_if(present[(r.id, k - 1)])
                continue
            if not choice:
                continue
            here = cp_model.LinearExpr.weighted_sum(list(choice.values()), [plan.slot[i] for i in choice])
            if k - 1 in neighbours_day:
                cp.add_linear_constraint(here - neighbours_day[k - 1], gmin, gmax).only_enforce_if(
                    present[(r.id, k)])
            head, tail = plan.edges.get(r.id, (None, None))
            if r.id in plan.since:  # the previous month's last visit (its plan given)
                cp.add(here - plan.since[r.id] >= gmin).only_enforce_if(present[(r.id, k)])
            if k == 0 and head is not None:  # the visit the month assumes before it
                cp.add(here - head <= gmax).only_enforce_if(present[(r.id, k)])
            if k == len(plan.weeks_of[r.id]) - 1 and tail is not None:
                cp.add(tail - here <= gmax).only_enforce_if(present[(r.id, k)])
            for j, before in when.items():
                both = [present[(r.id, j)], present[(r.id, k)]]
                cp.add(here - before >= gmin).only_enforce_if(both)
                if j == k - 1:
                    cp.add(here - before <= gmax).only_enforce_if(both)
            when[k] = here
    return visit_vars, present


def _visits_within_budgets(cp: cp_model.CpModel, retailers: Sequence[Retailer], visit_vars: _VisitVars,
                           cost: Mapping[str, int], budget: Sequence[int],
                           ) -> dict[tuple[str, int], cp_model.LinearExprT]:
    """A retailer is visited at most once a day, and a day's visits cost at most its
    budget of minutes. Returns, per (retailer, day), whether it is visited."""
    on: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    for (retailer_id, _), choice in visit_vars.items():
        for i, var in choice.items():
            on[(retailer_id, i)].append(var)
    visited: dict[tuple[str, int], cp_model.LinearExprT] = {}
    for (retailer_id, i), variables in on.items():
        cp.add(sum(variables) <= 1)
        visited[(retailer_id, i)] = sum(variables)
    for i in range(len(budget)):
        load = [cost[r] * visited[(r, i)] for r in (x.id for x in retailers) if (r, i) in visited]
        if load:
            cp.add(sum(load) <= budget[i])
    return visited


def _zone_days(cp: cp_model.CpModel, visited: Mapping[tuple[str, int], cp_model.LinearExprT],
               zones: Mapping[str, int]) -> dict[tuple[int, int], cp_model.IntVar]:
    """Per (zone, day), a Boolean that is true when the day visits the zone (compact days)."""
    zone_day: dict[tuple[int, int], cp_model.IntVar] = {}
    for (retailer_id, i), expr in visited.items():
        key = (zones[retailer_id], i)
        if key not in zone_day:
            zone_day[key] = cp.new_bool_var(f"zone[{key}]")
        cp.add(zone_day[key] >= expr)
    return zone_day


def _missed_focus(visit_vars: _VisitVars, plan: _ManagerDays) -> list[cp_model.LinearExpr]:
    """Per visit of a focus retailer due in a week overlapping the window, 1 when it is not
    on a focus day (SPEC §3, days 6–10); none for a visit whose week's days it fits hold
    no focus day."""
    missed: list[cp_model.LinearExpr] = []
    for r in plan.mine:
        for k, wanted in enumerate(plan.in_window(r.id)):
            in_window = [var for i, var in visit_vars[(r.id, k)].items() if i in plan.focus_index]
            if wanted and in_window:
                missed.append(1 - cp_model.LinearExpr.sum(in_window))
    return missed


def _insert_spaced(plan: _ManagerDays, retailer: Retailer, chosen: Sequence[int], allowed: Sequence[int],
                   orders: dict[int, list[str]]) -> int | None:
    """Put one more visit of the retailer on one of the `allowed` days that keeps its
    spacing to the visits before and after it (`_keeps_spacing`) and has room."""
    best: tuple[float, int, list[str]] | None = None
    for i in allowed:
        if i in chosen:
            continue
        if not _keeps_spacing(plan, retailer.id, chosen, i):
            continue
        # Only a day cheaper than the best so far is timed.
        found = cheapest_feasible_insertion(plan.days[i], orders.get(i, []), retailer.id, plan.retailers,
                                            plan.territory, plan.policy, below=None if best is None else best[0])
        if found is not None:
            best = (found[0], i, found[1])
    if best is None:
        return None
    orders[best[1]] = best[2]
    return best[1]


def _no_day_spaced(plan: _ManagerDays, retailer_id: str, weeks: str) -> str:
    """Why no day of a retailer's `weeks` takes its visit when the month makes none of them:
    the visits the spacing holds it to lie outside the month (the previous month's last
    visit, `since`; the one its first week counts there, `edges`), named, not an empty list
    of this month's (tester B2: "0 of 1 visits planned (on ): … from them")."""
    gmin, gmax = plan.gaps[retailer_id]
    since = plan.since.get(retailer_id)
    head = plan.edges.get(retailer_id, (None, None))[0]
    limits = []
    if since is not None:
        limits.append(f"at least {gmin} working days after its last visit of the previous month "
                      f"({-since} working day(s) before this month's first)")
    if head is not None and head != since:
        limits.append(f"within {gmax} working days of the visit its first week counts in the previous month")
    said = " and ".join(limits) or f"{gmin}-{gmax} working days from the visits it is due before and after the month"
    return f"no day it fits in the week(s) of {weeks} lies {said}"


def _why_short(plan: _ManagerDays, retailer: Retailer, chosen: Sequence[int],
               visited_days: set[int]) -> tuple[UnplannedReason, str]:
    """The reason a retailer got fewer visits than it wants (`visited_days`: the days with
    a visit planned)."""
    allowed = plan.allowed[retailer.id]
    # A week a phone call replaces its visit in is no shortfall (`_unplanned` says so).
    called = plan.called.get(retailer.id, frozenset())
    wanted = plan.wants[retailer.id] - plan.called_visits(retailer.id)
    if not allowed:
        reason, detail = classify_unvisited(retailer, plan.days, plan.territory, plan.policy)
        return reason, detail
    made = Counter(plan.week_of(i) for i in chosen)
    for week, due in sorted(Counter(plan.weeks_of[retailer.id]).items()):
        if made[week] >= due or week in called or any(plan.week_of(i) == week for i in allowed):
            continue
        days = [day for i, day in enumerate(plan.days) if plan.week_of(i) == week]
        if not days:
            return "no_visit_days", (f"{due} visit(s) due in the week of {week:%m-%d}, which has no visit "
                                     "block on this month's days")
        reason, detail = classify_unvisited(retailer, days, plan.territory, plan.policy)
        return reason, f"week of {week:%m-%d}: {detail}"
    gmin = plan.gaps[retailer.id][0]
    spaced, last = 0, None
    for i in allowed:
        if last is None or plan.slot[i] - plan.slot[last] >= gmin:
            spaced, last = spaced + 1, i
    if spaced < wanted:
        return "spacing", (f"wants {wanted} visits at least {gmin} working days apart, but the days it fits "
                           f"allow only {spaced}")
    short = sorted(w for w, due in Counter(plan.weeks_of[retailer.id]).items() if made[w] < due and w not in called)
    spaced_days = [i for i in allowed if plan.week_of(i) in short and i not in chosen
                   and _keeps_spacing(plan, retailer.id, chosen, i)]
    weeks = ", ".join(f"{w:%m-%d}" for w in short)
    kept = ", ".join(f"{plan.dates[i]:%m-%d}" for i in chosen)
    # Days of its weeks the spacing refuses are named too: a reason about the other days
    # alone hid them (d8_477: "cannot open 12-14, 12-15", not a word of 12-16 to 12-18).
    rules = plan.policy.visit_value
    key = rules is not None and retailer.retailer_class == rules.key_class
    refused = [i for i in allowed if plan.week_of(i) in short and i not in chosen and i not in spaced_days]
    # Days only the visit assumed in the next or previous month refuses are said so: they
    # lie within the spacing of the month's own visits (tester's d519C: R04019's 12-09, 12-10
    # "under 4 or over 6 from 12-16, 12-23", 5 and 4 days before 12-16; Mon 11-30 refused them).
    edge_words = _edge_words(plan, retailer.id, chosen, refused, f"its visits on {kept}" if chosen else None)
    by_edge = set(_edge_free(plan, retailer.id, chosen, refused)) if edge_words else set()
    own = [i for i in refused if i not in by_edge]
    them = f"its visits on {kept}" if chosen else "its visits before and after the month"
    apart = (f"; {', '.join(f'{plan.dates[i]:%m-%d}' for i in own)} would lie under {gmin} or over "
             f"{plan.gaps[retailer.id][1]} working days from {them}"
             f"{', even with the one before or after moved within its week' if key else ''}" if own else "")
    apart += f"; {edge_words}" if edge_words else ""
    if not spaced_days and not chosen:
        return "spacing", (f"0 of {wanted} visits planned: "
                           + (_edge_words(plan, retailer.id, chosen, refused, None)
                              or _no_day_spaced(plan, retailer.id, weeks)))
    if not spaced_days:
        return "spacing", (f"{len(chosen)} of {wanted} visits planned (on {kept}): "
                           + (_edge_words(plan, retailer.id, chosen, refused)
                              or f"no day it fits in the week(s) of {weeks} lies {gmin}-{plan.gaps[retailer.id][1]}"
                                 " working days from them"))
    full_of = " even without their visits of less value" if key else ""
    full = [i for i in spaced_days if i in visited_days]
    empty = [i for i in spaced_days if i not in visited_days]
    if empty and not any(_keeps_rules(plan, i, [retailer.id]) for i in empty):
        # Not full: it cannot be the first stop of these days, and they have no visit to follow.
        first_by = sorted({format_clock(plan.days[i].first_stop_by) for i in empty})
        ride = min(plan.territory.minutes(plan.days[i].start_place.key, retailer.id) for i in empty)
        words = (f"a day's first visit must be reached by {' / '.join(first_by)} and it is a {ride}-min ride "
                 f"from the start, so it cannot open {', '.join(f'{plan.dates[i]:%m-%d}' for i in empty)}, "
                 "which have no visit it could follow")
        if not full:
            return "spacing" if refused else "time_window", f"{len(chosen)} of {wanted} visits planned: {words}{apart}"
        return "no_room_in_day", (f"{len(chosen)} of {wanted} visits planned: the days it could go on in the "
                                  f"week(s) of {weeks} ({', '.join(f'{plan.dates[i]:%m-%d}' for i in full)}) are "
                                  f"full{full_of}; {words}{apart}")
    return "no_room_in_day", (f"{len(chosen)} of {wanted} visits planned: the days it could go on in the week(s) "
                              f"of {weeks} ({', '.join(f'{plan.dates[i]:%m-%d}' for i in spaced_days)}) are "
                              f"full{full_of}{apart}")
