"""The independent checker's verdict on a re-plan, as `fieldweek replan` and the service's
re-plan jobs both give it: the events read as the checker reads them (sicknesses,
closures), and the routes judged against the week's route plan when both are there."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from engine.check.replan import (
    Closure,
    DeclaredLate,
    DeclaredNotMade,
    ReplanVerdict,
    Sickness,
    Urgent,
    UrgentReach,
    check_replan,
    check_replan_routes,
    judge_urgent,
)
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.replan import (
    ManagerSick,
    PromotionStoreCancelled,
    ReplanResult,
    RetailerClosed,
    UrgentVisit,
)


def judge_replan(department: Department, policy: Policy, before: Timetable,
                 result: ReplanResult, routes: Mapping[str, Any] | None = None) -> ReplanVerdict | None:
    """The independent checker's verdict on a re-planned week, its routes against the
    week's route plan `routes` too when both are there (and the urgent visits asked made
    by their deadline, made late as the re-plan declares in its `late`, or declared not
    made in its `unplaced` when the checker finds no day up to the deadline could take
    it); None when no week was found."""
    if result.status not in ("optimal", "feasible"):
        return None
    sicknesses = [Sickness(e.manager, e.from_, e.until) for e in result.events if isinstance(e, ManagerSick)]
    verdict = check_replan(department, policy, before, result.timetable, result.now, sicknesses, closures(result))
    if routes is None or result.routes is None:
        return verdict
    faults = check_replan_routes(department, policy, before, result.timetable, result.now, sicknesses,
                                 closures(result), routes, result.to_json_dict()["routes"])
    late_faults, late, not_made = judge_urgent(
        result.now, urgent(result), result.to_json_dict()["routes"], declared_late(result),
        declared_not_made(result), UrgentReach.of(department, policy, result.week_start, closures(result),
                                                    sicknesses))
    return dataclasses.replace(verdict, violations=[*verdict.violations, *faults, *late_faults], late=late,
                               not_made=not_made)


def closures(result: ReplanResult) -> list[Closure]:
    """The retailers the events closed, as the independent checker reads them: a retailer
    closed on its day, a promotion store cancelled from its day (both the day of `now`
    when the event names none)."""
    today = result.now.date()
    return [Closure(e.retailer, e.date or today, onwards=isinstance(e, PromotionStoreCancelled))
            for e in result.events if isinstance(e, RetailerClosed | PromotionStoreCancelled)]


def declared_late(result: ReplanResult) -> list[DeclaredLate]:
    """The urgent visits the re-plan declares made after their deadline, and why."""
    return [DeclaredLate(v.retailer, v.due_by, v.date, v.manager, v.detail) for v in result.late]


def declared_not_made(result: ReplanResult) -> list[DeclaredNotMade]:
    """The visits the re-plan declares made on no day of the week, and why."""
    return [DeclaredNotMade(v.retailer, v.manager, v.detail or v.reason) for v in result.unplaced]


def urgent(result: ReplanResult) -> list[Urgent]:
    """The urgent visits asked, as the independent checker reads them: each due by its
    day (the day of `now` when the event names none)."""
    today = result.now.date()
    return [Urgent(e.retailer, e.by or today, e.manager) for e in result.events if isinstance(e, UrgentVisit)]
