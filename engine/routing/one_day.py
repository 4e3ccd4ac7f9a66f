"""One day of a week's route plan: what `fieldweek routes --day` and the service's day
routes hand out. The day is cut from the whole week's plan, never planned on its own: a
manager away part of the week hands visits over by what the week leaves out, which a
plan of one day does not see (tester's d8h: day sheets of 200 visits beside the week's 198,
a class A on three days)."""

from __future__ import annotations

import datetime as dt

from engine.routing.plan import RoutePlan


def one_day(week: RoutePlan, day: dt.date) -> RoutePlan:
    """The week plan's `day`: its routes and shortfalls, the visits left out that day (dated)
    and the week's visits no day took (undated), the week's `due_visits` and the day's
    `day_due_visits` (its visits and its dated left-outs; the contract of 035fe5f/930c596)."""
    routes = tuple(r for r in week.routes if r.date == day)
    unvisited = tuple(u for u in week.unvisited if u.date is None or u.date == day)
    return week.model_copy(update={
        "scope": week.scope.model_copy(update={"dates": (day,)}),
        "routes": routes,
        "unvisited": unvisited,
        "shortfalls": tuple(s for s in week.shortfalls if s.date == day),
        "day_due_visits": sum(r.visits for r in routes) + sum(1 for u in unvisited if u.date == day),
    })
