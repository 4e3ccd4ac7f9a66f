"""A retailer closed on one day is, for that day, what a cancelled one is: a paired
session at the group's store moves to another promotion store of the group, and a POS
session to another POS-target household of the manager's territory, with the rides to
and from it held. The re-plan used to cancel them and call the lost hours forced."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Closure, check_replan
from engine.domain import Department, Retailer, Timetable
from engine.policy import ReplanRules
from engine.replan import read_events, replan
from engine.replan.result import ReplanResult
from engine.timetable.solve import SolveParams
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
POLICY = TEST_POLICY.model_copy(update={"replan": ReplanRules(moved_block=10, missing_per_10min=5, handover=(),
                                                              neighbour_max_km=5)})
MONDAY_1630 = dt.datetime.combine(MONDAY, dt.time(16, 30))


def _closed(department: Department, retailer: str, date: dt.date) -> ReplanResult:
    events = read_events([{"type": "retailer_closed", "retailer": retailer, "date": str(date)}])
    result = replan(department, POLICY, Timetable.model_validate(week()), MONDAY_1630, events, None,
                    SolveParams(time_limit_s=5, workers=2))
    assert result.status in ("optimal", "feasible")
    verdict = check_replan(department, POLICY, week(), result.timetable, MONDAY_1630, [], [Closure(retailer, date)])
    assert verdict.violations == []
    return result


def _not_short(result: ReplanResult, *who: tuple[str, str]) -> None:
    short = {(s.manager, s.kind) for s in result.timetable.shortfalls if not s.not_owed}
    assert not short & set(who), short


def test_a_pair_s_store_closed_on_its_day_moves_the_session_to_another_store_of_theirs() -> None:
    """m01 and m02 hold Wednesday's promotion at r-m01-3, closed that day: they hold it
    together at m02's store r-m02-3 instead; the other pair keeps its store."""
    result = _closed(make_department(MANAGERS), "r-m01-3", WEDNESDAY)
    wednesday = {b.manager: b for b in result.timetable.blocks if b.kind == "promotion" and b.date == WEDNESDAY}
    assert {wednesday[m].retailer for m in ("m01", "m02")} == {"r-m02-3"}
    assert wednesday["m01"].start == wednesday["m02"].start and wednesday["m01"].with_ == ("m02",)
    assert {wednesday[m].retailer for m in ("m03", "m04")} == {"r-m03-3"}
    _not_short(result, ("m01", "promotion"), ("m02", "promotion"))


def test_a_pos_household_closed_on_its_day_gives_the_session_to_another_of_his_territory() -> None:
    """m01's week holds POS at r-m01-1 (Monday, done) and r-m01-2 (Tuesday); his third
    POS-target household, r-m01-5, lies farther out, so the week's POS venue leaves it
    out. r-m01-2 is closed on Tuesday: the session goes to r-m01-5."""
    department = make_department(MANAGERS)
    shop = next(r for r in department.retailers if r.id == "r-m01-2")
    far = Retailer.model_validate(shop.model_dump(by_alias=True) | {"id": "r-m01-5", "lat": shop.lat + 0.02})
    department = department.model_copy(update={"retailers": (*department.retailers, far)})
    result = _closed(department, "r-m01-2", TUESDAY)
    [tuesday] = [b for b in result.timetable.blocks if b.manager == "m01" and b.kind == "pos_project"
                 and b.date == TUESDAY]
    assert tuesday.retailer == "r-m01-5"
    _not_short(result, ("m01", "pos_project"))
