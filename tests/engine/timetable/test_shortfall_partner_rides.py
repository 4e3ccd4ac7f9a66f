"""A paired session the week is short of names the partner's rides too: the tester's d6
said m01's promotion was short for "the rides between his places (office 2 min, ...)"
when the limit was his partner m04's 52-min ride out. No solve: the reason is read from
the week's places."""

from __future__ import annotations

from engine.domain import Department, Manager
from engine.timetable.model import build_variables
from engine.timetable.shortfalls import _reason
from tests.strategies import OFFICE, WEEK, territory


def _near_and_far() -> Department:
    managers = (Manager(id="m01", name="near", years=12), Manager(id="m02", name="far", years=1))
    retailers = territory("m01", (OFFICE.lat + 0.005, OFFICE.lon), 8, 1) + territory(
        "m02", (OFFICE.lat + 0.12, OFFICE.lon), 8, 2)
    return Department(name="near and far", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=managers, retailers=tuple(retailers))


def test_a_paired_kind_short_names_the_partners_ride_out(policy_15_13_7):
    tm = build_variables(_near_and_far(), policy_15_13_7, WEEK)
    reason = _reason(tm, tm.week_venues(), "m01", "maintenance", {"m02"})
    assert "his partner m02's (office" in reason and reason.endswith("leave the pair no room for it")
    own, partner = tm.approach["m01"], tm.approach["m02"]
    assert partner > own + 20  # the partner's ride is the long one the words must show


def test_a_kind_of_his_own_names_his_rides_alone(policy_15_13_7):
    tm = build_variables(_near_and_far(), policy_15_13_7, WEEK)
    reason = _reason(tm, tm.week_venues(), "m01", "pos_project", {"m02"})
    assert "partner" not in reason and reason.endswith("leave no room for it")
