"""A retailer is visited once a day at most, in a re-plan as in the week's routes: a sick
manager's two visits of one retailer handed over go to two days, never to two managers
on one day (tester rp2: R01014, class A, due 3 times a week, was on Thursday with m03
at 08:01-08:17 and with m07 at 08:01-08:17: m01's Wednesday visit went to m07 on
Thursday, his Thursday one to m03 on Thursday). One that finds no other day is
listed in `unplaced` saying the retailer has its visit on that day already."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import VISITED_TWICE, Sickness, check_replan_routes
from engine.domain import Timetable
from engine.replan import read_events
from engine.replan.handover import replan_routes
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department
from tests.engine.replan.test_replan_urgent_by_its_deadline import NEAR, stops_of

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
LONG = "r-{}-1"
"""Each manager's shop whose 110-min visit fills a 09:00-11:00 visit block."""


def department():
    base = make_department(MANAGERS)
    longs = {LONG.format(m) for m in MANAGERS}
    return base.model_copy(update={"retailers": [r.model_copy(update={"service_min": 110}) if r.id in longs else r
                                                 for r in base.retailers]})


def replan(full_on_tuesday: tuple[str, ...]):
    """Monday 13:00: m01 is off sick to the end of the week; his r-m01-4 is due on Tuesday
    and on Wednesday. Each manager of `full_on_tuesday` has his Tuesday visit block full.
    m02, the nearest neighbour, takes m01's Tuesday visit on Wednesday (his Tuesday full);
    the old hand-over then gave m01's Wednesday visit to m03 on Wednesday too."""
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": MONDAY_13.isoformat()}])
    situation = situation_at(department(), TEST_POLICY, Timetable.model_validate(week()), MONDAY_13, events)
    planned = {"routes": [
        {"manager": "m01", "date": TUESDAY.isoformat(), "stops": [
            {"retailer": "r-m01-4", "arrive": "09:05", "start": "09:05", "end": "09:15"}]},
        {"manager": "m01", "date": WEDNESDAY.isoformat(), "stops": [
            {"retailer": "r-m01-4", "arrive": "09:05", "start": "09:05", "end": "09:15"}]},
        *({"manager": m, "date": TUESDAY.isoformat(), "stops": [
            {"retailer": LONG.format(m), "arrive": "09:03", "start": "09:03", "end": "10:53"}]}
          for m in full_on_tuesday)]}
    return replan_routes(situation, situation.timetable, planned, NEAR)


def test_two_visits_of_one_retailer_handed_over_go_to_two_days() -> None:
    routes, changes, unplaced, _, _ = replan(full_on_tuesday=("m02",))
    days = stops_of(routes, "r-m01-4")
    assert len(days) == 2 and len({d for _, d in days}) == 2, days  # was m02 and m03 both on Wednesday
    assert not [u for u in unplaced if u.retailer == "r-m01-4"]
    assert sorted(c.change for c in changes if c.retailer == "r-m01-4") == ["handed_over"] * 2 + ["received"] * 2


def test_a_visit_with_no_other_day_left_is_unplaced_saying_the_retailer_has_its_visit_then() -> None:
    routes, _, unplaced, _, _ = replan(full_on_tuesday=("m02", "m03", "m04"))
    [(_, day)] = stops_of(routes, "r-m01-4")
    assert day == WEDNESDAY
    [left] = [u for u in unplaced if u.retailer == "r-m01-4"]
    # m01's Tuesday visit took m02's Wednesday (every Tuesday full); his Wednesday one has no day left
    assert left.reason == "manager_absent" and left.date == WEDNESDAY
    assert f"r-m01-4 has a visit on Wed {WEDNESDAY} already (once a day at most)" in left.detail


def test_the_re_plan_s_routes_pass_the_checker_s_once_a_day_rule() -> None:
    routes, _, _, _, _ = replan(full_on_tuesday=("m02",))
    after = [{"manager": r.manager, "date": r.date.isoformat(), "stops": [s.model_dump(mode="json") for s in r.stops]}
             for r in routes]
    found = check_replan_routes(department(), TEST_POLICY, week(), week(), MONDAY_13, [Sickness("m01", MONDAY_13)],
                                [], {"routes": []}, after)
    assert not [v for v in found if v.rule == VISITED_TWICE]
