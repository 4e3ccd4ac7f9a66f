"""The independent re-plan checker, rules 5e and 5f of engine/check/replan.py, judged on
hand-typed routes: a retailer visited twice on one day after `now`, or by two managers
at once, is a fault (tester rp2: R01014 with m03 and with m07 on Thursday 08:01-08:17,
judged executable); so is a stop shorter than its service, a visit a sickness broke
off kept as if made (tester rp1: R02029, a 10-min visit, pinned 09:04-09:10). A visit to
come beside one made before `now` (an urgent visit asked after the morning's) is none."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan_routes
from engine.policy import VisitValueRules
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
NOW = dt.datetime.combine(MONDAY, dt.time(9, 10))


def faults(stops: list[tuple[str, dt.date, str, str, str]], rule: str, sick: bool = False) -> list:
    """The faults of `rule` in routes of (manager, day, retailer, start, end) stops."""
    routes: dict[tuple[str, dt.date], list[dict]] = {}
    for manager, day, retailer, start, end in stops:
        routes.setdefault((manager, day), []).append(
            {"retailer": retailer, "arrive": start, "start": start, "end": end, "ride_min": 3})
    after = [{"manager": m, "date": d.isoformat(), "stops": s} for (m, d), s in routes.items()]
    sicknesses = [Sickness("m02", NOW, MONDAY)] if sick else []
    found = check_replan_routes(make_department(MANAGERS), TEST_POLICY, week(), week(), NOW, sicknesses, [],
                                {"routes": []}, after)
    return [v for v in found if v.rule == rule]


def test_a_retailer_visited_by_two_managers_at_once_is_a_fault() -> None:
    [fault] = faults([("m01", TUESDAY, "r-m01-4", "09:05", "09:15"), ("m02", TUESDAY, "r-m01-4", "09:05", "09:15")],
                     "replan_visited_twice")
    assert fault.date == TUESDAY and "r-m01-4 is visited at the same time" in fault.message
    assert "by m01 09:05-09:15 and by m02 09:05-09:15" in fault.message


def test_a_retailer_visited_twice_on_one_day_after_now_is_a_fault() -> None:
    [fault] = faults([("m01", TUESDAY, "r-m01-4", "09:05", "09:15"), ("m02", TUESDAY, "r-m01-4", "10:05", "10:15")],
                     "replan_visited_twice")
    assert "twice on one day" in fault.message


def test_visits_of_a_retailer_on_two_days_or_one_beside_a_visit_made_before_now_are_no_fault() -> None:
    assert faults([("m01", MONDAY, "r-m01-4", "09:30", "09:40"), ("m02", TUESDAY, "r-m01-4", "09:05", "09:15")],
                  "replan_visited_twice") == []
    # made at 08:40 before `now`; the urgent visit asked at 09:10 is another
    assert faults([("m01", MONDAY, "r-m01-4", "08:40", "08:50"), ("m02", MONDAY, "r-m01-4", "10:05", "10:15")],
                  "replan_visited_twice") == []


def test_a_stop_shorter_than_its_service_is_a_fault() -> None:
    [fault] = faults([("m02", MONDAY, "r-m02-4", "09:04", "09:10")], "replan_visit_broken_off", sick=True)
    assert fault.manager == "m02" and "lasts 6 min, short of its 10 min service" in fault.message
    assert faults([("m02", MONDAY, "r-m02-4", "08:58", "09:08")], "replan_visit_broken_off", sick=True) == []


def test_a_key_customer_s_visit_broken_off_is_owed_as_one_to_come() -> None:
    """Rule 5d: m02's class-A r-m02-4, broken off at 09:10, is in no route to come while
    his class-C r-m02-1 on Tuesday could make way for it: a fault, as for a visit not
    started (the old checker counted the broken-off stop as made)."""
    classes = {"r-m02-4": "A", "r-m02-1": "C"}
    base = make_department(MANAGERS)
    department = base.model_copy(update={"retailers": [
        r.model_copy(update={"retailer_class": classes.get(r.id, "B")}) for r in base.retailers]})
    policy = TEST_POLICY.model_copy(update={"visit_value": VisitValueRules(
        by_class={"A": 10, "B": 3, "C": 1}, other_classes=1, key_class="A", least_class="C")})
    planned = {"routes": [{"manager": "m02", "date": MONDAY.isoformat(), "stops": [
        {"retailer": "r-m02-4", "arrive": "09:04", "start": "09:04", "end": "09:14", "ride_min": 3}]}]}
    after = [{"manager": "m02", "date": TUESDAY.isoformat(), "stops": [
        {"retailer": "r-m02-1", "arrive": "09:05", "start": "09:05", "end": "09:45", "ride_min": 3}]}]
    found = check_replan_routes(department, policy, week(), week(), NOW, [Sickness("m02", NOW, MONDAY)], [],
                                planned, after)
    [fault] = [v for v in found if v.rule == "replan_key_customer_dropped"]
    assert "r-m02-4 (class A) planned for m02" in fault.message
