"""What the month's tests share (SPEC §3): December 2026 with Christmas off and the
Mondays of its ISO weeks, month limits short enough for a test, one solved week
moved to other weeks as the month's timetables, and a manager's month on a road
(tests/engine/routing/line_territory.py) for the planner's later steps."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from engine.domain import Timetable
from engine.month import MonthParams, _ManagerDays, gap_bounds
from engine.policy import Policy
from engine.routing.daily import field_days
from tests.engine.routing.line_territory import MONDAY, block, line_territory, retailer, timetable

DECEMBER = (2026, 12)
CHRISTMAS = dt.date(2026, 12, 25)
MONDAYS = [dt.date(2026, 11, 30) + dt.timedelta(weeks=i) for i in range(5)]
FAST = MonthParams(assign_time_limit_s=1, route_time_limit_s=0.1, rounds=2, workers=2)


def moved_weeks(solved: Timetable, mondays: Iterable[dt.date]) -> dict[dt.date, Timetable]:
    """The solved week moved to the week of each Monday, its blocks on the same weekdays."""
    return {monday: solved.model_copy(update={
        "week_start": monday,
        "blocks": tuple(b.model_copy(update={"date": b.date + (monday - solved.week_start)}) for b in solved.blocks)})
        for monday in mondays}


def line_month(policy: Policy, classes: dict[str, str], where: dict[str, int], *, weeks: int = 1,
               days_per_week: int = 1, ends: str = "10:00", service: int | dict[str, int] = 15,
               monday: dt.date = MONDAY) -> _ManagerDays:
    """A manager's month on a road: `days_per_week` visit days (`monday` on, 09:00-`ends`)
    in each of `weeks` weeks, five working days apart, and retailers of the given classes
    at the given minutes from the office, due once every week, each `service` minutes
    (or as many as `service` gives it, 15 when it does not name it)."""
    (day,) = field_days(timetable([block("visit", "09:00", ends)], policy), policy, "m1")
    dates = [monday + dt.timedelta(weeks=w, days=d) for w in range(weeks) for d in range(days_per_week)]
    field = {d: dataclasses.replace(day, date=d) for d in dates}
    minutes = service if isinstance(service, dict) else dict.fromkeys(classes, service)
    shops = {r: retailer(r, service=minutes.get(r, 15)).model_copy(update={"retailer_class": c})
             for r, c in classes.items()}
    mondays = [monday + dt.timedelta(weeks=w) for w in range(weeks)]
    return _ManagerDays(
        manager="m1", policy=policy, retailers=shops, mine=list(shops.values()),
        weeks_of={r: list(mondays) for r in shops}, dates=dates, field=field,
        territory=line_territory(where), slot=[5 * w + d for w in range(weeks) for d in range(days_per_week)],
        allowed={r: list(range(len(dates))) for r in shops}, cost={r: shop.service_min + 1 for r, shop in shops.items()},
        gaps={r: gap_bounds(4, policy) for r in shops}, flagged=set(), focus_index=set(), focus_weeks=set(),
        zones=dict.fromkeys(shops, 0))
