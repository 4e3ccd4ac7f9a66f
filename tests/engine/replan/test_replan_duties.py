"""A re-plan's specialist duties (SPEC §2): a duty of a manager the events keep off all
week goes to a present manager by the week planner's rule, or is listed unfilled with
why; the duties of managers who are still in stay as they were."""

from __future__ import annotations

import datetime as dt

from engine.domain import Department, Duty, Timetable
from engine.policy import Policy
from engine.replan.duties import Staffing, replanned_duties
from engine.replan.events import ManagerSick
from engine.replan.situation import replan_frame, situation_at
from engine.timetable.duties import staff_duties
from tests.strategies import WEEK, simple_department

MONDAY_MORNING = dt.datetime.combine(WEEK, dt.time(7, 30))


def skilled_department() -> Department:
    """m01 (senior) is the difficult customers' man and shows the image with m03 (senior);
    m02 is the only one with IT; m04 (newcomer) can show the image too."""
    department = simple_department(4)
    skills = {"m01": ("difficult", "showcase"), "m02": ("it",), "m03": ("showcase",), "m04": ("showcase",)}
    managers = tuple(m.model_copy(update={"skills": skills[m.id]}) for m in department.managers)
    return department.model_copy(update={"managers": managers})


def staffing_after(policy: Policy, plan_duties: tuple[Duty, ...], sick: tuple[str, ...]) -> Staffing:
    """The re-plan's duties when `sick` fall ill on Monday morning for the whole week."""
    department = skilled_department()
    plan = Timetable(department=department.name, policy=policy.name, week_start=WEEK, status="feasible",
                     duties=plan_duties)
    events = [ManagerSick(type="manager_sick", manager=m, from_=MONDAY_MORNING) for m in sick]
    situation = situation_at(department, policy, plan, MONDAY_MORNING, events)
    return replanned_duties(situation, replan_frame(situation))


def held(duties: tuple[Duty, ...]) -> set[tuple[str, str]]:
    return {(d.duty, d.manager) for d in duties}


def test_duties_of_managers_off_all_week_go_to_present_ones_or_are_listed_unfilled(policy_15_13_7: Policy) -> None:
    planned, _ = staff_duties(skilled_department(), policy_15_13_7)
    assert held(tuple(planned)) == {("terminal_devices", "m02"), ("difficult_customers", "m01"),
                                    ("image_showcase", "m01"), ("image_showcase", "m03")}

    staffing = staffing_after(policy_15_13_7, tuple(planned), ("m01", "m02"))

    # The most senior present takes the difficult customers (the policy's fallback), the
    # other showcase manager joins m03; nobody else has IT, so that duty is unfilled, said why.
    assert held(staffing.duties) == {("difficult_customers", "m03"), ("image_showcase", "m03"),
                                     ("image_showcase", "m04")}
    assert [(g.duty, g.managers_assigned) for g in staffing.unfilled] == [("terminal_devices", 0)]
    assert "m02" in staffing.unfilled[0].reason and "leave all week" in staffing.unfilled[0].reason
    assert any("terminal_devices" in n and "m02" in n for n in staffing.notes)
    assert any("difficult_customers" in n and "m03 takes it over" in n for n in staffing.notes)


def test_duties_of_managers_still_in_stay_as_they_were(policy_15_13_7: Policy) -> None:
    # The plan gave the difficult customers to m03 by hand: the re-plan keeps that.
    planned = (Duty(manager="m02", duty="terminal_devices"), Duty(manager="m03", duty="difficult_customers"),
               Duty(manager="m01", duty="image_showcase"), Duty(manager="m03", duty="image_showcase"))

    staffing = staffing_after(policy_15_13_7, planned, ("m02",))

    assert held(staffing.duties) == held(planned) - {("terminal_devices", "m02")}
    assert [g.duty for g in staffing.unfilled] == ["terminal_devices"]
    assert staffing_after(policy_15_13_7, planned, ()) == Staffing(planned, ())
