"""A re-plan's calendar updates the first plan's events on a phone: a moved block keeps
its event's UID, a dropped block's event comes back cancelled, with a higher SEQUENCE."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from api.exports.ics import manager_calendar, replan_calendar
from engine.domain import Block, Department, Timetable
from engine.policy import Policy
from engine.replan.result import BlockChange, ManagerDiff, ReplanResult
from tests.api.http.support import hand_timetable

ZONE = "Asia/Shanghai"


@pytest.fixture(scope="module")
def plan(department: Department) -> Timetable:
    """The hand-typed Monday and Tuesday of tests.api.http.support."""
    return hand_timetable(department)


def _m01(plan: Timetable, kind: str) -> Block:
    return next(b for b in plan.blocks if b.manager == "m01" and b.kind == kind)


@pytest.fixture(scope="module")
def replanned(plan: Timetable) -> ReplanResult:
    """Monday 13:00: m01's maintenance moves from Monday 14:00 to Tuesday 14:00 and his
    Tuesday phone block is dropped."""
    maintenance, phone = _m01(plan, "maintenance"), _m01(plan, "phone")
    moved = maintenance.model_copy(update={"date": dt.date(2026, 11, 24)})
    blocks = (*(b for b in plan.blocks if b not in (maintenance, phone)), moved)
    diff = ManagerDiff(
        manager="m01",
        blocks=(
            BlockChange(change="moved", kind="maintenance", before=maintenance, after=moved),
            BlockChange(change="cancelled", kind="phone", before=phone),
        ),
    )
    return ReplanResult(
        week_start=plan.week_start,
        now=dt.datetime(2026, 11, 23, 13, 0),
        status="optimal",
        timetable=plan.model_copy(update={"blocks": blocks}),
        diff=(diff,),
    )


def _events(ics: bytes) -> dict[str, dict]:
    return {
        str(e["uid"]): {
            "start": e.decoded("dtstart"),
            "status": str(e.get("status", "")),
            "sequence": int(e.get("sequence", 0)),
            "summary": str(e["summary"]),
        }
        for e in Calendar.from_ical(ics).walk("VEVENT")
    }


def test_a_moved_block_keeps_its_event_uid(
    plan: Timetable, replanned: ReplanResult, department: Department, policy: Policy
) -> None:
    """The same block at another time is the same event (the UID held its start time)."""
    first = _events(manager_calendar(plan, department, policy, "m01", ZONE))
    again = _events(manager_calendar(replanned.timetable, department, policy, "m01", ZONE))
    (maintenance,) = [uid for uid, e in first.items() if e["summary"] == "终端专项维护"]
    assert maintenance in again
    assert again[maintenance]["start"].date() == dt.date(2026, 11, 24)


def test_a_replan_cancels_dropped_blocks_with_a_higher_sequence(
    plan: Timetable, replanned: ReplanResult, department: Department, policy: Policy
) -> None:
    """Every event of the first plan's calendar is in the re-plan's, live or cancelled;
    the dropped phone block is STATUS:CANCELLED; SEQUENCE rises above the plan's."""
    first = _events(manager_calendar(plan, department, policy, "m01", ZONE))
    ics = replan_calendar(replanned, department, policy, "m01", ZONE)
    after = _events(ics)
    assert set(first) <= set(after)
    cancelled = [e for e in after.values() if e["status"] == "CANCELLED"]
    assert [e["summary"] for e in cancelled] == ["电话拜访"]
    live = [e for e in after.values() if e["status"] != "CANCELLED"]
    assert len(live) == len(first) - 1
    assert min(e["sequence"] for e in after.values()) > max(e["sequence"] for e in first.values())
    assert str(Calendar.from_ical(ics)["method"]) == "PUBLISH"
