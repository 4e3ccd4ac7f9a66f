"""`fieldweek capacity` when no change can be proposed (tester, d6capA week of 2026-11-23:
every retailer of m02 class A): the console said only "no change proposed" and exit 1; why
(key customers kept, phone slot with nothing to call …) was in the JSON's `why_short`
alone. And the console's "short 179 min" stood beside a JSON `still_short` of 224, the 5 %
margin never named. Hand-built figures: nothing is solved."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from api.commands import capacity as capacity_module
from engine.capacity.figures import week_capacity
from engine.capacity.proposal import kept_free, propose_changes
from engine.policy import Policy
from tests.engine.test_capacity_levers import MONDAY, _far_department, _routes, _timetable


def _printed(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    printed = io.StringIO()
    for name in ("console", "errors"):
        monkeypatch.setattr(capacity_module, name, Console(file=printed, width=400))
    return printed


def test_no_change_proposed_still_says_why_and_names_the_margin(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    """m1's only due retailers are class A and the routes leave them out: no change, and the
    console says which levers are used up, with the minutes the JSON carries split into the
    table's short and the margin kept free."""
    department = _far_department(0, neighbour_km=3.0)
    a_ids = [r.id for r in department.retailers if r.retailer_class == "A"]
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, _routes(department, a_ids))
    proposal = propose_changes(department, policy_15_13_7, capacity, left_out=a_ids)
    assert not proposal.changes and proposal.still_short["m1"] > 0
    rules = policy_15_13_7.capacity
    assert rules is not None
    m1 = capacity.manager("m1")
    margin = kept_free(rules, m1.available_min)
    assert margin > 0 and m1.shortfall_min > 0

    printed = _printed(monkeypatch)
    capacity_module.render_proposal(proposal, capacity, rules)
    text = " ".join(printed.getvalue().split())
    assert text.startswith("no change proposed: no allowed change is left")
    assert f"m1: {proposal.still_short['m1']} min no allowed change could free" in text
    assert "class A customers" in text and "capacity.lowerable_classes" in text
    # Here the visits left out weigh more than short + margin: said so, the short beside.
    assert proposal.still_short["m1"] == m1.unplanned_min > m1.shortfall_min + margin
    assert (f"{m1.unplanned_min} min no allowed change could free: the minutes of his "
            f"{m1.unplanned_visits} due visit(s) left out ({m1.shortfall_min} min short in the table)") in text


def test_the_margin_is_named_when_it_makes_the_difference(
        monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    """The tester's case: short 179 in the table, 224 in `still_short`: the 45 min between
    are the 5 % margin of a 900-min week, and the console says so."""
    department = _far_department(0, neighbour_km=3.0)
    a_ids = [r.id for r in department.retailers if r.retailer_class == "A"]
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, _routes(department, a_ids))
    rules = policy_15_13_7.capacity
    assert rules is not None
    m1 = capacity.manager("m1").model_copy(update={"available_min": 900, "shortfall_min": 179})
    capacity = capacity.model_copy(update={"managers": (m1, *(m for m in capacity.managers if m.manager != "m1"))})
    proposal = propose_changes(department, policy_15_13_7, capacity, left_out=a_ids).model_copy(
        update={"still_short": {"m1": 224}, "why_short": {"m1": "class A"}})
    printed = _printed(monkeypatch)
    capacity_module.render_proposal(proposal, capacity, rules)
    text = " ".join(printed.getvalue().split())
    assert ("m1: 224 min no allowed change could free: the 179 min his week is short in the table plus the "
            "45-min margin kept free (5% of his 900 min of visit blocks) (class A)") in text


def test_nothing_short_is_just_no_change(monkeypatch: pytest.MonkeyPatch, policy_15_13_7: Policy) -> None:
    """A week that fits: "no change proposed" and nothing more."""
    department = _far_department(0, neighbour_km=3.0)
    capacity = week_capacity(department, policy_15_13_7, _timetable(), MONDAY, _routes(department, []))
    proposal = propose_changes(department, policy_15_13_7, capacity, left_out=[])
    printed = _printed(monkeypatch)
    capacity_module.render_proposal(proposal.model_copy(update={"still_short": {}, "why_short": {}}),
                                    capacity, policy_15_13_7.capacity)
    assert printed.getvalue().strip() == "no change proposed"
