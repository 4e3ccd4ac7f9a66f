"""What the month says beside its routes (an outside tester's finds): who is short of which
weekly hours in the month's weeks, and why (they were only a total per week), and the days
below the stops a day the policy asks (seed 003's 30 / 25: the month said nothing while the
week's routes list every such day). A plan typed by hand; no solve."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from api.commands.month import few_stops_lines, manager_rows
from api.exports.month_xlsx import month_workbook
from engine.domain import HoursShortfall
from engine.month import (
    DueInWeek,
    MonthPlan,
    MonthRoute,
    MonthStop,
    Unplanned,
    WeekSolved,
    _month_route,
)
from engine.policy import Policy
from tests.engine.month_cases import MONDAYS, line_month
from tests.strategies import simple_department

SHORT = HoursShortfall(manager="m01", kind="admin", minutes_short=60, reason="not proven: more time may find a week")
NOT_OWED = HoursShortfall(manager="m02", kind="visit", minutes_short=180, not_owed=True, reason="his leave")


def _route(manager: str, day: int, stops: int, required: int | None) -> MonthRoute:
    return MonthRoute(manager=manager, date=MONDAYS[1] + dt.timedelta(days=day), visit_start=480, visit_end=660,
                      start_from="office", required_stops=required,
                      stops=tuple(MonthStop(retailer=f"{manager}-r0{n}", arrive=490 + 20 * n, start=490 + 20 * n,
                                            end=500 + 20 * n) for n in range(stops)))


def _plan() -> MonthPlan:
    routes = (_route("m01", 0, 3, 30), _route("m01", 1, 31, 30), _route("m02", 0, 2, None))
    return MonthPlan(department="d", policy="seed-003", month="2026-12", days=(MONDAYS[1],), routes=routes,
                     weeks=(WeekSolved(week_start=MONDAYS[1], status="feasible", minutes_short=60,
                                       shortfalls=(SHORT, NOT_OWED)),))


def test_days_below_the_stops_a_day_are_said_per_manager() -> None:
    (line,) = few_stops_lines(_plan())
    assert line.startswith("m01: 1 of 2 visit days below the stops a day the policy asks (30 on 12-07, 3 planned)")


def test_the_workbook_names_who_is_short_and_the_stops_asked() -> None:
    book = load_workbook(BytesIO(month_workbook(_plan(), simple_department(2), lang="en")))
    rows = [[c.value for c in row] for row in book["Weekly hours short"].iter_rows()]
    assert rows[0][5] == "Owed"  # the not-owed column has its heading (it was empty)
    assert rows[1] == [MONDAYS[1].isoformat(), "feasible", "m01", "admin", 60, None, SHORT.reason]
    # A block the leave makes not owed is marked apart (it read as hours the week lacks).
    assert rows[2] == [MONDAYS[1].isoformat(), "feasible", "m02", "visit", 180, "not owed that day (leave)",
                       "his leave"]
    visits = [[c.value for c in row] for row in book["Monthly visit plan"].iter_rows()]
    assert visits[0][-1] == "Stops required a day" and visits[1][-1] == 30


def test_a_month_route_carries_the_stops_the_policy_asks(policy_15_13_7: Policy) -> None:
    """Under a policy asking 30 stops a day in town (seed 003), each month route says so,
    as the week's routes do (`required_stops`); the shipped 15-13-7 asks none."""
    asking = policy_15_13_7.model_copy(update={"route": policy_15_13_7.route.model_copy(
        update={"min_stops_town": 30, "min_stops_country": 25})})
    for policy, required in ((asking, 30), (policy_15_13_7, None)):
        plan = line_month(policy, {"a": "A", "b": "C"}, {"a": 10, "b": 12})
        route = _month_route(plan.manager, plan.days[0], ["a", "b"], plan.retailers, plan.territory, policy)
        assert len(route.stops) == 2 and route.required_stops == required


def test_a_manager_away_all_month_has_a_row_saying_who_made_his_visits() -> None:
    """m03 has no route (on leave all month): his row says no visit day and the visit of
    his retailer m01 made (before, the table had no row for him)."""
    plan = _plan().model_copy(update={
        "routes": (*_plan().routes, _route("m01", 2, 1, None).model_copy(update={
            "stops": (MonthStop(retailer="m03-r00", arrive=490, start=490, end=500),)})),
        "due": (DueInWeek(week_start=MONDAYS[1], retailer="m03-r00", manager="m03", visits=1),
                DueInWeek(week_start=MONDAYS[1], retailer="m01-r00", manager="m01", visits=1))})
    rows = {manager: (counts, by_others) for manager, counts, by_others, _ in manager_rows(plan)}
    assert rows["m03"] == ([], 1)
    assert rows["m01"][1] == 0 and len(rows["m01"][0]) == 3


def test_the_chinese_workbook_names_each_reason_in_chinese_beside_its_code() -> None:
    """The zh workbook wrote the reason codes as they are ("no_room_in_day"); a market
    manager reads "当天已排满 (no_room_in_day)", the code kept for tools."""
    plan = _plan().model_copy(update={"unplanned": (
        Unplanned(retailer="m01-r00", manager="m01", wanted=4, planned=3, reason="no_room_in_day", detail="full"),)})
    book = load_workbook(BytesIO(month_workbook(plan, simple_department(2), lang="zh")))
    rows = [[c.value for c in row] for row in book["未排拜访"].iter_rows()]
    assert rows[1][5] == "当天已排满 (no_room_in_day)"
    assert all(isinstance(h, str) and h for h in next(book.worksheets[2].iter_rows(values_only=True)))


def test_the_chinese_workbook_names_kinds_and_status_in_chinese(policy_15_13_7: Policy) -> None:
    """The 周工时缺口 sheet showed "feasible" and "admin" on the zh workbook."""
    book = load_workbook(BytesIO(month_workbook(_plan(), simple_department(2), lang="zh", policy=policy_15_13_7)))
    rows = [[c.value for c in row] for row in book.worksheets[2].iter_rows()]
    assert rows[1][1] == "可行" and rows[1][3] == policy_15_13_7.kind_label("admin", "zh") != "admin"


def test_a_month_without_focus_days_says_none_in_its_heading() -> None:
    """February 2027's heading read "…, focus days" with nothing after it."""
    from api.commands.console import console
    from api.commands.month import render_month

    with console.capture() as captured:
        render_month(_plan())
    assert "focus days none (see the note)" in " ".join(captured.get().split())
