"""A straddling week's other-month day whose appointment is at a retailer none of the
month's days goes to (tester's d8_636M, November with m03 on leave all month and m05 the
week of 11-16: the week of 11-30 gave m05 maintenance at m03's R03022 on 12-01). Judging
whether a visit of his can open those days (`_edges_made`) routed 12-01 to its end at
R03022 in the month's territory, which did not hold it: KeyError, an internal error of
`fieldweek month`. Now the territory holds the other month's places too."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.month import _edges_made, _field_days_in, _manager_days, working_days
from engine.policy import Policy, parse_clock

MONDAYS = [dt.date(2026, 11, 2) + dt.timedelta(weeks=w) for w in range(5)]
OTHERS = "x9"
"""m2's shop, where m1 has maintenance on Tue 12-01 (December's day of the week of 11-30)."""


def _shop(rid: str, manager: str, km_north: float) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66 + km_north / 111.2, "lon": 104.05,
                                    "manager": manager, "class": "A", "visits_per_4_weeks": 4, "area": "town",
                                    "opens": 7 * 60, "closes": 22 * 60, "service_min": 15})


def _department() -> Department:
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=5), Manager(id="m2", name="N", years=5)),
                      retailers=(_shop("o4", "m1", 2), _shop("a3", "m1", 3), _shop(OTHERS, "m2", 5)))


def _weeks(policy: Policy) -> dict[dt.date, Timetable]:
    """m1 visits 08:30-12:00 every weekday; on 12-01 maintenance at m2's shop 13:00-14:00."""
    weeks = {}
    for monday in MONDAYS:
        blocks = [Block(manager="m1", date=monday + dt.timedelta(days=d), kind="visit",
                        start=parse_clock("08:30"), end=parse_clock("12:00")) for d in range(5)]
        if monday == MONDAYS[-1]:
            blocks.append(Block(manager="m1", date=dt.date(2026, 12, 1), kind="maintenance",
                                start=parse_clock("13:00"), end=parse_clock("14:00"), retailer=OTHERS))
        weeks[monday] = Timetable(department="d", policy=policy.name, week_start=monday, status="feasible",
                                  blocks=tuple(blocks))
    return weeks


def test_an_other_month_day_ending_at_a_retailer_outside_the_month_is_judged(policy_15_13_7: Policy) -> None:
    policy = policy_15_13_7
    department = _department()
    days = working_days(policy, 2026, 11, set())
    weeks = _weeks(policy)
    field = _field_days_in(department, weeks, policy, "m1", days)
    mine = list(department.territory("m1"))
    plan = _manager_days(department, policy, "m1", days, mine, {r.id: MONDAYS[:4] for r in mine}, field,
                         sorted(field), set(), 0)
    assert OTHERS not in plan.territory.index  # the month's days never go there
    edges = _edges_made(department, policy, "m1", days, weeks, plan)  # was KeyError: 'x9'
    assert set(edges) == {"o4", "a3"}
