"""`fieldweek capacity --time-limit 10` searches on for a first week as `plan` does
(api.commands.timetable.first_week_by): a named limit under the extended one that finds
no week at all must not end "no timetable found" where `plan` of the same week finds one."""

from __future__ import annotations

import pytest
import typer

from api.commands import capacity as capacity_module
from engine.budget import EXTENDED_TIMETABLE_S
from engine.domain import Department, Timetable
from engine.policy import Policy
from engine.timetable.solve import SolveParams, TimetableResult
from tests.engine.test_capacity import MONDAY
from tests.engine.test_capacity_unmendable import _week


def _params_seen(monkeypatch: pytest.MonkeyPatch, policy: Policy, time_limit: float | None) -> SolveParams:
    seen: list[SolveParams] = []

    def solve(department: Department, pol: Policy, week_start: object, params: SolveParams) -> TimetableResult:
        seen.append(params)
        return TimetableResult(Timetable(department="test", policy="15-13-7", week_start=MONDAY,
                                         status="unknown"))

    monkeypatch.setattr(capacity_module, "solve_timetable", solve)
    with pytest.raises(typer.Exit):
        capacity_module.week_planner(policy, MONDAY, time_limit, 5.0, {})(_week()[0])
    assert len(seen) == 1
    return seen[0]


def test_a_named_limit_under_the_extended_one_searches_on_for_a_first_week(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    params = _params_seen(monkeypatch, policy_15_13_7, 10.0)
    assert params.time_limit_s <= 10.0
    assert params.extend_to_s is None
    assert params.first_week_by_s == EXTENDED_TIMETABLE_S


def test_no_limit_named_extends_and_a_limit_past_the_extended_one_is_kept_to(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    unnamed = _params_seen(monkeypatch, policy_15_13_7, None)
    assert unnamed.extend_to_s == EXTENDED_TIMETABLE_S and unnamed.first_week_by_s is None
    long = _params_seen(monkeypatch, policy_15_13_7, EXTENDED_TIMETABLE_S + 30)
    assert long.extend_to_s is None and long.first_week_by_s is None
