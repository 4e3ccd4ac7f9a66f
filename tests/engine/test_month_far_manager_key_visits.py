"""A far manager's class-A shops spaced to a visit the next month cannot make (tester's
d561, m04, 21-29 km out): his one shop that can be a day's first stop counts its visit
of the week of 11-30 on Mon 11-30, in November; his other visits of that week count on
12-01..12-04, which no visit of his can open, so the December plan makes none of them.
November still spaced its weekly A shops to a visit on 12-04 (the `edges`): their week
of 11-23 was left out for "spacing" while he made class-C visits that week, and the
month checker, holding the same edge, passed it. Now neither holds an edge the other
month cannot make (engine/month.py `_edges_made`, engine/check/month.py
`_unopened_sides`)."""

from __future__ import annotations

import datetime as dt

from engine.check.month import check_month
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.month import _edges_made, _field_days_in, _manager_days, working_days
from engine.policy import Policy, parse_clock
from engine.routing.due import due_days

MONDAYS = [dt.date(2026, 11, 2) + dt.timedelta(weeks=w) for w in range(5)]
LAST_WEEK = [MONDAYS[-1] + dt.timedelta(days=d) for d in range(5)]
OPENER, SMALL, FAR = "o4", "o8", "a3"
"""Weekly shops: the opener (class A, near) and the small one (class C, near) count their
visit of the week of 11-30 on Mon 11-30, the far A shop on 12-03 or later."""


def _shop(rid: str, klass: str, km_north: float) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66 + km_north / 111.2, "lon": 104.05,
                                    "manager": "m1", "class": klass, "visits_per_4_weeks": 4, "area": "town",
                                    "opens": 7 * 60, "closes": 22 * 60, "service_min": 15})


def _department(far_km: float = 28.0) -> Department:
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=5),),
                      retailers=(_shop(OPENER, "A", 2), _shop(SMALL, "C", 3), _shop(FAR, "A", far_km)))


def _weeks(policy: Policy) -> dict[dt.date, Timetable]:
    """A visit block 08:30-14:00 on every weekday of the five weeks touching November."""
    return {monday: Timetable(department="d", policy=policy.name, week_start=monday, status="feasible",
                              blocks=tuple(Block(manager="m1", date=monday + dt.timedelta(days=d), kind="visit",
                                                 start=parse_clock("08:30"), end=parse_clock("14:00"))
                                           for d in range(5)))
            for monday in MONDAYS}


def test_the_shares_of_the_week_of_11_30_are_as_the_cases_need() -> None:
    assert due_days(OPENER, 4, LAST_WEEK) == due_days(SMALL, 4, LAST_WEEK) == [LAST_WEEK[0]]
    assert due_days(FAR, 4, LAST_WEEK)[0] >= dt.date(2026, 12, 3)


def test_no_edge_is_held_to_a_next_month_no_visit_of_his_can_open(policy_15_13_7: Policy) -> None:
    """November, m1: 12-01..12-04 are visit days of his, but only the far A shop counts a
    visit there, and it cannot be a day's first stop: its edge on 12-03/04 goes. Nearer
    (it can open those days itself) it keeps it. (The week of 10-26 has no timetable here:
    its edge holds.)"""
    policy = policy_15_13_7
    days = working_days(policy, 2026, 11, set())
    weeks = _weeks(policy)

    def edges(department: Department) -> dict[str, tuple[int | None, int | None]]:
        field = _field_days_in(department, weeks, policy, "m1", days)
        mine = list(department.retailers)
        plan = _manager_days(department, policy, "m1", days, mine, {r.id: MONDAYS[:4] for r in mine}, field,
                             sorted(field), set(), 0)
        assert plan.edges[FAR][1] is not None  # the calendar's edge, as before
        return _edges_made(department, policy, "m1", days, weeks, plan)

    assert edges(_department())[FAR][1] is None
    assert edges(_department(far_km=4))[FAR][1] is not None


def _november(visits: dict[str, list[str]]) -> dict:
    """November 2026's plan data of m1: each day (MM-DD) its stops in the order given."""
    days: dict[str, list[str]] = {}
    for rid, dates in visits.items():
        for d in dates:
            days.setdefault(d, []).append(rid)
    routes = [{"manager": "m1", "date": f"2026-{d}", "visit_start": "08:30", "visit_end": "14:00",
               "stops": [{"retailer": rid, "arrive": f"{9 + n}:00", "start": f"{9 + n}:00", "end": f"{9 + n}:15"}
                         for n, rid in enumerate(stops)]} for d, stops in sorted(days.items())]
    return {"month": "2026-11", "days": [d.isoformat() for d in working_days_of_november()], "routes": routes,
            "unplanned": [{"retailer": FAR, "manager": "m1", "wanted": 4, "planned": 3, "reason": "spacing",
                           "detail": "listed"}]}


def working_days_of_november() -> list[dt.date]:
    first = dt.date(2026, 11, 1)
    return [first + dt.timedelta(days=n) for n in range(30) if (first + dt.timedelta(days=n)).weekday() < 5]


def test_the_checker_faults_an_a_left_out_for_an_edge_the_next_month_cannot_make(policy_15_13_7: Policy) -> None:
    """The far A visited after the opener on 11-02, 11-10, 11-17, not in the week of 11-23,
    where the opener and a class-C visit are made on 11-24: 11-24 lies 5 working days after
    11-17 and 7-8 before its visit counted on 12-03/04, which no visit of m1 can open. A
    `key_customer` fault on 11-24; before, the edge excused the week."""
    weekly = ["11-02", "11-10", "11-17", "11-24", "11-30"]
    data = _november({OPENER: weekly, FAR: weekly[:3], SMALL: weekly})
    found = [(v.rule, v.date) for v in check_month(data, _department(), policy_15_13_7, set(), _weeks(policy_15_13_7))
             if v.retailer == FAR]
    assert ("key_customer", dt.date(2026, 11, 24)) in found
    # Without the timetables the next month's visit days are unknown: the edge holds.
    rules = [v.rule for v in check_month(data, _department(), policy_15_13_7, set()) if v.retailer == FAR]
    assert "key_customer" not in rules
