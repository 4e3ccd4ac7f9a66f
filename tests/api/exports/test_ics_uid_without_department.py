"""Every department has an m01, and an event's UID named only week, manager, kind and
number (`2026-11-23-m01-visit-1@fieldweek`): two departments' calendars imported into
one calendar overwrote each other's events. The UID names the department too, the same
in every export of the same plan, so a re-plan's calendar still updates and cancels the
plan's events by UID."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from api.exports import ics
from api.exports.ics import manager_calendar, replan_calendar
from engine.domain import Department
from engine.policy import Policy
from engine.replan.result import BlockChange, ManagerDiff, ReplanResult
from tests.api.http.support import hand_timetable

ZONE = "Asia/Shanghai"


def _uids(ics: bytes) -> dict[str, str]:
    return {str(e["uid"]): str(e.get("status", "")) for e in Calendar.from_ical(ics).walk("VEVENT")}


def test_two_departments_calendars_share_no_uid(department: Department, policy: Policy) -> None:
    """The same plan of two departments (only the name differs): no UID in common; each
    export of one department's plan gives the same UIDs."""
    other = department.model_copy(update={"name": "锦江区营销部"})
    plan = hand_timetable(department)
    ours = _uids(manager_calendar(plan, department, policy, "m01", ZONE))
    theirs = _uids(manager_calendar(plan, other, policy, "m01", ZONE))
    assert ours and len(theirs) == len(ours)
    assert not set(ours) & set(theirs)
    assert set(_uids(manager_calendar(plan, department, policy, "m01", ZONE))) == set(ours)


def test_department_tag_is_safe_and_tells_names_apart() -> None:
    """ASCII letters, digits and hyphens only; Chinese names differing in one character differ."""
    tags = [ics.department_tag(name) for name in ("成都锦江", "成都青羊", "Chengdu East / 1", "Chengdu East  1")]
    assert len(set(tags)) == 4
    assert all(tag and all(c.isascii() and (c.isalnum() or c == "-") for c in tag) for tag in tags)
    assert tags[2].startswith("chengdu-east-1-")


def test_a_replan_still_cancels_the_plan_s_dropped_event(department: Department, policy: Policy) -> None:
    """The re-plan's calendar holds every UID of the plan's, the dropped block cancelled."""
    plan = hand_timetable(department)
    phone = next(b for b in plan.blocks if b.manager == "m01" and b.kind == "phone")
    replanned = ReplanResult(
        week_start=plan.week_start, now=dt.datetime(2026, 11, 23, 13, 0), status="optimal",
        timetable=plan.model_copy(update={"blocks": tuple(b for b in plan.blocks if b != phone)}),
        diff=(ManagerDiff(manager="m01", blocks=(BlockChange(change="cancelled", kind="phone", before=phone),)),),
    )
    first = _uids(manager_calendar(plan, department, policy, "m01", ZONE))
    after = _uids(replan_calendar(replanned, department, policy, "m01", ZONE))
    assert set(first) <= set(after)
    assert [uid for uid, status in after.items() if status == "CANCELLED"] == [
        uid for uid in first if "-phone-" in uid
    ]


