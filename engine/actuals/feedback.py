"""The Friday feedback sheet 《工作时间实行情况反馈表》 (SPEC §1, §3): the week's plan
against what happened. Per manager and kind planned hours, actual hours and the
deviation, flagged when it passes the policy's `[feedback]` thresholds; per manager
the visits due (carried-over included), planned and done; every due visit not done,
with its reason; and the visits carried into next week."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from engine.actuals.carry_over import missed_in_week, owed_in_week
from engine.actuals.records import Actuals
from engine.domain import Department, Timetable
from engine.errors import InputError, Problem
from engine.policy import FeedbackRules, Policy, format_clock
from engine.routing.due import week_monday
from engine.routing.plan import handed_for_the_week
from engine.work_calendar import WorkCalendar

NOT_REPORTED = "not reported in the daily report"
NO_DAILY_REPORT = "no daily report for the day it was planned"


class _Out(BaseModel):
    """A frozen row of the sheet."""

    model_config = ConfigDict(frozen=True)


def feedback_rules(policy: Policy) -> FeedbackRules:
    """The policy's `[feedback]` table; an error naming the missing keys when it has none."""
    if policy.feedback is None:
        raise InputError([Problem(
            f"policy '{policy.name}' has no [feedback] table: add deviation_flag_percent and "
            "deviation_flag_minutes (see data/policies/15-13-7.toml)", file=policy.name, column="feedback")])
    return policy.feedback


class KindHours(_Out):
    """One manager's planned and actual minutes of one block kind."""

    manager: str
    kind: str
    planned_min: int
    actual_min: int
    deviation_min: int
    deviation_percent: float | None
    flagged: bool


class VisitTally(_Out):
    """One manager's visits of the week: due (carried-over included, and every visit the
    plan puts on a day: a re-plan's urgent visits), planned, done, missed, all of the
    retailers he makes the visits of this week (`visit_makers`): a colleague's retailer
    handed to him counts in his due, not in its owner's, so planned, due, done and missed
    read on one row as one man's week."""

    manager: str
    due: int
    planned: int | None
    done: int
    missed: int
    done_not_due: int
    flagged: bool
    not_reported: int = 0
    """Of `missed`, the visits no report speaks of (planned on a day without a daily report,
    or never reported): a week still under way, or ahead, has them all."""


class MissedVisit(_Out):
    """A due visit not done in the week, with the reason and where the reason comes from."""

    manager: str
    retailer: str
    name: str
    visits: int
    planned_date: dt.date | None
    reason: str
    source: Literal["reported", "plan", "not_reported"]


class Flag(_Out):
    """A deviation the market manager should look at, in words."""

    manager: str
    kind: str | None
    message: str


class FeedbackSheet(_Out):
    """《工作时间实行情况反馈表》: the week's plan against what happened."""

    department: str
    policy: str
    week_start: dt.date
    reported_days: int
    hours: tuple[KindHours, ...]
    visits: tuple[VisitTally, ...]
    missed: tuple[MissedVisit, ...]
    flags: tuple[Flag, ...]
    carried_in: dict[str, int]
    carried_out: dict[str, int]

    def to_json_dict(self) -> dict:
        """The sheet as JSON-ready data."""
        return self.model_dump(mode="json")


def _deviation_flagged(planned: int, actual: int, rules: FeedbackRules) -> bool:
    deviation = abs(actual - planned)
    if deviation < rules.deviation_flag_minutes or deviation == 0:
        return False
    if planned == 0:
        return True
    return deviation * 100 > rules.deviation_flag_percent * planned


def _percent(planned: int, actual: int) -> float | None:
    return None if planned == 0 else round((actual - planned) * 100 / planned, 1)


def _hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _planned_stops(routes: Mapping[str, Any] | None) -> dict[str, list[tuple[str, dt.date]]]:
    """Per manager, the planned visit stops (retailer, date) of a route plan."""
    stops: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    for route in (routes or {}).get("routes", []):
        date = dt.date.fromisoformat(str(route["date"]))
        for stop in route.get("stops", []):
            if stop.get("kind", "visit") == "visit":
                stops[route["manager"]].append((stop["retailer"], date))
    return stops


def _planned_visits(routes: Mapping[str, Any] | None) -> Counter[str]:
    """Per retailer, the visits the plan puts on a day (a re-plan's urgent visits
    included), whoever makes them."""
    return Counter(retailer for stops in _planned_stops(routes).values() for retailer, _ in stops)


def visit_makers(department: Department, monday: dt.date,
                 routes: Mapping[str, Any] | None) -> dict[str, str]:
    """Retailer -> the manager who makes its visits in the week: the one the plan routes
    them to (most of its stops; the owner on a tie), else the colleague an applied capacity
    proposal hands it to for the week (`handed_for_the_week`, read as the routes read it),
    else its owner."""
    planned: dict[str, Counter[str]] = defaultdict(Counter)
    for manager, stops in _planned_stops(routes).items():
        for retailer, _ in stops:
            planned[retailer][manager] += 1
    handed = handed_for_the_week(department, monday)
    makers: dict[str, str] = {}
    for r in department.retailers:
        by = planned.get(r.id)
        makers[r.id] = (max(sorted(by), key=lambda m: (by[m], m == r.manager)) if by
                        else handed.get(r.id, r.manager))
    return makers


def _kind_hours(
    department: Department, policy: Policy, timetable: Timetable, week: Actuals, rules: FeedbackRules
) -> tuple[list[KindHours], list[Flag]]:
    """Per manager and kind (lunch not counted) planned against actual minutes, and a flag
    for each deviation past the policy's thresholds."""
    planned_min: dict[tuple[str, str], int] = Counter()
    for block in timetable.blocks:
        if block.kind != "lunch":
            planned_min[(block.manager, block.kind)] += block.end - block.start
    actual_min: dict[tuple[str, str], int] = Counter()
    for done_block in week.blocks:
        if done_block.kind != "lunch":
            actual_min[(done_block.manager, done_block.kind)] += done_block.end - done_block.start
    hours: list[KindHours] = []
    flags: list[Flag] = []
    for manager in department.managers:
        for kind in policy.kinds:
            planned, actual = planned_min[(manager.id, kind)], actual_min[(manager.id, kind)]
            if not planned and not actual:
                continue
            flagged = _deviation_flagged(planned, actual, rules)
            hours.append(KindHours(manager=manager.id, kind=kind, planned_min=planned, actual_min=actual,
                                   deviation_min=actual - planned, deviation_percent=_percent(planned, actual),
                                   flagged=flagged))
            if flagged:
                flags.append(Flag(manager=manager.id, kind=kind, message=(
                    f"{manager.id} {policy.kind_label(kind, 'en')}: planned {_hours_text(planned)}, "
                    f"actual {_hours_text(actual)} ({(actual - planned) / 60:+.1f} h"
                    + (f", {_percent(planned, actual):+.0f} %)" if planned else ")"))))
    return hours, flags


def _missed_visits(
    department: Department, week: Actuals, missed_count: Mapping[str, int], routes: Mapping[str, Any] | None,
    makers: Mapping[str, str],
) -> list[MissedVisit]:
    """Every retailer with due visits not done, under the manager who was to make them
    (`visit_makers`), with the reason: as reported, as the plan gave it, or that no report
    (of his) says."""
    retailers = {r.id: r for r in department.retailers}
    reported_reason: dict[str, str] = {}
    for visit in sorted(week.visits, key=lambda v: v.date):
        if visit.status == "missed":
            reported_reason[visit.retailer] = visit.reason
    planned_date = {r: d for stops in _planned_stops(routes).values() for r, d in stops}
    plan_reason = {u["retailer"]: f"not in the plan: {u.get('detail') or u.get('reason')}"
                   for u in (routes or {}).get("unvisited", [])}
    reported_days = week.days()
    missed: list[MissedVisit] = []
    source: Literal["reported", "plan", "not_reported"]
    for retailer_id, count in sorted(missed_count.items(), key=lambda kv: (makers[kv[0]], kv[0])):
        retailer = retailers[retailer_id]
        maker = makers[retailer_id]
        date = planned_date.get(retailer_id)
        if retailer_id in reported_reason:
            reason, source = reported_reason[retailer_id], "reported"
        elif retailer_id in plan_reason:
            reason, source = plan_reason[retailer_id], "plan"
        elif date is not None and (maker, date) not in reported_days:
            reason, source = NO_DAILY_REPORT, "not_reported"
        else:
            reason, source = NOT_REPORTED, "not_reported"
        missed.append(MissedVisit(manager=maker, retailer=retailer_id, name=retailer.name,
                                  visits=count, planned_date=date, reason=reason, source=source))
    return missed


def _visit_tallies(
    department: Department, policy: Policy, monday: dt.date, week: Actuals, carried_in: Mapping[str, int],
    missed_count: Mapping[str, int], routes: Mapping[str, Any] | None, rules: FeedbackRules,
    makers: Mapping[str, str],
) -> tuple[list[VisitTally], list[Flag]]:
    """Per manager the visits due (carried-over included, at most one a working day of the
    retailer, and every visit the plan puts on a day: `owed_in_week`), planned, done and
    missed of the retailers he makes the visits of (`visit_makers`), and a flag when too few
    were done."""
    owed = owed_in_week(department, monday, carried_in, policy=policy, planned=_planned_visits(routes))
    done = Counter(v.retailer for v in week.visits if v.status == "done")
    planned_stops = _planned_stops(routes)
    visits: list[VisitTally] = []
    flags: list[Flag] = []
    for manager in department.managers:
        mine = [r.id for r in department.retailers if makers[r.id] == manager.id]
        due_count = sum(owed[r] for r in mine)
        done_count = sum(min(done[r], owed[r]) for r in mine)
        missed_total = sum(missed_count.get(r, 0) for r in mine)
        extra = sum(max(done[r] - owed[r], 0) for r in mine)
        planned_visits = len(planned_stops.get(manager.id, [])) if routes is not None else None
        # Visits are counted, not timed: only the percentage threshold applies to them.
        flagged = bool(due_count) and (due_count - done_count) * 100 > rules.deviation_flag_percent * due_count
        visits.append(VisitTally(manager=manager.id, due=due_count, planned=planned_visits, done=done_count,
                                 missed=missed_total, done_not_due=extra, flagged=flagged))
        if flagged:
            flags.append(Flag(manager=manager.id, kind=None, message=(
                f"{manager.id}: {done_count} of {due_count} due visits done, {missed_total} missed "
                f"({(done_count - due_count) * 100 / due_count:+.0f} %)")))
    return visits, flags


def feedback_sheet(
    department: Department,
    policy: Policy,
    timetable: Timetable,
    actuals: Actuals,
    routes: Mapping[str, Any] | None = None,
    carried_in: Mapping[str, int] | None = None,
) -> FeedbackSheet:
    """The Friday sheet for the timetable's week: hours per manager and kind (lunch not
    counted), visits due/planned/done, every missed visit with its reason, flags for
    deviations past the policy's thresholds, and the visits carried into next week.

    `routes` is the week's route plan (JSON contract of `fieldweek routes --json`);
    without it visits are judged against the due list only. `carried_in` are the
    visits carried into this week (`carried_into`)."""
    rules = feedback_rules(policy)
    monday = week_monday(timetable.week_start)
    week = actuals.in_week(monday)
    carried = dict(carried_in or {})
    # A re-plan's urgent visit is due by the plan alone: counted in due as in planned, so
    # it is done, missed or not reported, and carried over when missed.
    missed_count = missed_in_week(department, monday, week, carried, policy=policy,
                                  planned=_planned_visits(routes))
    hours, hour_flags = _kind_hours(department, policy, timetable, week, rules)
    makers = visit_makers(department, monday, routes)
    visits, visit_flags = _visit_tallies(department, policy, monday, week, carried, missed_count, routes, rules,
                                         makers)
    missed = _missed_visits(department, week, missed_count, routes, makers)
    unreported: Counter[str] = Counter()
    for item in missed:
        if item.source == "not_reported":
            unreported[item.manager] += item.visits
    visits = [v.model_copy(update={"not_reported": unreported[v.manager]}) for v in visits]
    return FeedbackSheet(
        department=department.name, policy=policy.name, week_start=monday,
        reported_days=len(week.days()), hours=tuple(hours), visits=tuple(visits),
        missed=tuple(missed),
        flags=tuple(hour_flags + visit_flags + _days_off_worked(department, policy, monday, week)),
        carried_in=carried, carried_out=missed_count,
    )


def _days_off_worked(department: Department, policy: Policy, monday: dt.date, week: Actuals) -> list[Flag]:
    """A flag for each day the records report work on that is no working day of the
    department (a holiday, a weekend) or the manager's whole-day leave: counted as they
    are, but a market manager should know (they were counted without a word)."""
    working = {date for date, _ in WorkCalendar(department, policy).working_days(monday)}
    on_leave = {(entry.manager, entry.date) for entry in department.leave if entry.start is None}
    flags = []
    for manager, date in sorted(week.days()):
        if date not in working:
            why = "no working day of the department (a holiday or a day off)"
        elif (manager, date) in on_leave:
            why = "his whole-day leave (leave.csv)"
        else:
            continue
        flags.append(Flag(manager=manager, kind=None, message=(
            f"{manager} reports work on {date:%a %m-%d}, {why}: counted as reported; check the records")))
    return flags + _work_inside_part_day_leave(department, week)


def _work_inside_part_day_leave(department: Department, week: Actuals) -> list[Flag]:
    """A flag for each record with times that overlaps the manager's part-day leave that
    day (a tester's admin 14:00–15:00 inside a leave 13:00–17:30 was counted without a word,
    while work on a whole-day leave was flagged)."""
    spans: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}
    for entry in department.leave:
        if entry.start is not None and entry.end is not None:
            spans.setdefault((entry.manager, entry.date), []).append((entry.start, entry.end))
    timed = [(b.manager, b.date, str(b.kind), b.start, b.end) for b in week.blocks]
    timed += [(v.manager, v.date, f"visit to {v.retailer}", v.start, v.end) for v in week.visits
              if v.start is not None and v.end is not None]
    flags = []
    for manager, date, what, start, end in sorted(timed):
        for leave_start, leave_end in spans.get((manager, date), []):
            if start < leave_end and leave_start < end:
                flags.append(Flag(manager=manager, kind=None, message=(
                    f"{manager} reports {what} {format_clock(start)}–{format_clock(end)} on {date:%a %m-%d}, "
                    f"inside his leave {format_clock(leave_start)}–{format_clock(leave_end)} (leave.csv): "
                    "counted as reported; check the records")))
                break
    return flags
