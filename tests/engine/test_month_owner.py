"""A visit one manager makes for another says whose retailer it is (tester's d519L: the zh
month workbook listed 2026-12-07 m03 … R02017, m02's shop, with no owner, and the JSON's
stops had none): `MonthStop.owner` and the workbook's 负责客户经理 column."""

from __future__ import annotations

import dataclasses
from io import BytesIO

from openpyxl import load_workbook

from api.exports.month_xlsx import month_workbook
from engine.month import MonthPlan, _month_route
from engine.policy import Policy
from tests.engine.month_cases import line_month
from tests.engine.routing.line_territory import first_stop_every_day
from tests.strategies import simple_department


def test_a_visit_made_for_another_manager_names_its_owner(policy_15_13_7: Policy) -> None:
    """m1's route visits his own a and m02's b: b's stop names m02, a's none; in the JSON and
    in both workbooks' column after the wait (m02's name beside his id when the department has him)."""
    policy = first_stop_every_day(policy_15_13_7)
    plan = line_month(policy, {"a": "C", "b": "C"}, {"a": 10, "b": 12})
    theirs = {**plan.retailers, "b": plan.retailers["b"].model_copy(update={"manager": "m02"})}
    plan = dataclasses.replace(plan, retailers=theirs)
    route = _month_route("m1", plan.days[0], ["a", "b"], plan.retailers, plan.territory, policy)
    assert [s.owner for s in route.stops] == [None, "m02"]
    assert [s["owner"] for s in route.model_dump(mode="json")["stops"]] == [None, "m02"]
    month = MonthPlan(department="d", policy=policy.name, month="2026-11", days=(route.date,), routes=(route,))
    department = simple_department(2)
    name = next(m.name for m in department.managers if m.id == "m02")
    for lang, header in (("zh", "负责客户经理"), ("en", "Retailer's own manager")):
        book = load_workbook(BytesIO(month_workbook(month, department, lang=lang)))
        rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
        column = rows[0].index(header)
        assert [row[column] for row in rows[1:]] == [None, f"m02 {name}"]
