"""The Friday sheet counts every visit the plan puts on a day, a re-plan's urgent visits
too: an urgent visit is of a retailer not due this week (or of a colleague's retailer),
so the due list alone left it out — tester's d563a: m07 planned 17, due 16 = done 11 +
missed 5, the urgent R06011 planned for Friday neither missed nor carried over."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.actuals import ActualBlock, Actuals, ActualVisit, FeedbackSheet, feedback_sheet
from engine.actuals.feedback import NO_DAILY_REPORT, NOT_REPORTED
from engine.domain import Department
from engine.policy import Policy
from engine.routing.due import due_retailers
from tests.engine.actuals.test_actuals import planned_week
from tests.strategies import WEEK, simple_department

MONDAY, WEDNESDAY, FRIDAY = WEEK, WEEK + dt.timedelta(days=2), WEEK + dt.timedelta(days=4)


@pytest.fixture(scope="module")
def department() -> Department:
    return simple_department(2)


def _route(manager: str, date: dt.date, retailers: list[str]) -> dict:
    return {"manager": manager, "date": str(date), "stops": [{"retailer": r, "kind": "visit"} for r in retailers]}


def _not_due(department: Department, manager: str) -> str:
    due = {d.retailer.id for d in due_retailers(department, WEEK)}
    return next(r.id for r in department.retailers if r.manager == manager and r.id not in due)


def _sheet(department: Department, policy: Policy, urgent_made: bool = False
           ) -> tuple[FeedbackSheet, str, str, list[str]]:
    """m01's due visits on Monday; a re-plan added an urgent visit of his own retailer on
    Wednesday (reported without it, or made with `urgent_made`) and one of m02's retailer
    on Friday (not reported yet)."""
    mine = [d.retailer.id for d in due_retailers(department, WEEK, "m01")]
    theirs = [d.retailer.id for d in due_retailers(department, WEEK, "m02")]
    own_urgent, colleague_urgent = _not_due(department, "m01"), _not_due(department, "m02")
    routes = {"routes": [_route("m01", MONDAY, mine), _route("m01", WEDNESDAY, [own_urgent]),
                         _route("m01", FRIDAY, [colleague_urgent]), _route("m02", MONDAY, theirs)],
              "unvisited": []}
    actuals = Actuals(
        blocks=tuple(ActualBlock(manager=m, date=day, kind="visit", start="08:00", end="11:00")
                     for m in ("m01", "m02") for day in (MONDAY, WEDNESDAY)),
        visits=tuple(ActualVisit(manager="m01", date=MONDAY, retailer=r, status="done") for r in mine)
        + ((ActualVisit(manager="m01", date=WEDNESDAY, retailer=own_urgent, status="done"),) if urgent_made else ()))
    return feedback_sheet(department, policy, planned_week(department), actuals, routes), own_urgent, \
        colleague_urgent, mine


def test_urgent_visits_of_a_replan_are_due_planned_and_missed_when_not_made(
        department: Department, policy_15_13_7: Policy) -> None:
    sheet, own_urgent, colleague_urgent, mine = _sheet(department, policy_15_13_7)
    m01 = next(v for v in sheet.visits if v.manager == "m01")
    assert (m01.planned, m01.due, m01.done, m01.missed) == (len(mine) + 2, len(mine) + 2, len(mine), 2)
    missed = {m.retailer: m for m in sheet.missed if m.manager == "m01"}
    assert set(missed) == {own_urgent, colleague_urgent}
    assert (missed[own_urgent].planned_date, missed[own_urgent].reason) == (WEDNESDAY, NOT_REPORTED)
    assert (missed[colleague_urgent].planned_date, missed[colleague_urgent].reason) == (FRIDAY, NO_DAILY_REPORT)
    assert m01.not_reported == 2
    assert sheet.carried_out[own_urgent] == sheet.carried_out[colleague_urgent] == 1


def test_every_row_adds_up_and_an_urgent_visit_made_counts_as_done(
        department: Department, policy_15_13_7: Policy) -> None:
    sheet, own_urgent, colleague_urgent, _ = _sheet(department, policy_15_13_7)
    for row in sheet.visits:
        assert row.planned is not None and row.due == row.done + row.missed
        assert row.missed == sum(m.visits for m in sheet.missed if m.manager == row.manager)
    assert sum(sheet.carried_out.values()) == sum(row.missed for row in sheet.visits)
    m02 = next(v for v in sheet.visits if v.manager == "m02")
    assert m02.due == m02.planned and colleague_urgent not in {m.retailer for m in sheet.missed if m.manager == "m02"}
    made, _, _, mine = _sheet(department, policy_15_13_7, urgent_made=True)
    m01 = next(v for v in made.visits if v.manager == "m01")
    assert (m01.due, m01.done, m01.missed, m01.done_not_due) == (len(mine) + 2, len(mine) + 1, 1, 0)
    assert own_urgent not in made.carried_out and made.carried_out[colleague_urgent] == 1
