"""Specialist duties: a duty the managers' skills cannot fill is reported with its reason,
never dropped in silence."""

from __future__ import annotations

from engine.timetable.duties import assign_duties, staff_duties
from tests.strategies import simple_department


def _with_skills(skills: dict[str, tuple[str, ...]]):
    department = simple_department(3)
    managers = tuple(m.model_copy(update={"skills": skills.get(m.id, ())}) for m in department.managers)
    return department.model_copy(update={"managers": managers})


def test_a_duty_nobody_has_the_skill_for_is_reported_unfilled(policy_15_13_7):
    duties, gaps = staff_duties(_with_skills({"m01": ("it",)}), policy_15_13_7)
    assert {d.duty for d in duties} == {"terminal_devices", "difficult_customers"}
    assert [(g.duty, g.managers_needed, g.managers_assigned) for g in gaps] == [("image_showcase", 2, 0)]
    assert "no manager has the skill 'showcase'" in gaps[0].reason
    assert "managers.csv" in gaps[0].reason


def test_a_duty_short_of_managers_names_those_who_have_the_skill(policy_15_13_7):
    department = _with_skills({"m01": ("it",), "m02": ("showcase",)})
    duties, gaps = staff_duties(department, policy_15_13_7)
    assert [(g.duty, g.managers_assigned) for g in gaps] == [("image_showcase", 1)]
    assert "only 1 manager(s) have the skill 'showcase' (m02)" in gaps[0].reason
    assert duties == assign_duties(department, policy_15_13_7)


def test_every_duty_filled_leaves_no_gap(policy_15_13_7):
    department = _with_skills({"m01": ("it",), "m02": ("showcase",), "m03": ("showcase",)})
    assert staff_duties(department, policy_15_13_7)[1] == []
