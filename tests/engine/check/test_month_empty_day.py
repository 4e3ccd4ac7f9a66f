"""The month checker's `empty_day` rule (tester's d520): m04, his shops an hour out, had no
route on four visit days while 14 of his visits were listed, the checker clean. A visit
that cannot open an empty day may follow one moved there from another day of its week."""

from __future__ import annotations

import datetime as dt

from engine.check.month import check_month
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.policy import Policy

TUESDAY, WEDNESDAY = dt.date(2026, 12, 8), dt.date(2026, 12, 9)


def _shop(rid: str, east: float) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66, "lon": 104.05 + east, "manager": "m1",
                                    "class": "C", "visits_per_4_weeks": 4, "area": "country", "opens": 7 * 60,
                                    "closes": 22 * 60, "service_min": 15})


def _case(policy: Policy, tuesday: list[str]) -> list[tuple[str, dt.date | None, str | None]]:
    """m1's visit blocks 09:00-11:00 on 12-08 and 12-09 (first stop by 09:30); a4, a6 lie 24-26
    min out, a5 and a2 60; 12-08 visits `tuesday`, 12-09 nothing, a2 is listed short."""
    department = Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7",
                            market_manager="boss", managers=(Manager(id="m1", name="M", years=5),),
                            retailers=(_shop("a4", 0.08), _shop("a6", 0.085), _shop("a5", 0.2), _shop("a2", 0.2)))
    week = Timetable(department="d", policy=policy.name, week_start=dt.date(2026, 12, 7), status="feasible",
                     blocks=tuple(Block(manager="m1", date=d, kind="visit", start=540, end=660)
                                  for d in (TUESDAY, WEDNESDAY)))
    first = dt.date(2026, 12, 1)
    working = [first + dt.timedelta(days=n) for n in range(31) if (first + dt.timedelta(days=n)).weekday() < 5]
    stops = [{"retailer": rid, "arrive": f"09:{24 + 20 * n:02d}" if n < 2 else "10:31",
              "start": f"09:{24 + 20 * n:02d}" if n < 2 else "10:31", "end": f"09:{39 + 20 * n:02d}" if n < 2
              else "10:46"} for n, rid in enumerate(tuesday)]
    plan = {"month": "2026-12", "days": [d.isoformat() for d in working],
            "routes": [{"manager": "m1", "date": TUESDAY.isoformat(), "visit_start": "09:00", "visit_end": "11:00",
                        "stops": stops}],
            "unplanned": [{"retailer": r.id, "manager": "m1", "wanted": 4, "planned": int(r.id in tuesday),
                           "reason": "no_room_in_day", "detail": "listed"} for r in department.retailers]}
    return [(v.rule, v.date, v.retailer) for v in check_month(plan, department, policy, timetables={week.week_start: week})
            if v.rule == "empty_day"]


def test_a_visit_that_could_follow_an_opener_moved_to_an_empty_day_is_faulted(policy_15_13_7: Policy) -> None:
    """a2 (60 min out) cannot open 12-09 by 09:30, but fits after a4 or a6, which 12-08 can
    spare (a6 then opens it by 09:30): a fault on 12-09. Before: none (no such rule)."""
    assert _case(policy_15_13_7, ["a4", "a6", "a5"]) == [("empty_day", WEDNESDAY, "a2")]


def test_an_opener_its_day_cannot_spare_is_no_fault(policy_15_13_7: Policy) -> None:
    """12-08 visits a4 then a5: without a4 its first stop a5 is reached at 10:00, after
    09:30, so a4 cannot move and a2 has nothing to follow on 12-09 (a5 cannot open it); a6,
    left out, would open 12-09 on its own: the fault is a6's."""
    assert _case(policy_15_13_7, ["a4", "a5"]) == [("empty_day", WEDNESDAY, "a6")]
