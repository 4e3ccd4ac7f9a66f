"""`routes --day` for a manager on leave that day said only "0 routes" (an outside tester):
the note now names who has no route and why. Hand-typed week, no solver."""

from __future__ import annotations

import datetime as dt

from api.commands.routes import no_route_note
from engine.domain import Block, Department, GeoPoint, Leave, Manager, Timetable

WEDNESDAY = dt.date(2026, 11, 25)


def _department() -> Department:
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=tuple(Manager(id=m, name=m, years=3) for m in ("m1", "m2", "m3")),
                      leave=(Leave(manager="m2", date=WEDNESDAY),))


def _week(*managers: str) -> Timetable:
    return Timetable(department="d", policy="15-13-7", week_start=dt.date(2026, 11, 23), status="feasible",
                     blocks=tuple(Block(manager=m, date=WEDNESDAY, kind="visit", start=540, end=720)
                                  for m in managers))


def test_a_manager_on_leave_that_day_is_said_to_have_no_route() -> None:
    note = no_route_note(_department(), _week("m1", "m3"), WEDNESDAY, "m2")
    assert note == "no route on Wed 11-25 for m2 (on leave all day)"


def test_without_a_manager_every_one_without_a_visit_block_is_named_with_his_reason() -> None:
    note = no_route_note(_department(), _week("m1"), WEDNESDAY, None)
    assert note == ("no route on Wed 11-25 for m2 (on leave all day), "
                    "m3 (no visit block in the timetable that day)")
    assert no_route_note(_department(), _week("m1", "m3"), WEDNESDAY, "m1") is None
