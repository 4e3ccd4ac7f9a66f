"""`fieldweek capacity` on the console (tester, e1 week of 2026-12-14): the verdict names
the policy's `[capacity] max_rounds` (rich swallowed the brackets: "( max_rounds)") and
every visit still left out with its reason; the figures read on an 80-column terminal
(every day cell was cut to "…"); no time limit named, the timetable is searched again
with the extended limit as `fieldweek plan` does, and a search that ran out of time is
not called a conflict. Stand-in planners and solver: nothing is solved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import typer
from rich.console import Console

from api.commands import capacity as capacity_module
from engine.budget import EXTENDED_TIMETABLE_S
from engine.capacity.figures import week_capacity
from engine.capacity.fit import CapacityFit, FitRound, fit_week
from engine.capacity.proposal import HANDED_OVER_WEEK, folder_department, propose_changes
from engine.domain import Conflict, Department, Timetable
from engine.load import load_department_with_policy, write_department
from engine.policy import Policy
from engine.timetable.solve import SolveParams, TimetableResult
from tests.engine.test_capacity import MONDAY
from tests.engine.test_capacity_leave import _department as _leave_department
from tests.engine.test_capacity_leave import _ids, _route, _routes, _timetable
from tests.engine.test_capacity_unmendable import FAR, _plan, _week


def _printed(monkeypatch: pytest.MonkeyPatch, width: int = 300) -> io.StringIO:
    printed = io.StringIO()
    for name in ("console", "errors"):
        monkeypatch.setattr(capacity_module, name, Console(file=printed, width=width))
    return printed


def _fit(policy: Policy) -> CapacityFit:
    department, _ = _week()
    return fit_week(department, policy, MONDAY, _plan).fit


def test_the_verdict_names_max_rounds_and_what_is_left_out(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    fit = _fit(policy_15_13_7)
    printed = _printed(monkeypatch)
    capacity_module.render_fit(fit, max_rounds=8)
    text = printed.getvalue()
    assert "no allowed change places them" in text
    assert f"m1 {FAR} left out (too far): a 180-min ride from the office" in text
    used_up = fit.model_copy(update={"rounds": (FitRound(round=1, due_visits=7, unplanned_visits=1, changes=1),
                                                *fit.rounds)})
    printed = _printed(monkeypatch)
    capacity_module.render_fit(used_up, max_rounds=1)
    assert "([capacity] max_rounds) are used up" in printed.getvalue()


def test_the_figures_read_at_80_columns(monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    fit = _fit(policy_15_13_7)
    printed = _printed(monkeypatch, width=80)
    capacity_module.render_capacity(fit.before, "test week of 2026-11-23")
    text = printed.getvalue()
    assert "…" not in text
    assert "available" in text and "Fri 11-27" in text
    m1 = fit.before.manager("m1")
    assert f"{m1.need_min}" in text and f"{m1.available_min}" in text


def test_no_limit_named_extends_the_timetable_and_a_timeout_is_no_conflict(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    seen: list[SolveParams] = []

    def solve(department: Department, policy: Policy, week_start: object, params: SolveParams) -> TimetableResult:
        seen.append(params)
        return TimetableResult(Timetable(
            department="test", policy="15-13-7", week_start=MONDAY, status="unknown",
            conflicts=(Conflict(rules=(), message="no timetable found within 60 s; allow more time"),)))

    monkeypatch.setattr(capacity_module, "solve_timetable", solve)
    printed = _printed(monkeypatch)
    plan_week = capacity_module.week_planner(policy_15_13_7, MONDAY, None, 5.0, {})
    with pytest.raises(typer.Exit):
        plan_week(_week()[0])
    assert seen[0].extend_to_s == EXTENDED_TIMETABLE_S
    text = printed.getvalue()
    assert "conflict" not in text and "no timetable found within 60 s" in text
    capacity_module.week_planner(policy_15_13_7, MONDAY, 10.0, 5.0, {})
    with pytest.raises(typer.Exit):
        capacity_module.week_planner(policy_15_13_7, MONDAY, 10.0, 5.0, {})(_week()[0])
    assert seen[-1].extend_to_s is None and seen[-1].time_limit_s <= 10.0


def test_a_week_hand_over_is_shown_and_the_applied_folder_loads_back(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy, tmp_path: Path) -> None:
    """m1 on leave Monday to Thursday: the visits his Friday leaves out are handed to m2 for
    the week; the proposal table says so, and --apply writes a folder that keeps m1 as
    the manager, records the hand-over and loads back as written."""
    department = _leave_department(m1_leave_days=4)
    m1 = _ids(department, "m1")
    routes = _routes([_route("m1", 4, m1[:4]), _route("m2", 0, _ids(department, "m2"))], left_out=m1[4:])
    capacity = week_capacity(department, policy_15_13_7, _timetable(range(4, 5)), MONDAY, routes)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    printed = _printed(monkeypatch)
    capacity_module.render_proposal(proposal)
    text = printed.getvalue()
    assert "hand over" in text and "for this week only" in text and "handed over for the week" in text
    write_department(department, tmp_path / "dept")
    written = folder_department(department, proposal.changes, MONDAY)
    capacity_module.write_changed_department(tmp_path / "dept", tmp_path / "out", written)
    loaded, _ = load_department_with_policy(tmp_path / "out")
    handed = [r for r in loaded.retailers if r.extra.get(HANDED_OVER_WEEK)]
    assert handed and {r.manager for r in handed} == {"m1"}


def test_the_proposal_reads_at_80_columns(monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    """Every retailer id, name and manager whole on an 80-column terminal (they were cut to "…")."""
    base = _leave_department(m1_leave_days=4)
    department = base.model_copy(update={"retailers": tuple(  # names as long as the tester's 陈记烟酒店14
        r.model_copy(update={"name": f"陈记烟酒店{r.id[-2:]}"}) for r in base.retailers)})
    m1 = _ids(department, "m1")
    routes = _routes([_route("m1", 4, m1[:4]), _route("m2", 0, _ids(department, "m2"))], left_out=m1[4:])
    capacity = week_capacity(department, policy_15_13_7, _timetable(range(4, 5)), MONDAY, routes)
    proposal = propose_changes(department, policy_15_13_7, capacity)
    printed = _printed(monkeypatch, width=80)
    capacity_module.render_proposal(proposal)
    text = printed.getvalue()
    assert "…" not in text
    header = next(line for line in text.splitlines() if "change" in line and "retailer" in line)
    assert header.rstrip().endswith("min ┃")  # the last column is not cropped
    for change in proposal.changes:
        assert change.retailer in text and change.name in text
