"""The Friday sheet's visits table reads one man's week per row: a colleague's retailer
handed to a manager (by the plan, or for the week by an applied capacity proposal) counts
in his due, planned, done and missed, not split between him (planned) and its owner (due,
done, missed) — tester's d9A: m01 due 18, planned 23."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.actuals import Actuals, ActualVisit, feedback_sheet
from engine.domain import HANDED_OVER_TO, HANDED_OVER_WEEK, Department
from engine.policy import Policy
from engine.routing.due import due_retailers
from tests.engine.actuals.test_actuals import planned_week
from tests.strategies import WEEK, simple_department


@pytest.fixture(scope="module")
def department() -> Department:
    return simple_department(2)


def _stops(manager: str, retailers: list[str]) -> dict:
    return {"manager": manager, "date": str(WEEK + dt.timedelta(days=1)),
            "stops": [{"retailer": r, "kind": "visit"} for r in retailers]}


def test_a_visit_the_plan_hands_to_a_colleague_counts_in_his_row(department: Department,
                                                                   policy_15_13_7: Policy) -> None:
    mine = [d.retailer.id for d in due_retailers(department, WEEK, "m01")]
    theirs = [d.retailer.id for d in due_retailers(department, WEEK, "m02")]
    assert len(mine) == len(set(mine)) and len(theirs) >= 2
    handed, kept = theirs[0], theirs[1:]
    routes = {"routes": [_stops("m01", [*mine, handed]), _stops("m02", kept)], "unvisited": []}
    actuals = Actuals(visits=(
        ActualVisit(manager="m01", date=WEEK + dt.timedelta(days=1), retailer=handed, status="done"),
        ActualVisit(manager="m01", date=WEEK + dt.timedelta(days=1), retailer=mine[0], status="done"),
    ))
    sheet = feedback_sheet(department, policy_15_13_7, planned_week(department), actuals, routes)
    rows = {v.manager: v for v in sheet.visits}
    assert (rows["m01"].due, rows["m01"].planned, rows["m01"].done) == (len(mine) + 1, len(mine) + 1, 2)
    assert (rows["m02"].due, rows["m02"].planned, rows["m02"].done) == (len(kept), len(kept), 0)
    for row in rows.values():
        assert row.planned is not None and row.due == row.done + row.missed
        assert row.missed == sum(m.visits for m in sheet.missed if m.manager == row.manager)
    assert sum(v.due for v in sheet.visits) == len(mine) + len(theirs)


def test_a_week_hand_over_of_an_applied_proposal_counts_in_the_colleagues_row_without_a_plan(
        department: Department, policy_15_13_7: Policy) -> None:
    theirs = [d.retailer.id for d in due_retailers(department, WEEK, "m02")]
    handed = theirs[0]
    changed = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"extra": {HANDED_OVER_WEEK: WEEK.isoformat(), HANDED_OVER_TO: "m01"}})
        if r.id == handed else r for r in department.retailers)})
    sheet = feedback_sheet(changed, policy_15_13_7, planned_week(changed), Actuals())
    rows = {v.manager: v for v in sheet.visits}
    plain = {v.manager: v for v in feedback_sheet(department, policy_15_13_7, planned_week(department),
                                                  Actuals()).visits}
    assert rows["m01"].due == plain["m01"].due + 1 and rows["m02"].due == plain["m02"].due - 1
    assert {m.manager for m in sheet.missed if m.retailer == handed} == {"m01"}
