"""The quality of a plan, in numbers (SPEC §6).

`score_plan` judges a plan given as plain data — a timetable (the JSON contract of
`fieldweek timetable --json`), a week of routes (the JSON of `fieldweek routes
--json`), or both — against a department and its policy. It works from the policy
alone and shares no code with the solvers: hard rules are judged by the independent
checkers in engine/check/, and every soft measure and the objective are recomputed
here from the plan's blocks and stops (rides, presence, quotas and territory centres
as engine/check/spec.py reads them for every judge). A plan typed by hand is scored like one the
solver wrote, so the hand-made baseline and the optimised plan compare fairly.

The objective is the policy's weighted sum of soft rules (the policy's [objective]
table), as the timetable model states it: senior–newcomer pairs earn their weight,
repeated partners, km between paired territories, pieces of office time, minutes of
late finish (sum and department maximum) and absences from the site study cost theirs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from itertools import combinations, pairwise
from typing import Any

from pydantic import ValidationError

from engine.check.places import VISIT, BlockPlaces
from engine.check.routes import check_routes
from engine.check.spec import (
    clipped_minutes,
    field_block_ends_by,
    first_stop_deadline,
    great_circle_km,
    kind_window,
    late_start_for_leave,
    leave_spans,
    office_ride_to_nearest_due,
    place_of,
    presence,
    ride,
    riding_minutes,
    territory_centres,
    weekly_quota,
    working_dates,
)
from engine.check.timetable import RIDE_BETWEEN_PLACES, Shortfall, Violation, judge_timetable
from engine.domain import Department, Retailer, Timetable
from engine.errors import InputError, Problem
from engine.policy import KindRule, Policy, Weekday, format_clock, parse_clock
from engine.rules import KIND_RULE

_CLOCKS = r"\d{2}:\d{2}–\d{2}:\d{2}"
NOT_PROVEN_WORDS = ("not kept in the week found within the time limit (it is not proven that the rides leave no "
                    "room for it: more time may find a week that keeps it)")
"""The week planner's words for a shortfall its search did not prove forced, as it says them."""

SHORTFALL_REASONS = {
    "data": re.compile(r"(?P<manager>\S+)'s territory has (no POS-target household|(?P<places>\d+) POS-target "
                       r"households?); the week's \d+ POS sessions each need a different one: \d+ "
                       r"(sessions?|min) short"),
    "rides": re.compile(r"the rides between his places \(from his visit area: office \d+ min"
                        r"(, POS households up to \d+ min)?(, the pair's store \d+ min)?\)"
                        r"(?P<partners>( and his partner \S+'s \((no visit area|office \d+ min(, store \d+ min)?)\))*)"
                        r" leave (the pair )?no room for it"),
    "blocks": re.compile(r"the week's blocks and their rides leave no room for it"),
    "hours": re.compile(rf"the opening hours of (?P<places>his POS households|the store|every store he could "
                        rf"share) \((?P<shops>\S+ {_CLOCKS}(, \S+ {_CLOCKS})*)\) leave .+"),
    "not_proven": re.compile(re.escape(NOT_PROVEN_WORDS)),
    "hand_made": re.compile(r"the hand-made week holds \d+ of \d+ min of .+: the rides between its places leave "
                            r"no room for more"),
    "replan": re.compile(r"(the events from |\S+ off sick from ).*took it.*"),  # a re-plan
    "day": re.compile(r"on (?P<day>[A-Z][a-z]{2} \d{2}-\d{2})[ ,].*"),  # a day's block a leave takes
}
"""The forms of the reasons the product's planners give the hours they declare short
(the week planner's shortfalls, the hand-made baseline, the re-plan), stated here in full:
the scorer reads them, it does not import the planners. Two joined by "; beyond that, "
are read each on its own. A declared shortfall with any other reason ("did not feel like
it", "the rides between his places are boring") is a fault; one with none is a hand-typed
amount, judged on its amounts alone (`_unknown_shortfall_reasons` says what else is read)."""

ROUTE_DISTANCE_TOLERANCE = 0.02
"""Stated route figures within 2 % (or ROUTE_MINUTES_SLACK) of the straight-line
recomputation agree; a street network may make them differ, which is reported."""

ROUTE_MINUTES_SLACK = 2
ROUTE_KM_SLACK = 0.1


# -- the week: presence and what each manager owes ------------------------------------


def owed_minutes(department: Department, policy: Policy, week_start: dt.date) -> dict[str, dict[str, int]]:
    """Minutes of each kind each manager owes this week after leave: {manager: {kind: minutes}}.

    Daily kinds are owed on each working date (a make-up day by the rules it follows),
    less whole days of leave, and on a day of part-day leave as much of the block as fits
    beside the leave (`room_beside_leave`: the scorer's own reading, whatever the plan
    declares not owed); department kinds are owed on the days the manager is in; single
    weekly kinds are prorated; paired kinds are owed in full unless the manager is exempt
    from pairs, prorated in a week with holidays (`weekly_quota`).
    """
    dates = working_dates(policy, week_start, department)
    calendar_share = min(Fraction(len(dates), len(policy.working_days)), Fraction(1)) if policy.working_days \
        else Fraction(0)
    spans = leave_spans(department, policy)
    shares = presence(department, policy, week_start)
    rooms = room_beside_leave(department, policy, week_start)
    owed: dict[str, dict[str, int]] = {}
    for manager in department.managers:
        per_kind: dict[str, int] = {}
        days_in = {
            date: weekday
            for date, weekday in dates.items()
            if clipped_minutes(spans.get((manager.id, date), []), policy.day.start, policy.day.end)
            < policy.day.end - policy.day.start
        }
        for kind, rule in policy.kinds.items():
            if rule.per_day_minutes is not None:
                per_kind[kind] = sum(
                    rooms[(manager.id, kind, date)].owed if (manager.id, kind, date) in rooms
                    else rule.per_day_minutes.get(weekday, 0)
                    for date, weekday in days_in.items()
                )
            elif rule.group == "department":
                per_kind[kind] = (rule.total_minutes or 0) if shares[manager.id] > 0 else 0
            else:
                per_kind[kind] = weekly_quota(rule, shares[manager.id], policy, calendar_share).total
        owed[manager.id] = per_kind
    return owed


@dataclass(frozen=True)
class LeaveRoom:
    """A daily block on a day of the manager's part-day leave, as the scorer reads it."""

    minutes: int
    """The day's block the policy asks."""
    owed: int
    """How much of it fits beside the leave in its window: the whole block, else the longest
    on the grid the kind's `shortest_beside_leave` allows, else nothing."""
    leave: tuple[tuple[int, int], ...]

    @property
    def not_owed(self) -> int:
        return self.minutes - self.owed


def room_beside_leave(department: Department, policy: Policy,
                      week_start: dt.date) -> dict[tuple[str, str, dt.date], LeaveRoom]:
    """(manager, daily kind, date) -> `LeaveRoom` for each day of part-day leave that owes
    the kind a block. Read as the checker reads a block beside a leave (engine/check: the
    kind's window, moved on after a morning leave and bounded by the first-stop ride
    (`_room_window`), clear of the leave, of the department's fixed slots he holds and of
    the lunch the day owes), never from the plan: a plan's "not owed" is judged on it."""
    dates = working_dates(policy, week_start, department)
    spans = leave_spans(department, policy)
    places = BlockPlaces(department, policy, week_start)
    rooms: dict[tuple[str, str, dt.date], LeaveRoom] = {}
    for manager in department.managers:
        for date, weekday in dates.items():
            leave = spans.get((manager.id, date), [])
            if not leave or clipped_minutes(leave, policy.day.start, policy.day.end) >= policy.day.end - policy.day.start:
                continue
            fixed = _fixed_slots(policy, weekday, leave)
            for kind, rule in policy.kinds.items():
                minutes = (rule.per_day_minutes or {}).get(weekday)
                if minutes is None or rule.group == "department":
                    continue
                window = _room_window(policy, kind, weekday, date, department, manager.id, places)
                shortest = None if rule.shortest_beside_leave is None else _shortest_beside_leave(
                    policy, department, manager.id, week_start, rule.shortest_beside_leave)
                lengths = [minutes] + ([] if shortest is None else list(
                    range((minutes - 1) // policy.grid_minutes * policy.grid_minutes, max(shortest, 1) - 1,
                          -policy.grid_minutes)))
                owed = next((length for length in lengths
                             if _fits_beside_leave(policy, leave, length, window, fixed, rule.place == "field")), 0)
                rooms[(manager.id, kind, date)] = LeaveRoom(minutes, owed, tuple(sorted(leave)))
    return rooms


def _fixed_slots(policy: Policy, weekday: Weekday, leave: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The department's slots that weekday whose window is exactly their length (the Monday
    meeting 08:00–08:40), which the manager holds unless his leave takes part of them."""
    fixed = []
    for kind, rule in policy.kinds.items():
        minutes = (rule.per_day_minutes or {}).get(weekday)
        if rule.group != "department" or minutes is None:
            continue
        earliest, _, latest_end = kind_window(policy, kind, weekday)
        if latest_end - earliest == minutes and not any(s < latest_end and earliest < e for s, e in leave):
            fixed.append((earliest, latest_end))
    return fixed


def _shortest_beside_leave(policy: Policy, department: Department, manager: str, week_start: dt.date,
                           shortest: int) -> int:
    """The shortest block worth planning beside a leave, on the grid: the kind's own, at
    least the ride out to his nearest retailer due, one visit and the ride back."""
    ride_out = office_ride_to_nearest_due(policy, department, manager, week_start)
    least = max(shortest, 2 * ride_out + policy.route.min_service_min if ride_out else 0)
    return -(-least // policy.grid_minutes) * policy.grid_minutes


def _fits_beside_leave(policy: Policy, leave: Sequence[tuple[int, int]], minutes: int,
                       window: tuple[int, int | None, int], fixed: Sequence[tuple[int, int]], field: bool) -> bool:
    """Whether a block of `minutes` has a start on the grid in its window, clear of the
    leave and of the `fixed` slots, that leaves the lunch the day owes a start in its window
    clear of the block (of a field block by the policy's field transfer too) and the leave."""
    earliest, latest_start, latest_end = window
    grid, day, lunch = policy.grid_minutes, policy.day, policy.lunch

    def clear(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
        return not any(s < end and start < e for s, e in spans)

    lunch_starts = range(lunch.earliest, lunch.latest_end - lunch.minutes + 1, grid)
    lunch_owed = (not lunch.during_visit and lunch.minutes > 0
                  and any(clear(at, at + lunch.minutes, leave) for at in lunch_starts))
    gap = -(-policy.travel.field_transfer_min // grid) * grid if field else 0
    last = min(latest_end, day.end) - minutes
    if latest_start is not None:
        last = min(last, latest_start)
    return any(
        clear(start, start + minutes, [*leave, *fixed])
        and (not lunch_owed or any(clear(at, at + lunch.minutes, [(start, start + minutes + gap), *leave])
                                   for at in lunch_starts))
        for start in range(-(-max(earliest, day.start) // grid) * grid, last + 1, grid)
    )


def _room_window(policy: Policy, kind: str, weekday: Weekday, date: dt.date, department: Department,
                 manager: str, places: BlockPlaces | None) -> tuple[int, int | None, int]:
    """The window a daily block of `kind` may start in on `date`: the kind's window, and for
    the visit block a start early enough to ride from the office into the manager's area by
    the day's first-stop time (the checker's ride rule, SPEC §3): a leave to 09:30 leaves a
    visit block that needs any ride no start, as the planner finds. The visit block ends in
    time for the ride back to the daily report that follows the field work
    (spec.field_block_ends_by, SPEC §3): 111 min out, back from leave at 09:00, a 330-min
    block would end 14:30, past the 14:00 the ride back to the 16:00 report allows, so the
    leave takes 30 min of it."""
    late_by = late_start_for_leave(policy, date, department, manager) if kind == VISIT else 0
    earliest, latest_start, latest_end = kind_window(policy, kind, weekday, late_by)
    ends_by = field_block_ends_by(policy, date, department, manager) if kind == VISIT else None
    latest_end = latest_end if ends_by is None else min(latest_end, ends_by)
    area = places.of(manager, kind, None) if places is not None and kind == VISIT else None
    if places is None or area is None:
        return earliest, latest_start, latest_end
    by = first_stop_deadline(policy, date, department, manager) - places.ride(places.office, area).minutes
    return earliest, by if latest_start is None else min(latest_start, by), latest_end


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """How evenly a quantity is shared: over managers, or over days."""

    mean: float
    std: float
    min: float
    max: float

    @property
    def range(self) -> float:
        return self.max - self.min

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0.0, 0.0, 0.0, 0.0)
        return cls(
            round(statistics.fmean(values), 2),
            round(statistics.pstdev(values), 2),
            round(min(values), 2),
            round(max(values), 2),
        )

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "range": round(self.range, 2)}


@dataclass(frozen=True)
class Finding:
    """One hard rule broken: which rule, whose week, when, what — from which checker."""

    source: str
    rule: str
    manager: str | None
    date: str | None
    time: str | None
    message: str


@dataclass(frozen=True)
class HoursOwed:
    """Minutes of one kind one manager has against what the policy asks of him this week."""

    manager: str
    kind: str
    planned: int
    owed: int

    @property
    def difference(self) -> int:
        return self.planned - self.owed


@dataclass(frozen=True)
class PairMeasure:
    """One pair of managers working together this week (a trio counts as three pairs)."""

    members: tuple[str, str]
    senior_newcomer: bool
    repeated: bool
    distance_km: float
    charged_km: int
    """Whole km the objective charges: the unrounded distance rounded once, as the model does."""


@dataclass(frozen=True)
class DayMeasure:
    """One manager's working day on the timetable."""

    manager: str
    date: str
    work_minutes: int
    first_start: str | None
    last_end: str | None
    late_minutes: int
    idle_minutes: int
    office_pieces: int


@dataclass(frozen=True)
class RouteMeasure:
    """One manager's route on one day: as the plan states it and as recomputed here."""

    manager: str
    date: str
    stops: int
    visits: int
    distance_km: float | None
    travel_minutes: int | None
    recomputed_km: float | None
    recomputed_minutes: int | None
    waiting_minutes: int
    agrees: bool
    visit_day: bool = True
    """The day has a visit window: a day of fixed blocks at retailers only (its visit block
    taken by leave) is ridden but has no visits to count."""
    required_stops: int | None = None
    """The stops a day the policy asks of this route (SPEC §3, seed 003's 30 / 25), by the
    scoring policy (`stops_asked`), never as the plan states it."""


@dataclass
class QualityReport:
    """Every measure of SPEC §6 for one plan. Data only: render it elsewhere."""

    department: str
    policy: str
    week_start: str | None
    has_timetable: bool
    has_routes: bool
    status: str | None = None
    stated_objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    objective: float | None = None
    objective_terms: dict[str, float] = field(default_factory=dict)
    violations: list[Finding] = field(default_factory=list)
    deviations: list[Shortfall] = field(default_factory=list)
    """Hours the timetable is short of and declares (no fault; the timetable checker's), and
    the department slots and daily sessions it declares a part-day leave takes (`_declared_not_owed`)."""
    not_owed: list[tuple[str, str, int]] = field(default_factory=list)
    """The timetable's not-owed lines (manager, kind, minutes): among `deviations`, but the
    plan's console and workbook keep them apart from the weekly hours short."""
    hours: list[HoursOwed] = field(default_factory=list)
    pairs: list[PairMeasure] = field(default_factory=list)
    days: list[DayMeasure] = field(default_factory=list)
    routes: list[RouteMeasure] = field(default_factory=list)
    unvisited: int = 0
    scope: dict[str, list[str]] | None = None
    """What part of the week the routes cover when the routes file says it covers only part
    (`routes --manager`/`--date`: its `scope`): {"managers": [...], "dates": [...]}; None for
    a whole week. Route km, minutes and due visits are then those of that part alone."""
    partial: bool = False
    spreads: dict[str, Spread] = field(default_factory=dict)
    away_all_week: list[str] = field(default_factory=list)
    """Managers on leave every working minute of the week: left out of the spreads across
    managers (`present_managers`), whose 0 minutes would measure the leave, not the plan."""
    notes: list[str] = field(default_factory=list)
    """What the score says of the plan's claims without calling them a broken rule (the
    stated objective against the one worked out here: `_solver_claims`)."""

    def summary(self) -> dict[str, float | int | str | None]:
        """The headline numbers, flat and in a fixed order (one row of a bench table)."""
        row: dict[str, float | int | str | None] = {
            "violations": len(self.violations),
            "objective": self.objective,
        }
        if self.has_timetable:
            late = [d.late_minutes for d in self.days]
            row.update(
                hours_off_policy=sum(1 for h in self.hours if h.difference),
                rides_too_short=sum(
                    v.rule == RIDE_BETWEEN_PLACES for v in self.violations if v.source == "timetable"
                ),
                hours_declared_short=len(self.deviations) - len(self.not_owed),
                minutes_declared_short=sum(d.asked - d.planned for d in self.deviations if d.unit == "min")
                - sum(minutes for _, _, minutes in self.not_owed),
                minutes_not_owed=sum(minutes for _, _, minutes in self.not_owed),
                senior_newcomer_pairs=sum(p.senior_newcomer for p in self.pairs),
                repeated_partners=sum(p.repeated for p in self.pairs),
                pair_km_mean=round(statistics.fmean([p.distance_km for p in self.pairs]), 1)
                if self.pairs
                else None,
                pair_km_max=max((p.distance_km for p in self.pairs), default=None),
                office_pieces_per_day=round(
                    statistics.fmean([d.office_pieces for d in self.days if d.work_minutes]), 2
                )
                if any(d.work_minutes for d in self.days)
                else None,
                idle_min=sum(d.idle_minutes for d in self.days),
                late_finish_min=sum(late),
                late_finish_days=sum(1 for m in late if m > 0),
                latest_finish=max((d.last_end for d in self.days if d.last_end), default=None),
                workload_std_managers=self.spreads["workload_per_manager"].std,
                workload_range_managers=round(self.spreads["workload_per_manager"].range, 1),
                load_std_days=self.spreads["load_per_day"].std,
                late_std_managers=self.spreads["late_per_manager"].std,
            )
        if self.has_routes:
            row.update(
                route_km=round(sum(r.recomputed_km or 0 for r in self.routes), 1),
                route_travel_min=sum(r.recomputed_minutes or 0 for r in self.routes),
                route_waiting_min=sum(r.waiting_minutes for r in self.routes),
                stops_per_day=round(statistics.fmean([r.visits for r in self.routes if r.visit_day]), 2)
                if any(r.visit_day for r in self.routes)
                else None,
                stops_min=min((r.visits for r in self.routes if r.visit_day), default=None),
                # The policy's stops a day (seed 003): the routes declare each day below it;
                # the score said nothing of them (37 such days of a generated week).
                days_below_stops=sum(1 for r in self.routes if r.visit_day and r.required_stops
                                     and r.visits < r.required_stops),
                unvisited=self.unvisited,
                timetable_transfers=sum(
                    v.rule == "late_for_appointment" for v in self.violations if v.source == "routes"
                ),
                route_figures_disagree=sum(not r.agrees for r in self.routes),
                travel_std_managers=self.spreads["travel_per_manager"].std,
            )
        row["gap"] = None if self.gap is None else round(self.gap, 4)
        return row

    def scope_words(self) -> str | None:
        """One line saying the routes cover only part of the week, or None for a whole week."""
        if not self.partial or self.scope is None:
            return None
        managers, dates = self.scope.get("managers") or [], self.scope.get("dates") or []
        who = f"managers {', '.join(managers)}" if managers else "every manager"
        when = f"dates {', '.join(dates)}" if dates else "every date"
        return (f"the routes cover only {who} ({when}), as their file's scope says: route km, riding minutes "
                f"and due visits are those of that part; the rest of the week's routes is not judged")

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data."""
        data = asdict(self)
        data["spreads"] = {name: spread.as_dict() for name, spread in self.spreads.items()}
        data["summary"] = self.summary()
        for hours in data["hours"]:
            hours["difference"] = hours["planned"] - hours["owed"]
        return data


# -- reading a plan --------------------------------------------------------------------------


def split_plan(plan: Mapping[str, Any]) -> tuple[dict | None, dict | None]:
    """(timetable, routes) of a plan: a timetable, a routes document, or a mapping
    holding both (`{"timetable": {...}, "routes": {...}}`, or a timetable with a
    `routes` document inside)."""
    if not isinstance(plan, Mapping):
        raise InputError([Problem(f"the plan must be a JSON object ({{…}}); its top level is "
                                  f"{type(plan).__name__}", file="plan")])
    timetable = plan.get("timetable") if isinstance(plan.get("timetable"), Mapping) else None
    if timetable is None and "blocks" in plan:
        timetable = {k: v for k, v in plan.items() if k != "routes"}
    routes_part = plan.get("routes")
    if isinstance(routes_part, Mapping):
        routes = dict(routes_part)
    elif isinstance(routes_part, list):
        routes = dict(plan) if timetable is None else {
            "week_start": plan.get("week_start"), "routes": routes_part,
            "unvisited": plan.get("unvisited", []),
        }
    else:
        routes = None
    if timetable is None and routes is None:
        raise InputError([Problem("the plan holds neither a timetable (blocks) nor routes", file="plan")])
    return (dict(timetable) if timetable is not None else None), routes


def parse_timetable(data: Mapping[str, Any] | Timetable) -> Timetable:
    """A timetable from its JSON contract; every bad value is named."""
    if isinstance(data, Timetable):
        return data
    try:
        return Timetable.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(
            [
                Problem(
                    file="timetable",
                    column=".".join(str(p) for p in err["loc"]) or None,
                    message=err["msg"].removeprefix("Value error, "),
                )
                for err in exc.errors()
            ]
        ) from None


WRITTEN_CLOCK = re.compile(r"\d{2}:\d{2}")
"""A clock of a plan as the planners write it (format_clock): two digits, colon, two digits."""
ROUTE_CLOCKS = ("depart", "return", "visit_start", "visit_end", "lunch_start", "lunch_end")
STOP_CLOCKS = ("arrive", "start", "end")
OFFICE_RETURN_CLOCKS = ("leave", "arrive")


def plan_clock_problems(plan: Mapping[str, Any]) -> list[Problem]:
    """Every clock of a plan's blocks and routes not written "HH:MM" or not a time of day,
    by where it is (`blocks.3.start`, `routes.0.stops.2.arrive`). The planners always write
    "HH:MM"; a plan read for scoring that says "9:5" or 545 is refused, not guessed (09:05?
    09:50?), and a stop's "25:00" is named here instead of failing the judges midway. Only
    for plan JSON: CSV rows and policy files read clocks under their own rules."""
    timetable, routes = split_plan(plan)
    problems: list[Problem] = []

    def look(where: str, value: object, required: bool = False) -> None:
        if value is None:
            if required:
                problems.append(Problem(f"{where.rsplit('.', 1)[-1]} is missing: give a time HH:MM",
                                        file="plan", column=where))
            return
        if not isinstance(value, str) or not WRITTEN_CLOCK.fullmatch(value):
            problems.append(Problem(f"{value!r} is not a time written HH:MM (two digits each, e.g. '09:05')",
                                    file="plan", column=where))
            return
        try:
            parse_clock(value)
        except ValueError as exc:
            problems.append(Problem(str(exc), file="plan", column=where))

    def items(value: object) -> list[tuple[int, Mapping]]:
        return [(n, x) for n, x in enumerate(value) if isinstance(x, Mapping)] if isinstance(value, list) else []

    for n, block in items((timetable or {}).get("blocks")):
        for key in ("start", "end"):
            look(f"blocks.{n}.{key}", block.get(key), required=True)
    for n, route in items((routes or {}).get("routes")):
        for key in ROUTE_CLOCKS:
            look(f"routes.{n}.{key}", route.get(key))
        for m, stop in items(route.get("stops")):
            for key in STOP_CLOCKS:
                look(f"routes.{n}.stops.{m}.{key}", stop.get(key), required=True)
        for m, leg in items(route.get("office_returns")):
            for key in OFFICE_RETURN_CLOCKS:
                look(f"routes.{n}.office_returns.{m}.{key}", leg.get(key), required=True)
    return problems


# -- scoring -----------------------------------------------------------------------------------


def score_plan(
    plan: Mapping[str, Any] | Timetable,
    department: Department,
    policy: Policy,
    check: bool = True,
) -> QualityReport:
    """Every measure of SPEC §6 for a plan (timetable, routes, or both).

    `check=False` skips the hard-rule checkers (for plots of a plan already judged).
    """
    if isinstance(plan, Timetable):
        timetable_data: dict | None = plan.to_json_dict()
        routes_data = None
    else:
        timetable_data, routes_data = split_plan(plan)
    timetable = parse_timetable(timetable_data) if timetable_data is not None else None
    week_start = (
        timetable.week_start
        if timetable is not None
        else _date((routes_data or {}).get("week_start"))
    )
    report = QualityReport(
        department=department.name,
        policy=policy.name,
        week_start=week_start.isoformat() if week_start else None,
        has_timetable=timetable is not None,
        has_routes=routes_data is not None,
    )
    if timetable is not None:
        _score_timetable(report, timetable, department, policy, check)
    if routes_data is not None:
        _score_routes(report, routes_data, department, policy, timetable, check)
    return report


def present_managers(department: Department, policy: Policy, week_start: dt.date) -> list[str]:
    """The managers in for some of the week: the spreads across managers measure how the
    plan shares the work among them (the 8-manager week: m04 on leave all week made the
    workload std 633.6 and its range 2040, his 0 minutes against the others' 1800-2040)."""
    shares = presence(department, policy, week_start)
    return [m.id for m in department.managers if shares.get(m.id, Fraction(1)) > 0]


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _score_timetable(
    report: QualityReport, timetable: Timetable, department: Department, policy: Policy, check: bool
) -> None:
    report.status = timetable.status
    report.stated_objective = timetable.objective
    report.best_bound = timetable.best_bound
    report.gap = solver_gap(timetable.objective, timetable.best_bound)
    if check:
        verdict = judge_timetable(department, policy, timetable)
        report.violations += [
            Finding("timetable", v.rule, v.manager, v.date.isoformat() if v.date else None, v.time, v.message)
            for v in verdict.violations
        ]
        rooms = room_beside_leave(department, policy, timetable.week_start)
        undue = _undue_not_owed(timetable, policy, rooms)
        report.violations += undue
        report.violations += _unknown_shortfall_reasons(timetable, department, policy)
        daily = {k for k, r in policy.kinds.items() if r.per_day_minutes is not None and r.group != "department"}
        beside = _beside_leave(timetable, policy, rooms, {(d.manager, d.kind) for d in verdict.deviations},
                               {(f.manager, f.date) for f in undue})
        report.deviations = ([d for d in verdict.deviations if d.kind not in daily] + [d for d, _ in beside]
                             + _declared_not_owed(timetable, policy, verdict.violations))
        # As the plan says them: weekly hours short apart from the blocks a leave takes, a
        # daily block's part by the scorer's reading of the leave (`_beside_leave`).
        settled = {(d.manager, d.kind) for d in report.deviations}
        report.not_owed = [(c.manager, c.kind, c.minutes_short) for c in timetable.shortfalls
                           if c.not_owed and c.kind not in daily and (c.manager, c.kind) in settled]
        report.not_owed += [(d.manager, d.kind, d.asked) for d, not_owed in beside if not_owed]
    if timetable.status in ("infeasible", "unknown") and not timetable.blocks:
        report.spreads.update(
            workload_per_manager=Spread.of([]), load_per_day=Spread.of([]),
            late_per_manager=Spread.of([]), late_per_day=Spread.of([]),
        )
        return
    report.hours = hours_against_policy(timetable, department, policy)
    report.pairs = pair_measures(timetable, department, policy)
    report.days = day_measures(timetable, department, policy)
    terms = objective_terms(timetable, department, policy, report.pairs, report.days)
    report.objective_terms = terms
    report.objective = float(sum(terms.values()))
    if check:
        report.violations += _solver_claims(report, timetable)
    dates = sorted({d.date for d in report.days})
    managers = present_managers(department, policy, timetable.week_start)
    report.away_all_week = [m.id for m in department.managers if m.id not in managers]
    work: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    day_load: dict[str, int] = defaultdict(int)
    day_late: dict[str, int] = defaultdict(int)
    for day in report.days:
        work[day.manager] += day.work_minutes
        late[day.manager] += day.late_minutes
        day_load[day.date] += day.work_minutes
        day_late[day.date] += day.late_minutes
    report.spreads.update(
        workload_per_manager=Spread.of([work[m] for m in managers]),
        load_per_day=Spread.of([day_load[d] for d in dates]),
        late_per_manager=Spread.of([late[m] for m in managers]),
        late_per_day=Spread.of([day_late[d] for d in dates]),
    )


def _unknown_shortfall_reasons(timetable: Timetable, department: Department, policy: Policy) -> list[Finding]:
    """A fault for each shortfall the plan declares with a reason none of the product's
    planners gives (`SHORTFALL_REASONS`, every part of it), or whose checkable facts are
    false: the checker took the amounts and any words (tester: all 3 of m01's POS sessions
    removed, declared 180 min short "did not feel like it", or "on Tue 11-24 did not feel
    like it", "the opening hours of nothing at all", "the rides between his places are
    boring": exit 0). Read of the words, cheaply: a day ("on Tue 11-24 ...") is a day of
    the week the manager has leave on (part-day or whole-day), the line's own date when it
    has one, and of a kind a leave takes by the day (a daily kind, a department slot, a
    `min_per_day` kind), never a weekly kind (its quota is prorated for the leave); the
    manager whose territory is said to have too few POS households is the line's, with
    that many POS-target households in the data; the opening hours quoted are those of
    retailers of the department as its data has them (POS-target households where it says
    his POS households); a partner named is a manager of the department. Not checked: that
    those hours, the rides' minutes quoted, or the day's slots really leave no room (the
    checker judges the week's blocks, not the planner's reasoning), that the time limit
    was reached, that a re-plan's events happened. The amounts, and the leave behind a
    dated or not-owed line, are the timetable checker's (engine/check/timetable.py): such a
    line is read here only when its words name a day."""
    retailers = {r.id: r for r in department.retailers}
    spans = leave_spans(department, policy)
    days = {f"{timetable.week_start + dt.timedelta(days=n):%a %m-%d}": timetable.week_start + dt.timedelta(days=n)
            for n in range(7)}
    managers = {m.id for m in department.managers}
    found = []
    for claim in timetable.shortfalls:
        reason = claim.reason.strip()
        if not reason:
            continue
        if (claim.not_owed or claim.date is not None) and not SHORTFALL_REASONS["day"].fullmatch(reason):
            continue  # judged on the leave it claims (the timetable checker), whatever its words
        rule = policy.kinds.get(claim.kind)
        wrong = [why for part in reason.split("; beyond that, ")
                 if (why := _reason_fault(part, claim.manager, claim.date, rule, days, spans, retailers, managers))]
        if not wrong:
            continue
        label = rule.label_en.split(" (")[0].lower() if rule is not None else claim.kind
        sessions = f" and {claim.sessions_short} session{'s' if claim.sessions_short != 1 else ''}" \
            if claim.sessions_short else ""
        what = "not owed" if claim.not_owed else "short"
        found.append(Finding(
            "timetable", KIND_RULE.get(claim.kind, claim.kind), claim.manager,
            claim.date.isoformat() if claim.date else None, None,
            f"{claim.manager} is declared {claim.minutes_short} min{sessions} {what} of {label} for the reason "
            f"{reason!r}: {'; '.join(wrong)}: the hours are owed"))
    return found


def _reason_fault(part: str, manager: str, date: dt.date | None, rule: KindRule | None,
                  days: Mapping[str, dt.date], spans: Mapping[tuple[str, dt.date], list[tuple[int, int]]],
                  retailers: Mapping[str, Retailer], managers: Collection[str]) -> str | None:
    """What is wrong with one part of a declared shortfall's reason, or None (see
    `_unknown_shortfall_reasons`)."""
    form, match = next(((name, m) for name, pattern in SHORTFALL_REASONS.items()
                        if (m := pattern.fullmatch(part)) is not None), (None, None))
    if form is None or match is None:
        return ("none the planner gives (the rides, opening hours or households that leave no room, a time limit "
                "not proven, an absence, a day's leave)")
    if form == "day":
        day = days.get(match["day"])
        if day is None:
            return f"{match['day']} is no day of the week"
        if date is not None and date != day:
            return f"it names {match['day']}, the line {date:%a %m-%d}"
        if not spans.get((manager, day)):
            return f"{manager} has no leave on {match['day']}"
        if rule is not None and rule.per_day_minutes is None and rule.group != "department" \
                and rule.min_per_day is None:
            return "a leave prorates a weekly kind's quota, it excuses none of it by the day"
    elif form == "data":
        places = sum(1 for r in retailers.values() if r.manager == manager and r.pos_target)
        if match["manager"] != manager:
            return f"it speaks of {match['manager']}'s territory"
        if int(match["places"] or 0) != places:
            return f"{manager}'s territory has {places} POS-target households"
    elif form == "hours":
        for shop in match["shops"].split(", "):
            shop_id, hours = shop.split(" ", 1)
            retailer = retailers.get(shop_id)
            if retailer is None:
                return f"{shop_id} is no retailer of the department"
            if hours != f"{format_clock(retailer.opens)}–{format_clock(retailer.closes)}":
                return f"{shop_id} opens {format_clock(retailer.opens)}–{format_clock(retailer.closes)}"
            if match["places"] == "his POS households" and not retailer.pos_target:
                return f"{shop_id} is no POS-target household"
    elif form == "rides":
        for partner in re.findall(r"his partner (\S+)'s", match["partners"] or ""):
            if partner not in managers:
                return f"{partner} is no manager of the department"
    return None


def _not_owed_claims(timetable: Timetable, policy: Policy) -> dict[tuple[str, str, dt.date], tuple[int, int]]:
    """(manager, daily kind, date) -> (minutes the plan declares not owed, minutes it
    declares short) of the plan's dated lines for daily kinds."""
    claims: dict[tuple[str, str, dt.date], tuple[int, int]] = {}
    for claim in timetable.shortfalls:
        rule = policy.kinds.get(claim.kind)
        if claim.date is None or rule is None or rule.per_day_minutes is None or rule.group == "department":
            continue
        not_owed, short = claims.get((claim.manager, claim.kind, claim.date), (0, 0))
        claims[(claim.manager, claim.kind, claim.date)] = (
            (not_owed + claim.minutes_short, short) if claim.not_owed else (not_owed, short + claim.minutes_short))
    return claims


def _leave_words(room: LeaveRoom) -> str:
    return ", ".join(f"{format_clock(start)}–{format_clock(end)}" for start, end in room.leave)


def _undue_not_owed(timetable: Timetable, policy: Policy,
                    rooms: Mapping[tuple[str, str, dt.date], LeaveRoom]) -> list[Finding]:
    """The plan's "not owed" lines of daily blocks on days of part-day leave that claim more
    than the leave takes by the scorer's reading (`room_beside_leave`): a fault each. The
    checker took any such line as a declared shortfall (tester: m02's Friday visit block
    declared not owed for a leave 13:00–18:00, which leaves it 08:00–11:00). A line on a
    day without leave is the checker's fault already."""
    found = []
    for key, (claimed, _) in sorted(_not_owed_claims(timetable, policy).items()):
        room = rooms.get(key)
        if room is None or claimed <= room.not_owed:
            continue
        manager, kind, date = key
        label = policy.kinds[kind].label_en.split(" (")[0].lower()
        fits = ("the whole block fits beside the leave in its window: none of it is not owed" if not room.not_owed
                else f"{room.owed} min of the block fit beside the leave in its window: only {room.not_owed} min "
                     "are not owed")
        found.append(Finding(
            "timetable", KIND_RULE.get(kind, kind), manager, date.isoformat(), None,
            f"the plan says {claimed} min of {manager}'s {room.minutes}-min {label} block on {date:%a} "
            f"{date.isoformat()} are not owed for his leave {_leave_words(room)}, but {fits}"))
    return found


def _beside_leave(timetable: Timetable, policy: Policy, rooms: Mapping[tuple[str, str, dt.date], LeaveRoom],
                  settled: Collection[tuple[str, str]], faulted: Collection[tuple[str | None, str | None]],
                  ) -> list[tuple[Shortfall, bool]]:
    """The checker's deviations of daily kinds (one per manager and kind, what the leave
    took and what the week kept short of it in one: "asked 80, lost 80" where the plan says
    60 not owed and 20 short) as the plan says them, day by day, by the scorer's reading:
    the part the leave takes (not owed: True) and the part that fits beside it but is not
    kept (lost: what the plan declares short). For the (manager, kind) the checker settled; a day
    whose not-owed claim is faulted (`_undue_not_owed`) is a violation, not a deviation."""
    held: dict[tuple[str, str, dt.date], int] = defaultdict(int)
    for block in timetable.blocks:
        held[(block.manager, block.kind, block.date)] += max(0, block.end - block.start)
    claims = _not_owed_claims(timetable, policy)
    found: list[tuple[Shortfall, bool]] = []
    for key, room in sorted(rooms.items()):
        manager, kind, date = key
        if (manager, kind) not in settled or (manager, date.isoformat()) in faulted:
            continue
        kept, rule_id = held.get(key, 0), KIND_RULE.get(kind, kind)
        label = policy.kinds[kind].label_en.split(" (")[0].lower()
        day = f"{date:%a} {date.isoformat()}"
        taken = room.minutes - max(room.owed, kept)
        if taken > 0:
            found.append((Shortfall(manager, kind, rule_id, "min", 0, taken, taken,
                                    f"on {day} {manager}'s leave {_leave_words(room)} leaves room for at most "
                                    f"{room.owed} of the {room.minutes}-min {label} block: {taken} min not owed"),
                          True))
        if kept < room.owed:
            declared = claims.get(key, (0, 0))[1]
            found.append((Shortfall(manager, kind, rule_id, "min", kept, room.owed, declared,
                                    f"on {day} {manager} has {kept} of the {room.owed} min of {label} that fit "
                                    f"beside his leave {_leave_words(room)}; the plan declares {declared} min short"),
                          False))
    return found


def _declared_not_owed(timetable: Timetable, policy: Policy, violations: Sequence[Violation]) -> list[Shortfall]:
    """The plan's not-owed lines the checker settles without a deviation — a department
    slot (the daily meeting, the weekly site study) or a `min_per_day` session (the daily
    report slot) a part-day leave takes — each as the timetable declares it, so that the
    declared shortfalls count every line the timetable, its console and workbook count. A
    line the checker faults (a false claim, or one short of what the leave took) is its
    violation, not counted here."""
    faulted = {(v.manager, v.rule) for v in violations}
    found = []
    for claim in timetable.shortfalls:
        rule = policy.kinds.get(claim.kind)
        if not claim.not_owed or rule is None or (claim.manager, KIND_RULE.get(claim.kind)) in faulted:
            continue
        department_slot = rule.group == "department"
        daily_session = rule.group != "department" and not rule.is_daily and rule.min_per_day is not None
        if department_slot or daily_session:
            found.append(Shortfall(claim.manager, claim.kind, KIND_RULE.get(claim.kind, claim.kind), "min", 0,
                                   claim.minutes_short, claim.minutes_short, claim.reason))
    return found


SOLVER_FIGURES = "solver_figures"
"""The rule of a plan whose claimed solver figures contradict themselves (`_solver_claims`)."""


def _solver_claims(report: QualityReport, timetable: Timetable) -> list[Finding]:
    """The plan's claimed solver figures judged against themselves: every objective of the
    policy is minimised, so an objective below the solver's own bound is a contradiction,
    and so is status "optimal" with an objective other than the bound (proven optimal
    means the bound is reached): a violation each (tester: "optimal", objective 1, bound
    210: score took them as given, gap 209.0). A stated objective other than the one the
    score works out from the plan's blocks (`report.objective`) is a note, not a
    violation: the solver's model prices a missing slot above every other soft rule
    (timetable/shortfalls.price_above_other_rules), not at the policy's weight, and a
    hand-typed plan may state any figure; the score's own objective is the one reported."""
    found = []
    objective, bound = timetable.objective, timetable.best_bound
    if objective is not None and bound is not None:
        tolerance = 1e-6 * max(1.0, abs(bound))
        if objective < bound - tolerance:
            found.append(Finding("timetable", SOLVER_FIGURES, None, None, None, (
                f"the plan states objective {objective:g} below its own best bound {bound:g}: the objective "
                "is minimised, so no plan is below the bound")))
        elif timetable.status == "optimal" and abs(objective - bound) > tolerance:
            found.append(Finding("timetable", SOLVER_FIGURES, None, None, None, (
                f"the plan states status optimal with objective {objective:g} and best bound {bound:g}: a "
                "proven optimum reaches its bound")))
    if objective is not None and report.objective is not None and abs(objective - report.objective) > 1e-6 * max(
            1.0, abs(report.objective)):
        report.notes.append(f"the plan states objective {objective:g}; worked out from its blocks under the "
                            f"policy it is {report.objective:g} (the score's, reported here)")
    return found


def solver_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap between the stated objective and the solver's bound (0 = proven optimal)."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


def hours_against_policy(timetable: Timetable, department: Department, policy: Policy) -> list[HoursOwed]:
    """Minutes of each kind per manager against what the policy asks after leave.

    A department slot (meeting, site study) is owed by everyone not on leave during it,
    so for those kinds the plan's own slots decide; without any slot the nominal minutes stand.
    A daily block on a day of part-day leave is asked as far as it fits beside the leave
    (`room_beside_leave`), whatever the plan declares not owed (`_undue_not_owed` judges that).
    """
    owed = owed_minutes(department, policy, timetable.week_start)
    spans = leave_spans(department, policy)
    planned: dict[tuple[str, str], int] = defaultdict(int)
    slots: dict[str, set[tuple[dt.date, int, int]]] = defaultdict(set)
    for block in timetable.blocks:
        planned[(block.manager, block.kind)] += max(0, block.end - block.start)
        rule = policy.kinds.get(block.kind)
        if rule is not None and rule.group == "department":
            slots[block.kind].add((block.date, block.start, block.end))
    rows = []
    for manager in department.managers:
        for kind in policy.kinds:
            asked = owed[manager.id][kind]
            if slots.get(kind):
                asked = sum(
                    end - start
                    for date, start, end in slots[kind]
                    if not any(s < end and start < e for s, e in spans.get((manager.id, date), []))
                )
            rows.append(HoursOwed(manager.id, kind, planned[(manager.id, kind)], asked))
    return rows


def groups_of(timetable: Timetable, policy: Policy) -> list[frozenset[str]]:
    """The week's groups (pairs and a trio), read from the partners on paired blocks."""
    paired_kinds = {k for k, r in policy.kinds.items() if r.group == "pair"}
    groups: set[frozenset[str]] = set()
    for block in timetable.blocks:
        if block.kind in paired_kinds and block.with_:
            groups.add(frozenset((block.manager, *block.with_)))
    return sorted(groups, key=sorted)


def recent_partners(department: Department, policy: Policy, week_start: dt.date) -> set[frozenset[str]]:
    """Pairs from the department's history within the policy's `history_weeks` before the week."""
    horizon = dt.timedelta(weeks=policy.pairs.history_weeks)
    return {
        frozenset((h.manager, h.partner))
        for h in department.history
        if week_start - horizon <= h.week_start < week_start and h.manager != h.partner
    }


def is_senior_newcomer(department: Department, policy: Policy, a: str, b: str) -> bool:
    """One of the two has the policy's senior years, the other fewer than its newcomer years."""
    known = {m.id: m.years for m in department.managers}
    if a not in known or b not in known:
        return False
    ya, yb = known[a], known[b]
    senior, newcomer = policy.pairs.senior_years, policy.pairs.newcomer_years
    return (ya >= senior and yb < newcomer) or (yb >= senior and ya < newcomer)


def pair_measures(timetable: Timetable, department: Department, policy: Policy) -> list[PairMeasure]:
    """Every pair working together this week with its coaching, repetition and distance."""
    centres = territory_centres(department)
    repeated = recent_partners(department, policy, timetable.week_start)
    pairs: set[tuple[str, ...]] = set()
    for group in groups_of(timetable, policy):
        pairs.update(tuple(sorted(p)) for p in combinations(group, 2))
    result = []
    for a, b in sorted(pairs):
        km = great_circle_km(*centres[a], *centres[b]) if a in centres and b in centres else 0.0
        result.append(
            PairMeasure(
                (a, b), is_senior_newcomer(department, policy, a, b),
                frozenset((a, b)) in repeated, round(km, 2), round(km),
            )
        )
    return result


def office_pieces(blocks: Sequence[tuple[int, int]]) -> int:
    """Separate pieces of office time in a day: blocks back to back count as one piece."""
    pieces, reach = 0, None
    for start, end in sorted(blocks):
        if reach is None or start > reach:
            pieces += 1
        reach = end if reach is None else max(reach, end)
    return pieces


def day_measures(timetable: Timetable, department: Department, policy: Policy) -> list[DayMeasure]:
    """Work, idle time, late finish and office pieces for each manager's working day."""
    dates = working_dates(policy, timetable.week_start, department)
    by_day: dict[tuple[str, dt.date], list] = defaultdict(list)
    for block in timetable.blocks:
        by_day[(block.manager, block.date)].append(block)
    result = []
    for manager in department.managers:
        for date in dates:
            blocks = sorted(by_day.get((manager.id, date), []), key=lambda b: (b.start, b.end))
            work = [b for b in blocks if b.kind != "lunch"]
            if not work:
                result.append(DayMeasure(manager.id, date.isoformat(), 0, None, None, 0, 0, 0))
                continue
            last_end = max(b.end for b in work)
            idle = 0
            for first, second in pairwise(blocks):
                gap = second.start - first.end
                idle += max(0, gap - riding_minutes(policy, first.kind, second.kind))
            offices = [(b.start, b.end) for b in work if place_of(policy, b.kind) == "office"]
            result.append(
                DayMeasure(
                    manager=manager.id,
                    date=date.isoformat(),
                    work_minutes=sum(b.end - b.start for b in work),
                    first_start=format_clock(min(b.start for b in work)),
                    last_end=format_clock(last_end),
                    late_minutes=max(0, last_end - policy.day.normal_end),
                    idle_minutes=idle,
                    office_pieces=office_pieces(offices),
                )
            )
    return result


def _per_grid_weight(weight_per_10min: int, grid: int) -> int:
    """A weight stated per 10 minutes, as charged per grid slot (at least 1 when set)."""
    return max(1, round(weight_per_10min * grid / 10)) if weight_per_10min else 0


def objective_terms(
    timetable: Timetable,
    department: Department,
    policy: Policy,
    pairs: Sequence[PairMeasure] | None = None,
    days: Sequence[DayMeasure] | None = None,
) -> dict[str, float]:
    """The policy's objective for this timetable, term by term (lower is better)."""
    weights = policy.objective
    grid = policy.grid_minutes
    pairs = pair_measures(timetable, department, policy) if pairs is None else pairs
    days = day_measures(timetable, department, policy) if days is None else days
    late_slots = [math.ceil(d.late_minutes / grid) for d in days]
    terms = {
        "senior_newcomer": -weights.senior_newcomer_pair * sum(p.senior_newcomer for p in pairs),
        "repeated_partner": weights.repeated_partner * sum(p.repeated for p in pairs),
        "pair_distance": weights.pair_distance_per_km * sum(p.charged_km for p in pairs),
        "office_fragmentation": weights.office_piece * sum(d.office_pieces for d in days),
        "late_finish": _per_grid_weight(weights.late_finish_per_10min, grid) * sum(late_slots),
        "late_finish[latest]": _per_grid_weight(weights.max_late_finish_per_10min, grid)
        * max(late_slots, default=0),
        "site_study_absence": weights.site_study_absence
        * _department_absences(timetable, department, policy, weekly=True),
        "meeting_absence": weights.meeting_absence
        * _department_absences(timetable, department, policy, weekly=False),
    }
    if weights.missing_weekly_hours_per_10min:
        # A week planned short pays the policy's price for each grid slot of weekly
        # hours it lacks (SPEC §2 hours), measured here from the plan, never taken from it:
        # a daily block kept shorter than fits beside a part-day leave too, as the model
        # charges it (the 7-manager week: 20 min of m03's Wednesday, 520297 stated, 500297).
        short = sum(
            math.ceil(max(0, row.owed - row.planned) / grid)
            for row in hours_against_policy(timetable, department, policy)
            if policy.kinds[row.kind].group != "department"
        )
        terms["missing_hours"] = _per_grid_weight(weights.missing_weekly_hours_per_10min, grid) * short
    return {name: float(cost) for name, cost in terms.items()}


def _department_absences(timetable: Timetable, department: Department, policy: Policy, weekly: bool) -> int:
    """Managers missing an all-together slot, slot by slot: the weekly ones (the site
    study), or those held every day (the meetings)."""
    absent = 0
    for kind, rule in policy.kinds.items():
        if rule.group != "department" or (rule.per_day_minutes is None) != weekly:
            continue
        slots: dict[tuple, set[str]] = defaultdict(set)
        for block in timetable.blocks:
            if block.kind == kind:
                slots[(block.date, block.start, block.end)].add(block.manager)
        for attendees in slots.values():
            absent += sum(1 for m in department.managers if m.id not in attendees)
    return absent


def timetable_objective(timetable: Mapping[str, Any] | Timetable, department: Department,
                        policy: Policy) -> float:
    """The policy's objective for a timetable, computed here (not taken from the plan)."""
    parsed = parse_timetable(timetable)
    return float(sum(objective_terms(parsed, department, policy).values()))


# -- routes ----------------------------------------------------------------------------------


def recompute_route(
    stops: Sequence[Retailer], office: tuple[float, float], policy: Policy
) -> tuple[float, int]:
    """(km, minutes) of office → stops in order → office on the straight-line model."""
    points = [(office[0], office[1], "town")]
    points += [(r.lat, r.lon, r.area) for r in stops]
    points.append(points[0])
    km, minutes = 0.0, 0
    for a, b in pairwise(points):
        leg_km, leg_min = ride(policy, a, b)
        km += leg_km
        minutes += leg_min
    return km, minutes


def recompute_route_legs(
    route: Mapping[str, Any], retailers: Mapping[str, Retailer], office: tuple[float, float],
    policy: Policy,
) -> tuple[float, int] | None:
    """(km, minutes) of the rides a route states: each stop's ride `from` the office or
    the previous retailer, and its rides back to the office; a ride from "elsewhere"
    (a place the timetable does not name) is not counted. A route without `from`
    fields is taken as office → stops in order → office. None if a place is unknown."""
    stops = list(route.get("stops", []))
    if any(s.get("retailer") not in retailers for s in stops):
        return None
    if not any("from" in s for s in stops) and not route.get("office_returns"):
        return recompute_route([retailers[s["retailer"]] for s in stops], office, policy) if stops else (0.0, 0)

    def point(key: str) -> tuple[float, float, str] | None:
        if key == "office":
            return (office[0], office[1], "town")
        retailer = retailers.get(key)
        return None if retailer is None else (retailer.lat, retailer.lon, retailer.area)

    rides = [(s.get("from", "office"), s["retailer"]) for s in stops]
    rides += [(r.get("from"), "office") for r in route.get("office_returns", [])]
    km, minutes = 0.0, 0
    for origin, target in rides:
        if origin in (None, "elsewhere"):
            continue
        a, b = point(str(origin)), point(str(target))
        if a is None or b is None:
            return None
        leg_km, leg_min = ride(policy, a, b)
        km += leg_km
        minutes += leg_min
    return km, minutes


def stops_asked(stops: Sequence[Mapping[str, Any]], manager: str, retailers: Mapping[str, Retailer],
                policy: Policy) -> int | None:
    """The stops the policy asks of a visit day (SPEC §3): `route.min_stops_country` on a
    countryside day (most of its visits in the countryside; a day without visits judged on
    the manager's territory), else `route.min_stops_town`; None when it asks none. Read
    from the policy the score uses, never from the plan's `required_stops`: a seed-003 week
    with those fields deleted scored 0 days below its 30 stops, and scored under 15-13-7
    (no minimum) 30 days below."""
    visited = [retailers[s["retailer"]] for s in stops
               if s.get("kind", "visit") == "visit" and s.get("retailer") in retailers]
    judged = visited or [r for r in retailers.values() if r.manager == manager]
    country = sum(r.area == "country" for r in judged) > sum(r.area == "town" for r in judged)
    asked = policy.route.min_stops_country if country else policy.route.min_stops_town
    return asked or None


def _clock(value: object) -> int:
    return parse_clock(value)


def _lunches(route: Mapping[str, Any], timetable: Timetable | None) -> list[tuple[int, int]]:
    """The manager's lunch that day: the timetable's lunch block, or the lunch the route
    takes on the road."""
    lunches = [(b.start, b.end) for b in (timetable.blocks if timetable is not None else ())
               if b.kind == "lunch" and b.manager == route.get("manager") and str(b.date) == str(route.get("date"))]
    if route.get("lunch_start") is not None and route.get("lunch_end") is not None:
        lunches.append((_clock(route["lunch_start"]), _clock(route["lunch_end"])))
    return sorted(set(lunches))


def _waited(arrive: int, start: int, lunches: Sequence[tuple[int, int]]) -> int:
    """Minutes between arriving at a stop and starting it that are no lunch: a manager who
    reaches a 13:30 appointment at 10:47 and lunches 12:30-13:30 waits 103 min, not 163."""
    eaten = sum(max(0, min(start, end) - max(arrive, begin)) for begin, end in lunches)
    return max(0, start - arrive - eaten)


def _iso(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _score_routes(
    report: QualityReport,
    routes: Mapping[str, Any],
    department: Department,
    policy: Policy,
    timetable: Timetable | None,
    check: bool,
) -> None:
    retailers = {r.id: r for r in department.retailers}
    office = (department.office.lat, department.office.lon)
    if check:
        report.violations += _route_findings(department, policy, routes, timetable)
    measures = []
    for route in routes.get("routes", []):
        stops = route.get("stops", [])
        recomputed = recompute_route_legs(route, retailers, office, policy)
        km, minutes = recomputed if recomputed is not None else (None, None)
        lunches = _lunches(route, timetable)
        waiting = sum(_waited(_clock(s["arrive"]), _clock(s["start"]), lunches) for s in stops
                      if s.get("start") is not None and s.get("arrive") is not None)
        stated_km, stated_min = route.get("distance_km"), route.get("travel_minutes")
        visit_day = route.get("visit_start") is None or route.get("visit_start") != route.get("visit_end")
        agrees = (
            km is not None
            and minutes is not None
            and stated_km is not None
            and stated_min is not None
            and abs(stated_km - km) <= max(ROUTE_KM_SLACK, ROUTE_DISTANCE_TOLERANCE * km)
            and abs(stated_min - minutes)
            <= max(ROUTE_MINUTES_SLACK, ROUTE_DISTANCE_TOLERANCE * minutes)
        )
        measures.append(
            RouteMeasure(
                manager=str(route.get("manager")),
                date=str(route.get("date")),
                stops=len(stops),
                visits=sum(1 for s in stops if s.get("kind", "visit") == "visit"),
                distance_km=stated_km,
                travel_minutes=stated_min,
                recomputed_km=None if km is None else round(km, 2),
                recomputed_minutes=minutes,
                waiting_minutes=waiting,
                agrees=bool(agrees),
                visit_day=visit_day,
                required_stops=stops_asked(stops, str(route.get("manager")), retailers, policy) if visit_day
                else None,
            )
        )
    report.routes = measures
    report.unvisited = len(routes.get("unvisited", []))
    stated = routes.get("scope")
    scope: Mapping[str, Any] = stated if isinstance(stated, Mapping) else {}
    managers, dates = sorted(map(str, scope.get("managers") or [])), sorted(map(str, scope.get("dates") or []))
    if managers or dates:
        # The file's own word that it is part of a week: said, never taken silently
        # (tester: m01's routes alone, scope m01, scored 0 due visits unplanned, exit 0).
        report.scope, report.partial = {"managers": managers, "dates": dates}, True
    travel: dict[str, int] = defaultdict(int)
    for measure in measures:
        travel[measure.manager] += measure.recomputed_minutes or 0
    week = timetable.week_start if timetable is not None else _date(routes.get("week_start"))
    present = present_managers(department, policy, week) if week is not None else [m.id for m in department.managers]
    report.away_all_week = [m.id for m in department.managers if m.id not in present]
    report.spreads["travel_per_manager"] = Spread.of([travel[m] for m in present])
    per_day: dict[str, int] = defaultdict(int)
    for measure in measures:
        per_day[measure.date] += measure.recomputed_minutes or 0
    report.spreads["travel_per_day"] = Spread.of(list(per_day.values()))


def _route_findings(
    department: Department, policy: Policy, routes: Mapping[str, Any], timetable: Timetable | None
) -> list[Finding]:
    """Hard route rules, judged by the independent route checker (the visits listed
    unvisited beside a day with room for them among them, engine/check/left_out.py)."""
    return [
        Finding("routes", v.rule, v.manager, _iso(v.date), None,
                f"{v.retailer}: {v.message}" if v.retailer and v.retailer not in v.message else v.message)
        for v in check_routes(dict(routes), department, policy, timetable)
    ]
