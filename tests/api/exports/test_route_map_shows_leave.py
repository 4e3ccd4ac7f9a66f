"""The route map showed no leave and no holiday, which the grid, the workbook and the
calendar all show: a manager on leave all week (no route) was missing from the manager
switcher, and a day of leave was a grey 'off' day with no reason. Every manager is now
listed, and a day of leave or a holiday says so, in the grid's words."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from api.exports.labels import WEEKDAY_NAMES, WORDS
from api.exports.route_map import route_map_page
from engine.domain import CalendarDay, Department, Leave
from engine.policy import Policy
from tests.api.http.support import WEEK, department_body

TUESDAY, WEDNESDAY, THURSDAY = (WEEK + dt.timedelta(days=n) for n in (1, 2, 3))


@pytest.fixture(scope="module")
def away() -> Department:
    """Three managers: m01 away Tuesday 09:00-12:00, m02 all week, m03 all Wednesday;
    Thursday a holiday."""
    department = Department.model_validate(department_body(managers=3))
    return department.model_copy(update={
        "calendar_days": (CalendarDay(date=THURSDAY, kind="holiday", name="厂庆"),),
        "leave": (Leave(manager="m01", date=TUESDAY, start=540, end=720),
                  *(Leave(manager="m02", date=WEEK + dt.timedelta(days=n)) for n in range(5)),
                  Leave(manager="m03", date=WEDNESDAY)),
    })


def routes(department: Department) -> dict[str, Any]:
    """One stop a day: m01 on Monday and Wednesday, m03 on Monday and Tuesday."""
    days = {"m01": (WEEK, WEDNESDAY), "m03": (WEEK, TUESDAY)}
    out = []
    for manager, dates in days.items():
        retailer = next(r.id for r in department.retailers if r.manager == manager)
        out += [{"manager": manager, "date": day.isoformat(), "depart": "13:00", "return": "14:00",
                 "stops": [{"retailer": retailer, "kind": "visit", "arrive": "13:20",
                            "start": "13:20", "end": "13:30"}]} for day in dates]
    return {"week_start": WEEK.isoformat(), "routes": out, "unvisited": []}


def view(page: str, manager: int, day: dt.date) -> str:
    start = page.index(f'id="v{manager}-{day}"')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_switchers_name_every_manager_and_each_day_s_leave_or_holiday(
    away: Department, policy: Policy, lang: str
) -> None:
    words = WORDS[lang]  # type: ignore[index]
    names = {day: WEEKDAY_NAMES[lang][day.weekday()] for day in (TUESDAY, WEDNESDAY, THURSDAY)}  # type: ignore[index]
    page = route_map_page(routes(away), away, policy, lang=lang, streets=None)  # type: ignore[arg-type]
    m01_monday = view(page, 0, WEEK)
    # m02, on leave all week with no route, is in the switcher, marked so
    assert f'<span class="off">经理2 {words["on_leave"]}</span>' in m01_monday
    # m01's Tuesday: no route, his leave's hours; Thursday: the holiday, a day of the week though no one has a route
    assert re.search(rf'<span class="off">{names[TUESDAY]} 11-24 {words["on_leave"]} 09:00–12:00</span>',
                     m01_monday)
    assert re.search(rf'<span class="off">{names[THURSDAY]} 11-26 {words["holiday"]}</span>', m01_monday)
    # m03's Wednesday leave, seen from his Tuesday
    assert f'<span class="off">{names[WEDNESDAY]} 11-25 {words["on_leave"]}</span>' in view(page, 2, TUESDAY)
    # the overview's row of m02 says leave on each day, not 'no route'
    overview = page[page.index('id="overview"'):page.index("</section>", page.index('id="overview"'))]
    m02_row = overview[overview.index("经理2</th>"):]
    m02_row = m02_row[:m02_row.index("</tr>")]
    assert m02_row.count(f'<td class="greyed">{words["on_leave"]}</td>') == 4  # Mon, Tue, Wed, Fri (Friday: his leave the only reason the day is shown)
    assert f'<td class="greyed">{words["holiday"]}</td>' in m02_row
