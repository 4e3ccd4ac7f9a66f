"""`fieldweek routes --day`: the plan keeps the week's `due_visits` and lists the week's
visits no day took beside the day's own left-outs (035fe5f), but the summary line read
"137 visits (915 due this week) · 83 unvisited", as if visits + unvisited were the due
(an outside tester's find). Now the day's share and the week's figures are said apart."""

from __future__ import annotations

import datetime as dt

from api.commands.console import console
from api.commands.routes import render_plan, render_summary
from engine.check.routes import RouteCheck
from engine.policy import parse_clock
from engine.routing.plan import DayRoutePlan, PlanScope, RoutePlan, UnvisitedRetailer

WEEK = dt.date(2026, 11, 23)
WEDNESDAY = dt.date(2026, 11, 25)


def plan(dates: tuple[dt.date, ...]) -> RoutePlan:
    """Three visits on Wednesday; one visit dropped that day, two no day of the week took."""
    clock = parse_clock("09:00")
    day = DayRoutePlan(manager="m01", date=WEDNESDAY, depart=clock, return_=clock, distance_km=1.0,
                       travel_minutes=5, stops=(), visits=3, visit_start=clock, visit_end=clock,
                       start_from="office")
    unvisited = (UnvisitedRetailer(retailer="R1", manager="m01", reason="no_room_in_day", date=WEDNESDAY),
                 UnvisitedRetailer(retailer="R2", manager="m01", reason="no_room_in_day"),
                 UnvisitedRetailer(retailer="R3", manager="m01", reason="no_room_in_day"))
    return RoutePlan(week_start=WEEK, department="d", policy="15-13-7", scope=PlanScope(dates=dates),
                     routes=(day,), unvisited=unvisited, due_visits=20)


def said(routes: RoutePlan) -> str:
    with console.capture() as captured:
        render_plan(routes)
        render_summary(routes, RouteCheck(violations=(), visits=3, distance_km=1.0))
    return " ".join(captured.get().split())


def test_one_day_says_its_share_apart_from_the_weeks_figures(wide_consoles) -> None:
    text = said(plan((WEDNESDAY,)))
    assert "Wed 11-25: 3 visits of the 4 given the day, 1 unvisited" in text
    assert "the week: 20 due, 2 no day took" in text
    assert "3 due visit(s) not planned (1 on Wed 11-25, 2 of the week no day took)" in text
    assert "due this week" not in text


def test_the_whole_week_keeps_its_line(wide_consoles) -> None:
    text = said(plan(()))
    assert "3 visits (20 due this week) · 3 unvisited" in text
    assert "3 due visit(s) not planned" in text and "no day took" not in text
