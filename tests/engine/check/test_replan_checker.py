"""The independent re-plan checker: a re-planned week that keeps the past, plans
nothing while a manager is off sick and loses only what the sickness took passes, and
each reading of a re-plan can fail: a changed past block, a block during the absence,
a shortfall beyond what the absence took or of a manager it did not touch, and a pair
block from `now` on of a manager no longer present enough to be paired.

Every plan here is typed by hand with the timetable checker's builders: a three-day
week (Mon-Wed), m01+m02 and m03+m04 in pairs."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

import pytest

from engine.check.replan import ReplanVerdict, Sickness, check_replan, sick_leave
from engine.check.timetable import check_timetable
from engine.errors import InputError
from tests.engine.check.test_timetable_checker import (
    MONDAY,
    TEST_POLICY,
    build_week,
    find,
    make_department,
    on,
)

MANAGERS = ("m01", "m02", "m03", "m04")
TUESDAY_13 = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(13, 0))
MONDAY_13 = dt.datetime.combine(MONDAY, dt.time(13, 0))


def week() -> dict:
    """The plan of the week: every manager's own blocks, two pairs, everyone at meetings."""
    return build_week(MANAGERS, groups=(("m01", "m02"), ("m03", "m04")))


def clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def replanned(before: dict, now: dt.datetime, dropped: Callable[[dict], bool]) -> dict:
    """`before` without the blocks from `now` on that `dropped` picks; meetings and the
    site study lose the dropped managers from their lists of attendees."""
    after = copy.deepcopy(before)
    moment = (now.date().isoformat(), now.hour * 60 + now.minute)

    def gone(b: dict) -> bool:
        return (b["date"], clock(b["start"])) >= moment and dropped(b)

    away = {(b["date"], b["kind"], b["start"], b["manager"]) for b in after["blocks"] if gone(b)}
    after["blocks"] = [b for b in after["blocks"] if not gone(b)]
    for b in after["blocks"]:
        if b["kind"] in ("meeting", "site_study"):
            b["with"] = [m for m in b["with"] if (b["date"], b["kind"], b["start"], m) not in away]
    return after


def off_tuesday_afternoon(b: dict) -> bool:
    """m02 is off on Tuesday afternoon; m01's Tuesday maintenance with him is lost too."""
    tuesday = on("tue")
    return b["date"] == tuesday and (b["manager"] == "m02" or (b["manager"] == "m01" and b["kind"] == "maintenance"))


def judge(after: dict, now: dt.datetime = TUESDAY_13, until: dt.date | None = MONDAY + dt.timedelta(days=1),
          before: dict | None = None) -> ReplanVerdict:
    return check_replan(make_department(MANAGERS), TEST_POLICY, before or week(), after, now,
                        [Sickness("m02", now, until)])


@pytest.fixture
def after() -> dict:
    """m02 falls ill on Tuesday at 13:00 for the afternoon: the re-plan drops what he
    cannot do and the maintenance his partner cannot do without him."""
    return replanned(week(), TUESDAY_13, off_tuesday_afternoon)


# -- a re-plan that keeps the rules ------------------------------------------------------------


def test_a_re_plan_that_drops_only_what_the_sickness_took_passes(after) -> None:
    """No violation; the hours lost are listed as shortfalls within what the absence took."""
    verdict = judge(after)
    assert verdict.violations == []
    assert verdict.executable
    short = {(s.manager, s.kind, s.unit): (s.planned, s.asked, s.lost) for s in verdict.shortfalls}
    assert short[("m01", "maintenance", "min")] == (60, 120, 60)
    assert short[("m02", "maintenance", "sessions")] == (1, 2, 1)
    assert short[("m02", "pos_project", "min")] == (60, 120, 60)
    assert all(s.manager in ("m01", "m02") for s in verdict.shortfalls)
    assert "off sick from Tue 2024-03-05 13:00" in verdict.shortfalls[0].message
    assert verdict.as_dict()["shortfalls"][0]["message"] == verdict.shortfalls[0].message


def test_a_re_plan_declaring_the_hours_the_sickness_took_is_no_false_claim(after) -> None:
    """The re-planned timetable may say what it is short of: where the absence explains the
    shortfall, the declaration is no false claim; declaring a kind the week is not short
    of still is one."""
    after = {**after, "shortfalls": [
        {"manager": "m02", "kind": "pos_project", "minutes_short": 60, "sessions_short": 1}]}
    assert judge(after).violations == []
    after["shortfalls"].append({"manager": "m03", "kind": "pos_project", "minutes_short": 60})
    assert [(v.rule, v.manager) for v in judge(after).violations] == [("pos_project_households", "m03")]


def test_the_timetable_checker_alone_would_fault_the_lost_hours(after) -> None:
    """Why the re-plan needs its own reading: the week's checker, with the sickness as
    leave, reports the pair's lost maintenance as a broken quota."""
    now, until = TUESDAY_13, MONDAY + dt.timedelta(days=1)
    department = make_department(MANAGERS)
    sick = department.model_copy(update={"leave": sick_leave(TEST_POLICY, week(), now,
                                                               [Sickness("m02", now, until)])})
    assert "maintenance_pairs" in {v.rule for v in check_timetable(sick, TEST_POLICY, after)}


def test_sickness_starts_when_he_falls_ill_even_in_a_block_under_way() -> None:
    """At 14:30 m02 is in his POS-project session (14:20-15:20), ill since 12:30: he is
    off from 14:30 (not before the re-plan's moment), not once the session is over."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
    leave = sick_leave(TEST_POLICY, week(), now, [Sickness("m02", now - dt.timedelta(hours=2))])
    assert [(lv.date, lv.start, lv.end) for lv in leave] == [
        (MONDAY + dt.timedelta(days=1), clock("14:30"), clock("17:30")),
        (MONDAY + dt.timedelta(days=2), None, None),
    ]


def test_a_block_under_way_when_he_falls_ill_is_dropped_not_finished() -> None:
    """m02 falls ill at 14:30 in his POS-project session (14:20-15:20): a re-plan that
    keeps the session has him working while off sick (`leave`); one that drops it
    changes no past that was his to keep, and the session's hours are what the sickness took."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
    kept = replanned(week(), now, off_tuesday_afternoon)
    session = [b for b in kept["blocks"] if b["manager"] == "m02" and b["date"] == on("tue")
               and b["kind"] == "pos_project" and b["start"] == "14:20"]
    assert session
    verdict = judge(kept, now=now)
    assert ("leave", "m02") in {(v.rule, v.manager) for v in verdict.violations}
    dropped = {**kept, "blocks": [b for b in kept["blocks"] if b not in session]}
    verdict = judge(dropped, now=now)
    assert verdict.violations == []
    assert [s.lost for s in verdict.shortfalls if (s.manager, s.kind, s.unit) == ("m02", "pos_project", "min")] == [60]
    assert all("off sick from Tue 2024-03-05 14:30" in s.message for s in verdict.shortfalls)


def test_in_a_block_until_he_falls_ill_later_that_day_nothing_new_starts() -> None:
    """At 14:30 m02 is in his POS-project session (14:20-15:20) and falls ill at 15:00:
    the session is dropped (he is off before it ends) and nothing of his day is owed or
    allowed from 14:30, for he is in the session until 15:00."""
    now = dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(14, 30))
    ill = now + dt.timedelta(minutes=30)
    after = replanned(week(), now, off_tuesday_afternoon)
    after["blocks"] = [b for b in after["blocks"] if not (b["manager"] == "m02" and b["date"] == on("tue")
                                                          and b["kind"] == "pos_project" and b["start"] == "14:20")]

    def verdict(plan: dict) -> ReplanVerdict:
        return check_replan(make_department(MANAGERS), TEST_POLICY, week(), plan, now,
                            [Sickness("m02", ill, MONDAY + dt.timedelta(days=1))])

    assert verdict(after).violations == []
    busy = copy.deepcopy(after)
    busy["blocks"].append({"manager": "m02", "date": on("tue"), "kind": "admin", "start": "14:30", "end": "14:40"})
    assert ("leave", "m02") in {(v.rule, v.manager) for v in verdict(busy).violations}


def test_pair_blocks_before_now_of_a_manager_no_longer_present_enough_are_kept() -> None:
    """m02 is off from Tuesday 13:00 for the rest of the week (51% present, below the
    60% to be paired): his Monday maintenance with m01 happened while he was present,
    and m01, left without a partner, loses the rest of the pair's sessions."""
    after = replanned(week(), TUESDAY_13,
                      lambda b: b["manager"] == "m02" or (b["manager"] == "m01" and b["kind"] in ("maintenance", "promotion")))
    verdict = judge(after, until=None)
    assert verdict.violations == []
    assert {(s.manager, s.kind) for s in verdict.shortfalls} >= {("m01", "maintenance"), ("m01", "promotion")}


# -- each reading can fail ------------------------------------------------------------------------


def test_a_changed_past_block_is_caught(after) -> None:
    """m03's Monday office work moved by ten minutes: gone as it was, and new before `now`."""
    moved = find(after, "m03", "admin", "mon")
    moved["start"], moved["end"] = "16:20", "17:20"
    found = [v for v in judge(after).violations if v.rule == "replan_past_changed"]
    assert [(v.manager, v.time) for v in found] == [("m03", "16:10–17:10"), ("m03", "16:20–17:20")]
    assert "is not in the re-planned week as it was" in found[0].message
    assert "did not have it" in found[1].message


def test_a_block_added_before_now_is_caught(after) -> None:
    after["blocks"].append({**find(after, "m04", "admin", "mon"), "start": "11:10", "end": "11:40"})
    assert "replan_past_changed" in {v.rule for v in judge(after).violations}


def test_a_block_during_the_absence_is_caught(after) -> None:
    """m02's Tuesday phone slot at 15:40 kept although he is off from 13:00."""
    after["blocks"].append(find(week(), "m02", "phone", "tue"))
    found = [v for v in judge(after).violations if v.rule == "leave"]
    assert [(v.manager, v.time) for v in found] == [("m02", "15:40–16:10")]


def test_a_shortfall_beyond_what_the_absence_took_is_caught(after) -> None:
    """Dropping the pair's Wednesday promotion too (m02 is back on Wednesday) is a fault."""
    after = replanned(after, TUESDAY_13, lambda b: b["manager"] in ("m01", "m02") and b["kind"] == "promotion")
    verdict = judge(after)
    assert {(v.rule, v.manager) for v in verdict.violations} >= {("promotion_pairs", "m01"),
                                                                 ("promotion_pairs", "m02")}
    assert not [s for s in verdict.shortfalls if s.kind == "promotion"]


def test_a_shortfall_of_a_manager_no_absence_touched_is_caught(after) -> None:
    """m03 and m04 lose their Wednesday promotion: nobody of theirs was ill."""
    after = replanned(after, TUESDAY_13, lambda b: b["manager"] in ("m03", "m04") and b["kind"] == "promotion")
    assert {(v.rule, v.manager) for v in judge(after).violations} == {("promotion_pairs", "m03"),
                                                                      ("promotion_pairs", "m04")}


def test_a_partner_s_absence_excuses_only_the_pair_s_kinds(after) -> None:
    """m01's own office work on Tuesday afternoon owes nothing to m02's sickness."""
    after = replanned(after, TUESDAY_13, lambda b: b["manager"] == "m01" and b["kind"] == "admin")
    assert {(v.rule, v.manager) for v in judge(after).violations} == {("admin_time", "m01")}


def test_a_pair_block_from_now_on_of_a_manager_no_longer_present_enough_is_caught() -> None:
    """m02 is off from Monday 13:00 to the end of Tuesday (51% present): his Wednesday
    promotion with m01 is a pairing fault, for him and for m01."""
    after = replanned(week(), MONDAY_13,
                      lambda b: (b["manager"] == "m02" and b["date"] != on("wed"))
                      or (b["manager"] == "m01" and b["kind"] == "maintenance"))
    found = [v for v in judge(after, now=MONDAY_13).violations if v.rule == "pairing"]
    assert {v.manager for v in found} == {"m01", "m02"}
    assert any("below the 60% needed to be paired, yet has in-store promotion on Wed" in v.message
               for v in found)


def test_a_new_partner_while_the_old_one_is_still_in_is_caught(after) -> None:
    """m01 and m03 swap into each other's pair for the Wednesday promotion."""
    for manager, partner in (("m01", "m03"), ("m03", "m01"), ("m02", "m04"), ("m04", "m02")):
        find(after, manager, "promotion", "wed")["with"] = [partner]
    for manager in ("m01", "m03"):
        find(after, manager, "promotion", "wed")["retailer"] = "r-m01-3"
    for manager in ("m02", "m04"):
        find(after, manager, "promotion", "wed")["retailer"] = "r-m02-3"
    messages = [v.message for v in judge(after).violations if v.rule == "pairing"]
    assert any("m01 works with m03 from Tue 2024-03-05 13:00 on" in m for m in messages), messages


def test_a_sickness_of_a_stranger_is_bad_input(after) -> None:
    with pytest.raises(InputError) as error:
        check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, TUESDAY_13,
                     [Sickness("m99", TUESDAY_13)])
    assert error.value.problems[0].column == "manager"


def test_a_re_plan_that_found_no_week_is_not_judged() -> None:
    failed = {**week(), "status": "infeasible", "blocks": []}
    assert judge(failed) == ReplanVerdict([], [])
