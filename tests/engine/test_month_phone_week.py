"""The month reads an applied capacity proposal's phone week as the week's routes do
(tester's d6P: R05001, called instead of visited in the week of 11-30, was visited on 12-01
while 21 visits of m02/m05 were left out for room): no visit of the retailer in that week,
its visit listed `called_by_phone`; and the month checker, reading `phone_call_week` on its
own, faults a visit in the phone week and a `called_by_phone` line no call stands behind."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.month import check_month
from engine.domain import Block, Department, ManagerRef, Timetable
from engine.month import MonthPlan, plan_month
from engine.policy import Policy
from tests.engine.month_cases import CHRISTMAS, DECEMBER, FAST, MONDAYS, moved_weeks
from tests.strategies import simple_department

CALLED = "m01-r00"
"""A weekly class-A retailer of m01 (tests.strategies.territory)."""
PHONE_WEEK = dt.date(2026, 12, 7)


def _weeks(department: Department) -> dict[dt.date, Timetable]:
    """A hand-made week, every manager visiting 08:30-12:00 Mon-Fri, moved to December's weeks."""
    monday = MONDAYS[0]
    blocks = tuple(Block(manager=m.id, date=monday + dt.timedelta(days=d), kind="visit", start="08:30",
                         end="12:00") for m in department.managers for d in range(5))
    week = Timetable(department=department.name, policy="15-13-7", week_start=monday, status="feasible",
                     managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers), blocks=blocks)
    return moved_weeks(week, MONDAYS)


@pytest.fixture(scope="module")
def called() -> Department:
    department = simple_department(1)
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"extra": {"phone_call_week": PHONE_WEEK.isoformat(), "phone_called_by": "m01"}})
        if r.id == CALLED else r for r in department.retailers)})


@pytest.fixture(scope="module")
def december(called: Department, policy_15_13_7: Policy) -> MonthPlan:
    return plan_month(called, policy_15_13_7, *DECEMBER, {CHRISTMAS}, _weeks(called), FAST)


def _dates(plan: dict, retailer: str) -> list[dt.date]:
    return sorted(dt.date.fromisoformat(r["date"]) for r in plan["routes"] for s in r["stops"]
                  if s["retailer"] == retailer)


def test_the_phone_week_holds_no_visit_and_its_visit_is_listed_called(december: MonthPlan, called: Department,
                                                                       policy_15_13_7: Policy) -> None:
    data = december.to_json_dict()
    visited = _dates(data, CALLED)
    assert visited and not [d for d in visited if PHONE_WEEK <= d < PHONE_WEEK + dt.timedelta(days=7)]
    (due,) = [d for d in december.due if d.retailer == CALLED and d.week_start == PHONE_WEEK]
    assert due.visits == due.called == 1
    assert not [d for d in december.due if d.called and d.retailer != CALLED]
    (line,) = [u for u in december.unplanned if u.retailer == CALLED]
    assert line.reason == "called_by_phone" and line.wanted - line.planned == 1 and "11-30" not in line.detail
    assert "12-07" in line.detail
    assert check_month(december, called, policy_15_13_7, {CHRISTMAS}, december.timetables) == []


def test_the_checker_faults_a_visit_in_the_phone_week_and_a_call_no_row_records(
        december: MonthPlan, called: Department, policy_15_13_7: Policy) -> None:
    data = december.to_json_dict()
    route = next(r for r in data["routes"] if r["manager"] == "m01"
                 and PHONE_WEEK <= dt.date.fromisoformat(r["date"]) < PHONE_WEEK + dt.timedelta(days=7))
    other = next(s["retailer"] for s in route["stops"] if s["retailer"] != CALLED)
    # Visited in its phone week instead of another's visit (the tester's d6P plan).
    route["stops"] = [{**s, "retailer": CALLED} if s["retailer"] == other else s for s in route["stops"]]
    data["unplanned"] = [u for u in data["unplanned"] if u["retailer"] != CALLED] + [
        {"retailer": other, "manager": "m01", "wanted": 4, "planned": 3, "reason": "called_by_phone"}]
    found = [(v.rule, v.retailer) for v in check_month(data, called, policy_15_13_7, {CHRISTMAS})]
    assert ("count", CALLED) in found
    messages = [v.message for v in check_month(data, called, policy_15_13_7, {CHRISTMAS}) if v.retailer == other]
    assert any("called_by_phone" in m and "phone_call_week" in m for m in messages)
