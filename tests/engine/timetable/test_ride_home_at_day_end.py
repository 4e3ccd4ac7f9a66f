"""The tester's fault (h15, seed 657): m13's POS household 51 min from the office until
17:00, the day ending 17:30, back 17:51; the independent checker's `ride_between_places`
said so and `plan` exited 1. The model held the ride out of the office at the day's start
and the rides around a leave, not the ride back at the day's end (SPEC §3, "then back to
the office"): constraints._back_at_the_office_by_the_day_end.

A tiny department: m1 by the office; m2 whose POS households alone lie in the country,
about 40 min out, on leave Monday 08:40-14:30 as m13 was on leave on his Monday: the leave
leaves no room for a visit block that day, so Monday's field work can be the day's last
block (on other days the visit block is field work that the afternoon's phone visits at
the office follow). The POS window is narrowed (a department's tweak of the profile,
SPEC §5) so a session can only be held late on Monday."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.timetable import check_timetable
from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy, load_policy
from engine.timetable.solve import SolveParams, solve_timetable
from engine.timetable.venues import OFFICE, week_venues

MONDAY = dt.date(2026, 11, 23)
HQ = GeoPoint(lat=30.69, lon=104.08)


def _shop(retailer_id: str, manager: str, lat: float, lon: float, area: str = "town", **flags: bool) -> Retailer:
    return Retailer(id=retailer_id, name=retailer_id, lat=lat, lon=lon, manager=manager, **{"class": "A"},
                    visits_per_4_weeks=4, area=area, opens=8 * 60, closes=21 * 60, service_min=10, **flags)


def _far_households() -> Department:
    retailers = []
    for manager, lat in (("m1", HQ.lat + 0.004), ("m2", HQ.lat - 0.004)):
        for k in range(6):
            retailers.append(_shop(f"{manager}-{k}", manager, lat + k * 0.001, HQ.lon + k * 0.001,
                                   pos_target=manager == "m1" and k < 3, promo_store=k >= 4))
        if manager == "m2":  # his only POS households, out in the country
            retailers += [_shop(f"m2-pos{k}", "m2", HQ.lat + 0.11 + k * 0.001, HQ.lon, "country", pos_target=True)
                          for k in range(3)]
    return Department(name="far households", office=HQ, policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="Near", years=12), Manager(id="m2", name="Far", years=1)),
                      retailers=tuple(retailers),
                      leave=(Leave(manager="m2", date=MONDAY, start=8 * 60 + 40, end=14 * 60 + 30),))


def _pos_from(policy: Policy, earliest: int) -> Policy:
    kinds = dict(policy.kinds)
    kinds["pos_project"] = kinds["pos_project"].model_copy(update={"earliest_start": earliest})
    return policy.model_copy(update={"kinds": kinds})


def _ride_home_late(department: Department, policy: Policy, timetable) -> list[str]:
    """Each day whose last block (not a visit block) ends later than the day's end less the
    ride from its place back to the office."""
    venues = week_venues(department, policy, MONDAY)
    days: dict[tuple[str, dt.date], list] = {}
    for block in timetable.blocks:
        if block.kind != "lunch":
            days.setdefault((block.manager, block.date), []).append(block)
    late = []
    for (manager, date), blocks in days.items():
        last = max(blocks, key=lambda b: b.end)
        if last.kind == "visit" or policy.kinds[last.kind].group == "pair":
            continue
        ride = venues.minutes(venues.of(last.kind, manager), OFFICE)
        if last.end + ride > policy.day.end:
            late.append(f"{manager} {date} {last.kind} until {last.end} + {ride} min ride")
    return late


@pytest.mark.parametrize("earliest", [16 * 60, 15 * 60 + 50])
def test_a_far_pos_session_ends_in_time_to_ride_back_by_the_days_end(earliest: int) -> None:
    """From 16:00 the session (60 min, over by 17:00) cannot leave the 40-min ride back by
    17:30: the week is planned short rather than broken (before: held 16:00-17:00, back
    17:40). From 15:50 it is held 15:50-16:50, back 17:30."""
    department = _far_households()
    policy = _pos_from(load_policy("15-13-7"), earliest)
    venues = week_venues(department, policy, MONDAY)
    ride = venues.minutes(venues.of("pos_project", "m2"), OFFICE)
    assert 31 <= ride <= 40, ride
    result = solve_timetable(department, policy, MONDAY, SolveParams(time_limit_s=10, workers=2, stall_s=1.0))
    assert result.status in ("optimal", "feasible"), result.timetable.conflicts
    timetable = result.timetable
    assert check_timetable(department, policy, timetable) == []
    assert _ride_home_late(department, policy, timetable) == []
    held = [b for b in timetable.blocks if b.manager == "m2" and b.kind == "pos_project"]
    if earliest == 16 * 60:
        assert not held and any(s.manager == "m2" and s.kind == "pos_project" for s in timetable.shortfalls)
    else:
        assert [(b.date, b.start, b.end) for b in held] == [(MONDAY, 15 * 60 + 50, 16 * 60 + 50)]
