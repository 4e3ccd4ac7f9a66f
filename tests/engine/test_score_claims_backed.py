"""`fieldweek score` judges what a plan claims, not only what it holds (engine/quality.py,
engine/check/timetable.py, engine/check/visit_value.py). No solve: the hand-made week of a
generated department of four, mutated by hand.

Found from outside (tester E, seed 647): all 3 of m01's POS sessions deleted and declared
"not owed" (or dated on a day he has no leave), with the reason "did not feel like it",
"on Tue 11-24 did not feel like it", "the opening hours of nothing at all" or "the rides
between his places are boring", scored exit 0; a class-A retailer visited and also listed
unvisited was called "left out"; a plan claiming "optimal" with objective 1 under its bound
210 was taken at its word."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from benchmarks.departments import generate_department
from engine.baseline import baseline_routes, baseline_timetable
from engine.domain import Department, Leave
from engine.policy import Policy, parse_clock
from engine.quality import SOLVER_FIGURES, score_plan
from engine.rules import KIND_RULE

WEEK = dt.date(2026, 11, 23)
TUESDAY = WEEK + dt.timedelta(days=1)
POS = KIND_RULE["pos_project"]


def _plan(department: Department, policy: Policy) -> dict:
    timetable = baseline_timetable(department, policy, WEEK)
    return {"timetable": timetable.to_json_dict(), "routes": baseline_routes(department, policy, timetable)}


@pytest.fixture(scope="module")
def department() -> Department:
    return generate_department(4, 0)


@pytest.fixture(scope="module")
def base(department: Department, policy_15_13_7: Policy) -> dict:
    plan = _plan(department, policy_15_13_7)
    assert score_plan(plan, department, policy_15_13_7).violations == []
    return plan


def _without_pos(base: dict, **claim) -> dict:
    """The week with all of m01's POS sessions deleted and one line declaring them."""
    plan = copy.deepcopy(base)
    timetable = plan["timetable"]
    removed = [b for b in timetable["blocks"] if b["manager"] == "m01" and b["kind"] == "pos_project"]
    assert len(removed) == 3
    timetable["blocks"] = [b for b in timetable["blocks"] if b not in removed]
    timetable["shortfalls"] = [s for s in timetable["shortfalls"] if s["manager"] != "m01"] + [{
        "manager": "m01", "kind": "pos_project", "minutes_short": 180, "sessions_short": 3,
        "reason": "did not feel like it", "not_owed": False, "date": None} | claim]
    return plan


def _m01_pos_faults(plan: dict, department: Department, policy: Policy) -> list[str]:
    return [v.message for v in score_plan(plan, department, policy).violations
            if v.manager == "m01" and v.rule == POS]


@pytest.mark.parametrize("claim", [{"not_owed": True}, {"not_owed": True, "date": TUESDAY.isoformat()},
                                   {"date": TUESDAY.isoformat()}])
def test_weekly_hours_declared_not_owed_or_dated_without_leave_are_faults(base, department, policy_15_13_7, claim):
    """m01 has no leave: POS hours declared not owed, or dated, are owed all the same (score
    passed them, counting 180 min "a leave takes"); and POS is a weekly kind a leave prorates,
    never excuses by the day."""
    plan = _without_pos(base, **claim)
    report = score_plan(plan, department, policy_15_13_7)
    faults = [v.message for v in report.violations if v.manager == "m01" and v.rule == POS]
    assert any("weekly kind" in message for message in faults), faults
    assert any("m01 has 0 min of POS project" in message for message in faults), faults
    assert report.not_owed == []


def test_a_not_owed_claim_beyond_what_the_leave_takes_is_a_fault(department, policy_15_13_7):
    """m02 away Mon 08:00–08:30 misses the 40-min Monday meeting: the hand-made week declares
    40 min not owed (clean); 100 min is more than his leave can take that day, and the same
    line dated Tuesday (no leave) names a day no leave of his falls on."""
    away = department.model_copy(update={"leave": (
        Leave(manager="m02", date=WEEK, start=parse_clock("08:00"), end=parse_clock("08:30")),)})
    plan = _plan(away, policy_15_13_7)
    report = score_plan(plan, away, policy_15_13_7)
    assert report.violations == [] and report.not_owed == [("m02", "meeting", 40)]
    [line] = [s for s in plan["timetable"]["shortfalls"] if s["not_owed"]]
    for change, words in (({"minutes_short": 100}, "can take at most 40 min"),
                          ({"date": TUESDAY.isoformat()}, "no leave of his falls on that day")):
        line.update(change)
        faults = [v.message for v in score_plan(plan, away, policy_15_13_7).violations
                  if v.manager == "m02" and v.rule == KIND_RULE["meeting"]]
        assert any(words in message for message in faults), faults
        line.update(minutes_short=40, date=WEEK.isoformat())


def test_the_hand_made_week_with_a_part_day_leave_scores_clean_with_its_not_owed_line(department, policy_15_13_7):
    """m02 away Wed 08:00–13:00: 60 of his 180-min visit block are not owed, declared with the
    day; the checker accepts the line the leave backs."""
    away = department.model_copy(update={"leave": (
        Leave(manager="m02", date=WEEK + dt.timedelta(days=2), start=parse_clock("08:00"), end=parse_clock("13:00")),)})
    report = score_plan(_plan(away, policy_15_13_7), away, policy_15_13_7)
    assert report.violations == [] and report.not_owed == [("m02", "visit", 60)]


@pytest.mark.parametrize("reason", ["on Tue 11-24 did not feel like it", "the opening hours of nothing at all",
                                    "the rides between his places are boring",
                                    "m02's territory has no POS-target household; the week's 3 POS sessions each "
                                    "need a different one: 3 sessions short"])
def test_a_reason_in_the_planners_opening_words_is_read_whole(base, department, policy_15_13_7, reason):
    """Read by their opening words alone, these passed with all 3 POS sessions missing: a day
    m01 has no leave on, no opening hours, rides in no planner's words, another's territory."""
    faults = _m01_pos_faults(_without_pos(base, reason=reason), department, policy_15_13_7)
    assert any("for the reason" in message for message in faults), faults


def test_a_reason_in_the_planners_words_is_accepted(base, department, policy_15_13_7):
    """The week planner's rides words, whole: no fault of the reason (the week's amounts are
    judged as before)."""
    reason = ("the rides between his places (from his visit area: office 12 min, POS households up to 9 min) "
              "leave no room for it")
    assert _m01_pos_faults(_without_pos(base, reason=reason), department, policy_15_13_7) == []


def test_a_visited_key_customer_also_listed_unvisited_is_not_left_out(base, department, policy_15_13_7):
    """R01027 (class A) is visited Monday and also listed unvisited: the `due` rule says so;
    the key-customer rule called it "left out" beside m01's class-C visits."""
    plan = copy.deepcopy(base)
    visited = {s["retailer"] for r in plan["routes"]["routes"] for s in r["stops"] if s["kind"] == "visit"}
    assert "R01027" in visited
    plan["routes"]["unvisited"].append({"retailer": "R01027", "manager": "m01", "reason": "no_room_in_day"})
    report = score_plan(plan, department, policy_15_13_7)
    assert [v for v in report.violations if v.rule == "due"]
    assert [v.message for v in report.violations if v.rule == "key_customer_dropped"] == []


@pytest.mark.parametrize(("status", "objective", "bound", "faulted"), [
    ("optimal", 1.0, 210.0, True), ("feasible", 1.0, 210.0, True), ("optimal", 300.0, 210.0, True),
    ("feasible", 300.0, 210.0, False), ("optimal", 210.0, 210.0, False)])
def test_claimed_solver_figures_that_contradict_themselves_are_faults(base, department, policy_15_13_7, status,
                                                                      objective, bound, faulted):
    """Minimised: no objective is below its bound, and a proven optimum reaches it. A stated
    objective other than the one worked out is a note, not a fault."""
    plan = copy.deepcopy(base)
    plan["timetable"].update(status=status, objective=objective, best_bound=bound)
    report = score_plan(plan, department, policy_15_13_7)
    assert bool([v for v in report.violations if v.rule == SOLVER_FIGURES]) is faulted
    assert [v for v in report.violations if v.rule != SOLVER_FIGURES] == []
    assert any(f"states objective {objective:g}" in note for note in report.notes)
