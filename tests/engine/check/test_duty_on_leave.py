"""The independent checker: a specialist duty held by a manager on leave every working
day of the week is a plan nobody can carry out (rule `leave`)."""

from __future__ import annotations

import tomllib

from engine.policy import policy_from_mapping
from tests.engine.check.test_timetable_checker import (
    TEST_POLICY_TOML,
    build_week,
    check,
    make_department,
    on,
)

DUTY_POLICY = policy_from_mapping({**tomllib.loads(TEST_POLICY_TOML), "duties": [
    {"name": "image_showcase", "label_zh": "终端形象展示", "label_en": "Terminal image showcase",
     "skill": "showcase", "managers": 1}]}, "test policy with a duty")


def test_a_duty_of_a_manager_on_leave_all_week_is_a_violation():
    managers = ("m01", "m02", "m03", "m04")
    days = ("mon", "tue", "wed")  # the test policy's working days
    department = make_department(managers, [{"manager": "m04", "date": on(d)} for d in days])
    plan = build_week(managers, groups=(("m01", "m02", "m03"),), away={"m04": days})
    plan["duties"] = [{"manager": "m01", "duty": "image_showcase"}]
    assert check(plan, department, DUTY_POLICY) == []

    plan["duties"] = [{"manager": "m04", "duty": "image_showcase"}]
    found = check(plan, department, DUTY_POLICY)
    assert [(v.rule, v.manager) for v in found] == [("leave", "m04")]
    assert "on leave all week" in found[0].message
