"""The timetable checker's rides between places (`ride_between_places`) and the weekly
hours a plan declares short (`Timetable.shortfalls`), on the hand-made test week of
test_timetable_checker.py: every plan here is typed by hand, never by the solver."""

from __future__ import annotations

from engine.check.timetable import TimetableVerdict, check_timetable, judge_timetable
from engine.domain import Department
from engine.quality import score_plan
from tests.engine.check.test_timetable_checker import (
    TEST_POLICY,
    build_week,
    find,
    make_department,
    rules_of,
)

HOUSEHOLD = "r-m01-1"
STORE = "r-m01-3"


def moved(department: Department, shifts: dict[str, float]) -> Department:
    """The department with some retailers moved east (+) or west (-) by degrees of longitude."""
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"lon": r.lon + shifts[r.id]}) if r.id in shifts else r
        for r in department.retailers
    )})


def far_household() -> Department:
    """m01's POS household 0.05° of longitude (about 6 km by road, 32 min in town) west of
    the store, 0.04° (25 min) west of the office."""
    return moved(make_department(), {HOUSEHOLD: -1 / 300 - 0.04})


def household_after_store(pos: tuple[str, str], phone: tuple[str, str], admin: tuple[str, str],
                          tuesday_admin_end: str) -> dict:
    """The test week with Monday's maintenance held at the store and m01's Monday POS
    session, phone slot and office work moved as given (Tuesday's office work, from 16:10,
    makes up the week's 120 min)."""
    plan = build_week()
    for manager in ("m01", "m02", "m03"):
        find(plan, manager, "maintenance", "mon")["retailer"] = STORE
    for kind, (start, end) in (("pos_project", pos), ("phone", phone), ("admin", admin)):
        find(plan, "m01", kind, "mon").update(start=start, end=end)
    find(plan, "m01", "admin", "tue")["end"] = tuesday_admin_end
    return plan


# -- rides between places -------------------------------------------------------------


def test_a_household_closer_to_the_store_than_its_ride_is_a_violation():
    """Maintenance at the store until 14:10, the POS household 32 min away at 14:20: the
    10-min transfer the policy fixes is kept, the ride is not (ride_between_places, once,
    with both places and the minutes); the ride on to the office is long enough."""
    plan = household_after_store(("14:20", "15:20"), ("15:50", "16:20"), ("16:20", "17:20"), "17:10")
    violations = check_timetable(far_household(), TEST_POLICY, plan)
    assert [(v.rule, v.manager, v.time) for v in violations] == [("ride_between_places", "m01", "13:10–15:20")]
    assert STORE in violations[0].message and HOUSEHOLD in violations[0].message
    assert "10 min between them" in violations[0].message and "the ride takes 32 min" in violations[0].message


def test_the_same_places_with_gaps_as_long_as_the_rides_are_valid():
    """The same day with 40 min to the household and 30 min on to the office: no violation."""
    plan = household_after_store(("14:50", "15:50"), ("16:20", "16:50"), ("16:50", "17:30"), "17:30")
    assert check_timetable(far_household(), TEST_POLICY, plan) == []


def test_a_gap_shorter_than_the_office_buffer_and_the_ride_is_reported_once():
    """10 min from the far household to the phone slot: shorter than the 20-min office
    buffer and the 25-min ride; one fault, under the ride's rule, naming the office."""
    plan = household_after_store(("14:50", "15:50"), ("16:00", "16:30"), ("16:30", "17:30"), "17:10")
    violations = check_timetable(far_household(), TEST_POLICY, plan)
    assert [(v.rule, v.time) for v in violations] == [("ride_between_places", "14:50–16:30")]
    assert "the office" in violations[0].message and "the ride takes 25 min" in violations[0].message


def test_lunch_between_two_blocks_is_no_riding_time():
    """Tuesday's 70 min from the far household to the store hold lunch: 10 min are left for
    a 32-min ride."""
    plan = household_after_store(("14:50", "15:50"), ("16:20", "16:50"), ("16:50", "17:30"), "17:30")
    for manager in ("m01", "m02", "m03"):
        find(plan, manager, "maintenance", "tue")["retailer"] = STORE
    department = moved(make_department(), {HOUSEHOLD: -1 / 300 - 0.04, "r-m01-2": -2 / 300 - 0.04})
    tuesday_pos = find(plan, "m01", "pos_project", "tue")
    tuesday_pos["start"], tuesday_pos["end"] = "11:00", "12:00"
    find(plan, "m01", "lunch", "tue")["start"], find(plan, "m01", "lunch", "tue")["end"] = "12:00", "13:00"
    find(plan, "m01", "visit", "tue")["start"], find(plan, "m01", "visit", "tue")["end"] = "08:00", "10:00"
    violations = check_timetable(department, TEST_POLICY, plan)
    assert [(v.rule, v.date.isoformat() if v.date else None) for v in violations] == [
        ("ride_between_places", "2024-03-05")
    ]
    assert "70 min between them, 60 min of it lunch" in violations[0].message
    assert "the ride takes 32 min" in violations[0].message


def test_the_visit_block_is_judged_from_the_office_to_the_nearest_due_retailer():
    """All of m01's shops 0.1° east (over an hour's ride): the 30 min from Monday's meeting
    to the visit block cannot hold the ride to the nearest retailer due that week. With
    nothing due that week the day may have no stop, so no ride into the area is asked."""
    far = {f"r-m01-{n}": 0.1 for n in (1, 2, 3, 4)}
    department = moved(make_department(), far)
    plan = build_week()
    into_area = [v for v in check_timetable(department, TEST_POLICY, plan)
                 if v.rule == "ride_between_places" and v.time == "08:00–11:00"]
    assert [(v.manager, v.date.isoformat() if v.date else None) for v in into_area] == [
        ("m01", "2024-03-04"), ("m01", "2024-03-06")]  # after the Monday and Wednesday meetings
    assert "at his due retailers (nearest: r-m01-" in into_area[0].message

    nothing_due = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"visits_per_4_weeks": 0}) if r.manager == "m01" else r
        for r in department.retailers)})
    assert not [v for v in check_timetable(nothing_due, TEST_POLICY, plan)
                if v.rule == "ride_between_places" and v.time == "08:00–11:00"]


# -- weekly hours declared short --------------------------------------------------------


def short_of_one_pos_session(**declared) -> dict:
    """The test week without m01's Tuesday POS session (60 of 120 min, 1 of 2 sessions),
    declaring `declared` as m01's POS-project shortfall when given."""
    plan = build_week()
    plan["blocks"].remove(find(plan, "m01", "pos_project", "tue"))
    if declared:
        plan["shortfalls"] = [{"manager": "m01", "kind": "pos_project", **declared}]
    return plan


def judge(plan: dict) -> TimetableVerdict:
    return judge_timetable(make_department(), TEST_POLICY, plan)


def test_a_declared_shortfall_is_a_deviation_with_amounts_not_a_fault():
    """Declared at least as short as measured: no violation, one deviation with the amounts
    and the plan's reason; check_timetable agrees (no violation)."""
    plan = short_of_one_pos_session(minutes_short=60, sessions_short=1,
                                    reason="the rides leave no room on Tuesday")
    verdict = judge(plan)
    assert verdict.violations == [] and verdict.executable
    assert [(d.manager, d.kind, d.unit, d.planned, d.asked, d.lost) for d in verdict.deviations] == [
        ("m01", "pos_project", "min", 60, 120, 60)
    ]
    message = verdict.deviations[0].message
    assert message.startswith("m01 is 60 min and 1 session short of POS project households")
    assert "(the plan says: the rides leave no room on Tuesday)" in message
    assert check_timetable(make_department(), TEST_POLICY, plan) == []
    assert verdict.as_dict()["deviations"][0]["planned"] == 60


def test_an_undeclared_shortfall_stays_a_violation():
    """The same week without a declaration: the minutes and the sessions are faults."""
    verdict = judge(short_of_one_pos_session())
    assert rules_of(verdict.violations) == {"pos_project_households"}
    assert len(verdict.violations) == 2 and verdict.deviations == []
    assert not verdict.executable


def test_an_under_declared_shortfall_stays_a_violation_saying_what_was_declared():
    """Declared 30 of the 60 missing minutes (and the session): the minutes are a fault
    that says what the plan declared; nothing is listed as a deviation."""
    verdict = judge(short_of_one_pos_session(minutes_short=30, sessions_short=1))
    assert [v.rule for v in verdict.violations] == ["pos_project_households"]
    assert "the plan declares only 30 min short" in verdict.violations[0].message
    assert verdict.deviations == []


def test_a_declared_shortfall_the_week_does_not_have_is_a_false_claim():
    """The full week declaring m02 short of POS-project time: a violation of the kind's rule."""
    plan = build_week()
    plan["shortfalls"] = [{"manager": "m02", "kind": "pos_project", "minutes_short": 60,
                           "sessions_short": 1, "reason": "no room"}]
    verdict = judge(plan)
    assert [(v.rule, v.manager) for v in verdict.violations] == [("pos_project_households", "m02")]
    assert "the week has all the policy asks" in verdict.violations[0].message
    assert verdict.deviations == []


def test_a_shortfall_of_an_unknown_manager_or_kind_is_an_unknown_reference():
    """A declared shortfall of a stranger, or of a daily kind, names nothing the week counts."""
    plan = build_week()
    plan["shortfalls"] = [{"manager": "m99", "kind": "admin", "minutes_short": 30},
                          {"manager": "m01", "kind": "visit", "minutes_short": 30}]
    assert [(v.rule, v.manager) for v in judge(plan).violations] == [
        ("unknown_reference", "m01"), ("unknown_reference", "m99")]


# -- the quality report counts both ---------------------------------------------------------


def test_the_quality_report_counts_short_rides_and_declared_shortfalls():
    """score_plan's headline row: one ride too short, one declared shortfall of 60 min;
    the deviation is in the report's data, not among its violations."""
    plan = household_after_store(("14:20", "15:20"), ("15:50", "16:20"), ("16:20", "17:20"), "17:10")
    plan["blocks"].remove(find(plan, "m02", "pos_project", "tue"))
    plan["shortfalls"] = [{"manager": "m02", "kind": "pos_project", "minutes_short": 60, "sessions_short": 1}]
    report = score_plan(plan, far_household(), TEST_POLICY)
    summary = report.summary()
    assert summary["rides_too_short"] == 1 and summary["violations"] == 1
    assert summary["hours_declared_short"] == 1 and summary["minutes_declared_short"] == 60
    assert report.to_dict()["deviations"][0]["manager"] == "m02"
