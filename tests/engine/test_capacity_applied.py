"""The capacity proposal, applied, gives a week in which every due visit is planned
(SPEC §6 "every retailer due is visited"), with the real timetable and route solvers at
short limits: one far manager is overloaded (no neighbour within reach, his C retailers
at their floor, more than his phone slot can call), his colleagues near the office are
idle. The changed department is written, loaded back and planned afresh twice; no
class-A retailer is changed at all."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from engine.budget import time_budget
from engine.capacity.fit import FittedWeek, fit_week
from engine.domain import Department, GeoPoint, Manager, Retailer, Timetable
from engine.load import load_department_with_policy, write_department
from engine.policy import Policy
from engine.routing.due import visits_in_week
from engine.routing.plan import RoutePlan, plan_routes
from engine.timetable.solve import SolveParams, solve_timetable
from tests.strategies import WEEK, territory

OFFICE = GeoPoint(lat=30.66, lon=104.05)
KM_PER_DEGREE_LAT = 111.195
BUDGET = time_budget(3, 1)  # as `fieldweek plan --time-limit 3 --route-time-limit 1`
FAR_KM = 9.0  # past the policy's 6 km of neighbours, near enough for a first stop by 09:30


def _far_shop(rid: str, klass: str, visits: int, k: int) -> Retailer:
    east = FAR_KM + (k % 5) * 0.3
    north = (k // 5) * 0.3
    return Retailer(id=rid, name=f"far shop {rid}", manager="m01", retailer_class=klass,
                    lat=OFFICE.lat + north / KM_PER_DEGREE_LAT,
                    lon=OFFICE.lon + east / (KM_PER_DEGREE_LAT * math.cos(math.radians(OFFICE.lat))),
                    visits_per_4_weeks=visits, area="country", opens=7 * 60, closes=21 * 60, service_min=25,
                    pos_target=k < 4, promo_store=k in (4, 5))


def _department() -> Department:
    """m01 far east: key customers and a crowd of C retailers at one visit per 4 weeks,
    all due this week; m02 and m03 near the office with small territories."""
    due_c = [r for r in (f"xc{k:03d}" for k in range(400)) if visits_in_week(r, 1, WEEK) == 1][:45]
    far = [_far_shop(f"xa{k:02d}", "A", 4, k) for k in range(10)]
    far += [_far_shop(rid, "C", 1, 10 + k) for k, rid in enumerate(due_c)]
    near = [r for i, m in enumerate(("m02", "m03")) for r in territory(m, (30.66 + i * 0.01, 104.05), 8, i)]
    managers = tuple(Manager(id=m, name=m, years=5) for m in ("m01", "m02", "m03"))
    return Department(name="far", office=OFFICE, policy="15-13-7", market_manager="boss",
                      managers=managers, retailers=tuple(far + near))


def _plan(policy: Policy):
    def plan_week(department: Department) -> tuple[Timetable, RoutePlan]:
        result = solve_timetable(department, policy, WEEK, SolveParams.within(BUDGET.timetable))
        assert result.status in ("optimal", "feasible")
        assert BUDGET.routes is not None
        return result.timetable, plan_routes(department, policy, result.timetable, WEEK,
                                             time_limit_s=BUDGET.routes.limit_s)
    return plan_week


@pytest.fixture(scope="module")
def fitted(policy_15_13_7: Policy) -> FittedWeek:
    return fit_week(_department(), policy_15_13_7, WEEK, _plan(policy_15_13_7))


def test_the_overloaded_manager_is_short_before(fitted: FittedWeek) -> None:
    m01 = fitted.fit.before.manager("m01")
    assert m01.unplanned_visits > 0 and m01.need_min > m01.available_min
    assert fitted.fit.rounds[0].unplanned_visits > 0 and fitted.fit.proposal.changes


def test_the_proposal_fits_after_fresh_plans(fitted: FittedWeek, policy_15_13_7: Policy) -> None:
    rules = policy_15_13_7.capacity
    assert rules is not None
    fit = fitted.fit
    assert fit.fits is True and fit.confirmed_plans == rules.confirm_plans + 1
    assert fit.rounds[-1].unplanned_visits == 0 and fit.rounds[-1].fresh
    assert all(c.manager == "m01" for c in fit.proposal.changes)
    calls = [c for c in fit.proposal.changes if c.kind == "by_phone"]
    assert any(c.called_by is None for c in calls) and any(c.called_by in ("m02", "m03") for c in calls)


def test_no_class_a_retailer_is_changed(fitted: FittedWeek) -> None:
    assert not [c for c in fitted.fit.proposal.changes if c.retailer_class == "A"]
    before = {r.id: r for r in _department().retailers if r.retailer_class == "A"}
    after = {r.id: r for r in fitted.department.retailers if r.retailer_class == "A"}
    assert before == after


def test_the_written_folder_planned_afresh_leaves_no_due_visit_out(
        fitted: FittedWeek, policy_15_13_7: Policy, tmp_path: Path) -> None:
    write_department(fitted.department, tmp_path / "applied")
    department, policy = load_department_with_policy(tmp_path / "applied")
    assert department.retailers == fitted.department.retailers and policy == policy_15_13_7
    for _ in range(2):
        _, routes = _plan(policy)(department)
        assert routes.due_visits > 0 and not routes.unvisited, routes.unvisited
